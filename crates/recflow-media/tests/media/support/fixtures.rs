//! Media files generated with ffmpeg for each test, small enough to make in well under a second.
//!
//! Video is 25 fps with a keyframe every [`KEYFRAME_INTERVAL_SECONDS`], the most a stream-copied
//! cut may keep beyond its planned start. ffmpeg argument lists are left unformatted so that
//! each line reads as one input or one output setting.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds between keyframes in generated video (`-g 50` at 25 fps).
pub const KEYFRAME_INTERVAL_SECONDS: f64 = 2.0;

/// 24 s of video with a 440 Hz tone from 8 s to 18 s: 8 s of leading and 6 s of trailing
/// silence around 10 s of tone. H.264 + AAC in MP4, like a Zoom recording.
#[rustfmt::skip]
pub fn tone_with_silent_edges(dir: &Path) -> PathBuf {
    let path = dir.join("edges.mp4");
    let (video, tone) = (video(24), tone(24));
    ffmpeg(&[
        "-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &tone, "-af", SILENT_EDGES,
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-shortest",
        path_str(&path),
    ]);
    path
}

/// The same silent edges, audio only (AAC in M4A, like Zoom's audio file).
#[rustfmt::skip]
pub fn audio_with_silent_edges(dir: &Path) -> PathBuf {
    let path = dir.join("edges.m4a");
    let tone = tone(24);
    ffmpeg(&["-f", "lavfi", "-i", &tone, "-af", SILENT_EDGES, "-c:a", "aac", path_str(&path)]);
    path
}

/// The same silent edges with PCM audio, which MP4 cannot hold, in Matroska.
#[rustfmt::skip]
pub fn pcm_with_silent_edges(dir: &Path) -> PathBuf {
    let path = dir.join("edges-pcm.mkv");
    let (video, tone) = (video(24), tone(24));
    ffmpeg(&[
        "-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &tone, "-af", SILENT_EDGES,
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "pcm_s16le", "-shortest",
        path_str(&path),
    ]);
    path
}

/// 12 s of video whose audio track is digital silence.
#[rustfmt::skip]
pub fn all_silence(dir: &Path) -> PathBuf {
    let path = dir.join("silent.mp4");
    let video = video(12);
    ffmpeg(&[
        "-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", "anullsrc=sample_rate=48000",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-t", "12",
        path_str(&path),
    ]);
    path
}

/// 6 s of video with no audio track at all.
#[rustfmt::skip]
pub fn video_without_audio(dir: &Path) -> PathBuf {
    let path = dir.join("mute.mp4");
    let video = video(6);
    ffmpeg(&[
        "-f", "lavfi", "-i", &video, "-c:v", "libx264", "-preset", "ultrafast",
        path_str(&path),
    ]);
    path
}

/// 10 s of video with a tone all the way through.
#[rustfmt::skip]
pub fn no_silence(dir: &Path) -> PathBuf {
    let path = dir.join("tone.mp4");
    let (video, tone) = (video(10), tone(10));
    ffmpeg(&[
        "-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &tone,
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac", "-shortest",
        path_str(&path),
    ]);
    path
}

/// 64 KiB of pseudo-random bytes under a name that promises MP4.
pub fn corrupt(dir: &Path) -> PathBuf {
    let path = dir.join("corrupt.mp4");
    std::fs::write(&path, pseudo_random_bytes(64 * 1024, 0x5eed)).expect("temp dir is writable");
    path
}

/// Deterministic noise (xorshift64), so a failure can be reproduced byte for byte.
pub fn pseudo_random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Silence before 8 s and from 18 s on.
const SILENT_EDGES: &str = "volume=enable='lt(t,8)+gte(t,18)':volume=0";

fn video(seconds: u32) -> String {
    format!("testsrc=size=160x120:rate=25:duration={seconds}")
}

fn tone(seconds: u32) -> String {
    format!("sine=frequency=440:sample_rate=48000:duration={seconds}")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

fn ffmpeg(args: &[&str]) {
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed");
    assert!(
        output.status.success(),
        "ffmpeg could not make a fixture: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
