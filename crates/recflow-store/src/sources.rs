//! Input sources: where recordings come from, and the state of their syncs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::{Page, PageRequest, Result};

/// An input source as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct InputSource {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// `zoom` or `local_folder`.
    pub kind: String,
    pub credential_id: Option<Uuid>,
    /// Type-specific settings (`{"user_id": "me"}` or `{"path": "…"}`).
    pub config: Value,
    pub min_duration_seconds: i64,
    pub min_size_bytes: i64,
    pub process_on_webhook: bool,
    /// Ciphertext of the webhook secret token.
    pub webhook_secret: Option<Vec<u8>>,
    pub sync: SyncStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where the source's syncing stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncStatus {
    pub syncing: bool,
    pub started_at: Option<DateTime<Utc>>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_result: Option<Value>,
    pub last_error: Option<String>,
}

/// The writable fields of a source; on update, `None` leaves a field unchanged (except
/// `webhook_secret`, see [`SourcePatch`]).
#[derive(Debug, Clone, Default)]
pub struct SourcePatch {
    pub name: Option<String>,
    pub credential_id: Option<Uuid>,
    pub config: Option<Value>,
    pub min_duration_seconds: Option<i64>,
    pub min_size_bytes: Option<i64>,
    pub process_on_webhook: Option<bool>,
    /// `Some(None)` clears the secret.
    pub webhook_secret: Option<Option<Vec<u8>>>,
}

/// Storage of input sources, scoped to their owner.
#[async_trait]
pub trait Sources {
    /// Creates a source, counting it against `max_input_sources` in the same transaction.
    ///
    /// # Errors
    /// `QuotaExceeded`; `Conflict` on a duplicate name; `NotFound` when the credential is
    /// not the owner's.
    async fn create_source(&self, source: &InputSource) -> Result<InputSource>;

    /// # Errors
    /// `NotFound` for a missing id or another account's.
    async fn get_source(&self, user_id: Uuid, id: Uuid) -> Result<InputSource>;

    /// A source by id alone, for webhooks, which carry no user token.
    ///
    /// # Errors
    /// `NotFound`.
    async fn get_source_unscoped(&self, id: Uuid) -> Result<InputSource>;

    /// # Errors
    /// Only database failures.
    async fn list_sources(&self, user_id: Uuid, page: PageRequest) -> Result<Page<InputSource>>;

    /// # Errors
    /// `NotFound`; `Conflict` on a duplicate name.
    async fn update_source(
        &self,
        user_id: Uuid,
        id: Uuid,
        patch: &SourcePatch,
    ) -> Result<InputSource>;

    /// Deletes the source and its recordings and gives back its quota unit.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_source(&self, user_id: Uuid, id: Uuid) -> Result<()>;

    /// Marks a sync as running, unless one already runs and started after `stale_before`
    /// (an older one belongs to a process that died).
    ///
    /// # Errors
    /// `Conflict` while another sync runs; `NotFound`.
    async fn begin_sync(
        &self,
        user_id: Uuid,
        id: Uuid,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<()>;

    /// Records the end of a sync with its result or error.
    ///
    /// # Errors
    /// Only database failures.
    async fn finish_sync(
        &self,
        id: Uuid,
        now: DateTime<Utc>,
        result: Option<&Value>,
        error: Option<&str>,
    ) -> Result<()>;
}
