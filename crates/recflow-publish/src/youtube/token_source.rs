//! One cached Google access token per connected account, refreshed shortly before it expires
//! or when YouTube rejects it. Concurrent callers wait for a single refresh instead of each
//! minting their own.

use std::fmt;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;
use tracing::debug;

use super::oauth::{AccessToken, GoogleCredential, GoogleOAuth};
use crate::error::PublishError;

/// Refresh this long before the announced expiry, so a token never dies mid-request.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// Hands out a valid access token for one Google account, refreshing and caching it.
pub struct AccessTokenSource {
    oauth: GoogleOAuth,
    credential: GoogleCredential,
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    token: AccessToken,
    refresh_at: Instant,
}

impl fmt::Debug for AccessTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessTokenSource")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl AccessTokenSource {
    /// A source that refreshes `credential` through `oauth` on first use.
    pub fn new(oauth: GoogleOAuth, credential: GoogleCredential) -> Self {
        Self {
            oauth,
            credential,
            cached: Mutex::new(None),
        }
    }

    /// The cached access token, refreshed first when it is missing or about to expire.
    ///
    /// # Errors
    ///
    /// Whatever [`GoogleOAuth::refresh`] returns.
    pub async fn access_token(&self) -> Result<AccessToken, PublishError> {
        let mut cached = self.cached.lock().await;
        if let Some(current) = cached.as_ref()
            && Instant::now() < current.refresh_at
        {
            return Ok(current.token.clone());
        }
        self.refresh_into(&mut cached).await
    }

    /// Called after YouTube answered 401 to `rejected`: refreshes unless another caller has
    /// already replaced that token, and returns the token to retry with.
    ///
    /// # Errors
    ///
    /// Whatever [`GoogleOAuth::refresh`] returns.
    pub async fn refresh_rejected(
        &self,
        rejected: &AccessToken,
    ) -> Result<AccessToken, PublishError> {
        let mut cached = self.cached.lock().await;
        if let Some(current) = cached.as_ref()
            && current.token != *rejected
            && Instant::now() < current.refresh_at
        {
            return Ok(current.token.clone());
        }
        self.refresh_into(&mut cached).await
    }

    async fn refresh_into(&self, cached: &mut Option<Cached>) -> Result<AccessToken, PublishError> {
        let fresh = self.oauth.refresh(&self.credential).await?;
        debug!(
            upstream.platform = "youtube",
            expires_in = fresh.expires_in.as_secs(),
            "google access token refreshed"
        );
        let lifetime = fresh.expires_in.saturating_sub(EXPIRY_MARGIN);
        *cached = Some(Cached {
            token: fresh.access_token.clone(),
            refresh_at: Instant::now() + lifetime,
        });
        Ok(fresh.access_token)
    }
}
