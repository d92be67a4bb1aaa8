//! Errors of the Zoom client, classified so the caller's job can decide: retry later, ask a
//! human to fix the credential, or give up. No variant ever carries a token or a secret.

use std::time::Duration;

use crate::credential::BoxError;

/// Everything that can go wrong talking to Zoom.
#[derive(Debug, thiserror::Error)]
pub enum ZoomError {
    /// Zoom refused the credential (bad client, revoked or reused refresh token, missing
    /// scopes). `reason` is Zoom's own text, e.g. "Invalid client_id or client_secret".
    #[error("zoom rejected the credentials: {reason}")]
    InvalidCredentials { reason: String },

    /// Zoom's rate limit was hit and the wait it asked for is longer than the client's limit
    /// (or retries ran out). Retry after `retry_after` when given.
    #[error("zoom rate limit reached")]
    RateLimited { retry_after: Option<Duration> },

    /// Zoom answered with an error status; `code` is Zoom's numeric code when the body had one.
    #[error("zoom answered {status} (code {code:?}): {message}")]
    Upstream {
        status: u16,
        code: Option<i64>,
        message: String,
    },

    /// The request did not complete: connection refused or reset, timeout, broken body.
    #[error("request to zoom {endpoint} failed")]
    Transport {
        endpoint: &'static str,
        #[source]
        source: reqwest::Error,
    },

    /// Zoom answered 2xx with a body this client cannot use.
    #[error("zoom {endpoint} answered with an unusable body: {detail}")]
    InvalidResponse {
        endpoint: &'static str,
        detail: String,
    },

    /// The rotated refresh token could not be saved, so its access token was not used.
    #[error("saving the rotated zoom refresh token failed")]
    TokenStore {
        #[source]
        source: BoxError,
    },
}

impl ZoomError {
    /// Whether the same call may succeed later without anyone changing anything: rate limits,
    /// 5xx, timeouts and lost connections are; rejected credentials and 4xx are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Transport { .. } | Self::TokenStore { .. } => true,
            Self::Upstream { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            Self::InvalidCredentials { .. } | Self::InvalidResponse { .. } => false,
        }
    }

    /// Whether Zoom said the resource does not exist (404, e.g. code 3301 "no recording").
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Upstream { status: 404, .. })
    }

    pub(crate) fn transport(endpoint: &'static str, source: reqwest::Error) -> Self {
        // The URL may carry a page cursor or query; drop it so errors stay short and clean.
        Self::Transport {
            endpoint,
            source: source.without_url(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_and_rate_limits_are_retryable_but_client_errors_are_not() {
        let upstream = |status| ZoomError::Upstream {
            status,
            code: None,
            message: String::new(),
        };

        assert!(upstream(503).is_retryable());
        assert!(ZoomError::RateLimited { retry_after: None }.is_retryable());
        assert!(!upstream(404).is_retryable());
        assert!(!ZoomError::InvalidCredentials { reason: "x".into() }.is_retryable());
    }
}
