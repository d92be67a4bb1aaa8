//! Meetings and recording files as recflow uses them, parsed leniently from Zoom's JSON:
//! every file field may be missing, `recording_files` may be absent, and files still being
//! processed carry empty strings and a zero size.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

/// One recorded meeting instance, identified by its `uuid` (the numeric `id` is shared by
/// every instance of a recurring meeting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub uuid: String,
    pub id: i64,
    pub topic: String,
    pub start_time: DateTime<Utc>,
    pub duration_minutes: i64,
    /// Zoom sends `""` for "unknown"; that becomes `None`.
    pub timezone: Option<String>,
    pub total_size: i64,
    pub files: Vec<RecordingFile>,
}

/// One file of a meeting's cloud recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingFile {
    /// Unique per file; CC and TIMELINE entries may lack it.
    pub id: Option<String>,
    /// `MP4`, `M4A`, `TRANSCRIPT`, ... and `""` while processing.
    pub file_type: String,
    pub file_extension: String,
    pub file_size: i64,
    pub recording_start: Option<DateTime<Utc>>,
    pub recording_end: Option<DateTime<Utc>>,
    pub download_url: Option<String>,
    pub status: Option<String>,
    pub recording_type: Option<String>,
}

impl RecordingFile {
    /// Ready to download: completed, typed, and not empty.
    pub fn is_ready(&self) -> bool {
        self.status.as_deref() == Some("completed")
            && !self.file_type.is_empty()
            && self.file_size > 0
    }

    /// Whether this is an MP4 video file (ready or not).
    pub fn is_video(&self) -> bool {
        self.file_type.eq_ignore_ascii_case("MP4")
    }
}

impl Meeting {
    /// The MP4 segments of this meeting, ordered by start. A host who stops and restarts
    /// recording produces several segments of the same `recording_type`; each is kept and
    /// identified by its file `id`.
    pub fn video_segments(&self) -> Vec<&RecordingFile> {
        let mut segments: Vec<&RecordingFile> =
            self.files.iter().filter(|f| f.is_video()).collect();
        segments.sort_by(|a, b| (a.recording_start, &a.id).cmp(&(b.recording_start, &b.id)));
        segments
    }

    /// Files Zoom has not finished yet; a meeting with any of them should be looked at again.
    pub fn processing_files(&self) -> Vec<&RecordingFile> {
        self.files.iter().filter(|f| !f.is_ready()).collect()
    }

    /// Folds a newer sighting of the same meeting into this one: fields are taken from
    /// `newer`, files are merged by identity with the newer copy winning.
    pub(crate) fn absorb(&mut self, newer: Meeting) {
        let Meeting { files, .. } = &newer;
        let mut merged = std::mem::take(&mut self.files);
        for file in files {
            match merged.iter_mut().find(|known| same_file(known, file)) {
                Some(known) => *known = file.clone(),
                None => merged.push(file.clone()),
            }
        }
        *self = Meeting {
            files: merged,
            ..newer
        };
    }
}

/// Files are the same when their ids match; id-less files (CC, TIMELINE) by type and start.
fn same_file(a: &RecordingFile, b: &RecordingFile) -> bool {
    match (&a.id, &b.id) {
        (Some(x), Some(y)) => x == y,
        (None, None) => {
            (&a.file_type, &a.recording_type, a.recording_start)
                == (&b.file_type, &b.recording_type, b.recording_start)
        }
        _ => false,
    }
}

/// A meeting exactly as Zoom sends it, before checks.
#[derive(Debug, Deserialize)]
pub(crate) struct WireMeeting {
    #[serde(default)]
    uuid: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    id: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    topic: String,
    #[serde(default, deserialize_with = "lenient_string")]
    start_time: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    duration: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    timezone: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    total_size: i64,
    #[serde(default, deserialize_with = "lenient_files")]
    recording_files: Vec<WireFile>,
}

#[derive(Debug, Default, Deserialize)]
struct WireFile {
    #[serde(default, deserialize_with = "lenient_string")]
    id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    file_type: String,
    #[serde(default, deserialize_with = "lenient_string")]
    file_extension: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    file_size: i64,
    #[serde(default, deserialize_with = "lenient_string")]
    recording_start: String,
    #[serde(default, deserialize_with = "lenient_string")]
    recording_end: String,
    #[serde(default, deserialize_with = "lenient_string")]
    download_url: String,
    #[serde(default, deserialize_with = "lenient_string")]
    status: String,
    #[serde(default, deserialize_with = "lenient_string")]
    recording_type: String,
}

impl WireMeeting {
    /// The checked meeting, or why it cannot be used (no uuid, no parsable start time).
    pub(crate) fn into_meeting(self) -> Result<Meeting, &'static str> {
        if self.uuid.is_empty() {
            return Err("meeting without uuid");
        }
        let start_time =
            parse_time(&self.start_time).ok_or("meeting without a valid start_time")?;
        Ok(Meeting {
            uuid: self.uuid,
            id: self.id,
            topic: self.topic,
            start_time,
            duration_minutes: self.duration,
            timezone: non_empty(self.timezone),
            total_size: self.total_size,
            files: self
                .recording_files
                .into_iter()
                .map(WireFile::into_file)
                .collect(),
        })
    }
}

impl WireFile {
    fn into_file(self) -> RecordingFile {
        RecordingFile {
            id: non_empty(self.id),
            file_type: self.file_type,
            file_extension: self.file_extension,
            file_size: self.file_size,
            recording_start: parse_time(&self.recording_start),
            recording_end: parse_time(&self.recording_end),
            download_url: non_empty(self.download_url),
            status: non_empty(self.status),
            recording_type: non_empty(self.recording_type),
        }
    }
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Numbers that may arrive as integers, floats, numeric strings or `null` (then 0).
fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_any(LenientI64)
}

/// Strings that may be `null` (then empty) or, oddly, numbers.
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    deserializer.deserialize_any(LenientString)
}

struct LenientI64;

impl Visitor<'_> for LenientI64 {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a numeric string or null")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<i64, E> {
        Ok(i64::try_from(value).unwrap_or(i64::MAX))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<i64, E> {
        // Zoom sizes and durations fit well within f64's exact integer range.
        Ok(value as i64)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<i64, E> {
        Ok(value.trim().parse().unwrap_or(0))
    }

    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
}

struct LenientString;

impl Visitor<'_> for LenientString {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number or null")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
        Ok(value.to_owned())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<String, E> {
        Ok(value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<String, E> {
        Ok(value.to_string())
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

/// `recording_files` may be missing or `null`; both mean "no files".
fn lenient_files<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<WireFile>, D::Error> {
    Ok(Option::<Vec<WireFile>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_page(json: &str) -> Vec<Meeting> {
        #[derive(Deserialize)]
        struct Page {
            meetings: Vec<WireMeeting>,
        }
        let page: Page = serde_json::from_str(json).expect("fixture parses");
        page.meetings
            .into_iter()
            .map(|m| m.into_meeting().expect("fixture meeting"))
            .collect()
    }

    #[test]
    fn a_meeting_that_restarted_recording_keeps_both_mp4_segments() {
        let meetings = parse_page(include_str!(
            "../tests/fixtures/zoom-list-recordings-page1.json"
        ));

        let segments = meetings[0].video_segments();

        assert_eq!(segments.len(), 2);
        assert_eq!(
            segments[0].id.as_deref(),
            Some("a1a1a1a1-0000-4000-8000-000000000001")
        );
        assert_eq!(
            segments[1].id.as_deref(),
            Some("a1a1a1a1-0000-4000-8000-000000000004")
        );
        assert!(segments.iter().all(|s| s.is_ready()));
    }

    #[test]
    fn a_file_still_processing_is_not_ready_and_has_no_end() {
        let meetings = parse_page(include_str!(
            "../tests/fixtures/zoom-list-recordings-page2.json"
        ));

        let file = &meetings[0].files[0];

        assert!(!file.is_ready());
        assert_eq!(file.recording_end, None);
        assert_eq!(meetings[0].processing_files().len(), 1);
    }

    #[test]
    fn missing_recording_files_and_null_fields_parse_as_empty() {
        let json = r#"{"meetings":[{"uuid":"u1","id":"42","start_time":"2025-03-03T09:00:12Z",
            "timezone":"","duration":null},{"uuid":"u2","start_time":"2025-03-04T09:00:00Z",
            "recording_files":[{"file_type":"CC","file_size":1.0e3}]}]}"#;

        let meetings = parse_page(json);

        assert_eq!(meetings[0].id, 42);
        assert_eq!(meetings[0].timezone, None);
        assert!(meetings[0].files.is_empty());
        assert_eq!(meetings[1].files[0].id, None);
        assert_eq!(meetings[1].files[0].file_size, 1000);
        assert!(!meetings[1].files[0].is_ready());
    }

    #[test]
    fn a_meeting_without_uuid_or_start_time_is_refused() {
        let no_uuid: WireMeeting =
            serde_json::from_str(r#"{"start_time":"2025-03-03T09:00:12Z"}"#).expect("parses");
        let no_start: WireMeeting = serde_json::from_str(r#"{"uuid":"x"}"#).expect("parses");

        assert!(no_uuid.into_meeting().is_err());
        assert!(no_start.into_meeting().is_err());
    }

    #[test]
    fn absorbing_a_newer_sighting_merges_files_without_duplicates() {
        let mut meetings = parse_page(include_str!(
            "../tests/fixtures/zoom-list-recordings-page1.json"
        ));
        let mut first = meetings.remove(0);
        let mut newer = first.clone();
        newer.topic = "Renamed".into();
        newer.files.truncate(2);

        first.absorb(newer);

        assert_eq!(first.topic, "Renamed");
        assert_eq!(first.files.len(), 7);
    }
}
