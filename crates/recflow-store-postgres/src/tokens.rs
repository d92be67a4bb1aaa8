//! API tokens on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use recflow_store::{ApiToken, NewToken, Page, PageRequest, Result, TokenKind, Tokens, User};
use sqlx::{AssertSqlSafe, FromRow};
use uuid::Uuid;

use crate::PostgresStore;
use crate::accounts::UserRow;
use crate::error::map_err;

const TOKEN_COLUMNS: &str = "id, user_id, name, kind, prefix, created_at, expires_at, last_used_at";

#[derive(FromRow)]
struct TokenRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    kind: String,
    prefix: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<TokenRow> for ApiToken {
    fn from(row: TokenRow) -> Self {
        ApiToken {
            id: row.id,
            user_id: row.user_id,
            name: row.name,
            kind: TokenKind::parse(&row.kind),
            prefix: row.prefix,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
        }
    }
}

#[async_trait]
impl Tokens for PostgresStore {
    async fn create_token(&self, new: &NewToken) -> Result<ApiToken> {
        let row: TokenRow = sqlx::query_as(AssertSqlSafe(format!(
            "INSERT INTO api_tokens (id, user_id, name, kind, prefix, token_hash, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {TOKEN_COLUMNS}"
        )))
        .bind(Uuid::now_v7())
        .bind(new.user_id)
        .bind(&new.name)
        .bind(new.kind.as_str())
        .bind(&new.prefix)
        .bind(&new.token_hash)
        .bind(Utc::now())
        .bind(new.expires_at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "user"))?;
        Ok(row.into())
    }

    async fn authenticate(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(ApiToken, User)> {
        let token: TokenRow = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)"
        )))
        .bind(token_hash)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "token"))?;

        let user: UserRow = sqlx::query_as(
            "SELECT id, email, display_name, timezone, is_admin, disabled, created_at, \
             updated_at FROM users WHERE id = $1 AND disabled = FALSE",
        )
        .bind(token.user_id)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "token"))?;
        Ok((token.into(), user.into()))
    }

    async fn touch_token(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 \
             AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(id)
        .bind(now)
        .bind(now - Duration::minutes(1))
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "token"))?;
        Ok(())
    }

    async fn list_tokens(&self, user_id: Uuid, page: PageRequest) -> Result<Page<ApiToken>> {
        let rows: Vec<TokenRow> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL \
             AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
        )))
        .bind(user_id)
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "token"))?;
        let tokens = rows.into_iter().map(ApiToken::from).collect();
        Ok(Page::from_overfetch(tokens, page.limit, |t: &ApiToken| {
            t.id
        }))
    }

    async fn revoke_token(&self, user_id: Uuid, id: Uuid) -> Result<()> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 \
             AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(user_id)
        .bind(Utc::now())
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "token"))?;
        if done.rows_affected() == 0 {
            return Err(recflow_store::Error::not_found("token"));
        }
        Ok(())
    }
}
