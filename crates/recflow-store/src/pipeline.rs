//! The recording pipeline's durable state: leased stages (download → trim → upload per
//! target) and the publishing targets with their platform ids. A recording is in flight at
//! most once, and a target that has a video id is never uploaded again.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Result;

/// One stage of one recording's pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub id: Uuid,
    pub recording_id: Uuid,
    pub user_id: Uuid,
    /// `download`, `trim` or `upload`.
    pub stage: String,
    /// The output preset id of an upload stage; empty otherwise.
    pub target: String,
    pub status: String,
    pub attempts: i64,
    pub not_before: DateTime<Utc>,
    pub error: Option<String>,
}

/// A stage to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextStage {
    pub stage: &'static str,
    pub target: String,
}

/// A publishing target of a recording.
#[derive(Clone, PartialEq, Eq)]
pub struct Target {
    pub recording_id: Uuid,
    pub preset_id: Uuid,
    pub platform: String,
    /// `pending`, `uploading`, `uploaded`, `failed` or `paused`.
    pub status: String,
    pub platform_video_id: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
    /// A YouTube session URI or a VK upload URL: whoever holds it can upload, so it is kept
    /// out of `Debug` output.
    pub upload_session: Option<String>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("recording_id", &self.recording_id)
            .field("preset_id", &self.preset_id)
            .field("platform", &self.platform)
            .field("status", &self.status)
            .field("platform_video_id", &self.platform_video_id)
            .field("url", &self.url)
            .field("error", &self.error)
            .field(
                "upload_session",
                &self.upload_session.as_ref().map(|_| "<hidden>"),
            )
            .finish()
    }
}

/// How a stage failed.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFailure {
    /// Retry at this instant; `None` means the failure is final (or paused).
    pub retry_at: Option<DateTime<Utc>>,
    /// Paused (e.g. a captcha) rather than failed: a person must act, then rerun.
    pub paused: bool,
    pub reason: String,
    /// The recording's last stable status, kept while the failure shows.
    pub stable_status: &'static str,
}

/// Storage of pipelines.
#[async_trait]
pub trait Pipelines {
    /// Starts the pipeline of a recording unless one is in flight: marks it, creates its
    /// targets and queues `first`. `false` when it was already in flight (nothing written).
    ///
    /// # Errors
    /// `NotFound` for a missing or another account's recording.
    async fn start_pipeline(
        &self,
        user_id: Uuid,
        recording_id: Uuid,
        targets: &[(Uuid, String)],
        first: &NextStage,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Takes the next runnable stage with a lease, and marks the recording with the stage's
    /// working status (`DOWNLOADING`, `PROCESSING`, `UPLOADING`).
    ///
    /// # Errors
    /// Only database failures.
    async fn claim_stage(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Stage>>;

    /// Extends a stage's lease; `false` when it is no longer this worker's.
    ///
    /// # Errors
    /// Only database failures.
    async fn heartbeat_stage(
        &self,
        stage_id: Uuid,
        worker: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Ends a stage successfully, sets the recording's status and queues `next`, in one
    /// transaction. When nothing of the pipeline is left, the recording becomes READY and
    /// leaves flight. `false` when the stage is no longer this worker's.
    ///
    /// # Errors
    /// Only database failures.
    async fn complete_stage(
        &self,
        stage_id: Uuid,
        worker: &str,
        recording_status: &str,
        next: &[NextStage],
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Records a stage failure on the stage and the recording (`failure {stage, reason, at,
    /// attempts}`); retries later or ends the flight.
    ///
    /// # Errors
    /// Only database failures.
    async fn fail_stage(
        &self,
        stage_id: Uuid,
        worker: &str,
        failure: &StageFailure,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// The recording's targets.
    ///
    /// # Errors
    /// Only database failures.
    async fn targets(&self, recording_id: Uuid) -> Result<Vec<Target>>;

    /// Stores a target's new state (status, ids, error, session). A published target (one
    /// with a `platform_video_id`) is never changed again, and a `published:` mark in
    /// `upload_session` is kept until the video id is written: a worker that lost its lease
    /// cannot undo what the worker that took over recorded.
    ///
    /// # Errors
    /// `NotFound` when the target does not exist.
    async fn save_target(&self, target: &Target, now: DateTime<Utc>) -> Result<()>;

    /// Restarts a failed or paused pipeline from its failed stage (never from zero).
    /// `false` when nothing failed or it is in flight.
    ///
    /// # Errors
    /// `NotFound` for a missing or another account's recording.
    async fn retry_pipeline(
        &self,
        user_id: Uuid,
        recording_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}
