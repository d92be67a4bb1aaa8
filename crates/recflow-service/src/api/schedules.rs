//! Schedule preview: the next fires of a schedule, computed without saving anything.

use axum::Json;
use chrono::{DateTime, Utc};
use recflow_schedule::{Preview, Schedule};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::{ApiJson, Caller};

/// Largest `count` a preview accepts.
pub const MAX_PREVIEW_COUNT: usize = 100;
/// `count` when none is given.
pub const DEFAULT_PREVIEW_COUNT: usize = 5;

/// What to preview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"schedule": {"type": "weekdays", "days": [0, 2, 4], "time": "09:30",
    "timezone": "America/New_York"}, "after": "2026-03-06T12:00:00Z", "count": 3}))]
pub struct PreviewRequest {
    pub schedule: Schedule,
    /// Fires strictly after this instant (RFC 3339); default now.
    pub after: Option<DateTime<Utc>>,
    /// How many fires, 1 to 100 (default 5).
    pub count: Option<usize>,
}

/// Normalises `schedule` (zone defaulting to `default_timezone`) and lists its next fires.
/// The API and `recflow schedule preview` both call this, so they answer the same.
///
/// # Errors
/// 422 naming the field (`schedule.time`, `count`, …).
pub fn build_preview(
    schedule: Schedule,
    default_timezone: &str,
    after: Option<DateTime<Utc>>,
    count: Option<usize>,
) -> ApiResult<Preview> {
    let count = count.unwrap_or(DEFAULT_PREVIEW_COUNT);
    if !(1..=MAX_PREVIEW_COUNT).contains(&count) {
        return Err(ApiError::invalid_field(
            "count",
            format!("must be between 1 and {MAX_PREVIEW_COUNT}"),
        ));
    }
    let now = Utc::now();
    let schedule_error = |e: recflow_schedule::ScheduleError| {
        ApiError::invalid_field(format!("schedule.{}", e.field), e.message)
    };
    let normalized = schedule
        .normalize(default_timezone, now)
        .map_err(schedule_error)?;
    recflow_schedule::preview(&normalized, after.unwrap_or(now), count).map_err(schedule_error)
}

/// The next fires of a schedule in UTC and local time, its normalised form, its description
/// and its smallest gap between fires. Saves nothing and enforces no quota.
#[utoipa::path(post, path = "/api/v1/automation/schedules/preview", tag = "automation",
    security(("bearer" = [])), request_body = PreviewRequest,
    responses((status = 200, body = Preview), (status = 401, body = ErrorBody),
        (status = 422, description = "invalid schedule; `details` names the field", body = ErrorBody)))]
pub async fn preview(
    caller: Caller,
    ApiJson(request): ApiJson<PreviewRequest>,
) -> ApiResult<Json<Preview>> {
    let preview = build_preview(
        request.schedule,
        &caller.user.timezone,
        request.after,
        request.count,
    )?;
    Ok(Json(preview))
}
