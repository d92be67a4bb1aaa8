//! Third-party credentials. The store keeps only the ciphertext the service produced; it never
//! sees a secret in the clear.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{Page, PageRequest, Result};

/// A stored credential.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    /// `zoom_s2s`, `zoom_oauth`, `google` or `vk`.
    pub kind: String,
    /// Ciphertext of the secrets object.
    pub secret: Vec<u8>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Storage of credentials. Every call is scoped to the owner: another account's id is
/// `NotFound`.
#[async_trait]
pub trait Credentials {
    /// Stores a credential under an id chosen by the caller (the id is bound into the
    /// ciphertext, so it must be known before encrypting).
    ///
    /// # Errors
    /// `Conflict` when the owner already has a credential with this name.
    async fn create_credential(&self, credential: &Credential) -> Result<Credential>;

    /// # Errors
    /// `NotFound` for a missing id or another account's.
    async fn get_credential(&self, user_id: Uuid, id: Uuid) -> Result<Credential>;

    /// # Errors
    /// Only database failures.
    async fn list_credentials(&self, user_id: Uuid, page: PageRequest) -> Result<Page<Credential>>;

    /// Replaces the ciphertext, e.g. after a refresh-token rotation. Atomic: readers see the
    /// old or the new secret, never a mix.
    ///
    /// # Errors
    /// `NotFound` for a missing id or another account's.
    async fn update_credential_secret(&self, user_id: Uuid, id: Uuid, secret: &[u8]) -> Result<()>;

    /// # Errors
    /// `NotFound`; `Conflict` while an input source or preset still uses it.
    async fn delete_credential(&self, user_id: Uuid, id: Uuid) -> Result<()>;

    /// How many encrypted values exist (credentials and webhook secrets); the service refuses
    /// to start without a key when this is not zero.
    ///
    /// # Errors
    /// Only database failures.
    async fn count_encrypted(&self) -> Result<u64>;
}
