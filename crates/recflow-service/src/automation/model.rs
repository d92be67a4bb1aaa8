//! The typed documents of a job (sync, processing, policy), their defaults and limits, and
//! turning a schedule from a request into its normalised form and next fire.

use chrono::{DateTime, Utc};
use recflow_schedule::{CompiledSchedule, Schedule, ScheduleError};
use recflow_store::{Job, Overlap};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// What a run syncs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// How many days back each run syncs, 1 to 30.
    #[schema(example = 2)]
    pub sync_days: i64,
    /// Also process recordings skipped as blank.
    pub allow_skipped: bool,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            sync_days: 2,
            allow_skipped: false,
        }
    }
}

/// What a run does with matched recordings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ProcessingConfig {
    pub auto_process: bool,
    pub auto_upload: bool,
    /// Pipelines of one run at once, 1 to 10.
    #[schema(example = 3)]
    pub max_parallel: i64,
}

impl Default for ProcessingConfig {
    fn default() -> Self {
        ProcessingConfig {
            auto_process: true,
            auto_upload: true,
            max_parallel: 3,
        }
    }
}

/// What to do with a slot while a run of the job is active.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverlapPolicy {
    #[default]
    Skip,
    BufferOne,
    Allow,
}

impl From<OverlapPolicy> for Overlap {
    fn from(policy: OverlapPolicy) -> Self {
        match policy {
            OverlapPolicy::Skip => Overlap::Skip,
            OverlapPolicy::BufferOne => Overlap::BufferOne,
            OverlapPolicy::Allow => Overlap::Allow,
        }
    }
}

/// Firing policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub overlap: OverlapPolicy,
    /// After downtime, the latest missed slot still runs if it is at most this old.
    #[schema(example = 3600)]
    pub catch_up_window_seconds: i64,
    /// Each run starts up to this many seconds after its slot (0 to 3600), the same delay for
    /// the same slot.
    pub jitter_seconds: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            overlap: OverlapPolicy::Skip,
            catch_up_window_seconds: 3600,
            jitter_seconds: 0,
        }
    }
}

/// A field problem, path relative to the job body.
pub type FieldProblem = (String, String);

/// Checks the limits of SPEC §5.
pub fn check_limits(
    sync: &SyncConfig,
    processing: &ProcessingConfig,
    policy: &Policy,
) -> Vec<FieldProblem> {
    let mut problems = Vec::new();
    let mut check = |ok: bool, field: &str, message: &str| {
        if !ok {
            problems.push((field.to_owned(), message.to_owned()));
        }
    };
    check(
        (1..=30).contains(&sync.sync_days),
        "sync_config.sync_days",
        "must be between 1 and 30",
    );
    check(
        (1..=10).contains(&processing.max_parallel),
        "processing_config.max_parallel",
        "must be between 1 and 10",
    );
    check(
        (0..=3600).contains(&policy.jitter_seconds),
        "policy.jitter_seconds",
        "must be between 0 and 3600",
    );
    check(
        (0..=7 * 86400).contains(&policy.catch_up_window_seconds),
        "policy.catch_up_window_seconds",
        "must be between 0 and 604800 (7 days)",
    );
    problems
}

/// A schedule checked for saving: normalised, compiled, within the account's minimum
/// interval, with its next fire after `now`.
pub struct CheckedSchedule {
    pub schedule: Schedule,
    pub compiled: CompiledSchedule,
    pub next_run_at: Option<DateTime<Utc>>,
}

/// Normalises and validates a schedule for a job (rule 7 enforced with the account's
/// minimum).
///
/// # Errors
/// The schedule's field problem; the field is relative to the schedule object.
pub fn check_schedule(
    raw: Value,
    owner_zone: &str,
    min_interval_hours: i64,
    now: DateTime<Utc>,
) -> Result<CheckedSchedule, ScheduleError> {
    let schedule = Schedule::from_json(raw)?.normalize(owner_zone, now)?;
    let compiled = schedule.compile()?;
    let minimum = u32::try_from(min_interval_hours.max(0)).unwrap_or(u32::MAX);
    recflow_schedule::validate_min_interval(&compiled, minimum, now)?;
    let next_run_at = compiled.next_after(now);
    Ok(CheckedSchedule {
        schedule,
        compiled,
        next_run_at,
    })
}

/// The compiled schedule of a stored job; `None` if it no longer compiles.
pub fn compiled_schedule(job: &Job) -> Option<CompiledSchedule> {
    let schedule: Schedule = serde_json::from_value(job.schedule.clone()).ok()?;
    schedule.compile().ok()
}

/// The typed documents of a stored job (defaults for anything unreadable).
pub fn documents(job: &Job) -> (SyncConfig, ProcessingConfig, Policy) {
    (
        serde_json::from_value(job.sync_config.clone()).unwrap_or_default(),
        serde_json::from_value(job.processing_config.clone()).unwrap_or_default(),
        serde_json::from_value(job.policy.clone()).unwrap_or_default(),
    )
}
