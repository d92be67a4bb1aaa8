//! `POST /method/{name}`: form-encoded calls only, `v` and a token (query, form or Bearer)
//! required, VK's 3 requests/second per token, and the `video.save` and `video.addToAlbum`
//! methods. Every answer is HTTP 200 with `{response}` or `{error}`.

use std::collections::HashMap;
use std::time::Instant;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use chrono::Utc;
use serde_json::{Value, json};

use super::fault::{VkFault, api_error, api_response};
use super::state::{State as FakeState, StoredVideo, random_text};
use super::{Shared, VkRequest};

type Params = HashMap<String, String>;

pub(crate) async fn call(
    State(shared): State<Shared>,
    Path(method): Path<String>,
    Query(query): Query<Params>,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let form_ok = form.is_ok();
    let mut params = query;
    if let Ok(Form(body)) = form {
        params.extend(body);
    }
    let token = params
        .get("access_token")
        .cloned()
        .or_else(|| bearer(&headers));
    let mut state = shared.lock();
    let (code, response) = answer(&mut state, &method, &params, token.as_deref(), form_ok);
    state.seen.push(VkRequest {
        method,
        token,
        at: Instant::now(),
        error_code: code,
    });
    response
}

/// The answer to one call and its error code, if it is an error.
fn answer(
    state: &mut FakeState,
    method: &str,
    params: &Params,
    token: Option<&str>,
    form_ok: bool,
) -> (Option<i64>, Response) {
    let echo = request_params(method, params, token.filter(|_| state.echo_token));
    let fail = |code: i64, message: &str, extra: Value| {
        (Some(code), api_error(code, message, echo.clone(), extra))
    };
    if !form_ok {
        return fail(
            8,
            "Invalid request: only form-encoded POST bodies are accepted",
            json!({}),
        );
    }
    let Some(token) = token else {
        return fail(
            5,
            "User authorization failed: no access_token passed.",
            json!({}),
        );
    };
    if params.get("v").is_none_or(String::is_empty) {
        return fail(8, "Invalid request: v (version) is required", json!({}));
    }
    let user_id = match state.tokens.get(token) {
        None => {
            return fail(
                5,
                "User authorization failed: invalid access_token (4).",
                json!({}),
            );
        }
        Some(user) if user.revoked => {
            return fail(
                5,
                "User authorization failed: access_token has expired.",
                json!({}),
            );
        }
        Some(user) => user.user_id,
    };
    if !state.admit(token, Instant::now()) {
        state.counters.rate_limited += 1;
        return fail(6, "Too many requests per second", json!({}));
    }
    if let Some(fault) = state.faults.api.pop_front()
        && let Some((code, message, extra)) = fault.api_error()
    {
        return fail(code, message, extra);
    }
    let result = match method {
        "video.save" => save(state, params, user_id),
        "video.addToAlbum" => add_to_album(state, params, user_id),
        _ => Err((3, "Unknown method passed".to_owned())),
    };
    match result {
        Ok(response) => (None, api_response(response)),
        Err((code, message)) => fail(code, &message, json!({})),
    }
}

fn save(state: &mut FakeState, params: &Params, user_id: i64) -> Result<Value, (i64, String)> {
    let name = params.get("name").cloned().unwrap_or_default();
    if name.chars().count() > 128 {
        return Err(invalid_param("name is longer than 128 characters"));
    }
    let owner_id = match params.get("group_id").map(|g| g.parse::<i64>()) {
        None => user_id,
        Some(Ok(group)) if group > 0 => -group,
        Some(_) => return Err(invalid_param("group_id must be a positive community id")),
    };
    let video_id = state.next_video_id;
    state.next_video_id += 1;
    state.counters.saves += 1;

    let expired = matches!(
        state.faults.save.pop_front(),
        Some(VkFault::ExpiredUploadUrl)
    );
    let ttl_ms = i64::try_from(state.upload_url_ttl.as_millis()).unwrap_or(i64::MAX);
    let expires_ms = if expired {
        Utc::now().timestamp_millis() - 60_000
    } else {
        Utc::now().timestamp_millis().saturating_add(ttl_ms)
    };
    let sig = random_text(40);
    let description = params.get("description").cloned().unwrap_or_default();
    if let Some(album) = params
        .get("album_id")
        .and_then(|a| a.parse::<i64>().ok())
        .and_then(|album_id| state.albums.get_mut(&(owner_id, album_id)))
    {
        album.videos.push((owner_id, video_id));
    }
    let upload_url = format!(
        "{}/upload.do?sig={sig}&expires={expires_ms}&vkOwnerId={owner_id}&vkVideoId={video_id}",
        state.upload_base
    );
    state.videos.push(StoredVideo {
        owner_id,
        video_id,
        name: name.clone(),
        description: description.clone(),
        privacy_view: params.get("privacy_view").cloned(),
        upload_sig: sig,
        expires_ms,
        content: None,
    });
    Ok(json!({
        "access_key": random_text(18).to_lowercase(),
        "description": description,
        "owner_id": owner_id,
        "title": name,
        "upload_url": upload_url,
        "video_id": video_id,
    }))
}

fn add_to_album(
    state: &mut FakeState,
    params: &Params,
    user_id: i64,
) -> Result<Value, (i64, String)> {
    let number = |key: &str| params.get(key).and_then(|v| v.parse::<i64>().ok());
    let (Some(album_id), Some(owner_id), Some(video_id)) =
        (number("album_id"), number("owner_id"), number("video_id"))
    else {
        return Err(invalid_param(
            "album_id, owner_id and video_id are required",
        ));
    };
    let target = number("target_id").unwrap_or(user_id);
    if state.video_mut(owner_id, video_id).is_none() {
        return Err(invalid_param("video not found"));
    }
    let Some(album) = state.albums.get_mut(&(target, album_id)) else {
        return Err((114, "Invalid album id".to_owned()));
    };
    if album.videos.contains(&(owner_id, video_id)) {
        return Err((800, "This video is already added".to_owned()));
    }
    album.videos.push((owner_id, video_id));
    Ok(json!(1))
}

fn invalid_param(what: &str) -> (i64, String) {
    (
        100,
        format!("One of the parameters specified was missing or invalid: {what}"),
    )
}

/// `request_params` as VK echoes them; old servers included the token, which the fake does
/// when `echo_token_in_errors` is on.
fn request_params(method: &str, params: &Params, echoed_token: Option<&str>) -> Value {
    let mut echoed = vec![
        json!({ "key": "method", "value": method }),
        json!({ "key": "oauth", "value": "1" }),
    ];
    if let Some(version) = params.get("v") {
        echoed.push(json!({ "key": "v", "value": version }));
    }
    if let Some(token) = echoed_token {
        echoed.push(json!({ "key": "access_token", "value": token }));
    }
    Value::Array(echoed)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}
