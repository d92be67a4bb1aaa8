//! Google's OAuth token endpoint: the `refresh_token` grant (`external-apis.md` §2.1).
//!
//! Google normally returns no new refresh token, so the one the caller holds stays valid and
//! is handed back. Secrets never appear in `Debug` output or errors.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use tracing::{debug, instrument};

use crate::error::{Platform, PublishError};
use crate::http::PublishHttp;

/// A Google access token; `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token the caller already holds.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for an `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// An OAuth client and the refresh token of one connected Google account.
#[derive(Clone, PartialEq, Eq)]
pub struct GoogleCredential {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

impl fmt::Debug for GoogleCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleCredential")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// The result of a refresh.
#[derive(Clone)]
pub struct GoogleToken {
    pub access_token: AccessToken,
    /// Lifetime Google announced (usually 3599 s).
    pub expires_in: Duration,
    /// Space-separated scopes the token carries.
    pub scope: String,
    /// The refresh token to keep: Google's new one if it sent one, else the one presented.
    pub refresh_token: String,
}

impl fmt::Debug for GoogleToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GoogleToken")
            .field("access_token", &self.access_token)
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

/// Google's OAuth host; `POST {base}/token` refreshes.
#[derive(Debug, Clone)]
pub struct GoogleOAuth {
    http: PublishHttp,
    token_url: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Option<u64>,
    #[serde(default)]
    scope: String,
    refresh_token: Option<String>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

impl GoogleOAuth {
    /// Google's production host.
    pub const DEFAULT_BASE_URL: &'static str = "https://oauth2.googleapis.com";

    /// A client of the token endpoint under `base_url` (no trailing slash).
    pub fn new(http: PublishHttp, base_url: impl Into<String>) -> Self {
        let base = base_url.into();
        let token_url = format!("{}/token", base.trim_end_matches('/'));
        Self { http, token_url }
    }

    /// Exchanges the credential's refresh token for a fresh access token.
    ///
    /// # Errors
    ///
    /// [`PublishError::RevokedCredentials`] with Google's description for `invalid_grant`
    /// (revoked, expired, or a "Testing" app's 7-day token), `InvalidCredentials` for a bad
    /// client, a retryable `Upstream`/`Transport` error for 5xx, 429 and lost connections.
    #[instrument(
        skip_all,
        fields(upstream.platform = "youtube", oauth.client_id = %credential.client_id),
        err
    )]
    pub async fn refresh(
        &self,
        credential: &GoogleCredential,
    ) -> Result<GoogleToken, PublishError> {
        let form = [
            ("client_id", credential.client_id.as_str()),
            ("client_secret", credential.client_secret.as_str()),
            ("refresh_token", credential.refresh_token.as_str()),
            ("grant_type", "refresh_token"),
        ];
        let response = self
            .http
            .client()
            .post(&self.token_url)
            .form(&form)
            .timeout(self.http.timeouts().api)
            .send()
            .await
            .map_err(|e| PublishError::transport(Platform::Youtube, "oauth token", e))?;

        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| PublishError::transport(Platform::Youtube, "oauth token", e))?;
        debug!(
            upstream.status = status.as_u16(),
            "google token endpoint answered"
        );
        if status.is_success() {
            return parse_token(&body, &credential.refresh_token);
        }
        Err(classify_error(status.as_u16(), &body))
    }
}

fn parse_token(body: &[u8], presented_refresh_token: &str) -> Result<GoogleToken, PublishError> {
    let parsed: TokenResponse =
        serde_json::from_slice(body).map_err(|error| PublishError::InvalidResponse {
            platform: Platform::Youtube,
            endpoint: "oauth token",
            detail: error.to_string(),
        })?;
    Ok(GoogleToken {
        access_token: AccessToken(parsed.access_token),
        expires_in: Duration::from_secs(parsed.expires_in.unwrap_or(3599)),
        scope: parsed.scope,
        refresh_token: parsed
            .refresh_token
            .unwrap_or_else(|| presented_refresh_token.to_owned()),
    })
}

fn classify_error(status: u16, body: &[u8]) -> PublishError {
    let parsed = serde_json::from_slice::<OAuthError>(body).ok();
    let (error, description) = match parsed {
        Some(e) => (e.error, e.error_description),
        None => (String::new(), String::new()),
    };
    let message = if description.is_empty() {
        error.clone()
    } else {
        description
    };
    match (status, error.as_str()) {
        (_, "invalid_grant") => PublishError::RevokedCredentials {
            platform: Platform::Youtube,
            message,
        },
        (_, "invalid_client" | "unauthorized_client") | (401, _) => {
            PublishError::InvalidCredentials {
                platform: Platform::Youtube,
                message,
            }
        }
        _ => PublishError::Upstream {
            platform: Platform::Youtube,
            endpoint: "oauth token",
            status,
            message,
            retryable: status >= 500 || status == 429 || status == 408,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
        let body = include_bytes!("../../tests/fixtures/youtube-oauth-refresh-response.json");

        let token = parse_token(body, "old-refresh").expect("fixture parses");

        assert_eq!(token.refresh_token, "old-refresh");
        assert_eq!(token.expires_in, Duration::from_secs(3599));
        assert!(token.scope.contains("youtube.upload"));
    }

    #[test]
    fn invalid_grant_is_revoked_credentials_with_googles_description() {
        let body = include_bytes!("../../tests/fixtures/youtube-oauth-error-invalid-grant.json");

        let error = classify_error(400, body);

        assert!(matches!(error, PublishError::RevokedCredentials { .. }));
        assert!(
            error
                .to_string()
                .contains("Token has been expired or revoked.")
        );
        assert!(!error.is_retryable());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let credential = GoogleCredential {
            client_id: "cid".into(),
            client_secret: "very-secret".into(),
            refresh_token: "refresh-secret".into(),
        };
        let token = GoogleToken {
            access_token: AccessToken::new("ya29.secret"),
            expires_in: Duration::from_secs(1),
            scope: String::new(),
            refresh_token: "refresh-secret".into(),
        };

        let printed = format!("{credential:?} {token:?}");

        assert!(printed.contains("cid"));
        for secret in ["very-secret", "refresh-secret", "ya29.secret"] {
            assert!(!printed.contains(secret));
        }
    }
}
