//! The publishing clients this process shares: one HTTP client (one connection pool, no
//! redirects, timeouts on every call), one cached Google access token per credential, and one
//! VK client per API host so every upload of the process stays under VK's per-token limit.
//!
//! They live in statics rather than in `AppState`: they hold no configuration of their own
//! beyond the URL that keys them, and keeping them here leaves the state's constructor alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::{DateTime, Utc};
use recflow_publish::{
    AccessTokenSource, GoogleCredential, GoogleOAuth, PublishHttp, Timeouts, VkClient,
};
use uuid::Uuid;

/// Which cached token source serves a credential. The credential's `updated_at` is part of
/// the key, so replacing its secrets starts a fresh source instead of reusing the old token.
#[derive(Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    credential_id: Uuid,
    updated_at: DateTime<Utc>,
    oauth_url: String,
}

static HTTP: OnceLock<PublishHttp> = OnceLock::new();
static TOKENS: OnceLock<Mutex<HashMap<TokenKey, Arc<AccessTokenSource>>>> = OnceLock::new();
static VK: OnceLock<Mutex<HashMap<String, VkClient>>> = OnceLock::new();

/// The shared publishing HTTP client.
///
/// # Errors
/// A sentence for the stage when the TLS backend cannot be set up.
pub(super) fn http() -> Result<PublishHttp, String> {
    if let Some(http) = HTTP.get() {
        return Ok(http.clone());
    }
    let built = PublishHttp::new(Timeouts::default()).map_err(|e| e.reason())?;
    // Two stages racing here both build one; the first stored wins and the other is dropped.
    Ok(HTTP.get_or_init(|| built).clone())
}

/// The token source of one Google credential, created on first use and kept for the life of
/// the process, so concurrent uploads with one account share a single refresh.
// TODO: sources of deleted credentials stay in the map until the process restarts (a few
// hundred bytes each).
pub(super) fn google_tokens(
    http: &PublishHttp,
    oauth_url: &str,
    credential_id: Uuid,
    updated_at: DateTime<Utc>,
    credential: GoogleCredential,
) -> Arc<AccessTokenSource> {
    let key = TokenKey {
        credential_id,
        updated_at,
        oauth_url: oauth_url.to_owned(),
    };
    let mut sources = TOKENS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(source) = sources.get(&key) {
        return source.clone();
    }
    // An older version of this credential will never be asked for again.
    sources.retain(|known, _| known.credential_id != credential_id);
    let oauth = GoogleOAuth::new(http.clone(), oauth_url);
    let source = Arc::new(AccessTokenSource::new(oauth, credential));
    sources.insert(key, source.clone());
    source
}

/// The VK client of `api_url` (a host such as `https://api.vk.com`, or its `/method` base).
pub(super) fn vk(http: &PublishHttp, api_url: &str) -> VkClient {
    let base = method_base(api_url);
    let mut clients = VK
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    clients
        .entry(base.clone())
        .or_insert_with(|| VkClient::new(http.clone(), base))
        .clone()
}

/// `https://api.vk.com` → `https://api.vk.com/method`; a URL already ending in `/method` is
/// kept as it is.
fn method_base(api_url: &str) -> String {
    let trimmed = api_url.trim_end_matches('/');
    if trimmed.ends_with("/method") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/method")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vk_host_gets_the_method_path_once() {
        assert_eq!(
            method_base("https://api.vk.com"),
            "https://api.vk.com/method"
        );
        assert_eq!(
            method_base("http://127.0.0.1:9/method/"),
            "http://127.0.0.1:9/method"
        );
    }

    #[test]
    fn a_credential_keeps_its_token_source_until_its_secrets_change() {
        let http = http().expect("http client");
        let id = Uuid::now_v7();
        let credential = GoogleCredential {
            client_id: "c".into(),
            client_secret: "s".into(),
            refresh_token: "r".into(),
        };
        let first_version = Utc::now();
        let url = "http://127.0.0.1:9";

        let a = google_tokens(&http, url, id, first_version, credential.clone());
        let b = google_tokens(&http, url, id, first_version, credential.clone());
        let changed = google_tokens(
            &http,
            url,
            id,
            first_version + chrono::Duration::seconds(1),
            credential,
        );

        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &changed));
    }
}
