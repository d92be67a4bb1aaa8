//! Chunks and status queries on a session URI (`PUT`, or `POST` as the Go client sends):
//! `Content-Range: bytes a-b/N` carries data, `bytes */N` asks for progress. Non-final chunks
//! must be multiples of 256 KiB; progress is answered with 308 and `Range: bytes=0-K`, or no
//! `Range` at all while nothing is persisted; the last byte creates the video (201).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use super::Shared;
use super::fault::{self, YoutubeFault};
use super::state::{Faults, Session, State as FakeState, StoredVideo, video_id};
use super::upload::bearer_is_valid;

/// Google's chunk granularity.
const GRANULE: u64 = 256 * 1024;

/// What a `Content-Range` header asks.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ContentRange {
    /// `bytes */N`: how far along is the session?
    Query { total: Option<u64> },
    /// `bytes a-b/N` (N may be `*`).
    Data {
        first: u64,
        last: u64,
        total: Option<u64>,
    },
}

/// `PUT` on the videos upload path.
pub(crate) async fn put_videos(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match query.get("upload_id") {
        Some(upload_id) => receive_after_latency(&shared, upload_id, &headers, &body).await,
        None => fault::bad_request("badRequest", "PUT needs an upload_id."),
    }
}

/// [`receive`] after the latency a test set with `FakeYoutube::set_chunk_latency`, so a
/// test can act while an upload is under way.
pub(crate) async fn receive_after_latency(
    shared: &Shared,
    upload_id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let latency = shared.lock().chunk_latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    receive(shared, upload_id, headers, body)
}

/// Handles one request on a session URI.
pub(crate) fn receive(
    shared: &Shared,
    upload_id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let mut state = shared.lock();
    state.counters.bytes_received += body.len() as u64;
    if !bearer_is_valid(&state, headers, false) {
        return fault::invalid_credentials();
    }
    let range = match headers.get(header::CONTENT_RANGE).map(|v| v.to_str()) {
        None => ContentRange::Data {
            first: 0,
            last: (body.len() as u64).saturating_sub(1),
            total: Some(body.len() as u64),
        },
        Some(Ok(text)) => match parse_content_range(text) {
            Some(range) => range,
            None => {
                return fault::bad_request("badRequest", "Failed to parse Content-Range header.");
            }
        },
        Some(Err(_)) => {
            return fault::bad_request("badRequest", "Failed to parse Content-Range header.");
        }
    };
    match state.sessions.get(upload_id) {
        None => return fault::session_not_found(),
        Some(session) if session.dead => return fault::session_not_found(),
        Some(_) => {}
    }
    match range {
        ContentRange::Query { total } => {
            state.counters.status_queries += 1;
            let state = &mut *state;
            let session = state.sessions.get(upload_id).expect("checked above");
            if total.is_some_and(|t| t != session.total) {
                return fault::bad_request(
                    "badRequest",
                    "The total size does not match the session.",
                );
            }
            progress(&state.videos, session, upload_id)
        }
        ContentRange::Data { first, last, total } => {
            state.counters.chunk_requests += 1;
            data_chunk(&mut state, upload_id, first, last, total, body)
        }
    }
}

fn data_chunk(
    state: &mut FakeState,
    upload_id: &str,
    first: u64,
    last: u64,
    total: Option<u64>,
    body: &[u8],
) -> Response {
    let session_total = state.sessions.get(upload_id).map_or(0, |s| s.total);
    if let Some(response) = check_chunk(first, last, total, body.len() as u64, session_total) {
        return response;
    }
    let mut keep = body.len() as u64;
    match Faults::take(&mut state.faults.chunk) {
        Some(YoutubeFault::ServerError(status)) => return fault::server_error(status),
        Some(YoutubeFault::RateLimitExceeded) => return fault::rate_limit_exceeded(),
        Some(YoutubeFault::ExpireSession) => {
            if let Some(session) = state.sessions.get_mut(upload_id) {
                session.dead = true;
            }
            return fault::session_not_found();
        }
        Some(YoutubeFault::PersistFewer(fewer)) => keep = keep.saturating_sub(fewer),
        _ => {}
    }

    let processed = !state.keep_processing;
    let videos = &mut state.videos;
    let Some(session) = state.sessions.get_mut(upload_id) else {
        return fault::session_not_found();
    };
    if session.video_id.is_some() {
        return progress(videos, session, upload_id);
    }
    let held = session.persisted.len() as u64;
    if first > held {
        return fault::bad_request(
            "badRequest",
            "Invalid request. The Content-Range starts after the bytes received so far.",
        );
    }
    // Bytes the session already holds are skipped, as Google does for a resent chunk.
    let skip = usize::try_from(held - first).unwrap_or(usize::MAX);
    let end = usize::try_from(keep).unwrap_or(usize::MAX);
    if skip < end {
        session.persisted.extend_from_slice(&body[skip..end]);
    }
    if session.persisted.len() as u64 == session.total {
        let id = video_id();
        videos.push(StoredVideo {
            id: id.clone(),
            resource: session.resource.clone(),
            content: std::mem::take(&mut session.persisted),
            processed,
        });
        session.video_id = Some(id);
    }
    progress(videos, session, upload_id)
}

/// The reason a data chunk is refused, if it is.
fn check_chunk(
    first: u64,
    last: u64,
    total: Option<u64>,
    len: u64,
    session_total: u64,
) -> Option<Response> {
    if total.is_some_and(|t| t != session_total) {
        return Some(fault::bad_request(
            "badRequest",
            "The total size does not match the session.",
        ));
    }
    if last < first || last - first + 1 != len {
        return Some(fault::bad_request(
            "badRequest",
            "Content-Range does not match the body length.",
        ));
    }
    if last >= session_total {
        return Some(fault::bad_request(
            "badRequest",
            "Content-Range goes past the announced size.",
        ));
    }
    let is_final = last + 1 == session_total;
    if !is_final && !len.is_multiple_of(GRANULE) {
        return Some(fault::bad_request(
            "badRequest",
            "Invalid request. Every chunk but the last must be a multiple of 262144 bytes.",
        ));
    }
    None
}

/// 201 with the video when finished, else 308 with the persisted `Range` (none when empty).
fn progress(videos: &[StoredVideo], session: &Session, upload_id: &str) -> Response {
    if let Some(id) = &session.video_id {
        let resource = videos
            .iter()
            .find(|v| &v.id == id)
            .map_or(Value::Null, video_json);
        return (StatusCode::CREATED, Json(resource)).into_response();
    }
    let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
    let headers = response.headers_mut();
    let held = session.persisted.len();
    if held > 0 {
        let range = format!("bytes=0-{}", held - 1);
        if let Ok(value) = HeaderValue::from_str(&range) {
            headers.insert(header::RANGE, value);
        }
    }
    if let Ok(value) = HeaderValue::from_str(upload_id) {
        headers.insert("x-guploader-uploadid", value);
    }
    response
}

/// The `youtube#video` resource of a stored video, as videos.insert returns it.
pub(crate) fn video_json(video: &StoredVideo) -> Value {
    let snippet = &video.resource["snippet"];
    let status = &video.resource["status"];
    json!({
        "kind": "youtube#video",
        "etag": format!("FakeEtag{}", video.id),
        "id": video.id,
        "snippet": {
            "publishedAt": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "channelId": "UCFakeChannel0000000000A",
            "title": snippet["title"],
            "description": snippet["description"],
            "channelTitle": "Fake Channel",
            "tags": snippet["tags"],
            "categoryId": snippet["categoryId"],
            "liveBroadcastContent": "none",
        },
        "status": {
            "uploadStatus": if video.processed { "processed" } else { "uploaded" },
            "privacyStatus": status["privacyStatus"].as_str().unwrap_or("public"),
            "license": "youtube",
            "embeddable": true,
            "publicStatsViewable": true,
            "selfDeclaredMadeForKids": status["selfDeclaredMadeForKids"].as_bool().unwrap_or(false),
        },
    })
}

/// Parses `bytes a-b/N`, `bytes a-b/*` and `bytes */N`.
pub(crate) fn parse_content_range(text: &str) -> Option<ContentRange> {
    let spec = text.trim().strip_prefix("bytes ")?;
    let (range, total) = spec.split_once('/')?;
    let total = match total {
        "*" => None,
        n => Some(n.parse::<u64>().ok()?),
    };
    if range == "*" {
        return Some(ContentRange::Query { total });
    }
    let (first, last) = range.split_once('-')?;
    Some(ContentRange::Data {
        first: first.parse().ok()?,
        last: last.parse().ok()?,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_parse_in_all_three_forms() {
        assert_eq!(
            parse_content_range("bytes 0-262143/1000000"),
            Some(ContentRange::Data {
                first: 0,
                last: 262_143,
                total: Some(1_000_000)
            })
        );
        assert_eq!(
            parse_content_range("bytes 5-9/*"),
            Some(ContentRange::Data {
                first: 5,
                last: 9,
                total: None
            })
        );
        assert_eq!(
            parse_content_range("bytes */42"),
            Some(ContentRange::Query { total: Some(42) })
        );
    }

    #[test]
    fn an_empty_file_range_does_not_parse() {
        assert_eq!(parse_content_range("bytes 0--1/0"), None);
        assert_eq!(parse_content_range("0-1/2"), None);
    }
}
