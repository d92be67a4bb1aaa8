//! Accounts on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use recflow_store::{Accounts, NewUser, Page, PageRequest, QuotaLimits, Result, User, UserPatch};
use sqlx::{AssertSqlSafe, FromRow};
use uuid::Uuid;

use crate::PostgresStore;
use crate::error::map_err;

const USER_COLUMNS: &str =
    "id, email, display_name, timezone, is_admin, disabled, created_at, updated_at";

#[derive(FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    email: String,
    display_name: String,
    timezone: String,
    is_admin: bool,
    disabled: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            timezone: row.timezone,
            is_admin: row.is_admin,
            disabled: row.disabled,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[async_trait]
impl Accounts for PostgresStore {
    async fn create_user(&self, new: &NewUser) -> Result<User> {
        let id = Uuid::now_v7();
        let now = Utc::now();
        let limits = QuotaLimits::default();
        let mut tx = self.pool.begin().await.map_err(|e| map_err(e, "user"))?;

        let row: UserRow = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO users (id, email, password_hash, display_name, timezone, is_admin, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             RETURNING {USER_COLUMNS}"
        )))
        .bind(id)
        .bind(&new.email)
        .bind(&new.password_hash)
        .bind(&new.display_name)
        .bind(&new.timezone)
        .bind(new.is_admin)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_err(e, "user"))?;

        sqlx::query(
            "INSERT INTO quotas (user_id, max_automation_jobs, min_automation_interval_hours, \
             max_input_sources, max_templates, max_storage_bytes, max_concurrent_pipelines) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(limits.max_automation_jobs)
        .bind(limits.min_automation_interval_hours)
        .bind(limits.max_input_sources)
        .bind(limits.max_templates)
        .bind(limits.max_storage_bytes)
        .bind(limits.max_concurrent_pipelines)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "quotas"))?;

        tx.commit().await.map_err(|e| map_err(e, "user"))?;
        Ok(row.into())
    }

    async fn get_user(&self, id: Uuid) -> Result<User> {
        let row: UserRow = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        Ok(row.into())
    }

    async fn find_user_by_email(&self, email: &str) -> Result<User> {
        let row: UserRow = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
        )))
        .bind(email)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        Ok(row.into())
    }

    async fn password_hash(&self, id: Uuid) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| map_err(e, "user"))
    }

    async fn list_users(&self, page: PageRequest) -> Result<Page<User>> {
        let rows: Vec<UserRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"
        )))
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        let users = rows.into_iter().map(User::from).collect();
        Ok(Page::from_overfetch(users, page.limit, |u: &User| u.id))
    }

    async fn update_user(&self, id: Uuid, patch: &UserPatch) -> Result<User> {
        let row: UserRow = sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE users SET display_name = COALESCE($2, display_name), \
             timezone = COALESCE($3, timezone), is_admin = COALESCE($4, is_admin), \
             disabled = COALESCE($5, disabled), password_hash = COALESCE($6, password_hash), \
             updated_at = $7 WHERE id = $1 RETURNING {USER_COLUMNS}"
        )))
        .bind(id)
        .bind(&patch.display_name)
        .bind(&patch.timezone)
        .bind(patch.is_admin)
        .bind(patch.disabled)
        .bind(&patch.password_hash)
        .bind(Utc::now())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        Ok(row.into())
    }

    async fn count_users(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| map_err(e, "user"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
