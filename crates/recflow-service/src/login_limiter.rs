//! Failed-login limiting per email, in memory. Each API process counts on its own, so with N
//! replicas an attacker gets at most N times the limit; that is enough to make guessing
//! impractical without a shared store.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failed logins per key within a sliding window.
pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window: Duration) -> Self {
        LoginLimiter {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(wait)` when `key` has used up its failures and must wait before trying again.
    pub fn blocked_for(&self, key: &str, now: Instant) -> Option<Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let recent = failures.get_mut(key)?;
        recent.retain(|t| now.duration_since(*t) < self.window);
        if recent.len() < self.max_failures as usize {
            return None;
        }
        let oldest = recent.first().copied()?;
        Some(
            self.window
                .saturating_sub(now.duration_since(oldest))
                .max(Duration::from_secs(1)),
        )
    }

    /// Records a failed attempt.
    pub fn record_failure(&self, key: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Bound memory under a flood of distinct keys: drop entries whose window has passed.
        if failures.len() > 10_000 {
            failures.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        failures.entry(key.to_owned()).or_default().push(now);
    }

    /// Forgets the failures of `key` after a successful login.
    pub fn clear(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_blocked_after_max_failures_until_the_window_passes() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        let start = Instant::now();

        for i in 0..3 {
            assert!(
                limiter.blocked_for("a@x", start).is_none(),
                "blocked after {i}"
            );
            limiter.record_failure("a@x", start);
        }

        assert!(
            limiter
                .blocked_for("a@x", start + Duration::from_secs(10))
                .is_some()
        );
        assert!(limiter.blocked_for("b@x", start).is_none());
        assert!(
            limiter
                .blocked_for("a@x", start + Duration::from_secs(61))
                .is_none()
        );
    }

    #[test]
    fn success_clears_failures() {
        let limiter = LoginLimiter::new(1, Duration::from_secs(60));
        let now = Instant::now();
        limiter.record_failure("a@x", now);

        limiter.clear("a@x");

        assert!(limiter.blocked_for("a@x", now).is_none());
    }
}
