//! The one error type of every publishing client. Failures are classified where they happen:
//! [`PublishError::is_retryable`] tells the caller's job whether the same call may succeed later
//! without anyone changing anything. No variant carries a token, a secret or a session URI.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// The error type an [`UploadSessionStore`](crate::UploadSessionStore) may return.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where a failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// YouTube and Google's OAuth host.
    Youtube,
    /// The VK API and VK's upload host.
    Vk,
    /// A local output folder.
    Folder,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Youtube => "youtube",
            Self::Vk => "vk",
            Self::Folder => "folder",
        })
    }
}

/// Which captcha VK asked for (error 14). Neither can be solved by an unattended service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptchaKind {
    /// The classic image captcha (`captcha_sid`, `captcha_img`).
    Image { sid: String },
    /// The newer VK ID "not a robot" challenge (`redirect_uri`).
    Redirect,
}

impl fmt::Display for CaptchaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Image { .. } => f.write_str("image captcha"),
            Self::Redirect => f.write_str("VK ID not-a-robot challenge"),
        }
    }
}

/// Everything that can go wrong publishing a recording.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The refresh token or access token was revoked or expired (Google `invalid_grant`, VK
    /// error 5): a human must reconnect the account.
    #[error("{platform} credentials were revoked or have expired: {message}")]
    RevokedCredentials { platform: Platform, message: String },

    /// The platform refused the credentials even after a refresh (bad client, wrong scopes).
    #[error("{platform} rejected the credentials: {message}")]
    InvalidCredentials { platform: Platform, message: String },

    /// YouTube's daily API quota is used up (403 `quotaExceeded`).
    // TODO: neither quota variant says when to try again; the job has to work out the next
    // midnight Pacific time (quota) or now + 24 h (upload limit) itself.
    #[error("youtube API quota exceeded")]
    QuotaExceeded { message: String },

    /// The channel reached its 24-hour upload cap (400 `uploadLimitExceeded`).
    #[error("youtube upload limit for this channel reached")]
    UploadLimitExceeded { message: String },

    /// A rate limit that retrying later clears (429, `rateLimitExceeded`, VK 6, 9 and 29).
    #[error("{platform} rate limit reached: {message}")]
    RateLimited { platform: Platform, message: String },

    /// The platform is not ready for this step yet (YouTube `failedPrecondition` on a playlist
    /// insert while the video is still processing); retry later.
    #[error("{platform} is not ready for this yet: {message}")]
    NotReady { platform: Platform, message: String },

    /// VK asks for a captcha (error 14); the caller pauses the target and alerts a human.
    #[error("vk asks for a captcha ({kind})")]
    CaptchaRequired { kind: CaptchaKind },

    /// The account may not do this (VK 7, 15, 200, 203, 204; YouTube `forbidden`).
    #[error("{platform} denied access: {message}")]
    AccessDenied {
        platform: Platform,
        code: Option<i64>,
        message: String,
    },

    /// An HTTP error status not covered above; `retryable` for 5xx and similar.
    #[error("{platform} {endpoint} answered {status}: {message}")]
    Upstream {
        platform: Platform,
        endpoint: &'static str,
        status: u16,
        message: String,
        retryable: bool,
    },

    /// A VK API error (HTTP 200 with an `error` envelope) not covered above.
    #[error("vk {method} failed with error {code}: {message}")]
    VkApi {
        method: &'static str,
        code: i64,
        message: String,
        retryable: bool,
    },

    /// The request did not complete: connection refused or reset, timeout, broken body.
    #[error("request to {platform} {endpoint} failed")]
    Transport {
        platform: Platform,
        endpoint: &'static str,
        #[source]
        source: reqwest::Error,
    },

    /// The platform answered success with a body this client cannot use.
    #[error("{platform} {endpoint} answered with an unusable body: {detail}")]
    InvalidResponse {
        platform: Platform,
        endpoint: &'static str,
        detail: String,
    },

    /// The caller's [`UploadSessionStore`](crate::UploadSessionStore) failed.
    #[error("the upload session store failed to {action}")]
    SessionStore {
        action: &'static str,
        #[source]
        source: BoxError,
    },

    /// Reading the source file or writing the target failed.
    #[error("could not {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The request can never succeed as given (bad configuration, empty file, a target path
    /// outside the root).
    #[error("invalid publish request: {message}")]
    InvalidInput { message: String },
}

impl PublishError {
    /// Wraps a failure of the caller's session store while it tried to `action`.
    pub(crate) fn session_store(action: &'static str) -> impl FnOnce(BoxError) -> PublishError {
        move |source| PublishError::SessionStore { action, source }
    }

    /// Whether the same call may succeed later without anyone changing anything: rate limits,
    /// 5xx, timeouts, lost connections and "not ready yet" are; revoked credentials, quotas,
    /// captchas, access denials and other 4xx are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. }
            | Self::NotReady { .. }
            | Self::Transport { .. }
            | Self::SessionStore { .. } => true,
            Self::Upstream { retryable, .. } | Self::VkApi { retryable, .. } => *retryable,
            Self::Io { source, .. } => matches!(
                source.kind(),
                io::ErrorKind::Interrupted | io::ErrorKind::TimedOut | io::ErrorKind::StorageFull
            ),
            Self::RevokedCredentials { .. }
            | Self::InvalidCredentials { .. }
            | Self::QuotaExceeded { .. }
            | Self::UploadLimitExceeded { .. }
            | Self::CaptchaRequired { .. }
            | Self::AccessDenied { .. }
            | Self::InvalidResponse { .. }
            | Self::InvalidInput { .. } => false,
        }
    }

    /// A sentence for the target's `error` field and the UI: what happened and what helps.
    /// It never contains a token, a secret or a session URI.
    pub fn reason(&self) -> String {
        match self {
            Self::RevokedCredentials { platform, message } => format!(
                "{platform} credentials were revoked or have expired ({message}); \
                 reconnect the account"
            ),
            Self::QuotaExceeded { message } => format!(
                "YouTube API quota exceeded ({message}); uploads can resume after the daily quota \
                 resets at midnight Pacific time"
            ),
            Self::UploadLimitExceeded { message } => format!(
                "YouTube upload limit reached ({message}); the channel may upload again \
                 within 24 hours"
            ),
            Self::CaptchaRequired { kind } => format!(
                "VK asks for a captcha ({kind}); a human must pass it in VK before this target \
                 is resumed"
            ),
            Self::Transport { source, .. } => format!("{self}: {source}"),
            Self::Io { source, .. } => format!("{self}: {source}"),
            Self::SessionStore { source, .. } => format!("{self}: {source}"),
            _ => self.to_string(),
        }
    }

    pub(crate) fn transport(
        platform: Platform,
        endpoint: &'static str,
        source: reqwest::Error,
    ) -> Self {
        // Session URIs and VK upload URLs are capabilities: keep them out of errors.
        Self::Transport {
            platform,
            endpoint,
            source: source.without_url(),
        }
    }

    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: io::Error) -> Self {
        Self::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }

    pub(crate) fn invalid_input(message: impl Into<String>) -> Self {
        Self::InvalidInput {
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_and_server_errors_are_retryable_but_quotas_and_captchas_are_not() {
        let upstream = |status, retryable| PublishError::Upstream {
            platform: Platform::Youtube,
            endpoint: "videos.insert",
            status,
            message: String::new(),
            retryable,
        };
        let rate = PublishError::RateLimited {
            platform: Platform::Vk,
            message: "flood".into(),
        };
        let quota = PublishError::QuotaExceeded {
            message: "q".into(),
        };
        let captcha = PublishError::CaptchaRequired {
            kind: CaptchaKind::Redirect,
        };

        assert!(upstream(503, true).is_retryable());
        assert!(!upstream(400, false).is_retryable());
        assert!(rate.is_retryable());
        assert!(!quota.is_retryable());
        assert!(!captcha.is_retryable());
    }

    #[test]
    fn reasons_explain_what_helps() {
        let quota = PublishError::QuotaExceeded {
            message: "quotaExceeded".into(),
        };
        let limit = PublishError::UploadLimitExceeded {
            message: "too many videos".into(),
        };

        assert!(quota.reason().contains("midnight Pacific"));
        assert!(limit.reason().contains("24 hours"));
    }
}
