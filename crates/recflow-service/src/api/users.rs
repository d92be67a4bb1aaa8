//! The caller's own account: profile, quotas and personal tokens.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use recflow_store::{TokenKind, UserPatch};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts;
use crate::api::error::{ApiResult, ErrorBody};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::views::{CreatedTokenView, ListQuery, ListView, QuotasView, TokenView, UserView};
use crate::auth;
use crate::state::AppState;

/// Changes to one's own account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"timezone": "America/New_York"}))]
pub struct UpdateMeRequest {
    pub display_name: Option<String>,
    /// IANA zone, e.g. `Europe/Berlin`.
    pub timezone: Option<String>,
    pub password: Option<String>,
}

/// A personal token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "laptop cli"}))]
pub struct CreateTokenRequest {
    pub name: String,
}

/// The caller's account.
#[utoipa::path(get, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(caller: Caller) -> Json<UserView> {
    Json(caller.user.into())
}

/// Changes the caller's display name, time zone or password.
#[utoipa::path(patch, path = "/api/v1/users/me", tag = "users", security(("bearer" = [])),
    request_body = UpdateMeRequest,
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<UpdateMeRequest>,
) -> ApiResult<Json<UserView>> {
    let mut patch = UserPatch::default();
    if let Some(name) = request.display_name {
        patch.display_name = Some(accounts::check_display_name(name)?);
    }
    if let Some(zone) = request.timezone {
        accounts::check_timezone("timezone", &zone)?;
        patch.timezone = Some(zone);
    }
    if let Some(password) = request.password {
        accounts::check_password(&password)?;
        patch.password_hash = Some(auth::hash_password(&password).map_err(accounts::Error::from)?);
    }
    let user = state
        .tokens
        .forgetting(state.store.update_user(caller.user.id, &patch))
        .await?;
    Ok(Json(user.into()))
}

/// The caller's limits and current usage.
#[utoipa::path(get, path = "/api/v1/users/me/quotas", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = QuotasView), (status = 401, body = ErrorBody)))]
pub async fn quotas(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<QuotasView>> {
    Ok(Json(state.store.get_quotas(caller.user.id).await?.into()))
}

/// The caller's live tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/users/me/tokens", tag = "users", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = ListView<TokenView>), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<TokenView>>> {
    let page = state
        .store
        .list_tokens(caller.user.id, query.page()?)
        .await?;
    Ok(Json(ListView::from_page(page, TokenView::from)))
}

/// Creates a personal token; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/users/me/tokens", tag = "users", security(("bearer" = [])),
    request_body = CreateTokenRequest,
    responses((status = 201, body = CreatedTokenView), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateTokenRequest>,
) -> ApiResult<(StatusCode, Json<CreatedTokenView>)> {
    let (token, secret) = accounts::issue_token(
        state.store.as_ref(),
        &caller.user,
        &request.name,
        TokenKind::Personal,
        None,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedTokenView {
            token: token.into(),
            secret,
        }),
    ))
}

/// Revokes one of the caller's tokens; another account's token id is a 404.
#[utoipa::path(delete, path = "/api/v1/users/me/tokens/{id}", tag = "users",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "token id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state
        .tokens
        .forgetting(state.store.revoke_token(caller.user.id, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
