//! ffprobe on generated media.

use recflow_media::probe::probe;

use crate::support::fixtures;

#[tokio::test]
async fn a_zoom_like_recording_reports_its_codecs_and_duration() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures::tone_with_silent_edges(dir.path());

    let info = probe(&path).await.unwrap();

    assert!((info.duration_seconds - 24.0).abs() < 0.1, "{info:?}");
    assert!(info.has_audio && info.has_video);
    assert_eq!(info.video_codec.as_deref(), Some("h264"));
    assert_eq!(info.audio_codec.as_deref(), Some("aac"));
    assert!(info.format_name.contains("mp4"));
}

#[tokio::test]
async fn video_without_audio_has_no_audio_codec() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures::video_without_audio(dir.path());

    let info = probe(&path).await.unwrap();

    assert!(!info.has_audio);
    assert_eq!(info.audio_codec, None);
}

#[tokio::test]
async fn a_corrupt_file_is_a_fatal_error_with_ffprobe_s_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixtures::corrupt(dir.path());

    let error = probe(&path).await.unwrap_err();

    assert!(!error.is_retryable());
    let recflow_media::probe::Error::Tool(tool) = &error else {
        panic!("expected a tool failure, got {error:?}");
    };
    assert!(
        tool.stderr_tail().unwrap().contains("Invalid data"),
        "{tool}"
    );
}
