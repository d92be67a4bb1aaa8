//! `/api/v1/recordings`: what the sources delivered, with status and explanations.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use recflow_store::{Recording, RecordingFilter, Store, Target};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::{ApiPath, ApiQuery, Caller};
use crate::api::views::ListView;
use crate::state::AppState;

/// A recording (SPEC §12).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecordingView {
    pub id: Uuid,
    pub source_id: Uuid,
    /// Identity within the source: the Zoom meeting UUID and file, or the file path.
    pub source_key: String,
    pub title: String,
    pub start_time: DateTime<Utc>,
    pub duration_seconds: i64,
    pub size_bytes: i64,
    /// `PENDING_SOURCE`, `INITIALIZED`, `SKIPPED`, …
    #[schema(example = "INITIALIZED")]
    pub status: String,
    #[schema(example = "blank")]
    pub skip_reason: Option<String>,
    pub template_id: Option<Uuid>,
    /// Why it matched a template or none: `{template_id, rule, reason}`.
    #[serde(rename = "match")]
    #[schema(value_type = Option<Object>)]
    pub match_info: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub failure: Option<Value>,
    /// Publishing targets: `{preset_id, platform, status, platform_video_id, url, error}`.
    pub targets: Vec<TargetView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Recording> for RecordingView {
    fn from(r: Recording) -> Self {
        RecordingView {
            id: r.id,
            source_id: r.source_id,
            source_key: r.source_key,
            title: r.title,
            start_time: r.start_time,
            duration_seconds: r.duration_seconds,
            size_bytes: r.size_bytes,
            status: r.status,
            skip_reason: r.skip_reason,
            template_id: r.template_id,
            match_info: r.match_info,
            failure: r.failure,
            targets: Vec::new(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Where a recording is published.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TargetView {
    pub preset_id: Uuid,
    #[schema(example = "youtube")]
    pub platform: String,
    /// `pending`, `uploading`, `uploaded`, `failed` or `paused`.
    pub status: String,
    pub platform_video_id: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
}

impl From<Target> for TargetView {
    fn from(t: Target) -> Self {
        TargetView {
            preset_id: t.preset_id,
            platform: t.platform,
            status: t.status,
            platform_video_id: t.platform_video_id,
            url: t.url,
            error: t.error,
        }
    }
}

/// What `POST /recordings/{id}/run` did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunAnswer {
    /// `started` (a new pipeline), `resumed` (from the failed stage) or `in_flight`.
    #[schema(example = "started")]
    pub state: String,
}

/// Filters and pagination of the recordings list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RecordingQuery {
    pub source_id: Option<Uuid>,
    /// A status such as `INITIALIZED` or `SKIPPED`.
    pub status: Option<String>,
    pub template_id: Option<Uuid>,
    /// Recordings starting at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Recordings starting before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

const STATUSES: [&str; 11] = [
    "PENDING_SOURCE",
    "INITIALIZED",
    "DOWNLOADING",
    "DOWNLOADED",
    "PROCESSING",
    "PROCESSED",
    "UPLOADING",
    "UPLOADED",
    "READY",
    "SKIPPED",
    "EXPIRED",
];

/// The caller's recordings, most recently synced first.
#[utoipa::path(get, path = "/api/v1/recordings", tag = "recordings", security(("bearer" = [])),
    params(RecordingQuery),
    responses((status = 200, body = ListView<RecordingView>), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<RecordingQuery>,
) -> ApiResult<Json<ListView<RecordingView>>> {
    if let Some(status) = query.status.as_deref().filter(|s| !STATUSES.contains(s)) {
        return Err(ApiError::invalid_field(
            "status",
            format!("{status:?} is not one of {}", STATUSES.join(", ")),
        ));
    }
    let page = crate::api::views::ListQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let filter = RecordingFilter {
        source_id: query.source_id,
        status: query.status,
        template_id: query.template_id,
        from: query.from,
        to: query.to,
    };
    let page = state
        .store
        .list_recordings(caller.user.id, &filter, page)
        .await?;
    let mut view = ListView::from_page(page, RecordingView::from);
    for item in &mut view.items {
        item.targets = targets_of(state.store.as_ref(), item.id).await?;
    }
    Ok(Json(view))
}

/// One recording with its match explanation.
#[utoipa::path(get, path = "/api/v1/recordings/{id}", tag = "recordings",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = RecordingView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RecordingView>> {
    let mut view = RecordingView::from(state.store.get_recording(caller.user.id, id).await?);
    view.targets = targets_of(state.store.as_ref(), id).await?;
    Ok(Json(view))
}

async fn targets_of(store: &dyn Store, recording_id: Uuid) -> ApiResult<Vec<TargetView>> {
    Ok(store
        .targets(recording_id)
        .await?
        .into_iter()
        .map(TargetView::from)
        .collect())
}

/// Processes a recording now: starts its pipeline, or resumes a failed one from the failed
/// stage. A recording already in flight is not started twice.
#[utoipa::path(post, path = "/api/v1/recordings/{id}/run", tag = "recordings",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 202, body = RunAnswer), (status = 404, body = ErrorBody),
        (status = 409, description = "in flight already", body = ErrorBody),
        (status = 422, description = "matches no template", body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<RunAnswer>)> {
    let recording = state.store.get_recording(caller.user.id, id).await?;
    let now = state.clock.now();
    if recording.failure.is_some() && state.store.retry_pipeline(caller.user.id, id, now).await? {
        return Ok((
            StatusCode::ACCEPTED,
            Json(RunAnswer {
                state: "resumed".to_owned(),
            }),
        ));
    }
    match crate::pipeline::start(&state, &recording, true).await {
        Ok(true) => Ok((
            StatusCode::ACCEPTED,
            Json(RunAnswer {
                state: "started".to_owned(),
            }),
        )),
        Ok(false) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "in-flight",
            "nothing to start: the recording is being processed already, or every step of it is done",
        )),
        Err(crate::pipeline::StartError::Unmatched) => Err(ApiError::invalid_field(
            "template_id",
            "the recording matches no template; create or change a template first",
        )),
        Err(crate::pipeline::StartError::Store(e)) => Err(e.into()),
    }
}

/// Removes a recording from view and from future syncs (it is not synced again).
#[utoipa::path(delete, path = "/api/v1/recordings/{id}", tag = "recordings",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.store.delete_recording(caller.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
