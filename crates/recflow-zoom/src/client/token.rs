//! Access tokens per credential key: cached until fewer than 60 s remain, fetched by one
//! caller at a time per key (concurrent callers wait for that fetch instead of minting their
//! own), and, for user OAuth, rotated refresh tokens saved before their access token is used.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::time::Instant;
use tracing::{debug, info};

use super::{Auth, ZoomClient, send::read_zoom_error};
use crate::credential::ZoomCredential;
use crate::error::ZoomError;

/// Zoom's own clients refresh once fewer than this many seconds remain.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

const ENDPOINT: &str = "oauth/token";

/// Cached tokens of every credential key this client has used.
#[derive(Default)]
pub(crate) struct TokenCache {
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
}

/// What is known about one credential key. Holding its lock means "I am the one fetching".
#[derive(Default)]
struct Slot {
    app_fingerprint: [u8; 32],
    access: Option<AccessToken>,
    /// The newest refresh token Zoom handed out (user OAuth only).
    refresh_token: Option<String>,
    /// Digests of refresh tokens already exchanged, so a caller still holding one of them
    /// gets the newest token used instead of a rejected replay.
    superseded: HashSet<[u8; 32]>,
}

struct AccessToken {
    value: String,
    expires_at: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: f64,
    #[serde(default)]
    refresh_token: Option<String>,
}

impl TokenCache {
    fn slot(&self, key: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.entry(key.to_owned()).or_default().clone()
    }

    pub(crate) fn forget(&self, key: &str) {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
    }
}

impl ZoomClient {
    /// A usable access token for `auth`, from the cache or freshly fetched.
    pub(super) async fn access_token(&self, auth: &Auth<'_>) -> Result<String, ZoomError> {
        let slot = self.tokens.slot(auth.key);
        let mut slot = slot.lock().await;
        slot.reset_if_app_changed(auth.credential);

        if let Some(access) = slot.access.as_ref().filter(|a| a.is_fresh()) {
            return Ok(access.value.clone());
        }
        self.fetch_into(&mut slot, auth).await
    }

    /// A new access token after Zoom rejected `rejected` with 401. If another caller already
    /// replaced it, that replacement is returned instead of fetching again.
    pub(super) async fn replace_rejected(
        &self,
        auth: &Auth<'_>,
        rejected: &str,
    ) -> Result<String, ZoomError> {
        let slot = self.tokens.slot(auth.key);
        let mut slot = slot.lock().await;
        slot.reset_if_app_changed(auth.credential);

        if let Some(access) = slot
            .access
            .as_ref()
            .filter(|a| a.value != rejected && a.is_fresh())
        {
            return Ok(access.value.clone());
        }
        slot.access = None;
        self.fetch_into(&mut slot, auth).await
    }

    async fn fetch_into(&self, slot: &mut Slot, auth: &Auth<'_>) -> Result<String, ZoomError> {
        let requested_at = Instant::now();
        let used_refresh_token = slot.refresh_token_for(auth.credential);
        let form = grant_form(auth.credential, used_refresh_token.as_deref());
        let response = self.request_token(auth.credential, &form).await?;
        let expires_at = requested_at + Duration::from_secs_f64(response.expires_in.max(0.0));

        if let Some(used) = used_refresh_token {
            let rotated = response
                .refresh_token
                .filter(|t| !t.is_empty())
                .ok_or_else(|| ZoomError::InvalidResponse {
                    endpoint: ENDPOINT,
                    detail: "no refresh_token".into(),
                })?;
            if rotated != used {
                // Remember the new token first: Zoom already consumed the old one, so even if
                // saving fails this process can still refresh (and save) next time.
                slot.superseded.insert(digest(&used));
                slot.refresh_token = Some(rotated.clone());
                auth.store
                    .save_rotated(auth.key, &rotated)
                    .await
                    .map_err(|source| ZoomError::TokenStore { source })?;
                info!(
                    zoom.credential_key = auth.key,
                    "zoom refresh token rotated and saved"
                );
            }
        }

        slot.access = Some(AccessToken {
            value: response.access_token.clone(),
            expires_at,
        });
        debug!(zoom.credential_key = auth.key, "zoom access token fetched");
        Ok(response.access_token)
    }

    async fn request_token(
        &self,
        credential: &ZoomCredential,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, ZoomError> {
        let url = format!("{}/oauth/token", self.config.oauth_url);
        // TODO: a refresh whose answer is lost (timeout after Zoom consumed the refresh token)
        // is retried with the consumed token and then fails as InvalidCredentials; the user
        // must re-authorise. Zoom offers no way to recover the rotated token.
        let response = self
            .send(ENDPOINT, || {
                self.http
                    .post(&url)
                    .basic_auth(credential.client_id(), Some(credential.client_secret()))
                    .form(form)
            })
            .await?;

        let status = response.status();
        if !status.is_success() {
            let error = read_zoom_error(response).await;
            return Err(match (status, error) {
                (StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED, error) => {
                    ZoomError::InvalidCredentials {
                        reason: error.message,
                    }
                }
                (status, error) => error.into_upstream(status),
            });
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| ZoomError::transport(ENDPOINT, e))?;
        // serde's message could quote a token, so only a fixed text goes into the error.
        serde_json::from_slice(&body).map_err(|_| ZoomError::InvalidResponse {
            endpoint: ENDPOINT,
            detail: "token response lacks access_token or expires_in".into(),
        })
    }
}

impl Slot {
    fn reset_if_app_changed(&mut self, credential: &ZoomCredential) {
        let fingerprint = credential.app_fingerprint();
        if self.app_fingerprint != fingerprint {
            *self = Slot {
                app_fingerprint: fingerprint,
                ..Slot::default()
            };
        }
    }

    /// The refresh token to exchange: the newest one this process got, unless the caller
    /// hands in a token it has never seen (a re-authorisation), which then wins.
    fn refresh_token_for(&mut self, credential: &ZoomCredential) -> Option<String> {
        let ZoomCredential::UserOAuth { refresh_token, .. } = credential else {
            return None;
        };
        match &self.refresh_token {
            Some(newest)
                if newest == refresh_token || self.superseded.contains(&digest(refresh_token)) =>
            {
                Some(newest.clone())
            }
            _ => {
                self.superseded.clear();
                self.refresh_token = Some(refresh_token.clone());
                Some(refresh_token.clone())
            }
        }
    }
}

impl AccessToken {
    fn is_fresh(&self) -> bool {
        self.expires_at.saturating_duration_since(Instant::now()) > REFRESH_MARGIN
    }
}

fn grant_form<'a>(
    credential: &'a ZoomCredential,
    refresh_token: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    match (credential, refresh_token) {
        (ZoomCredential::ServerToServer { account_id, .. }, _) => {
            vec![
                ("grant_type", "account_credentials"),
                ("account_id", account_id),
            ]
        }
        (ZoomCredential::UserOAuth { refresh_token, .. }, newest) => vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", newest.unwrap_or(refresh_token)),
        ],
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_expiring_in(seconds: u64) -> AccessToken {
        AccessToken {
            value: "t".into(),
            expires_at: Instant::now() + Duration::from_secs(seconds),
        }
    }

    #[test]
    fn a_token_is_reused_only_while_more_than_a_minute_remains() {
        assert!(token_expiring_in(120).is_fresh());
        assert!(!token_expiring_in(59).is_fresh());
    }

    #[test]
    fn a_refresh_token_never_seen_before_replaces_the_rotated_one() {
        let credential = |rt: &str| ZoomCredential::UserOAuth {
            client_id: "c".into(),
            client_secret: "s".into(),
            refresh_token: rt.into(),
        };
        let mut slot = Slot {
            refresh_token: Some("rotated".into()),
            ..Slot::default()
        };
        slot.superseded.insert(digest("original"));

        assert_eq!(
            slot.refresh_token_for(&credential("original")).as_deref(),
            Some("rotated")
        );
        assert_eq!(
            slot.refresh_token_for(&credential("reauthorised"))
                .as_deref(),
            Some("reauthorised")
        );
        assert!(slot.superseded.is_empty());
    }
}
