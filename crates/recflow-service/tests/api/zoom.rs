//! Zoom sources against the fake Zoom over real HTTP: syncs (segments, pending, blanks, no
//! rewrites), upstream faults, credential checks and rotation, and the signed webhook.

use std::time::Duration;

use chrono::{DateTime, Utc};
use recflow_fakes::zoom::webhook::signed_headers;
use recflow_fakes::{FakeFile, FakeMeeting, FakeZoom, Fault, Media, RetryAfter};
use recflow_service::credentials;
use recflow_service::sync::zoom::{access, mapping};
use recflow_store::{PageRequest, Recording, RecordingFilter};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Answer, TestApp, into_answer, spawn_app_with};

const ACCOUNT_ID: &str = "acct-test";
const CLIENT_ID: &str = "s2s-client";
const CLIENT_SECRET: &str = "s2s-client-secret-value";
const WEBHOOK_SECRET: &str = "ana-webhook-secret";
/// Blank thresholds of every test source: 10 minutes, 1 MB.
const MIN_DURATION: i64 = 600;
const MIN_SIZE: u64 = 1_000_000;

/// A server whose Zoom is a fresh fake, and a user `ana` with her token.
struct ZoomTest {
    app: TestApp,
    fake: FakeZoom,
    ana: String,
}

async fn zoom_test() -> ZoomTest {
    let fake = FakeZoom::start().await;
    fake.add_s2s_credentials(ACCOUNT_ID, CLIENT_ID, CLIENT_SECRET);
    let (oauth_url, api_url) = (fake.base_url(), fake.api_url());
    let app = spawn_app_with(move |config| {
        config.zoom_oauth_url = oauth_url;
        config.zoom_api_url = api_url;
    })
    .await;
    let (_, ana) = app.create_user("ana@example.com", None).await;
    ZoomTest { app, fake, ana }
}

fn s2s_secrets(client_secret: &str) -> Value {
    json!({"account_id": ACCOUNT_ID, "client_id": CLIENT_ID, "client_secret": client_secret})
}

fn hours_ago(hours: i64) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::hours(hours)
}

/// A 50-minute meeting with one 5 MB MP4: a recording that is not blank.
fn plain_meeting(topic: &str, start: DateTime<Utc>) -> FakeMeeting {
    FakeMeeting::new(topic, start)
        .duration_minutes(50)
        .file(FakeFile::mp4(Media::Synthetic(5_000_000)))
}

impl ZoomTest {
    async fn credential(&self, token: &str, kind: &str, secrets: Value) -> String {
        let body = json!({"name": format!("{kind} {}", Uuid::now_v7()), "kind": kind,
            "secrets": secrets});
        let answer = self.app.post("/api/v1/credentials", token, body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["id"].as_str().expect("id").to_owned()
    }

    /// A zoom source of `token`'s account on `credential`, with the test thresholds.
    async fn source(&self, token: &str, credential: &str, extra: Value) -> String {
        let mut body = json!({"name": format!("Zoom {}", Uuid::now_v7()), "type": "zoom",
            "credential_id": credential, "min_duration_seconds": MIN_DURATION,
            "min_size_bytes": MIN_SIZE});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let answer = self.app.post("/api/v1/input-sources", token, body).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["id"].as_str().expect("id").to_owned()
    }

    /// Ana's S2S source with a webhook secret.
    async fn ana_source(&self, extra: Value) -> String {
        let credential = self
            .credential(&self.ana, "zoom_s2s", s2s_secrets(CLIENT_SECRET))
            .await;
        let mut extra = extra;
        extra["webhook_secret"] = json!(WEBHOOK_SECRET);
        self.source(&self.ana, &credential, extra).await
    }

    /// Runs a manual sync of the default window and waits for it; returns the status.
    async fn sync(&self, source: &str) -> Value {
        let path = format!("/api/v1/input-sources/{source}/sync");
        let started = self.app.post(&path, &self.ana, json!({})).await;
        assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
        for _ in 0..800 {
            let status = self
                .app
                .get(&format!("/api/v1/input-sources/{source}/status"), &self.ana)
                .await;
            if status.body["state"] == "idle" {
                return status.body;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("sync did not finish within 20 s");
    }

    /// A sync that must succeed; returns its `last_result`.
    async fn synced(&self, source: &str) -> Value {
        let status = self.sync(source).await;
        assert!(status["last_error"].is_null(), "{status}");
        status["last_result"].clone()
    }

    async fn recordings(&self, source: &str) -> Vec<Value> {
        let answer = self
            .app
            .get(
                &format!("/api/v1/recordings?source_id={source}&limit=200"),
                &self.ana,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let mut items = answer.body["items"].as_array().expect("items").clone();
        items.sort_by_key(|r| r["source_key"].as_str().unwrap_or_default().to_owned());
        items
    }

    /// The stored rows of a source, with what the API does not show (`source_meta`).
    async fn stored(&self, source: &str) -> Vec<Recording> {
        let filter = RecordingFilter {
            source_id: Some(source.parse().expect("source id")),
            ..RecordingFilter::default()
        };
        let user = self.source_owner(source).await;
        let page = PageRequest {
            limit: 1000,
            after: None,
        };
        let store = &self.app.state.store;
        store
            .list_recordings(user, &filter, page)
            .await
            .expect("list")
            .items
    }

    async fn source_owner(&self, source: &str) -> Uuid {
        let id = source.parse().expect("source id");
        let stored = self.app.state.store.get_source_unscoped(id).await;
        stored.expect("source exists").user_id
    }

    /// POSTs `body` to the source's webhook, signed with `secret` as of `at`.
    async fn webhook(&self, source: &str, body: &str, secret: &str, at: DateTime<Utc>) -> Answer {
        let (timestamp, signature) = signed_headers(secret.as_bytes(), at, body.as_bytes());
        let headers = [
            ("x-zm-request-timestamp", timestamp.as_str()),
            ("x-zm-signature", signature.as_str()),
        ];
        self.raw_webhook(source, body, &headers).await
    }

    async fn raw_webhook(&self, source: &str, body: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = self
            .app
            .client
            .post(self.app.url(&format!("/api/v1/webhooks/zoom/{source}")))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        into_answer(request.send().await.expect("request sent")).await
    }
}

fn counts(result: &Value) -> [u64; 5] {
    ["listed", "new", "updated", "pending", "skipped"].map(|k| result[k].as_u64().unwrap_or(999))
}

fn by_title<'a>(items: &'a [Value], title: &str) -> Vec<&'a Value> {
    items.iter().filter(|r| r["title"] == title).collect()
}

#[tokio::test]
async fn a_zoom_sync_keeps_every_segment_waits_for_processing_and_skips_blanks() {
    let t = zoom_test().await;
    let algebra = FakeMeeting::new("Algebra", hours_ago(5))
        .duration_minutes(60)
        .mp4_segments(2, 30_000_000)
        .file(FakeFile::m4a(Media::Synthetic(4_000_000)))
        .file(FakeFile::transcript(Media::Synthetic(2048)));
    let algebra_uuid = t.fake.add_meeting(algebra);
    t.fake.add_meeting(
        FakeMeeting::new("Geometry", hours_ago(4)).file(FakeFile::processing().id("geometry-mp4")),
    );
    t.fake.add_meeting(
        FakeMeeting::new("Oops", hours_ago(3))
            .duration_minutes(4)
            .file(FakeFile::mp4(Media::Synthetic(2_000_000))),
    );
    let source = t.ana_source(json!({})).await;

    let first = t.synced(&source).await;
    let before = t.recordings(&source).await;
    let finished = t
        .fake
        .finish_processing("geometry-mp4", Media::Synthetic(40_000_000));
    let second = t.synced(&source).await;
    let after = t.recordings(&source).await;

    assert_eq!(
        counts(&first),
        [4, 4, 0, 1, 1],
        "listed new updated pending skipped"
    );
    let segments = by_title(&before, "Algebra");
    assert_eq!(segments.len(), 2, "one recording per MP4 segment");
    assert!(segments.iter().all(|r| {
        r["source_key"]
            .as_str()
            .is_some_and(|k| k.starts_with(&format!("{algebra_uuid}/")))
    }));
    assert!(segments.iter().all(|r| r["status"] == "INITIALIZED"));
    assert_ne!(segments[0]["start_time"], segments[1]["start_time"]);
    assert_eq!(by_title(&before, "Geometry")[0]["status"], "PENDING_SOURCE");
    assert_eq!(by_title(&before, "Oops")[0]["status"], "SKIPPED");
    assert_eq!(by_title(&before, "Oops")[0]["skip_reason"], "blank");

    assert!(finished);
    assert_eq!(counts(&second), [4, 0, 1, 0, 1]);
    let geometry = by_title(&after, "Geometry");
    assert_eq!(geometry.len(), 1, "promoted in place, not duplicated");
    assert_eq!(geometry[0]["id"], by_title(&before, "Geometry")[0]["id"]);
    assert_eq!(geometry[0]["status"], "INITIALIZED");
    assert_eq!(geometry[0]["size_bytes"], 40_000_000);
}

#[tokio::test]
async fn a_resync_of_unchanged_zoom_data_writes_nothing() {
    let t = zoom_test().await;
    t.fake.add_meeting(
        FakeMeeting::new("Lecture", hours_ago(6))
            .duration_minutes(90)
            .mp4_segments(3, 20_000_000),
    );
    t.fake.add_meeting(plain_meeting("Seminar", hours_ago(2)));
    let source = t.ana_source(json!({})).await;
    t.synced(&source).await;
    let before = t.recordings(&source).await;
    let list_calls = t.fake.list_calls();

    let again = t.synced(&source).await;
    let after = t.recordings(&source).await;

    assert!(
        t.fake.list_calls() > list_calls,
        "the re-sync asked Zoom again"
    );
    assert_eq!(counts(&again), [4, 0, 0, 0, 0]);
    let stamps = |items: &[Value]| -> Vec<(Value, Value)> {
        items
            .iter()
            .map(|r| (r["id"].clone(), r["updated_at"].clone()))
            .collect()
    };
    assert_eq!(stamps(&after), stamps(&before), "no row was touched");
}

#[tokio::test]
async fn an_expired_access_token_is_replaced_during_a_sync() {
    let t = zoom_test().await;
    t.fake.add_meeting(plain_meeting("Monday", hours_ago(20)));
    let source = t.ana_source(json!({})).await;
    t.synced(&source).await;
    t.fake.add_meeting(plain_meeting("Tuesday", hours_ago(2)));

    t.fake.expire_tokens_now();
    let result = t.synced(&source).await;

    assert_eq!(counts(&result), [2, 1, 0, 0, 0]);
    assert_eq!(
        t.fake.token_requests(),
        2,
        "one token at first, one after the 401 code 124"
    );
}

#[tokio::test]
async fn zoom_rate_limits_are_waited_out_whether_retry_after_is_seconds_or_a_date() {
    let t = zoom_test().await;
    t.fake.add_meeting(plain_meeting("Monday", hours_ago(3)));
    let source = t.ana_source(json!({})).await;
    t.fake
        .fail_next(1, Fault::TooManyRequests(RetryAfter::Seconds(1)));
    let in_a_second = Utc::now() + chrono::Duration::seconds(1);
    t.fake
        .fail_next(1, Fault::TooManyRequests(RetryAfter::Date(in_a_second)));

    let result = t.synced(&source).await;

    assert_eq!(counts(&result), [1, 1, 0, 0, 0]);
    assert_eq!(t.fake.list_calls(), 3, "two 429s, then the page");
}

#[tokio::test]
async fn zoom_server_errors_are_retried_during_a_sync() {
    let t = zoom_test().await;
    t.fake.add_meeting(plain_meeting("Monday", hours_ago(3)));
    let source = t.ana_source(json!({})).await;
    t.fake.fail_next(1, Fault::ServerError(503));
    t.fake.fail_next(1, Fault::ServerError(500));

    let result = t.synced(&source).await;

    assert_eq!(counts(&result), [1, 1, 0, 0, 0]);
    assert_eq!(t.fake.list_calls(), 3);
}

#[tokio::test]
async fn an_expired_page_token_restarts_the_listing_without_losing_meetings() {
    let t = zoom_test().await;
    let spacing = chrono::Duration::minutes(5);
    t.fake
        .generate_meetings(320, hours_ago(30), spacing, 5_000_000);
    let source = t.ana_source(json!({})).await;
    t.fake.fail_next(1, Fault::ExpirePageToken);

    let result = t.synced(&source).await;

    assert_eq!(counts(&result), [320, 320, 0, 0, 0]);
    assert_eq!(
        t.fake.list_calls(),
        4,
        "page 1, page 2 refused, then both again"
    );
    assert_eq!(t.stored(&source).await.len(), 320);
}

#[tokio::test]
async fn wrong_zoom_credentials_fail_the_test_and_the_sync_with_zooms_reason() {
    let t = zoom_test().await;
    let credential = t
        .credential(&t.ana, "zoom_s2s", s2s_secrets("wrong-secret-value"))
        .await;
    let source = t.source(&t.ana, &credential, json!({})).await;

    let tested = t
        .app
        .post(
            &format!("/api/v1/credentials/{credential}/test"),
            &t.ana,
            json!({}),
        )
        .await;
    let status = t.sync(&source).await;

    assert_eq!(
        tested.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        tested.body
    );
    assert_eq!(tested.error_code(), "invalid-credentials");
    let message = tested.body["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("Invalid client_id or client_secret"),
        "{message}"
    );
    let error = status["last_error"].as_str().expect("the sync failed");
    assert!(
        error.contains("Invalid client_id or client_secret"),
        "{error}"
    );
    assert!(status["last_result"].is_null());
    for text in [tested.body.to_string(), status.to_string()] {
        assert!(!text.contains("wrong-secret-value"), "{text}");
    }
    assert!(t.stored(&source).await.is_empty());
}

#[tokio::test]
async fn a_credential_test_passes_for_good_zoom_credentials_and_is_not_implemented_elsewhere() {
    let t = zoom_test().await;
    let (_, bob) = t.app.create_user("bob@example.com", None).await;
    let zoom = t
        .credential(&t.ana, "zoom_s2s", s2s_secrets(CLIENT_SECRET))
        .await;
    let google = t
        .credential(
            &t.ana,
            "google",
            json!({"client_id": "g", "client_secret": "gs", "refresh_token": "gr"}),
        )
        .await;
    let vk = t
        .credential(&t.ana, "vk", json!({"access_token": "vk-token"}))
        .await;
    let test = |id: &str| format!("/api/v1/credentials/{id}/test");

    let ok = t.app.post(&test(&zoom), &t.ana, json!({})).await;
    let google = t.app.post(&test(&google), &t.ana, json!({})).await;
    let vk = t.app.post(&test(&vk), &t.ana, json!({})).await;
    let as_bob = t.app.post(&test(&zoom), &bob, json!({})).await;

    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body, json!({"ok": true}));
    for answer in [&google, &vk] {
        assert_eq!(answer.status, StatusCode::NOT_IMPLEMENTED);
        assert_eq!(answer.error_code(), "not-implemented");
    }
    assert_eq!(as_bob.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.fake.token_requests(),
        1,
        "only ana's zoom credential reached zoom"
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_is_saved_and_the_old_one_is_never_needed_again() {
    let t = zoom_test().await;
    t.fake
        .add_user_oauth("user-client", "user-client-secret", "refresh-original");
    let credential = t
        .credential(
            &t.ana,
            "zoom_oauth",
            json!({"client_id": "user-client", "client_secret": "user-client-secret",
                "refresh_token": "refresh-original"}),
        )
        .await;
    let source = t.source(&t.ana, &credential, json!({})).await;
    t.fake.add_meeting(plain_meeting("Monday", hours_ago(20)));
    t.synced(&source).await;
    let after_first = stored_refresh_token(&t, &credential).await;
    t.fake.add_meeting(plain_meeting("Tuesday", hours_ago(2)));

    t.fake.expire_tokens_now();
    let second = t.synced(&source).await;
    let after_second = stored_refresh_token(&t, &credential).await;
    let fresh_process = fresh_client(&t);
    let stored_works = test_with(&t, &fresh_process, &credential, None).await;
    let original_works = test_with(&t, &fresh_process, &credential, Some("refresh-original")).await;

    assert_ne!(
        after_first, "refresh-original",
        "the first refresh rotated it"
    );
    assert_ne!(
        after_second, after_first,
        "the refresh after expiry rotated it again"
    );
    assert_eq!(counts(&second), [2, 1, 0, 0, 0]);
    assert!(stored_works.is_ok(), "{stored_works:?}");
    let refused = original_works.expect_err("zoom refuses a used refresh token");
    assert!(refused.contains("Invalid Token!"), "{refused}");
}

/// The refresh token currently sealed in the credential.
async fn stored_refresh_token(t: &ZoomTest, credential: &str) -> String {
    let key = t.app.state.secrets.as_deref().expect("a secret key");
    let stored = credential_of(t, credential).await;
    let secrets = credentials::open(key, &stored).expect("opens");
    secrets["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned()
}

async fn credential_of(t: &ZoomTest, credential: &str) -> recflow_store::Credential {
    let id: Uuid = credential.parse().expect("id");
    let owner = t
        .app
        .state
        .store
        .find_user_by_email("ana@example.com")
        .await
        .expect("ana")
        .id;
    t.app
        .state
        .store
        .get_credential(owner, id)
        .await
        .expect("credential")
}

/// A Zoom client with an empty token cache, as a restarted process would have.
fn fresh_client(t: &ZoomTest) -> recflow_zoom::ZoomClient {
    let config = recflow_zoom::ZoomConfig {
        oauth_url: t.fake.base_url(),
        api_url: t.fake.api_url(),
    };
    recflow_zoom::ZoomClient::new(reqwest::Client::new(), config)
}

/// Tests the stored credential with `client`, optionally with another refresh token.
async fn test_with(
    t: &ZoomTest,
    client: &recflow_zoom::ZoomClient,
    credential: &str,
    refresh_token: Option<&str>,
) -> Result<(), String> {
    let stored = credential_of(t, credential).await;
    let mut zoom = access::from_stored(&t.app.state, stored).expect("opens");
    if let (Some(token), recflow_zoom::ZoomCredential::UserOAuth { refresh_token, .. }) =
        (refresh_token, &mut zoom.credential)
    {
        *refresh_token = token.to_owned();
    }
    let key = format!("fresh-{}", Uuid::now_v7());
    client
        .test_credentials(&key, &zoom.credential, &zoom.tokens, "me")
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_signed_recording_completed_creates_each_segment_once_even_when_replayed() {
    let t = zoom_test().await;
    let uuid = t.fake.add_meeting(
        FakeMeeting::new("Weekly sync", hours_ago(3))
            .duration_minutes(60)
            .mp4_segments(2, 30_000_000),
    );
    let source = t.ana_source(json!({})).await;
    let body = t.fake.recording_completed_event(&uuid).expect("event");
    let download_token = serde_json::from_str::<Value>(&body).expect("json")["download_token"]
        .as_str()
        .expect("download token")
        .to_owned();

    let first = t.webhook(&source, &body, WEBHOOK_SECRET, Utc::now()).await;
    let created = t.recordings(&source).await;
    let replay = t.webhook(&source, &body, WEBHOOK_SECRET, Utc::now()).await;
    let after_replay = t.recordings(&source).await;
    let sync = t.synced(&source).await;
    let after_sync = t.recordings(&source).await;
    let stored = t.stored(&source).await;

    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(
        (
            first.body["new"].as_u64(),
            first.body["recordings"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(created.len(), 2);
    assert!(created.iter().all(|r| r["status"] == "INITIALIZED"));
    assert_eq!(replay.status, StatusCode::OK);
    assert_eq!(
        (replay.body["new"].as_u64(), replay.body["updated"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(after_replay, created, "a replay writes nothing");
    assert_eq!(
        counts(&sync),
        [2, 0, 0, 0, 0],
        "the sync finds the same keys"
    );
    assert_eq!(after_sync, created);

    let key = t.app.state.secrets.as_deref().expect("key");
    let source_row = t
        .app
        .state
        .store
        .get_source_unscoped(source.parse().expect("id"))
        .await
        .expect("source");
    for row in &stored {
        let meta = row.source_meta.to_string();
        assert!(
            !meta.contains(&download_token),
            "clear download token in {meta}"
        );
        let sealed = row.source_meta[mapping::DOWNLOAD_TOKEN_KEY]
            .as_str()
            .expect("sealed token");
        assert_eq!(
            access::open_download_token(key, &source_row, sealed).as_deref(),
            Some(download_token.as_str())
        );
    }
    for text in [
        first.body.to_string(),
        t.recordings(&source).await[0].to_string(),
    ] {
        assert!(!text.contains(&download_token));
    }
}

#[tokio::test]
async fn webhooks_without_a_valid_recent_signature_are_refused_and_store_nothing() {
    let t = zoom_test().await;
    let uuid = t.fake.add_meeting(plain_meeting("Monday", hours_ago(3)));
    let source = t.ana_source(json!({})).await;
    let body = t.fake.recording_completed_event(&uuid).expect("event");

    let wrong_secret = t
        .webhook(&source, &body, "not-the-secret", Utc::now())
        .await;
    let stale = t
        .webhook(
            &source,
            &body,
            WEBHOOK_SECRET,
            Utc::now() - chrono::Duration::minutes(6),
        )
        .await;
    let unsigned = t.raw_webhook(&source, &body, &[]).await;
    let (timestamp, signature) = signed_headers(WEBHOOK_SECRET.as_bytes(), Utc::now(), b"{}");
    let other_body = t
        .raw_webhook(
            &source,
            &body,
            &[
                ("x-zm-request-timestamp", timestamp.as_str()),
                ("x-zm-signature", signature.as_str()),
            ],
        )
        .await;

    for answer in [&wrong_secret, &stale, &unsigned, &other_body] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
        assert_eq!(answer.error_code(), "invalid-webhook-signature");
    }
    assert!(t.stored(&source).await.is_empty());
}

#[tokio::test]
async fn url_validation_is_answered_only_when_signed() {
    let t = zoom_test().await;
    let credential = t
        .credential(&t.ana, "zoom_s2s", s2s_secrets(CLIENT_SECRET))
        .await;
    // The secret, plain token and answer of the shared test vector
    // (`recflow-zoom/tests/fixtures/zoom-webhook-signature-vectors.json`).
    let source = t
        .source(
            &t.ana,
            &credential,
            json!({"webhook_secret": "FakeWebhookSecretToken0001"}),
        )
        .await;
    let body = FakeZoom::url_validation_event("qgg8vlvZRS6UYooatFL8Aw");

    let unsigned = t.raw_webhook(&source, &body, &[]).await;
    let signed = t
        .webhook(&source, &body, "FakeWebhookSecretToken0001", Utc::now())
        .await;

    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);
    assert!(unsigned.body.get("encryptedToken").is_none());
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(
        signed.body,
        json!({"plainToken": "qgg8vlvZRS6UYooatFL8Aw",
            "encryptedToken": "9b3484706ec398116c205beb9da475584423e7f7d92778df876f1e26de751210"})
    );
}

#[tokio::test]
async fn a_signed_but_malformed_event_is_refused_and_stores_nothing() {
    let t = zoom_test().await;
    let source = t.ana_source(json!({})).await;
    let incomplete = json!({"event": "recording.completed", "event_ts": 1_741_000_000_123_i64,
        "payload": {"account_id": "x"}})
    .to_string();

    let not_json = t
        .webhook(&source, "this is not json", WEBHOOK_SECRET, Utc::now())
        .await;
    let without_object = t
        .webhook(&source, &incomplete, WEBHOOK_SECRET, Utc::now())
        .await;

    assert_eq!(
        not_json.status,
        StatusCode::BAD_REQUEST,
        "{}",
        not_json.body
    );
    assert_eq!(not_json.error_code(), "malformed-webhook");
    assert_eq!(without_object.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(without_object.error_code(), "invalid-webhook");
    assert!(t.stored(&source).await.is_empty());
}

#[tokio::test]
async fn webhooks_for_unknown_or_unconfigured_sources_are_refused() {
    let t = zoom_test().await;
    let (_, bob) = t.app.create_user("bob@example.com", None).await;
    let uuid = t.fake.add_meeting(plain_meeting("Monday", hours_ago(3)));
    let body = t.fake.recording_completed_event(&uuid).expect("event");
    let ana_source = t.ana_source(json!({})).await;
    let bob_credential = t
        .credential(&bob, "zoom_s2s", s2s_secrets(CLIENT_SECRET))
        .await;
    let bob_source = t
        .source(
            &bob,
            &bob_credential,
            json!({"webhook_secret": "bob-secret"}),
        )
        .await;
    let no_secret = t.source(&bob, &bob_credential, json!({})).await;

    let unknown = t
        .webhook(
            &Uuid::now_v7().to_string(),
            &body,
            WEBHOOK_SECRET,
            Utc::now(),
        )
        .await;
    let malformed_id = t
        .webhook("not-an-id", &body, WEBHOOK_SECRET, Utc::now())
        .await;
    let ana_secret_on_bob = t
        .webhook(&bob_source, &body, WEBHOOK_SECRET, Utc::now())
        .await;
    let unconfigured = t
        .webhook(&no_secret, &body, WEBHOOK_SECRET, Utc::now())
        .await;

    for answer in [&unknown, &malformed_id, &ana_secret_on_bob, &unconfigured] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.body);
        assert_eq!(answer.error_code(), "invalid-webhook-signature");
    }
    for source in [&ana_source, &bob_source, &no_secret] {
        assert!(t.stored(source).await.is_empty());
    }
}

#[tokio::test]
async fn other_events_are_acknowledged_and_process_on_webhook_is_recorded() {
    let t = zoom_test().await;
    let uuid = t.fake.add_meeting(plain_meeting("Monday", hours_ago(3)));
    let source = t.ana_source(json!({"process_on_webhook": true})).await;
    let started = json!({"event": "recording.started", "event_ts": 1_741_000_000_123_i64,
        "payload": {"account_id": "x", "object": {"uuid": uuid}}})
    .to_string();
    let completed = t.fake.recording_completed_event(&uuid).expect("event");

    let ignored = t
        .webhook(&source, &started, WEBHOOK_SECRET, Utc::now())
        .await;
    let nothing_yet = t.stored(&source).await;
    let accepted = t
        .webhook(&source, &completed, WEBHOOK_SECRET, Utc::now())
        .await;
    let stored = t.stored(&source).await;

    assert_eq!(ignored.status, StatusCode::OK, "{}", ignored.body);
    assert_eq!(ignored.body["ignored"], true);
    assert!(nothing_yet.is_empty());
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].source_meta[mapping::PROCESS_REQUESTED_KEY], true);
}
