//! Quotas on PostgreSQL. A reservation is one conditional UPDATE: it takes the row lock, and a
//! concurrent reservation waits for it and then re-checks the condition against the new usage
//! (READ COMMITTED re-evaluation), so two reservations can never both see the last free unit.

use async_trait::async_trait;
use recflow_store::{
    Error, QuotaLimits, QuotaPatch, QuotaResource, QuotaStore, QuotaUsage, Quotas, Result,
};
use sqlx::{AssertSqlSafe, FromRow};
use uuid::Uuid;

use crate::PostgresStore;
use crate::error::map_err;

const QUOTA_COLUMNS: &str = "max_automation_jobs, min_automation_interval_hours, \
     max_input_sources, max_templates, max_storage_bytes, max_concurrent_pipelines, \
     used_automation_jobs, used_input_sources, used_templates, used_storage_bytes, \
     used_concurrent_pipelines";

#[derive(FromRow)]
struct QuotaRow {
    max_automation_jobs: i64,
    min_automation_interval_hours: i64,
    max_input_sources: i64,
    max_templates: i64,
    max_storage_bytes: i64,
    max_concurrent_pipelines: i64,
    used_automation_jobs: i64,
    used_input_sources: i64,
    used_templates: i64,
    used_storage_bytes: i64,
    used_concurrent_pipelines: i64,
}

impl From<QuotaRow> for Quotas {
    fn from(row: QuotaRow) -> Self {
        Quotas {
            limits: QuotaLimits {
                max_automation_jobs: row.max_automation_jobs,
                min_automation_interval_hours: row.min_automation_interval_hours,
                max_input_sources: row.max_input_sources,
                max_templates: row.max_templates,
                max_storage_bytes: row.max_storage_bytes,
                max_concurrent_pipelines: row.max_concurrent_pipelines,
            },
            usage: QuotaUsage {
                automation_jobs: row.used_automation_jobs,
                input_sources: row.used_input_sources,
                templates: row.used_templates,
                storage_bytes: row.used_storage_bytes,
                concurrent_pipelines: row.used_concurrent_pipelines,
            },
        }
    }
}

#[async_trait]
impl QuotaStore for PostgresStore {
    async fn get_quotas(&self, user_id: Uuid) -> Result<Quotas> {
        let row: QuotaRow = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {QUOTA_COLUMNS} FROM quotas WHERE user_id = $1"
        )))
        .bind(user_id)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        Ok(row.into())
    }

    async fn update_quotas(&self, user_id: Uuid, patch: &QuotaPatch) -> Result<Quotas> {
        let row: QuotaRow = sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE quotas SET max_automation_jobs = COALESCE($2, max_automation_jobs), \
             min_automation_interval_hours = COALESCE($3, min_automation_interval_hours), \
             max_input_sources = COALESCE($4, max_input_sources), \
             max_templates = COALESCE($5, max_templates), \
             max_storage_bytes = COALESCE($6, max_storage_bytes), \
             max_concurrent_pipelines = COALESCE($7, max_concurrent_pipelines) \
             WHERE user_id = $1 RETURNING {QUOTA_COLUMNS}"
        )))
        .bind(user_id)
        .bind(patch.max_automation_jobs)
        .bind(patch.min_automation_interval_hours)
        .bind(patch.max_input_sources)
        .bind(patch.max_templates)
        .bind(patch.max_storage_bytes)
        .bind(patch.max_concurrent_pipelines)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        Ok(row.into())
    }

    async fn reserve_quota(
        &self,
        user_id: Uuid,
        resource: QuotaResource,
        amount: i64,
    ) -> Result<()> {
        let (used, max) = (resource.usage_field(), resource.limit_field());
        let done = sqlx::query(AssertSqlSafe(format!(
            "UPDATE quotas SET {used} = {used} + $2 WHERE user_id = $1 AND {used} + $2 <= {max}"
        )))
        .bind(user_id)
        .bind(amount)
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        let quotas = self.get_quotas(user_id).await?;
        Err(Error::QuotaExceeded {
            resource,
            limit: quotas.limits.limit(resource),
        })
    }

    async fn release_quota(
        &self,
        user_id: Uuid,
        resource: QuotaResource,
        amount: i64,
    ) -> Result<()> {
        let used = resource.usage_field();
        let done = sqlx::query(AssertSqlSafe(format!(
            "UPDATE quotas SET {used} = GREATEST({used} - $2, 0) WHERE user_id = $1"
        )))
        .bind(user_id)
        .bind(amount)
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("user"));
        }
        Ok(())
    }
}
