//! The JSON shapes of accounts, tokens, quotas and lists, with their OpenAPI schemas.

use chrono::{DateTime, Utc};
use recflow_store::{ApiToken, Page, PageRequest, Quotas, TokenKind, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::error::ApiError;

/// An account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0193a6e4-8f1c-7a51-9d0e-3c2b1a4f5e6d", "email": "ana@example.com",
    "display_name": "Ana", "timezone": "Europe/Berlin", "is_admin": false, "disabled": false,
    "created_at": "2026-12-03T18:00:00Z"}))]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// IANA zone used for schedules and rendered times.
    pub timezone: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(user: User) -> Self {
        UserView {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            timezone: user.timezone,
            is_admin: user.is_admin,
            disabled: user.disabled,
            created_at: user.created_at,
        }
    }
}

/// An API token as listed: never the secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    /// `personal` (until revoked) or `session` (from login, expires).
    #[schema(example = "personal")]
    pub kind: String,
    /// The first characters of the token, to tell tokens apart.
    #[schema(example = "rf_x7Kq2a")]
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<ApiToken> for TokenView {
    fn from(token: ApiToken) -> Self {
        TokenView {
            id: token.id,
            name: token.name,
            kind: match token.kind {
                TokenKind::Personal => "personal",
                TokenKind::Session => "session",
            }
            .to_owned(),
            prefix: token.prefix,
            created_at: token.created_at,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
        }
    }
}

/// A token just created: the only time the secret is shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedTokenView {
    #[serde(flatten)]
    pub token: TokenView,
    /// The bearer token. Store it now: it cannot be shown again.
    #[schema(example = "rf_x7Kq2a9...")]
    pub secret: String,
}

/// An account's limits and what it uses of them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"max_automation_jobs": 5, "min_automation_interval_hours": 1,
    "max_input_sources": 10, "max_templates": 50, "max_storage_bytes": 53687091200_i64,
    "max_concurrent_pipelines": 3, "usage": {"automation_jobs": 2, "input_sources": 1,
    "templates": 3, "storage_bytes": 0, "concurrent_pipelines": 0}}))]
pub struct QuotasView {
    pub max_automation_jobs: i64,
    pub min_automation_interval_hours: i64,
    pub max_input_sources: i64,
    pub max_templates: i64,
    pub max_storage_bytes: i64,
    pub max_concurrent_pipelines: i64,
    pub usage: UsageView,
}

/// Current usage counted against the limits.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UsageView {
    pub automation_jobs: i64,
    pub input_sources: i64,
    pub templates: i64,
    pub storage_bytes: i64,
    pub concurrent_pipelines: i64,
}

impl From<Quotas> for QuotasView {
    fn from(q: Quotas) -> Self {
        QuotasView {
            max_automation_jobs: q.limits.max_automation_jobs,
            min_automation_interval_hours: q.limits.min_automation_interval_hours,
            max_input_sources: q.limits.max_input_sources,
            max_templates: q.limits.max_templates,
            max_storage_bytes: q.limits.max_storage_bytes,
            max_concurrent_pipelines: q.limits.max_concurrent_pipelines,
            usage: UsageView {
                automation_jobs: q.usage.automation_jobs,
                input_sources: q.usage.input_sources,
                templates: q.usage.templates,
                storage_bytes: q.usage.storage_bytes,
                concurrent_pipelines: q.usage.concurrent_pipelines,
            },
        }
    }
}

/// One page of a list; send `next_cursor` back as `?cursor=` for the next page.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ListView<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> ListView<T> {
    /// Converts a store page into the API shape.
    pub fn from_page<S>(page: Page<S>, view: impl FnMut(S) -> T) -> Self {
        ListView {
            items: page.items.into_iter().map(view).collect(),
            next_cursor: page.next.map(|id| id.to_string()),
        }
    }
}

/// Pagination parameters of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// At most this many items, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListQuery {
    /// Checks the parameters.
    ///
    /// # Errors
    /// 422 naming `limit` or `cursor`.
    pub fn page(&self) -> Result<PageRequest, ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=200).contains(&limit) {
            return Err(ApiError::invalid_field(
                "limit",
                "must be between 1 and 200",
            ));
        }
        let after = match &self.cursor {
            Some(cursor) => Some(cursor.parse::<Uuid>().map_err(|_| {
                ApiError::invalid_field("cursor", "not a cursor this API returned")
            })?),
            None => None,
        };
        Ok(PageRequest { limit, after })
    }
}
