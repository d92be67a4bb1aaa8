//! VK's per-token request limit (3 requests/second for user tokens, `external-apis.md` §3.6),
//! enforced before a request leaves: at most `limit` calls start within any `window`. Clones of
//! a client share one limiter, so concurrent uploads with one token stay under the limit.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Tokens whose last call is older than this are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60);

/// A sliding-window limiter keyed by token. Tokens are kept only as hashes.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: usize,
    window: Duration,
    starts: Mutex<HashMap<u64, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit: usize::try_from(limit.max(1)).unwrap_or(1),
            window,
            starts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a call with `token` may start, and books it.
    pub(crate) async fn acquire(&self, token: &str) {
        let key = key_of(token);
        loop {
            match self.try_book(key, Instant::now()) {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Books a start at `now` if the window has room, else says how long to wait.
    fn try_book(&self, key: u64, now: Instant) -> Option<Duration> {
        let mut starts = self.starts.lock().unwrap_or_else(PoisonError::into_inner);
        if starts.len() > 1000 {
            starts.retain(|_, times| times.back().is_some_and(|t| now - *t < FORGET_AFTER));
        }
        let times = starts.entry(key).or_default();
        while times.front().is_some_and(|t| now - *t >= self.window) {
            times.pop_front();
        }
        if times.len() < self.limit {
            times.push_back(now);
            return None;
        }
        let oldest = times.front().copied().unwrap_or(now);
        Some(self.window - (now - oldest))
    }
}

fn key_of(token: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    token.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fourth_call_in_a_window_waits_for_the_first_to_leave_it() {
        let limiter = RateLimiter::new(3, Duration::from_millis(1000));
        let start = Instant::now();
        let key = key_of("token");

        let booked: Vec<_> = (0..3)
            .map(|i| limiter.try_book(key, start + Duration::from_millis(i * 10)))
            .collect();
        let fourth = limiter.try_book(key, start + Duration::from_millis(100));
        let later = limiter.try_book(key, start + Duration::from_millis(1000));

        assert_eq!(booked, vec![None, None, None]);
        assert_eq!(fourth, Some(Duration::from_millis(900)));
        assert_eq!(later, None);
    }

    #[test]
    fn tokens_do_not_share_a_window() {
        let limiter = RateLimiter::new(1, Duration::from_secs(1));
        let now = Instant::now();

        assert_eq!(limiter.try_book(key_of("a"), now), None);
        assert_eq!(limiter.try_book(key_of("b"), now), None);
        assert!(limiter.try_book(key_of("a"), now).is_some());
    }
}
