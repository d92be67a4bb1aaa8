//! Rate limits and server errors: waits honoured within bounds, retries with backoff.

use std::time::{Duration, Instant};

use chrono::Utc;
use recflow_fakes::{Fault, RetryAfter};
use recflow_zoom::{NoTokenStore, RetryPolicy, ZoomError};

use crate::support::*;

async fn list_once(zoom: &TestZoom) -> Result<Vec<recflow_zoom::Meeting>, ZoomError> {
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
}

#[tokio::test]
async fn retry_after_in_seconds_is_waited_out_then_the_call_succeeds() {
    let zoom = start().await;
    zoom.fake
        .fail_next(1, Fault::TooManyRequests(RetryAfter::Seconds(1)));

    let started = Instant::now();
    let result = list_once(&zoom).await;

    assert!(result.is_ok(), "{result:?}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(zoom.fake.list_calls(), 2);
}

#[tokio::test]
async fn retry_after_as_an_iso_date_is_waited_out_then_the_call_succeeds() {
    let zoom = start().await;
    let until = Utc::now() + chrono::Duration::milliseconds(1500);
    zoom.fake
        .fail_next(1, Fault::TooManyRequests(RetryAfter::Date(until)));

    let result = list_once(&zoom).await;

    assert!(result.is_ok(), "{result:?}");
    // The header has whole seconds, so the wait ends at most one second before `until`.
    assert!(Utc::now() >= until - chrono::Duration::seconds(1));
    assert_eq!(zoom.fake.list_calls(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let zoom = start().await;
    let until = Utc::now() + chrono::Duration::milliseconds(1200);
    zoom.fake
        .fail_next(1, Fault::TooManyRequests(RetryAfter::HttpDate(until)));

    let result = list_once(&zoom).await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoom.fake.list_calls(), 2);
}

#[tokio::test]
async fn a_wait_longer_than_the_limit_is_returned_as_rate_limited_without_waiting() {
    let zoom = start().await;
    zoom.fake
        .fail_next(1, Fault::TooManyRequests(RetryAfter::Seconds(3600)));

    let started = Instant::now();
    let result = list_once(&zoom).await;

    match result {
        Err(ZoomError::RateLimited { retry_after }) => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)))
        }
        other => panic!("expected rate limited, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_429_without_any_hint_is_retried_with_backoff() {
    let zoom = start().await;
    zoom.fake
        .fail_next(2, Fault::TooManyRequests(RetryAfter::Unspecified));

    let result = list_once(&zoom).await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoom.fake.list_calls(), 3);
}

#[tokio::test]
async fn server_errors_are_retried_until_the_call_succeeds() {
    let zoom = start().await;
    zoom.fake.fail_next(2, Fault::ServerError(503));
    zoom.fake.fail_next(1, Fault::ServerError(500));

    let result = list_once(&zoom).await;

    assert!(result.is_ok(), "{result:?}");
    assert_eq!(zoom.fake.list_calls(), 4);
}

#[tokio::test]
async fn persistent_server_errors_end_as_a_retryable_upstream_error() {
    let policy = RetryPolicy {
        max_attempts: 3,
        ..fast_policy()
    };
    let zoom = start_with_policy(policy).await;
    zoom.fake.fail_next(10, Fault::ServerError(502));

    let result = list_once(&zoom).await;

    assert!(
        matches!(result, Err(ZoomError::Upstream { status: 502, .. })),
        "{result:?}"
    );
    assert!(result.is_err_and(|e| e.is_retryable()));
    assert_eq!(zoom.fake.list_calls(), 3);
}

#[tokio::test]
async fn an_unreachable_zoom_is_a_retryable_transport_error() {
    let config = recflow_zoom::ZoomConfig {
        oauth_url: "http://127.0.0.1:9".into(),
        api_url: "http://127.0.0.1:9/v2".into(),
    };
    let client = recflow_zoom::ZoomClient::new(reqwest::Client::new(), config)
        .with_retry_policy(fast_policy());

    let result = client
        .test_credentials("cred-1", &s2s(), &NoTokenStore, "me")
        .await;

    assert!(
        matches!(result, Err(ZoomError::Transport { .. })),
        "{result:?}"
    );
    assert!(result.is_err_and(|e| e.is_retryable()));
}
