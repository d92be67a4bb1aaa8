//! Trimming the silent start and end of a recording: [`detect`] finds what to keep with
//! ffmpeg's `silencedetect`, [`apply`] cuts it out by stream copy (never a re-encode).
//!
//! Cut accuracy: with stream copy a cut can only begin on a video keyframe, so ffmpeg starts
//! the output at the keyframe at or before the planned start (`-ss` before `-i`, which also
//! makes the seek fast) and `-avoid_negative_ts make_zero` makes that frame time zero. The
//! output therefore keeps up to one keyframe interval more than planned and never loses
//! audible content; the end is cut at the packet boundary. Audio-only files cut exactly.

mod container;
mod cut;
mod scan;
mod silence;

use std::path::{Path, PathBuf};

use crate::probe;
use crate::process;

pub use container::Container;
pub use cut::apply;

/// Why trimming failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The settings cannot describe a silence (e.g. a positive threshold).
    #[error("invalid trim settings: {0}")]
    InvalidSettings(&'static str),
    /// ffprobe could not read the file; a corrupt file lands here with ffprobe's stderr tail.
    #[error("cannot read the recording")]
    Probe(#[from] probe::Error),
    /// ffmpeg failed while detecting silence or cutting.
    #[error("ffmpeg could not process the recording")]
    Tool(#[from] process::Error),
    /// There is nothing to publish: every second is below the silence threshold.
    #[error("the recording is entirely silent")]
    EntirelySilent,
    /// The cut could not be written or renamed into place.
    #[error("cannot write the trimmed file {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether trying again later may succeed; bad media and silent recordings never will.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::InvalidSettings(_) | Error::EntirelySilent => false,
            Error::Probe(error) => error.is_retryable(),
            Error::Tool(error) => error.is_retryable(),
            Error::Io { .. } => true,
        }
    }

    /// ffmpeg's or ffprobe's last words, for showing next to the failure.
    pub fn stderr_tail(&self) -> Option<&str> {
        match self {
            Error::Probe(probe::Error::Tool(error)) | Error::Tool(error) => error.stderr_tail(),
            _ => None,
        }
    }
}

/// How silence is recognised and how much of it is kept around the audible part.
#[derive(Debug, Clone, PartialEq)]
pub struct TrimSettings {
    /// Audio below this level (dBFS, negative) counts as silence.
    pub silence_threshold_db: f64,
    /// Quieter stretches shorter than this are pauses, not silence.
    pub min_silence_seconds: f64,
    /// Silence kept before the first audible second.
    pub padding_before_seconds: f64,
    /// Silence kept after the last audible second.
    pub padding_after_seconds: f64,
}

impl Default for TrimSettings {
    fn default() -> Self {
        Self {
            silence_threshold_db: -40.0,
            min_silence_seconds: 2.0,
            padding_before_seconds: 5.0,
            padding_after_seconds: 5.0,
        }
    }
}

/// What [`detect`] decided.
#[derive(Debug, Clone, PartialEq)]
pub enum TrimPlan {
    /// Publish the file as it is.
    Keep { reason: KeepReason },
    /// Publish only `start_seconds..end_seconds` (seconds from the start of the file),
    /// written into `container`, which holds the file's codecs as they are.
    Cut {
        start_seconds: f64,
        end_seconds: f64,
        container: Container,
    },
    /// Every second is silent; see [`Error::EntirelySilent`].
    AllSilent,
}

/// Why a file is kept whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepReason {
    /// No silence at the start or the end.
    NoSilence,
    /// The silence at the edges fits inside the padding, or cutting it gains under a second.
    NothingWorthCutting,
    /// There is no audio track, so silence cannot be judged.
    NoAudio,
    /// ffprobe reports no duration, so the end of the file cannot be placed.
    UnknownDuration,
}

impl TrimSettings {
    fn validate(&self) -> Result<(), Error> {
        let finite = [
            self.silence_threshold_db,
            self.min_silence_seconds,
            self.padding_before_seconds,
            self.padding_after_seconds,
        ]
        .iter()
        .all(|v| v.is_finite());
        if !finite {
            return Err(Error::InvalidSettings(
                "every value must be a finite number",
            ));
        }
        if self.silence_threshold_db > 0.0 {
            return Err(Error::InvalidSettings(
                "the silence threshold must be at most 0 dB",
            ));
        }
        if self.min_silence_seconds <= 0.0 {
            return Err(Error::InvalidSettings(
                "the minimum silence must be positive",
            ));
        }
        if self.padding_before_seconds < 0.0 || self.padding_after_seconds < 0.0 {
            return Err(Error::InvalidSettings("padding cannot be negative"));
        }
        Ok(())
    }
}

/// Finds the leading and trailing silence of `path` and plans what to keep.
///
/// Only the edges are decoded (a window at each end, widened while it is silent throughout),
/// so the cost grows with the length of the silence, not of the recording.
///
/// # Errors
/// [`Error::InvalidSettings`] for impossible settings, [`Error::Probe`] when the file cannot be
/// read (a corrupt file, fatal, with ffprobe's stderr tail), [`Error::Tool`] when ffmpeg fails
/// or times out.
#[tracing::instrument(skip_all, fields(media.path = %path.display()), err)]
pub async fn detect(path: &Path, settings: &TrimSettings) -> Result<TrimPlan, Error> {
    detect_with_window(path, settings, scan::FIRST_WINDOW_SECONDS).await
}

/// [`detect`] with the first scanning window given, so tests can make windows grow.
async fn detect_with_window(
    path: &Path,
    settings: &TrimSettings,
    first_window: f64,
) -> Result<TrimPlan, Error> {
    settings.validate()?;
    let info = probe::probe(path).await?;
    if !info.has_audio {
        return Ok(TrimPlan::Keep {
            reason: KeepReason::NoAudio,
        });
    }
    if info.duration_seconds <= 0.0 {
        return Ok(TrimPlan::Keep {
            reason: KeepReason::UnknownDuration,
        });
    }

    let (head, tail) = scan::edges(path, info.duration_seconds, settings, first_window).await?;
    let container = Container::for_media(&info);
    let plan = silence::plan(head, tail, info.duration_seconds, container, settings);
    tracing::debug!(?head, ?tail, ?plan, "silence detected");
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_template_defaults() {
        let settings = TrimSettings::default();

        assert_eq!(settings.silence_threshold_db, -40.0);
        assert_eq!(settings.min_silence_seconds, 2.0);
        assert_eq!(settings.padding_before_seconds, 5.0);
        assert_eq!(settings.padding_after_seconds, 5.0);
    }

    #[test]
    fn impossible_settings_are_refused() {
        let positive = TrimSettings {
            silence_threshold_db: 3.0,
            ..TrimSettings::default()
        };
        let zero_length = TrimSettings {
            min_silence_seconds: 0.0,
            ..TrimSettings::default()
        };
        let nan = TrimSettings {
            padding_after_seconds: f64::NAN,
            ..TrimSettings::default()
        };

        for settings in [positive, zero_length, nan] {
            assert!(matches!(
                settings.validate(),
                Err(Error::InvalidSettings(_))
            ));
        }
    }

    /// 60 s of AAC: a tone with `volume_filter` applied.
    fn sixty_seconds_of_audio(dir: &Path, volume_filter: &str) -> PathBuf {
        let path = dir.join("sixty.m4a");
        let status = std::process::Command::new("ffmpeg")
            .args([
                "-hide_banner",
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-f",
                "lavfi",
            ])
            .args(["-i", "sine=frequency=440:sample_rate=48000:duration=60"])
            .args(["-af", volume_filter, "-c:a", "aac"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
        path
    }

    fn unpadded() -> TrimSettings {
        TrimSettings {
            padding_before_seconds: 0.0,
            padding_after_seconds: 0.0,
            ..TrimSettings::default()
        }
    }

    #[tokio::test]
    async fn growing_edge_windows_find_what_one_whole_pass_finds() {
        let dir = tempfile::tempdir().unwrap();
        let path =
            sixty_seconds_of_audio(dir.path(), "volume=enable='lt(t,20)+gte(t,45)':volume=0");

        let windowed = detect_with_window(&path, &unpadded(), 3.0).await.unwrap();
        let whole = detect_with_window(&path, &unpadded(), 1000.0)
            .await
            .unwrap();

        let bounds = |plan: &TrimPlan| match *plan {
            TrimPlan::Cut {
                start_seconds,
                end_seconds,
                ..
            } => (start_seconds, end_seconds),
            ref other => panic!("expected a cut, got {other:?}"),
        };
        let ((start, end), (whole_start, whole_end)) = (bounds(&windowed), bounds(&whole));
        assert!(
            (start - 20.0).abs() < 0.1 && (end - 45.0).abs() < 0.1,
            "{windowed:?}"
        );
        assert!((start - whole_start).abs() < 0.05 && (end - whole_end).abs() < 0.05);
    }

    #[tokio::test]
    async fn growing_windows_over_a_silent_recording_find_it_all_silent() {
        let dir = tempfile::tempdir().unwrap();
        let path = sixty_seconds_of_audio(dir.path(), "volume=0");

        let plan = detect_with_window(&path, &unpadded(), 3.0).await.unwrap();

        assert_eq!(plan, TrimPlan::AllSilent);
    }
}
