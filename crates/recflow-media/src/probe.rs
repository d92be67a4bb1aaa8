//! What a media file contains, read from ffprobe's JSON.
//!
//! Only headers are read here; decoding (silence detection) belongs to `trim`.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::process;

/// ffprobe reads headers only; a minute is generous even on a slow disk.
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a file could not be probed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// ffprobe could not run, or could not read the file (corrupt, not media).
    #[error(transparent)]
    Tool(#[from] process::Error),
    /// ffprobe printed something that is not the JSON it promises.
    #[error("ffprobe printed output that is not understood")]
    Output(#[source] serde_json::Error),
}

impl Error {
    /// Whether probing again later may succeed (only when ffprobe could not run in time).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Tool(error) => error.is_retryable(),
            Error::Output(_) => false,
        }
    }
}

/// The facts recflow needs about a media file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    /// The container's duration, or the longest stream's; 0 when neither is known.
    pub duration_seconds: f64,
    pub has_audio: bool,
    pub has_video: bool,
    /// ffprobe's demuxer names, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub format_name: String,
    /// ffprobe's codec name of the first audio stream, e.g. `aac`.
    pub audio_codec: Option<String>,
    /// ffprobe's codec name of the first video stream, e.g. `h264`.
    pub video_codec: Option<String>,
}

#[derive(Deserialize)]
struct ProbeOutput {
    format: Option<ProbeFormat>,
    #[serde(default)]
    streams: Vec<ProbeStream>,
}

#[derive(Deserialize)]
struct ProbeFormat {
    duration: Option<String>,
    format_name: Option<String>,
}

#[derive(Deserialize)]
struct ProbeStream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    duration: Option<String>,
    #[serde(default)]
    disposition: ProbeDisposition,
}

#[derive(Deserialize, Default)]
struct ProbeDisposition {
    #[serde(default)]
    attached_pic: u8,
}

/// Probes `path` with ffprobe.
///
/// # Errors
/// [`Error::Tool`] when ffprobe is missing, too slow, or rejects the file (its stderr tail is
/// kept); [`Error::Output`] when its JSON cannot be read.
#[tracing::instrument(skip_all, fields(media.path = %path.display()), err)]
pub async fn probe(path: &Path) -> Result<MediaInfo, Error> {
    let args = [
        "-v".as_ref(),
        "error".as_ref(),
        "-print_format".as_ref(),
        "json".as_ref(),
        "-show_format".as_ref(),
        "-show_streams".as_ref(),
        path.as_os_str(),
    ];
    let output = process::run("ffprobe", args, PROBE_TIMEOUT).await?;
    parse(&output.stdout)
}

/// Reads ffprobe's `-show_format -show_streams` JSON.
fn parse(json: &[u8]) -> Result<MediaInfo, Error> {
    let output: ProbeOutput = serde_json::from_slice(json).map_err(Error::Output)?;

    // A cover image inside an audio file is a "video" stream that is not a video.
    let first_codec = |kind: &str| {
        output
            .streams
            .iter()
            .filter(|s| s.codec_type.as_deref() == Some(kind) && s.disposition.attached_pic == 0)
            .map(|s| s.codec_name.clone().unwrap_or_default())
            .next()
    };
    let audio_codec = first_codec("audio");
    let video_codec = first_codec("video");

    let format_duration = output.format.as_ref().and_then(|f| seconds(&f.duration));
    let longest_stream = output
        .streams
        .iter()
        .filter_map(|s| seconds(&s.duration))
        .fold(None, |longest: Option<f64>, d| {
            Some(longest.map_or(d, |l| l.max(d)))
        });

    Ok(MediaInfo {
        duration_seconds: format_duration.or(longest_stream).unwrap_or(0.0),
        has_audio: audio_codec.is_some(),
        has_video: video_codec.is_some(),
        format_name: output
            .format
            .and_then(|f| f.format_name)
            .unwrap_or_default(),
        audio_codec,
        video_codec,
    })
}

/// ffprobe prints durations as decimal strings, or `N/A`.
fn seconds(value: &Option<String>) -> Option<f64> {
    value
        .as_deref()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codecs_and_duration_of_a_typical_recording() {
        let json = br#"{
            "streams": [
                {"codec_type": "video", "codec_name": "h264", "duration": "61.0"},
                {"codec_type": "audio", "codec_name": "aac", "duration": "61.02"}
            ],
            "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "61.024"}
        }"#;

        let info = parse(json).unwrap();

        assert_eq!(info.duration_seconds, 61.024);
        assert_eq!(info.video_codec.as_deref(), Some("h264"));
        assert_eq!(info.audio_codec.as_deref(), Some("aac"));
        assert!(info.has_audio && info.has_video);
        assert_eq!(info.format_name, "mov,mp4,m4a,3gp,3g2,mj2");
    }

    #[test]
    fn a_cover_image_is_not_a_video_stream() {
        let json = br#"{
            "streams": [
                {"codec_type": "audio", "codec_name": "aac"},
                {"codec_type": "video", "codec_name": "mjpeg", "disposition": {"attached_pic": 1}}
            ],
            "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "5.0"}
        }"#;

        let info = parse(json).unwrap();

        assert!(!info.has_video);
        assert_eq!(info.video_codec, None);
    }

    #[test]
    fn missing_container_duration_falls_back_to_the_longest_stream() {
        let json = br#"{
            "streams": [
                {"codec_type": "audio", "codec_name": "opus", "duration": "12.5"},
                {"codec_type": "video", "codec_name": "vp9", "duration": "N/A"}
            ],
            "format": {"format_name": "matroska,webm", "duration": "N/A"}
        }"#;

        assert_eq!(parse(json).unwrap().duration_seconds, 12.5);
    }

    #[test]
    fn output_that_is_not_json_is_a_fatal_error() {
        let error = parse(b"not json").unwrap_err();

        assert!(!error.is_retryable());
    }
}
