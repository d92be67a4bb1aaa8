//! The one place where sqlx errors become storage errors.

use recflow_store::Error;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot connect to PostgreSQL")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply database migrations")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// Maps a driver error for an operation on `entity`.
pub(crate) fn map_err(err: sqlx::Error, entity: &'static str) -> Error {
    match err {
        sqlx::Error::RowNotFound => Error::NotFound { entity },
        sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict {
            entity,
            detail: "already exists".to_owned(),
        },
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => Error::NotFound { entity },
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            Error::Unavailable(Box::new(err))
        }
        other => Error::Internal(Box::new(other)),
    }
}
