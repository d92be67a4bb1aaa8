//! The Zoom REST client: one value shared by every caller, holding the HTTP client, the base
//! URLs, the retry policy and the token cache. Public operations are read-only; nothing here
//! creates, changes or deletes anything at Zoom.

mod listing;
mod send;
mod token;

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderValue, USER_AGENT};
use serde::de::DeserializeOwned;
use tracing::{debug, instrument};

use crate::config::{RetryPolicy, ZoomConfig};
use crate::credential::{RefreshTokenStore, ZoomCredential};
use crate::error::ZoomError;
use crate::model::{Meeting, WireMeeting};
use crate::uuid_path::encode_uuid_path;
use send::read_zoom_error;
use token::TokenCache;

/// Talks to Zoom's OAuth host and REST API. Cheap to clone; clones share the token cache.
#[derive(Clone)]
pub struct ZoomClient {
    http: reqwest::Client,
    config: ZoomConfig,
    policy: RetryPolicy,
    tokens: Arc<TokenCache>,
}

/// The credential one call runs under: the cache key, the secrets, and where rotated refresh
/// tokens go.
pub(crate) struct Auth<'a> {
    key: &'a str,
    credential: &'a ZoomCredential,
    store: &'a dyn RefreshTokenStore,
}

impl ZoomClient {
    /// A client using `http` and `config`. `http` should carry connect timeouts and, to reach
    /// the real `https://zoom.us`, a TLS feature of reqwest (this crate enables none, so tests
    /// against local fakes build without one); every request also gets the policy's timeout.
    pub fn new(http: reqwest::Client, config: ZoomConfig) -> Self {
        let config = ZoomConfig {
            oauth_url: config.oauth_url.trim_end_matches('/').to_owned(),
            api_url: config.api_url.trim_end_matches('/').to_owned(),
        };
        Self {
            http,
            config,
            policy: RetryPolicy::default(),
            tokens: Arc::default(),
        }
    }

    /// Replaces the default retry policy (4 attempts, 500 ms base, 60 s longest wait).
    #[must_use]
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Every meeting with a cloud recording that `user_id` (`me` for user OAuth, or a user id
    /// or email for Server-to-Server) started between `from` and `to`, both inclusive, in UTC.
    ///
    /// The range is split into windows of at most one month, each with both dates,
    /// `page_size=300` and every page followed. A rejected page cursor restarts its window
    /// once. Meetings are deduplicated by uuid, files by id, and returned oldest first.
    /// A `from` after `to` lists nothing and sends no request.
    ///
    /// # Errors
    ///
    /// [`ZoomError::InvalidCredentials`] when Zoom refuses the credential,
    /// [`ZoomError::RateLimited`] when Zoom asks for a longer wait than the policy allows, and
    /// the other variants for failures that outlived the retries.
    #[instrument(skip_all, fields(upstream.platform = "zoom", zoom.credential_key = credential_key, %from, %to), err)]
    pub async fn list_recordings(
        &self,
        credential_key: &str,
        credential: &ZoomCredential,
        tokens: &dyn RefreshTokenStore,
        user_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Meeting>, ZoomError> {
        let auth = Auth {
            key: credential_key,
            credential,
            store: tokens,
        };
        self.list_range(&auth, user_id, from, to, listing::MAX_PAGE_SIZE)
            .await
    }

    /// The recording of one meeting instance, by uuid (double-encoded in the path) or by
    /// numeric meeting id (which gives only the latest instance).
    ///
    /// # Errors
    ///
    /// As [`list_recordings`](Self::list_recordings); an unknown meeting is
    /// [`ZoomError::Upstream`] with status 404 (code 3301), see [`ZoomError::is_not_found`].
    #[instrument(skip_all, fields(upstream.platform = "zoom", zoom.credential_key = credential_key), err)]
    pub async fn get_meeting_recordings(
        &self,
        credential_key: &str,
        credential: &ZoomCredential,
        tokens: &dyn RefreshTokenStore,
        meeting_uuid: &str,
    ) -> Result<Meeting, ZoomError> {
        // TODO: ask for `include_fields=download_access_token` once the download pipeline
        // needs a per-meeting download token.
        let auth = Auth {
            key: credential_key,
            credential,
            store: tokens,
        };
        let url = format!(
            "{}/meetings/{}/recordings",
            self.config.api_url,
            encode_uuid_path(meeting_uuid)
        );
        let wire: WireMeeting = self
            .get_authorized(&auth, "meetings/recordings", &url, &[])
            .await?;
        wire.into_meeting()
            .map_err(|detail| ZoomError::InvalidResponse {
                endpoint: "meetings/recordings",
                detail: detail.to_owned(),
            })
    }

    /// Checks a credential without side effects at Zoom: gets a token and lists today for
    /// `user_id` with a page of one. For user OAuth the refresh token rotates (and is saved).
    ///
    /// # Errors
    ///
    /// [`ZoomError::InvalidCredentials`] with Zoom's reason when the credential is refused,
    /// or any other [`ZoomError`] when Zoom could not be asked.
    #[instrument(skip_all, fields(upstream.platform = "zoom", zoom.credential_key = credential_key), err)]
    pub async fn test_credentials(
        &self,
        credential_key: &str,
        credential: &ZoomCredential,
        tokens: &dyn RefreshTokenStore,
        user_id: &str,
    ) -> Result<(), ZoomError> {
        let auth = Auth {
            key: credential_key,
            credential,
            store: tokens,
        };
        let today = Utc::now().date_naive();
        self.list_range(&auth, user_id, today, today, 1).await?;
        Ok(())
    }

    /// A bearer token for downloading this credential's recording files (from the shared
    /// cache, fetched when missing or about to expire).
    ///
    /// # Errors
    ///
    /// [`ZoomError::InvalidCredentials`] when Zoom refuses the credential, or any other
    /// [`ZoomError`] when the token endpoint could not be asked.
    pub async fn download_token(
        &self,
        credential_key: &str,
        credential: &ZoomCredential,
        tokens: &dyn RefreshTokenStore,
    ) -> Result<String, ZoomError> {
        let auth = Auth {
            key: credential_key,
            credential,
            store: tokens,
        };
        self.access_token(&auth).await
    }

    /// Drops the cached token of `credential_key`, e.g. when the credential was deleted.
    pub fn forget_credential(&self, credential_key: &str) {
        self.tokens.forget(credential_key);
    }

    /// GETs `url` with a bearer token and parses the JSON answer; on 401 fetches a new token
    /// once and retries once.
    async fn get_authorized<T: DeserializeOwned>(
        &self,
        auth: &Auth<'_>,
        endpoint: &'static str,
        url: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ZoomError> {
        let token = self.access_token(auth).await?;
        let mut response = self
            .send(endpoint, || self.authorized_get(url, query, &token))
            .await?;

        if response.status() == StatusCode::UNAUTHORIZED {
            let rejection = read_zoom_error(response).await;
            debug!(endpoint, zoom.code = ?rejection.code, "zoom refused the access token, refreshing");
            let fresh = self.replace_rejected(auth, &token).await?;
            response = self
                .send(endpoint, || self.authorized_get(url, query, &fresh))
                .await?;
            if response.status() == StatusCode::UNAUTHORIZED {
                let error = read_zoom_error(response).await;
                return Err(ZoomError::InvalidCredentials {
                    reason: error.message,
                });
            }
        }

        let status = response.status();
        if !status.is_success() {
            return Err(read_zoom_error(response).await.into_upstream(status));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| ZoomError::transport(endpoint, e))?;
        serde_json::from_slice(&body).map_err(|e| ZoomError::InvalidResponse {
            endpoint,
            detail: e.to_string(),
        })
    }

    fn authorized_get(
        &self,
        url: &str,
        query: &[(&str, &str)],
        token: &str,
    ) -> reqwest::RequestBuilder {
        // Tokens only ever travel in the Authorization header, never in the URL.
        self.http.get(url).query(query).bearer_auth(token).header(
            USER_AGENT,
            HeaderValue::from_static(concat!("recflow/", env!("CARGO_PKG_VERSION"))),
        )
    }
}
