//! Accounts: who may use the installation.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Page, PageRequest, Result};

/// An account as stored. The password hash is not part of it on purpose: only login reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub timezone: String,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new account. The email is expected normalised (trimmed, lower-case) by the caller.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub password_hash: Option<String>,
    pub display_name: String,
    pub timezone: String,
    pub is_admin: bool,
}

/// A partial update; `None` leaves the field unchanged.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub timezone: Option<String>,
    pub is_admin: Option<bool>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
}

/// Storage of accounts.
#[async_trait]
pub trait Accounts {
    /// Creates an account with the default quotas.
    ///
    /// # Errors
    /// `Conflict` when the email is taken.
    async fn create_user(&self, new: &NewUser) -> Result<User>;

    /// # Errors
    /// `NotFound` when no such account exists.
    async fn get_user(&self, id: Uuid) -> Result<User>;

    /// # Errors
    /// `NotFound` when no account has this (normalised) email.
    async fn find_user_by_email(&self, email: &str) -> Result<User>;

    /// The stored password hash, `None` for accounts that log in by token only.
    ///
    /// # Errors
    /// `NotFound` when no such account exists.
    async fn password_hash(&self, id: Uuid) -> Result<Option<String>>;

    /// Accounts in creation order.
    ///
    /// # Errors
    /// Only database failures.
    async fn list_users(&self, page: PageRequest) -> Result<Page<User>>;

    /// # Errors
    /// `NotFound` when no such account exists.
    async fn update_user(&self, id: Uuid, patch: &UserPatch) -> Result<User>;

    /// How many accounts exist (used to detect the first start).
    ///
    /// # Errors
    /// Only database failures.
    async fn count_users(&self) -> Result<u64>;
}
