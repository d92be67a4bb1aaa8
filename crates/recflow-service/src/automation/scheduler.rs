//! The scheduler role (SPEC §9): each tick fires the jobs whose `next_run_at` has come. Any
//! number of schedulers may tick at once: a slot is recorded by whoever wins the job's
//! compare-and-set, and the unique `(job_id, scheduled_for)` key stops any second insert.

use std::time::Duration;

use recflow_store::Job;
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
    pub due: usize,
    /// Jobs this scheduler fired.
    pub fired: usize,
    /// Jobs another scheduler (or an edit) got to first.
    pub lost: usize,
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

    /// Fires every job due now.
    ///
    /// # Errors
    /// Store failures; jobs fired before the failure stay fired.
    pub async fn tick(&self) -> recflow_store::Result<TickReport> {
        let now = self.state.clock.now();
        let mut report = TickReport::default();
        for _ in 0..MAX_BATCHES {
            let due = self.state.store.due_jobs(now, BATCH).await?;
            report.due += due.len();
            for job in &due {
                if self.fire(job, now).await? {
                    report.fired += 1;
                } else {
                    report.lost += 1;
                }
            }
            if due.len() < BATCH as usize {
                break;
            }
        }
        Ok(report)
    }

    async fn fire(
        &self,
        job: &Job,
        now: chrono::DateTime<chrono::Utc>,
    ) -> recflow_store::Result<bool> {
        let Some(due) = job.next_run_at else {
            return Ok(false);
        };
        let (_, _, policy) = model::documents(job);
        let plan = match model::compiled_schedule(job) {
            Some(schedule) => plan::plan(&schedule, job.id, due, now, &policy),
            None => {
                // Never fire a schedule we cannot read; stop it instead of retrying forever.
                tracing::error!(job.id = %job.id, "stored schedule does not compile; the job is stopped");
                plan::Plan {
                    fires: Vec::new(),
                    next_run_at: None,
                }
            }
        };
        let fired = self
            .state
            .store
            .fire_job(
                job.id,
                due,
                plan.next_run_at,
                &plan.fires,
                policy.overlap.into(),
                now,
            )
            .await?;
        if fired {
            for fire in &plan.fires {
                let trigger = fire.trigger.unwrap_or("missed");
                metrics::counter!("recflow_slots_fired_total", "trigger" => trigger).increment(1);
                let lag = (now - fire.scheduled_for).num_milliseconds().max(0) as f64 / 1000.0;
                metrics::histogram!("recflow_fire_lag_seconds").record(lag);
                tracing::info!(job.id = %job.id, slot = %fire.scheduled_for, trigger, "slot fired");
            }
        }
        Ok(fired)
    }
}

/// Runs the scheduler role of a process.
pub async fn run_role(state: AppState, shutdown: CancellationToken) {
    Scheduler::new(state).run(shutdown).await;
}
