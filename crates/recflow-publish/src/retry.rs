//! How patiently the clients retry what is worth retrying: jittered exponential backoff with a
//! bounded number of attempts. Only the settings and the delay computation live here; each
//! client's loop decides what is retryable.

use std::time::Duration;

/// Exponential backoff with "equal jitter", so concurrent uploads do not retry in lockstep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay; it doubles per failed attempt up to `max`.
    pub base: Duration,
    /// Upper bound of one delay.
    pub max: Duration,
    /// Failed attempts in a row after which the last error is returned to the caller.
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        // About ten tries over a few minutes, as Google's upload samples do.
        Self {
            base: Duration::from_secs(1),
            max: Duration::from_secs(64),
            max_attempts: 10,
        }
    }
}

impl Backoff {
    /// The delay after the `attempt`-th failure in a row (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(16);
        let full = self.base.saturating_mul(1 << exponent).min(self.max);
        let half = full / 2;
        half + half.mul_f64(rand::random_range(0.0..=1.0_f64))
    }

    /// Whether another attempt is allowed after `failures` failures in a row.
    pub(crate) fn allows(&self, failures: u32) -> bool {
        failures < self.max_attempts
    }

    /// Sleeps the delay after the `attempt`-th failure in a row.
    pub(crate) async fn wait(&self, attempt: u32) {
        tokio::time::sleep(self.delay(attempt)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_and_stay_under_the_cap() {
        let backoff = Backoff {
            base: Duration::from_millis(100),
            max: Duration::from_millis(350),
            max_attempts: 5,
        };

        let first = backoff.delay(1);
        let third = backoff.delay(3);
        let tenth = backoff.delay(10);

        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        assert!(third >= Duration::from_millis(175) && third <= Duration::from_millis(350));
        assert!(tenth <= Duration::from_millis(350));
        assert!(backoff.allows(4) && !backoff.allows(5));
    }
}
