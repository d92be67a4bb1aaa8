//! Templates and output presets. Their rule, processing, metadata and settings documents are
//! validated by the service; the store keeps them as JSON.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::{Page, PageRequest, Result};

/// A template as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub description: String,
    pub priority: i64,
    pub is_active: bool,
    pub matching_rules: Value,
    pub processing: Value,
    pub metadata: Value,
    pub output_preset_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An output preset as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputPreset {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// `youtube`, `vk` or `local_folder`.
    pub platform: String,
    pub credential_id: Option<Uuid>,
    pub settings: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Storage of templates and presets, scoped to their owner.
#[async_trait]
pub trait Templates {
    /// Creates a template, counting it against `max_templates` in the same transaction.
    ///
    /// # Errors
    /// `QuotaExceeded`; `Conflict` on a duplicate name.
    async fn create_template(&self, template: &Template) -> Result<Template>;

    /// # Errors
    /// `NotFound` for a missing id or another account's.
    async fn get_template(&self, user_id: Uuid, id: Uuid) -> Result<Template>;

    /// # Errors
    /// Only database failures.
    async fn list_templates(&self, user_id: Uuid, page: PageRequest) -> Result<Page<Template>>;

    /// Every template of the account, for matching.
    ///
    /// # Errors
    /// Only database failures.
    async fn all_templates(&self, user_id: Uuid) -> Result<Vec<Template>>;

    /// Replaces the template's editable fields (the caller merged the patch).
    ///
    /// # Errors
    /// `NotFound`; `Conflict` on a duplicate name.
    async fn replace_template(&self, template: &Template) -> Result<Template>;

    /// Deletes the template, unbinds its recordings and gives back the quota unit.
    /// Returns the ids of the recordings that were bound to it.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_template(&self, user_id: Uuid, id: Uuid) -> Result<Vec<Uuid>>;

    /// # Errors
    /// `Conflict` on a duplicate name.
    async fn create_preset(&self, preset: &OutputPreset) -> Result<OutputPreset>;

    /// # Errors
    /// `NotFound` for a missing id or another account's.
    async fn get_preset(&self, user_id: Uuid, id: Uuid) -> Result<OutputPreset>;

    /// # Errors
    /// Only database failures.
    async fn list_presets(&self, user_id: Uuid, page: PageRequest) -> Result<Page<OutputPreset>>;

    /// # Errors
    /// `NotFound`; `Conflict` on a duplicate name.
    async fn replace_preset(&self, preset: &OutputPreset) -> Result<OutputPreset>;

    /// # Errors
    /// `NotFound`.
    async fn delete_preset(&self, user_id: Uuid, id: Uuid) -> Result<()>;

    /// Recordings of the account that no template claims, with ids from `from_id` on (all
    /// when `None`), in id order, at most `limit`.
    ///
    /// # Errors
    /// Only database failures.
    async fn unmapped_recordings(
        &self,
        user_id: Uuid,
        from_id: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<crate::Recording>>;
}
