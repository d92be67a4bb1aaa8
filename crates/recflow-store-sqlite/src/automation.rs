//! Automation jobs and runs on SQLite. SQLite runs one writer at a time, so the transactions
//! below that read before they write start with `BEGIN IMMEDIATE`: they take the write lock
//! first and can never interleave with another firing or claim.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use recflow_store::{
    Automation, Error, FireReport, Job, Overlap, Page, PageRequest, Planner, QuotaResource, Result,
    Run, RunEnd, slot_status,
};
use serde_json::{Value, json};
use sqlx::types::Json;
use sqlx::{FromRow, QueryBuilder, Sqlite, Transaction};
use uuid::Uuid;

use crate::SqliteStore;
use crate::error::map_err;

#[derive(FromRow)]
struct JobRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    description: String,
    source_id: Uuid,
    template_ids: Json<Vec<Uuid>>,
    schedule: Json<Value>,
    sync_config: Json<Value>,
    processing_config: Json<Value>,
    policy: Json<Value>,
    is_active: bool,
    next_run_at: Option<DateTime<Utc>>,
    last_run_at: Option<DateTime<Utc>>,
    run_count: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Self {
        Job {
            id: r.id,
            user_id: r.user_id,
            name: r.name,
            description: r.description,
            source_id: r.source_id,
            template_ids: r.template_ids.0,
            schedule: r.schedule.0,
            sync_config: r.sync_config.0,
            processing_config: r.processing_config.0,
            policy: r.policy.0,
            is_active: r.is_active,
            next_run_at: r.next_run_at,
            last_run_at: r.last_run_at,
            run_count: r.run_count,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(FromRow)]
struct RunRow {
    id: Uuid,
    job_id: Uuid,
    user_id: Uuid,
    trigger_kind: String,
    scheduled_for: DateTime<Utc>,
    not_before: DateTime<Utc>,
    exclusive: bool,
    status: String,
    reason: Option<String>,
    counts: Json<Value>,
    outcomes: Json<Value>,
    error: Option<String>,
    attempts: i64,
    lease_owner: Option<String>,
    lease_until: Option<DateTime<Utc>>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl From<RunRow> for Run {
    fn from(r: RunRow) -> Self {
        Run {
            id: r.id,
            job_id: r.job_id,
            user_id: r.user_id,
            trigger: r.trigger_kind,
            scheduled_for: r.scheduled_for,
            not_before: r.not_before,
            exclusive: r.exclusive,
            status: r.status,
            reason: r.reason,
            counts: r.counts.0,
            outcomes: r.outcomes.0,
            error: r.error,
            attempts: r.attempts,
            lease_owner: r.lease_owner,
            lease_until: r.lease_until,
            started_at: r.started_at,
            finished_at: r.finished_at,
            created_at: r.created_at,
        }
    }
}

/// A slot to insert: when, why, and whether it is to run at all.
struct Slot<'a> {
    scheduled_for: DateTime<Utc>,
    not_before: DateTime<Utc>,
    trigger: &'a str,
    runnable: bool,
    reason: Option<String>,
}

/// Decides a runnable slot's status from the job's active runs (the caller holds the write
/// lock, so the answer cannot change before the insert) and inserts it. The unique key makes a
/// second insert of the same slot a no-op: `Ok(None)`.
async fn insert_slot(
    tx: &mut Transaction<'_, Sqlite>,
    job_id: Uuid,
    user_id: Uuid,
    overlap: Overlap,
    slot: Slot<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Run>> {
    let active: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT id, status FROM automation_runs WHERE job_id = $1 \
         AND status IN ('running', 'queued') ORDER BY id",
    )
    .bind(job_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(|e| map_err(e, "run"))?;
    let (status, reason) = slot_status(overlap, slot.runnable, &active, slot.reason);
    let exclusive = overlap != Overlap::Allow;
    let row: Option<RunRow> = sqlx::query_as(
        "INSERT INTO automation_runs (id, job_id, user_id, trigger_kind, scheduled_for, \
         not_before, exclusive, status, reason, counts, outcomes, finished_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (job_id, scheduled_for) DO NOTHING RETURNING *",
    )
    .bind(Uuid::now_v7())
    .bind(job_id)
    .bind(user_id)
    .bind(slot.trigger)
    .bind(slot.scheduled_for)
    .bind(slot.not_before)
    .bind(exclusive)
    .bind(status)
    .bind(reason)
    .bind(Json(json!({})))
    .bind(Json(json!([])))
    .bind((status != "queued").then_some(now))
    .bind(Utc::now()) // created_at: when the slot was really recorded (fire lag)
    .fetch_optional(&mut **tx)
    .await
    .map_err(|e| map_err(e, "run"))?;
    Ok(row.map(Run::from))
}

/// A slot decided in a firing batch.
struct NewSlot {
    id: Uuid,
    job: Uuid,
    user: Uuid,
    trigger: &'static str,
    scheduled_for: DateTime<Utc>,
    not_before: DateTime<Utc>,
    exclusive: bool,
    status: &'static str,
    reason: Option<String>,
}

/// Rows per multi-row statement, well under the bound-parameter limit.
const CHUNK: usize = 400;

/// The queued and running runs of the batch's jobs, by job.
async fn active_runs(
    tx: &mut Transaction<'_, Sqlite>,
    jobs: &[Job],
) -> Result<HashMap<Uuid, Vec<(Uuid, String)>>> {
    let mut active: HashMap<Uuid, Vec<(Uuid, String)>> = HashMap::new();
    for chunk in jobs.chunks(CHUNK) {
        let mut query = QueryBuilder::<Sqlite>::new(
            "SELECT job_id, id, status FROM automation_runs WHERE status IN ('running', 'queued') AND job_id IN (",
        );
        let mut ids = query.separated(", ");
        for job in chunk {
            ids.push_bind(job.id);
        }
        query.push(") ORDER BY id");
        let rows: Vec<(Uuid, Uuid, String)> = query
            .build_query_as()
            .fetch_all(&mut **tx)
            .await
            .map_err(|e| map_err(e, "run"))?;
        for (job, id, status) in rows {
            active.entry(job).or_default().push((id, status));
        }
    }
    Ok(active)
}

/// Inserts the slots; a slot already recorded (the unique key) is skipped. Returns how many
/// were inserted.
async fn insert_slots(
    tx: &mut Transaction<'_, Sqlite>,
    slots: &[NewSlot],
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut inserted = 0;
    for chunk in slots.chunks(CHUNK) {
        let recorded_at = Utc::now();
        let mut query = QueryBuilder::<Sqlite>::new(
            "INSERT INTO automation_runs (id, job_id, user_id, trigger_kind, scheduled_for, \
             not_before, exclusive, status, reason, counts, outcomes, finished_at, created_at) ",
        );
        query.push_values(chunk, |mut row, slot| {
            row.push_bind(slot.id)
                .push_bind(slot.job)
                .push_bind(slot.user)
                .push_bind(slot.trigger)
                .push_bind(slot.scheduled_for)
                .push_bind(slot.not_before)
                .push_bind(slot.exclusive)
                .push_bind(slot.status)
                .push_bind(slot.reason.clone())
                .push_bind(Json(json!({})))
                .push_bind(Json(json!([])))
                .push_bind((slot.status != "queued").then_some(now))
                // When the slot was really recorded: the fire lag is measured from it.
                .push_bind(recorded_at);
        });
        // Exactly once: a slot another scheduler recorded stays as it is.
        query.push(" ON CONFLICT (job_id, scheduled_for) DO NOTHING");
        let done = query
            .build()
            .execute(&mut **tx)
            .await
            .map_err(|e| map_err(e, "run"))?;
        inserted += usize::try_from(done.rows_affected()).unwrap_or(0);
    }
    Ok(inserted)
}

/// Moves each job's `next_run_at` on, in one statement per chunk.
async fn move_jobs(
    tx: &mut Transaction<'_, Sqlite>,
    moves: &[(Uuid, Option<DateTime<Utc>>)],
) -> Result<()> {
    for chunk in moves.chunks(CHUNK) {
        let mut query = QueryBuilder::<Sqlite>::new("WITH moves (id, next) AS (");
        query.push_values(chunk, |mut row, (id, next)| {
            row.push_bind(*id).push_bind(*next);
        });
        query.push(
            ") UPDATE automation_jobs SET next_run_at = moves.next FROM moves \
             WHERE automation_jobs.id = moves.id",
        );
        query
            .build()
            .execute(&mut **tx)
            .await
            .map_err(|e| map_err(e, "automation job"))?;
    }
    Ok(())
}

#[async_trait]
impl Automation for SqliteStore {
    async fn create_job(&self, j: &Job) -> Result<Job> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "automation job"))?;
        let reserved = sqlx::query(
            "UPDATE quotas SET used_automation_jobs = used_automation_jobs + 1 \
             WHERE user_id = $1 AND used_automation_jobs + 1 <= max_automation_jobs",
        )
        .bind(j.user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "automation job"))?;
        if reserved.rows_affected() == 0 {
            let limit: i64 =
                sqlx::query_scalar("SELECT max_automation_jobs FROM quotas WHERE user_id = $1")
                    .bind(j.user_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| map_err(e, "user"))?;
            return Err(Error::QuotaExceeded {
                resource: QuotaResource::AutomationJobs,
                limit,
            });
        }
        let row: JobRow = sqlx::query_as(
            "INSERT INTO automation_jobs (id, user_id, name, description, source_id, template_ids, \
             schedule, sync_config, processing_config, policy, is_active, next_run_at, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
             RETURNING *",
        )
        .bind(j.id)
        .bind(j.user_id)
        .bind(&j.name)
        .bind(&j.description)
        .bind(j.source_id)
        .bind(Json(&j.template_ids))
        .bind(Json(&j.schedule))
        .bind(Json(&j.sync_config))
        .bind(Json(&j.processing_config))
        .bind(Json(&j.policy))
        .bind(j.is_active)
        .bind(j.next_run_at)
        .bind(j.created_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_err(e, "automation job"))?;
        tx.commit()
            .await
            .map_err(|e| map_err(e, "automation job"))?;
        Ok(row.into())
    }

    async fn get_job(&self, user_id: Uuid, id: Uuid) -> Result<Job> {
        let row: JobRow =
            sqlx::query_as("SELECT * FROM automation_jobs WHERE id = $1 AND user_id = $2")
                .bind(id)
                .bind(user_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| map_err(e, "automation job"))?;
        Ok(row.into())
    }

    async fn list_jobs(
        &self,
        user_id: Uuid,
        active_only: bool,
        page: PageRequest,
    ) -> Result<Page<Job>> {
        let rows: Vec<JobRow> = sqlx::query_as(
            "SELECT * FROM automation_jobs WHERE user_id = $1 AND ($2 = FALSE OR is_active) \
             AND ($3 IS NULL OR id > $3) ORDER BY id LIMIT $4",
        )
        .bind(user_id)
        .bind(active_only)
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "automation job"))?;
        let items = rows.into_iter().map(Job::from).collect();
        Ok(Page::from_overfetch(items, page.limit, |j: &Job| j.id))
    }

    async fn replace_job(&self, j: &Job) -> Result<Job> {
        let row: JobRow = sqlx::query_as(
            "UPDATE automation_jobs SET name = $3, description = $4, source_id = $5, \
             template_ids = $6, schedule = $7, sync_config = $8, processing_config = $9, \
             policy = $10, is_active = $11, next_run_at = $12, updated_at = $13 \
             WHERE id = $1 AND user_id = $2 RETURNING *",
        )
        .bind(j.id)
        .bind(j.user_id)
        .bind(&j.name)
        .bind(&j.description)
        .bind(j.source_id)
        .bind(Json(&j.template_ids))
        .bind(Json(&j.schedule))
        .bind(Json(&j.sync_config))
        .bind(Json(&j.processing_config))
        .bind(Json(&j.policy))
        .bind(j.is_active)
        .bind(j.next_run_at)
        .bind(Utc::now())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "automation job"))?;
        Ok(row.into())
    }

    async fn delete_job(&self, user_id: Uuid, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "automation job"))?;
        let done = sqlx::query("DELETE FROM automation_jobs WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "automation job"))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("automation job"));
        }
        sqlx::query(
            "UPDATE automation_runs SET status = 'cancelled', reason = 'the job was deleted', \
             finished_at = $2, lease_owner = NULL, lease_until = NULL \
             WHERE job_id = $1 AND status IN ('queued', 'running')",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "run"))?;
        sqlx::query(
            "UPDATE quotas SET used_automation_jobs = MAX(used_automation_jobs - 1, 0) \
             WHERE user_id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "automation job"))?;
        tx.commit().await.map_err(|e| map_err(e, "automation job"))
    }

    async fn fire_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        planner: &Planner<'_>,
    ) -> Result<FireReport> {
        // BEGIN IMMEDIATE: the batch is read and written under the write lock, so no other
        // writer can fire the same jobs in between. The batch costs four statements whatever
        // its size: read the due jobs, read their active runs, insert the slots, move the jobs.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| map_err(e, "automation job"))?;
        let due: Vec<Job> = sqlx::query_as::<_, JobRow>(
            "SELECT * FROM automation_jobs WHERE is_active = 1 AND next_run_at <= $1 \
             AND user_id IN (SELECT id FROM users WHERE disabled = FALSE) \
             ORDER BY next_run_at LIMIT $2",
        )
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| map_err(e, "automation job"))?
        .into_iter()
        .map(Job::from)
        .collect();
        if due.is_empty() {
            return Ok(FireReport::default());
        }
        let mut active = active_runs(&mut tx, &due).await?;

        let mut slots = Vec::new();
        let mut moves = Vec::with_capacity(due.len());
        for job in &due {
            let plan = planner(job);
            let runs = active.entry(job.id).or_default();
            for fire in plan.fires {
                let (status, reason) =
                    slot_status(plan.overlap, fire.trigger.is_some(), runs, fire.reason);
                let id = Uuid::now_v7();
                if status == "queued" {
                    runs.push((id, "queued".to_owned()));
                }
                let trigger = fire.trigger.unwrap_or("schedule");
                slots.push(NewSlot {
                    id,
                    job: job.id,
                    user: job.user_id,
                    trigger,
                    scheduled_for: fire.scheduled_for,
                    not_before: fire.not_before,
                    exclusive: plan.overlap != Overlap::Allow,
                    status,
                    reason,
                });
            }
            moves.push((job.id, plan.next_run_at));
        }
        let recorded = insert_slots(&mut tx, &slots, now).await?;
        move_jobs(&mut tx, &moves).await?;
        tx.commit()
            .await
            .map_err(|e| map_err(e, "automation job"))?;
        Ok(FireReport {
            fired: due.len(),
            slots: recorded,
        })
    }

    async fn create_manual_run(
        &self,
        job: &Job,
        overlap: Overlap,
        now: DateTime<Utc>,
    ) -> Result<Run> {
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| map_err(e, "run"))?;
        let slot = Slot {
            scheduled_for: now,
            not_before: now,
            trigger: "manual",
            runnable: true,
            reason: None,
        };
        let run = insert_slot(&mut tx, job.id, job.user_id, overlap, slot, now)
            .await?
            .ok_or_else(|| Error::Conflict {
                entity: "run",
                detail: "a run was started this very instant".to_owned(),
            })?;
        if run.status == "skipped" {
            // Nothing is recorded for a refused manual run; the caller gets the reason.
            return Err(Error::Conflict {
                entity: "run",
                detail: run.reason.unwrap_or_default(),
            });
        }
        tx.commit().await.map_err(|e| map_err(e, "run"))?;
        Ok(run)
    }

    async fn claim_run(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Run>> {
        // Exclusive runs (overlap skip/buffer_one) wait while a run of their job holds a live
        // lease; a running run whose lease expired lost its worker and is taken over.
        let row: Option<RunRow> = sqlx::query_as(
            "UPDATE automation_runs SET status = 'running', lease_owner = $1, lease_until = $3, \
             attempts = attempts + 1, started_at = COALESCE(started_at, $2) \
             WHERE id = (SELECT r.id FROM automation_runs r WHERE \
               (r.status = 'queued' AND r.not_before <= $2 AND NOT (r.exclusive AND EXISTS ( \
                  SELECT 1 FROM automation_runs a WHERE a.job_id = r.job_id \
                  AND a.status = 'running' AND a.lease_until >= $2))) \
               OR (r.status = 'running' AND r.lease_until < $2) \
             ORDER BY r.not_before, r.id LIMIT 1) \
             RETURNING *",
        )
        .bind(worker)
        .bind(now)
        .bind(lease_until)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| map_err(e, "run"))?;
        Ok(row.map(Run::from))
    }

    async fn heartbeat_run(
        &self,
        run_id: Uuid,
        worker: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE automation_runs SET lease_until = $3 \
             WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
        )
        .bind(run_id)
        .bind(worker)
        .bind(lease_until)
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "run"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn finish_run(
        &self,
        run_id: Uuid,
        worker: &str,
        end: &RunEnd,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(|e| map_err(e, "run"))?;
        let job_id: Option<Uuid> = sqlx::query_scalar(
            "UPDATE automation_runs SET status = $3, reason = $4, counts = $5, outcomes = $6, \
             error = $7, finished_at = $8, lease_owner = NULL, lease_until = NULL \
             WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING job_id",
        )
        .bind(run_id)
        .bind(worker)
        .bind(end.status)
        .bind(&end.reason)
        .bind(Json(&end.counts))
        .bind(Json(&end.outcomes))
        .bind(&end.error)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| map_err(e, "run"))?;
        let Some(job_id) = job_id else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE automation_jobs SET last_run_at = $2, run_count = run_count + 1 WHERE id = $1",
        )
        .bind(job_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "automation job"))?;
        tx.commit().await.map_err(|e| map_err(e, "run"))?;
        Ok(true)
    }

    async fn release_run(&self, run_id: Uuid, worker: &str) -> Result<()> {
        sqlx::query(
            "UPDATE automation_runs SET status = 'queued', lease_owner = NULL, lease_until = NULL, \
             attempts = MAX(attempts - 1, 0) WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
        )
        .bind(run_id)
        .bind(worker)
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "run"))?;
        Ok(())
    }

    async fn get_run(&self, user_id: Uuid, run_id: Uuid) -> Result<Run> {
        let row: RunRow =
            sqlx::query_as("SELECT * FROM automation_runs WHERE id = $1 AND user_id = $2")
                .bind(run_id)
                .bind(user_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| map_err(e, "run"))?;
        Ok(row.into())
    }

    async fn list_runs(&self, user_id: Uuid, job_id: Uuid, page: PageRequest) -> Result<Page<Run>> {
        let rows: Vec<RunRow> = sqlx::query_as(
            "SELECT * FROM automation_runs WHERE user_id = $1 AND job_id = $2 \
             AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
        )
        .bind(user_id)
        .bind(job_id)
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "run"))?;
        let items = rows.into_iter().map(Run::from).collect();
        Ok(Page::from_overfetch(items, page.limit, |r: &Run| r.id))
    }

    async fn prune_runs(&self, job_id: Uuid, keep: u32) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM automation_runs WHERE job_id = $1 AND status NOT IN ('queued', 'running') \
             AND id NOT IN (SELECT id FROM automation_runs WHERE job_id = $1 \
                            ORDER BY id DESC LIMIT $2)",
        )
        .bind(job_id)
        .bind(i64::from(keep))
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "run"))?;
        Ok(done.rows_affected())
    }
}
