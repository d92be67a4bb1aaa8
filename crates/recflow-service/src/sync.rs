//! Syncing a source: list what it holds in a time window, classify each recording (pending,
//! blank, ready) and upsert it. Writing happens only for what changed, in the store.

pub mod local_folder;
pub mod zoom;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use recflow_store::{
    Discovered, InputSource, PageRequest, Recording, RecordingFilter, Store, UpsertSummary, status,
};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Config;
use crate::media::probe;
use crate::state::AppState;

/// Why a sync failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the source folder is unusable: {0}")]
    Folder(#[from] local_folder::PathError),
    #[error("cannot read the source folder")]
    Read(#[source] std::io::Error),
    #[error("{0}")]
    Upstream(String),
    #[error(transparent)]
    Store(#[from] recflow_store::Error),
}

/// The time range a sync looks at (by recording start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    /// The last `days` days up to `now`.
    pub fn last_days(now: DateTime<Utc>, days: i64) -> Self {
        Window {
            from: now - Duration::days(days),
            to: now,
        }
    }

    fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at <= self.to
    }
}

/// What one sync found and did, as shown in the source status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncResult {
    pub listed: u64,
    pub new: u64,
    pub updated: u64,
    pub pending: u64,
    pub skipped: u64,
}

/// The outcome of a sync: counts and the ids of recordings seen for the first time.
#[derive(Debug, Clone, Default)]
pub struct Synced {
    pub result: SyncResult,
    pub new_ids: Vec<Uuid>,
}

/// Lists `source` over `window` and upserts what it found.
///
/// # Errors
/// When the source cannot be read or the store fails; nothing is half-written, because the
/// upsert is one transaction.
#[tracing::instrument(skip_all, fields(source.id = %source.id), err)]
pub async fn sync_source(
    state: &AppState,
    source: &InputSource,
    owner_zone: Tz,
    window: Window,
) -> Result<Synced, Error> {
    let store = state.store.as_ref();
    let found = discover(state, source, owner_zone, window).await?;
    let (summary, new_ids) = store
        .upsert_discovered(source.user_id, source.id, &found)
        .await?;
    crate::matching::match_new(store, source.user_id, &new_ids).await?;
    Ok(Synced {
        result: result_of(&found, summary),
        new_ids,
    })
}

/// Lists `source` over `window` without writing anything (dry runs use this).
///
/// # Errors
/// When the source cannot be read.
pub async fn discover(
    state: &AppState,
    source: &InputSource,
    owner_zone: Tz,
    window: Window,
) -> Result<Vec<Discovered>, Error> {
    let (store, config) = (state.store.as_ref(), state.config.as_ref());
    match source.kind.as_str() {
        "local_folder" => discover_folder(store, config, source, owner_zone, window).await,
        "zoom" => zoom::discover(state, source, window).await,
        other => Err(Error::Upstream(format!(
            "syncing {other} sources is not available in this version"
        ))),
    }
}

fn result_of(found: &[Discovered], summary: UpsertSummary) -> SyncResult {
    let count = |state: &str| found.iter().filter(|d| d.status == state).count() as u64;
    SyncResult {
        listed: found.len() as u64,
        new: summary.new,
        updated: summary.updated,
        pending: count(status::PENDING_SOURCE),
        skipped: count(status::SKIPPED),
    }
}

async fn discover_folder(
    store: &dyn Store,
    config: &Config,
    source: &InputSource,
    zone: Tz,
    window: Window,
) -> Result<Vec<Discovered>, Error> {
    let relative = source
        .config
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let owner = store.get_user(source.user_id).await?;
    let folder = local_folder::resolve(Some(&config.account_sources_root(&owner)), relative)?;
    let scanned =
        tokio::task::spawn_blocking(move || local_folder::scan(&folder, zone).map(|f| (folder, f)))
            .await
            .map_err(|e| Error::Read(std::io::Error::other(e)))?
            .map_err(Error::Read)?;
    let (folder, files) = scanned;
    let previous = known_recordings(store, source).await?;

    let mut found = Vec::new();
    for file in files.into_iter().filter(|f| window.contains(f.start)) {
        let before = previous.get(&file.rel_path);
        found.push(classify_file(source, &folder, file, before).await);
    }
    Ok(found)
}

/// A file is taken only once its size and modification time are the same in two scans, so a
/// recording still being copied in is never processed half-written.
async fn classify_file(
    source: &InputSource,
    folder: &std::path::Path,
    file: local_folder::FileObservation,
    before: Option<&Recording>,
) -> Discovered {
    let seen_before = before.is_some_and(|r| {
        r.source_meta.get("size").and_then(Value::as_u64) == Some(file.size)
            && r.source_meta.get("mtime_ns").and_then(Value::as_i64) == Some(file.mtime_ns)
    });
    let meta = json!({"path": file.rel_path, "size": file.size, "mtime_ns": file.mtime_ns,
        "meeting_id": file.meeting_id});
    let size = i64::try_from(file.size).unwrap_or(i64::MAX);
    let (state, skip_reason, duration) = if !seen_before {
        (status::PENDING_SOURCE, None, 0)
    } else if let Some(known) = before.filter(|r| r.status != status::PENDING_SOURCE) {
        // Unchanged since it was last read: reuse what we learnt instead of probing again.
        (
            known.status.as_str(),
            known.skip_reason.clone(),
            known.duration_seconds,
        )
    } else {
        match probe::probe(&folder.join(&file.rel_path)).await {
            Ok(info) => {
                let duration = info.duration_seconds.round() as i64;
                let (state, reason) = blank_check(source, duration, size);
                (state, reason, duration)
            }
            Err(error) => (
                status::SKIPPED,
                Some(format!("unreadable media: {error}")),
                0,
            ),
        }
    };
    discovered(
        file.rel_path,
        file.topic,
        file.start,
        duration,
        size,
        state,
        skip_reason,
        meta,
    )
}

/// SKIPPED with reason `blank` when shorter or smaller than the source's thresholds.
pub fn blank_check(
    source: &InputSource,
    duration_seconds: i64,
    size_bytes: i64,
) -> (&'static str, Option<String>) {
    if duration_seconds < source.min_duration_seconds || size_bytes < source.min_size_bytes {
        (status::SKIPPED, Some("blank".to_owned()))
    } else {
        (status::INITIALIZED, None)
    }
}

/// Builds a [`Discovered`] with its fingerprint.
#[allow(clippy::too_many_arguments)]
pub fn discovered(
    source_key: String,
    title: String,
    start_time: DateTime<Utc>,
    duration_seconds: i64,
    size_bytes: i64,
    state: &str,
    skip_reason: Option<String>,
    source_meta: Value,
) -> Discovered {
    let canonical = json!([
        source_key,
        title,
        start_time,
        duration_seconds,
        size_bytes,
        state,
        skip_reason,
        source_meta
    ]);
    let fingerprint = Sha256::digest(canonical.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Discovered {
        source_key,
        title,
        start_time,
        duration_seconds,
        size_bytes,
        status: state.to_owned(),
        skip_reason,
        source_meta,
        fingerprint,
    }
}

async fn known_recordings(
    store: &dyn Store,
    source: &InputSource,
) -> Result<HashMap<String, Recording>, Error> {
    let filter = RecordingFilter {
        source_id: Some(source.id),
        ..RecordingFilter::default()
    };
    let mut known = HashMap::new();
    let mut after = None;
    loop {
        let page = store
            .list_recordings(source.user_id, &filter, PageRequest { limit: 200, after })
            .await?;
        known.extend(page.items.into_iter().map(|r| (r.source_key.clone(), r)));
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(known),
        }
    }
}
