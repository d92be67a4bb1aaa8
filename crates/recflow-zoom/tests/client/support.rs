//! Shared set-up: a fake Zoom with known credentials, a client with fast retries, and
//! refresh-token stores that record what they were asked to save.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use recflow_fakes::FakeZoom;
use recflow_zoom::{
    BoxError, RefreshTokenStore, RetryPolicy, ZoomClient, ZoomConfig, ZoomCredential,
};

pub const ACCOUNT_ID: &str = "acct-1";
pub const CLIENT_ID: &str = "s2s-client";
pub const CLIENT_SECRET: &str = "s2s-secret";
pub const USER_CLIENT_ID: &str = "user-client";
pub const USER_CLIENT_SECRET: &str = "user-secret";
pub const FIRST_REFRESH_TOKEN: &str = "refresh-0";

pub struct TestZoom {
    pub fake: Arc<FakeZoom>,
    pub client: ZoomClient,
}

pub async fn start() -> TestZoom {
    start_with_policy(fast_policy()).await
}

pub async fn start_with_policy(policy: RetryPolicy) -> TestZoom {
    let fake = FakeZoom::start().await;
    fake.add_s2s_credentials(ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET);
    fake.add_user_oauth(USER_CLIENT_ID, USER_CLIENT_SECRET, FIRST_REFRESH_TOKEN);
    let config = ZoomConfig {
        oauth_url: fake.base_url(),
        api_url: fake.api_url(),
    };
    let client = ZoomClient::new(reqwest::Client::new(), config).with_retry_policy(policy);
    TestZoom {
        fake: Arc::new(fake),
        client,
    }
}

pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_retry_after: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
    }
}

pub fn s2s() -> ZoomCredential {
    ZoomCredential::ServerToServer {
        account_id: ACCOUNT_ID.into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
    }
}

pub fn user_oauth(refresh_token: &str) -> ZoomCredential {
    ZoomCredential::UserOAuth {
        client_id: USER_CLIENT_ID.into(),
        client_secret: USER_CLIENT_SECRET.into(),
        refresh_token: refresh_token.into(),
    }
}

pub fn day(text: &str) -> NaiveDate {
    text.parse().expect("test dates are valid")
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test instants are valid")
        .with_timezone(&Utc)
}

/// Records each saved token with the number of list calls the fake had seen at that moment.
pub struct RecordingStore {
    pub fake: Arc<FakeZoom>,
    pub saved: Mutex<Vec<(String, usize)>>,
    pub fail: bool,
}

impl RecordingStore {
    pub fn new(fake: &Arc<FakeZoom>) -> Self {
        Self {
            fake: fake.clone(),
            saved: Mutex::new(Vec::new()),
            fail: false,
        }
    }

    pub fn saved(&self) -> Vec<(String, usize)> {
        self.saved.lock().expect("store lock").clone()
    }
}

#[async_trait]
impl RefreshTokenStore for RecordingStore {
    async fn save_rotated(&self, _key: &str, new_refresh_token: &str) -> Result<(), BoxError> {
        if self.fail {
            return Err("disk full".into());
        }
        let calls = self.fake.list_calls();
        self.saved
            .lock()
            .expect("store lock")
            .push((new_refresh_token.to_owned(), calls));
        Ok(())
    }
}
