//! Starting a resumable upload: `POST /upload/youtube/v3/videos?uploadType=resumable`.
//! Requires a Bearer token, `X-Upload-Content-Length`, `X-Upload-Content-Type` and a video
//! resource with a title and a category; answers 200 with an empty body and the session URI in
//! `Location`. The same path with `upload_id` carries chunks (see `chunk.rs`).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Shared;
use super::chunk;
use super::fault::{self, YoutubeFault};
use super::state::{Faults, Session, State as FakeState, random_text};

/// `POST` on the videos upload path: a chunk when `upload_id` is present, else an initiation.
pub(crate) async fn post_videos(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(upload_id) = query.get("upload_id") {
        return chunk::receive_after_latency(&shared, upload_id, &headers, &body).await;
    }
    initiate(&mut shared.lock(), &query, &headers, &body)
}

fn initiate(
    state: &mut FakeState,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    if !bearer_is_valid(state, headers, true) {
        return fault::invalid_credentials();
    }
    match Faults::take(&mut state.faults.initiate) {
        Some(YoutubeFault::QuotaExceeded) => return fault::quota_exceeded(),
        Some(YoutubeFault::UploadLimitExceeded) => return fault::upload_limit_exceeded(),
        _ => {}
    }
    if query.get("uploadType").map(String::as_str) != Some("resumable") {
        return fault::bad_request("badRequest", "The fake supports uploadType=resumable only.");
    }
    if query
        .get("part")
        .is_none_or(|part| !part.contains("snippet"))
    {
        return fault::bad_request("required", "Required parameter: part");
    }
    let checked = upload_headers(headers).and_then(|total| Ok((total, video_resource(body)?)));
    let (total, resource) = match checked {
        Ok(checked) => checked,
        Err(Refusal { reason, message }) => return fault::bad_request(reason, message),
    };

    let upload_id = format!("FAKE_UPLOAD_{}", random_text(24));
    state.counters.sessions_started += 1;
    state.sessions.insert(
        upload_id.clone(),
        Session {
            total,
            resource,
            persisted: Vec::new(),
            video_id: None,
            dead: false,
        },
    );
    let location = format!(
        "{}/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status\
         &upload_id={upload_id}",
        state.base_url
    );
    let mut response = StatusCode::OK.into_response();
    let response_headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response_headers.insert(header::LOCATION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&upload_id) {
        response_headers.insert("x-guploader-uploadid", value);
    }
    response
}

/// Checks the Bearer token; `required` says whether a missing header is an error.
pub(crate) fn bearer_is_valid(state: &FakeState, headers: &HeaderMap, required: bool) -> bool {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return !required;
    };
    value
        .to_str()
        .ok()
        .and_then(|text| text.strip_prefix("Bearer "))
        .is_some_and(|token| state.token_is_valid(token.trim()))
}

/// Why an initiation is refused: a Google error reason and message.
struct Refusal {
    reason: &'static str,
    message: &'static str,
}

fn refuse(reason: &'static str, message: &'static str) -> Refusal {
    Refusal { reason, message }
}

/// The announced upload size, after checking both `X-Upload-Content-*` headers.
fn upload_headers(headers: &HeaderMap) -> Result<u64, Refusal> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let total = text("x-upload-content-length")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| refuse("badRequest", "X-Upload-Content-Length is required."))?;
    let content_type = text("x-upload-content-type").unwrap_or_default();
    if !(content_type.starts_with("video/") || content_type == "application/octet-stream") {
        return Err(refuse(
            "badContent",
            "X-Upload-Content-Type must be video/* or application/octet-stream.",
        ));
    }
    Ok(total)
}

/// The video resource of the initiation body, with YouTube's checks on title and category.
fn video_resource(body: &[u8]) -> Result<Value, Refusal> {
    let resource: Value =
        serde_json::from_slice(body).map_err(|_| refuse("parseError", "Parse Error"))?;
    let title = resource["snippet"]["title"].as_str().unwrap_or_default();
    if title.trim().is_empty() || title.chars().count() > 100 || title.contains(['<', '>']) {
        return Err(refuse(
            "invalidTitle",
            "The request metadata specifies an invalid or empty video title.",
        ));
    }
    if resource["snippet"]["categoryId"].as_str().is_none() {
        return Err(refuse(
            "invalidCategoryId",
            "The snippet.categoryId property specifies an invalid category ID.",
        ));
    }
    Ok(resource)
}
