//! The dry run of a job (SPEC §5): what a run would do now, computed from a read-only listing
//! of the source. Nothing is written: no database row, no file, no mutating upstream call.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use recflow_store::{Job, PageRequest, Recording, RecordingFilter, status};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::automation::model;
use crate::automation::run::job_templates;
use crate::matching;
use crate::state::AppState;
use crate::sync::{self, Window};

/// The window a dry run looked at.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DryRunWindow {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The job's source.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DryRunSource {
    pub id: Uuid,
    #[serde(rename = "type")]
    #[schema(example = "zoom")]
    pub kind: String,
}

/// What a run would do with one recording.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DryRunRecording {
    pub source_key: String,
    pub title: String,
    pub start_time: DateTime<Utc>,
    pub duration_s: i64,
    pub size_bytes: i64,
    /// `new` (never synced) or `known`.
    #[schema(example = "new")]
    pub state: String,
    /// `process` or `skip`.
    #[schema(example = "process")]
    pub would: String,
    pub template_id: Option<Uuid>,
    pub reason: String,
}

/// The dry-run answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DryRun {
    pub job_id: Uuid,
    pub window: DryRunWindow,
    pub source: DryRunSource,
    pub recordings: Vec<DryRunRecording>,
    pub templates_to_apply: Vec<Uuid>,
    pub estimated_new_recordings: u64,
    pub estimated_matched_recordings: u64,
    /// Minutes of media the run would process.
    pub estimated_duration_minutes: u64,
}

/// Why a dry run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sync(#[from] sync::Error),
    #[error(transparent)]
    Store(#[from] recflow_store::Error),
}

/// Computes what a run of `job` would do now.
///
/// # Errors
/// When the source cannot be listed or the store read.
pub async fn dry_run(state: &AppState, job: &Job) -> Result<DryRun, Error> {
    let store = state.store.as_ref();
    let (sync_config, processing, _) = model::documents(job);
    let user = store.get_user(job.user_id).await?;
    let zone = user.timezone.parse().unwrap_or(chrono_tz::UTC);
    let source = store.get_source(job.user_id, job.source_id).await?;
    let window = Window::last_days(state.clock.now(), sync_config.sync_days);

    let found = sync::discover(state, &source, zone, window).await?;
    let known = known_by_key(state, job).await?;
    let templates = job_templates(store, job).await?;

    let mut recordings = Vec::with_capacity(found.len());
    for item in &found {
        let existing = known.get(&item.source_key);
        let probe = Recording {
            id: existing.map_or_else(Uuid::nil, |r| r.id),
            user_id: job.user_id,
            source_id: source.id,
            source_key: item.source_key.clone(),
            title: item.title.clone(),
            start_time: item.start_time,
            duration_seconds: item.duration_seconds,
            size_bytes: item.size_bytes,
            // A recording still waiting takes what this sync would write; one already further
            // along keeps its stage.
            status: match existing {
                Some(r) if !is_waiting(&r.status) => r.status.clone(),
                _ => item.status.clone(),
            },
            skip_reason: item.skip_reason.clone(),
            template_id: None,
            match_info: None,
            failure: None,
            source_meta: item.source_meta.clone(),
            created_at: item.start_time,
            updated_at: item.start_time,
        };
        let decision = matching::decide(&templates, &probe, &source.name);
        let (would, reason) = verdict(
            &probe,
            existing.is_some(),
            decision.matched.is_some(),
            &decision.reason,
            sync_config.allow_skipped,
            processing.auto_process,
        );
        recordings.push(DryRunRecording {
            source_key: item.source_key.clone(),
            title: item.title.clone(),
            start_time: item.start_time,
            duration_s: item.duration_seconds,
            size_bytes: item.size_bytes,
            state: if existing.is_some() { "known" } else { "new" }.to_owned(),
            would: would.to_owned(),
            template_id: decision.matched,
            reason,
        });
    }

    let processing_minutes: i64 = recordings
        .iter()
        .filter(|r| r.would == "process")
        .map(|r| r.duration_s)
        .sum::<i64>()
        / 60;
    Ok(DryRun {
        job_id: job.id,
        window: DryRunWindow {
            from: window.from,
            to: window.to,
        },
        source: DryRunSource {
            id: source.id,
            kind: source.kind.clone(),
        },
        estimated_new_recordings: recordings.iter().filter(|r| r.state == "new").count() as u64,
        estimated_matched_recordings: recordings
            .iter()
            .filter(|r| r.template_id.is_some())
            .count() as u64,
        estimated_duration_minutes: u64::try_from(processing_minutes).unwrap_or(0),
        templates_to_apply: templates.iter().map(|t| t.id()).collect(),
        recordings,
    })
}

fn is_waiting(state: &str) -> bool {
    [status::PENDING_SOURCE, status::INITIALIZED, status::SKIPPED].contains(&state)
}

fn verdict(
    r: &Recording,
    known: bool,
    matched: bool,
    match_reason: &str,
    allow_skipped: bool,
    auto_process: bool,
) -> (&'static str, String) {
    let waiting = r.status == status::INITIALIZED || (allow_skipped && r.status == status::SKIPPED);
    if r.status == status::PENDING_SOURCE {
        (
            "skip",
            "still processing at the source (or still being written); a later run takes it"
                .to_owned(),
        )
    } else if r.status == status::SKIPPED && !allow_skipped {
        (
            "skip",
            format!("skipped: {}", r.skip_reason.as_deref().unwrap_or("skipped")),
        )
    } else if known && !waiting {
        ("skip", format!("already {}", r.status.to_lowercase()))
    } else if !matched {
        ("skip", match_reason.to_owned())
    } else if !auto_process {
        (
            "skip",
            format!("{match_reason}; the job does not process automatically (auto_process is off)"),
        )
    } else {
        ("process", match_reason.to_owned())
    }
}

async fn known_by_key(
    state: &AppState,
    job: &Job,
) -> recflow_store::Result<HashMap<String, Recording>> {
    let filter = RecordingFilter {
        source_id: Some(job.source_id),
        ..RecordingFilter::default()
    };
    let mut known = HashMap::new();
    let mut after = None;
    loop {
        let page = state
            .store
            .list_recordings(job.user_id, &filter, PageRequest { limit: 200, after })
            .await?;
        known.extend(page.items.into_iter().map(|r| (r.source_key.clone(), r)));
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(known),
        }
    }
}
