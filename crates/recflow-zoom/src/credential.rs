//! Zoom credentials as the caller holds them, and the hook that persists rotated refresh
//! tokens. Secrets never appear in `Debug` output.

use std::fmt;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

/// The error type a [`RefreshTokenStore`] may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// One Zoom credential: a Server-to-Server app or a user-level OAuth grant.
#[derive(Clone, PartialEq, Eq)]
pub enum ZoomCredential {
    /// `account_credentials` grant; no refresh token, a fresh access token per hour.
    ServerToServer {
        account_id: String,
        client_id: String,
        client_secret: String,
    },
    /// `refresh_token` grant; every refresh returns a new refresh token.
    UserOAuth {
        client_id: String,
        client_secret: String,
        refresh_token: String,
    },
}

impl ZoomCredential {
    /// A digest of what identifies the app (not the refresh token, which rotates), so a cache
    /// notices when the caller swaps the credential behind the same key.
    pub(crate) fn app_fingerprint(&self) -> [u8; 32] {
        let mut hasher = Sha256::new();
        match self {
            Self::ServerToServer {
                account_id,
                client_id,
                client_secret,
            } => {
                for part in ["s2s", account_id, client_id, client_secret] {
                    hasher.update(part.as_bytes());
                    hasher.update([0]);
                }
            }
            Self::UserOAuth {
                client_id,
                client_secret,
                ..
            } => {
                for part in ["user", client_id, client_secret] {
                    hasher.update(part.as_bytes());
                    hasher.update([0]);
                }
            }
        }
        hasher.finalize().into()
    }

    pub(crate) fn client_id(&self) -> &str {
        match self {
            Self::ServerToServer { client_id, .. } | Self::UserOAuth { client_id, .. } => client_id,
        }
    }

    pub(crate) fn client_secret(&self) -> &str {
        match self {
            Self::ServerToServer { client_secret, .. } | Self::UserOAuth { client_secret, .. } => {
                client_secret
            }
        }
    }
}

impl fmt::Debug for ZoomCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ServerToServer {
                account_id,
                client_id,
                ..
            } => f
                .debug_struct("ServerToServer")
                .field("account_id", account_id)
                .field("client_id", client_id)
                .field("client_secret", &"<redacted>")
                .finish(),
            Self::UserOAuth { client_id, .. } => f
                .debug_struct("UserOAuth")
                .field("client_id", client_id)
                .field("client_secret", &"<redacted>")
                .field("refresh_token", &"<redacted>")
                .finish(),
        }
    }
}

/// Persists the refresh token Zoom hands out on every user-OAuth refresh.
///
/// The client calls [`save_rotated`](Self::save_rotated) before it uses the access token that
/// came with the new refresh token, so a crash can never leave only a consumed token on disk.
#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    /// Stores `new_refresh_token` as the current refresh token of `credential_key`.
    ///
    /// # Errors
    ///
    /// Any storage failure; the client then does not use the new access token and reports
    /// [`ZoomError::TokenStore`](crate::ZoomError::TokenStore).
    async fn save_rotated(
        &self,
        credential_key: &str,
        new_refresh_token: &str,
    ) -> Result<(), BoxError>;
}

/// A store for Server-to-Server credentials, which never rotate: saving always fails, so a
/// user-OAuth credential used with it by mistake fails loudly instead of losing its token.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTokenStore;

#[async_trait]
impl RefreshTokenStore for NoTokenStore {
    async fn save_rotated(&self, _credential_key: &str, _new: &str) -> Result<(), BoxError> {
        Err("no refresh token store was given for a user OAuth credential".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_every_secret() {
        let s2s = ZoomCredential::ServerToServer {
            account_id: "acct".into(),
            client_id: "cid".into(),
            client_secret: "very-secret".into(),
        };
        let user = ZoomCredential::UserOAuth {
            client_id: "cid".into(),
            client_secret: "very-secret".into(),
            refresh_token: "refresh-secret".into(),
        };

        let printed = format!("{s2s:?} {user:?}");

        assert!(printed.contains("cid") && printed.contains("acct"));
        assert!(!printed.contains("very-secret") && !printed.contains("refresh-secret"));
    }

    #[test]
    fn fingerprint_ignores_the_rotating_refresh_token() {
        let user = |rt: &str| ZoomCredential::UserOAuth {
            client_id: "cid".into(),
            client_secret: "cs".into(),
            refresh_token: rt.into(),
        };

        assert_eq!(user("a").app_fingerprint(), user("b").app_fingerprint());
    }
}
