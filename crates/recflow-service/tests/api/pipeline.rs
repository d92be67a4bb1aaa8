//! The recording pipeline on real media: download (from a folder), trim with ffmpeg, publish
//! to a folder; exactly one start under concurrent triggers; clear failures.

use recflow_service::pipeline::worker::PipelineWorker;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::automation_setup::{Setup, setup};
use crate::media::{duration, speech_with_silence};

/// A folder with one algebra lecture (12 s silence, 10 s tone, 12 s silence), a template
/// that trims it and publishes it to `outputs/lectures`, and a job; the lecture is synced
/// until ready and matched.
async fn lecture_ready(s: &Setup) -> (String, String) {
    s.clock.set(chrono::Utc::now());
    let stamp = (chrono::Utc::now() - chrono::Duration::hours(2)).format("%Y-%m-%d %H.%M.%S");
    let file = s
        .folder()
        .join(format!("{stamp} Algebra lecture 81234567890"))
        .join("video1.mp4");
    speech_with_silence(&file, 12, 10, 12);
    let preset = s
        .app
        .post(
            "/api/v1/output-presets",
            &s.token,
            json!({"name": "Archive", "platform": "local_folder",
        "settings": {"path": "lectures", "file_name_template": "{{ title }} {{ start | date }}"}}),
        )
        .await;
    assert_eq!(preset.status, StatusCode::CREATED, "{}", preset.body);
    let template = s
        .app
        .post(
            "/api/v1/templates",
            &s.token,
            json!({"name": "Algebra",
        "matching_rules": {"keywords": ["algebra"]},
        "processing": {"trim": {"padding_before_seconds": 1, "padding_after_seconds": 1}},
        "output_preset_ids": [preset.body["id"]]}),
        )
        .await;
    assert_eq!(template.status, StatusCode::CREATED, "{}", template.body);
    let job = s
        .create_job(json!({"type": "time_of_day", "time": "06:00"}), json!({}))
        .await;
    let job_id = job.body["id"].as_str().expect("id").to_owned();
    for _ in 0..2 {
        s.app
            .post(
                &format!("/api/v1/automation/jobs/{job_id}/run"),
                &s.token,
                json!({}),
            )
            .await;
        s.worker().work_once().await.expect("run");
        s.clock.advance(chrono::Duration::seconds(1));
    }
    let recordings = s.app.get("/api/v1/recordings", &s.token).await;
    let id = recordings.body["items"][0]["id"]
        .as_str()
        .expect("recording")
        .to_owned();
    (job_id, id)
}

async fn work_all(s: &Setup) -> usize {
    let worker = PipelineWorker::new(s.app.state.clone());
    let mut stages = 0;
    while worker.work_once().await.expect("stage").is_some() {
        stages += 1;
    }
    stages
}

async fn recording(s: &Setup, id: &str) -> Value {
    s.app
        .get(&format!("/api/v1/recordings/{id}"), &s.token)
        .await
        .body
}

#[tokio::test]
async fn a_matched_recording_is_trimmed_and_published_once() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let (job_id, id) = lecture_ready(&s).await;

    let stages = work_all(&s).await;
    let done = recording(&s, &id).await;
    let runs = s
        .app
        .get(&format!("/api/v1/automation/jobs/{job_id}/runs"), &s.token)
        .await;
    let again = s
        .app
        .post(&format!("/api/v1/recordings/{id}/run"), &s.token, json!({}))
        .await;

    assert_eq!(stages, 3, "download, trim, upload");
    assert_eq!(done["status"], "READY", "{done}");
    assert!(done["failure"].is_null());
    let target = &done["targets"][0];
    assert_eq!(target["status"], "uploaded");
    let published = std::path::PathBuf::from(target["platform_video_id"].as_str().expect("path"));
    assert!(
        published.starts_with(s.app.data_dir.path().join("outputs").join("lectures")),
        "{}",
        published.display()
    );
    assert!(
        published
            .file_name()
            .expect("name")
            .to_string_lossy()
            .starts_with("Algebra lecture 20")
    );
    let trimmed = duration(&published);
    assert!(
        (10.0..=15.5).contains(&trimmed),
        "34 s trimmed to about 12 s, got {trimmed}"
    );
    assert_eq!(runs.body["items"][0]["counts"]["pipelines_started"], 1);
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "nothing left to do: {}",
        again.body
    );
    assert_eq!(work_all(&s).await, 0);
}

#[tokio::test]
async fn concurrent_triggers_start_a_pipeline_once() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let (_, id) = lecture_ready(&s).await;
    // The job's second run started the pipeline: every further trigger must find it in flight.

    let attempts = (0..10).map(|_| {
        let (client, url, token) = (
            s.app.client.clone(),
            s.app.url(&format!("/api/v1/recordings/{id}/run")),
            s.token.clone(),
        );
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await
                .expect("sent")
                .status()
        }
    });
    let statuses = futures::future::join_all(attempts).await;

    assert!(
        statuses.iter().all(|s| *s == StatusCode::CONFLICT),
        "already in flight: {statuses:?}"
    );
    assert_eq!(work_all(&s).await, 3, "one pipeline: three stages");
}

#[tokio::test]
async fn corrupt_media_fails_the_trim_with_a_clear_reason() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let (_, id) = lecture_ready(&s).await;
    let worker = PipelineWorker::new(s.app.state.clone());
    worker.work_once().await.expect("download");
    let media = s
        .app
        .data_dir
        .path()
        .join("media")
        .join(&id)
        .join("source.mp4");
    std::fs::write(&media, vec![0x42u8; 50_000]).expect("corrupt it");

    worker.work_once().await.expect("trim");
    let failed = recording(&s, &id).await;

    assert_eq!(
        failed["status"], "DOWNLOADED",
        "the last stable status stays"
    );
    assert_eq!(failed["failure"]["stage"], "trim");
    assert!(
        failed["failure"]["reason"]
            .as_str()
            .unwrap_or_default()
            .len()
            > 10,
        "{failed}"
    );
    assert!(
        failed["failure"]["retry_at"].is_null(),
        "bad media is not retried"
    );
    assert_eq!(work_all(&s).await, 0);
}

#[tokio::test]
async fn an_unwritable_output_folder_fails_the_upload_and_a_rerun_resumes_there() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let (_, id) = lecture_ready(&s).await;
    let outputs = s.app.data_dir.path().join("outputs");
    std::fs::create_dir_all(&outputs).expect("outputs");
    std::fs::write(
        outputs.join("lectures"),
        b"a file where the folder should be",
    )
    .expect("block");

    work_all(&s).await;
    let failed = recording(&s, &id).await;
    std::fs::remove_file(outputs.join("lectures")).expect("unblock");
    let rerun = s
        .app
        .post(&format!("/api/v1/recordings/{id}/run"), &s.token, json!({}))
        .await;
    let stages = work_all(&s).await;
    let done = recording(&s, &id).await;

    assert_eq!(failed["status"], "PROCESSED", "{failed}");
    assert_eq!(failed["failure"]["stage"], "upload");
    assert_eq!(failed["targets"][0]["status"], "failed");
    assert!(failed["targets"][0]["error"].is_string());
    assert_eq!(rerun.body["state"], "resumed", "{}", rerun.body);
    assert_eq!(stages, 1, "only the failed upload runs again");
    assert_eq!(done["status"], "READY");
}
