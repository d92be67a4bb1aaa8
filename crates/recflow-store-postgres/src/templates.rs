//! Templates and output presets on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use recflow_store::{
    Error, OutputPreset, Page, PageRequest, QuotaResource, Recording, Result, Template, Templates,
};
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;
use uuid::Uuid;

use crate::PostgresStore;
use crate::error::map_err;
use crate::recordings::RecordingRow;

#[derive(FromRow)]
struct TemplateRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    description: String,
    priority: i64,
    is_active: bool,
    matching_rules: Json<Value>,
    processing: Json<Value>,
    metadata: Json<Value>,
    output_preset_ids: Json<Vec<Uuid>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<TemplateRow> for Template {
    fn from(row: TemplateRow) -> Self {
        Template {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            description: row.description,
            priority: row.priority,
            is_active: row.is_active,
            matching_rules: row.matching_rules.0,
            processing: row.processing.0,
            metadata: row.metadata.0,
            output_preset_ids: row.output_preset_ids.0,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(FromRow)]
struct PresetRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    platform: String,
    credential_id: Option<Uuid>,
    settings: Json<Value>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<PresetRow> for OutputPreset {
    fn from(row: PresetRow) -> Self {
        OutputPreset {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            platform: row.platform,
            credential_id: row.credential_id,
            settings: row.settings.0,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[async_trait]
impl Templates for PostgresStore {
    async fn create_template(&self, t: &Template) -> Result<Template> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "template"))?;
        let reserved = sqlx::query(
            "UPDATE quotas SET used_templates = used_templates + 1 \
             WHERE user_id = $1 AND used_templates + 1 <= max_templates",
        )
        .bind(t.user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "template"))?;
        if reserved.rows_affected() == 0 {
            let limit: i64 =
                sqlx::query_scalar("SELECT max_templates FROM quotas WHERE user_id = $1")
                    .bind(t.user_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| map_err(e, "user"))?;
            return Err(Error::QuotaExceeded {
                resource: QuotaResource::Templates,
                limit,
            });
        }
        let row: TemplateRow = sqlx::query_as(
            "INSERT INTO templates (id, user_id, name, description, priority, is_active, \
             matching_rules, processing, metadata, output_preset_ids, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *",
        )
        .bind(t.id)
        .bind(t.user_id)
        .bind(&t.name)
        .bind(&t.description)
        .bind(t.priority)
        .bind(t.is_active)
        .bind(Json(&t.matching_rules))
        .bind(Json(&t.processing))
        .bind(Json(&t.metadata))
        .bind(Json(&t.output_preset_ids))
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_err(e, "template"))?;
        tx.commit().await.map_err(|e| map_err(e, "template"))?;
        Ok(row.into())
    }

    async fn get_template(&self, user_id: Uuid, id: Uuid) -> Result<Template> {
        let row: TemplateRow =
            sqlx::query_as("SELECT * FROM templates WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| map_err(e, "template"))?;
        Ok(row.into())
    }

    async fn list_templates(&self, user_id: Uuid, page: PageRequest) -> Result<Page<Template>> {
        let rows: Vec<TemplateRow> = sqlx::query_as(
            "SELECT * FROM templates WHERE user_id = $1 AND ($2 IS NULL OR id > $2) \
             ORDER BY id LIMIT $3",
        )
        .bind(user_id)
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "template"))?;
        let items = rows.into_iter().map(Template::from).collect();
        Ok(Page::from_overfetch(items, page.limit, |t: &Template| t.id))
    }

    async fn all_templates(&self, user_id: Uuid) -> Result<Vec<Template>> {
        let rows: Vec<TemplateRow> = sqlx::query_as(
            "SELECT * FROM templates WHERE user_id = $1 ORDER BY priority, created_at, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "template"))?;
        Ok(rows.into_iter().map(Template::from).collect())
    }

    async fn replace_template(&self, t: &Template) -> Result<Template> {
        let row: TemplateRow = sqlx::query_as(
            "UPDATE templates SET name = $3, description = $4, priority = $5, is_active = $6, \
             matching_rules = $7, processing = $8, metadata = $9, output_preset_ids = $10, \
             updated_at = $11 WHERE id = $1 AND user_id = $2 RETURNING *",
        )
        .bind(t.id)
        .bind(t.user_id)
        .bind(&t.name)
        .bind(&t.description)
        .bind(t.priority)
        .bind(t.is_active)
        .bind(Json(&t.matching_rules))
        .bind(Json(&t.processing))
        .bind(Json(&t.metadata))
        .bind(Json(&t.output_preset_ids))
        .bind(Utc::now())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "template"))?;
        Ok(row.into())
    }

    async fn delete_template(&self, user_id: Uuid, id: Uuid) -> Result<Vec<Uuid>> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "template"))?;
        let done = sqlx::query("DELETE FROM templates WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "template"))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("template"));
        }
        let unbound: Vec<Uuid> = sqlx::query_scalar(
            "UPDATE recordings SET template_id = NULL, match_info = NULL, updated_at = $3 \
             WHERE user_id = $1 AND template_id = $2 RETURNING id",
        )
        .bind(user_id)
        .bind(id)
        .bind(Utc::now())
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| map_err(e, "recording"))?;
        sqlx::query(
            "UPDATE quotas SET used_templates = GREATEST(used_templates - 1, 0) WHERE user_id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "template"))?;
        tx.commit().await.map_err(|e| map_err(e, "template"))?;
        Ok(unbound)
    }

    async fn create_preset(&self, p: &OutputPreset) -> Result<OutputPreset> {
        let row: PresetRow = sqlx::query_as(
            "INSERT INTO output_presets (id, user_id, name, platform, credential_id, settings, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *",
        )
        .bind(p.id)
        .bind(p.user_id)
        .bind(&p.name)
        .bind(&p.platform)
        .bind(p.credential_id)
        .bind(Json(&p.settings))
        .bind(Utc::now())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "output preset"))?;
        Ok(row.into())
    }

    async fn get_preset(&self, user_id: Uuid, id: Uuid) -> Result<OutputPreset> {
        let row: PresetRow =
            sqlx::query_as("SELECT * FROM output_presets WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| map_err(e, "output preset"))?;
        Ok(row.into())
    }

    async fn list_presets(&self, user_id: Uuid, page: PageRequest) -> Result<Page<OutputPreset>> {
        let rows: Vec<PresetRow> = sqlx::query_as(
            "SELECT * FROM output_presets WHERE user_id = $1 AND ($2 IS NULL OR id > $2) \
             ORDER BY id LIMIT $3",
        )
        .bind(user_id)
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "output preset"))?;
        let items = rows.into_iter().map(OutputPreset::from).collect();
        Ok(Page::from_overfetch(
            items,
            page.limit,
            |p: &OutputPreset| p.id,
        ))
    }

    async fn replace_preset(&self, p: &OutputPreset) -> Result<OutputPreset> {
        let row: PresetRow = sqlx::query_as(
            "UPDATE output_presets SET name = $3, credential_id = $4, settings = $5, \
             updated_at = $6 WHERE id = $1 AND user_id = $2 RETURNING *",
        )
        .bind(p.id)
        .bind(p.user_id)
        .bind(&p.name)
        .bind(p.credential_id)
        .bind(Json(&p.settings))
        .bind(Utc::now())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "output preset"))?;
        Ok(row.into())
    }

    async fn delete_preset(&self, user_id: Uuid, id: Uuid) -> Result<()> {
        let done = sqlx::query("DELETE FROM output_presets WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(|e| map_err(e, "output preset"))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("output preset"));
        }
        Ok(())
    }

    async fn unmapped_recordings(
        &self,
        user_id: Uuid,
        from_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<Recording>> {
        let rows: Vec<RecordingRow> = sqlx::query_as(
            "SELECT * FROM recordings WHERE user_id = $1 AND template_id IS NULL \
             AND deleted_at IS NULL AND ($2 IS NULL OR id >= $2) ORDER BY id LIMIT $3",
        )
        .bind(user_id)
        .bind(from_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "recording"))?;
        Ok(rows.into_iter().map(Recording::from).collect())
    }
}
