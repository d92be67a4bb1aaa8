//! `/api/v1/input-sources`: where recordings come from, manual syncs and sync status.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use recflow_store::{InputSource, SourcePatch, SyncStatus};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::credentials::{checked_name, secret_key};
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller, parse_json};
use crate::api::views::{ListQuery, ListView};
use crate::credentials::CredentialKind;
use crate::secrets::Binding;
use crate::state::AppState;
use crate::sync::{self, local_folder};

/// SPEC §6 defaults for blank detection.
const DEFAULT_MIN_DURATION_SECONDS: i64 = 1200;
const DEFAULT_MIN_SIZE_BYTES: i64 = 25 * 1024 * 1024;

/// The kind of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Zoom,
    LocalFolder,
}

/// Type-specific settings: `user_id` for Zoom (default `me`), `path` for a local folder
/// (relative to the configured local sources root).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// A source to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Lecture folder", "type": "local_folder",
    "config": {"path": "lectures"}, "min_duration_seconds": 600}))]
pub struct CreateSourceRequest {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: SourceKind,
    /// A `zoom_s2s` or `zoom_oauth` credential of the caller (Zoom only).
    pub credential_id: Option<Uuid>,
    pub config: Option<SourceConfig>,
    /// Shorter recordings are skipped as blank (default 1200).
    pub min_duration_seconds: Option<i64>,
    /// Smaller recordings are skipped as blank (default 25 MiB).
    pub min_size_bytes: Option<i64>,
    /// Process a recording as soon as Zoom's webhook announces it (default false).
    pub process_on_webhook: Option<bool>,
    /// Zoom's webhook secret token; write-only.
    pub webhook_secret: Option<String>,
}

/// Changes to a source; absent fields stay, `webhook_secret: null` removes the secret.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"min_duration_seconds": 300}))]
pub struct UpdateSourceRequest {
    pub name: Option<String>,
    pub credential_id: Option<Uuid>,
    pub config: Option<SourceConfig>,
    pub min_duration_seconds: Option<i64>,
    pub min_size_bytes: Option<i64>,
    pub process_on_webhook: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub webhook_secret: Option<Option<String>>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A source as shown; secrets are never included.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SourceView {
    pub id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: SourceKind,
    pub credential_id: Option<Uuid>,
    pub config: SourceConfig,
    pub min_duration_seconds: i64,
    pub min_size_bytes: i64,
    pub process_on_webhook: bool,
    pub has_webhook_secret: bool,
    /// Where Zoom should send `recording.completed` for this source.
    #[schema(example = "/api/v1/webhooks/zoom/0193a6e4-8f1c-7a51-9d0e-3c2b1a4f5e6d")]
    pub webhook_path: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<InputSource> for SourceView {
    fn from(s: InputSource) -> Self {
        SourceView {
            id: s.id,
            name: s.name,
            kind: if s.kind == "zoom" {
                SourceKind::Zoom
            } else {
                SourceKind::LocalFolder
            },
            credential_id: s.credential_id,
            config: serde_json::from_value(s.config).unwrap_or_default(),
            min_duration_seconds: s.min_duration_seconds,
            min_size_bytes: s.min_size_bytes,
            process_on_webhook: s.process_on_webhook,
            has_webhook_secret: s.webhook_secret.is_some(),
            webhook_path: format!("/api/v1/webhooks/zoom/{}", s.id),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A manual sync's window; dates are `YYYY-MM-DD` (UTC) or RFC 3339. Default: the last 2 days.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from": "2026-11-01", "to": "2026-12-03"}))]
pub struct SyncRequest {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Sync state of a source.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"state": "idle", "last_sync_at": "2026-12-03T18:00:00Z",
    "last_result": {"listed": 12, "new": 2, "updated": 1, "pending": 1, "skipped": 3},
    "last_error": null}))]
pub struct SourceStatusView {
    /// `idle` or `syncing`.
    pub state: String,
    pub last_sync_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<Object>)]
    pub last_result: Option<Value>,
    pub last_error: Option<String>,
}

impl From<SyncStatus> for SourceStatusView {
    fn from(s: SyncStatus) -> Self {
        SourceStatusView {
            state: if s.syncing { "syncing" } else { "idle" }.to_owned(),
            last_sync_at: s.last_sync_at,
            last_result: s.last_result,
            last_error: s.last_error,
        }
    }
}

/// Creates a source; counts against `max_input_sources`.
#[utoipa::path(post, path = "/api/v1/input-sources", tag = "sources", security(("bearer" = [])),
    request_body = CreateSourceRequest,
    responses((status = 201, body = SourceView), (status = 401, body = ErrorBody),
        (status = 403, description = "quota reached", body = ErrorBody),
        (status = 404, description = "credential not found", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateSourceRequest>,
) -> ApiResult<(StatusCode, Json<SourceView>)> {
    let user_id = caller.user.id;
    let name = checked_name(&request.name)?;
    let config = checked_config(
        &state,
        &caller.user,
        request.kind,
        request.config.unwrap_or_default(),
    )?;
    let credential_id =
        checked_credential(&state, user_id, request.kind, request.credential_id).await?;
    let min_duration_seconds = checked_min(
        "min_duration_seconds",
        request.min_duration_seconds,
        DEFAULT_MIN_DURATION_SECONDS,
    )?;
    let min_size_bytes = checked_min(
        "min_size_bytes",
        request.min_size_bytes,
        DEFAULT_MIN_SIZE_BYTES,
    )?;

    let id = Uuid::now_v7();
    let webhook_secret = match request.webhook_secret {
        Some(secret) => Some(seal_webhook_secret(&state, user_id, id, &secret)?),
        None => None,
    };
    let now = Utc::now();
    let source = InputSource {
        id,
        user_id,
        name,
        kind: kind_name(request.kind).to_owned(),
        credential_id,
        config: serde_json::to_value(config).unwrap_or_default(),
        min_duration_seconds,
        min_size_bytes,
        process_on_webhook: request.process_on_webhook.unwrap_or(false),
        webhook_secret,
        sync: SyncStatus::default(),
        created_at: now,
        updated_at: now,
    };
    let created = state.store.create_source(&source).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// The caller's sources.
#[utoipa::path(get, path = "/api/v1/input-sources", tag = "sources", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = ListView<SourceView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<SourceView>>> {
    let page = state
        .store
        .list_sources(caller.user.id, query.page()?)
        .await?;
    Ok(Json(ListView::from_page(page, SourceView::from)))
}

/// One source.
#[utoipa::path(get, path = "/api/v1/input-sources/{id}", tag = "sources",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = SourceView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SourceView>> {
    Ok(Json(
        state.store.get_source(caller.user.id, id).await?.into(),
    ))
}

/// Changes a source.
#[utoipa::path(patch, path = "/api/v1/input-sources/{id}", tag = "sources",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateSourceRequest,
    responses((status = 200, body = SourceView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<UpdateSourceRequest>,
) -> ApiResult<Json<SourceView>> {
    let user_id = caller.user.id;
    let current = state.store.get_source(user_id, id).await?;
    let kind = if current.kind == "zoom" {
        SourceKind::Zoom
    } else {
        SourceKind::LocalFolder
    };
    let mut patch = SourcePatch {
        name: request.name.as_deref().map(checked_name).transpose()?,
        min_duration_seconds: request
            .min_duration_seconds
            .map(|v| checked_min("min_duration_seconds", Some(v), 0))
            .transpose()?,
        min_size_bytes: request
            .min_size_bytes
            .map(|v| checked_min("min_size_bytes", Some(v), 0))
            .transpose()?,
        process_on_webhook: request.process_on_webhook,
        ..SourcePatch::default()
    };
    if let Some(config) = request.config {
        patch.config = Some(
            serde_json::to_value(checked_config(&state, &caller.user, kind, config)?)
                .unwrap_or_default(),
        );
    }
    if request.credential_id.is_some() {
        patch.credential_id =
            checked_credential(&state, user_id, kind, request.credential_id).await?;
    }
    patch.webhook_secret = match request.webhook_secret {
        Some(Some(secret)) => Some(Some(seal_webhook_secret(&state, user_id, id, &secret)?)),
        Some(None) => Some(None),
        None => None,
    };
    Ok(Json(
        state.store.update_source(user_id, id, &patch).await?.into(),
    ))
}

/// Deletes a source and its recordings.
#[utoipa::path(delete, path = "/api/v1/input-sources/{id}", tag = "sources",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.store.delete_source(caller.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts a sync in the background; follow it at `/status`.
#[utoipa::path(post, path = "/api/v1/input-sources/{id}/sync", tag = "sources",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = SyncRequest,
    responses((status = 202, body = SourceStatusView), (status = 404, body = ErrorBody),
        (status = 409, description = "a sync of this source is running", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<SourceStatusView>)> {
    // The body is optional: an empty one means the default window.
    let request: SyncRequest = if body.iter().all(u8::is_ascii_whitespace) {
        SyncRequest::default()
    } else {
        parse_json(&body)?
    };
    let now = Utc::now();
    let default = sync::Window::last_days(now, 2);
    let from = parse_instant("from", request.from.as_deref(), false)?.unwrap_or(default.from);
    let to = parse_instant("to", request.to.as_deref(), true)?.unwrap_or(default.to);
    if from > to {
        return Err(ApiError::invalid_field("from", "must not be after `to`"));
    }
    let source = state.store.get_source(caller.user.id, id).await?;
    let zone = caller.user.timezone.parse().unwrap_or(chrono_tz::UTC);

    state
        .store
        .begin_sync(caller.user.id, id, now, now - chrono::Duration::hours(1))
        .await?;
    let task_state = state.clone();
    tokio::spawn(async move {
        let window = sync::Window { from, to };
        let outcome = sync::sync_source(&task_state, &source, zone, window).await;
        let (result, error) = match outcome {
            Ok(synced) => (Some(json!(synced.result)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        if let Err(e) = task_state
            .store
            .finish_sync(source.id, Utc::now(), result.as_ref(), error.as_deref())
            .await
        {
            tracing::error!(error = %e, source.id = %source.id, "cannot record the end of a sync");
        }
    });
    let status = SyncStatus {
        syncing: true,
        ..state.store.get_source(caller.user.id, id).await?.sync
    };
    Ok((StatusCode::ACCEPTED, Json(status.into())))
}

/// Whether a sync runs, and how the last one went.
#[utoipa::path(get, path = "/api/v1/input-sources/{id}/status", tag = "sources",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = SourceStatusView), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SourceStatusView>> {
    Ok(Json(
        state
            .store
            .get_source(caller.user.id, id)
            .await?
            .sync
            .into(),
    ))
}

fn kind_name(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Zoom => "zoom",
        SourceKind::LocalFolder => "local_folder",
    }
}

fn checked_config(
    state: &AppState,
    user: &recflow_store::User,
    kind: SourceKind,
    config: SourceConfig,
) -> ApiResult<SourceConfig> {
    match kind {
        SourceKind::Zoom => {
            if config.path.is_some() {
                return Err(ApiError::invalid_field(
                    "config.path",
                    "only local_folder sources have a path",
                ));
            }
            let user_id = config.user_id.unwrap_or_else(|| "me".to_owned());
            if user_id.trim().is_empty() || user_id.len() > 200 {
                return Err(ApiError::invalid_field(
                    "config.user_id",
                    "must be `me`, a Zoom user id or an email",
                ));
            }
            Ok(SourceConfig {
                user_id: Some(user_id),
                path: None,
            })
        }
        SourceKind::LocalFolder => {
            if config.user_id.is_some() {
                return Err(ApiError::invalid_field(
                    "config.user_id",
                    "only zoom sources have a user_id",
                ));
            }
            let path = config.path.ok_or_else(|| {
                ApiError::invalid_field("config.path", "is required for local_folder sources")
            })?;
            local_folder::resolve(Some(&state.config.account_sources_root(user)), &path)
                .map_err(|e| ApiError::invalid_field("config.path", e.to_string()))?;
            Ok(SourceConfig {
                user_id: None,
                path: Some(path),
            })
        }
    }
}

async fn checked_credential(
    state: &AppState,
    user_id: Uuid,
    kind: SourceKind,
    credential_id: Option<Uuid>,
) -> ApiResult<Option<Uuid>> {
    match (kind, credential_id) {
        (SourceKind::LocalFolder, None) => Ok(None),
        (SourceKind::LocalFolder, Some(_)) => Err(ApiError::invalid_field(
            "credential_id",
            "local_folder sources take no credential",
        )),
        (SourceKind::Zoom, None) => Err(ApiError::invalid_field(
            "credential_id",
            "zoom sources need a zoom_s2s or zoom_oauth credential",
        )),
        (SourceKind::Zoom, Some(id)) => {
            let credential = state.store.get_credential(user_id, id).await?;
            match CredentialKind::parse(&credential.kind) {
                Some(CredentialKind::ZoomS2s | CredentialKind::ZoomOauth) => Ok(Some(id)),
                _ => Err(ApiError::invalid_field(
                    "credential_id",
                    "must be a zoom_s2s or zoom_oauth credential",
                )),
            }
        }
    }
}

fn checked_min(field: &'static str, value: Option<i64>, default: i64) -> ApiResult<i64> {
    match value {
        None => Ok(default),
        Some(v) if v >= 0 => Ok(v),
        Some(_) => Err(ApiError::invalid_field(field, "must not be negative")),
    }
}

fn seal_webhook_secret(
    state: &AppState,
    user_id: Uuid,
    source_id: Uuid,
    secret: &str,
) -> ApiResult<Vec<u8>> {
    if secret.trim().is_empty() || secret.len() > 500 {
        return Err(ApiError::invalid_field(
            "webhook_secret",
            "must be 1 to 500 characters",
        ));
    }
    let binding = Binding {
        purpose: "webhook",
        owner: user_id,
        record: source_id,
    };
    Ok(secret_key(state)?.seal(binding, secret.as_bytes()))
}

/// `YYYY-MM-DD` (start of day, or end of day for `to`) or RFC 3339.
fn parse_instant(
    field: &'static str,
    text: Option<&str>,
    end_of_day: bool,
) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(text) = text else { return Ok(None) };
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let time = if end_of_day {
            date.and_hms_opt(23, 59, 59)
        } else {
            date.and_hms_opt(0, 0, 0)
        };
        return Ok(time.map(|t| t.and_utc()));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            ApiError::invalid_field(field, "must be a date YYYY-MM-DD or an RFC 3339 instant")
        })
}
