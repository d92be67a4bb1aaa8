//! Silence detection and stream-copied cuts on generated media.

use std::path::Path;

use recflow_media::probe::{MediaInfo, probe};
use recflow_media::trim::{Container, Error, KeepReason, TrimPlan, TrimSettings, apply, detect};

use crate::support::fixtures::{self, KEYFRAME_INTERVAL_SECONDS};

/// How far ffmpeg's reported edges may stray from the fixture's: AAC frames are ~21 ms and
/// silencedetect reports where the level crosses the threshold.
const EDGE_SLACK: f64 = 0.1;

fn unpadded() -> TrimSettings {
    TrimSettings {
        padding_before_seconds: 0.0,
        padding_after_seconds: 0.0,
        ..TrimSettings::default()
    }
}

fn cut_bounds(plan: &TrimPlan) -> (f64, f64) {
    match *plan {
        TrimPlan::Cut {
            start_seconds,
            end_seconds,
            ..
        } => (start_seconds, end_seconds),
        ref other => panic!("expected a cut, got {other:?}"),
    }
}

/// Asserts a stream-copied cut of `planned` seconds: never shorter, and longer by at most
/// one keyframe interval (the start snaps back to a keyframe).
fn assert_cut_duration(info: &MediaInfo, planned: f64, snap: f64) {
    let actual = info.duration_seconds;
    assert!(
        actual >= planned - EDGE_SLACK && actual <= planned + snap + EDGE_SLACK,
        "planned {planned} s (+ up to {snap} s of keyframe snap), got {actual} s"
    );
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn silent_edges_are_cut_down_to_the_tone_plus_padding() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::tone_with_silent_edges(dir.path());
    let out_dir = tempfile::tempdir().unwrap();

    let plan = detect(&input, &TrimSettings::default()).await.unwrap();
    let output = apply(&input, &out_dir.path().join("trimmed.mkv"), &plan)
        .await
        .unwrap();

    let (start, end) = cut_bounds(&plan);
    assert!((start - 3.0).abs() < EDGE_SLACK, "start {start}");
    assert!((end - 23.0).abs() < EDGE_SLACK, "end {end}");
    assert_eq!(
        output,
        out_dir.path().join("trimmed.mp4"),
        "h264 + aac stays MP4"
    );
    assert_eq!(
        entries(out_dir.path()),
        ["trimmed.mp4"],
        "no temporary file is left"
    );
    let info = probe(&output).await.unwrap();
    assert_cut_duration(&info, end - start, KEYFRAME_INTERVAL_SECONDS);
    assert_eq!(info.video_codec.as_deref(), Some("h264"));
    assert_eq!(info.audio_codec.as_deref(), Some("aac"));
}

#[tokio::test]
async fn without_padding_only_the_tone_is_left_and_it_starts_audible() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::tone_with_silent_edges(dir.path());

    let plan = detect(&input, &unpadded()).await.unwrap();
    let output = apply(&input, &dir.path().join("tight.mp4"), &plan)
        .await
        .unwrap();

    let (start, end) = cut_bounds(&plan);
    assert_cut_duration(
        &probe(&output).await.unwrap(),
        end - start,
        KEYFRAME_INTERVAL_SECONDS,
    );
    let again = detect(&output, &unpadded()).await.unwrap();
    assert!(
        matches!(again, TrimPlan::Keep { .. }),
        "the cut still has silent edges: {again:?}"
    );
}

#[tokio::test]
async fn audio_only_recordings_are_cut_exactly_into_m4a() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::audio_with_silent_edges(dir.path());

    let plan = detect(&input, &TrimSettings::default()).await.unwrap();
    let output = apply(&input, &dir.path().join("audio-out.mp4"), &plan)
        .await
        .unwrap();

    let (start, end) = cut_bounds(&plan);
    assert_eq!(output.extension().unwrap(), "m4a");
    let info = probe(&output).await.unwrap();
    assert!(!info.has_video);
    assert_cut_duration(&info, end - start, 0.0);
}

#[tokio::test]
async fn codecs_mp4_cannot_hold_are_cut_into_matroska() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::pcm_with_silent_edges(dir.path());

    let plan = detect(&input, &TrimSettings::default()).await.unwrap();
    let output = apply(&input, &dir.path().join("pcm-out.mp4"), &plan)
        .await
        .unwrap();

    let (start, end) = cut_bounds(&plan);
    assert_eq!(output.extension().unwrap(), "mkv");
    let info = probe(&output).await.unwrap();
    assert!(
        info.format_name.contains("matroska"),
        "{}",
        info.format_name
    );
    assert_eq!(info.audio_codec.as_deref(), Some("pcm_s16le"));
    assert_cut_duration(&info, end - start, KEYFRAME_INTERVAL_SECONDS);
}

#[tokio::test]
async fn an_entirely_silent_recording_is_reported_not_published() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::all_silence(dir.path());

    let plan = detect(&input, &TrimSettings::default()).await.unwrap();
    let error = apply(&input, &dir.path().join("out.mp4"), &plan)
        .await
        .unwrap_err();

    assert_eq!(plan, TrimPlan::AllSilent);
    assert!(matches!(error, Error::EntirelySilent));
    assert_eq!(error.to_string(), "the recording is entirely silent");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn video_without_audio_is_kept_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::video_without_audio(dir.path());

    let plan = detect(&input, &TrimSettings::default()).await.unwrap();
    let output = apply(&input, &dir.path().join("out.mp4"), &plan)
        .await
        .unwrap();

    assert_eq!(
        plan,
        TrimPlan::Keep {
            reason: KeepReason::NoAudio
        }
    );
    assert_eq!(output, input);
    assert!(!dir.path().join("out.mp4").exists());
}

#[tokio::test]
async fn a_recording_without_silence_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::no_silence(dir.path());

    let plan = detect(&input, &TrimSettings::default()).await.unwrap();

    assert_eq!(
        plan,
        TrimPlan::Keep {
            reason: KeepReason::NoSilence
        }
    );
}

#[tokio::test]
async fn a_corrupt_file_fails_fatally_with_the_tool_s_stderr_tail() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::corrupt(dir.path());

    let error = detect(&input, &TrimSettings::default()).await.unwrap_err();

    assert!(!error.is_retryable());
    let tail = error
        .stderr_tail()
        .expect("the failure keeps ffprobe's stderr");
    assert!(tail.contains("moov atom not found"), "{tail}");
}

#[tokio::test]
async fn cutting_a_corrupt_file_fails_fatally_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixtures::corrupt(dir.path());
    let out_dir = tempfile::tempdir().unwrap();
    let plan = TrimPlan::Cut {
        start_seconds: 1.0,
        end_seconds: 2.0,
        container: Container::Mp4,
    };

    let error = apply(&input, &out_dir.path().join("out.mp4"), &plan)
        .await
        .unwrap_err();

    assert!(!error.is_retryable());
    assert!(error.stderr_tail().is_some());
    assert!(entries(out_dir.path()).is_empty());
}
