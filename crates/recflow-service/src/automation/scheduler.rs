//! The scheduler role (SPEC §9): each tick fires the jobs whose `next_run_at` has come. Any
//! number of schedulers may tick at once: each batch locks its jobs (others skip them) and the
//! unique `(job_id, scheduled_for)` key stops any second insert of a slot.

use std::time::Duration;

use chrono::{DateTime, Utc};
use recflow_store::{Job, JobPlan};
use tokio_util::sync::CancellationToken;

use crate::automation::{model, plan};
use crate::state::AppState;

/// Due jobs read per query; a tick repeats the query until fewer come back.
const BATCH: u32 = 500;

/// Upper bound of batches per tick, so one tick always ends.
const MAX_BATCHES: usize = 1000;

/// What one tick did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TickReport {
    /// Due jobs this scheduler fired (others were left to other schedulers).
    pub fired: usize,
    /// Slots recorded, including skipped and missed ones.
    pub slots: usize,
}

/// Fires due jobs on every tick.
pub struct Scheduler {
    state: AppState,
    tick: Duration,
}

impl Scheduler {
    pub fn new(state: AppState) -> Self {
        let tick = Duration::from_millis(state.config.scheduler_tick_ms.max(10));
        Scheduler { state, tick }
    }

    /// Ticks until `shutdown`; the first tick is immediate, so a slot due at start-up runs at
    /// once.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(tick_ms = self.tick.as_millis() as u64, "scheduler started");
        loop {
            if let Err(error) = self.tick().await {
                tracing::warn!(error = %error, "scheduler tick failed; retrying at the next tick");
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(self.tick) => {}
            }
        }
        tracing::info!("scheduler stopped");
    }

    /// Fires every job due now, a batch per transaction.
    ///
    /// # Errors
    /// Store failures; batches committed before the failure stay fired.
    pub async fn tick(&self) -> recflow_store::Result<TickReport> {
        let now = self.state.clock.now();
        let mut report = TickReport::default();
        let planner = |job: &Job| plan_job(job, now);
        for _ in 0..MAX_BATCHES {
            let batch = self.state.store.fire_due(now, BATCH, &planner).await?;
            report.fired += batch.fired;
            report.slots += batch.slots;
            if batch.fired < BATCH as usize {
                break;
            }
        }
        metrics::counter!("recflow_slots_recorded_total").increment(report.slots as u64);
        Ok(report)
    }
}

/// The plan of one due job, logged; a job whose stored schedule no longer compiles is stopped
/// rather than retried forever.
fn plan_job(job: &Job, now: DateTime<Utc>) -> JobPlan {
    let (_, _, policy) = model::documents(job);
    let overlap = policy.overlap.into();
    let (Some(due), Some(schedule)) = (job.next_run_at, model::compiled_schedule(job)) else {
        tracing::error!(job.id = %job.id, "stored schedule does not compile; the job is stopped");
        return JobPlan {
            fires: Vec::new(),
            next_run_at: None,
            overlap,
        };
    };
    let plan = plan::plan(&schedule, job.id, due, now, &policy);
    for fire in &plan.fires {
        let trigger = fire.trigger.unwrap_or("missed");
        let lag = (now - fire.scheduled_for).num_milliseconds().max(0) as f64 / 1000.0;
        metrics::histogram!("recflow_fire_lag_seconds").record(lag);
        tracing::info!(job.id = %job.id, slot = %fire.scheduled_for, trigger, "slot fired");
    }
    JobPlan {
        fires: plan.fires,
        next_run_at: plan.next_run_at,
        overlap,
    }
}

/// Runs the scheduler role of a process.
pub async fn run_role(state: AppState, shutdown: CancellationToken) {
    Scheduler::new(state).run(shutdown).await;
}
