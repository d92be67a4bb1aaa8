//! The download host and CDN: 302 to a signed link, ranges, and the 200 HTML error page.

use std::io::Write;

use recflow_fakes::zoom::webhook::sign;
use recflow_fakes::{FakeFile, FakeMeeting, FakeZoom, Fault, Media};
use serde_json::Value;

use crate::support::*;

/// Adds a meeting with one MP4 and returns its download_url as listed.
async fn download_url_of(
    fake: &FakeZoom,
    http: &reqwest::Client,
    token: &str,
    media: Media,
) -> String {
    fake.add_meeting(FakeMeeting::new("m", at("2025-03-10T09:00:00Z")).file(FakeFile::mp4(media)));
    let url = format!(
        "{}/users/me/recordings?from=2025-03-01&to=2025-03-31",
        fake.api_url()
    );
    let body: Value = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    body["meetings"][0]["recording_files"][0]["download_url"]
        .as_str()
        .expect("download_url")
        .to_owned()
}

async fn location(http: &reqwest::Client, url: &str, token: &str) -> String {
    let response = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status().as_u16(), 302);
    response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned()
}

#[tokio::test]
async fn a_bearer_download_redirects_to_a_signed_cdn_link_that_serves_the_bytes() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;
    let url = download_url_of(&fake, &http, &token, Media::Bytes(b"0123456789".to_vec())).await;

    let cdn_link = location(&http, &url, &token).await;
    let response = http.get(&cdn_link).send().await.expect("answers");

    assert!(cdn_link.starts_with(&format!("{}/cdn/", fake.cdn_url())));
    assert!(cdn_link.contains(".mp4?sig="));
    assert_eq!(response.headers()["content-type"], "video/mp4");
    assert_eq!(
        response.bytes().await.expect("body").as_ref(),
        b"0123456789"
    );
}

#[tokio::test]
async fn the_cdn_serves_byte_ranges() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;
    let url = download_url_of(&fake, &http, &token, Media::Synthetic(1000)).await;
    let cdn_link = location(&http, &url, &token).await;

    let response = http
        .get(&cdn_link)
        .header("range", "bytes=500-")
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    let content_range = response.headers()["content-range"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let body = response.bytes().await.expect("body");

    assert_eq!(status, 206);
    assert_eq!(content_range, "bytes 500-999/1000");
    assert_eq!(body.len(), 500);
    assert_eq!(body[0], Media::synthetic_byte(500));
}

#[tokio::test]
async fn a_media_file_on_disk_is_streamed() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(&[7u8; 3000]).expect("write");
    let url = download_url_of(&fake, &http, &token, Media::File(file.path().to_owned())).await;
    let cdn_link = location(&http, &url, &token).await;

    let body = http
        .get(&cdn_link)
        .header("range", "bytes=0-99")
        .send()
        .await
        .expect("answers")
        .bytes()
        .await
        .expect("body");

    assert_eq!(body.as_ref(), &[7u8; 100][..]);
}

#[tokio::test]
async fn a_bad_token_or_a_query_string_token_gets_the_200_html_page() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;
    let url = download_url_of(&fake, &http, &token, Media::Synthetic(10)).await;

    let bad = http
        .get(&url)
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("answers");
    let query = http
        .get(format!("{url}?access_token={token}"))
        .send()
        .await
        .expect("answers");

    for response in [bad, query] {
        assert_eq!(response.status().as_u16(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .expect("ascii")
                .starts_with("text/html")
        );
    }
}

#[tokio::test]
async fn a_deleted_file_gets_the_200_html_page() {
    let (fake, http) = start().await;
    fake.add_meeting(
        FakeMeeting::new("m", at("2025-03-10T09:00:00Z"))
            .file(FakeFile::mp4(Media::Synthetic(10)).id("file-1")),
    );
    let token = s2s_token(&fake, &http).await;
    let url = format!(
        "{}/users/me/recordings?from=2025-03-01&to=2025-03-31",
        fake.api_url()
    );
    let body: Value = http
        .get(url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    let download_url = body["meetings"][0]["recording_files"][0]["download_url"]
        .as_str()
        .expect("url")
        .to_owned();

    fake.delete_file("file-1");
    let response = http
        .get(&download_url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("answers");

    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn faults_replace_media_with_html_or_truncate_it() {
    let (fake, http) = start().await;
    let token = s2s_token(&fake, &http).await;
    let url = download_url_of(&fake, &http, &token, Media::Synthetic(1000)).await;
    fake.fail_next(1, Fault::HtmlInsteadOfMedia);
    fake.fail_next(1, Fault::TruncatedMedia);

    let html = http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("answers");
    let cdn_link = location(&http, &url, &token).await;
    let truncated = http
        .get(&cdn_link)
        .send()
        .await
        .expect("answers")
        .bytes()
        .await
        .expect("body");

    assert!(
        html.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    assert_eq!(truncated.len(), 500);
    assert_eq!(fake.download_requests(), 2);
}

#[tokio::test]
async fn the_webhook_download_token_is_accepted_by_the_download_host() {
    let (fake, http) = start().await;
    let uuid =
        fake.add_meeting(FakeMeeting::new("m", at("2025-03-10T09:00:00Z")).mp4_segments(1, 10));

    let body = fake
        .recording_completed_event(&uuid)
        .expect("meeting exists");
    let event: Value = serde_json::from_str(&body).expect("json");
    let download_token = event["download_token"]
        .as_str()
        .expect("top-level download_token");
    let url = event["payload"]["object"]["recording_files"][0]["download_url"]
        .as_str()
        .expect("url");
    let response = http
        .get(url)
        .bearer_auth(download_token)
        .send()
        .await
        .expect("answers");

    assert_eq!(response.status().as_u16(), 302);
    assert!(sign(b"secret", 1, body.as_bytes()).starts_with("v0="));
}
