//! The recording pipeline (SPEC §8): download → trim → upload per target, as durable leased
//! stages. This module starts pipelines; [`stages`] executes one stage and [`worker`] claims
//! stages. Media live under `<data-dir>/media/<recording id>/` on the worker that runs the
//! stage: in a cluster that path must be shared by the workers (see README).

pub mod publishing;
pub mod stages;
pub mod worker;

use recflow_store::{NextStage, Recording};
use uuid::Uuid;

use crate::state::AppState;

/// Why a pipeline could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the recording matches no template, so there is nothing to do with it")]
    Unmatched,
    #[error(transparent)]
    Store(#[from] recflow_store::Error),
}

/// Starts the pipeline of `recording` with its template's presets as targets (none unless
/// `upload`). `Ok(false)` when it is already in flight: whichever job, webhook or request asks
/// second, nothing starts twice.
///
/// # Errors
/// `Unmatched` when it has no template; store failures.
pub async fn start(
    state: &AppState,
    recording: &Recording,
    upload: bool,
) -> Result<bool, StartError> {
    let template_id = recording.template_id.ok_or(StartError::Unmatched)?;
    let template = match state
        .store
        .get_template(recording.user_id, template_id)
        .await
    {
        Ok(template) => template,
        Err(recflow_store::Error::NotFound { .. }) => return Err(StartError::Unmatched),
        Err(e) => return Err(e.into()),
    };
    let mut targets = Vec::new();
    if upload {
        for preset_id in &template.output_preset_ids {
            if let Ok(preset) = state.store.get_preset(recording.user_id, *preset_id).await {
                targets.push((preset.id, preset.platform));
            }
        }
    }
    let first = NextStage {
        stage: "download",
        target: String::new(),
    };
    let started = state
        .store
        .start_pipeline(
            recording.user_id,
            recording.id,
            &targets,
            &first,
            state.clock.now(),
        )
        .await?;
    if started {
        tracing::info!(recording.id = %recording.id, targets = targets.len(), "pipeline started");
    }
    Ok(started)
}

/// The directory holding a recording's media on this worker.
pub fn media_dir(state: &AppState, recording_id: Uuid) -> std::path::PathBuf {
    state
        .config
        .data_dir
        .join("media")
        .join(recording_id.to_string())
}
