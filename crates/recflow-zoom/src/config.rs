//! Where the client sends its requests and how patiently it retries them.
//!
//! Only plain settings live here; the retry loop that reads them is in `client/send.rs`.

use std::time::Duration;

/// Base URLs of Zoom's OAuth host and REST API, configurable so tests can use a local fake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoomConfig {
    /// OAuth host, without a trailing slash; the client appends `/oauth/token`.
    pub oauth_url: String,
    /// REST base including the version, e.g. `https://api.zoom.us/v2`.
    pub api_url: String,
}

impl Default for ZoomConfig {
    fn default() -> Self {
        Self {
            oauth_url: "https://zoom.us".to_owned(),
            api_url: "https://api.zoom.us/v2".to_owned(),
        }
    }
}

/// How the client retries rate-limited (429), failing (5xx) and unreachable upstream calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included; after the last one the error is returned.
    pub max_attempts: u32,
    /// First backoff delay; it doubles per attempt, with jitter, up to `max_delay`.
    pub base_delay: Duration,
    /// Upper bound of one backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` the client waits for; a longer one becomes
    /// [`ZoomError::RateLimited`](crate::ZoomError::RateLimited) for the caller to reschedule.
    pub max_retry_after: Duration,
    /// Timeout of every single HTTP request, on top of whatever the shared client sets.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt `attempt + 1` after `attempt` failed (1-based): exponential
    /// with "equal jitter", so concurrent clients do not retry in lockstep.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let full = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let half = full / 2;
        let jitter = rand::random_range(0.0..=1.0_f64);
        half + half.mul_f64(jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stays_under_the_cap() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::default()
        };

        let first = policy.backoff(1);
        let third = policy.backoff(3);
        let tenth = policy.backoff(10);

        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        assert!(third >= Duration::from_millis(175) && third <= Duration::from_millis(350));
        assert!(tenth <= Duration::from_millis(350));
    }
}
