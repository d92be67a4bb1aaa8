//! Account management for admins: create, list, change, disable, and edit quotas.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use recflow_store::{QuotaPatch, UserPatch};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::accounts::{self, AccountRequest};
use crate::api::auth::CreatedUserView;
use crate::api::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::api::extract::{AdminCaller, ApiJson, ApiPath, ApiQuery};
use crate::api::views::{ListQuery, ListView, QuotasView, UserView};
use crate::state::AppState;

/// An account to create. Without a password the account logs in with its token only.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ana@example.com", "display_name": "Ana",
    "timezone": "Europe/Berlin", "is_admin": false}))]
pub struct CreateUserRequest {
    pub email: String,
    pub password: Option<String>,
    pub display_name: Option<String>,
    pub timezone: Option<String>,
    pub is_admin: Option<bool>,
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"disabled": true}))]
pub struct UpdateUserRequest {
    pub display_name: Option<String>,
    pub timezone: Option<String>,
    pub is_admin: Option<bool>,
    /// A disabled account cannot log in and its tokens stop working.
    pub disabled: Option<bool>,
}

/// New limits; any subset of the fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"max_automation_jobs": 10, "min_automation_interval_hours": 0}))]
pub struct UpdateQuotasRequest {
    pub max_automation_jobs: Option<i64>,
    /// 0 means no minimum beyond cron's one-minute resolution.
    pub min_automation_interval_hours: Option<i64>,
    pub max_input_sources: Option<i64>,
    pub max_templates: Option<i64>,
    pub max_storage_bytes: Option<i64>,
    pub max_concurrent_pipelines: Option<i64>,
}

/// All accounts, oldest first.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = ListView<UserView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<UserView>>> {
    let page = state.store.list_users(query.page()?).await?;
    Ok(Json(ListView::from_page(page, UserView::from)))
}

/// Creates an account and answers with a fresh personal token for it (shown once).
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses((status = 201, body = CreatedUserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<CreatedUserView>)> {
    let (user, token) = accounts::create_with_token(
        state.store.as_ref(),
        AccountRequest {
            email: request.email,
            password: request.password,
            display_name: request.display_name,
            timezone: request.timezone,
            is_admin: request.is_admin.unwrap_or(false),
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

/// One account.
#[utoipa::path(get, path = "/api/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "account id")),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(state.store.get_user(id).await?.into()))
}

/// Changes an account. Admins cannot disable themselves or drop their own admin right, so an
/// installation always keeps a way in.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "account id")), request_body = UpdateUserRequest,
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(state): State<AppState>,
    AdminCaller(admin): AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<UpdateUserRequest>,
) -> ApiResult<Json<UserView>> {
    if id == admin.user.id && (request.disabled == Some(true) || request.is_admin == Some(false)) {
        return Err(ApiError::invalid_field(
            if request.disabled == Some(true) {
                "disabled"
            } else {
                "is_admin"
            },
            "admins cannot disable themselves or remove their own admin right",
        ));
    }
    let mut patch = UserPatch {
        is_admin: request.is_admin,
        disabled: request.disabled,
        ..UserPatch::default()
    };
    if let Some(name) = request.display_name {
        patch.display_name = Some(accounts::check_display_name(name)?);
    }
    if let Some(zone) = request.timezone {
        accounts::check_timezone("timezone", &zone)?;
        patch.timezone = Some(zone);
    }
    let user = state
        .tokens
        .forgetting(state.store.update_user(id, &patch))
        .await?;
    Ok(Json(user.into()))
}

/// An account's limits and usage.
#[utoipa::path(get, path = "/api/v1/admin/users/{id}/quotas", tag = "admin",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "account id")),
    responses((status = 200, body = QuotasView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_quotas(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<QuotasView>> {
    Ok(Json(state.store.get_quotas(id).await?.into()))
}

/// Changes an account's limits. Lowering a limit below current usage is allowed: nothing is
/// deleted, but no new resource of that kind can be created until usage drops.
#[utoipa::path(patch, path = "/api/v1/admin/users/{id}/quotas", tag = "admin",
    security(("bearer" = [])), params(("id" = Uuid, Path, description = "account id")),
    request_body = UpdateQuotasRequest,
    responses((status = 200, body = QuotasView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_quotas(
    State(state): State<AppState>,
    _admin: AdminCaller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<UpdateQuotasRequest>,
) -> ApiResult<Json<QuotasView>> {
    let patch = checked_quota_patch(&request)?;
    Ok(Json(state.store.update_quotas(id, &patch).await?.into()))
}

fn checked_quota_patch(request: &UpdateQuotasRequest) -> ApiResult<QuotaPatch> {
    let fields = [
        ("max_automation_jobs", request.max_automation_jobs, 10_000),
        (
            "min_automation_interval_hours",
            request.min_automation_interval_hours,
            24 * 366,
        ),
        ("max_input_sources", request.max_input_sources, 10_000),
        ("max_templates", request.max_templates, 10_000),
        ("max_storage_bytes", request.max_storage_bytes, i64::MAX),
        (
            "max_concurrent_pipelines",
            request.max_concurrent_pipelines,
            1_000,
        ),
    ];
    let errors: Vec<FieldError> = fields
        .iter()
        .filter_map(|(field, value, max)| {
            value
                .filter(|v| !(0..=*max).contains(v))
                .map(|_| FieldError {
                    field: (*field).to_owned(),
                    message: format!("must be between 0 and {max}"),
                })
        })
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    Ok(QuotaPatch {
        max_automation_jobs: request.max_automation_jobs,
        min_automation_interval_hours: request.min_automation_interval_hours,
        max_input_sources: request.max_input_sources,
        max_templates: request.max_templates,
        max_storage_bytes: request.max_storage_bytes,
        max_concurrent_pipelines: request.max_concurrent_pipelines,
    })
}
