//! Recordings: one row per (source, source_key), whatever syncs, webhooks or replicas do.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::{Page, PageRequest, Result};

/// Recording statuses of SPEC §8.
pub mod status {
    pub const PENDING_SOURCE: &str = "PENDING_SOURCE";
    pub const INITIALIZED: &str = "INITIALIZED";
    pub const SKIPPED: &str = "SKIPPED";
}

/// A recording as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub id: Uuid,
    pub user_id: Uuid,
    pub source_id: Uuid,
    pub source_key: String,
    pub title: String,
    pub start_time: DateTime<Utc>,
    pub duration_seconds: i64,
    pub size_bytes: i64,
    pub status: String,
    pub skip_reason: Option<String>,
    pub template_id: Option<Uuid>,
    /// Why it matched or did not: `{template_id, rule, reason}`.
    pub match_info: Option<Value>,
    pub failure: Option<Value>,
    /// What the source needs to fetch the media later (download URL, file path, …).
    pub source_meta: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A recording as a sync found it.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovered {
    pub source_key: String,
    pub title: String,
    pub start_time: DateTime<Utc>,
    pub duration_seconds: i64,
    pub size_bytes: i64,
    /// PENDING_SOURCE, INITIALIZED or SKIPPED.
    pub status: String,
    pub skip_reason: Option<String>,
    pub source_meta: Value,
    /// A digest of everything above; equal digests mean nothing changed.
    pub fingerprint: String,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertSummary {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Deleted by the user earlier; left deleted.
    pub deleted: u64,
}

/// Which recordings to list.
#[derive(Debug, Clone, Default)]
pub struct RecordingFilter {
    pub source_id: Option<Uuid>,
    pub status: Option<String>,
    pub template_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Storage of recordings, scoped to their owner.
#[async_trait]
pub trait Recordings {
    /// Inserts new recordings and updates changed ones in one transaction; unchanged and
    /// user-deleted ones are not written at all. Only recordings still waiting for processing
    /// (PENDING_SOURCE, INITIALIZED, SKIPPED) take the source's new values.
    /// Returns the summary and the ids of the new rows.
    ///
    /// # Errors
    /// `NotFound` when the source is not the user's.
    async fn upsert_discovered(
        &self,
        user_id: Uuid,
        source_id: Uuid,
        items: &[Discovered],
    ) -> Result<(UpsertSummary, Vec<Uuid>)>;

    /// # Errors
    /// `NotFound` for a missing, deleted or another account's recording.
    async fn get_recording(&self, user_id: Uuid, id: Uuid) -> Result<Recording>;

    /// Recordings, most recently synced first.
    ///
    /// # Errors
    /// Only database failures.
    async fn list_recordings(
        &self,
        user_id: Uuid,
        filter: &RecordingFilter,
        page: PageRequest,
    ) -> Result<Page<Recording>>;

    /// Hides the recording and keeps a tombstone, so syncs never bring it back.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_recording(&self, user_id: Uuid, id: Uuid) -> Result<()>;

    /// Stores many matching decisions in one transaction (a sync can bring thousands).
    ///
    /// # Errors
    /// Only database failures; then none is stored.
    async fn set_matches(
        &self,
        user_id: Uuid,
        decisions: &[(Uuid, Option<Uuid>, Value)],
    ) -> Result<()>;

    /// Stores the matching decision.
    ///
    /// # Errors
    /// `NotFound`.
    async fn set_match(
        &self,
        user_id: Uuid,
        id: Uuid,
        template_id: Option<Uuid>,
        match_info: &Value,
    ) -> Result<()>;
}
