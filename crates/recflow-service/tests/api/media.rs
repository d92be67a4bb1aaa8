//! Real media for tests, generated with ffmpeg.

use std::path::Path;
use std::process::Command;

/// Writes an MP4 of `seconds` with a tone (video + audio).
pub fn tone_mp4(path: &Path, seconds: u32) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("media dir");
    }
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("color=c=blue:s=64x48:r=10:d={seconds}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=440:duration={seconds}"))
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            "-shortest",
        ])
        .arg(path)
        .status()
        .expect("ffmpeg runs (install it: apt-get install ffmpeg)");
    assert!(status.success(), "ffmpeg failed for {}", path.display());
}

/// Writes an MP4 whose audio is `head` seconds of silence, `tone` seconds of a tone and
/// `tail` seconds of silence.
pub fn speech_with_silence(path: &Path, head: u32, tone: u32, tail: u32) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("media dir");
    }
    let total = head + tone + tail;
    let status = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("color=c=black:s=64x48:r=10:d={total}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=300:duration={tone}"))
        .arg("-filter_complex")
        .arg(format!(
            "[1:a]adelay={head}s:all=1,apad=whole_dur={total}[a]"
        ))
        .args([
            "-map",
            "0:v",
            "-map",
            "[a]",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "10",
        ])
        .args(["-c:a", "aac", "-shortest"])
        .arg(path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg failed for {}", path.display());
}

/// The duration of a media file, read with ffprobe.
pub fn duration(path: &Path) -> f64 {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a duration")
}
