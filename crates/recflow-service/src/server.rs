//! `recflow serve`: opens the database, creates the first admin, and runs the chosen roles side
//! by side until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use recflow_store::Store;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::automation::{scheduler, worker};
use crate::bootstrap;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::database;
use crate::roles::Role;
use crate::secrets::SecretBox;
use crate::state::AppState;
use crate::telemetry;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Database(#[from] database::Error),
    #[error("cannot create the first admin account")]
    Bootstrap(#[from] bootstrap::Error),
    #[error(transparent)]
    Key(#[from] crate::secrets::KeyError),
    #[error(
        "the database holds encrypted credentials but no secret key is available; set \
         RECFLOW_SECRET_KEY to the key they were stored with"
    )]
    MissingKey,
    #[error("cannot listen on {addr}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A started server.
pub struct Server {
    /// Where the API listens (useful with port 0).
    pub addr: Option<SocketAddr>,
    pub store: Arc<dyn Store>,
    /// The state every role of this process shares.
    pub state: AppState,
    /// The first admin, when this start created it.
    pub initial_admin: Option<bootstrap::InitialAdmin>,
    tasks: JoinSet<(Role, std::io::Result<()>)>,
}

impl Server {
    /// Opens the database and starts `roles`; they stop when `shutdown` is cancelled.
    ///
    /// # Errors
    /// When the database cannot be opened (or is held by another SQLite server), the first admin
    /// cannot be created, or the address cannot be bound.
    pub async fn start(
        config: Config,
        roles: &[Role],
        shutdown: CancellationToken,
    ) -> Result<Self, Error> {
        Self::start_with_clock(config, roles, shutdown, Arc::new(SystemClock)).await
    }

    /// [`Server::start`] with a chosen clock (tests drive time by hand).
    ///
    /// # Errors
    /// As [`Server::start`].
    pub async fn start_with_clock(
        config: Config,
        roles: &[Role],
        shutdown: CancellationToken,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        let store = database::open(&config.database_url(), database::Mode::Server).await?;
        let initial_admin =
            bootstrap::ensure_initial_admin(store.as_ref(), &config.admin_email, &config.data_dir)
                .await?;
        let secrets = load_secret_key(&config, store.as_ref()).await?;
        for root in [config.sources_root(), config.outputs_root()] {
            // Best effort: a missing root only matters once a folder source or preset uses it,
            // and then the API names the problem.
            if let Err(error) = std::fs::create_dir_all(&root) {
                tracing::warn!(path = %root.display(), error = %error, "cannot create a local root");
            }
        }
        let listen = config.listen;
        let state = AppState::new(
            Arc::clone(&store),
            config,
            telemetry::metrics_handle(),
            secrets,
            clock,
        );

        let mut tasks = JoinSet::new();
        let mut addr = None;
        if roles.contains(&Role::Api) {
            let listener = TcpListener::bind(listen)
                .await
                .map_err(|source| Error::Bind {
                    addr: listen,
                    source,
                })?;
            addr = listener.local_addr().ok();
            let app = crate::api::router(state.clone());
            let shutdown = shutdown.clone();
            tasks.spawn(async move {
                let result = axum::serve(listener, app)
                    .with_graceful_shutdown(async move { shutdown.cancelled().await })
                    .await;
                (Role::Api, result)
            });
        }
        if roles.contains(&Role::Scheduler) {
            let (state, shutdown) = (state.clone(), shutdown.clone());
            tasks.spawn(async move {
                scheduler::run_role(state, shutdown).await;
                (Role::Scheduler, Ok(()))
            });
        }
        if roles.contains(&Role::Worker) {
            let (state, shutdown) = (state.clone(), shutdown.clone());
            tasks.spawn(async move {
                worker::run_role(state, shutdown).await;
                (Role::Worker, Ok(()))
            });
        }
        Ok(Server {
            addr,
            store,
            state,
            initial_admin,
            tasks,
        })
    }

    /// Waits until every role has stopped, logging which stopped and why. A role that stops on
    /// its own makes the others stop too.
    pub async fn wait(mut self, shutdown: CancellationToken) {
        while let Some(joined) = self.tasks.join_next().await {
            match joined {
                Ok((role, Ok(()))) => tracing::info!(role = %role, "role stopped"),
                Ok((role, Err(error))) => {
                    tracing::error!(role = %role, error = %error, "role failed")
                }
                Err(error) => tracing::error!(error = %error, "role panicked"),
            }
            shutdown.cancel();
        }
    }
}

/// How long running work gets to finish after SIGTERM before the process exits anyway.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The credential key: from the configuration, or in embedded (SQLite) mode from
/// `<data-dir>/secret-key`, generated on first use. A generated key is never made when
/// encrypted rows exist already, since it could not open them.
async fn load_secret_key(
    config: &Config,
    store: &dyn Store,
) -> Result<Option<Arc<SecretBox>>, Error> {
    let encrypted = store
        .count_encrypted()
        .await
        .map_err(bootstrap::Error::from)?;
    let key = match &config.secret_key {
        Some(key) => Some(SecretBox::from_base64(key.expose())?),
        None if store.backend() == recflow_store::Backend::Sqlite => {
            SecretBox::from_file(&config.data_dir.join("secret-key"), encrypted == 0)?
        }
        None => None,
    };
    if key.is_none() && encrypted > 0 {
        return Err(Error::MissingKey);
    }
    Ok(key.map(Arc::new))
}
