//! The recording pipeline on SQLite. Starting sets `pipeline_active` with a conditional
//! UPDATE, so only one start of a recording wins; stages are claimed with leases like runs.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use recflow_store::{Error, NextStage, Pipelines, Result, Stage, StageFailure, Target};
use serde_json::json;
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, FromRow, Sqlite, Transaction};
use uuid::Uuid;

use crate::SqliteStore;
use crate::error::map_err;

#[derive(FromRow)]
struct StageRow {
    id: Uuid,
    recording_id: Uuid,
    user_id: Uuid,
    stage: String,
    target: String,
    status: String,
    attempts: i64,
    not_before: DateTime<Utc>,
    error: Option<String>,
}

impl From<StageRow> for Stage {
    fn from(r: StageRow) -> Self {
        Stage {
            id: r.id,
            recording_id: r.recording_id,
            user_id: r.user_id,
            stage: r.stage,
            target: r.target,
            status: r.status,
            attempts: r.attempts,
            not_before: r.not_before,
            error: r.error,
        }
    }
}

#[derive(FromRow)]
struct TargetRow {
    recording_id: Uuid,
    preset_id: Uuid,
    platform: String,
    status: String,
    platform_video_id: Option<String>,
    url: Option<String>,
    error: Option<String>,
    upload_session: Option<String>,
}

impl From<TargetRow> for Target {
    fn from(r: TargetRow) -> Self {
        Target {
            recording_id: r.recording_id,
            preset_id: r.preset_id,
            platform: r.platform,
            status: r.status,
            platform_video_id: r.platform_video_id,
            url: r.url,
            error: r.error,
            upload_session: r.upload_session,
        }
    }
}

const STAGE_COLUMNS: &str =
    "id, recording_id, user_id, stage, target, status, attempts, not_before, error";

/// Queues `next` for the recording; a stage already done stays done.
async fn enqueue(
    tx: &mut Transaction<'_, Sqlite>,
    recording_id: Uuid,
    user_id: Uuid,
    next: &[NextStage],
    now: DateTime<Utc>,
) -> Result<()> {
    for stage in next {
        sqlx::query(
            "INSERT INTO pipeline_stages (id, recording_id, user_id, stage, target, status, \
             not_before, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $6, $6) \
             ON CONFLICT (recording_id, stage, target) DO UPDATE SET status = 'queued', \
             attempts = 0, error = NULL, not_before = $6, updated_at = $6 \
             WHERE pipeline_stages.status <> 'done'",
        )
        .bind(Uuid::now_v7())
        .bind(recording_id)
        .bind(user_id)
        .bind(stage.stage)
        .bind(&stage.target)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| map_err(e, "pipeline stage"))?;
    }
    Ok(())
}

/// Stages of the recording still to do (queued or running).
async fn in_flight(tx: &mut Transaction<'_, Sqlite>, recording_id: Uuid) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM pipeline_stages WHERE recording_id = $1 AND status IN ('queued', 'running')")
        .bind(recording_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| map_err(e, "pipeline stage"))
}

#[async_trait]
impl Pipelines for SqliteStore {
    async fn start_pipeline(
        &self,
        user_id: Uuid,
        recording_id: Uuid,
        targets: &[(Uuid, String)],
        first: &NextStage,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "recording"))?;
        let started = sqlx::query(
            "UPDATE recordings SET pipeline_active = TRUE, failure = NULL, updated_at = $3 \
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND pipeline_active = FALSE",
        )
        .bind(recording_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "recording"))?;
        if started.rows_affected() == 0 {
            let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recordings WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL")
                .bind(recording_id)
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| map_err(e, "recording"))?;
            return if exists == 0 {
                Err(Error::not_found("recording"))
            } else {
                Ok(false)
            };
        }
        for (preset_id, platform) in targets {
            sqlx::query(
                "INSERT INTO recording_targets (recording_id, preset_id, platform, status, updated_at) \
                 VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (recording_id, preset_id) DO NOTHING",
            )
            .bind(recording_id)
            .bind(preset_id)
            .bind(platform)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "target"))?;
        }
        // A recording processed before resumes from its first unfinished stage.
        sqlx::query(
            "UPDATE pipeline_stages SET status = 'queued', attempts = 0, error = NULL, not_before = $2 \
             WHERE recording_id = $1 AND status IN ('failed', 'paused')",
        )
        .bind(recording_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "pipeline stage"))?;
        let existing: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pipeline_stages WHERE recording_id = $1")
                .bind(recording_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| map_err(e, "pipeline stage"))?;
        if existing == 0 {
            enqueue(
                &mut tx,
                recording_id,
                user_id,
                std::slice::from_ref(first),
                now,
            )
            .await?;
        } else if in_flight(&mut tx, recording_id).await? == 0 {
            // Everything was done already: nothing to fly.
            sqlx::query("UPDATE recordings SET pipeline_active = FALSE WHERE id = $1")
                .bind(recording_id)
                .execute(&mut *tx)
                .await
                .map_err(|e| map_err(e, "recording"))?;
            tx.commit().await.map_err(|e| map_err(e, "recording"))?;
            return Ok(false);
        }
        tx.commit().await.map_err(|e| map_err(e, "recording"))?;
        Ok(true)
    }

    async fn claim_stage(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Stage>> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "pipeline stage"))?;
        // A stage waits while its account already runs max_concurrent_pipelines stages.
        let row: Option<StageRow> = sqlx::query_as(AssertSqlSafe(format!(
            "UPDATE pipeline_stages SET status = 'running', lease_owner = $1, lease_until = $3, \
             attempts = attempts + 1, updated_at = $2 WHERE id = (SELECT s.id FROM pipeline_stages s \
             WHERE ((s.status = 'queued' AND s.not_before <= $2) OR (s.status = 'running' AND s.lease_until < $2)) \
             AND (SELECT COUNT(*) FROM pipeline_stages b WHERE b.user_id = s.user_id \
                  AND b.status = 'running' AND b.lease_until >= $2) \
                 < (SELECT q.max_concurrent_pipelines FROM quotas q WHERE q.user_id = s.user_id) \
             ORDER BY s.not_before, s.id LIMIT 1) RETURNING {STAGE_COLUMNS}"
        )))
        .bind(worker)
        .bind(now)
        .bind(lease_until)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| map_err(e, "pipeline stage"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let working = match row.stage.as_str() {
            "download" => "DOWNLOADING",
            "trim" => "PROCESSING",
            _ => "UPLOADING",
        };
        sqlx::query("UPDATE recordings SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(row.recording_id)
            .bind(working)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "recording"))?;
        tx.commit()
            .await
            .map_err(|e| map_err(e, "pipeline stage"))?;
        Ok(Some(row.into()))
    }

    async fn heartbeat_stage(
        &self,
        stage_id: Uuid,
        worker: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE pipeline_stages SET lease_until = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'running'")
            .bind(stage_id)
            .bind(worker)
            .bind(lease_until)
            .execute(&self.pool)
            .await
            .map_err(|e| map_err(e, "pipeline stage"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn complete_stage(
        &self,
        stage_id: Uuid,
        worker: &str,
        recording_status: &str,
        next: &[NextStage],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "pipeline stage"))?;
        let owner: Option<(Uuid, Uuid)> = sqlx::query_as(
            "UPDATE pipeline_stages SET status = 'done', lease_owner = NULL, lease_until = NULL, \
             error = NULL, updated_at = $3 WHERE id = $1 AND lease_owner = $2 AND status = 'running' \
             RETURNING recording_id, user_id",
        )
        .bind(stage_id)
        .bind(worker)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| map_err(e, "pipeline stage"))?;
        let Some((recording_id, user_id)) = owner else {
            return Ok(false);
        };
        enqueue(&mut tx, recording_id, user_id, next, now).await?;
        let left = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM pipeline_stages WHERE recording_id = $1 AND status <> 'done'",
        )
        .bind(recording_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_err(e, "pipeline stage"))?;
        let (state, active) = if left == 0 {
            ("READY", false)
        } else {
            (recording_status, true)
        };
        sqlx::query("UPDATE recordings SET status = $2, pipeline_active = $3, failure = NULL, updated_at = $4 WHERE id = $1")
            .bind(recording_id)
            .bind(state)
            .bind(active)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "recording"))?;
        tx.commit()
            .await
            .map_err(|e| map_err(e, "pipeline stage"))?;
        Ok(true)
    }

    async fn fail_stage(
        &self,
        stage_id: Uuid,
        worker: &str,
        failure: &StageFailure,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "pipeline stage"))?;
        let state = match (failure.retry_at, failure.paused) {
            (Some(_), _) => "queued",
            (None, true) => "paused",
            (None, false) => "failed",
        };
        let failed: Option<(Uuid, String, i64)> = sqlx::query_as(
            "UPDATE pipeline_stages SET status = $3, not_before = COALESCE($4, not_before), \
             error = $5, lease_owner = NULL, lease_until = NULL, updated_at = $6 \
             WHERE id = $1 AND lease_owner = $2 AND status = 'running' \
             RETURNING recording_id, stage, attempts",
        )
        .bind(stage_id)
        .bind(worker)
        .bind(state)
        .bind(failure.retry_at)
        .bind(&failure.reason)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| map_err(e, "pipeline stage"))?;
        let Some((recording_id, stage, attempts)) = failed else {
            return Ok(false);
        };
        let active = in_flight(&mut tx, recording_id).await? > 0;
        let record = json!({"stage": stage, "reason": failure.reason, "at": now, "attempts": attempts,
            "retry_at": failure.retry_at, "paused": failure.paused});
        sqlx::query("UPDATE recordings SET status = $2, failure = $3, pipeline_active = $4, updated_at = $5 WHERE id = $1")
            .bind(recording_id)
            .bind(failure.stable_status)
            .bind(Json(record))
            .bind(active)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "recording"))?;
        tx.commit()
            .await
            .map_err(|e| map_err(e, "pipeline stage"))?;
        Ok(true)
    }

    async fn targets(&self, recording_id: Uuid) -> Result<Vec<Target>> {
        let rows: Vec<TargetRow> = sqlx::query_as(
            "SELECT recording_id, preset_id, platform, status, platform_video_id, url, error, \
             upload_session FROM recording_targets WHERE recording_id = $1 ORDER BY preset_id",
        )
        .bind(recording_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "target"))?;
        Ok(rows.into_iter().map(Target::from).collect())
    }

    async fn save_target(&self, t: &Target, now: DateTime<Utc>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE recording_targets SET status = $3, platform_video_id = $4, url = $5, error = $6, \
             upload_session = CASE WHEN upload_session LIKE 'published:%' AND $4 IS NULL \
             THEN upload_session ELSE $7 END, updated_at = $8 \
             WHERE recording_id = $1 AND preset_id = $2 AND platform_video_id IS NULL",
        )
        .bind(t.recording_id)
        .bind(t.preset_id)
        .bind(&t.status)
        .bind(&t.platform_video_id)
        .bind(&t.url)
        .bind(&t.error)
        .bind(&t.upload_session)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "target"))?;
        if done.rows_affected() == 0 {
            // Either no such target, or it is published: then the write is dropped.
            let exists: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM recording_targets WHERE recording_id = $1 AND preset_id = $2",
            )
            .bind(t.recording_id)
            .bind(t.preset_id)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| map_err(e, "target"))?;
            if exists == 0 {
                return Err(Error::not_found("target"));
            }
        }
        Ok(())
    }

    async fn retry_pipeline(
        &self,
        user_id: Uuid,
        recording_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "recording"))?;
        let owned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recordings WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
        )
        .bind(recording_id)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_err(e, "recording"))?;
        if owned == 0 {
            return Err(Error::not_found("recording"));
        }
        let requeued = sqlx::query(
            "UPDATE pipeline_stages SET status = 'queued', attempts = 0, error = NULL, not_before = $2, \
             updated_at = $2 WHERE recording_id = $1 AND status IN ('failed', 'paused')",
        )
        .bind(recording_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "pipeline stage"))?;
        if requeued.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE recordings SET pipeline_active = TRUE, failure = NULL, updated_at = $2 WHERE id = $1")
            .bind(recording_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "recording"))?;
        tx.commit().await.map_err(|e| map_err(e, "recording"))?;
        Ok(true)
    }
}
