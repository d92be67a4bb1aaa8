//! The PostgreSQL backend: the cluster deployment, where any number of processes share one
//! database. Correctness under several replicas comes from the SQL itself (unique keys,
//! conditional updates, row locks), never from process-local state.

mod accounts;
mod automation;
mod credentials;
mod error;
mod pipeline;
mod quotas;
mod recordings;
mod sources;
mod templates;
#[cfg(feature = "testing")]
pub mod testing;
mod tokens;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use recflow_store::{Backend, Store};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

pub use error::OpenError;

use crate::error::map_err;

/// A PostgreSQL-backed [`Store`].
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://…`) and applies the embedded migrations. Replicas may
    /// start together: sqlx serialises migrations with an advisory lock.
    ///
    /// # Errors
    /// `OpenError::Connect` when the server cannot be reached or refuses the login;
    /// `OpenError::Migrate` when the schema cannot be upgraded.
    pub async fn open(url: &str) -> Result<Self, OpenError> {
        let options = PgConnectOptions::from_str(url).map_err(OpenError::Connect)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(OpenError::Connect)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(OpenError::Migrate)?;
        Ok(PostgresStore { pool })
    }
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn ping(&self) -> recflow_store::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| map_err(e, "database"))
    }
}
