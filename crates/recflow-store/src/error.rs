//! The storage error: what went wrong in terms the service can act on.

use crate::quotas::QuotaResource;

/// A storage failure. Backends map every driver error into one of these in one place.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The row does not exist (or belongs to another account, which must look the same).
    #[error("{entity} not found")]
    NotFound { entity: &'static str },

    /// A unique constraint refused the write.
    #[error("{entity} already exists: {detail}")]
    Conflict {
        entity: &'static str,
        detail: String,
    },

    /// Reserving would push the account past its quota.
    #[error("quota {} of {limit} reached", resource.limit_field())]
    QuotaExceeded { resource: QuotaResource, limit: i64 },

    /// The database could not be reached or timed out; retrying later may succeed.
    #[error("database unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// Anything else: a bug or a schema mismatch.
    #[error("database error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Result of a storage call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Shorthand for [`Error::NotFound`].
    pub fn not_found(entity: &'static str) -> Self {
        Error::NotFound { entity }
    }
}
