//! Publishing one processed recording to YouTube or VK for the upload stage: the credential
//! comes from the preset, title and description from the template, settings from the preset.
//! Once a video exists its id is recorded on the target before any follow-up step (playlist,
//! album) may fail, so a retry, a rerun or another worker never uploads it again. Failures are
//! classified with the publish crate's own judgement; no token ever reaches a reason or a log.

mod clients;
mod target_session;

use std::path::Path;

use recflow_matching::{Metadata, Platform, RenderVars, render_description};
use recflow_publish::{
    GoogleCredential, Privacy, PublishError, UploadConfig, VideoMetadata, VkVideo, YoutubeUploader,
};
use recflow_store::{Credential, OutputPreset, Recording, Target};
use serde::de::DeserializeOwned;
use tracing::{info, instrument};

use crate::api::presets::{VkSettings, YoutubeSettings};
use crate::credentials::{self, CredentialKind, OauthSecrets, VkSecrets};
use crate::matching;
use crate::pipeline::stages::{Failed, rendered_title};
use crate::state::AppState;
use target_session::{TargetSessions, published_video, record_published};

/// Uploads `file` to YouTube with the preset's account and settings, then adds it to the
/// preset's playlist. Returns the video id and its link.
///
/// The upload resumes the session saved on `target` by an earlier attempt, and a target whose
/// video already exists only gets its playlist insert. `target` is kept as last saved, so the
/// caller's final write keeps what happened here.
///
/// # Errors
/// A classified [`Failed`]: missing or unusable credentials, quota and upload limits and a
/// revoked account are final; rate limits, 5xx, lost connections and a video YouTube is still
/// processing are retried.
#[instrument(skip_all, fields(recording.id = %recording.id, preset.id = %preset.id,
    upstream.platform = "youtube"))]
pub async fn upload_youtube(
    state: &AppState,
    recording: &Recording,
    preset: &OutputPreset,
    file: &Path,
    target: &mut Target,
) -> Result<(String, String), Failed> {
    let settings: YoutubeSettings = preset_settings(preset)?;
    let (credential, secrets) =
        open_credential::<OauthSecrets>(state, preset, CredentialKind::Google).await?;
    let http = clients::http().map_err(fatal)?;
    let tokens = clients::google_tokens(
        &http,
        &state.config.google_oauth_url,
        credential.id,
        credential.updated_at,
        GoogleCredential {
            client_id: secrets.client_id,
            client_secret: secrets.client_secret,
            refresh_token: secrets.refresh_token,
        },
    );
    let uploader = youtube_uploader(state, http)?;

    let earlier = published_video(target).map(str::to_owned);
    let (video_id, url) = match &earlier {
        Some(id) => (id.clone(), target.url.clone().unwrap_or_default()),
        None => {
            let metadata = youtube_metadata(state, recording, &settings).await?;
            let sessions = TargetSessions::new(state, target.clone());
            let uploaded = uploader.upload(&tokens, &metadata, file, &sessions).await;
            *target = sessions.into_target();
            let video = uploaded.map_err(|e| failed(&e, &credential))?;
            record_published(state, target, &video.video_id, &video.url)
                .await
                .map_err(|e| retryable(format!("cannot record the uploaded video: {e}")))?;
            info!(video.id = %video.video_id, "youtube video recorded on its target");
            (video.video_id, video.url)
        }
    };

    if let Some(playlist_id) = settings.playlist_id.as_deref().filter(|p| !p.is_empty()) {
        // An earlier attempt may have added it and died before recording that: look first.
        let present = earlier.is_some()
            && uploader
                .playlist_item_of(&tokens, &video_id, playlist_id)
                .await
                .map_err(|e| {
                    follow_up_failed(&e, &credential, &url, "looking it up in the playlist")
                })?
                .is_some();
        if !present {
            uploader
                .add_to_playlist(&tokens, &video_id, playlist_id)
                .await
                .map_err(|e| {
                    follow_up_failed(&e, &credential, &url, "adding it to the playlist")
                })?;
        }
    }
    target.upload_session = None;
    Ok((video_id, url))
}

/// Uploads `file` to VK with the preset's token and settings (`video.save`, the upload, then
/// `video.addToAlbum` as a step of its own). Returns `<owner_id>_<video_id>` and its link.
///
/// # Errors
/// A classified [`Failed`]: a captcha pauses the target for a human; a revoked token, denied
/// access and daily limits are final; error 6 beyond the client's retries, error 10, 5xx and
/// lost connections are retried.
#[instrument(skip_all, fields(recording.id = %recording.id, preset.id = %preset.id,
    upstream.platform = "vk"))]
pub async fn upload_vk(
    state: &AppState,
    recording: &Recording,
    preset: &OutputPreset,
    file: &Path,
    target: &mut Target,
) -> Result<(String, String), Failed> {
    let settings: VkSettings = preset_settings(preset)?;
    let (credential, secrets) =
        open_credential::<VkSecrets>(state, preset, CredentialKind::Vk).await?;
    let http = clients::http().map_err(fatal)?;
    let client = clients::vk(&http, &state.config.vk_api_url);
    let token = secrets.access_token;

    let (video_id, url) = match published_video(target) {
        Some(id) => (id.to_owned(), target.url.clone().unwrap_or_default()),
        None => {
            let video = vk_video(state, recording, &settings).await?;
            // The upload URL is saved on the target before the file is sent: a worker that
            // takes over after a crash uploads into the same video (see `upload_resumable`).
            let sessions = TargetSessions::new(state, target.clone());
            let uploaded = client
                .upload_resumable(&token, &video, file, &sessions)
                .await;
            *target = sessions.into_target();
            let uploaded = uploaded.map_err(|e| failed(&e, &credential))?;
            record_published(state, target, &uploaded.video_id, &uploaded.url)
                .await
                .map_err(|e| retryable(format!("cannot record the uploaded video: {e}")))?;
            info!(video.id = %uploaded.video_id, "vk video recorded on its target");
            (uploaded.video_id, uploaded.url)
        }
    };

    if let Some(album_id) = settings.album_id {
        let (owner, number) = vk_ids(&video_id)?;
        let album_owner = settings.group_id.map(|group| -group);
        client
            .add_to_album(&token, album_owner, album_id, owner, number)
            .await
            .map_err(|e| follow_up_failed(&e, &credential, &url, "adding it to the album"))?;
    }
    target.upload_session = None;
    Ok((video_id, url))
}

/// The preset's settings; presets are validated on save, so a mismatch is a stored-data bug.
fn preset_settings<T: DeserializeOwned>(preset: &OutputPreset) -> Result<T, Failed> {
    serde_json::from_value(preset.settings.clone()).map_err(|e| {
        fatal(format!(
            "the settings of output preset \"{}\" are unusable ({e}); save the preset again",
            preset.name
        ))
    })
}

/// The preset's credential, decrypted and read as the secrets of `kind`.
async fn open_credential<T: DeserializeOwned>(
    state: &AppState,
    preset: &OutputPreset,
    kind: CredentialKind,
) -> Result<(Credential, T), Failed> {
    let name = &preset.name;
    let kind_name = kind.as_str();
    let id = preset.credential_id.ok_or_else(|| {
        fatal(format!(
            "output preset \"{name}\" has no credential; attach a {kind_name} credential to it \
             and rerun the recording"
        ))
    })?;
    let credential = match state.store.get_credential(preset.user_id, id).await {
        Ok(credential) => credential,
        Err(recflow_store::Error::NotFound { .. }) => {
            return Err(fatal(format!(
                "the credential of output preset \"{name}\" no longer exists; attach a \
                 {kind_name} credential to the preset and rerun the recording"
            )));
        }
        Err(e) => return Err(retryable(format!("cannot read the credential: {e}"))),
    };
    if credential.kind != kind_name {
        return Err(fatal(format!(
            "output preset \"{name}\" uses the {} credential \"{}\", but needs a {kind_name} one",
            credential.kind, credential.name
        )));
    }
    let key = state.secrets.as_deref().ok_or_else(|| {
        fatal(
            "this installation has no secret key (RECFLOW_SECRET_KEY), so stored credentials \
             cannot be opened",
        )
    })?;
    let opened = credentials::open(key, &credential).map_err(|e| {
        fatal(format!(
            "credential \"{}\" cannot be opened ({e}); store it again",
            credential.name
        ))
    })?;
    let secrets = credentials::typed::<T>(&opened).map_err(|e| {
        fatal(format!(
            "credential \"{}\" is incomplete ({}); store it again",
            credential.name, e.message
        ))
    })?;
    Ok((credential, secrets))
}

fn youtube_uploader(
    state: &AppState,
    http: recflow_publish::PublishHttp,
) -> Result<YoutubeUploader, Failed> {
    let chunk_size =
        recflow_publish::ChunkSize::new(state.config.youtube_chunk_bytes).map_err(|e| {
            fatal(format!(
                "youtube_chunk_bytes is misconfigured: {}",
                e.reason()
            ))
        })?;
    let config = UploadConfig {
        chunk_size,
        ..UploadConfig::default()
    };
    let uploader = YoutubeUploader::new(
        http,
        &state.config.youtube_api_url,
        &state.config.youtube_upload_url,
    );
    Ok(uploader.with_config(config))
}

async fn youtube_metadata(
    state: &AppState,
    recording: &Recording,
    settings: &YoutubeSettings,
) -> Result<VideoMetadata, Failed> {
    let privacy = match settings.privacy.as_str() {
        "public" => Privacy::Public,
        "private" => Privacy::Private,
        _ => Privacy::Unlisted,
    };
    Ok(VideoMetadata {
        title: rendered_title(state, recording, Platform::Youtube).await?,
        description: description(state, recording, Platform::Youtube).await?,
        tags: settings.tags.clone(),
        category_id: settings.category_id.clone(),
        privacy,
        made_for_kids: settings.made_for_kids,
    })
}

async fn vk_video(
    state: &AppState,
    recording: &Recording,
    settings: &VkSettings,
) -> Result<VkVideo, Failed> {
    Ok(VkVideo {
        name: rendered_title(state, recording, Platform::Vk).await?,
        description: description(state, recording, Platform::Vk).await?,
        group_id: settings.group_id,
        // The album is a step of its own (see `upload_vk`), so a failed album add is retried
        // without uploading again.
        album_id: None,
        privacy_view: settings.privacy_view.clone(),
    })
}

/// The template's description rendered for `platform`; empty when the template has none.
// TODO: the free-form `metadata.youtube` / `metadata.vk` overrides of a template are not read
// yet; the preset's settings decide tags, category and privacy.
async fn description(
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
    let Some(text) = metadata
        .description_template
        .filter(|t| !t.trim().is_empty())
    else {
        return Ok(String::new());
    };
    let user = state
        .store
        .get_user(recording.user_id)
        .await
        .map_err(|e| retryable(e.to_string()))?;
    let source = state
        .store
        .get_source(recording.user_id, recording.source_id)
        .await
        .map(|s| s.name)
        .unwrap_or_default();
    let zone = user.timezone.parse().unwrap_or(chrono_tz::UTC);
    let vars = RenderVars::new(&matching::facts(recording, &source), zone);
    render_description(&text, &vars, platform)
        .map_err(|e| fatal(format!("cannot render the description: {e}")))
}

/// `-123_456` → `(-123, 456)`.
fn vk_ids(video_id: &str) -> Result<(i64, i64), Failed> {
    video_id
        .split_once('_')
        .and_then(|(owner, number)| Some((owner.parse().ok()?, number.parse().ok()?)))
        .ok_or_else(|| {
            fatal(format!(
                "the recorded VK video id {video_id:?} is malformed"
            ))
        })
}

/// A publishing failure as the stage reports it.
fn failed(error: &PublishError, credential: &Credential) -> Failed {
    let reason = match error {
        PublishError::RevokedCredentials { .. } | PublishError::InvalidCredentials { .. } => {
            format!(
                "{}; update credential \"{}\" and rerun the recording",
                error.reason(),
                credential.name
            )
        }
        PublishError::CaptchaRequired { .. } => format!(
            "{}: sign in to VK with the account of credential \"{}\", pass the check, then rerun \
             the recording",
            error.reason(),
            credential.name
        ),
        _ => error.reason(),
    };
    Failed {
        retryable: error.is_retryable(),
        paused: matches!(error, PublishError::CaptchaRequired { .. }),
        reason,
    }
}

/// A failure after the video exists: the reason says where the video is, and that a retry or
/// rerun only repeats the follow-up step.
// TODO: a playlist insert waiting for YouTube to process the video shares the stage's five
// attempts (about eight minutes); a long lecture may need a rerun once YouTube is done.
fn follow_up_failed(
    error: &PublishError,
    credential: &Credential,
    url: &str,
    step: &str,
) -> Failed {
    let inner = failed(error, credential);
    Failed {
        reason: format!(
            "the video is uploaded ({url}), but {step} failed; retrying repeats only that \
             step: {}",
            inner.reason
        ),
        ..inner
    }
}

fn fatal(reason: impl Into<String>) -> Failed {
    Failed {
        retryable: false,
        paused: false,
        reason: reason.into(),
    }
}

fn retryable(reason: impl Into<String>) -> Failed {
    Failed {
        retryable: true,
        paused: false,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vk_ids_split_negative_community_owners() {
        assert_eq!(vk_ids("-123_456").ok(), Some((-123, 456)));
        assert_eq!(vk_ids("77_8").ok(), Some((77, 8)));
        assert!(vk_ids("77").is_err());
    }
}
