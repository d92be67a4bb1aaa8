//! What every request handler can reach.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use recflow_store::Store;

use crate::clock::Clock;
use crate::config::Config;
use crate::login_limiter::LoginLimiter;
use crate::secrets::SecretBox;
use crate::token_cache::TokenCache;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub login_limiter: Arc<LoginLimiter>,
    pub tokens: TokenCache,
    pub metrics: PrometheusHandle,
    /// `None` when no key is configured (cluster mode without `secret_key`): credentials
    /// cannot be stored then.
    pub secrets: Option<Arc<SecretBox>>,
    /// "Now" for everything time-based (tests drive it by hand).
    pub clock: Arc<dyn Clock>,
    /// Zoom API client; its token cache is shared by every request and run of this process.
    pub zoom: recflow_zoom::ZoomClient,
}

impl AppState {
    /// Builds the state for one API process.
    pub fn new(
        store: Arc<dyn Store>,
        config: Config,
        metrics: PrometheusHandle,
        secrets: Option<Arc<SecretBox>>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let login_limiter = LoginLimiter::new(
            config.login_max_failures,
            std::time::Duration::from_secs(config.login_window_seconds),
        );
        let tokens = TokenCache::new(std::time::Duration::from_secs(config.token_cache_seconds));
        AppState {
            store,
            login_limiter: Arc::new(login_limiter),
            tokens,
            metrics,
            zoom: recflow_zoom::ZoomClient::new(
                upstream_http_client(),
                recflow_zoom::ZoomConfig {
                    oauth_url: config.zoom_oauth_url.clone(),
                    api_url: config.zoom_api_url.clone(),
                },
            ),
            config: Arc::new(config),
            secrets,
            clock,
        }
    }
}

/// The one HTTP client for calls leaving the process: every call has a connect and a total
/// timeout.
pub fn upstream_http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(60))
        .user_agent(concat!("recflow/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}
