//! Executing one pipeline stage. Each stage reads what the previous one left in the media
//! directory (`source.*`, then `trimmed.*`), so a retry resumes from the failed stage with the
//! earlier results still in place. Failures are classified here: retryable (I/O hiccups,
//! upstream 5xx/429) or final (bad media, missing credentials, refused uploads).

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use recflow_matching::{Metadata, Platform, Processing, RenderVars, render, render_title};
use recflow_store::{InputSource, NextStage, Recording, Stage, Target};
use serde_json::Value;
use uuid::Uuid;

use crate::matching;
use crate::pipeline::media_dir;
use crate::state::AppState;

/// Attempts of a retryable failure before it is final.
pub const MAX_ATTEMPTS: i64 = 5;

/// A stage's success: the recording's new status and what comes next.
#[derive(Debug)]
pub struct Done {
    pub recording_status: &'static str,
    pub next: Vec<NextStage>,
}

/// A stage's failure, already classified.
#[derive(Debug)]
pub struct Failed {
    pub retryable: bool,
    /// A person must act (e.g. a captcha); not retried automatically.
    pub paused: bool,
    pub reason: String,
}

impl Failed {
    fn fatal(reason: impl Into<String>) -> Self {
        Failed {
            retryable: false,
            paused: false,
            reason: reason.into(),
        }
    }

    fn retryable(reason: impl Into<String>) -> Self {
        Failed {
            retryable: true,
            paused: false,
            reason: reason.into(),
        }
    }
}

/// The recording's last stable status while `stage` fails.
pub fn stable_status(stage: &str) -> &'static str {
    match stage {
        "download" => "INITIALIZED",
        "trim" => "DOWNLOADED",
        _ => "PROCESSED",
    }
}

/// When to retry a failure after `attempts` tries: exponential from `base_seconds`, at most
/// an hour; `None` once the attempts are used up.
pub fn retry_at(
    now: chrono::DateTime<Utc>,
    attempts: i64,
    base_seconds: u32,
) -> Option<chrono::DateTime<Utc>> {
    let delay = (i64::from(base_seconds) << (attempts.clamp(1, 8) - 1)).min(3600);
    (attempts < MAX_ATTEMPTS).then(|| now + Duration::seconds(delay))
}

/// Executes `stage`.
pub async fn execute(state: &AppState, stage: &Stage) -> Result<Done, Failed> {
    let recording = state
        .store
        .get_recording(stage.user_id, stage.recording_id)
        .await
        .map_err(|e| Failed::fatal(format!("the recording is gone: {e}")))?;
    match stage.stage.as_str() {
        "download" => download(state, &recording).await,
        "trim" => trim(state, &recording).await,
        _ => upload(state, &recording, &stage.target).await,
    }
}

async fn download(state: &AppState, recording: &Recording) -> Result<Done, Failed> {
    let source = state
        .store
        .get_source(recording.user_id, recording.source_id)
        .await
        .map_err(|e| Failed::fatal(format!("the source is gone: {e}")))?;
    let dir = media_dir(state, recording.id);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| Failed::retryable(format!("cannot create {}: {e}", dir.display())))?;

    match source.kind.as_str() {
        "local_folder" => {
            let folder = source
                .config
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let file = recording
                .source_meta
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let original = crate::sync::local_folder::resolve(
                Some(&account_root(state, recording).await?),
                folder,
            )
            .map_err(|e| Failed::fatal(format!("the source folder is unusable: {e}")))?
            .join(file);
            let dest = dir.join(format!("source.{}", extension_of(&original)));
            copy_atomically(&original, &dest).await?;
        }
        "zoom" => download_zoom(state, recording, &source, &dir).await?,
        other => return Err(Failed::fatal(format!("unknown source type {other}"))),
    }
    Ok(Done {
        recording_status: "DOWNLOADED",
        next: vec![NextStage {
            stage: "trim",
            target: String::new(),
        }],
    })
}

/// Downloads a Zoom file with a bearer token: the webhook's download token while it is valid,
/// else the credential's access token. Resumes a partial download; refuses HTML pages, wrong
/// sizes and hosts outside `allowed_download_hosts`.
async fn download_zoom(
    state: &AppState,
    recording: &Recording,
    source: &InputSource,
    dir: &Path,
) -> Result<(), Failed> {
    use crate::sync::zoom::{access, mapping};

    let meta = &recording.source_meta;
    let url = meta
        .get("download_url")
        .and_then(Value::as_str)
        .ok_or_else(|| Failed::fatal("Zoom gave no download URL for this file"))?;
    let key = state.secrets.clone().ok_or_else(|| {
        Failed::fatal("no secret key is configured, so the Zoom credential cannot be opened")
    })?;
    let webhook_token = meta
        .get(mapping::DOWNLOAD_TOKEN_KEY)
        .and_then(Value::as_str)
        .filter(|_| !expired(meta.get(mapping::DOWNLOAD_TOKEN_EXPIRY_KEY)))
        .and_then(|sealed| access::open_download_token(&key, source, sealed));
    let token = match webhook_token {
        Some(token) => token,
        None => {
            let credential_id = source
                .credential_id
                .ok_or_else(|| Failed::fatal("the Zoom source has no credential"))?;
            let zoom = access::open(state, source.user_id, credential_id)
                .await
                .map_err(|e| Failed::fatal(format!("cannot open the Zoom credential: {e}")))?;
            state
                .zoom
                .download_token(&zoom.cache_key, &zoom.credential, &zoom.tokens)
                .await
                .map_err(|e| Failed {
                    retryable: e.is_retryable(),
                    paused: false,
                    reason: crate::sync::zoom::describe(&e),
                })?
        }
    };
    let extension = meta
        .get("file_extension")
        .and_then(Value::as_str)
        .unwrap_or("mp4")
        .to_lowercase();
    let client = recflow_media::download::client_builder()
        .build()
        .map_err(|e| Failed::retryable(format!("cannot build the download client: {e}")))?;
    let request = recflow_media::download::DownloadRequest {
        url: url.to_owned(),
        bearer_token: Some(token),
        expected_size: u64::try_from(recording.size_bytes).ok().filter(|s| *s > 0),
        allowed_hosts: state.config.allowed_download_hosts.clone(),
        dest: dir.join(format!("source.{extension}")),
        timeout: std::time::Duration::from_secs(120),
    };
    recflow_media::download::download(&client, request)
        .await
        .map(|_| ())
        .map_err(|e| Failed {
            retryable: e.is_retryable(),
            paused: false,
            reason: e.to_string(),
        })
}

fn expired(at: Option<&Value>) -> bool {
    at.and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .is_none_or(|t| t <= Utc::now())
}

async fn trim(state: &AppState, recording: &Recording) -> Result<Done, Failed> {
    let dir = media_dir(state, recording.id);
    let input = find(&dir, "source").await.ok_or_else(|| {
        Failed::retryable("the downloaded file is missing; it will be downloaded again")
    })?;
    let processing: Processing = match recording.template_id {
        Some(id) => state
            .store
            .get_template(recording.user_id, id)
            .await
            .ok()
            .and_then(|t| serde_json::from_value(t.processing).ok())
            .unwrap_or_default(),
        None => Processing::default(),
    };
    if processing.trim.enabled {
        let settings = recflow_media::trim::TrimSettings {
            silence_threshold_db: processing.trim.silence_threshold_db,
            min_silence_seconds: processing.trim.min_silence_seconds,
            padding_before_seconds: processing.trim.padding_before_seconds,
            padding_after_seconds: processing.trim.padding_after_seconds,
        };
        let media_error = |e: recflow_media::trim::Error| Failed {
            retryable: e.is_retryable(),
            paused: false,
            reason: e.to_string(),
        };
        let plan = recflow_media::trim::detect(&input, &settings)
            .await
            .map_err(media_error)?;
        let output = dir.join(format!("trimmed.{}", extension_of(&input)));
        recflow_media::trim::apply(&input, &output, &plan)
            .await
            .map_err(media_error)?;
    }
    let targets = state
        .store
        .targets(recording.id)
        .await
        .map_err(|e| Failed::retryable(e.to_string()))?;
    let next = targets
        .iter()
        .filter(|t| t.platform_video_id.is_none())
        .map(|t| NextStage {
            stage: "upload",
            target: t.preset_id.to_string(),
        })
        .collect();
    Ok(Done {
        recording_status: "PROCESSED",
        next,
    })
}

async fn upload(state: &AppState, recording: &Recording, target: &str) -> Result<Done, Failed> {
    let preset_id: Uuid = target
        .parse()
        .map_err(|_| Failed::fatal("the stage names no output preset"))?;
    let targets = state
        .store
        .targets(recording.id)
        .await
        .map_err(|e| Failed::retryable(e.to_string()))?;
    let mut row = targets
        .into_iter()
        .find(|t| t.preset_id == preset_id)
        .ok_or_else(|| Failed::fatal("the target is gone"))?;
    if row.platform_video_id.is_some() {
        // Published already (a retry after a crash between upload and bookkeeping): never twice.
        return Ok(Done {
            recording_status: "UPLOADING",
            next: Vec::new(),
        });
    }
    let preset = state
        .store
        .get_preset(recording.user_id, preset_id)
        .await
        .map_err(|e| Failed::fatal(format!("the output preset is gone: {e}")))?;
    let dir = media_dir(state, recording.id);
    let file = match find(&dir, "trimmed").await {
        Some(file) => file,
        None => find(&dir, "source")
            .await
            .ok_or_else(|| Failed::retryable("the media file is missing"))?,
    };

    let result = match preset.platform.as_str() {
        "local_folder" => publish_folder(state, recording, &preset.settings, &file).await,
        "youtube" => {
            super::publishing::upload_youtube(state, recording, &preset, &file, &mut row).await
        }
        "vk" => super::publishing::upload_vk(state, recording, &preset, &file, &mut row).await,
        other => Err(Failed::fatal(format!(
            "uploading to {other} is not available in this version"
        ))),
    };
    let now = state.clock.now();
    match &result {
        Ok((id, url)) => {
            row.status = "uploaded".to_owned();
            row.platform_video_id = Some(id.clone());
            row.url = Some(url.clone());
            row.error = None;
        }
        Err(failure) => {
            row.status = if failure.paused { "paused" } else { "failed" }.to_owned();
            row.error = Some(failure.reason.clone());
        }
    }
    save_target(state, &row, now).await?;
    result.map(|_| Done {
        recording_status: "UPLOADING",
        next: Vec::new(),
    })
}

async fn save_target(
    state: &AppState,
    target: &Target,
    now: chrono::DateTime<Utc>,
) -> Result<(), Failed> {
    state
        .store
        .save_target(target, now)
        .await
        .map_err(|e| Failed::retryable(format!("cannot record the upload: {e}")))
}

async fn publish_folder(
    state: &AppState,
    recording: &Recording,
    settings: &Value,
    file: &Path,
) -> Result<(String, String), Failed> {
    let path = settings
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let name_template = settings
        .get("file_name_template")
        .and_then(Value::as_str)
        .unwrap_or("{{ title }}");
    let name = render_name(state, recording, name_template).await?;
    let root = state.config.outputs_root();
    let placed = recflow_publish::publish_to_folder(&root, path, &name, &extension_of(file), file)
        .await
        .map_err(|e| Failed {
            retryable: e.is_retryable(),
            paused: false,
            reason: e.reason(),
        })?;
    let shown = placed.display().to_string();
    Ok((shown.clone(), format!("file://{shown}")))
}

/// Renders a template text for the recording in its owner's time zone.
async fn render_name(
    state: &AppState,
    recording: &Recording,
    text: &str,
) -> Result<String, Failed> {
    let user = state
        .store
        .get_user(recording.user_id)
        .await
        .map_err(|e| Failed::retryable(e.to_string()))?;
    let source = state
        .store
        .get_source(recording.user_id, recording.source_id)
        .await
        .map(|s| s.name)
        .unwrap_or_default();
    let zone = user.timezone.parse().unwrap_or(chrono_tz::UTC);
    let vars = RenderVars::new(&matching::facts(recording, &source), zone);
    render(text, &vars, Some(200))
        .map_err(|e| Failed::fatal(format!("cannot render the file name: {e}")))
}

/// The title a platform shows, from the template's metadata.
pub async fn rendered_title(
    state: &AppState,
    recording: &Recording,
    platform: Platform,
) -> Result<String, Failed> {
    let metadata: Metadata = match recording.template_id {
        Some(id) => state
            .store
            .get_template(recording.user_id, id)
            .await
            .ok()
            .and_then(|t| serde_json::from_value(t.metadata).ok())
            .unwrap_or_default(),
        None => Metadata::default(),
    };
    let text = metadata
        .title_template
        .unwrap_or_else(|| "{{ title }}".to_owned());
    let user = state
        .store
        .get_user(recording.user_id)
        .await
        .map_err(|e| Failed::retryable(e.to_string()))?;
    let zone = user.timezone.parse().unwrap_or(chrono_tz::UTC);
    let vars = RenderVars::new(&matching::facts(recording, ""), zone);
    render_title(&text, &vars, platform)
        .map_err(|e| Failed::fatal(format!("cannot render the title: {e}")))
}

/// The local sources root of the recording's owner.
async fn account_root(state: &AppState, recording: &Recording) -> Result<PathBuf, Failed> {
    let owner = state
        .store
        .get_user(recording.user_id)
        .await
        .map_err(|e| Failed::retryable(e.to_string()))?;
    Ok(state.config.account_sources_root(&owner))
}

fn extension_of(path: &Path) -> String {
    path.extension()
        .map_or_else(|| "mp4".to_owned(), |e| e.to_string_lossy().to_lowercase())
}

/// The file `<stem>.*` in `dir`, if any.
async fn find(dir: &Path, stem: &str) -> Option<PathBuf> {
    let mut entries = tokio::fs::read_dir(dir).await.ok()?;
    while let Ok(Some(entry)) = entries.next_entry().await {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.file_stem().is_some_and(|s| s == stem)
            && !name.ends_with(".part")
            && !name.contains(".tmp")
        {
            return Some(path);
        }
    }
    None
}

/// Copies under a temporary name and renames, so a crash never leaves a half file in place.
async fn copy_atomically(from: &Path, to: &Path) -> Result<(), Failed> {
    if !tokio::fs::try_exists(from).await.unwrap_or(false) {
        return Err(Failed::fatal(format!(
            "the recording file {} no longer exists",
            from.display()
        )));
    }
    let partial = to.with_extension("tmp-copy");
    tokio::fs::copy(from, &partial)
        .await
        .map_err(|e| Failed::retryable(format!("cannot copy the recording: {e}")))?;
    tokio::fs::rename(&partial, to)
        .await
        .map_err(|e| Failed::retryable(format!("cannot put the recording in place: {e}")))
}
