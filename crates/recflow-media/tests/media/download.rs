//! Downloads against the fake Zoom host: redirects, resume, and every failure Zoom is known for.

use std::path::{Path, PathBuf};
use std::time::Duration;

use recflow_media::download::{DownloadRequest, Error, download};

use crate::support::server::{API_HOST, CDN_HOST, EVIL_HOST, FakeZoom, GOOD_TOKEN};

/// Bigger than the 1 MiB write buffer, so several writes reach the disk.
const FILE_LEN: usize = 3 * 1024 * 1024 + 123;

fn request(server: &FakeZoom, path: &str, dest: &Path) -> DownloadRequest {
    DownloadRequest {
        url: server.url(API_HOST, path),
        bearer_token: Some(GOOD_TOKEN.to_owned()),
        expected_size: Some(server.file.len() as u64),
        allowed_hosts: vec!["*.zoom.test".to_owned()],
        dest: dest.to_path_buf(),
        timeout: Duration::from_secs(10),
    }
}

fn part_of(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

#[tokio::test]
async fn zoom_download_follows_the_cdn_redirect_and_sends_the_bearer_only_to_zoom() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");

    let outcome = download(&server.client(), request(&server, "/rec/download", &dest))
        .await
        .unwrap();

    assert_eq!(outcome.path, dest);
    assert_eq!(outcome.bytes, FILE_LEN as u64);
    assert_eq!(outcome.resumed_from, 0);
    assert_eq!(std::fs::read(&dest).unwrap(), *server.file);
    assert!(!part_of(&dest).exists());
    let seen = server.seen();
    let api = seen.iter().find(|s| s.host == API_HOST).unwrap();
    let cdn = seen.iter().find(|s| s.host == CDN_HOST).unwrap();
    assert_eq!(api.authorization.as_deref(), Some("Bearer good-token"));
    assert_eq!(cdn.path, "/cdn/file");
    assert_eq!(cdn.authorization, None);
    assert!(seen.iter().all(|s| !s.query.contains(GOOD_TOKEN)));
}

#[tokio::test]
async fn a_refused_token_gets_zoom_s_html_page_and_a_fatal_error() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");
    let request = DownloadRequest {
        bearer_token: Some("expired-token".to_owned()),
        ..request(&server, "/rec/download", &dest)
    };

    let error = download(&server.client(), request).await.unwrap_err();

    assert!(matches!(error, Error::HtmlPage { .. }), "{error:?}");
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("HTML page"));
    assert!(!dest.exists());
    assert!(
        !part_of(&dest).exists(),
        "an empty part file is left behind"
    );
}

#[tokio::test]
async fn an_html_page_labelled_as_binary_is_still_refused() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");
    let request = DownloadRequest {
        url: server.url(CDN_HOST, "/cdn/html-as-binary"),
        expected_size: None,
        ..request(&server, "", &dest)
    };

    let error = download(&server.client(), request).await.unwrap_err();

    assert!(matches!(error, Error::HtmlPage { .. }), "{error:?}");
    assert!(!dest.exists() && !part_of(&dest).exists());
}

#[tokio::test]
async fn a_redirect_to_a_host_off_the_list_is_refused_before_contacting_it() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");

    let error = download(&server.client(), request(&server, "/rec/evil", &dest))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::HostNotAllowed { ref host } if host == EVIL_HOST));
    assert!(!error.is_retryable());
    assert!(server.seen().iter().all(|s| s.host != EVIL_HOST));
}

#[tokio::test]
async fn a_body_shorter_than_announced_by_its_own_length_is_refused_before_reading() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");
    let request = DownloadRequest {
        url: server.url(CDN_HOST, "/cdn/short"),
        ..request(&server, "", &dest)
    };

    let error = download(&server.client(), request).await.unwrap_err();

    assert!(
        matches!(error, Error::SizeMismatch { expected, actual }
            if expected == FILE_LEN as u64 && actual == (FILE_LEN / 2) as u64),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(!dest.exists() && !part_of(&dest).exists());
}

#[tokio::test]
async fn a_complete_but_short_body_is_a_fatal_size_mismatch_and_its_bytes_are_dropped() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");
    let request = DownloadRequest {
        url: server.url(CDN_HOST, "/cdn/short-chunked"),
        ..request(&server, "", &dest)
    };

    let error = download(&server.client(), request).await.unwrap_err();

    assert!(matches!(error, Error::SizeMismatch { .. }), "{error:?}");
    assert!(!error.is_retryable());
    assert!(!dest.exists());
    assert!(
        !part_of(&dest).exists(),
        "a wrong part would be resumed later"
    );
}

#[tokio::test]
async fn a_503_is_retryable() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let request = DownloadRequest {
        url: server.url(CDN_HOST, "/cdn/unavailable"),
        ..request(&server, "", &dir.path().join("rec.mp4"))
    };

    let error = download(&server.client(), request).await.unwrap_err();

    assert!(
        matches!(error, Error::Status { status: 503, .. }),
        "{error:?}"
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn an_interrupted_download_resumes_where_it_stopped() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");
    let request = DownloadRequest {
        url: server.url(CDN_HOST, "/cdn/flaky"),
        ..request(&server, "", &dest)
    };

    let first = download(&server.client(), request.clone())
        .await
        .unwrap_err();
    let kept = std::fs::metadata(part_of(&dest)).unwrap().len();
    let second = download(&server.client(), request).await.unwrap();

    assert!(first.is_retryable(), "{first:?}");
    assert!(kept > 0 && kept < FILE_LEN as u64, "kept {kept} bytes");
    assert_eq!(second.resumed_from, kept);
    assert_eq!(std::fs::read(&dest).unwrap(), *server.file);
    let ranges: Vec<_> = server.seen().into_iter().map(|s| s.range).collect();
    assert_eq!(ranges, vec![None, Some(format!("bytes={kept}-"))]);
}

#[tokio::test]
async fn a_server_that_ignores_range_makes_the_download_start_over() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");
    std::fs::write(part_of(&dest), b"bytes from some other attempt").unwrap();
    let request = DownloadRequest {
        url: server.url(CDN_HOST, "/cdn/no-range"),
        ..request(&server, "", &dest)
    };

    let outcome = download(&server.client(), request).await.unwrap();

    assert_eq!(outcome.resumed_from, 0);
    assert_eq!(std::fs::read(&dest).unwrap(), *server.file);
}

#[tokio::test]
async fn a_part_that_is_already_complete_is_published_without_refetching() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.mp4");
    std::fs::write(part_of(&dest), &*server.file).unwrap();

    let outcome = download(&server.client(), request(&server, "/rec/download", &dest))
        .await
        .unwrap();

    assert_eq!(outcome.resumed_from, FILE_LEN as u64);
    assert_eq!(outcome.bytes, FILE_LEN as u64);
    assert_eq!(std::fs::read(&dest).unwrap(), *server.file);
}

#[tokio::test]
async fn a_stalled_body_times_out_and_is_retryable() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let request = DownloadRequest {
        url: server.url(CDN_HOST, "/cdn/stall"),
        expected_size: None,
        timeout: Duration::from_millis(300),
        ..request(&server, "", &dir.path().join("rec.mp4"))
    };

    let error = download(&server.client(), request).await.unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_redirect_loop_is_fatal() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let request = DownloadRequest {
        url: server.url(CDN_HOST, "/cdn/loop"),
        ..request(&server, "", &dir.path().join("rec.mp4"))
    };

    let error = download(&server.client(), request).await.unwrap_err();

    assert!(matches!(error, Error::TooManyRedirects), "{error:?}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn a_client_that_follows_redirects_itself_is_refused() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let client = server.resolving(reqwest::Client::builder());

    let error = download(
        &client,
        request(&server, "/rec/download", &dir.path().join("r.mp4")),
    )
    .await
    .unwrap_err();

    assert!(matches!(error, Error::ClientFollowsRedirects), "{error:?}");
}

#[tokio::test]
async fn errors_never_show_the_url_query() {
    let server = FakeZoom::start(FILE_LEN).await;
    let dir = tempfile::tempdir().unwrap();
    let request = DownloadRequest {
        url: format!("http://127.0.0.1:1/x?access_token={GOOD_TOKEN}"),
        allowed_hosts: vec!["127.0.0.1".to_owned()],
        ..request(&server, "", &dir.path().join("rec.mp4"))
    };

    let error = download(&server.client(), request).await.unwrap_err();

    let chain = error_chain(&error);
    assert!(
        error.is_retryable(),
        "a refused connection is retryable: {chain}"
    );
    assert!(!chain.contains(GOOD_TOKEN), "{chain}");
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
