//! Reading a local folder of recordings: Zoom's local-recording layout
//! (`YYYY-MM-DD HH.MM.SS Topic MEETINGID/` holding `video*.mp4`, `zoom_0.mp4` or, without a
//! video, `audio*.m4a`) and loose media files. Paths never leave the configured root: names
//! with `..` or absolute paths are refused and symbolic links are not followed.

use std::path::{Component, Path, PathBuf};
use std::time::UNIX_EPOCH;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Why a folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error(
        "the local sources root does not exist (RECFLOW_LOCAL_SOURCES_ROOT, by default \
         <data-dir>/sources); ask an admin"
    )]
    NoRoot,
    #[error("must be a relative path inside the local sources root, without `..`")]
    Escapes,
    #[error("is not a directory inside the local sources root")]
    NotADirectory,
}

/// One media file as seen in one scan.
#[derive(Debug, Clone, PartialEq)]
pub struct FileObservation {
    /// Path relative to the source folder; the recording's source key.
    pub rel_path: String,
    pub size: u64,
    pub mtime_ns: i64,
    pub topic: String,
    pub start: DateTime<Utc>,
    pub meeting_id: Option<String>,
}

/// Resolves a source's folder inside `root`.
///
/// # Errors
/// `PathError` when there is no root, the path escapes it or is not a directory.
pub fn resolve(root: Option<&Path>, relative: &str) -> Result<PathBuf, PathError> {
    let root = root.ok_or(PathError::NoRoot)?;
    let relative = Path::new(relative);
    let plain = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain {
        return Err(PathError::Escapes);
    }
    let root = root.canonicalize().map_err(|_| PathError::NoRoot)?;
    let folder = root
        .join(relative)
        .canonicalize()
        .map_err(|_| PathError::NotADirectory)?;
    // canonicalize resolved any symbolic link; what it points to must still be inside.
    if !folder.starts_with(&root) {
        return Err(PathError::Escapes);
    }
    if !folder.is_dir() {
        return Err(PathError::NotADirectory);
    }
    Ok(folder)
}

/// Lists the media files of `folder`, reading dates in Zoom folder names in `zone`.
///
/// # Errors
/// When the folder cannot be read.
pub fn scan(folder: &Path, zone: Tz) -> std::io::Result<Vec<FileObservation>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_dir() {
            let meeting = parse_zoom_folder_name(&name, zone);
            scan_meeting_folder(&entry.path(), &name, meeting, &mut found)?;
        } else if kind.is_file() && is_media(&name) {
            found.push(observe(
                &entry.path(),
                name.clone(),
                stem(&name),
                None,
                None,
            )?);
        }
    }
    found.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(found)
}

fn scan_meeting_folder(
    dir: &Path,
    dir_name: &str,
    meeting: Option<(DateTime<Utc>, String, Option<String>)>,
    found: &mut Vec<FileObservation>,
) -> std::io::Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let videos: Vec<&String> = names.iter().filter(|n| is_zoom_video(n)).collect();
    let chosen: Vec<&String> = if videos.is_empty() {
        names
            .iter()
            .filter(|n| n.starts_with("audio") && n.ends_with(".m4a"))
            .collect()
    } else {
        videos
    };
    let (start, topic, meeting_id) = match meeting {
        Some((start, topic, id)) => (Some(start), topic, id),
        None => (None, dir_name.to_owned(), None),
    };
    for name in chosen {
        let rel = format!("{dir_name}/{name}");
        found.push(observe(
            &dir.join(name),
            rel,
            topic.clone(),
            start,
            meeting_id.clone(),
        )?);
    }
    Ok(())
}

fn observe(
    path: &Path,
    rel_path: String,
    topic: String,
    start: Option<DateTime<Utc>>,
    meeting_id: Option<String>,
) -> std::io::Result<FileObservation> {
    let meta = std::fs::symlink_metadata(path)?;
    let modified = meta.modified()?;
    let mtime_ns = modified
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    Ok(FileObservation {
        rel_path,
        size: meta.len(),
        mtime_ns,
        topic,
        start: start.unwrap_or_else(|| DateTime::<Utc>::from(modified)),
        meeting_id,
    })
}

fn is_media(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".mp4", ".m4a", ".mov", ".mkv", ".webm"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

fn is_zoom_video(name: &str) -> bool {
    name.ends_with(".mp4") && (name.starts_with("video") || name.starts_with("zoom_"))
}

fn stem(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map_or_else(|| name.to_owned(), |s| s.to_string_lossy().into_owned())
}

/// `2026-12-01 09.30.12 Weekly Standup 81234567890` → start, topic, meeting id.
fn parse_zoom_folder_name(name: &str, zone: Tz) -> Option<(DateTime<Utc>, String, Option<String>)> {
    let stamp = name.get(..19)?;
    let rest = name.get(19..)?.trim();
    let local = NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H.%M.%S").ok()?;
    let start = zone
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })?
        .with_timezone(&Utc);
    let (topic, meeting_id) = match rest.rsplit_once(' ') {
        Some((topic, id)) if id.len() >= 9 && id.chars().all(|c| c.is_ascii_digit()) => {
            (topic.trim().to_owned(), Some(id.to_owned()))
        }
        _ => (rest.to_owned(), None),
    };
    Some((
        start,
        if topic.is_empty() {
            name.to_owned()
        } else {
            topic
        },
        meeting_id,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_folder_names_give_start_topic_and_meeting_id() {
        let zone: Tz = "Europe/Berlin".parse().expect("zone");

        let parsed = parse_zoom_folder_name("2026-12-01 09.30.12 Weekly Standup 81234567890", zone);

        let (start, topic, id) = parsed.expect("parsed");
        assert_eq!(start.to_rfc3339(), "2026-12-01T08:30:12+00:00");
        assert_eq!(topic, "Weekly Standup");
        assert_eq!(id.as_deref(), Some("81234567890"));
        assert!(parse_zoom_folder_name("holiday photos", zone).is_none());
    }

    #[test]
    fn folders_outside_the_root_are_refused() {
        let root = tempfile::tempdir().expect("root");
        let outside = tempfile::tempdir().expect("outside");
        std::fs::create_dir(root.path().join("lectures")).expect("dir");
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).expect("link");

        assert!(resolve(Some(root.path()), "lectures").is_ok());
        assert!(matches!(
            resolve(Some(root.path()), "../x"),
            Err(PathError::Escapes)
        ));
        assert!(matches!(
            resolve(Some(root.path()), "/etc"),
            Err(PathError::Escapes)
        ));
        assert!(matches!(
            resolve(Some(root.path()), "link"),
            Err(PathError::Escapes)
        ));
        assert!(matches!(
            resolve(Some(root.path()), "missing"),
            Err(PathError::NotADirectory)
        ));
        assert!(matches!(resolve(None, "lectures"), Err(PathError::NoRoot)));
    }

    #[test]
    fn scan_takes_zoom_videos_or_else_audio_and_loose_files() {
        let dir = tempfile::tempdir().expect("dir");
        let with_video = dir.path().join("2026-12-01 09.30.12 Standup 81234567890");
        let audio_only = dir.path().join("2026-12-02 10.00.00 Call 81234567891");
        std::fs::create_dir(&with_video).expect("d");
        std::fs::create_dir(&audio_only).expect("d");
        for (path, name) in [
            (&with_video, "video1.mp4"),
            (&with_video, "video2.mp4"),
            (&with_video, "audio1.m4a"),
            (&with_video, "chat.txt"),
            (&audio_only, "audio1.m4a"),
        ] {
            std::fs::write(path.join(name), b"x").expect("w");
        }
        std::fs::write(dir.path().join("talk.mp4"), b"xy").expect("w");
        std::fs::write(dir.path().join("notes.txt"), b"x").expect("w");

        let found = scan(dir.path(), Tz::UTC).expect("scan");

        let keys: Vec<_> = found.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(
            keys,
            [
                "2026-12-01 09.30.12 Standup 81234567890/video1.mp4",
                "2026-12-01 09.30.12 Standup 81234567890/video2.mp4",
                "2026-12-02 10.00.00 Call 81234567891/audio1.m4a",
                "talk.mp4",
            ]
        );
        assert_eq!(found[3].topic, "talk");
        assert_eq!(found[3].size, 2);
    }
}
