//! `/api/v1/automation/runs/{id}`: one run with its counts, outcomes and error.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use recflow_store::Run;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::error::{ApiResult, ErrorBody};
use crate::api::extract::{ApiPath, Caller};
use crate::state::AppState;

/// A run (SPEC §5).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunView {
    pub id: Uuid,
    pub job_id: Uuid,
    /// `schedule`, `manual` or `catch_up`.
    #[schema(example = "schedule")]
    pub trigger: String,
    pub scheduled_for: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `queued`, `running`, `succeeded`, `failed`, `skipped`, `missed` or `cancelled`.
    #[schema(example = "succeeded")]
    pub status: String,
    pub reason: Option<String>,
    /// `{listed, new, updated, matched, skipped, blank, pipelines_started}`.
    #[schema(value_type = Object)]
    pub counts: Value,
    /// Per recording: `{recording_id, title, outcome, template_id, reason}`.
    #[schema(value_type = Vec<Object>)]
    pub outcomes: Value,
    pub error: Option<String>,
    pub attempts: i64,
}

impl From<Run> for RunView {
    fn from(run: Run) -> Self {
        RunView {
            id: run.id,
            job_id: run.job_id,
            trigger: run.trigger,
            scheduled_for: run.scheduled_for,
            started_at: run.started_at,
            finished_at: run.finished_at,
            status: run.status,
            reason: run.reason,
            counts: run.counts,
            outcomes: run.outcomes,
            error: run.error,
            attempts: run.attempts,
        }
    }
}

/// One run.
#[utoipa::path(get, path = "/api/v1/automation/runs/{id}", tag = "automation", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = RunView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RunView>> {
    Ok(Json(state.store.get_run(caller.user.id, id).await?.into()))
}
