//! `POST /oauth/token`: Basic client authentication, `grant_type` from the query string or
//! the form body, the `account_credentials` and `refresh_token` grants, and rotating refresh
//! tokens that are rejected once used.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::Shared;
use super::fault::oauth_error;
use super::state::{AppKind, State as FakeState};

const SCOPES: &str =
    "cloud_recording:read:list_user_recordings cloud_recording:read:list_recording_files";

pub(crate) async fn token(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let mut params = query;
    if let Ok(Form(body)) = form {
        params.extend(body);
    }
    let mut state = shared.lock();
    state.counters.token_requests += 1;

    let Some(client_id) = authenticate(&state, &headers) else {
        return oauth_error("invalid_client", "Invalid client_id or client_secret");
    };
    match params.get("grant_type").map(String::as_str) {
        Some("account_credentials") => account_credentials(&mut state, &client_id, &params),
        Some("refresh_token") => refresh(&mut state, &client_id, &params),
        _ => oauth_error("unsupported_grant_type", "unsupported grant type"),
    }
}

/// The client id whose Basic credentials match a registered app.
fn authenticate(state: &FakeState, headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (client_id, secret) = decoded.split_once(':')?;
    let app = state.apps.get(client_id)?;
    (app.secret == secret).then(|| client_id.to_owned())
}

fn account_credentials(
    state: &mut FakeState,
    client_id: &str,
    params: &HashMap<String, String>,
) -> Response {
    let Some(AppKind::ServerToServer { account_id }) = state.apps.get(client_id).map(|a| &a.kind)
    else {
        return oauth_error("unsupported_grant_type", "unsupported grant type");
    };
    if params.get("account_id") != Some(account_id) {
        // Zoom's exact wording here is not documented; the shape is its usual OAuth error.
        return oauth_error("invalid_request", "Invalid account_id");
    }
    let access_token = state.issue_access_token(None);
    token_response(state, access_token, None)
}

fn refresh(state: &mut FakeState, client_id: &str, params: &HashMap<String, String>) -> Response {
    if !matches!(
        state.apps.get(client_id).map(|a| &a.kind),
        Some(AppKind::UserOAuth)
    ) {
        return oauth_error("unsupported_grant_type", "unsupported grant type");
    }
    let presented = params
        .get("refresh_token")
        .map(String::as_str)
        .unwrap_or_default();
    let user_id = match state.refresh_tokens.get_mut(presented) {
        Some(grant) if grant.client_id == client_id && !grant.used => {
            grant.used = true;
            grant.user_id.clone()
        }
        _ => return oauth_error("invalid_grant", "Invalid Token!"),
    };
    let refresh_token = state.issue_refresh_token(client_id, &user_id);
    let access_token = state.issue_access_token(Some(user_id));
    token_response(state, access_token, Some(refresh_token))
}

fn token_response(
    state: &FakeState,
    access_token: String,
    refresh_token: Option<String>,
) -> Response {
    let mut body = json!({
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": state.token_ttl_seconds,
        "scope": SCOPES,
        "api_url": state.base_url,
    });
    if let Some(refresh_token) = refresh_token {
        body["refresh_token"] = json!(refresh_token);
    }
    Json(body).into_response()
}
