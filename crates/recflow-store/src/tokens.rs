//! API tokens. Only a SHA-256 of each token is stored; the token itself is shown once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Page, PageRequest, Result, User};

/// How a token came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Created by the user or an admin; lives until revoked.
    Personal,
    /// Issued by `POST /auth/login`; expires.
    Session,
}

impl TokenKind {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::Session => "session",
        }
    }

    /// Parses the stored spelling; unknown values read as session tokens, the narrower kind.
    pub fn parse(value: &str) -> Self {
        match value {
            "personal" => TokenKind::Personal,
            _ => TokenKind::Session,
        }
    }
}

/// A token as stored (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub kind: TokenKind,
    /// The first characters of the token, so a user can tell tokens apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub user_id: Uuid,
    pub name: String,
    pub kind: TokenKind,
    pub prefix: String,
    pub token_hash: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Storage of API tokens.
#[async_trait]
pub trait Tokens {
    /// # Errors
    /// `NotFound` when the user does not exist.
    async fn create_token(&self, new: &NewToken) -> Result<ApiToken>;

    /// The live token with this hash and its enabled owner.
    ///
    /// # Errors
    /// `NotFound` when the hash is unknown, revoked, expired at `now`, or its owner is disabled.
    async fn authenticate(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(ApiToken, User)>;

    /// Records use, at most once a minute per token so reads stay reads.
    ///
    /// # Errors
    /// Only database failures.
    async fn touch_token(&self, id: Uuid, now: DateTime<Utc>) -> Result<()>;

    /// The user's live tokens in creation order.
    ///
    /// # Errors
    /// Only database failures.
    async fn list_tokens(&self, user_id: Uuid, page: PageRequest) -> Result<Page<ApiToken>>;

    /// # Errors
    /// `NotFound` when the token does not exist, is already revoked or belongs to someone else.
    async fn revoke_token(&self, user_id: Uuid, id: Uuid) -> Result<()>;
}
