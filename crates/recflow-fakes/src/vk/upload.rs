//! The upload host: `POST /upload.do?sig=…&expires=…` with a multipart `video_file` part.
//! Success is a bare `{video_hash,size,direct_link,owner_id,video_id}`; failures are bare
//! `{error,error_code}` objects, not API envelopes.

use std::collections::HashMap;
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use super::fault::{VkFault, upload_error};
use super::multipart::file_part;
use super::state::{State as FakeState, random_text};
use super::{Shared, VkRequest};

/// The host's code for an upload URL past its `expires`. VK's real code is not documented;
/// clients should go by the URL's `expires` parameter.
pub const EXPIRED_CODE: i64 = -10;

pub(crate) async fn upload(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (response, latency) = {
        let mut state = shared.lock();
        let (code, response) = receive(&mut state, &query, &content_type, &body);
        state.seen.push(VkRequest {
            method: "upload".to_owned(),
            token: None,
            at: Instant::now(),
            error_code: code,
        });
        (response, code.is_none().then_some(state.answer_latency))
    };
    if let Some(latency) = latency.filter(|l| !l.is_zero()) {
        // The file is stored; a client that dies now never learns it.
        let _unanswered = Unanswered::count(&shared);
        tokio::time::sleep(latency).await;
    }
    response
}

/// Counts an answer under way, until it is sent or the connection is gone.
struct Unanswered(Shared);

impl Unanswered {
    fn count(shared: &Shared) -> Unanswered {
        shared.lock().unanswered += 1;
        Unanswered(shared.clone())
    }
}

impl Drop for Unanswered {
    fn drop(&mut self) {
        self.0.lock().unanswered -= 1;
    }
}

fn receive(
    state: &mut FakeState,
    query: &HashMap<String, String>,
    content_type: &str,
    body: &[u8],
) -> (Option<i64>, Response) {
    if matches!(state.faults.upload.pop_front(), Some(VkFault::TooFast)) {
        return (Some(-12), upload_error("too fast", -12));
    }
    let sig = query.get("sig").map(String::as_str).unwrap_or_default();
    let Some(video) = state.videos.iter_mut().find(|v| v.upload_sig == sig) else {
        return (Some(-1), upload_error("invalid upload signature", -1));
    };
    if Utc::now().timestamp_millis() > video.expires_ms {
        return (
            Some(EXPIRED_CODE),
            upload_error("upload url expired", EXPIRED_CODE),
        );
    }
    let Some(content) = file_part(content_type, body, "video_file") else {
        return (Some(-2), upload_error("no video_file in the request", -2));
    };
    let size = content.len();
    if video.content.is_some() {
        state.counters.repeated_uploads += 1;
    }
    video.content = Some(content);
    let (owner_id, video_id) = (video.owner_id, video.video_id);
    state.counters.uploads += 1;
    let answer = json!({
        "video_hash": random_text(18).to_lowercase(),
        "size": size,
        "direct_link": format!("{}/direct/{owner_id}_{video_id}", state.upload_base),
        "owner_id": owner_id,
        "video_id": video_id,
    });
    (None, Json(answer).into_response())
}
