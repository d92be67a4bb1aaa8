//! The download host and the CDN. `GET /rec/download/{key}` with a valid bearer token (an
//! API token or a download token) answers 302 to a signed link on the CDN listener; a bad
//! token or a deleted file gets Zoom's 200 `text/html` error page. The CDN serves the bytes
//! without auth and honours single `Range` requests.

use std::collections::HashMap;
use std::io::SeekFrom;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use futures::stream;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use super::Shared;
use super::fault::{Fault, html_error_page};
use super::ids;
use super::meeting::Media;
use super::state::{CdnLink, State as FakeState};

/// Signed links stay valid this long (Zoom's are short-lived too).
const LINK_LIFETIME_MINUTES: i64 = 10;

const SYNTHETIC_CHUNK: u64 = 64 * 1024;

pub(crate) async fn download(
    State(shared): State<Shared>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut state = shared.lock();
    state.counters.downloads += 1;
    if let Some(Fault::HtmlInsteadOfMedia) = state.faults.download.pop_front() {
        return html_error_page();
    }
    if !bearer_is_valid(&state, &headers) {
        return html_error_page();
    }
    let file_name = match state.file_by_download_key(&key) {
        Some((meeting, file)) if !meeting.trashed && !file.deleted && !file.processing => {
            file.file_name()
        }
        _ => return html_error_page(),
    };

    let signature = ids::opaque(40);
    let expires_at = Utc::now() + Duration::minutes(LINK_LIFETIME_MINUTES);
    let location = format!(
        "{}/cdn/{key}/{file_name}?sig={signature}&exp={}",
        state.cdn_url,
        expires_at.timestamp()
    );
    state.cdn_links.insert(
        signature,
        CdnLink {
            download_key: key,
            expires_at,
        },
    );
    match HeaderValue::from_str(&location) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub(crate) async fn cdn(
    State(shared): State<Shared>,
    Path((key, _name)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (media, size, content_type, truncate) = {
        let mut state = shared.lock();
        let signed = query
            .get("sig")
            .and_then(|sig| state.cdn_links.get(sig))
            .is_some_and(|link| link.download_key == key && link.expires_at > Utc::now());
        if !signed {
            return (
                StatusCode::FORBIDDEN,
                "Request has expired or the signature is invalid",
            )
                .into_response();
        }
        let truncate = matches!(state.faults.cdn.pop_front(), Some(Fault::TruncatedMedia));
        match state.file_by_download_key(&key) {
            Some((_, file)) if !file.deleted => (
                file.media.clone(),
                file.size,
                content_type(&file.file_extension),
                truncate,
            ),
            _ => return (StatusCode::NOT_FOUND, "Not Found").into_response(),
        }
    };

    let Some((start, end)) = requested_range(&headers, size) else {
        let range = format!("bytes */{size}");
        return (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, range)],
        )
            .into_response();
    };
    let full_length = end - start;
    let length = if truncate {
        full_length / 2
    } else {
        full_length
    };
    let partial = headers.contains_key(header::RANGE);

    let mut response = Response::new(media_body(media, start, length).await);
    *response.status_mut() = if partial {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if partial {
        let range = format!("bytes {start}-{}/{size}", end.saturating_sub(1));
        if let Ok(value) = HeaderValue::from_str(&range) {
            out.insert(header::CONTENT_RANGE, value);
        }
    }
    response
}

/// An unexpired API access token or download token in the Authorization header.
fn bearer_is_valid(state: &FakeState, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
    else {
        return false;
    };
    let now = Utc::now();
    let api = state
        .access_tokens
        .get(token)
        .is_some_and(|g| g.expires_at > now);
    let download = state
        .download_tokens
        .get(token)
        .is_some_and(|expires| *expires > now);
    api || download
}

/// The half-open byte range `[start, end)` to send: the whole file without `Range`, the
/// requested single range otherwise; `None` when it cannot be satisfied. Multiple ranges are
/// answered with the whole file, which HTTP allows.
fn requested_range(headers: &HeaderMap, size: u64) -> Option<(u64, u64)> {
    let Some(value) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) else {
        return Some((0, size));
    };
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return Some((0, size));
    }
    let (first, last) = spec.split_once('-')?;
    let (start, end) = match (first.trim(), last.trim()) {
        ("", suffix) => (size.saturating_sub(suffix.parse().ok()?), size),
        (first, "") => (first.parse().ok()?, size),
        (first, last) => (
            first.parse().ok()?,
            last.parse::<u64>().ok()?.saturating_add(1).min(size),
        ),
    };
    (start < end && start < size).then_some((start, end))
}

async fn media_body(media: Media, start: u64, length: u64) -> Body {
    match media {
        Media::Bytes(bytes) => {
            let range = usize::try_from(start).unwrap_or(usize::MAX)
                ..usize::try_from(start + length).unwrap_or(usize::MAX);
            Body::from(bytes.get(range).unwrap_or_default().to_vec())
        }
        Media::Synthetic(_) => {
            let chunks = (0..length.div_ceil(SYNTHETIC_CHUNK)).map(move |index| {
                let from = start + index * SYNTHETIC_CHUNK;
                let to = (from + SYNTHETIC_CHUNK).min(start + length);
                Ok::<_, std::io::Error>((from..to).map(Media::synthetic_byte).collect::<Vec<u8>>())
            });
            Body::from_stream(stream::iter(chunks))
        }
        Media::File(path) => match tokio::fs::File::open(&path).await {
            Ok(mut file) => match file.seek(SeekFrom::Start(start)).await {
                Ok(_) => Body::from_stream(ReaderStream::new(file.take(length))),
                Err(error) => Body::from_stream(stream::iter([Err::<Vec<u8>, _>(error)])),
            },
            Err(error) => Body::from_stream(stream::iter([Err::<Vec<u8>, _>(error)])),
        },
    }
}

fn content_type(extension: &str) -> &'static str {
    match extension.to_ascii_uppercase().as_str() {
        "MP4" => "video/mp4",
        "M4A" => "audio/mp4",
        "VTT" => "text/vtt",
        "TXT" => "text/plain",
        "JSON" => "application/json",
        "CSV" => "text/csv",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn ranges_are_read_as_half_open_intervals() {
        assert_eq!(requested_range(&HeaderMap::new(), 100), Some((0, 100)));
        assert_eq!(requested_range(&range("bytes=10-19"), 100), Some((10, 20)));
        assert_eq!(requested_range(&range("bytes=90-"), 100), Some((90, 100)));
        assert_eq!(requested_range(&range("bytes=-5"), 100), Some((95, 100)));
        assert_eq!(
            requested_range(&range("bytes=95-500"), 100),
            Some((95, 100))
        );
    }

    #[test]
    fn a_range_past_the_end_cannot_be_satisfied() {
        assert_eq!(requested_range(&range("bytes=100-"), 100), None);
        assert_eq!(requested_range(&range("bytes=abc"), 100), None);
    }
}
