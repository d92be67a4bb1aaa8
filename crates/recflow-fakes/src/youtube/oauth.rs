//! `POST /token`: Google's `refresh_token` grant with a form body. Refresh tokens do not
//! rotate (the response carries none); a revoked one answers 400 `invalid_grant`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;
use super::fault::oauth_error;

const SCOPES: &str =
    "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube";

pub(crate) async fn token(
    State(shared): State<Shared>,
    Form(params): Form<HashMap<String, String>>,
) -> Response {
    let mut state = shared.lock();
    state.counters.token_requests += 1;
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();

    if param("grant_type") != "refresh_token" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Invalid grant_type: ",
        );
    }
    let client_id = param("client_id");
    if state.clients.get(client_id).map(String::as_str) != Some(param("client_secret")) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    }
    let usable = state
        .refresh_tokens
        .get(param("refresh_token"))
        .is_some_and(|grant| grant.client_id == client_id && !grant.revoked);
    if !usable {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Token has been expired or revoked.",
        );
    }
    let access_token = state.issue_access_token();
    let body = json!({
        "access_token": access_token,
        "expires_in": state.token_ttl.as_secs(),
        "scope": SCOPES,
        "token_type": "Bearer",
    });
    Json(body).into_response()
}
