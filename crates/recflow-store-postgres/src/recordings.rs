//! Recordings on PostgreSQL. A re-sync compares fingerprints first and writes only what changed,
//! so syncing unchanged data touches nothing.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use recflow_store::{
    Discovered, Error, Page, PageRequest, Recording, RecordingFilter, Recordings, Result,
    UpsertSummary,
};
use serde_json::Value;
use sqlx::types::Json;
use sqlx::{FromRow, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::PostgresStore;
use crate::error::map_err;

/// Rows per multi-row INSERT, well under the bound-parameter limit.
const INSERT_CHUNK: usize = 200;

#[derive(FromRow)]
pub(crate) struct RecordingRow {
    id: Uuid,
    user_id: Uuid,
    source_id: Uuid,
    source_key: String,
    title: String,
    start_time: DateTime<Utc>,
    duration_seconds: i64,
    size_bytes: i64,
    status: String,
    skip_reason: Option<String>,
    template_id: Option<Uuid>,
    match_info: Option<Json<Value>>,
    failure: Option<Json<Value>>,
    source_meta: Json<Value>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<RecordingRow> for Recording {
    fn from(row: RecordingRow) -> Self {
        Recording {
            id: row.id,
            user_id: row.user_id,
            source_id: row.source_id,
            source_key: row.source_key,
            title: row.title,
            start_time: row.start_time,
            duration_seconds: row.duration_seconds,
            size_bytes: row.size_bytes,
            status: row.status,
            skip_reason: row.skip_reason,
            template_id: row.template_id,
            match_info: row.match_info.map(|j| j.0),
            failure: row.failure.map(|j| j.0),
            source_meta: row.source_meta.0,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(FromRow)]
struct KnownRow {
    source_key: String,
    fingerprint: String,
    deleted: bool,
}

#[async_trait]
impl Recordings for PostgresStore {
    async fn upsert_discovered(
        &self,
        user_id: Uuid,
        source_id: Uuid,
        items: &[Discovered],
    ) -> Result<(UpsertSummary, Vec<Uuid>)> {
        let owned: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM input_sources WHERE id = $1 AND user_id = $2")
                .bind(source_id)
                .bind(user_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| map_err(e, "input source"))?;
        if owned == 0 {
            return Err(Error::not_found("input source"));
        }
        let known: HashMap<String, (String, bool)> = sqlx::query_as::<_, KnownRow>(
            "SELECT source_key, fingerprint, deleted_at IS NOT NULL AS deleted FROM recordings \
             WHERE source_id = $1",
        )
        .bind(source_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "recording"))?
        .into_iter()
        .map(|r| (r.source_key, (r.fingerprint, r.deleted)))
        .collect();

        let mut summary = UpsertSummary::default();
        let (mut fresh, mut changed) = (Vec::new(), Vec::new());
        for item in items {
            match known.get(&item.source_key) {
                None => fresh.push(item),
                Some((_, true)) => summary.deleted += 1,
                Some((fingerprint, false)) if *fingerprint == item.fingerprint => {
                    summary.unchanged += 1
                }
                Some(_) => changed.push(item),
            }
        }
        if fresh.is_empty() && changed.is_empty() {
            return Ok((summary, Vec::new()));
        }

        let now = Utc::now();
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "recording"))?;
        let mut new_ids = Vec::with_capacity(fresh.len());
        for chunk in fresh.chunks(INSERT_CHUNK) {
            let mut insert = QueryBuilder::<Postgres>::new(
                "INSERT INTO recordings (id, user_id, source_id, source_key, title, start_time, \
                 duration_seconds, size_bytes, status, skip_reason, source_meta, fingerprint, \
                 created_at, updated_at) ",
            );
            insert.push_values(chunk, |mut row, item| {
                row.push_bind(Uuid::now_v7())
                    .push_bind(user_id)
                    .push_bind(source_id)
                    .push_bind(&item.source_key)
                    .push_bind(&item.title)
                    .push_bind(item.start_time)
                    .push_bind(item.duration_seconds)
                    .push_bind(item.size_bytes)
                    .push_bind(&item.status)
                    .push_bind(&item.skip_reason)
                    .push_bind(Json(&item.source_meta))
                    .push_bind(&item.fingerprint)
                    .push_bind(now)
                    .push_bind(now);
            });
            // A webhook or another replica may have inserted the same key meanwhile.
            insert.push(" ON CONFLICT (source_id, source_key) DO NOTHING RETURNING id");
            let ids: Vec<Uuid> = insert
                .build_query_scalar()
                .fetch_all(&mut *tx)
                .await
                .map_err(|e| map_err(e, "recording"))?;
            summary.new += ids.len() as u64;
            new_ids.extend(ids);
        }
        for item in changed {
            let done = sqlx::query(
                "UPDATE recordings SET title = $3, start_time = $4, duration_seconds = $5, \
                 size_bytes = $6, status = $7, skip_reason = $8, source_meta = $9, \
                 fingerprint = $10, updated_at = $11 WHERE source_id = $1 AND source_key = $2 \
                 AND deleted_at IS NULL \
                 AND status IN ('PENDING_SOURCE', 'INITIALIZED', 'SKIPPED')",
            )
            .bind(source_id)
            .bind(&item.source_key)
            .bind(&item.title)
            .bind(item.start_time)
            .bind(item.duration_seconds)
            .bind(item.size_bytes)
            .bind(&item.status)
            .bind(&item.skip_reason)
            .bind(Json(&item.source_meta))
            .bind(&item.fingerprint)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "recording"))?;
            if done.rows_affected() == 1 {
                summary.updated += 1;
            } else {
                summary.unchanged += 1;
            }
        }
        tx.commit().await.map_err(|e| map_err(e, "recording"))?;
        Ok((summary, new_ids))
    }

    async fn get_recording(&self, user_id: Uuid, id: Uuid) -> Result<Recording> {
        let row: RecordingRow = sqlx::query_as(
            "SELECT * FROM recordings WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(user_id)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_err(e, "recording"))?;
        Ok(row.into())
    }

    async fn list_recordings(
        &self,
        user_id: Uuid,
        f: &RecordingFilter,
        page: PageRequest,
    ) -> Result<Page<Recording>> {
        let rows: Vec<RecordingRow> = sqlx::query_as(
            "SELECT * FROM recordings WHERE user_id = $1 AND deleted_at IS NULL \
             AND ($2 IS NULL OR source_id = $2) AND ($3 IS NULL OR status = $3) \
             AND ($4 IS NULL OR template_id = $4) AND ($5 IS NULL OR start_time >= $5) \
             AND ($6 IS NULL OR start_time < $6) AND ($7 IS NULL OR id < $7) \
             ORDER BY id DESC LIMIT $8",
        )
        .bind(user_id)
        .bind(f.source_id)
        .bind(&f.status)
        .bind(f.template_id)
        .bind(f.from)
        .bind(f.to)
        .bind(page.after)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| map_err(e, "recording"))?;
        let items = rows.into_iter().map(Recording::from).collect();
        Ok(Page::from_overfetch(items, page.limit, |r: &Recording| {
            r.id
        }))
    }

    async fn delete_recording(&self, user_id: Uuid, id: Uuid) -> Result<()> {
        let done = sqlx::query(
            "UPDATE recordings SET deleted_at = $3, updated_at = $3 \
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(user_id)
        .bind(Utc::now())
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "recording"))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("recording"));
        }
        Ok(())
    }

    async fn set_matches(
        &self,
        user_id: Uuid,
        decisions: &[(Uuid, Option<Uuid>, Value)],
    ) -> Result<()> {
        let now = Utc::now();
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| map_err(e, "recording"))?;
        for (id, template_id, info) in decisions {
            sqlx::query(
                "UPDATE recordings SET template_id = $3, match_info = $4, updated_at = $5 \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
            )
            .bind(id)
            .bind(user_id)
            .bind(template_id)
            .bind(Json(info))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "recording"))?;
        }
        tx.commit().await.map_err(|e| map_err(e, "recording"))
    }

    async fn set_match(
        &self,
        user_id: Uuid,
        id: Uuid,
        template_id: Option<Uuid>,
        match_info: &Value,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE recordings SET template_id = $3, match_info = $4, updated_at = $5 \
             WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(user_id)
        .bind(template_id)
        .bind(Json(match_info))
        .bind(Utc::now())
        .execute(&self.pool)
        .await
        .map_err(|e| map_err(e, "recording"))?;
        if done.rows_affected() == 0 {
            return Err(Error::not_found("recording"));
        }
        Ok(())
    }
}
