//! `/api/v1/output-presets`: where a template publishes, with platform settings.

use std::path::{Component, Path};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use recflow_store::OutputPreset;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::credentials::checked_name;
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::{ApiJson, ApiPath, ApiQuery, Caller, parse_json};
use crate::api::views::{ListQuery, ListView};
use crate::credentials::CredentialKind;
use crate::state::AppState;

/// Publishing platform of a preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresetPlatform {
    Youtube,
    Vk,
    LocalFolder,
}

impl PresetPlatform {
    fn as_str(self) -> &'static str {
        match self {
            PresetPlatform::Youtube => "youtube",
            PresetPlatform::Vk => "vk",
            PresetPlatform::LocalFolder => "local_folder",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "youtube" => PresetPlatform::Youtube,
            "vk" => PresetPlatform::Vk,
            _ => PresetPlatform::LocalFolder,
        }
    }

    fn credential_kind(self) -> Option<CredentialKind> {
        match self {
            PresetPlatform::Youtube => Some(CredentialKind::Google),
            PresetPlatform::Vk => Some(CredentialKind::Vk),
            PresetPlatform::LocalFolder => None,
        }
    }
}

/// YouTube settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct YoutubeSettings {
    /// `public`, `unlisted` (default) or `private`.
    pub privacy: String,
    pub playlist_id: Option<String>,
    pub category_id: String,
    pub tags: Vec<String>,
    pub made_for_kids: bool,
}

impl Default for YoutubeSettings {
    fn default() -> Self {
        YoutubeSettings {
            privacy: "unlisted".to_owned(),
            playlist_id: None,
            category_id: "27".to_owned(),
            tags: Vec::new(),
            made_for_kids: false,
        }
    }
}

/// VK settings.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VkSettings {
    /// A community id (positive); without it the video goes to the user's page.
    pub group_id: Option<i64>,
    pub album_id: Option<i64>,
    /// `all`, `friends`, `friends_of_friends` or `only_me`.
    pub privacy_view: Option<String>,
}

/// Local folder settings: `<outputs root>/<path>/<rendered file name>.<ext>`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LocalFolderSettings {
    pub path: String,
    pub file_name_template: String,
}

impl Default for LocalFolderSettings {
    fn default() -> Self {
        LocalFolderSettings {
            path: String::new(),
            file_name_template: "{{ start | date }} {{ title }}".to_owned(),
        }
    }
}

/// A preset as shown.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PresetView {
    pub id: Uuid,
    pub name: String,
    pub platform: PresetPlatform,
    pub credential_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub settings: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OutputPreset> for PresetView {
    fn from(p: OutputPreset) -> Self {
        PresetView {
            id: p.id,
            name: p.name,
            platform: PresetPlatform::parse(&p.platform),
            credential_id: p.credential_id,
            settings: p.settings,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A preset to create. `credential_id`: a `google` credential for YouTube, a `vk` one for VK,
/// none for a local folder.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Lecture archive", "platform": "local_folder",
    "settings": {"path": "lectures", "file_name_template": "{{ start | date }} {{ title }}"}}))]
pub struct CreatePresetRequest {
    pub name: String,
    pub platform: PresetPlatform,
    pub credential_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub settings: Option<Value>,
}

/// Changes to a preset (its platform is fixed).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePresetRequest {
    pub name: Option<String>,
    pub credential_id: Option<Uuid>,
    #[schema(value_type = Option<Object>)]
    pub settings: Option<Value>,
}

/// Creates a preset.
#[utoipa::path(post, path = "/api/v1/output-presets", tag = "templates", security(("bearer" = [])),
    request_body = CreatePresetRequest,
    responses((status = 201, body = PresetView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CreatePresetRequest>,
) -> ApiResult<(StatusCode, Json<PresetView>)> {
    let name = checked_name(&request.name)?;
    let settings = checked_settings(
        request.platform,
        request
            .settings
            .unwrap_or(Value::Object(Default::default())),
    )?;
    checked_credential(
        &state,
        caller.user.id,
        request.platform,
        request.credential_id,
    )
    .await?;
    let now = Utc::now();
    let preset = OutputPreset {
        id: Uuid::now_v7(),
        user_id: caller.user.id,
        name,
        platform: request.platform.as_str().to_owned(),
        credential_id: request.credential_id,
        settings,
        created_at: now,
        updated_at: now,
    };
    Ok((
        StatusCode::CREATED,
        Json(state.store.create_preset(&preset).await?.into()),
    ))
}

/// The caller's presets.
#[utoipa::path(get, path = "/api/v1/output-presets", tag = "templates", security(("bearer" = [])),
    params(ListQuery), responses((status = 200, body = ListView<PresetView>)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<ListView<PresetView>>> {
    let page = state
        .store
        .list_presets(caller.user.id, query.page()?)
        .await?;
    Ok(Json(ListView::from_page(page, PresetView::from)))
}

/// One preset.
#[utoipa::path(get, path = "/api/v1/output-presets/{id}", tag = "templates",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = PresetView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PresetView>> {
    Ok(Json(
        state.store.get_preset(caller.user.id, id).await?.into(),
    ))
}

/// Changes a preset.
#[utoipa::path(patch, path = "/api/v1/output-presets/{id}", tag = "templates",
    security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdatePresetRequest,
    responses((status = 200, body = PresetView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<UpdatePresetRequest>,
) -> ApiResult<Json<PresetView>> {
    let mut preset = state.store.get_preset(caller.user.id, id).await?;
    let platform = PresetPlatform::parse(&preset.platform);
    if let Some(name) = request.name {
        preset.name = checked_name(&name)?;
    }
    if let Some(settings) = request.settings {
        preset.settings = checked_settings(platform, settings)?;
    }
    if request.credential_id.is_some() {
        checked_credential(&state, caller.user.id, platform, request.credential_id).await?;
        preset.credential_id = request.credential_id;
    }
    Ok(Json(state.store.replace_preset(&preset).await?.into()))
}

/// Deletes a preset no template uses.
#[utoipa::path(delete, path = "/api/v1/output-presets/{id}", tag = "templates",
    security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
        (status = 409, description = "a template uses it", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let templates = state.store.all_templates(caller.user.id).await?;
    if let Some(user) = templates.iter().find(|t| t.output_preset_ids.contains(&id)) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("template {:?} uses this preset", user.name),
        ));
    }
    state.store.delete_preset(caller.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Validates and normalises `settings` for `platform`, filling defaults.
fn checked_settings(platform: PresetPlatform, settings: Value) -> ApiResult<Value> {
    let prefixed = |e: ApiError| e.with_field_prefix("settings");
    let bytes = settings.to_string();
    let normalized = match platform {
        PresetPlatform::Youtube => {
            let s: YoutubeSettings = parse_json(bytes.as_bytes()).map_err(prefixed)?;
            if !["public", "unlisted", "private"].contains(&s.privacy.as_str()) {
                return Err(ApiError::invalid_field(
                    "settings.privacy",
                    "must be public, unlisted or private",
                ));
            }
            if s.category_id.is_empty() || !s.category_id.chars().all(|c| c.is_ascii_digit()) {
                return Err(ApiError::invalid_field(
                    "settings.category_id",
                    "must be a YouTube category number such as 27",
                ));
            }
            if s.tags.iter().map(String::len).sum::<usize>() > 500 {
                return Err(ApiError::invalid_field(
                    "settings.tags",
                    "YouTube allows at most 500 characters of tags",
                ));
            }
            serde_json::to_value(s)
        }
        PresetPlatform::Vk => {
            let s: VkSettings = parse_json(bytes.as_bytes()).map_err(prefixed)?;
            if s.group_id.is_some_and(|g| g <= 0) {
                return Err(ApiError::invalid_field(
                    "settings.group_id",
                    "must be a positive community id",
                ));
            }
            let privacy = ["all", "friends", "friends_of_friends", "only_me"];
            if s.privacy_view
                .as_deref()
                .is_some_and(|p| !privacy.contains(&p))
            {
                return Err(ApiError::invalid_field(
                    "settings.privacy_view",
                    "must be all, friends, friends_of_friends or only_me",
                ));
            }
            serde_json::to_value(s)
        }
        PresetPlatform::LocalFolder => {
            let s: LocalFolderSettings = parse_json(bytes.as_bytes()).map_err(prefixed)?;
            let plain = Path::new(&s.path)
                .components()
                .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            if s.path.trim().is_empty() || !plain {
                return Err(ApiError::invalid_field(
                    "settings.path",
                    "must be a relative folder inside the outputs root, without `..`",
                ));
            }
            // Bounded and printable, so a preset cannot make a worker build thousands of
            // folders or names no file system takes.
            let depth = Path::new(&s.path).components().count();
            if s.path.len() > 200 || depth > 8 || s.path.chars().any(char::is_control) {
                return Err(ApiError::invalid_field(
                    "settings.path",
                    "must be at most 200 characters and 8 folders deep, without control characters",
                ));
            }
            recflow_matching::check_template_text(
                &s.file_name_template,
                "settings.file_name_template",
            )
            .map_err(|e| ApiError::invalid_field(e.field, e.message))?;
            serde_json::to_value(s)
        }
    };
    normalized.map_err(|e| ApiError::internal(&e))
}

async fn checked_credential(
    state: &AppState,
    user_id: Uuid,
    platform: PresetPlatform,
    credential_id: Option<Uuid>,
) -> ApiResult<()> {
    match (platform.credential_kind(), credential_id) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(ApiError::invalid_field(
            "credential_id",
            "local_folder presets take no credential",
        )),
        (Some(kind), None) => Err(ApiError::invalid_field(
            "credential_id",
            format!(
                "{} presets need a {} credential",
                platform.as_str(),
                kind.as_str()
            ),
        )),
        (Some(kind), Some(id)) => {
            let credential = match state.store.get_credential(user_id, id).await {
                Err(recflow_store::Error::NotFound { .. }) => {
                    return Err(ApiError::missing_reference("credential_id", "credential"));
                }
                other => other?,
            };
            if credential.kind == kind.as_str() {
                Ok(())
            } else {
                Err(ApiError::invalid_field(
                    "credential_id",
                    format!("must be a {} credential", kind.as_str()),
                ))
            }
        }
    }
}
