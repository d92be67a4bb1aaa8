//! Input sources on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use recflow_store::{
    Error, InputSource, Page, PageRequest, Result, SourcePatch, Sources, SyncStatus,
};
use serde_json::Value;
use sqlx::FromRow;
use sqlx::types::Json;
use uuid::Uuid;

use crate::SqliteStore;
use crate::error::map_err;

#[derive(FromRow)]
struct SourceRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    kind: String,
    credential_id: Option<Uuid>,
    config: Json<Value>,
    min_duration_seconds: i64,
    min_size_bytes: i64,
    process_on_webhook: bool,
    webhook_secret: Option<Vec<u8>>,
    sync_state: String,
    sync_started_at: Option<DateTime<Utc>>,
    last_sync_at: Option<DateTime<Utc>>,
    last_result: Option<Json<Value>>,
    last_error: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<SourceRow> for InputSource {
    fn from(row: SourceRow) -> Self {
        InputSource {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            kind: row.kind,
            credential_id: row.credential_id,
            config: row.config.0,
            min_duration_seconds: row.min_duration_seconds,
            min_size_bytes: row.min_size_bytes,
            process_on_webhook: row.process_on_webhook,
            webhook_secret: row.webhook_secret,
            sync: SyncStatus {
                syncing: row.sync_state == "syncing",
                started_at: row.sync_started_at,
                last_sync_at: row.last_sync_at,
                last_result: row.last_result.map(|j| j.0),
                last_error: row.last_error,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[async_trait]
impl Sources for SqliteStore {
    async fn create_source(&self, s: &InputSource) -> Result<InputSource> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "input source"))?;
        let reserved = sqlx::query(
            "UPDATE quotas SET used_input_sources = used_input_sources + 1 \
             WHERE user_id = $1 AND used_input_sources + 1 <= max_input_sources",
        )
        .bind(s.user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "input source"))?;
        if reserved.rows_affected() == 0 {
            let limit: i64 =
                sqlx::query_scalar("SELECT max_input_sources FROM quotas WHERE user_id = $1")
                    .bind(s.user_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| map_err(e, "user"))?;
            return Err(Error::QuotaExceeded {
                resource: recflow_store::QuotaResource::InputSources,
                limit,
            });
        }

        let now = Utc::now();
        let row: SourceRow = sqlx::query_as(
            "INSERT INTO input_sources (id, user_id, name, kind, credential_id, config, \
             min_duration_seconds, min_size_bytes, process_on_webhook, webhook_secret, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *",
        )
        .bind(s.id)
        .bind(s.user_id)
        .bind(&s.name)
        .bind(&s.kind)
        .bind(s.credential_id)
        .bind(Json(&s.config))
        .bind(s.min_duration_seconds)
        .bind(s.min_size_bytes)
        .bind(s.process_on_webhook)
        .bind(&s.webhook_secret)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_err(e, "input source"))?;
        tx.commit().await.map_err(|e| map_err(e, "input source"))?;
        Ok(row.into())
    }

    async fn get_source(&self, user_id: Uuid, id: Uuid) -> Result<InputSource> {
        let row: SourceRow =
            sqlx::query_as("SELECT * FROM input_sources WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| map_err(e, "input source"))?;
        Ok(row.into())
    }

    async fn get_source_unscoped(&self, id: Uuid) -> Result<InputSource> {
        let row: SourceRow = sqlx::query_as("SELECT * FROM input_sources WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| map_err(e, "input source"))?;
        Ok(row.into())
    }

    async fn list_sources(&self, user_id: Uuid, page: PageRequest) -> Result<Page<InputSource>> {
        let rows: Vec<SourceRow> = sqlx::query_as(
            "SELECT * FROM input_sources WHERE user_id = $1 AND ($2 IS NULL OR id > $2) \
             ORDER BY id LIMIT $3",
        )
        .bind(user_id)
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "input source"))?;
        let items = rows.into_iter().map(InputSource::from).collect();
        Ok(Page::from_overfetch(
            items,
            page.limit,
            |s: &InputSource| s.id,
        ))
    }

    async fn update_source(&self, user_id: Uuid, id: Uuid, p: &SourcePatch) -> Result<InputSource> {
        let row: SourceRow = sqlx::query_as(
            "UPDATE input_sources SET name = COALESCE($3, name), \
             credential_id = COALESCE($4, credential_id), config = COALESCE($5, config), \
             min_duration_seconds = COALESCE($6, min_duration_seconds), \
             min_size_bytes = COALESCE($7, min_size_bytes), \
             process_on_webhook = COALESCE($8, process_on_webhook), \
             webhook_secret = CASE WHEN $9 THEN $10 ELSE webhook_secret END, updated_at = $11 \
             WHERE id = $1 AND user_id = $2 RETURNING *",
        )
        .bind(id)
        .bind(user_id)
        .bind(&p.name)
        .bind(p.credential_id)
        .bind(p.config.as_ref().map(Json))
        .bind(p.min_duration_seconds)
        .bind(p.min_size_bytes)
        .bind(p.process_on_webhook)
        .bind(p.webhook_secret.is_some())
        .bind(p.webhook_secret.clone().flatten())
        .bind(Utc::now())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "input source"))?;
        Ok(row.into())
    }

    async fn delete_source(&self, user_id: Uuid, id: Uuid) -> Result<()> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "input source"))?;
        let done = sqlx::query("DELETE FROM input_sources WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| match map_err(e, "input source") {
                // The RESTRICT foreign key of an automation job syncing it.
                Error::NotFound { .. } => Error::Conflict {
                    entity: "input source",
                    detail: "is used by an automation job; delete or change the job first"
                        .to_owned(),
                },
                other => other,
            })?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("input source"));
        }
        sqlx::query(
            "UPDATE quotas SET used_input_sources = MAX(used_input_sources - 1, 0) WHERE user_id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "input source"))?;
        tx.commit().await.map_err(|e| map_err(e, "input source"))
    }

    async fn begin_sync(
        &self,
        user_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE input_sources SET sync_state = 'syncing', sync_started_at = $3 \
             WHERE id = $1 AND user_id = $2 \
             AND (sync_state = 'idle' OR sync_started_at IS NULL OR sync_started_at < $4)",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .bind(stale_before)
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "input source"))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        self.get_source(user_id, id).await?;
        Err(Error::Conflict {
            entity: "input source",
            detail: "is being synced already; wait for that sync to end".to_owned(),
        })
    }

    async fn finish_sync(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        result: Option<&Value>,
        error: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE input_sources SET sync_state = 'idle', sync_started_at = NULL, \
             last_sync_at = $2, last_result = COALESCE($3, last_result), last_error = $4 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .bind(result.map(Json))
        .bind(error)
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "input source"))?;
        Ok(())
    }
}
