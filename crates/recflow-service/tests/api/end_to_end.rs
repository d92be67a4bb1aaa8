//! The main job end to end, in one process: a scheduled automation job syncs the fake Zoom,
//! matches a real recording, downloads it with a bearer token through Zoom's redirect, trims
//! it with ffmpeg and publishes it to the fake YouTube playlist, the fake VK album and a
//! folder, exactly once each; its dry run only reads from Zoom and writes nothing.

use recflow_fakes::vk::FakeVk;
use recflow_fakes::youtube::FakeYoutube;
use recflow_fakes::{FakeFile, FakeMeeting, FakeZoom, Media};
use recflow_service::pipeline::worker::PipelineWorker;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::automation_setup::{Setup, setup_with};
use crate::helpers::dump_database;
use crate::media::{duration, speech_with_silence};

const ZOOM_ACCOUNT: &str = "acct-e2e";
const ZOOM_CLIENT: &str = "zoom-client";
const ZOOM_SECRET: &str = "zoom-client-secret";
const GOOGLE_CLIENT: &str = "google-client";
const GOOGLE_SECRET: &str = "google-secret";
const GOOGLE_REFRESH: &str = "google-refresh-token";
const PLAYLIST: &str = "PLe2e00000000000000000000000000000";
const VK_TOKEN: &str = "vk1.a.e2e-user-token";
const VK_USER: i64 = 7_770_001;
const VK_ALBUM: i64 = 9;

struct World {
    s: Setup,
    zoom: FakeZoom,
    youtube: FakeYoutube,
    vk: FakeVk,
}

async fn world() -> World {
    let zoom = FakeZoom::start().await;
    zoom.add_s2s_credentials(ZOOM_ACCOUNT, ZOOM_CLIENT, ZOOM_SECRET);
    let youtube = FakeYoutube::start().await;
    youtube.add_credentials(GOOGLE_CLIENT, GOOGLE_SECRET, GOOGLE_REFRESH);
    youtube.add_playlist(PLAYLIST);
    let vk = FakeVk::start().await;
    vk.add_user_token(VK_TOKEN, VK_USER);
    vk.add_album(VK_USER, VK_ALBUM);
    let urls = (
        zoom.base_url(),
        zoom.api_url(),
        youtube.oauth_url(),
        youtube.api_url(),
        youtube.upload_url(),
    );
    let vk_host = vk.api_url().trim_end_matches("/method").to_owned();
    let s = setup_with("2025-06-01T00:00:00Z", move |c| {
        (
            c.zoom_oauth_url,
            c.zoom_api_url,
            c.google_oauth_url,
            c.youtube_api_url,
            c.youtube_upload_url,
        ) = urls;
        c.vk_api_url = vk_host;
        c.youtube_chunk_bytes = 256 * 1024;
        // The fakes' download host and CDN listen on loopback.
        c.allowed_download_hosts = vec!["127.0.0.1".to_owned()];
    })
    .await;
    World {
        s,
        zoom,
        youtube,
        vk,
    }
}

impl World {
    async fn post(&self, path: &str, body: Value) -> Value {
        let answer = self.s.app.post(path, &self.s.token, body).await;
        assert!(answer.status.is_success(), "{path}: {}", answer.body);
        answer.body
    }

    async fn credential(&self, kind: &str, secrets: Value) -> Value {
        self.post(
            "/api/v1/credentials",
            json!({"name": kind, "kind": kind, "secrets": secrets}),
        )
        .await["id"]
            .clone()
    }

    /// A Zoom source, three presets, a template trimming and publishing algebra lectures, and
    /// a daily job on the Zoom source. Returns the job id.
    async fn configure(&self) -> String {
        let zoom = self.credential("zoom_s2s", json!({"account_id": ZOOM_ACCOUNT, "client_id": ZOOM_CLIENT, "client_secret": ZOOM_SECRET})).await;
        let source = self
            .post(
                "/api/v1/input-sources",
                json!({"name": "Zoom", "type": "zoom", "credential_id": zoom,
            "min_duration_seconds": 10, "min_size_bytes": 1000}),
            )
            .await;
        let google = self.credential("google", json!({"client_id": GOOGLE_CLIENT, "client_secret": GOOGLE_SECRET, "refresh_token": GOOGLE_REFRESH})).await;
        let vk = self
            .credential("vk", json!({"access_token": VK_TOKEN}))
            .await;
        let presets = [
            self.post(
                "/api/v1/output-presets",
                json!({"name": "YouTube", "platform": "youtube", "credential_id": google,
                "settings": {"playlist_id": PLAYLIST}}),
            )
            .await["id"]
                .clone(),
            self.post(
                "/api/v1/output-presets",
                json!({"name": "VK", "platform": "vk", "credential_id": vk,
                "settings": {"album_id": VK_ALBUM}}),
            )
            .await["id"]
                .clone(),
            self.post(
                "/api/v1/output-presets",
                json!({"name": "Archive", "platform": "local_folder",
                "settings": {"path": "archive", "file_name_template": "{{ title }}"}}),
            )
            .await["id"]
                .clone(),
        ];
        self.post(
            "/api/v1/templates",
            json!({"name": "Algebra", "matching_rules": {"keywords": ["algebra"]},
            "processing": {"trim": {"padding_before_seconds": 1, "padding_after_seconds": 1}},
            "metadata": {"title_template": "{{ title }} — {{ start | date }}"},
            "output_preset_ids": presets}),
        )
        .await;
        let job = self
            .post(
                "/api/v1/automation/jobs",
                json!({"name": "Publish lectures", "source_id": source["id"],
            "schedule": {"type": "time_of_day", "time": "06:00", "timezone": "UTC"}}),
            )
            .await;
        job["id"].as_str().expect("job").to_owned()
    }
}

#[tokio::test]
async fn a_scheduled_job_publishes_a_zoom_recording_to_every_target_exactly_once() {
    let w = world().await;
    let now = chrono::Utc::now();
    w.s.clock.set(now);
    let media = w.s.root.path().join("lecture.mp4");
    speech_with_silence(&media, 8, 10, 8);
    let start = now - chrono::Duration::hours(3);
    w.zoom.add_meeting(
        FakeMeeting::new("Algebra lecture", start)
            .duration_minutes(1)
            .file(
                FakeFile::mp4(Media::File(media.clone()))
                    .between(start, start + chrono::Duration::seconds(26)),
            ),
    );
    w.zoom.add_meeting(
        FakeMeeting::new("Staff meeting", start)
            .duration_minutes(1)
            .file(
                FakeFile::mp4(Media::File(media.clone()))
                    .between(start, start + chrono::Duration::seconds(26)),
            ),
    );
    let job_id = w.configure().await;

    let before = dump_database(&w.s.app.database_url).await;
    let preview = w
        .post(
            &format!("/api/v1/automation/jobs/{job_id}/run?dry_run=true"),
            json!({}),
        )
        .await;
    let after = dump_database(&w.s.app.database_url).await;
    let zoom_calls: Vec<String> = w
        .zoom
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();

    let slot = (now + chrono::Duration::days(1))
        .date_naive()
        .and_hms_opt(6, 0, 0)
        .expect("slot")
        .and_utc();
    w.s.clock.set(slot + chrono::Duration::milliseconds(300));
    let fired = w.s.scheduler().tick().await.expect("tick");
    w.s.worker()
        .work_once()
        .await
        .expect("run")
        .expect("the slot's run");
    let stages = PipelineWorker::new(w.s.app.state.clone());
    let mut worked = 0;
    while stages.work_once().await.expect("stage").is_some() {
        worked += 1;
    }
    let recordings = w.s.app.get("/api/v1/recordings", &w.s.token).await;
    let lecture = recordings.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["title"] == "Algebra lecture")
        .expect("lecture")
        .clone();
    let runs =
        w.s.app
            .get(
                &format!("/api/v1/automation/jobs/{job_id}/runs"),
                &w.s.token,
            )
            .await;
    let rerun =
        w.s.app
            .post(
                &format!(
                    "/api/v1/recordings/{}/run",
                    lecture["id"].as_str().expect("id")
                ),
                &w.s.token,
                json!({}),
            )
            .await;

    assert!(before == after, "the dry run wrote to the database");
    assert!(
        zoom_calls
            .iter()
            .all(|c| c.starts_with("GET ") || c.starts_with("POST /oauth/token")),
        "{zoom_calls:?}"
    );
    assert_eq!(preview["estimated_new_recordings"], 2);
    assert_eq!(preview["estimated_matched_recordings"], 1);
    assert_eq!(fired.fired, 1);
    let run = &runs.body["items"][0];
    assert_eq!(run["trigger"], "schedule");
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["counts"]["listed"], 2);
    assert_eq!(run["counts"]["matched"], 1);
    assert_eq!(run["counts"]["pipelines_started"], 1);
    assert_eq!(worked, 5, "download, trim and three uploads");
    assert_eq!(lecture["status"], "READY", "{lecture}");
    let targets = lecture["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 3);
    assert!(
        targets.iter().all(|t| t["status"] == "uploaded"),
        "{targets:?}"
    );
    assert_eq!(w.youtube.videos_created(), 1);
    assert_eq!(w.youtube.playlist_items(PLAYLIST).len(), 1);
    assert_eq!(w.vk.videos().len(), 1);
    assert_eq!(w.vk.album_videos(VK_USER, VK_ALBUM).len(), 1);
    let archived =
        w.s.app
            .data_dir
            .path()
            .join("outputs")
            .join("archive")
            .join("Algebra lecture.mp4");
    let trimmed = duration(&archived);
    assert!(
        trimmed < 20.0,
        "26 s trimmed to about 12 s (keyframes allowing), got {trimmed}"
    );
    assert_eq!(
        rerun.status,
        StatusCode::CONFLICT,
        "nothing is published twice: {}",
        rerun.body
    );
    assert_eq!(w.youtube.videos_created(), 1);
}
