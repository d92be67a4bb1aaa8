//! Google's error body (`external-apis.md` §2.3) and the one place that turns a YouTube error
//! status into a classified [`PublishError`]: which failures a retry can fix and which need a
//! human or the next quota day.

use serde::Deserialize;

use crate::error::{Platform, PublishError};

#[derive(Deserialize, Default)]
struct Envelope {
    #[serde(default)]
    error: ErrorBody,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default)]
    reason: String,
}

/// What a Google error body says, with the HTML of some messages removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct GoogleError {
    pub(crate) reason: String,
    pub(crate) message: String,
}

impl GoogleError {
    pub(crate) fn parse(body: &[u8]) -> Self {
        let envelope = serde_json::from_slice::<Envelope>(body).unwrap_or_default();
        let reason = envelope
            .error
            .errors
            .into_iter()
            .map(|item| item.reason)
            .find(|reason| !reason.is_empty())
            .unwrap_or_default();
        Self {
            reason,
            message: strip_tags(&envelope.error.message),
        }
    }

    /// Whether this 401/403 is a rate limit that backing off clears (not a quota).
    fn is_rate_limit(&self) -> bool {
        matches!(
            self.reason.as_str(),
            "rateLimitExceeded" | "userRateLimitExceeded"
        )
    }

    /// The classified error for `status`. 401 becomes `InvalidCredentials`; callers refresh
    /// the token once before they let it through.
    pub(crate) fn into_error(self, endpoint: &'static str, status: u16) -> PublishError {
        let summary = self.summary(status);
        match (status, self.reason.as_str()) {
            (_, "quotaExceeded") => PublishError::QuotaExceeded { message: summary },
            (_, "uploadLimitExceeded") => PublishError::UploadLimitExceeded { message: summary },
            (_, "failedPrecondition") => PublishError::NotReady {
                platform: Platform::Youtube,
                message: summary,
            },
            _ if status == 429 || (status == 403 && self.is_rate_limit()) => {
                PublishError::RateLimited {
                    platform: Platform::Youtube,
                    message: summary,
                }
            }
            (401, _) => PublishError::InvalidCredentials {
                platform: Platform::Youtube,
                message: summary,
            },
            (403, "forbidden" | "insufficientPermissions") => PublishError::AccessDenied {
                platform: Platform::Youtube,
                code: Some(403),
                message: summary,
            },
            _ => PublishError::Upstream {
                platform: Platform::Youtube,
                endpoint,
                status,
                message: summary,
                retryable: status >= 500 || status == 408,
            },
        }
    }

    fn summary(&self, status: u16) -> String {
        match (self.reason.is_empty(), self.message.is_empty()) {
            (true, true) => format!("HTTP {status}"),
            (true, false) => self.message.clone(),
            (false, true) => self.reason.clone(),
            (false, false) => format!("{}: {}", self.reason, self.message),
        }
    }
}

/// Drops `<...>` markup (the quota message links to the docs) and caps the length.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_error(body: &[u8], status: u16) -> PublishError {
        GoogleError::parse(body).into_error("videos.insert", status)
    }

    #[test]
    fn quota_exceeded_is_fatal_and_its_html_is_removed() {
        let body = include_bytes!("../../tests/fixtures/youtube-error-quota-exceeded.json");

        let error = fixture_error(body, 403);

        let PublishError::QuotaExceeded { message } = &error else {
            panic!("expected QuotaExceeded, got {error:?}");
        };
        assert!(message.starts_with("quotaExceeded: "));
        assert!(!message.contains('<'));
        assert!(!error.is_retryable());
    }

    #[test]
    fn upload_limit_exceeded_arrives_as_400_and_is_fatal() {
        let body = include_bytes!("../../tests/fixtures/youtube-error-upload-limit-exceeded.json");

        let error = fixture_error(body, 400);

        assert!(matches!(error, PublishError::UploadLimitExceeded { .. }));
        assert!(!error.is_retryable());
    }

    #[test]
    fn a_403_rate_limit_and_a_bare_429_are_retryable() {
        let body = include_bytes!("../../tests/fixtures/youtube-error-rate-limit.json");

        assert!(fixture_error(body, 403).is_retryable());
        assert!(fixture_error(b"", 429).is_retryable());
    }

    #[test]
    fn failed_precondition_is_retryable_later() {
        let body =
            include_bytes!("../../tests/fixtures/youtube-error-playlist-failed-precondition.json");

        let error = fixture_error(body, 400);

        assert!(matches!(error, PublishError::NotReady { .. }));
        assert!(error.is_retryable());
    }

    #[test]
    fn invalid_credentials_and_unknown_4xx_are_fatal_but_5xx_is_not() {
        let body = include_bytes!("../../tests/fixtures/youtube-error-invalid-credentials.json");

        assert!(matches!(
            fixture_error(body, 401),
            PublishError::InvalidCredentials { .. }
        ));
        assert!(!fixture_error(b"{}", 400).is_retryable());
        assert!(fixture_error(b"not json", 503).is_retryable());
    }
}
