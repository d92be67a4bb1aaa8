//! `/api/v1/automation/jobs`: automation jobs, manual and dry runs, and run history.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use recflow_store::{Job, Overlap};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::credentials::checked_name;
use crate::api::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::runs::RunView;
use crate::api::views::{ListQuery, ListView};
use crate::automation::dry_run::{self, DryRun};
use crate::automation::model::{self, Policy, ProcessingConfig, SyncConfig};
use crate::state::AppState;

/// An automation job (SPEC §5).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct JobView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub description: String,
    pub source_id: Uuid,
    /// Empty: every active template of the account at run time.
    pub template_ids: Vec<Uuid>,
    /// The normalised schedule (explicit zone, sorted days, stored anchor).
    #[schema(value_type = Object, example = json!({"type": "time_of_day", "time": "06:00", "timezone": "Europe/Berlin"}))]
    pub schedule: Value,
    #[schema(example = "Daily at 06:00 (Europe/Berlin)")]
    pub human_readable: String,
    pub sync_config: SyncConfig,
    pub processing_config: ProcessingConfig,
    pub policy: Policy,
    pub is_active: bool,
    pub last_run_at: Option<DateTime<Utc>>,
    pub next_run_at: Option<DateTime<Utc>>,
    pub run_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Job> for JobView {
    fn from(job: Job) -> Self {
        let human_readable = model::compiled_schedule(&job)
            .map(|c| c.human_readable())
            .unwrap_or_default();
        let (sync_config, processing_config, policy) = model::documents(&job);
        JobView {
            id: job.id,
            user_id: job.user_id,
            name: job.name,
            description: job.description,
            source_id: job.source_id,
            template_ids: job.template_ids,
            schedule: job.schedule,
            human_readable,
            sync_config,
            processing_config,
            policy,
            is_active: job.is_active,
            last_run_at: job.last_run_at,
            next_run_at: job.next_run_at,
            run_count: job.run_count,
            created_at: job.created_at,
            updated_at: job.updated_at,
        }
    }
}

/// A job to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Lectures to YouTube", "source_id": "0193a6e4-8f1c-7a51-9d0e-3c2b1a4f5e6d",
    "schedule": {"type": "weekdays", "days": [0, 2, 4], "time": "09:30", "timezone": "America/New_York"},
    "sync_config": {"sync_days": 2}, "policy": {"overlap": "skip"}}))]
pub struct CreateJobRequest {
    pub name: String,
    pub description: Option<String>,
    pub source_id: Uuid,
    pub template_ids: Option<Vec<Uuid>>,
    #[schema(value_type = Object)]
    pub schedule: Value,
    pub sync_config: Option<SyncConfig>,
    pub processing_config: Option<ProcessingConfig>,
    pub policy: Option<Policy>,
    pub is_active: Option<bool>,
}

/// Changes to a job: an absent field stays, `null` clears `description` and `template_ids`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"schedule": {"type": "hours", "hours": 6}, "is_active": true}))]
pub struct UpdateJobRequest {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub source_id: Option<Uuid>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<Uuid>>)]
    pub template_ids: Option<Option<Vec<Uuid>>>,
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<Value>,
    /// Only the given fields change; the others keep their values.
    #[schema(value_type = Option<SyncConfig>)]
    pub sync_config: Option<Value>,
    #[schema(value_type = Option<ProcessingConfig>)]
    pub processing_config: Option<Value>,
    #[schema(value_type = Option<Policy>)]
    pub policy: Option<Value>,
    pub is_active: Option<bool>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// List filter.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobQuery {
    /// Only active jobs.
    pub active_only: Option<bool>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// `?dry_run=true` previews instead of running.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RunQuery {
    pub dry_run: Option<bool>,
}

/// The answer to a manual run.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RunStarted {
    pub run_id: Uuid,
    #[schema(example = "execute")]
    pub mode: String,
}

/// The caller's jobs.
#[utoipa::path(get, path = "/api/v1/automation/jobs", tag = "automation", security(("bearer" = [])),
    params(JobQuery), responses((status = 200, body = ListView<JobView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<JobQuery>,
) -> ApiResult<Json<ListView<JobView>>> {
    let page = ListQuery {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page()?;
    let jobs = state
        .store
        .list_jobs(caller.user.id, query.active_only.unwrap_or(false), page)
        .await?;
    Ok(Json(ListView::from_page(jobs, JobView::from)))
}

/// Creates a job: quota, minimum interval, and ownership of the source and templates are
/// checked; `next_run_at` is computed.
#[utoipa::path(post, path = "/api/v1/automation/jobs", tag = "automation", security(("bearer" = [])),
    request_body = CreateJobRequest,
    responses((status = 201, body = JobView), (status = 401, body = ErrorBody),
        (status = 403, description = "max_automation_jobs reached", body = ErrorBody),
        (status = 404, description = "source or template not found", body = ErrorBody),
        (status = 409, description = "duplicate name", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreateJobRequest>,
) -> ApiResult<(StatusCode, Json<JobView>)> {
    let user = &caller.user;
    let now = state.clock.now();
    let name = checked_name(&request.name)?;
    let description = checked_description(request.description)?;
    let sync_config = request.sync_config.unwrap_or_default();
    let processing_config = request.processing_config.unwrap_or_default();
    let policy = request.policy.unwrap_or_default();
    check_documents(&sync_config, &processing_config, &policy)?;
    check_source(&state, user.id, request.source_id).await?;
    let template_ids = request.template_ids.unwrap_or_default();
    check_templates(&state, user.id, &template_ids).await?;
    let checked = checked_schedule(&state, user.id, &user.timezone, request.schedule, now).await?;

    let is_active = request.is_active.unwrap_or(true);
    let job = Job {
        id: Uuid::now_v7(),
        user_id: user.id,
        name,
        description,
        source_id: request.source_id,
        template_ids,
        schedule: serde_json::to_value(&checked.schedule).unwrap_or_default(),
        sync_config: serde_json::to_value(&sync_config).unwrap_or_default(),
        processing_config: serde_json::to_value(&processing_config).unwrap_or_default(),
        policy: serde_json::to_value(&policy).unwrap_or_default(),
        is_active,
        next_run_at: checked.next_run_at.filter(|_| is_active),
        last_run_at: None,
        run_count: 0,
        created_at: now,
        updated_at: now,
    };
    let created = state.store.create_job(&job).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One job.
#[utoipa::path(get, path = "/api/v1/automation/jobs/{id}", tag = "automation", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = JobView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(state.store.get_job(caller.user.id, id).await?.into()))
}

/// Changes a job; a new schedule is re-validated and `next_run_at` recomputed in the same
/// write. Takes effect at the scheduler's next tick.
#[utoipa::path(patch, path = "/api/v1/automation/jobs/{id}", tag = "automation", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateJobRequest,
    responses((status = 200, body = JobView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<UpdateJobRequest>,
) -> ApiResult<Json<JobView>> {
    let user = &caller.user;
    let now = state.clock.now();
    let mut job = state.store.get_job(user.id, id).await?;
    let (mut sync_config, mut processing_config, mut policy) = model::documents(&job);
    if let Some(name) = &request.name {
        job.name = checked_name(name)?;
    }
    if let Some(description) = request.description {
        job.description = checked_description(description)?;
    }
    if let Some(source_id) = request.source_id {
        check_source(&state, user.id, source_id).await?;
        job.source_id = source_id;
    }
    if let Some(template_ids) = request.template_ids {
        let template_ids = template_ids.unwrap_or_default();
        check_templates(&state, user.id, &template_ids).await?;
        job.template_ids = template_ids;
    }
    sync_config = merged_document(&sync_config, request.sync_config, "sync_config")?;
    processing_config = merged_document(
        &processing_config,
        request.processing_config,
        "processing_config",
    )?;
    policy = merged_document(&policy, request.policy, "policy")?;
    check_documents(&sync_config, &processing_config, &policy)?;

    let reschedule =
        request.schedule.is_some() || request.is_active == Some(true) && !job.is_active;
    let raw_schedule = request.schedule.unwrap_or_else(|| job.schedule.clone());
    if reschedule {
        let checked = checked_schedule(&state, user.id, &user.timezone, raw_schedule, now).await?;
        job.schedule = serde_json::to_value(&checked.schedule).unwrap_or_default();
        job.next_run_at = checked.next_run_at;
    }
    if let Some(active) = request.is_active {
        job.is_active = active;
    }
    if !job.is_active {
        job.next_run_at = None;
    }
    job.sync_config = serde_json::to_value(&sync_config).unwrap_or_default();
    job.processing_config = serde_json::to_value(&processing_config).unwrap_or_default();
    job.policy = serde_json::to_value(&policy).unwrap_or_default();
    Ok(Json(state.store.replace_job(&job).await?.into()))
}

/// Deletes a job: no future fire happens, a running run is cancelled, history is kept until
/// pruned.
#[utoipa::path(delete, path = "/api/v1/automation/jobs/{id}", tag = "automation", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state
        .store
        .delete_job(caller.user.id, id, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs the job now (202, obeying the overlap policy: 409 with the active run when refused), or
/// with `?dry_run=true` answers 200 with what a run would do, writing nothing.
#[utoipa::path(post, path = "/api/v1/automation/jobs/{id}/run", tag = "automation", security(("bearer" = [])),
    params(("id" = Uuid, Path), RunQuery),
    responses((status = 202, body = RunStarted), (status = 200, description = "dry run", body = DryRun),
        (status = 404, body = ErrorBody), (status = 409, description = "a run is active", body = ErrorBody),
        (status = 502, description = "the source could not be listed", body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<RunQuery>,
) -> ApiResult<Response> {
    let job = state.store.get_job(caller.user.id, id).await?;
    if query.dry_run.unwrap_or(false) {
        let preview = dry_run::dry_run(&state, &job).await.map_err(|e| match e {
            dry_run::Error::Store(e) => ApiError::from(e),
            dry_run::Error::Sync(e) => ApiError::new(
                StatusCode::BAD_GATEWAY,
                "source-unavailable",
                format!("the source could not be listed: {e}"),
            ),
        })?;
        return Ok(Json(preview).into_response());
    }
    let (_, _, policy) = model::documents(&job);
    let overlap: Overlap = policy.overlap.into();
    match state
        .store
        .create_manual_run(&job, overlap, state.clock.now())
        .await
    {
        Ok(run) => Ok((
            StatusCode::ACCEPTED,
            Json(RunStarted {
                run_id: run.id,
                mode: "execute".to_owned(),
            }),
        )
            .into_response()),
        Err(recflow_store::Error::Conflict { detail, .. }) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "run-active",
            format!("not started: {detail}"),
        )),
        Err(other) => Err(other.into()),
    }
}

/// The job's runs, newest first. Runs of a deleted job stay listed until pruned.
#[utoipa::path(get, path = "/api/v1/automation/jobs/{id}/runs", tag = "automation", security(("bearer" = [])),
    params(("id" = Uuid, Path), ListQuery),
    responses((status = 200, body = ListView<RunView>), (status = 404, body = ErrorBody)))]
pub async fn runs(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<RunView>>> {
    let page = state
        .store
        .list_runs(caller.user.id, id, query.page()?)
        .await?;
    if page.items.is_empty() && query.cursor.is_none() {
        state.store.get_job(caller.user.id, id).await?;
    }
    Ok(Json(ListView::from_page(page, RunView::from)))
}

/// `current` with the fields of `patch` laid over it (SPEC §5: an absent field is unchanged,
/// also inside these documents).
fn merged_document<T: Clone + Serialize + serde::de::DeserializeOwned>(
    current: &T,
    patch: Option<Value>,
    field: &str,
) -> ApiResult<T> {
    let Some(patch) = patch else {
        return Ok(current.clone());
    };
    let Value::Object(changes) = patch else {
        return Err(ApiError::invalid_field(field, "must be an object"));
    };
    let mut merged = serde_json::to_value(current).unwrap_or_default();
    if let Value::Object(fields) = &mut merged {
        fields.extend(changes);
    }
    crate::api::extract::parse_json(merged.to_string().as_bytes())
        .map_err(|e| e.with_field_prefix(field))
}

fn checked_description(description: Option<String>) -> ApiResult<String> {
    let description = description.unwrap_or_default();
    if description.chars().count() > 2000 {
        return Err(ApiError::invalid_field(
            "description",
            "must be at most 2000 characters",
        ));
    }
    Ok(description)
}

fn check_documents(
    sync: &SyncConfig,
    processing: &ProcessingConfig,
    policy: &Policy,
) -> ApiResult<()> {
    let problems = model::check_limits(sync, processing, policy);
    if problems.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(
        problems
            .into_iter()
            .map(|(field, message)| FieldError { field, message })
            .collect(),
    ))
}

async fn check_source(state: &AppState, user_id: Uuid, source_id: Uuid) -> ApiResult<()> {
    match state.store.get_source(user_id, source_id).await {
        Ok(_) => Ok(()),
        Err(recflow_store::Error::NotFound { .. }) => {
            Err(ApiError::missing_reference("source_id", "input source"))
        }
        Err(e) => Err(e.into()),
    }
}

async fn check_templates(state: &AppState, user_id: Uuid, ids: &[Uuid]) -> ApiResult<()> {
    for (i, id) in ids.iter().enumerate() {
        match state.store.get_template(user_id, *id).await {
            Ok(_) => {}
            Err(recflow_store::Error::NotFound { .. }) => {
                return Err(ApiError::missing_reference(
                    format!("template_ids[{i}]"),
                    "template",
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

async fn checked_schedule(
    state: &AppState,
    user_id: Uuid,
    zone: &str,
    raw: Value,
    now: DateTime<Utc>,
) -> ApiResult<model::CheckedSchedule> {
    let quotas = state.store.get_quotas(user_id).await?;
    model::check_schedule(raw, zone, quotas.limits.min_automation_interval_hours, now)
        .map_err(|e| ApiError::invalid_field(format!("schedule.{}", e.field), e.message))
}
