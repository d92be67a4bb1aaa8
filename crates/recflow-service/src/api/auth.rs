//! Login, logout and (when enabled) self-registration.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use recflow_store::TokenKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{self, AccountRequest};
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::{ApiJson, Caller};
use crate::api::views::UserView;
use crate::auth;
use crate::state::AppState;

/// Credentials for login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "admin@localhost", "password": "correct horse battery"}))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// A session token and who it belongs to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    #[schema(example = "rf_x7Kq2a9...")]
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: UserView,
}

/// Self-registration, when the installation allows it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ana@example.com", "password": "correct horse battery",
    "display_name": "Ana", "timezone": "Europe/Berlin"}))]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    pub display_name: Option<String>,
    pub timezone: Option<String>,
}

/// An account just created, with its first token (shown once).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedUserView {
    pub user: UserView,
    #[schema(example = "rf_x7Kq2a9...")]
    pub token: String,
}

/// Exchanges email and password for a session token. Repeated failures for one email are
/// answered with 429 for a while.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong email or password", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "too many failed attempts", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let email = request.email.trim().to_lowercase();
    if let Some(wait) = state.login_limiter.blocked_for(&email, Instant::now()) {
        return Err(ApiError::too_many_requests(
            "too many failed logins; wait and retry",
            wait.as_secs(),
        ));
    }

    let user = match state.store.find_user_by_email(&email).await {
        Ok(user) if !user.disabled => Some(user),
        Ok(_) | Err(recflow_store::Error::NotFound { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    let verified = match &user {
        Some(user) => match state.store.password_hash(user.id).await? {
            Some(hash) => auth::verify_password(&request.password, &hash),
            None => false,
        },
        None => {
            auth::verify_against_dummy(&request.password);
            false
        }
    };
    let Some(user) = user.filter(|_| verified) else {
        state.login_limiter.record_failure(&email, Instant::now());
        return Err(ApiError::unauthorized(
            "invalid-credentials",
            "wrong email or password",
        ));
    };

    state.login_limiter.clear(&email);
    let expires_at =
        Utc::now() + Duration::hours(i64::try_from(state.config.session_ttl_hours).unwrap_or(720));
    let (_, token) = accounts::issue_token(
        state.store.as_ref(),
        &user,
        "login",
        TokenKind::Session,
        Some(expires_at),
    )
    .await?;
    Ok(Json(LoginResponse {
        token,
        expires_at,
        user: user.into(),
    }))
}

/// Revokes the token used for this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    state
        .tokens
        .forgetting(state.store.revoke_token(caller.user.id, caller.token.id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Creates an account for oneself; only when `allow_registration` is set.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, body = CreatedUserView),
        (status = 403, description = "registration is disabled", body = ErrorBody),
        (status = 409, description = "the email is taken", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<CreatedUserView>)> {
    if !state.config.allow_registration {
        return Err(ApiError::forbidden(
            "registration-disabled",
            "self-registration is disabled on this installation; ask an admin",
        ));
    }
    let (user, token) = accounts::create_with_token(
        state.store.as_ref(),
        AccountRequest {
            email: request.email,
            password: Some(request.password),
            display_name: request.display_name,
            timezone: request.timezone,
            is_admin: false,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUserView {
            user: user.into(),
            token,
        }),
    ))
}
