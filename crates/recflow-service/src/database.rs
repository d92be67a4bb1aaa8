//! Chooses and opens the storage backend from the database URL.

use std::sync::Arc;

use recflow_store::Store;
use recflow_store_postgres::PostgresStore;
use recflow_store_sqlite::{OpenMode, SqliteStore};

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] recflow_store_sqlite::OpenError),
    #[error(transparent)]
    Postgres(#[from] recflow_store_postgres::OpenError),
    #[error("unsupported database URL scheme in {0:?}: use sqlite://PATH or postgres://…")]
    Scheme(String),
}

/// Whether the caller is a long-running server (which takes SQLite's single-node lock) or a
/// short command.
pub use recflow_store_sqlite::OpenMode as Mode;

/// Opens the store at `url` and applies pending migrations.
///
/// # Errors
/// See [`Error`]; SQLite refuses a second server on the same file.
pub async fn open(url: &str, mode: OpenMode) -> Result<Arc<dyn Store>, Error> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresStore::open(url).await?));
    }
    if url.starts_with("sqlite:") || !url.contains("://") {
        return Ok(Arc::new(SqliteStore::open(url, mode).await?));
    }
    let scheme = url.split("://").next().unwrap_or(url);
    Err(Error::Scheme(scheme.to_owned()))
}
