//! The worker role (SPEC §9): claims queued runs with a lease, keeps the lease alive while it
//! works, and ends the run. A run whose worker died is claimed again once its lease expires.
//! On shutdown a worker stops claiming, gives its runs a grace period, then hands them back.

use std::time::Duration;

use recflow_store::Run;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::automation::run::{self, heartbeat_every, lease_end};
use crate::state::AppState;

/// How long in-flight runs may finish after shutdown began before they are handed back.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Runs executed at once by one worker process.
const CONCURRENCY: usize = 2;

/// How long an idle worker waits before looking for work again.
const IDLE_POLL: Duration = Duration::from_millis(250);

/// Claims and executes runs.
#[derive(Clone)]
pub struct Worker {
    state: AppState,
    id: String,
}

impl Worker {
    pub fn new(state: AppState) -> Self {
        Worker {
            state,
            id: format!("worker-{}", Uuid::now_v7()),
        }
    }

    /// This worker's lease owner name.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Works until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(worker = %self.id, "worker started");
        let mut lanes = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENCY {
            let worker = self.clone();
            let shutdown = shutdown.clone();
            lanes.spawn(async move { worker.lane(shutdown).await });
        }
        while lanes.join_next().await.is_some() {}
        tracing::info!(worker = %self.id, "worker stopped");
    }

    async fn lane(&self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            match self.claim().await {
                Ok(Some(run)) => self.work(run, &shutdown).await,
                Ok(None) => {
                    tokio::select! {
                        () = shutdown.cancelled() => {}
                        () = tokio::time::sleep(IDLE_POLL) => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %error, "cannot claim runs; retrying");
                    tokio::time::sleep(IDLE_POLL * 4).await;
                }
            }
        }
    }

    async fn claim(&self) -> recflow_store::Result<Option<Run>> {
        let now = self.state.clock.now();
        self.state
            .store
            .claim_run(&self.id, now, lease_end(now, lease_seconds(&self.state)))
            .await
    }

    /// Claims and executes one run without heartbeats (for tests that drive the clock);
    /// returns the run it worked on.
    ///
    /// # Errors
    /// Store failures.
    pub async fn work_once(&self) -> recflow_store::Result<Option<Run>> {
        let Some(run) = self.claim().await? else {
            return Ok(None);
        };
        let end = run::execute(&self.state, &run).await;
        self.finish(&run, &end).await;
        Ok(Some(run))
    }

    /// Executes `run` while a heartbeat keeps its lease; stops if the lease is lost (run
    /// cancelled or taken over) and hands the run back if shutdown outlasts the grace period.
    async fn work(&self, run: Run, shutdown: &CancellationToken) {
        let lost = CancellationToken::new();
        let heartbeat = tokio::spawn(heartbeat(
            self.state.clone(),
            self.id.clone(),
            run.id,
            lost.clone(),
        ));
        let execution = run::execute(&self.state, &run);
        tokio::pin!(execution);

        let end = tokio::select! {
            end = &mut execution => Some(end),
            () = lost.cancelled() => None,
            () = shutdown.cancelled() => {
                tokio::select! {
                    end = &mut execution => Some(end),
                    () = lost.cancelled() => None,
                    () = tokio::time::sleep(SHUTDOWN_GRACE) => {
                        if let Err(error) = self.state.store.release_run(run.id, &self.id).await {
                            tracing::warn!(run.id = %run.id, error = %error, "cannot hand the run back; its lease will expire");
                        }
                        None
                    }
                }
            }
        };
        heartbeat.abort();

        match end {
            Some(end) => self.finish(&run, &end).await,
            None => {
                tracing::info!(run.id = %run.id, "run left to others (cancelled, taken over or handed back)")
            }
        }
    }

    async fn finish(&self, run: &Run, end: &recflow_store::RunEnd) {
        let now = self.state.clock.now();
        match self
            .state
            .store
            .finish_run(run.id, &self.id, end, now)
            .await
        {
            Ok(true) => {
                metrics::counter!("recflow_runs_total", "status" => end.status).increment(1);
                tracing::info!(run.id = %run.id, job.id = %run.job_id, status = end.status, "run finished");
                let keep = self.state.config.runs_keep_per_job;
                if let Err(error) = self.state.store.prune_runs(run.job_id, keep).await {
                    tracing::warn!(job.id = %run.job_id, error = %error, "cannot prune old runs");
                }
            }
            Ok(false) => {
                tracing::info!(run.id = %run.id, "run ended elsewhere (cancelled or taken over)")
            }
            Err(error) => {
                tracing::warn!(run.id = %run.id, error = %error, "cannot record the end of a run; its lease will expire and it runs again")
            }
        }
    }
}

async fn heartbeat(state: AppState, worker: String, run_id: Uuid, lost: CancellationToken) {
    let lease = lease_seconds(&state);
    let every = heartbeat_every(lease);
    loop {
        tokio::time::sleep(every).await;
        let until = lease_end(state.clock.now(), lease);
        match state.store.heartbeat_run(run_id, &worker, until).await {
            Ok(true) => {}
            Ok(false) => {
                lost.cancel();
                return;
            }
            Err(error) => {
                tracing::warn!(run.id = %run_id, error = %error, "heartbeat failed; retrying")
            }
        }
    }
}

/// Runs the worker role of a process: automation runs and pipeline stages side by side.
pub async fn run_role(state: AppState, shutdown: CancellationToken) {
    let stages = crate::pipeline::worker::PipelineWorker::new(state.clone());
    tokio::join!(
        Worker::new(state).run(shutdown.clone()),
        stages.run(shutdown)
    );
}

/// The configured run lease (`run_lease_seconds`), at least one second.
fn lease_seconds(state: &AppState) -> i64 {
    i64::from(state.config.run_lease_seconds.max(1))
}
