//! `POST /youtube/v3/playlistItems?part=snippet`: adds a video to a known playlist (twice if
//! asked twice, as YouTube does). A video still processing answers 400 `failedPrecondition`,
//! as YouTube reportedly does. `GET` lists a playlist's items, optionally only those of one
//! `videoId`.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use super::Shared;
use super::fault::{self, YoutubeFault};
use super::state::{Faults, random_text};
use super::upload::bearer_is_valid;

pub(crate) async fn insert(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = shared.lock();
    if !bearer_is_valid(&state, &headers, true) {
        return fault::invalid_credentials();
    }
    let fault = Faults::take(&mut state.faults.playlist);
    if let Some(YoutubeFault::PlaylistFailedPrecondition) = fault {
        return fault::failed_precondition();
    }
    if query
        .get("part")
        .is_none_or(|part| !part.contains("snippet"))
    {
        return fault::bad_request("required", "Required parameter: part");
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return fault::bad_request("parseError", "Parse Error");
    };
    let playlist_id = request["snippet"]["playlistId"]
        .as_str()
        .unwrap_or_default();
    let video_id = request["snippet"]["resourceId"]["videoId"]
        .as_str()
        .unwrap_or_default();

    if !state.playlists.contains_key(playlist_id) {
        return fault::google_error(
            StatusCode::NOT_FOUND,
            "youtube.playlistItem",
            "playlistNotFound",
            "The playlist identified with the request's playlistId parameter cannot be found.",
        );
    }
    let Some(video) = state.video(video_id) else {
        return fault::google_error(
            StatusCode::NOT_FOUND,
            "youtube.playlistItem",
            "videoNotFound",
            "The video that you are trying to add to the playlist cannot be found.",
        );
    };
    if !video.processed {
        return fault::failed_precondition();
    }
    let title = video.resource["snippet"]["title"].clone();
    let items = state.playlists.entry(playlist_id.to_owned()).or_default();
    items.push(video_id.to_owned());
    let position = items.len() - 1;
    if let Some(YoutubeFault::PlaylistInsertedThen503) = fault {
        return fault::server_error(503);
    }
    let body = json!({
        "kind": "youtube#playlistItem",
        "etag": format!("FakeEtag{}", random_text(12)),
        "id": item_id(playlist_id, position),
        "snippet": {
            "publishedAt": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "channelId": "UCFakeChannel0000000000A",
            "title": title,
            "channelTitle": "Fake Channel",
            "playlistId": playlist_id,
            "position": position,
            "resourceId": { "kind": "youtube#video", "videoId": video_id },
            "videoOwnerChannelTitle": "Fake Channel",
            "videoOwnerChannelId": "UCFakeChannel0000000000A",
        },
    });
    (StatusCode::OK, Json(body)).into_response()
}

/// `playlistItems.list` filtered by `playlistId` and, optionally, `videoId`: the items with
/// their ids (`part=id`), one page.
pub(crate) async fn list(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let state = shared.lock();
    if !bearer_is_valid(&state, &headers, true) {
        return fault::invalid_credentials();
    }
    if !query.contains_key("part") {
        return fault::bad_request("required", "Required parameter: part");
    }
    let playlist_id = query
        .get("playlistId")
        .map(String::as_str)
        .unwrap_or_default();
    let Some(items) = state.playlists.get(playlist_id) else {
        return fault::google_error(
            StatusCode::NOT_FOUND,
            "youtube.playlistItem",
            "playlistNotFound",
            "The playlist identified with the request's playlistId parameter cannot be found.",
        );
    };
    let wanted = query.get("videoId");
    let items: Vec<Value> = items
        .iter()
        .enumerate()
        .filter(|(_, video)| wanted.is_none_or(|wanted| wanted == *video))
        .map(|(position, video)| {
            json!({"kind": "youtube#playlistItem", "etag": format!("FakeEtag{position}"),
                "id": item_id(playlist_id, position), "snippet": {"resourceId": {"videoId": video}}})
        })
        .collect();
    let body = json!({
        "kind": "youtube#playlistItemListResponse",
        "etag": "FakeEtagList",
        "pageInfo": {"totalResults": items.len(), "resultsPerPage": 50},
        "items": items,
    });
    (StatusCode::OK, Json(body)).into_response()
}

/// A stable id for the item at `position` of `playlist_id`.
fn item_id(playlist_id: &str, position: usize) -> String {
    format!("{playlist_id}.ITEM{position:04}")
}
