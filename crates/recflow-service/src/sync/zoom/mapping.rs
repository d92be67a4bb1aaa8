//! How a Zoom meeting becomes recflow recordings: one per MP4 segment, keyed
//! `{meeting uuid}/{file id}`. The sync and the `recording.completed` webhook both map through
//! here, so they agree on identity and content and never duplicate each other.
//!
//! Pure: no I/O, no secrets. What only a webhook knows (its sealed download token, a
//! processing request) is carried over by the caller with [`Segment::keep_webhook_fields`].

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use recflow_store::{Discovered, InputSource, status};
use recflow_zoom::{Meeting, RecordingFile};
use serde_json::{Map, Value, json};

use crate::sync::{blank_check, discovered};

/// `source_meta` key of the webhook's download token, sealed and in standard base64.
pub const DOWNLOAD_TOKEN_KEY: &str = "download_token_sealed";
/// `source_meta` key of when that download token stops working (RFC 3339).
pub const DOWNLOAD_TOKEN_EXPIRY_KEY: &str = "download_token_expires_at";
/// `source_meta` key set when a webhook asked for the recording to be processed at once.
pub const PROCESS_REQUESTED_KEY: &str = "process_requested";

/// Keys of `source_meta` that only a webhook delivers; a sync keeps them as stored.
const WEBHOOK_KEYS: [&str; 3] = [
    DOWNLOAD_TOKEN_KEY,
    DOWNLOAD_TOKEN_EXPIRY_KEY,
    PROCESS_REQUESTED_KEY,
];

/// Video recording types. While Zoom still processes a file it sends no file type, so a
/// pending file counts as a video segment when its recording type is one of these.
const VIDEO_RECORDING_TYPES: [&str; 10] = [
    "shared_screen_with_speaker_view(CC)",
    "shared_screen_with_speaker_view",
    "shared_screen_with_gallery_view",
    "speaker_view",
    "active_speaker",
    "gallery_view",
    "shared_screen",
    "host_video",
    "sign_interpretation",
    "production_studio",
];

/// One MP4 segment of a meeting in recflow's terms, before its fingerprint is taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub source_key: String,
    pub title: String,
    pub start_time: DateTime<Utc>,
    pub duration_seconds: i64,
    pub size_bytes: i64,
    pub status: &'static str,
    pub skip_reason: Option<String>,
    /// Where the media is and what it is; never a token in the clear.
    pub meta: Map<String, Value>,
}

/// Every video segment of `meeting`, judged by `source`'s blank thresholds. A file Zoom has
/// not finished is PENDING_SOURCE, to be promoted by a later sync or webhook.
// TODO: cloud recordings with audio only (an M4A and no MP4) are not synced yet.
pub fn segments(source: &InputSource, meeting: &Meeting) -> Vec<Segment> {
    let mut seen = HashSet::new();
    meeting
        .files
        .iter()
        .filter(|file| is_video_segment(file))
        .map(|file| segment(source, meeting, file))
        .filter(|segment| seen.insert(segment.source_key.clone()))
        .collect()
}

/// The identity of a segment: the meeting instance and the file, or the segment's start when
/// Zoom sent no file id.
pub fn source_key(meeting: &Meeting, file: &RecordingFile) -> String {
    match (&file.id, file.recording_start) {
        (Some(id), _) => format!("{}/{id}", meeting.uuid),
        (None, Some(start)) => format!("{}/{}", meeting.uuid, start.to_rfc3339()),
        (None, None) => format!("{}/{}", meeting.uuid, meeting.start_time.to_rfc3339()),
    }
}

impl Segment {
    /// Copies the webhook-only fields of the stored recording's `source_meta`, so a sync
    /// neither erases them nor counts their absence as a change.
    pub fn keep_webhook_fields(&mut self, stored_meta: &Value) {
        for key in WEBHOOK_KEYS {
            if let Some(value) = stored_meta.get(key) {
                self.meta.insert(key.to_owned(), value.clone());
            }
        }
    }

    /// The recording to upsert, with its fingerprint.
    pub fn into_discovered(self) -> Discovered {
        discovered(
            self.source_key,
            self.title,
            self.start_time,
            self.duration_seconds,
            self.size_bytes,
            self.status,
            self.skip_reason,
            Value::Object(self.meta),
        )
    }
}

fn is_video_segment(file: &RecordingFile) -> bool {
    let pending_video = file.file_type.is_empty()
        && !file.is_ready()
        && file
            .recording_type
            .as_deref()
            .is_some_and(|kind| VIDEO_RECORDING_TYPES.contains(&kind));
    file.is_video() || pending_video
}

fn segment(source: &InputSource, meeting: &Meeting, file: &RecordingFile) -> Segment {
    let start_time = file.recording_start.unwrap_or(meeting.start_time);
    let duration_seconds = match (file.recording_start, file.recording_end) {
        (Some(start), Some(end)) if end > start => (end - start).num_seconds(),
        _ => meeting.duration_minutes.max(0) * 60,
    };
    let (status, skip_reason) = if file.is_ready() {
        blank_check(source, duration_seconds, file.file_size)
    } else {
        (status::PENDING_SOURCE, None)
    };

    let meta = Map::from_iter([
        ("meeting_uuid".to_owned(), json!(meeting.uuid)),
        ("meeting_id".to_owned(), json!(meeting.id.to_string())),
        ("file_id".to_owned(), json!(file.id)),
        ("download_url".to_owned(), json!(file.download_url)),
        ("recording_type".to_owned(), json!(file.recording_type)),
        ("file_extension".to_owned(), json!(file.file_extension)),
    ]);
    Segment {
        source_key: source_key(meeting, file),
        title: meeting.topic.clone(),
        start_time,
        duration_seconds,
        size_bytes: file.file_size,
        status,
        skip_reason,
        meta,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use uuid::Uuid;

    use super::*;

    fn source() -> InputSource {
        let now = Utc::now();
        InputSource {
            id: Uuid::now_v7(),
            user_id: Uuid::now_v7(),
            name: "Zoom".into(),
            kind: "zoom".into(),
            credential_id: None,
            config: json!({"user_id": "me"}),
            min_duration_seconds: 600,
            min_size_bytes: 1000,
            process_on_webhook: false,
            webhook_secret: None,
            sync: recflow_store::SyncStatus::default(),
            created_at: now,
            updated_at: now,
        }
    }

    fn at(minutes: i64) -> DateTime<Utc> {
        "2025-03-03T09:00:00Z"
            .parse::<DateTime<Utc>>()
            .expect("valid time")
            + Duration::minutes(minutes)
    }

    fn file(id: Option<&str>, file_type: &str, span: (i64, i64), size: i64) -> RecordingFile {
        RecordingFile {
            id: id.map(str::to_owned),
            file_type: file_type.to_owned(),
            file_extension: file_type.to_owned(),
            file_size: size,
            recording_start: Some(at(span.0)),
            recording_end: Some(at(span.1)),
            download_url: Some("https://zoom.us/rec/download/x".into()),
            status: Some("completed".into()),
            recording_type: Some("shared_screen_with_speaker_view".into()),
        }
    }

    fn meeting(files: Vec<RecordingFile>) -> Meeting {
        Meeting {
            uuid: "/ab//cd==".into(),
            id: 81234567890,
            topic: "Weekly sync".into(),
            start_time: at(0),
            duration_minutes: 60,
            timezone: None,
            total_size: 0,
            files,
        }
    }

    #[test]
    fn every_mp4_segment_is_one_recording_and_other_files_are_ignored() {
        let mut audio = file(Some("a"), "M4A", (0, 60), 5000);
        audio.recording_type = Some("audio_only".into());
        let meeting = meeting(vec![
            file(Some("f1"), "MP4", (0, 25), 5000),
            audio,
            file(Some("f2"), "MP4", (30, 60), 5000),
        ]);

        let found = segments(&source(), &meeting);

        let keys: Vec<_> = found.iter().map(|s| s.source_key.as_str()).collect();
        assert_eq!(keys, ["/ab//cd==/f1", "/ab//cd==/f2"]);
        assert_eq!(found[1].start_time, at(30));
        assert_eq!(found[1].duration_seconds, 30 * 60);
        assert_eq!(found[0].status, status::INITIALIZED);
        assert_eq!(found[0].meta["meeting_id"], "81234567890");
        assert_eq!(found[0].meta["file_id"], "f1");
    }

    #[test]
    fn a_processing_video_is_pending_and_a_short_one_is_blank() {
        let mut processing = file(Some("p"), "", (0, 0), 0);
        processing.recording_end = None;
        processing.status = Some("processing".into());
        let meeting = meeting(vec![processing, file(Some("s"), "MP4", (0, 3), 5000)]);

        let found = segments(&source(), &meeting);

        assert_eq!(found[0].status, status::PENDING_SOURCE);
        assert_eq!(
            found[0].duration_seconds, 3600,
            "the meeting's duration until Zoom is done"
        );
        assert_eq!(found[1].status, status::SKIPPED);
        assert_eq!(found[1].skip_reason.as_deref(), Some("blank"));
    }

    #[test]
    fn a_file_without_id_is_keyed_by_its_start() {
        let meeting = meeting(vec![file(None, "MP4", (5, 50), 5000)]);

        let found = segments(&source(), &meeting);

        assert_eq!(
            found[0].source_key,
            format!("/ab//cd==/{}", at(5).to_rfc3339())
        );
        assert_eq!(found[0].meta["file_id"], Value::Null);
    }

    #[test]
    fn webhook_fields_are_kept_so_the_fingerprint_stays_the_same() {
        let meeting = meeting(vec![file(Some("f1"), "MP4", (0, 50), 5000)]);
        let mut from_webhook = segments(&source(), &meeting).remove(0);
        from_webhook
            .meta
            .insert(DOWNLOAD_TOKEN_KEY.into(), json!("c2VhbGVk"));
        from_webhook
            .meta
            .insert(PROCESS_REQUESTED_KEY.into(), json!(true));
        let stored = Value::Object(from_webhook.meta.clone());
        let mut from_sync = segments(&source(), &meeting).remove(0);

        from_sync.keep_webhook_fields(&stored);

        assert_eq!(
            from_sync.into_discovered().fingerprint,
            from_webhook.into_discovered().fingerprint
        );
    }
}
