//! Claims pipeline stages with leases and executes them; a stage whose worker died is taken
//! over when its lease expires, and a stage is retried with backoff when it failed for a
//! reason that may pass.

use std::time::Duration;

use recflow_store::{Stage, StageFailure};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::automation::run::{heartbeat_every, lease_end};
use crate::pipeline::stages::{self, Failed};
use crate::state::AppState;

/// Stages executed at once by one worker process (the account quota
/// `max_concurrent_pipelines` bounds them further, in the claim).
const CONCURRENCY: usize = 2;

const IDLE_POLL: Duration = Duration::from_millis(250);

/// Executes pipeline stages.
#[derive(Clone)]
pub struct PipelineWorker {
    state: AppState,
    id: String,
}

impl PipelineWorker {
    pub fn new(state: AppState) -> Self {
        PipelineWorker {
            state,
            id: format!("pipeline-{}", Uuid::now_v7()),
        }
    }

    /// Works until `shutdown`. A stage in progress at shutdown keeps its lease until it
    /// expires and is then taken over: stages are resumable, so nothing is lost.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut lanes = tokio::task::JoinSet::new();
        for _ in 0..CONCURRENCY {
            let (worker, shutdown) = (self.clone(), shutdown.clone());
            lanes.spawn(async move { worker.lane(shutdown).await });
        }
        while lanes.join_next().await.is_some() {}
    }

    async fn lane(&self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            match self.claim().await {
                Ok(Some(stage)) => {
                    tokio::select! {
                        () = self.work(stage) => {}
                        () = shutdown.cancelled() => {}
                    }
                }
                Ok(None) => {
                    tokio::select! {
                        () = shutdown.cancelled() => {}
                        () = tokio::time::sleep(IDLE_POLL) => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %error, "cannot claim pipeline stages; retrying");
                    tokio::time::sleep(IDLE_POLL * 4).await;
                }
            }
        }
    }

    async fn claim(&self) -> recflow_store::Result<Option<Stage>> {
        let now = self.state.clock.now();
        self.state
            .store
            .claim_stage(&self.id, now, lease_end(now, lease_seconds(&self.state)))
            .await
    }

    /// Claims and executes one stage without heartbeats (tests drive this); returns it.
    ///
    /// # Errors
    /// Store failures.
    pub async fn work_once(&self) -> recflow_store::Result<Option<Stage>> {
        let Some(stage) = self.claim().await? else {
            return Ok(None);
        };
        let outcome = stages::execute(&self.state, &stage).await;
        self.record(&stage, outcome).await?;
        Ok(Some(stage))
    }

    async fn work(&self, stage: Stage) {
        let lost = CancellationToken::new();
        let heartbeat = tokio::spawn(heartbeat(
            self.state.clone(),
            self.id.clone(),
            stage.id,
            lost.clone(),
        ));
        let started = std::time::Instant::now();
        let outcome = tokio::select! {
            outcome = stages::execute(&self.state, &stage) => outcome,
            () = lost.cancelled() => {
                // Another worker took the stage over: stop before doing anything twice.
                tracing::warn!(stage.id = %stage.id, stage = %stage.stage, "stage lease lost; abandoning the stage");
                return;
            }
        };
        heartbeat.abort();
        metrics::histogram!("recflow_pipeline_stage_seconds", "stage" => stage.stage.clone())
            .record(started.elapsed().as_secs_f64());
        if let Err(error) = self.record(&stage, outcome).await {
            tracing::warn!(stage.id = %stage.id, error = %error, "cannot record a stage's end; its lease will expire and it runs again");
        }
    }

    async fn record(
        &self,
        stage: &Stage,
        outcome: Result<stages::Done, Failed>,
    ) -> recflow_store::Result<()> {
        let now = self.state.clock.now();
        match outcome {
            Ok(done) => {
                self.state
                    .store
                    .complete_stage(stage.id, &self.id, done.recording_status, &done.next, now)
                    .await?;
                tracing::info!(recording.id = %stage.recording_id, stage = %stage.stage, "stage done");
            }
            Err(failed) => {
                let retry_at = if failed.retryable {
                    stages::retry_at(
                        now,
                        stage.attempts,
                        self.state.config.stage_retry_base_seconds,
                    )
                } else {
                    None
                };
                let failure = StageFailure {
                    retry_at,
                    paused: failed.paused,
                    reason: failed.reason.clone(),
                    stable_status: stages::stable_status(&stage.stage),
                };
                self.state
                    .store
                    .fail_stage(stage.id, &self.id, &failure, now)
                    .await?;
                metrics::counter!("recflow_pipeline_failures_total", "stage" => stage.stage.clone(), "retryable" => if retry_at.is_some() { "yes" } else { "no" }).increment(1);
                tracing::warn!(recording.id = %stage.recording_id, stage = %stage.stage, reason = %failed.reason, retry = retry_at.is_some(), "stage failed");
            }
        }
        Ok(())
    }
}

async fn heartbeat(state: AppState, worker: String, stage_id: Uuid, lost: CancellationToken) {
    let lease = lease_seconds(&state);
    let every = heartbeat_every(lease);
    loop {
        tokio::time::sleep(every).await;
        let until = lease_end(state.clock.now(), lease);
        match state.store.heartbeat_stage(stage_id, &worker, until).await {
            Ok(true) => {}
            Ok(false) => {
                lost.cancel();
                return;
            }
            Err(error) => {
                tracing::warn!(stage.id = %stage_id, error = %error, "stage heartbeat failed; retrying")
            }
        }
    }
}

/// The configured stage lease (`stage_lease_seconds`), at least one second.
fn lease_seconds(state: &AppState) -> i64 {
    i64::from(state.config.stage_lease_seconds.max(1))
}
