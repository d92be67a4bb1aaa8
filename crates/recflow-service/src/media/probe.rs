//! What a media file contains, read with ffprobe.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::media::process;

/// ffprobe reads headers only; a minute is generous even on slow disks.
const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// Why a file could not be probed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Tool(#[from] process::Error),
    #[error("ffprobe gave output that is not understood")]
    Output(#[source] serde_json::Error),
}

/// The facts recflow needs about a media file.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaInfo {
    pub duration_seconds: f64,
    pub has_audio: bool,
    pub has_video: bool,
    pub format_name: String,
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
}

/// Probes `path`.
///
/// # Errors
/// When ffprobe cannot read the file (corrupt, not media) or is missing.
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
    let stdout = process::run("ffprobe", args, PROBE_TIMEOUT).await?;
    let output: ProbeOutput = serde_json::from_slice(&stdout).map_err(Error::Output)?;
    let format = output.format;
    let has = |kind: &str| {
        output
            .streams
            .iter()
            .any(|s| s.codec_type.as_deref() == Some(kind))
    };
    Ok(MediaInfo {
        duration_seconds: format
            .as_ref()
            .and_then(|f| f.duration.as_deref())
            .and_then(|d| d.parse().ok())
            .unwrap_or(0.0),
        has_audio: has("audio"),
        has_video: has("video"),
        format_name: format.and_then(|f| f.format_name).unwrap_or_default(),
    })
}
