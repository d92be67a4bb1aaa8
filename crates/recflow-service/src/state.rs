//! What every request handler can reach.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use recflow_store::Store;

use crate::config::Config;
use crate::login_limiter::LoginLimiter;
use crate::secrets::SecretBox;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub login_limiter: Arc<LoginLimiter>,
    pub metrics: PrometheusHandle,
    /// `None` when no key is configured (cluster mode without `secret_key`): credentials
    /// cannot be stored then.
    pub secrets: Option<Arc<SecretBox>>,
}

impl AppState {
    /// Builds the state for one API process.
    pub fn new(
        store: Arc<dyn Store>,
        config: Config,
        metrics: PrometheusHandle,
        secrets: Option<Arc<SecretBox>>,
    ) -> Self {
        let login_limiter = LoginLimiter::new(
            config.login_max_failures,
            std::time::Duration::from_secs(config.login_window_seconds),
        );
        AppState {
            store,
            config: Arc::new(config),
            login_limiter: Arc::new(login_limiter),
            metrics,
            secrets,
        }
    }
}
