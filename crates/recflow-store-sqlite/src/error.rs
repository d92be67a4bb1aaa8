//! The one place where sqlx errors become storage errors.

use std::path::PathBuf;

use recflow_store::Error;

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "the SQLite database {path} is already used by another running recflow server; SQLite \
         mode is single-node, so stop the other server or use PostgreSQL \
         (RECFLOW_DATABASE_URL=postgres://...) to run several processes"
    )]
    Locked { path: PathBuf },
    #[error("cannot prepare {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the SQLite database")]
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
        // RESTRICT actions report SQLITE_CONSTRAINT_TRIGGER rather than _FOREIGNKEY, so the
        // message is the reliable mark.
        sqlx::Error::Database(db)
            if db.is_foreign_key_violation() || db.message().contains("FOREIGN KEY") =>
        {
            Error::NotFound { entity }
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
            Error::Unavailable(Box::new(err))
        }
        other => Error::Internal(Box::new(other)),
    }
}
