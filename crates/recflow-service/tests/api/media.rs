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
