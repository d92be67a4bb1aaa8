//! `/api/v1/templates`: which recordings belong to a series, how they are trimmed, where they
//! go and under which title; plus a preview that matches and renders without saving.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use recflow_matching::{
    MatchRule, MatchingRules, Metadata, Platform, Processing, RenderVars, explain_template,
    render_description, render_title, validate_matching_rules, validate_metadata,
    validate_processing,
};
use recflow_store::{PageRequest, Recording, RecordingFilter, Template};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::credentials::checked_name;
use crate::api::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::api::views::{ListQuery, ListView};
use crate::matching;
use crate::state::AppState;

/// A template as shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TemplateView {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// Lower first; ties by creation order.
    pub priority: i64,
    pub is_active: bool,
    pub matching_rules: MatchingRules,
    pub processing: Processing,
    pub metadata: Metadata,
    pub output_preset_ids: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Template> for TemplateView {
    fn from(t: Template) -> Self {
        TemplateView {
            id: t.id,
            name: t.name,
            description: t.description,
            priority: t.priority,
            is_active: t.is_active,
            matching_rules: serde_json::from_value(t.matching_rules).unwrap_or_default(),
            processing: serde_json::from_value(t.processing).unwrap_or_default(),
            metadata: serde_json::from_value(t.metadata).unwrap_or_default(),
            output_preset_ids: t.output_preset_ids,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

/// A template to create, or changes to one (absent fields stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Algebra lectures", "priority": 10,
    "matching_rules": {"keywords": ["algebra"], "exclude_keywords": ["draft"]},
    "metadata": {"title_template": "{{ title }} ({{ start | date }})"},
    "output_preset_ids": []}))]
pub struct TemplateRequest {
    pub name: Option<String>,
    pub description: Option<String>,
    pub priority: Option<i64>,
    pub is_active: Option<bool>,
    pub matching_rules: Option<MatchingRules>,
    pub processing: Option<Processing>,
    pub metadata: Option<Metadata>,
    pub output_preset_ids: Option<Vec<Uuid>>,
}

/// What to preview a template against: given recordings, a title, or (neither) the ten most
/// recent recordings.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Algebra lecture 5"}))]
pub struct PreviewRequest {
    pub recording_ids: Option<Vec<Uuid>>,
    pub title: Option<String>,
}

/// Rendered metadata.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Rendered {
    pub title: String,
    pub description: String,
}

/// One previewed recording.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewItem {
    /// `null` for a title given in the request.
    pub recording_id: Option<Uuid>,
    pub matched: bool,
    pub rule: Option<MatchRule>,
    pub reason: String,
    pub rendered: Rendered,
}

/// The preview answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreviewResponse {
    pub items: Vec<PreviewItem>,
}

/// Creates a template and re-matches unmapped recordings.
#[utoipa::path(post, path = "/api/v1/templates", tag = "templates", security(("bearer" = [])),
    request_body = TemplateRequest,
    responses((status = 201, body = TemplateView), (status = 403, description = "quota reached", body = ErrorBody),
        (status = 404, description = "a referenced source or preset is missing", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<TemplateRequest>,
) -> ApiResult<(StatusCode, Json<TemplateView>)> {
    let name = request
        .name
        .as_deref()
        .ok_or_else(|| ApiError::invalid_field("name", "is required"))?;
    let now = Utc::now();
    let base = Template {
        id: Uuid::now_v7(),
        user_id: caller.user.id,
        name: checked_name(name)?,
        description: String::new(),
        priority: 100,
        is_active: true,
        matching_rules: serde_json::to_value(MatchingRules::default()).unwrap_or_default(),
        processing: serde_json::to_value(Processing::default()).unwrap_or_default(),
        metadata: serde_json::to_value(Metadata::default()).unwrap_or_default(),
        output_preset_ids: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    let template = merged(&state, base, request, true).await?;
    let created = state.store.create_template(&template).await?;
    matching::rematch_unmapped(state.store.as_ref(), caller.user.id).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// The caller's templates.
#[utoipa::path(get, path = "/api/v1/templates", tag = "templates", security(("bearer" = [])),
    params(ListQuery), responses((status = 200, body = ListView<TemplateView>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<TemplateView>>> {
    let page = state
        .store
        .list_templates(caller.user.id, query.page()?)
        .await?;
    Ok(Json(ListView::from_page(page, TemplateView::from)))
}

/// One template.
#[utoipa::path(get, path = "/api/v1/templates/{id}", tag = "templates",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        state.store.get_template(caller.user.id, id).await?.into(),
    ))
}

/// Changes a template and re-matches unmapped recordings.
#[utoipa::path(patch, path = "/api/v1/templates/{id}", tag = "templates",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = TemplateRequest,
    responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<TemplateRequest>,
) -> ApiResult<Json<TemplateView>> {
    let current = state.store.get_template(caller.user.id, id).await?;
    let template = merged(&state, current, request, false).await?;
    let saved = state.store.replace_template(&template).await?;
    matching::rematch_unmapped(state.store.as_ref(), caller.user.id).await?;
    Ok(Json(saved.into()))
}

/// Deletes a template; its recordings are unbound and re-matched against the others.
#[utoipa::path(delete, path = "/api/v1/templates/{id}", tag = "templates",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.store.delete_template(caller.user.id, id).await?;
    matching::rematch_unmapped(state.store.as_ref(), caller.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Judges recordings (or a title) by this template's own rules and renders its title and
/// description for them. Saves nothing.
#[utoipa::path(post, path = "/api/v1/templates/{id}/preview", tag = "templates",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = PreviewRequest,
    responses((status = 200, body = PreviewResponse), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<PreviewRequest>,
) -> ApiResult<Json<PreviewResponse>> {
    let user = &caller.user;
    let template = state.store.get_template(user.id, id).await?;
    let compiled = matching::compile(std::slice::from_ref(&template));
    let compiled = compiled.first().ok_or_else(|| {
        ApiError::invalid_field("matching_rules", "the stored rules do not compile")
    })?;
    let metadata: Metadata = serde_json::from_value(template.metadata.clone()).unwrap_or_default();
    let zone = user.timezone.parse().unwrap_or(chrono_tz::UTC);
    let platform = preview_platform(&state, user.id, &template).await?;

    let recordings = preview_recordings(&state, user.id, &request).await?;
    let mut items = Vec::with_capacity(recordings.len());
    for (recording_id, facts) in recordings {
        let verdict = explain_template(compiled, &facts);
        let vars = RenderVars::new(&facts, zone);
        let title = metadata.title_template.as_deref().unwrap_or("{{ title }}");
        let description = metadata.description_template.as_deref().unwrap_or("");
        let rendered = Rendered {
            title: render_title(title, &vars, platform)
                .map_err(|e| ApiError::invalid_field("metadata.title_template", e.to_string()))?,
            description: render_description(description, &vars, platform).map_err(|e| {
                ApiError::invalid_field("metadata.description_template", e.to_string())
            })?,
        };
        items.push(PreviewItem {
            recording_id,
            matched: verdict.matched,
            rule: verdict.rule,
            reason: verdict.reason,
            rendered,
        });
    }
    Ok(Json(PreviewResponse { items }))
}

/// Applies `request` to `template`, validating every field; `creating` requires nothing
/// beyond the name, which the caller checked.
async fn merged(
    state: &AppState,
    mut template: Template,
    request: TemplateRequest,
    creating: bool,
) -> ApiResult<Template> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut collect = |prefix: &str, found: Vec<recflow_matching::FieldError>| {
        errors.extend(found.into_iter().map(|e| FieldError {
            field: prefixed(prefix, &e.field),
            message: e.message,
        }));
    };
    if let Some(name) = request.name.as_deref().filter(|_| !creating) {
        template.name = checked_name(name)?;
    }
    if let Some(description) = request.description {
        template.description = description;
    }
    if let Some(priority) = request.priority {
        template.priority = priority;
    }
    if let Some(active) = request.is_active {
        template.is_active = active;
    }
    if let Some(rules) = &request.matching_rules {
        collect("matching_rules", validate_matching_rules(rules));
    }
    if let Some(processing) = &request.processing {
        collect("processing", validate_processing(processing));
    }
    if let Some(metadata) = &request.metadata {
        collect("metadata", validate_metadata(metadata));
    }
    if template.description.chars().count() > 5000 {
        errors.push(FieldError {
            field: "description".to_owned(),
            message: "must be at most 5000 characters".to_owned(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }

    if let Some(rules) = request.matching_rules {
        check_sources(state, template.user_id, &rules.source_ids).await?;
        template.matching_rules = serde_json::to_value(rules).unwrap_or_default();
    } else if creating {
        collect_default_rules_error()?;
    }
    if let Some(processing) = request.processing {
        template.processing = serde_json::to_value(processing).unwrap_or_default();
    }
    if let Some(metadata) = request.metadata {
        template.metadata = serde_json::to_value(metadata).unwrap_or_default();
    }
    if let Some(presets) = request.output_preset_ids {
        check_presets(state, template.user_id, &presets).await?;
        template.output_preset_ids = presets;
    }
    Ok(template)
}

/// A template without any rule would match nothing; say so instead of saving it silently.
fn collect_default_rules_error() -> ApiResult<()> {
    let empty = validate_matching_rules(&MatchingRules::default());
    match empty.into_iter().next() {
        Some(e) => Err(ApiError::invalid_field(
            prefixed("matching_rules", &e.field),
            e.message,
        )),
        None => Ok(()),
    }
}

/// The field path under `prefix`; the matching crate names some fields with their document
/// already (`matching_rules.patterns[0]`), and those are kept as they are.
fn prefixed(prefix: &str, field: &str) -> String {
    if field.is_empty() {
        prefix.to_owned()
    } else if field == prefix || field.starts_with(&format!("{prefix}.")) {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

async fn check_sources(state: &AppState, user_id: Uuid, ids: &[Uuid]) -> ApiResult<()> {
    for (i, id) in ids.iter().enumerate() {
        if let Err(recflow_store::Error::NotFound { .. }) =
            state.store.get_source(user_id, *id).await
        {
            return Err(ApiError::missing_reference(
                format!("matching_rules.source_ids[{i}]"),
                "input source",
            ));
        }
    }
    Ok(())
}

async fn check_presets(state: &AppState, user_id: Uuid, ids: &[Uuid]) -> ApiResult<()> {
    for (i, id) in ids.iter().enumerate() {
        if let Err(recflow_store::Error::NotFound { .. }) =
            state.store.get_preset(user_id, *id).await
        {
            return Err(ApiError::missing_reference(
                format!("output_preset_ids[{i}]"),
                "output preset",
            ));
        }
    }
    Ok(())
}

/// Titles are cut to the first preset's platform limit (YouTube's when it has none).
async fn preview_platform(
    state: &AppState,
    user_id: Uuid,
    template: &Template,
) -> ApiResult<Platform> {
    let Some(first) = template.output_preset_ids.first() else {
        return Ok(Platform::Youtube);
    };
    let preset = state.store.get_preset(user_id, *first).await;
    Ok(match preset.map(|p| p.platform) {
        Ok(platform) if platform == "vk" => Platform::Vk,
        _ => Platform::Youtube,
    })
}

async fn preview_recordings(
    state: &AppState,
    user_id: Uuid,
    request: &PreviewRequest,
) -> ApiResult<Vec<(Option<Uuid>, recflow_matching::RecordingFacts)>> {
    let store = state.store.as_ref();
    let mut recordings: Vec<Recording> = Vec::new();
    if let Some(ids) = &request.recording_ids {
        if ids.len() > 100 {
            return Err(ApiError::invalid_field(
                "recording_ids",
                "at most 100 recordings per preview",
            ));
        }
        for (i, id) in ids.iter().enumerate() {
            match store.get_recording(user_id, *id).await {
                Ok(r) => recordings.push(r),
                Err(recflow_store::Error::NotFound { .. }) => {
                    return Err(ApiError::missing_reference(
                        format!("recording_ids[{i}]"),
                        "recording",
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
    } else if request.title.is_none() {
        let page = store
            .list_recordings(
                user_id,
                &RecordingFilter::default(),
                PageRequest {
                    limit: 10,
                    after: None,
                },
            )
            .await?;
        recordings = page.items;
    }
    let mut facts = Vec::new();
    for recording in &recordings {
        let name = store
            .get_source(user_id, recording.source_id)
            .await
            .map(|s| s.name)
            .unwrap_or_default();
        facts.push((Some(recording.id), matching::facts(recording, &name)));
    }
    if let Some(title) = &request.title {
        facts.push((
            None,
            recflow_matching::RecordingFacts {
                id: Uuid::nil(),
                source_id: Uuid::nil(),
                title: title.clone(),
                start_time: Utc::now(),
                duration_seconds: 3600,
                meeting_id: None,
                source_name: String::new(),
            },
        ));
    }
    let _: Option<Value> = None;
    Ok(facts)
}
