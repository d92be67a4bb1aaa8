//! Executing one run (SPEC §5): sync the job's source, take the window's unprocessed
//! recordings, match them with the job's templates and record every outcome.

use chrono::{DateTime, Duration, Utc};
use recflow_matching::CompiledTemplate;
use recflow_store::{Job, PageRequest, Recording, RecordingFilter, Run, RunEnd, Store, status};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::automation::model::{self, ProcessingConfig};
use crate::matching;
use crate::state::AppState;
use crate::sync::{self, Window};

/// Attempts after which a run whose workers keep dying is given up.
pub const MAX_ATTEMPTS: i64 = 3;

/// At most this many per-recording outcomes are kept in a run; the counts cover all.
const MAX_OUTCOMES: usize = 500;

/// A run's counts (SPEC §5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub listed: u64,
    pub new: u64,
    pub updated: u64,
    pub matched: u64,
    pub skipped: u64,
    pub blank: u64,
    pub pipelines_started: u64,
}

/// What happened to one recording in a run.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub recording_id: Uuid,
    pub title: String,
    /// `matched`, `unmatched` or `blank`.
    pub outcome: &'static str,
    pub template_id: Option<Uuid>,
    pub reason: String,
}

/// Executes `run` and says how it ended. Never panics on bad data: every problem becomes a
/// failed run with its reason.
pub async fn execute(state: &AppState, run: &Run) -> RunEnd {
    if run.attempts > MAX_ATTEMPTS {
        return failed(format!(
            "gave up after {MAX_ATTEMPTS} attempts: the workers running it stopped"
        ));
    }
    let store = state.store.as_ref();
    let job = match store.get_job(run.user_id, run.job_id).await {
        Ok(job) => job,
        Err(recflow_store::Error::NotFound { .. }) => {
            return RunEnd {
                status: "cancelled",
                reason: Some("the job was deleted".to_owned()),
                counts: json!({}),
                outcomes: json!([]),
                error: None,
            };
        }
        Err(e) => return failed(format!("cannot read the job: {e}")),
    };
    match execute_job(state, &job).await {
        Ok((counts, outcomes, reason)) => RunEnd {
            status: "succeeded",
            reason: Some(reason),
            counts: json!(counts),
            outcomes: json!(outcomes),
            error: None,
        },
        Err(error) => failed(error),
    }
}

fn failed(error: String) -> RunEnd {
    RunEnd {
        status: "failed",
        reason: Some("the run could not finish".to_owned()),
        counts: json!({}),
        outcomes: json!([]),
        error: Some(error),
    }
}

async fn execute_job(
    state: &AppState,
    job: &Job,
) -> Result<(Counts, Vec<Outcome>, String), String> {
    let store = state.store.as_ref();
    let (sync_config, processing, _) = model::documents(job);
    let user = store
        .get_user(job.user_id)
        .await
        .map_err(|e| format!("cannot read the account: {e}"))?;
    let zone = user.timezone.parse().unwrap_or(chrono_tz::UTC);
    let source = store
        .get_source(job.user_id, job.source_id)
        .await
        .map_err(|e| format!("cannot read the source: {e}"))?;
    let now = state.clock.now();
    let window = Window::last_days(now, sync_config.sync_days);

    let synced = sync::sync_source(state, &source, zone, window)
        .await
        .map_err(|e| format!("sync failed: {e}"))?;
    let candidates = candidates(store, job, window, sync_config.allow_skipped)
        .await
        .map_err(|e| format!("cannot list recordings: {e}"))?;
    let templates = job_templates(store, job)
        .await
        .map_err(|e| format!("cannot read templates: {e}"))?;

    let mut counts = Counts {
        listed: synced.result.listed,
        new: synced.result.new,
        updated: synced.result.updated,
        ..Counts::default()
    };
    let mut outcomes = Vec::new();
    for recording in &candidates {
        let mut outcome = judge(&templates, recording, &source.name);
        match outcome.outcome {
            "matched" => counts.matched += 1,
            "blank" => counts.blank += 1,
            _ => counts.skipped += 1,
        }
        if outcome.template_id.is_some()
            && outcome.outcome != "unmatched"
            && processing.auto_process
        {
            match start_pipeline(state, recording, &outcome, processing.auto_upload).await {
                Ok(true) => counts.pipelines_started += 1,
                Ok(false) => outcome
                    .reason
                    .push_str("; its pipeline is already in flight"),
                Err(error) => outcome
                    .reason
                    .push_str(&format!("; the pipeline could not start: {error}")),
            }
        }
        if outcomes.len() < MAX_OUTCOMES {
            outcomes.push(outcome);
        }
    }
    if !sync_config.allow_skipped {
        // Not taken, but explained: a run accounts for every recording of its window.
        let skipped = in_window(store, job, window, status::SKIPPED)
            .await
            .map_err(|e| format!("cannot list recordings: {e}"))?;
        for recording in skipped {
            let outcome = left_skipped(&recording);
            match outcome.outcome {
                "blank" => counts.blank += 1,
                _ => counts.skipped += 1,
            }
            if outcomes.len() < MAX_OUTCOMES {
                outcomes.push(outcome);
            }
        }
    }
    Ok((counts, outcomes, summary(&counts, &processing)))
}

/// The outcome of a SKIPPED recording a job without `allow_skipped` leaves alone.
fn left_skipped(recording: &Recording) -> Outcome {
    let reason = recording.skip_reason.as_deref().unwrap_or("skipped");
    Outcome {
        recording_id: recording.id,
        title: recording.title.clone(),
        outcome: if reason == "blank" {
            "blank"
        } else {
            "skipped"
        },
        template_id: None,
        reason: format!("skipped as {reason} by the sync; not processed (allow_skipped is off)"),
    }
}

fn judge(templates: &[CompiledTemplate], recording: &Recording, source_name: &str) -> Outcome {
    if recording.status == status::SKIPPED && recording.skip_reason.as_deref() == Some("blank") {
        // Only reached with allow_skipped: a blank recording is still matched, but counted as blank.
        let decision = matching::decide(templates, recording, source_name);
        return Outcome {
            recording_id: recording.id,
            title: recording.title.clone(),
            outcome: "blank",
            template_id: decision.matched,
            reason: format!("blank recording; {}", decision.reason),
        };
    }
    let decision = matching::decide(templates, recording, source_name);
    Outcome {
        recording_id: recording.id,
        title: recording.title.clone(),
        outcome: if decision.matched.is_some() {
            "matched"
        } else {
            "unmatched"
        },
        template_id: decision.matched,
        reason: decision.reason,
    }
}

fn summary(counts: &Counts, processing: &ProcessingConfig) -> String {
    match (counts.matched + counts.blank, processing.auto_process) {
        (0, _) => "no recording to process".to_owned(),
        (_, false) => format!(
            "{} recording(s) matched; auto_process is off, so none was started",
            counts.matched
        ),
        _ => format!(
            "{} recording(s) matched, {} pipeline(s) started",
            counts.matched, counts.pipelines_started
        ),
    }
}

/// Binds the recording to the template this job chose (a job may use a subset of the
/// templates) and starts its pipeline.
async fn start_pipeline(
    state: &AppState,
    recording: &Recording,
    outcome: &Outcome,
    upload: bool,
) -> Result<bool, crate::pipeline::StartError> {
    let mut recording = recording.clone();
    if recording.template_id != outcome.template_id {
        let info = json!({"template_id": outcome.template_id, "reason": outcome.reason});
        state
            .store
            .set_match(recording.user_id, recording.id, outcome.template_id, &info)
            .await?;
        recording.template_id = outcome.template_id;
    }
    crate::pipeline::start(state, &recording, upload).await
}

/// The source's recordings in the window still waiting to be processed.
pub async fn candidates(
    store: &dyn Store,
    job: &Job,
    window: Window,
    allow_skipped: bool,
) -> recflow_store::Result<Vec<Recording>> {
    let mut states = vec![status::INITIALIZED];
    if allow_skipped {
        states.push(status::SKIPPED);
    }
    let mut found = Vec::new();
    for state in states {
        found.extend(in_window(store, job, window, state).await?);
    }
    Ok(found)
}

/// The recordings of the job's source in `state` that started within `window`.
async fn in_window(
    store: &dyn Store,
    job: &Job,
    window: Window,
    state: &str,
) -> recflow_store::Result<Vec<Recording>> {
    let filter = RecordingFilter {
        source_id: Some(job.source_id),
        status: Some(state.to_owned()),
        from: Some(window.from),
        to: Some(window.to + Duration::seconds(1)),
        ..RecordingFilter::default()
    };
    all_pages(store, job.user_id, &filter).await
}

async fn all_pages(
    store: &dyn Store,
    user_id: Uuid,
    filter: &RecordingFilter,
) -> recflow_store::Result<Vec<Recording>> {
    let mut items = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list_recordings(user_id, filter, PageRequest { limit: 200, after })
            .await?;
        items.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(items),
        }
    }
}

/// The job's templates: the listed ones, or every active one when the list is empty.
pub async fn job_templates(
    store: &dyn Store,
    job: &Job,
) -> recflow_store::Result<Vec<CompiledTemplate>> {
    let all = store.all_templates(job.user_id).await?;
    let chosen: Vec<_> = if job.template_ids.is_empty() {
        all.into_iter().filter(|t| t.is_active).collect()
    } else {
        all.into_iter()
            .filter(|t| job.template_ids.contains(&t.id))
            .collect()
    };
    Ok(matching::compile(&chosen))
}

/// The instant a lease taken at `now` for `seconds` ends.
pub fn lease_end(now: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    now + Duration::seconds(seconds)
}

/// How often a holder renews a lease of `seconds`: every third of it (at least every 100 ms).
pub fn heartbeat_every(seconds: i64) -> std::time::Duration {
    std::time::Duration::from_millis(u64::try_from(seconds * 1000 / 3).unwrap_or(1000).max(100))
}
