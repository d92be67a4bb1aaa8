//! The REST API: bearer tokens only, paging, date windows, UUID decoding, faults.

use chrono::{Duration, Utc};
use recflow_fakes::{FakeMeeting, Fault, RetryAfter};

use crate::support::*;

async fn list(
    fake: &recflow_fakes::FakeZoom,
    http: &reqwest::Client,
    token: &str,
    query: &str,
) -> reqwest::Response {
    http.get(format!("{}/users/me/recordings?{query}", fake.api_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("fake answers")
}

#[tokio::test]
async fn a_token_in_the_query_string_is_rejected_with_code_124() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;

    let url = format!(
        "{}/users/me/recordings?from=2025-03-01&to=2025-03-02&access_token={token}",
        fake.api_url()
    );
    let (status, body) = json_of(http.get(url).send().await.expect("answers")).await;

    assert_eq!(status, 401);
    assert_eq!(body["code"], 124);
}

#[tokio::test]
async fn expiring_tokens_makes_the_next_call_401_access_token_is_expired() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;

    fake.expire_tokens_now();
    let (status, body) =
        json_of(list(&fake, &http, &token, "from=2025-03-01&to=2025-03-02").await).await;

    assert_eq!(status, 401);
    assert_eq!(
        body,
        serde_json::json!({"code": 124, "message": "Access token is expired."})
    );
}

#[tokio::test]
async fn page_size_above_300_is_refused() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;

    let response = list(
        &fake,
        &http,
        &token,
        "from=2025-03-01&to=2025-03-02&page_size=301",
    )
    .await;

    assert_eq!(response.status().as_u16(), 400);
}

#[tokio::test]
async fn pages_chain_through_next_page_token_which_is_empty_on_the_last_page() {
    let (fake, http) = start().await;
    fake.generate_meetings(5, at("2025-03-01T10:00:00Z"), Duration::hours(1), 100);
    let token = s2s_token(&fake, &http).await;

    let (_, first) = json_of(
        list(
            &fake,
            &http,
            &token,
            "from=2025-03-01&to=2025-03-31&page_size=3",
        )
        .await,
    )
    .await;
    let cursor = first["next_page_token"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let query = format!("from=2025-03-01&to=2025-03-31&page_size=3&next_page_token={cursor}");
    let (_, last) = json_of(list(&fake, &http, &token, &query).await).await;

    assert_eq!(first["meetings"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        (
            first["total_records"].as_u64(),
            first["page_count"].as_u64()
        ),
        (Some(5), Some(2))
    );
    assert!(!cursor.is_empty());
    assert_eq!(last["meetings"].as_array().map(Vec::len), Some(2));
    assert_eq!(last["next_page_token"], "");
}

#[tokio::test]
async fn a_range_longer_than_a_month_is_clamped_and_the_effective_from_echoed() {
    let (fake, http) = start().await;
    fake.add_meeting(FakeMeeting::new("early", at("2025-01-10T10:00:00Z")));
    fake.add_meeting(FakeMeeting::new("late", at("2025-03-20T10:00:00Z")));
    let token = s2s_token(&fake, &http).await;

    let (_, body) =
        json_of(list(&fake, &http, &token, "from=2025-01-01&to=2025-03-31").await).await;

    assert_eq!(body["from"], "2025-02-28");
    assert_eq!(body["to"], "2025-03-31");
    assert_eq!(body["total_records"], 1);
}

#[tokio::test]
async fn the_history_limit_clamps_from_to_six_months_before_today() {
    let (fake, http) = start().await;
    fake.set_today("2025-09-15".parse().expect("date"));
    fake.enforce_history_limit(Some(6));
    let token = s2s_token(&fake, &http).await;

    let (_, body) =
        json_of(list(&fake, &http, &token, "from=2025-03-01&to=2025-03-20").await).await;

    assert_eq!(body["from"], "2025-03-15");
}

#[tokio::test]
async fn api_responses_carry_a_tracking_id() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;

    let response = list(&fake, &http, &token, "from=2025-03-01&to=2025-03-02").await;

    assert!(response.headers().contains_key("x-zm-trackingid"));
}

#[tokio::test]
async fn a_uuid_with_slashes_is_found_only_when_double_encoded() {
    let (fake, http) = start().await;
    fake.add_meeting(FakeMeeting::new("m", at("2025-03-10T09:00:00Z")).uuid("/xY7zq//Pb2Q=="));
    let token = s2s_token(&fake, &http).await;
    let get = |encoded: &'static str| {
        let request = http
            .get(format!("{}/meetings/{encoded}/recordings", fake.api_url()))
            .bearer_auth(&token);
        async move { request.send().await.expect("answers").status().as_u16() }
    };

    let single = get("%2FxY7zq%2F%2FPb2Q%3D%3D").await;
    let double = get("%252FxY7zq%252F%252FPb2Q%253D%253D").await;

    assert_eq!(single, 404);
    assert_eq!(double, 200);
}

#[tokio::test]
async fn an_unknown_user_is_404_code_1001() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;

    let url = format!(
        "{}/users/nobody@example.invalid/recordings?from=2025-03-01&to=2025-03-02",
        fake.api_url()
    );
    let (status, body) = json_of(
        http.get(url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("answers"),
    )
    .await;

    assert_eq!((status, body["code"].as_i64()), (404, Some(1001)));
}

#[tokio::test]
async fn a_queued_daily_rate_limit_answers_429_with_an_iso_retry_after() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;
    let until = Utc::now() + Duration::hours(3);
    fake.fail_next(1, Fault::TooManyRequests(RetryAfter::Date(until)));

    let limited = list(&fake, &http, &token, "from=2025-03-01&to=2025-03-02").await;
    let retry_after = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let next = list(&fake, &http, &token, "from=2025-03-01&to=2025-03-02").await;

    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(
        retry_after,
        Some(until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    );
    assert_eq!(next.status().as_u16(), 200);
}

#[tokio::test]
async fn requests_are_logged_in_order_with_their_queries() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;

    list(&fake, &http, &token, "from=2025-03-01&to=2025-03-02").await;

    let seen = fake.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", "/oauth/token")
    );
    assert_eq!(seen[1].path, "/v2/users/me/recordings");
    assert_eq!(
        seen[1].query.as_deref(),
        Some("from=2025-03-01&to=2025-03-02")
    );
    assert_eq!(fake.list_calls(), 1);
}
