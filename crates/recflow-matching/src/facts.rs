//! What the matcher and the renderer may know about a recording: a small, storage-free copy of
//! the fields they read, so this crate never depends on the storage models.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The facts about one recording that matching and rendering use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingFacts {
    /// The recording's id in recflow.
    pub id: Uuid,
    /// The input source it was synced from.
    pub source_id: Uuid,
    /// The original topic, as the source reported it.
    pub title: String,
    /// When the meeting recording started.
    pub start_time: DateTime<Utc>,
    /// Length of the recording in whole seconds.
    pub duration_seconds: i64,
    /// The meeting's id at the source (a Zoom meeting id), when there is one.
    pub meeting_id: Option<String>,
    /// Display name of the input source.
    pub source_name: String,
}
