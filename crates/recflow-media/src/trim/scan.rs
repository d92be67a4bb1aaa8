//! Running `silencedetect` over the edges of a recording only.
//!
//! Only the leading and trailing silence matter, so a long recording is not decoded whole: a
//! window at each end is scanned, and a window that is silent throughout is scanned again four
//! times longer. A one-hour meeting with a few minutes of silence at each end costs two short
//! scans instead of an hour of audio decoding.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use crate::process;
use crate::trim::silence::{self, Head, Silence, Tail};
use crate::trim::{Error, TrimSettings};

/// The first window at each end; recordings up to twice this long are scanned in one pass.
pub(crate) const FIRST_WINDOW_SECONDS: f64 = 60.0;
/// How much longer the next window is when one is silent throughout.
const WINDOW_GROWTH: f64 = 4.0;

/// Fixed part of the ffmpeg deadline: start-up and a slow disk.
const BASE_TIMEOUT: Duration = Duration::from_secs(120);
/// Decoding audio runs far faster than real time; this much per media second is generous.
const SECONDS_PER_MEDIA_SECOND: f64 = 0.5;

/// Scans the edges of the file at `path`, `duration` seconds long.
pub(crate) async fn edges(
    path: &Path,
    duration: f64,
    settings: &TrimSettings,
    first_window: f64,
) -> Result<(Head, Tail), Error> {
    if duration <= 2.0 * first_window {
        let silences = silences_in(path, 0.0, duration, settings).await?;
        return Ok((
            silence::head(&silences, duration),
            silence::tail(&silences, duration),
        ));
    }

    // TODO: the head and tail scans run one after the other; side by side they would take
    // half the wall time where a core is free.
    let head = scan_head(path, duration, settings, first_window).await?;
    if head == Head::SilentThroughout {
        return Ok((head, Tail::SilentThroughout));
    }
    let tail = scan_tail(path, duration, settings, first_window).await?;
    Ok((head, tail))
}

async fn scan_head(
    path: &Path,
    duration: f64,
    settings: &TrimSettings,
    first_window: f64,
) -> Result<Head, Error> {
    let mut window = first_window;
    loop {
        let length = window.min(duration);
        let silences = silences_in(path, 0.0, length, settings).await?;
        match silence::head(&silences, length) {
            Head::SilentThroughout if length < duration => window *= WINDOW_GROWTH,
            found => return Ok(found),
        }
    }
}

async fn scan_tail(
    path: &Path,
    duration: f64,
    settings: &TrimSettings,
    first_window: f64,
) -> Result<Tail, Error> {
    let mut window = first_window;
    loop {
        let length = window.min(duration);
        let offset = duration - length;
        let silences = silences_in(path, offset, length, settings).await?;
        match silence::tail(&silences, length) {
            Tail::SilentThroughout if length < duration => window *= WINDOW_GROWTH,
            Tail::SilenceFrom(start) => return Ok(Tail::SilenceFrom(offset + start)),
            found => return Ok(found),
        }
    }
}

/// The silences in `offset .. offset + length` seconds, with times counted from `offset`.
async fn silences_in(
    path: &Path,
    offset: f64,
    length: f64,
    settings: &TrimSettings,
) -> Result<Vec<Silence>, Error> {
    let filter = format!(
        "silencedetect=noise={}dB:d={}",
        settings.silence_threshold_db, settings.min_silence_seconds
    );
    let mut args: Vec<OsString> = vec!["-hide_banner".into(), "-nostdin".into(), "-nostats".into()];
    // Input options: a seek (accurate, since audio is decoded, not copied) and a read length
    // (one reaching past the end is harmless).
    if offset > 0.0 {
        args.extend(["-ss".into(), format!("{offset:.3}").into()]);
    }
    args.extend(["-t".into(), format!("{length:.3}").into()]);
    args.extend(["-i".into(), path.as_os_str().to_owned()]);
    // Only the first audio stream is decoded: video would cost far more than audio.
    // TODO: a file whose speech is on a second audio track is judged by its first one.
    let rest = ["-map", "0:a:0", "-vn", "-af", &filter, "-f", "null", "-"];
    args.extend(rest.map(OsString::from));

    let timeout = BASE_TIMEOUT + Duration::from_secs_f64(length * SECONDS_PER_MEDIA_SECOND);
    let output = process::run("ffmpeg", &args, timeout).await?;
    Ok(silence::parse(&output.stderr))
}
