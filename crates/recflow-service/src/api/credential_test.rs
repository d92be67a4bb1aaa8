//! `POST /api/v1/credentials/{id}/test`: asks the platform whether a stored credential works.
//!
//! Zoom credentials are checked with the Zoom client; Google and VK answer 501 until their
//! clients exist. Answers name the platform's reason, never a secret.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use recflow_zoom::ZoomError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::{ApiPath, Caller};
use crate::credentials::CredentialKind;
use crate::state::AppState;
use crate::sync::zoom::{self, access};

/// The outcome of a successful check.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CredentialTestView {
    /// Always `true`; a refused credential is an error answer.
    pub ok: bool,
}

/// Checks a credential against its platform. For Zoom this fetches a token and lists the
/// recordings of `me` for today; a user-OAuth refresh token rotates and is saved.
#[utoipa::path(post, path = "/api/v1/credentials/{id}/test", tag = "sources",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = CredentialTestView), (status = 404, body = ErrorBody),
        (status = 422, description = "the platform refused the credential", body = ErrorBody),
        (status = 429, description = "the platform's rate limit is reached", body = ErrorBody),
        (status = 501, description = "this platform cannot be checked yet", body = ErrorBody),
        (status = 502, description = "the platform could not be asked", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(credential.id = %id))]
pub async fn test(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<CredentialTestView>> {
    let stored = state.store.get_credential(caller.user.id, id).await?;
    match CredentialKind::parse(&stored.kind) {
        Some(CredentialKind::ZoomS2s | CredentialKind::ZoomOauth) => {}
        Some(CredentialKind::Google) => return Err(not_implemented("google", "YouTube")),
        Some(CredentialKind::Vk) => return Err(not_implemented("vk", "VK")),
        None => return Err(ApiError::internal(&UnknownKind(stored.kind))),
    }

    let access = access::from_stored(&state, stored).map_err(access_error)?;
    // TODO: S2S credentials are checked against `me`; let the caller name a Zoom user once
    // an account's app has no user of its own.
    state
        .zoom
        .test_credentials(&access.cache_key, &access.credential, &access.tokens, "me")
        .await
        .map_err(zoom_error)?;
    Ok(Json(CredentialTestView { ok: true }))
}

/// A stored kind this version does not know: a bug or a downgrade.
#[derive(Debug, thiserror::Error)]
#[error("stored credential has unknown kind {0:?}")]
struct UnknownKind(String);

fn not_implemented(kind: &str, platform: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "not-implemented",
        format!(
            "testing {kind} credentials is not available yet; a {platform} credential is checked \
             when a recording is first published with it"
        ),
    )
}

fn access_error(error: access::AccessError) -> ApiError {
    match error {
        access::AccessError::NoKey => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "secret-key-missing",
            error.to_string(),
        ),
        access::AccessError::Store(e) => e.into(),
        // A key that does not open the stored secret (changed RECFLOW_SECRET_KEY) or a
        // credential of another platform: the user must act, so a 4xx that says what.
        other => ApiError::new(
            StatusCode::CONFLICT,
            "credential-unreadable",
            other.to_string(),
        ),
    }
}

fn zoom_error(error: ZoomError) -> ApiError {
    match &error {
        ZoomError::InvalidCredentials { .. }
        | ZoomError::Upstream {
            status: 401 | 403, ..
        } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-credentials",
            zoom::describe(&error),
        ),
        ZoomError::Upstream { status, .. } if *status < 500 => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "upstream-refused",
            zoom::describe(&error),
        ),
        ZoomError::RateLimited { retry_after } => ApiError::too_many_requests(
            &zoom::describe(&error),
            retry_after.map_or(60, |wait| wait.as_secs().max(1)),
        ),
        ZoomError::TokenStore { .. } => ApiError::internal(&error),
        _ => {
            tracing::warn!(error = %zoom::describe(&error), "zoom unavailable for a credential test");
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "upstream-unavailable",
                "zoom could not be asked or answered with an error; try again later",
            )
        }
    }
}
