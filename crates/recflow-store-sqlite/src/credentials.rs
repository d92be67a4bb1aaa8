//! Credentials on SQLite.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use recflow_store::{Credential, Credentials, Error, Page, PageRequest, Result};
use sqlx::FromRow;
use uuid::Uuid;

use crate::SqliteStore;
use crate::error::map_err;

#[derive(FromRow)]
struct CredentialRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    kind: String,
    secret: Vec<u8>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<CredentialRow> for Credential {
    fn from(row: CredentialRow) -> Self {
        Credential {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            kind: row.kind,
            secret: row.secret,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[async_trait]
impl Credentials for SqliteStore {
    async fn create_credential(&self, c: &Credential) -> Result<Credential> {
        let row: CredentialRow = sqlx::query_as(
            "INSERT INTO credentials (id, user_id, name, kind, secret, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *",
        )
        .bind(c.id)
        .bind(c.user_id)
        .bind(&c.name)
        .bind(&c.kind)
        .bind(&c.secret)
        .bind(Utc::now())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "credential"))?;
        Ok(row.into())
    }

    async fn get_credential(&self, user_id: Uuid, id: Uuid) -> Result<Credential> {
        let row: CredentialRow =
            sqlx::query_as("SELECT * FROM credentials WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| map_err(e, "credential"))?;
        Ok(row.into())
    }

    async fn list_credentials(&self, user_id: Uuid, page: PageRequest) -> Result<Page<Credential>> {
        let rows: Vec<CredentialRow> = sqlx::query_as(
            "SELECT * FROM credentials WHERE user_id = $1 AND ($2 IS NULL OR id > $2) \
             ORDER BY id LIMIT $3",
        )
        .bind(user_id)
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "credential"))?;
        let items = rows.into_iter().map(Credential::from).collect();
        Ok(Page::from_overfetch(items, page.limit, |c: &Credential| {
            c.id
        }))
    }

    async fn update_credential_secret(&self, user_id: Uuid, id: Uuid, secret: &[u8]) -> Result<()> {
        let done = sqlx::query(
            "UPDATE credentials SET secret = $3, updated_at = $4 WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .bind(secret)
        .bind(Utc::now())
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "credential"))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("credential"));
        }
        Ok(())
    }

    async fn delete_credential(&self, user_id: Uuid, id: Uuid) -> Result<()> {
        let done = sqlx::query("DELETE FROM credentials WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&self.pool)
            .await
            .map_err(|e| match map_err(e, "credential") {
                // The RESTRICT foreign key of a source using it.
                Error::NotFound { .. } => Error::Conflict {
                    entity: "credential",
                    detail: "is used by an input source; delete or change it first".to_owned(),
                },
                other => other,
            })?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("credential"));
        }
        Ok(())
    }

    async fn count_encrypted(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM credentials) + \
             (SELECT COUNT(*) FROM input_sources WHERE webhook_secret IS NOT NULL)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "credential"))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
