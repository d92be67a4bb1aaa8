//! Request extractors whose failures answer in the §10 error shape: JSON bodies with field
//! paths, path ids (malformed = missing), query strings and the bearer-token caller.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use chrono::{Duration, Utc};
use recflow_store::{ApiToken, User};
use serde::de::DeserializeOwned;

use crate::api::error::ApiError;
use crate::auth;
use crate::state::AppState;

/// A JSON body; a wrong type or unknown field is a 422 naming the field's path.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| ApiError::from_status(rejection.status()))?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserialises a JSON object from `bytes`, reporting where it failed.
///
/// # Errors
/// 400 `malformed-json` for a syntax error, 422 naming the field for a data error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every request body is an object; serde would otherwise read `[1, 2]` as a struct's
    // fields by position and name "[0]" as the problem.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ApiError::invalid_field("body", "must be a JSON object"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            malformed(&inner)
        } else {
            data_error(&path, &inner)
        }
    })?;
    deserializer
        .end()
        .map_err(|trailing| malformed(&trailing))?;
    Ok(value)
}

fn malformed(error: &serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed-json",
        format!("the body is not valid JSON: {error}"),
    )
}

fn data_error(path: &str, inner: &serde_json::Error) -> ApiError {
    let text = inner.to_string();
    let message = text.split(" at line ").next().unwrap_or(&text).to_owned();
    let parent = if path == "." { "" } else { path };
    // serde_path_to_error already ends the path with an unknown field's name, but reports a
    // missing field at its parent's path.
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let field = match (named("missing field `"), named("unknown field `")) {
        (Some(name), _) if parent.is_empty() => name,
        (Some(name), _) => format!("{parent}.{name}"),
        (None, Some(name)) if parent.is_empty() => name,
        _ if parent.is_empty() => "body".to_owned(),
        _ => parent.to_owned(),
    };
    ApiError::invalid_field(field, message)
}

/// A path parameter; a malformed value is a 404 like a missing resource.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// A query string; a malformed one is a 400 naming the parameter.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The authenticated caller.
pub struct Caller {
    pub user: User,
    pub token: ApiToken,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("unauthorized", "send Authorization: Bearer <token>")
        })?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "unauthorized",
                    "the Authorization header must be `Bearer <token>`",
                )
            })?;

        let now = Utc::now();
        let hash = auth::hash_token(secret);
        let seen = state.tokens.generation();
        let (token, user) = match state.tokens.get(&hash, now) {
            Some(found) => found,
            None => match state.store.authenticate(&hash, now).await {
                Ok((token, user)) => {
                    let read_at = std::time::Instant::now();
                    state
                        .tokens
                        .insert(seen, &hash, token.clone(), user.clone(), read_at);
                    (token, user)
                }
                Err(recflow_store::Error::NotFound { .. }) => {
                    return Err(ApiError::unauthorized(
                        "invalid-token",
                        "the token is unknown, revoked or expired",
                    ));
                }
                Err(other) => return Err(other.into()),
            },
        };
        if token
            .last_used_at
            .is_none_or(|t| now - t > Duration::minutes(1))
        {
            state.store.touch_token(token.id, now).await?;
            state.tokens.touched(seen, &hash, now);
        }
        tracing::Span::current().record("user.id", tracing::field::display(user.id));
        Ok(Caller { user, token })
    }
}

/// The authenticated caller, who must be an admin (403 otherwise).
pub struct AdminCaller(pub Caller);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if !caller.user.is_admin {
            return Err(ApiError::forbidden(
                "forbidden",
                "this endpoint is for admins",
            ));
        }
        Ok(AdminCaller(caller))
    }
}
