//! The embedded SQLite backend: the default, one-process deployment.
//!
//! SQLite is single-node by design. A serving process takes an exclusive lock on
//! `<database>.lock` for its whole life, so a second `recflow serve` on the same file is
//! refused with a clear message; short CLI commands open the database without that lock and
//! rely on WAL mode and the busy timeout to run beside the server.

mod accounts;
mod automation;
mod credentials;
mod error;
mod pipeline;
mod quotas;
mod recordings;
mod sources;
mod templates;
mod tokens;

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use recflow_store::{Backend, Store};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use error::OpenError;

use crate::error::map_err;

/// How the database is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// A long-running server: takes the single-node lock.
    Server,
    /// A short CLI command: may run beside the server.
    Command,
}

/// A SQLite-backed [`Store`].
pub struct SqliteStore {
    pool: SqlitePool,
    /// Held, never read: the OS releases the lock when the process ends, however it ends.
    _lock: Option<File>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path` or a plain path) and
    /// applies the embedded migrations.
    ///
    /// # Errors
    /// `OpenError::Locked` when another server holds the database; `OpenError::Connect` or
    /// `OpenError::Migrate` when the file cannot be opened or upgraded.
    pub async fn open(url: &str, mode: OpenMode) -> Result<Self, OpenError> {
        let path = database_path(url);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| OpenError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let lock = match mode {
            OpenMode::Server => Some(take_single_node_lock(&path)?),
            OpenMode::Command => None,
        };

        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(OpenError::Connect)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;

        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(OpenError::Migrate)?;
        Ok(SqliteStore { pool, _lock: lock })
    }
}

/// Accepts `sqlite://relative/or/abs.db`, `sqlite:path` and a bare path.
fn database_path(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let rest = rest.split('?').next().unwrap_or(rest);
    PathBuf::from(rest)
}

fn take_single_node_lock(path: &Path) -> Result<File, OpenError> {
    let lock_path = path.with_extension("db.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| OpenError::Io {
            path: lock_path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(OpenError::Locked {
            path: path.to_path_buf(),
        }),
        Err(TryLockError::Error(source)) => Err(OpenError::Io {
            path: lock_path,
            source,
        }),
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> recflow_store::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| map_err(e, "database"))
    }
}
