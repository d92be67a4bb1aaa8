//! `/api/v1/credentials`: third-party secrets, write-only. Responses never contain them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use recflow_store::Credential;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::views::{ListQuery, ListView};
use crate::credentials::{self, CredentialKind};
use crate::secrets::SecretBox;
use crate::state::AppState;

/// A credential as shown: never its secrets.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CredentialView {
    pub id: Uuid,
    #[schema(example = "Team Zoom")]
    pub name: String,
    pub kind: CredentialKind,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CredentialView {
    fn from_stored(c: Credential) -> Self {
        CredentialView {
            id: c.id,
            kind: CredentialKind::parse(&c.kind).unwrap_or(CredentialKind::Vk),
            name: c.name,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A credential to store. `secrets` depends on `kind`: `zoom_s2s {account_id, client_id,
/// client_secret}`, `zoom_oauth` and `google {client_id, client_secret, refresh_token}`,
/// `vk {access_token}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Team Zoom", "kind": "zoom_s2s", "secrets": {
    "account_id": "AbC123", "client_id": "cl1ent", "client_secret": "s3cret"}}))]
pub struct CreateCredentialRequest {
    pub name: String,
    pub kind: CredentialKind,
    #[schema(value_type = Object)]
    pub secrets: Value,
}

/// Stores a credential, encrypted.
#[utoipa::path(post, path = "/api/v1/credentials", tag = "sources", security(("bearer" = [])),
    request_body = CreateCredentialRequest,
    responses((status = 201, body = CredentialView), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "no secret key is configured", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateCredentialRequest>,
) -> ApiResult<(StatusCode, Json<CredentialView>)> {
    let name = checked_name(&request.name)?;
    credentials::check_secrets(request.kind, &request.secrets).map_err(|e| {
        let field = if e.field.is_empty() {
            "secrets".to_owned()
        } else {
            format!("secrets.{}", e.field)
        };
        ApiError::invalid_field(field, e.message)
    })?;
    let key = secret_key(&state)?;

    let id = Uuid::now_v7();
    let now = Utc::now();
    let credential = Credential {
        id,
        user_id: caller.user.id,
        name,
        kind: request.kind.as_str().to_owned(),
        secret: credentials::seal(key, caller.user.id, id, &request.secrets),
        created_at: now,
        updated_at: now,
    };
    let stored = state.store.create_credential(&credential).await?;
    Ok((
        StatusCode::CREATED,
        Json(CredentialView::from_stored(stored)),
    ))
}

/// The caller's credentials.
#[utoipa::path(get, path = "/api/v1/credentials", tag = "sources", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = ListView<CredentialView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<CredentialView>>> {
    let page = state
        .store
        .list_credentials(caller.user.id, query.page()?)
        .await?;
    Ok(Json(ListView::from_page(page, CredentialView::from_stored)))
}

/// One credential.
#[utoipa::path(get, path = "/api/v1/credentials/{id}", tag = "sources", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = CredentialView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<CredentialView>> {
    let credential = state.store.get_credential(caller.user.id, id).await?;
    Ok(Json(CredentialView::from_stored(credential)))
}

/// Deletes a credential that no source or preset uses.
#[utoipa::path(delete, path = "/api/v1/credentials/{id}", tag = "sources",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
        (status = 409, description = "still in use", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.store.delete_credential(caller.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The installation key, or a 503 telling the admin to configure one.
///
/// # Errors
/// 503 `secret-key-missing`.
pub fn secret_key(state: &AppState) -> ApiResult<&SecretBox> {
    state.secrets.as_deref().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "secret-key-missing",
            "this installation has no secret key (RECFLOW_SECRET_KEY), so it cannot store credentials",
        )
    })
}

/// Checks a resource name: 1 to 200 characters after trimming.
///
/// # Errors
/// 422 naming `name`.
pub fn checked_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    match name.chars().count() {
        1..=200 => Ok(name.to_owned()),
        _ => Err(ApiError::invalid_field(
            "name",
            "must be 1 to 200 characters",
        )),
    }
}
