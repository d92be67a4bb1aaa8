//! Access tokens: caching, sharing, refreshing after 401, rotation of user refresh tokens,
//! and refused credentials.

use futures::future::join_all;
use recflow_zoom::{NoTokenStore, ZoomCredential, ZoomError};
use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn s2s_token_is_fetched_once_and_reused_across_calls() {
    let zoom = start().await;

    for _ in 0..3 {
        zoom.client
            .list_recordings(
                "cred-1",
                &s2s(),
                &NoTokenStore,
                "me",
                day("2025-03-01"),
                day("2025-03-31"),
            )
            .await
            .expect("listing works");
    }

    assert_eq!(zoom.fake.token_requests(), 1);
    assert_eq!(zoom.fake.list_calls(), 3);
}

#[tokio::test]
async fn concurrent_callers_of_one_credential_share_a_single_token_fetch() {
    let zoom = start().await;
    let credential = s2s();

    let calls = (0..8).map(|_| {
        zoom.client.list_recordings(
            "cred-1",
            &credential,
            &NoTokenStore,
            "me",
            day("2025-03-01"),
            day("2025-03-02"),
        )
    });
    let results = join_all(calls).await;

    assert!(results.iter().all(Result::is_ok));
    assert_eq!(zoom.fake.token_requests(), 1);
}

#[tokio::test]
async fn different_credential_keys_get_their_own_tokens() {
    let zoom = start().await;

    for key in ["cred-1", "cred-2"] {
        zoom.client
            .list_recordings(
                key,
                &s2s(),
                &NoTokenStore,
                "me",
                day("2025-03-01"),
                day("2025-03-02"),
            )
            .await
            .expect("listing works");
    }

    assert_eq!(zoom.fake.token_requests(), 2);
}

#[tokio::test]
async fn a_token_with_less_than_a_minute_left_is_replaced_before_use() {
    let zoom = start().await;
    zoom.fake.set_token_ttl(30);

    for _ in 0..3 {
        zoom.client
            .list_recordings(
                "cred-1",
                &s2s(),
                &NoTokenStore,
                "me",
                day("2025-03-01"),
                day("2025-03-02"),
            )
            .await
            .expect("listing works");
    }

    assert_eq!(zoom.fake.token_requests(), 3);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
    let zoom = start().await;
    let credential = s2s();
    let list = || {
        zoom.client.list_recordings(
            "cred-1",
            &credential,
            &NoTokenStore,
            "me",
            day("2025-03-01"),
            day("2025-03-02"),
        )
    };
    list().await.expect("first listing works");

    zoom.fake.expire_tokens_now();
    let result = list().await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoom.fake.token_requests(), 2);
    assert_eq!(
        zoom.fake.list_calls(),
        3,
        "one rejected call and one retry after the first"
    );
}

#[tokio::test]
async fn api_calls_carry_the_token_in_the_header_never_in_the_url() {
    let zoom = start().await;

    zoom.client
        .list_recordings(
            "cred-1",
            &s2s(),
            &NoTokenStore,
            "me",
            day("2025-03-01"),
            day("2025-03-02"),
        )
        .await
        .expect("listing works");

    let leaked = zoom
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.query.as_deref().unwrap_or("").contains("access_token"));
    assert_eq!(leaked.count(), 0);
}

#[tokio::test]
async fn user_oauth_saves_the_rotated_refresh_token_before_using_its_access_token() {
    let zoom = start().await;
    let store = RecordingStore::new(&zoom.fake);

    zoom.client
        .list_recordings(
            "user-1",
            &user_oauth(FIRST_REFRESH_TOKEN),
            &store,
            "me",
            day("2025-03-01"),
            day("2025-03-02"),
        )
        .await
        .expect("listing works");

    let saved = store.saved();
    assert_eq!(saved.len(), 1);
    assert_ne!(saved[0].0, FIRST_REFRESH_TOKEN);
    assert_eq!(saved[0].1, 0, "saved before the first API call");
    assert_eq!(zoom.fake.list_calls(), 1);
}

#[tokio::test]
async fn a_used_refresh_token_is_rejected_and_the_client_keeps_the_rotated_one() {
    let zoom = start().await;
    let store = RecordingStore::new(&zoom.fake);
    let stale = user_oauth(FIRST_REFRESH_TOKEN);
    let list = || {
        zoom.client.list_recordings(
            "user-1",
            &stale,
            &store,
            "me",
            day("2025-03-01"),
            day("2025-03-02"),
        )
    };
    list().await.expect("first listing works");

    let replay = refresh_directly(&zoom.fake.base_url(), FIRST_REFRESH_TOKEN).await;
    zoom.fake.expire_tokens_now();
    let after_expiry = list().await;

    assert_eq!(replay["error"], "invalid_grant");
    assert!(
        after_expiry.is_ok(),
        "the client refreshed with the rotated token: {after_expiry:?}"
    );
    assert_eq!(store.saved().len(), 2);
}

#[tokio::test]
async fn a_failing_token_store_stops_the_call_before_the_new_token_is_used() {
    let zoom = start().await;
    let store = RecordingStore {
        fail: true,
        ..RecordingStore::new(&zoom.fake)
    };

    let result = zoom
        .client
        .list_recordings(
            "user-1",
            &user_oauth(FIRST_REFRESH_TOKEN),
            &store,
            "me",
            day("2025-03-01"),
            day("2025-03-02"),
        )
        .await;

    assert!(
        matches!(result, Err(ZoomError::TokenStore { .. })),
        "{result:?}"
    );
    assert!(result.is_err_and(|e| e.is_retryable()));
    assert_eq!(zoom.fake.list_calls(), 0);
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_credentials_with_zooms_reason() {
    let zoom = start().await;
    let wrong = ZoomCredential::ServerToServer {
        account_id: ACCOUNT_ID.into(),
        client_id: CLIENT_ID.into(),
        client_secret: "wrong".into(),
    };

    let result = zoom
        .client
        .test_credentials("cred-1", &wrong, &NoTokenStore, "me")
        .await;

    match result {
        Err(ZoomError::InvalidCredentials { reason }) => {
            assert_eq!(reason, "Invalid client_id or client_secret")
        }
        other => panic!("expected invalid credentials, got {other:?}"),
    }
    assert_eq!(zoom.fake.list_calls(), 0);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_invalid_credentials() {
    let zoom = start().await;
    let store = RecordingStore::new(&zoom.fake);

    let result = zoom
        .client
        .test_credentials("user-1", &user_oauth("never-issued"), &store, "me")
        .await;

    assert!(
        matches!(result, Err(ZoomError::InvalidCredentials { ref reason }) if reason == "Invalid Token!"),
        "{result:?}"
    );
    assert!(store.saved().is_empty());
}

#[tokio::test]
async fn testing_valid_credentials_makes_only_read_calls() {
    let zoom = start().await;

    zoom.client
        .test_credentials("cred-1", &s2s(), &NoTokenStore, "me")
        .await
        .expect("credentials are valid");

    let requests = zoom.fake.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" || r.path == "/oauth/token"),
        "{requests:?}"
    );
    assert_eq!(zoom.fake.list_calls(), 1);
}

#[tokio::test]
async fn errors_and_debug_output_never_contain_secrets() {
    let zoom = start().await;
    let wrong = ZoomCredential::UserOAuth {
        client_id: USER_CLIENT_ID.into(),
        client_secret: "top-secret-value".into(),
        refresh_token: "secret-refresh".into(),
    };
    let store = RecordingStore::new(&zoom.fake);

    let error = zoom
        .client
        .test_credentials("user-1", &wrong, &store, "me")
        .await
        .expect_err("refused");
    let printed = format!("{error} {error:?} {wrong:?}");

    assert!(
        !printed.contains("top-secret-value") && !printed.contains("secret-refresh"),
        "{printed}"
    );
}

async fn refresh_directly(base_url: &str, refresh_token: &str) -> Value {
    reqwest::Client::new()
        .post(format!("{base_url}/oauth/token"))
        .basic_auth(USER_CLIENT_ID, Some(USER_CLIENT_SECRET))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .expect("fake answers")
        .json()
        .await
        .expect("oauth json")
}
