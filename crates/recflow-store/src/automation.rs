//! Automation jobs and runs. The firing and claiming rules live in the backends' SQL: a unique
//! `(job_id, scheduled_for)` key and a compare-and-set on `next_run_at` make a slot fire once
//! whatever the number of schedulers, and leases let another worker take over a run whose
//! worker died.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::{Page, PageRequest, Result};

/// An automation job as stored. The documents (schedule, configs, policy) are validated and
/// normalised by the service.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub description: String,
    pub source_id: Uuid,
    pub template_ids: Vec<Uuid>,
    pub schedule: Value,
    pub sync_config: Value,
    pub processing_config: Value,
    pub policy: Value,
    pub is_active: bool,
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub run_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One execution of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub id: Uuid,
    pub job_id: Uuid,
    pub user_id: Uuid,
    /// `schedule`, `manual` or `catch_up`.
    pub trigger: String,
    pub scheduled_for: DateTime<Utc>,
    pub not_before: DateTime<Utc>,
    pub exclusive: bool,
    /// `queued`, `running`, `succeeded`, `failed`, `skipped`, `missed` or `cancelled`.
    pub status: String,
    pub reason: Option<String>,
    pub counts: Value,
    pub outcomes: Value,
    pub error: Option<String>,
    pub attempts: i64,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// What to do with a slot when a run of the same job is active (SPEC §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// Record the slot as `skipped`.
    Skip,
    /// Queue at most one run behind the active one; further slots are `skipped`.
    BufferOne,
    /// Run concurrently.
    Allow,
}

/// A slot the scheduler decided on.
#[derive(Debug, Clone, PartialEq)]
pub struct Fire {
    pub scheduled_for: DateTime<Utc>,
    /// `schedule` or `catch_up` for a slot to run; `None` for a slot recorded as `missed`.
    pub trigger: Option<&'static str>,
    /// When a run may start (the slot plus its jitter).
    pub not_before: DateTime<Utc>,
    pub reason: Option<String>,
}

/// The scheduler's decision for one due job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobPlan {
    pub fires: Vec<Fire>,
    pub next_run_at: Option<DateTime<Utc>>,
    pub overlap: Overlap,
}

/// Decides the slots of a due job; pure, called inside the firing transaction.
pub type Planner<'a> = dyn Fn(&Job) -> JobPlan + Send + Sync + 'a;

/// What one firing batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FireReport {
    /// Due jobs this caller locked and fired.
    pub fired: usize,
    /// Slots recorded (runs inserted, including skipped and missed ones).
    pub slots: usize,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunEnd {
    /// `succeeded`, `failed` or `cancelled`.
    pub status: &'static str,
    pub reason: Option<String>,
    pub counts: Value,
    pub outcomes: Value,
    pub error: Option<String>,
}

/// The status of a slot given the job's active runs (`(id, status)` of its queued and running
/// runs) under `overlap` (SPEC §9): `missed` when it is not to run; else `queued`, or
/// `skipped` when the policy refuses it, with the reason.
pub fn slot_status(
    overlap: Overlap,
    runnable: bool,
    active: &[(Uuid, String)],
    reason: Option<String>,
) -> (&'static str, Option<String>) {
    if !runnable {
        return ("missed", reason);
    }
    let running = active
        .iter()
        .find(|(_, s)| s == "running")
        .or(active.first());
    let queued = active.iter().any(|(_, s)| s == "queued");
    match (overlap, running) {
        (Overlap::Skip, Some((id, _))) => (
            "skipped",
            Some(format!("run {id} of this job is still active")),
        ),
        (Overlap::BufferOne, Some(_)) if queued => (
            "skipped",
            Some("a run of this job is already waiting".to_owned()),
        ),
        _ => ("queued", reason),
    }
}

/// Storage of automation jobs and runs.
#[async_trait]
pub trait Automation {
    /// Creates a job, counting it against `max_automation_jobs` in the same transaction.
    ///
    /// # Errors
    /// `QuotaExceeded`; `Conflict` on a duplicate name; `NotFound` when the source is gone.
    async fn create_job(&self, job: &Job) -> Result<Job>;

    /// # Errors
    /// `NotFound` for a missing id or another account's.
    async fn get_job(&self, user_id: Uuid, id: Uuid) -> Result<Job>;

    /// # Errors
    /// Only database failures.
    async fn list_jobs(
        &self,
        user_id: Uuid,
        active_only: bool,
        page: PageRequest,
    ) -> Result<Page<Job>>;

    /// Replaces the job's editable fields and `next_run_at` in one statement, so a scheduler
    /// that read the old `next_run_at` loses its compare-and-set.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` on a duplicate name.
    async fn replace_job(&self, job: &Job) -> Result<Job>;

    /// Deletes the job, cancels its queued and running runs (history stays) and gives back
    /// the quota unit.
    ///
    /// # Errors
    /// `NotFound`.
    async fn delete_job(&self, user_id: Uuid, id: Uuid, now: DateTime<Utc>) -> Result<()>;

    /// Fires up to `limit` due jobs in one transaction: locks them (skipping jobs another
    /// scheduler holds, on PostgreSQL), asks `planner` for each, records the slots and moves
    /// `next_run_at` on. Several schedulers calling this at once fire disjoint jobs.
    ///
    /// # Errors
    /// Only database failures; then nothing of the batch is written.
    async fn fire_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        planner: &Planner<'_>,
    ) -> Result<FireReport>;

    /// Queues a manual run at `now` under the overlap policy.
    ///
    /// # Errors
    /// `Conflict` with the active run's id in the detail when the policy refuses it.
    async fn create_manual_run(
        &self,
        job: &Job,
        overlap: Overlap,
        now: DateTime<Utc>,
    ) -> Result<Run>;

    /// Takes the next runnable run for `worker` with a lease until `lease_until`: a queued run
    /// whose time has come (exclusive runs wait for their job's running run), or a running run
    /// whose lease expired (its worker died).
    ///
    /// # Errors
    /// Only database failures.
    async fn claim_run(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Run>>;

    /// Extends the lease; `false` when the run is no longer this worker's (cancelled or
    /// taken over), so the worker must stop.
    ///
    /// # Errors
    /// Only database failures.
    async fn heartbeat_run(
        &self,
        run_id: Uuid,
        worker: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Ends a run held by `worker` and updates the job's `last_run_at` and `run_count`, in one
    /// transaction. `false` when the run is no longer this worker's.
    ///
    /// # Errors
    /// Only database failures.
    async fn finish_run(
        &self,
        run_id: Uuid,
        worker: &str,
        end: &RunEnd,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Hands a run back to the queue (graceful shutdown).
    ///
    /// # Errors
    /// Only database failures.
    async fn release_run(&self, run_id: Uuid, worker: &str) -> Result<()>;

    /// # Errors
    /// `NotFound` for a missing run or another account's.
    async fn get_run(&self, user_id: Uuid, run_id: Uuid) -> Result<Run>;

    /// A job's runs, newest first.
    ///
    /// # Errors
    /// Only database failures.
    async fn list_runs(&self, user_id: Uuid, job_id: Uuid, page: PageRequest) -> Result<Page<Run>>;

    /// Deletes finished runs of the job beyond the newest `keep`.
    ///
    /// # Errors
    /// Only database failures.
    async fn prune_runs(&self, job_id: Uuid, keep: u32) -> Result<u64>;
}
