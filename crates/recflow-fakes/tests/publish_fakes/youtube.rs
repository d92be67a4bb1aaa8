//! The fake YouTube: token endpoint, resumable upload protocol, faults and playlist inserts.

use recflow_fakes::{FakeYoutube, YoutubeFault};
use reqwest::redirect::Policy;
use reqwest::{Client, Response};
use serde_json::{Value, json};

const CHUNK: usize = 256 * 1024;

struct Setup {
    fake: FakeYoutube,
    http: Client,
    token: String,
}

async fn setup() -> Setup {
    let fake = FakeYoutube::start().await;
    fake.add_credentials("cid", "csecret", "refresh-1");
    let http = Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client builds");
    let (_, body) = refresh(&fake, &http, "refresh-1").await;
    let token = body["access_token"].as_str().expect("a token").to_owned();
    Setup { fake, http, token }
}

async fn refresh(fake: &FakeYoutube, http: &Client, refresh_token: &str) -> (u16, Value) {
    let form = [
        ("client_id", "cid"),
        ("client_secret", "csecret"),
        ("refresh_token", refresh_token),
        ("grant_type", "refresh_token"),
    ];
    let response = http
        .post(format!("{}/token", fake.oauth_url()))
        .form(&form)
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

fn resource() -> Value {
    json!({
        "snippet": {"title": "Weekly sync", "categoryId": "27"},
        "status": {"privacyStatus": "unlisted"},
    })
}

/// Initiates a session for `total` bytes and returns its URI.
async fn initiate(s: &Setup, total: usize) -> String {
    let response = s
        .http
        .post(format!(
            "{}/videos?uploadType=resumable&part=snippet,status",
            s.fake.upload_url()
        ))
        .bearer_auth(&s.token)
        .header("X-Upload-Content-Length", total)
        .header("X-Upload-Content-Type", "video/mp4")
        .json(&resource())
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 200);
    response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

async fn put(s: &Setup, uri: &str, range: &str, body: Vec<u8>) -> Response {
    s.http
        .put(uri)
        .bearer_auth(&s.token)
        .header("Content-Range", range)
        .body(body)
        .send()
        .await
        .expect("answers")
}

fn range_of(response: &Response) -> Option<String> {
    response
        .headers()
        .get("range")
        .map(|v| v.to_str().expect("ascii").to_owned())
}

#[tokio::test]
async fn a_refresh_returns_no_new_refresh_token_and_a_revoked_one_is_invalid_grant() {
    let s = setup().await;

    let (ok_status, ok) = refresh(&s.fake, &s.http, "refresh-1").await;
    s.fake.revoke_refresh_token("refresh-1");
    let (revoked_status, revoked) = refresh(&s.fake, &s.http, "refresh-1").await;

    assert_eq!(ok_status, 200);
    assert_eq!(ok["token_type"], "Bearer");
    assert!(ok.get("refresh_token").is_none());
    assert_eq!(revoked_status, 400);
    assert_eq!(revoked["error"], "invalid_grant");
    assert_eq!(
        revoked["error_description"],
        "Token has been expired or revoked."
    );
}

#[tokio::test]
async fn initiation_requires_the_upload_headers_and_a_token() {
    let s = setup().await;
    let url = format!(
        "{}/videos?uploadType=resumable&part=snippet,status",
        s.fake.upload_url()
    );

    let no_headers = s
        .http
        .post(&url)
        .bearer_auth(&s.token)
        .json(&resource())
        .send()
        .await;
    let no_token = s
        .http
        .post(&url)
        .header("X-Upload-Content-Length", 10)
        .header("X-Upload-Content-Type", "video/mp4")
        .json(&resource())
        .send()
        .await;
    let uri = initiate(&s, 10).await;

    assert_eq!(no_headers.expect("answers").status().as_u16(), 400);
    assert_eq!(no_token.expect("answers").status().as_u16(), 401);
    assert!(uri.starts_with(&s.fake.upload_url()) && uri.contains("upload_id="));
    assert_eq!(s.fake.sessions_started(), 1);
}

#[tokio::test]
async fn chunks_are_acknowledged_with_range_and_the_last_creates_the_video() {
    let s = setup().await;
    let total = CHUNK + 10;
    let uri = initiate(&s, total).await;

    let empty = put(&s, &uri, &format!("bytes */{total}"), Vec::new()).await;
    let first = put(
        &s,
        &uri,
        &format!("bytes 0-{}/{total}", CHUNK - 1),
        vec![1; CHUNK],
    )
    .await;
    let last = put(
        &s,
        &uri,
        &format!("bytes {CHUNK}-{}/{total}", total - 1),
        vec![2; 10],
    )
    .await;
    let status = last.status().as_u16();
    let video: Value = last.json().await.expect("video json");
    let again = put(&s, &uri, &format!("bytes */{total}"), Vec::new()).await;

    assert_eq!((empty.status().as_u16(), range_of(&empty)), (308, None));
    assert_eq!(first.status().as_u16(), 308);
    assert_eq!(range_of(&first).as_deref(), Some("bytes=0-262143"));
    assert_eq!(status, 201);
    assert_eq!(video["kind"], "youtube#video");
    assert_eq!(video["id"].as_str().map(str::len), Some(11));
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(s.fake.videos_created(), 1);
    assert_eq!(s.fake.videos()[0].content.len(), total);
}

#[tokio::test]
async fn a_non_final_chunk_that_is_not_a_multiple_of_256_kib_is_refused() {
    let s = setup().await;
    let uri = initiate(&s, 3 * CHUNK).await;

    let odd = put(&s, &uri, "bytes 0-99999/786432", vec![0; 100_000]).await;
    let broken = put(&s, &uri, "bytes 0--1/0", Vec::new()).await;

    assert_eq!(odd.status().as_u16(), 400);
    assert_eq!(broken.status().as_u16(), 400);
    assert_eq!(s.fake.videos_created(), 0);
}

#[tokio::test]
async fn injected_faults_drop_bytes_fail_chunks_and_expire_sessions() {
    let s = setup().await;
    let total = 3 * CHUNK;
    let uri = initiate(&s, total).await;
    s.fake.fail_next(1, YoutubeFault::PersistFewer(100));
    s.fake.fail_next(1, YoutubeFault::ServerError(503));
    s.fake.fail_next(1, YoutubeFault::ExpireSession);

    let fewer = put(
        &s,
        &uri,
        &format!("bytes 0-{}/{total}", CHUNK - 1),
        vec![0; CHUNK],
    )
    .await;
    let failed = put(
        &s,
        &uri,
        &format!("bytes {}-{}/{total}", CHUNK - 100, 2 * CHUNK - 101),
        vec![0; CHUNK],
    )
    .await;
    let expired = put(
        &s,
        &uri,
        &format!("bytes {}-{}/{total}", CHUNK - 100, 2 * CHUNK - 101),
        vec![0; CHUNK],
    )
    .await;
    let after = put(&s, &uri, &format!("bytes */{total}"), Vec::new()).await;

    assert_eq!(range_of(&fewer).as_deref(), Some("bytes=0-262043"));
    assert_eq!(failed.status().as_u16(), 503);
    assert_eq!(expired.status().as_u16(), 404);
    assert_eq!(after.status().as_u16(), 404);
    assert_eq!(s.fake.bytes_received(), 3 * CHUNK as u64);
}

#[tokio::test]
async fn quota_and_upload_limit_faults_hit_the_initiation() {
    let s = setup().await;
    s.fake.fail_next(1, YoutubeFault::QuotaExceeded);
    s.fake.fail_next(1, YoutubeFault::UploadLimitExceeded);
    let url = format!(
        "{}/videos?uploadType=resumable&part=snippet,status",
        s.fake.upload_url()
    );
    let start = || {
        s.http
            .post(&url)
            .bearer_auth(&s.token)
            .header("X-Upload-Content-Length", 10)
            .header("X-Upload-Content-Type", "video/mp4")
            .json(&resource())
            .send()
    };

    let quota = start().await.expect("answers");
    let limit = start().await.expect("answers");
    let (quota_status, limit_status) = (quota.status().as_u16(), limit.status().as_u16());
    let quota: Value = quota.json().await.expect("json");
    let limit: Value = limit.json().await.expect("json");

    assert_eq!(quota_status, 403);
    assert_eq!(quota["error"]["errors"][0]["reason"], "quotaExceeded");
    assert_eq!(limit_status, 400);
    assert_eq!(limit["error"]["errors"][0]["reason"], "uploadLimitExceeded");
    assert_eq!(s.fake.sessions_started(), 0);
}

#[tokio::test]
async fn a_playlist_insert_of_a_processing_video_is_a_failed_precondition() {
    let s = setup().await;
    s.fake.add_playlist("PL1");
    s.fake.keep_videos_processing(true);
    let uri = initiate(&s, 10).await;
    let done = put(&s, &uri, "bytes 0-9/10", vec![0; 10]).await;
    let video: Value = done.json().await.expect("video json");
    let insert = || {
        s.http
            .post(format!("{}/playlistItems?part=snippet", s.fake.api_url()))
            .bearer_auth(&s.token)
            .json(&json!({"snippet": {
                "playlistId": "PL1",
                "resourceId": {"kind": "youtube#video", "videoId": video["id"]},
            }}))
            .send()
    };

    let early = insert().await.expect("answers");
    let early_status = early.status().as_u16();
    let early: Value = early.json().await.expect("json");
    s.fake.finish_processing(video["id"].as_str().expect("id"));
    let later = insert().await.expect("answers");

    assert_eq!(early_status, 400);
    assert_eq!(early["error"]["errors"][0]["reason"], "failedPrecondition");
    assert_eq!(later.status().as_u16(), 200);
    assert_eq!(s.fake.playlist_items("PL1").len(), 1);
}
