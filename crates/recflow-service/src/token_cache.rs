//! Recently authenticated tokens, so a busy client does not cost two database reads per
//! request. An entry is served for `token_cache_seconds` after it was read from the database,
//! however often it is used. This process forgets every entry when it revokes a token or
//! changes an account, and an answer read before that moment is never cached after it, so
//! here a revocation takes effect at once. Another process (a second API replica,
//! `recflow user disable`) is seen once the entry is older than the lifetime.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use moka::sync::Cache;
use recflow_store::{ApiToken, User};

/// Entries kept at most; the least recently used go first.
const CAPACITY: u64 = 10_000;

struct Entry {
    token: ApiToken,
    user: User,
    /// When the database said so.
    read_at: Instant,
}

#[derive(Clone)]
pub struct TokenCache {
    entries: Option<Cache<String, Arc<Entry>>>,
    ttl: Duration,
    /// Bumped by every [`TokenCache::forget_all`].
    generation: Arc<AtomicU64>,
}

/// The cache's state when a request began looking a token up; an answer read from the
/// database is cached only if nothing was forgotten since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation(u64);

impl TokenCache {
    /// A cache keeping entries for `ttl`; zero turns caching off.
    pub fn new(ttl: Duration) -> TokenCache {
        let entries = (!ttl.is_zero()).then(|| {
            Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build()
        });
        TokenCache {
            entries,
            ttl,
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Call before reading a token from the database; pass the result to [`Self::insert`].
    pub fn generation(&self) -> Generation {
        Generation(self.generation.load(Ordering::SeqCst))
    }

    /// The token with hash `token_hash` and its account, if read from the database less than
    /// the lifetime ago and not expired at `now`.
    pub fn get(&self, token_hash: &str, now: DateTime<Utc>) -> Option<(ApiToken, User)> {
        let entry = self.entries.as_ref()?.get(token_hash)?;
        if entry.read_at.elapsed() >= self.ttl
            || entry.token.expires_at.is_some_and(|end| end <= now)
        {
            return None;
        }
        Some((entry.token.clone(), entry.user.clone()))
    }

    /// Caches what the database said at `read_at`, unless entries were forgotten since
    /// `seen` was taken.
    pub fn insert(
        &self,
        seen: Generation,
        token_hash: &str,
        token: ApiToken,
        user: User,
        read_at: Instant,
    ) {
        let Some(entries) = &self.entries else {
            return;
        };
        if self.generation() != seen {
            return;
        }
        let entry = Entry {
            token,
            user,
            read_at,
        };
        entries.insert(token_hash.to_owned(), Arc::new(entry));
    }

    /// Records a new `last_used_at` on a cached entry, keeping its age.
    pub fn touched(&self, seen: Generation, token_hash: &str, at: DateTime<Utc>) {
        let Some(entry) = self.entries.as_ref().and_then(|e| e.get(token_hash)) else {
            return;
        };
        let mut token = entry.token.clone();
        token.last_used_at = Some(at);
        self.insert(seen, token_hash, token, entry.user.clone(), entry.read_at);
    }

    /// Forgets every entry: a token was revoked or an account changed. Lookups already under
    /// way will not cache what they read.
    pub fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some(entries) = &self.entries {
            entries.invalidate_all();
        }
    }

    /// Runs `change` (a revocation or an account change) with every entry forgotten before
    /// and after it, so a lookup that overlaps the change does not keep the old state.
    pub async fn forgetting<T>(&self, change: impl Future<Output = T>) -> T {
        self.forget_all();
        let done = change.await;
        self.forget_all();
        done
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration as Span;
    use recflow_store::TokenKind;
    use uuid::Uuid;

    use super::*;

    fn entry(expires_at: Option<DateTime<Utc>>) -> (ApiToken, User) {
        let user_id = Uuid::now_v7();
        let now = Utc::now();
        let token = ApiToken {
            id: Uuid::now_v7(),
            user_id,
            name: "cli".into(),
            kind: TokenKind::Personal,
            prefix: "rf_abc".into(),
            created_at: now,
            expires_at,
            last_used_at: None,
        };
        let user = User {
            id: user_id,
            email: "ana@example.com".into(),
            display_name: "Ana".into(),
            timezone: "UTC".into(),
            is_admin: false,
            disabled: false,
            created_at: now,
            updated_at: now,
        };
        (token, user)
    }

    #[test]
    fn a_cached_token_is_found_until_forgotten() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let (token, user) = entry(None);
        cache.insert(
            cache.generation(),
            "hash",
            token.clone(),
            user,
            Instant::now(),
        );

        let found = cache.get("hash", Utc::now()).map(|(t, _)| t.id);
        cache.forget_all();

        assert_eq!(found, Some(token.id));
        assert!(cache.get("hash", Utc::now()).is_none());
        assert!(cache.get("other", Utc::now()).is_none());
    }

    #[test]
    fn a_token_past_its_expiry_is_not_served_from_the_cache() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let now = Utc::now();
        let (token, user) = entry(Some(now + Span::seconds(10)));
        cache.insert(cache.generation(), "hash", token, user, Instant::now());

        assert!(cache.get("hash", now).is_some());
        assert!(cache.get("hash", now + Span::seconds(10)).is_none());
    }

    #[test]
    fn a_zero_lifetime_caches_nothing() {
        let cache = TokenCache::new(Duration::ZERO);
        let (token, user) = entry(None);
        cache.insert(cache.generation(), "hash", token, user, Instant::now());

        assert!(cache.get("hash", Utc::now()).is_none());
    }

    #[test]
    fn an_answer_read_before_a_revocation_is_not_cached_after_it() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let (token, user) = entry(None);
        let seen = cache.generation();

        cache.forget_all();
        cache.insert(seen, "hash", token, user, Instant::now());

        assert!(cache.get("hash", Utc::now()).is_none());
    }

    #[test]
    fn an_entry_expires_by_the_age_of_its_read_however_often_it_is_touched() {
        let cache = TokenCache::new(Duration::from_secs(60));
        let (token, user) = entry(None);
        let read_long_ago = Instant::now()
            .checked_sub(Duration::from_secs(61))
            .expect("the clock is past a minute");
        let seen = cache.generation();
        cache.insert(seen, "hash", token, user, read_long_ago);

        cache.touched(seen, "hash", Utc::now());

        assert!(cache.get("hash", Utc::now()).is_none());
    }
}
