//! Opening a stored Zoom credential for the Zoom client, and sealing what Zoom hands back:
//! the refresh token that rotates on every user-OAuth refresh (re-sealed into the credential
//! in one atomic write) and a webhook's download token (sealed into the recording's meta).
//!
//! Secrets exist in the clear only in memory here; nothing in this module logs or prints one.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use recflow_store::{Credential, InputSource, Store};
use recflow_zoom::{BoxError, RefreshTokenStore, ZoomCredential};
use serde_json::json;
use uuid::Uuid;

use crate::credentials::{self, CredentialKind, OauthSecrets, ZoomS2sSecrets};
use crate::secrets::{Binding, SecretBox};
use crate::state::AppState;

/// Why a stored credential cannot be used with Zoom.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(
        "this installation has no secret key (RECFLOW_SECRET_KEY), so stored credentials \
         cannot be read"
    )]
    NoKey,
    #[error("a {kind} credential cannot be used with zoom; use zoom_s2s or zoom_oauth")]
    WrongKind { kind: String },
    #[error("the stored credential cannot be read with this installation's secret key")]
    Unreadable,
    #[error(transparent)]
    Store(#[from] recflow_store::Error),
}

/// What the Zoom client needs to act with one stored credential.
pub struct ZoomAccess {
    /// The client's token cache key: the credential id.
    pub cache_key: String,
    pub credential: ZoomCredential,
    /// Where rotated refresh tokens go.
    pub tokens: SealedRefreshTokens,
}

/// Saves a rotated refresh token by re-sealing the credential's secrets with it.
pub struct SealedRefreshTokens {
    store: Arc<dyn Store>,
    key: Arc<SecretBox>,
    credential: Credential,
}

/// Loads the credential `credential_id` of `owner` and opens it for Zoom.
///
/// # Errors
/// [`AccessError`]: a missing or another account's credential is `Store(NotFound)`.
pub async fn open(
    state: &AppState,
    owner: Uuid,
    credential_id: Uuid,
) -> Result<ZoomAccess, AccessError> {
    let stored = state.store.get_credential(owner, credential_id).await?;
    from_stored(state, stored)
}

/// Opens an already loaded credential for Zoom.
///
/// # Errors
/// [`AccessError`] when there is no key, the kind is not Zoom's or the secret does not open.
pub fn from_stored(state: &AppState, stored: Credential) -> Result<ZoomAccess, AccessError> {
    let key = state.secrets.clone().ok_or(AccessError::NoKey)?;
    let secrets = credentials::open(&key, &stored).map_err(|_| AccessError::Unreadable)?;
    let credential = match CredentialKind::parse(&stored.kind) {
        Some(CredentialKind::ZoomS2s) => {
            let s: ZoomS2sSecrets =
                credentials::typed(&secrets).map_err(|_| AccessError::Unreadable)?;
            ZoomCredential::ServerToServer {
                account_id: s.account_id,
                client_id: s.client_id,
                client_secret: s.client_secret,
            }
        }
        Some(CredentialKind::ZoomOauth) => {
            let s: OauthSecrets =
                credentials::typed(&secrets).map_err(|_| AccessError::Unreadable)?;
            ZoomCredential::UserOAuth {
                client_id: s.client_id,
                client_secret: s.client_secret,
                refresh_token: s.refresh_token,
            }
        }
        _ => {
            return Err(AccessError::WrongKind {
                kind: stored.kind.clone(),
            });
        }
    };
    Ok(ZoomAccess {
        cache_key: stored.id.to_string(),
        credential,
        tokens: SealedRefreshTokens {
            store: state.store.clone(),
            key,
            credential: stored,
        },
    })
}

#[async_trait]
impl RefreshTokenStore for SealedRefreshTokens {
    async fn save_rotated(
        &self,
        _cache_key: &str,
        new_refresh_token: &str,
    ) -> Result<(), BoxError> {
        let current = credentials::open(&self.key, &self.credential)?;
        let mut secrets: OauthSecrets = credentials::typed(&current)
            .map_err(|e| format!("stored zoom_oauth secrets lack {}", e.field))?;
        secrets.refresh_token = new_refresh_token.to_owned();

        let sealed = credentials::seal(
            &self.key,
            self.credential.user_id,
            self.credential.id,
            &json!(secrets),
        );
        self.store
            .update_credential_secret(self.credential.user_id, self.credential.id, &sealed)
            .await?;
        Ok(())
    }
}

impl fmt::Debug for SealedRefreshTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedRefreshTokens")
            .field("credential", &self.credential.id)
            .finish_non_exhaustive()
    }
}

fn download_token_binding(source: &InputSource) -> Binding<'static> {
    Binding {
        purpose: "download_token",
        owner: source.user_id,
        record: source.id,
    }
}

/// A webhook's download token sealed for `source`, as standard base64 for `source_meta`.
pub fn seal_download_token(key: &SecretBox, source: &InputSource, token: &str) -> String {
    STANDARD.encode(key.seal(download_token_binding(source), token.as_bytes()))
}

/// The download token [`seal_download_token`] sealed, or `None` when `sealed` is not one of
/// `source`'s (damaged, another source's, another key's).
pub fn open_download_token(key: &SecretBox, source: &InputSource, sealed: &str) -> Option<String> {
    let bytes = STANDARD.decode(sealed).ok()?;
    let plain = key.open(download_token_binding(source), &bytes).ok()?;
    String::from_utf8(plain).ok()
}
