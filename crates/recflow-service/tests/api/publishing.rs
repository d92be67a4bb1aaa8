//! Publishing to YouTube and VK through the real pipeline: real generated media, real HTTP
//! against the fake platforms, and the failures they inject. What matters throughout is that
//! a recording ends as exactly one video with all its bytes, or as a failure that says why.

use std::time::Duration;

use recflow_fakes::{FakeVk, FakeYoutube, VkFault, YoutubeFault};
use recflow_service::pipeline::stages;
use recflow_service::pipeline::worker::PipelineWorker;
use recflow_store::Target;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::automation_setup::{Setup, setup_with};

const CLIENT_ID: &str = "client-1.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "client-secret-1";
const REFRESH_TOKEN: &str = "1//refresh-token-1";
const PLAYLIST: &str = "PLalgebra0000000000000000000000000";
const VK_TOKEN: &str = "vk1.a.user-token-1";
const VK_USER: i64 = 5_550_001;
const VK_ALBUM: i64 = 42;
/// The smallest chunk YouTube accepts, so the test media (about 0.9 MB) takes several.
const CHUNK: u64 = 256 * 1024;
/// The pipeline's stage lease (`worker.rs`), plus a second.
const LEASE_EXPIRED: chrono::Duration = chrono::Duration::seconds(121);

/// An account with a folder source, and both fake platforms the service is pointed at.
struct Platforms {
    s: Setup,
    youtube: FakeYoutube,
    vk: FakeVk,
}

async fn platforms() -> Platforms {
    let youtube = FakeYoutube::start().await;
    youtube.add_credentials(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
    youtube.add_playlist(PLAYLIST);
    let vk = FakeVk::start().await;
    vk.add_user_token(VK_TOKEN, VK_USER);
    vk.add_album(VK_USER, VK_ALBUM);
    let (oauth, api, upload) = (youtube.oauth_url(), youtube.api_url(), youtube.upload_url());
    let vk_host = vk.api_url().trim_end_matches("/method").to_owned();
    let s = setup_with("2025-06-01T00:00:00Z", move |c| {
        c.google_oauth_url = oauth;
        c.youtube_api_url = api;
        c.youtube_upload_url = upload;
        c.youtube_chunk_bytes = CHUNK;
        c.vk_api_url = vk_host;
    })
    .await;
    Platforms { s, youtube, vk }
}

impl Platforms {
    async fn credential(&self, kind: &str, secrets: Value) -> Value {
        let body = json!({"name": format!("{kind} account"), "kind": kind, "secrets": secrets});
        let answer = self
            .s
            .app
            .post("/api/v1/credentials", &self.s.token, body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["id"].clone()
    }

    async fn preset(&self, platform: &str, credential: Value, settings: Value) -> Value {
        let body = json!({"name": format!("{platform} preset"), "platform": platform,
            "credential_id": credential, "settings": settings});
        let answer = self
            .s
            .app
            .post("/api/v1/output-presets", &self.s.token, body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.body["id"].clone()
    }

    /// A YouTube preset publishing unlisted into [`PLAYLIST`].
    async fn youtube_preset(&self) -> Value {
        let secrets = json!({"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "refresh_token": REFRESH_TOKEN});
        let credential = self.credential("google", secrets).await;
        let settings = json!({"playlist_id": PLAYLIST, "tags": ["algebra", "lecture"],
            "privacy": "unlisted"});
        self.preset("youtube", credential, settings).await
    }

    /// A VK preset publishing to the user's page, into [`VK_ALBUM`].
    async fn vk_preset(&self) -> Value {
        let credential = self
            .credential("vk", json!({"access_token": VK_TOKEN}))
            .await;
        let settings = json!({"album_id": VK_ALBUM, "privacy_view": "only_me"});
        self.preset("vk", credential, settings).await
    }

    /// One algebra lecture of real media in the source folder, a template publishing it with
    /// `preset` (no trimming, titles and descriptions from templates), synced and matched.
    async fn lecture_ready(&self, preset: Value) -> String {
        let s = &self.s;
        s.clock.set(chrono::Utc::now());
        let stamp = (chrono::Utc::now() - chrono::Duration::hours(2)).format("%Y-%m-%d %H.%M.%S");
        let file = s
            .folder()
            .join(format!("{stamp} Algebra lecture 81234567890"))
            .join("video1.mp4");
        noisy_lecture(&file, 6);
        let template = json!({"name": "Algebra", "matching_rules": {"keywords": ["algebra"]},
            "processing": {"trim": {"enabled": false}},
            "metadata": {"title_template": "{{ title }} ({{ start | date }})",
                "description_template": "Recorded from {{ source_name }}."},
            "output_preset_ids": [preset]});
        let answer = s.app.post("/api/v1/templates", &s.token, template).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let job = s
            .create_job(json!({"type": "time_of_day", "time": "06:00"}), json!({}))
            .await;
        let run = format!(
            "/api/v1/automation/jobs/{}/run",
            job.body["id"].as_str().expect("id")
        );
        // The first sync sees the file, the second finds it stable and matches it.
        for _ in 0..2 {
            s.app.post(&run, &s.token, json!({})).await;
            s.worker().work_once().await.expect("sync run");
            s.clock.advance(chrono::Duration::seconds(1));
        }
        let recordings = s.app.get("/api/v1/recordings", &s.token).await;
        recordings.body["items"][0]["id"]
            .as_str()
            .expect("a synced recording")
            .to_owned()
    }

    /// Works every stage that is due; returns how many ran.
    async fn work_all(&self) -> usize {
        work_all_with(&PipelineWorker::new(self.s.app.state.clone())).await
    }

    async fn recording(&self, id: &str) -> Value {
        let path = format!("/api/v1/recordings/{id}");
        self.s.app.get(&path, &self.s.token).await.body
    }

    /// The target row as stored, with what the API does not show (the upload session).
    async fn stored_target(&self, id: &str) -> Target {
        let recording_id: Uuid = id.parse().expect("uuid");
        let targets = self.s.app.state.store.targets(recording_id).await;
        targets.expect("targets").remove(0)
    }

    /// The bytes the pipeline published: the downloaded source (trimming is off).
    fn media(&self, id: &str) -> Vec<u8> {
        let path = self
            .s
            .app
            .data_dir
            .path()
            .join("media")
            .join(id)
            .join("source.mp4");
        std::fs::read(path).expect("downloaded media")
    }
}

async fn work_all_with(worker: &PipelineWorker) -> usize {
    let mut stages = 0;
    while worker.work_once().await.expect("stage").is_some() {
        stages += 1;
    }
    stages
}

/// An MP4 of `seconds` with a noisy picture (so it is large enough for several chunks) and a
/// tone.
fn noisy_lecture(path: &std::path::Path, seconds: u32) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("media dir");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("color=c=gray:s=160x120:r=10:d={seconds}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=300:duration={seconds}"))
        .args([
            "-vf",
            "noise=alls=60:allf=t",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ])
        .args(["-c:a", "aac", "-shortest"])
        .arg(path)
        .status()
        .expect("ffmpeg runs (install it: apt-get install ffmpeg)");
    assert!(status.success(), "ffmpeg failed for {}", path.display());
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_matched_recording_is_uploaded_to_youtube_once_and_added_to_the_playlist() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;

    let stages = p.work_all().await;
    let done = p.recording(&id).await;
    let stored = p.stored_target(&id).await;

    assert_eq!(stages, 3, "download, trim, upload");
    assert_eq!(done["status"], "READY", "{done}");
    let target = &done["targets"][0];
    assert_eq!(target["status"], "uploaded", "{target}");
    let videos = p.youtube.videos();
    assert_eq!(videos.len(), 1, "exactly one video");
    let video = &videos[0];
    assert_eq!(target["platform_video_id"], video.id.as_str());
    assert_eq!(
        text(&target["url"]),
        format!("https://www.youtube.com/watch?v={}", video.id)
    );
    let title = text(&video.resource["snippet"]["title"]);
    assert!(title.starts_with("Algebra lecture (20"), "{title}");
    assert_eq!(
        video.resource["snippet"]["description"],
        "Recorded from Lectures."
    );
    assert_eq!(
        video.resource["snippet"]["tags"],
        json!(["algebra", "lecture"])
    );
    assert_eq!(video.resource["status"]["privacyStatus"], "unlisted");
    assert_eq!(video.content, p.media(&id), "every byte, in order");
    assert!(p.youtube.chunk_requests() >= 3, "sent in 256 KiB chunks");
    assert_eq!(p.youtube.playlist_items(PLAYLIST), vec![video.id.clone()]);
    assert_eq!(
        stored.upload_session, None,
        "the session is forgotten once published"
    );
}

#[tokio::test]
async fn a_503_in_the_middle_of_an_upload_is_resumed_from_what_youtube_holds() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    p.youtube.fail_after(1, 1, YoutubeFault::ServerError(503));

    p.work_all().await;
    let done = p.recording(&id).await;

    assert_eq!(done["status"], "READY", "{done}");
    assert_eq!(
        p.youtube.sessions_started(),
        1,
        "the same session is resumed"
    );
    assert!(
        p.youtube.status_queries() >= 1,
        "it asked what was persisted"
    );
    let videos = p.youtube.videos();
    assert_eq!(videos.len(), 1);
    assert_eq!(videos[0].content, p.media(&id));
}

#[tokio::test]
async fn bytes_youtube_did_not_persist_are_sent_again() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    p.youtube
        .fail_after(1, 1, YoutubeFault::PersistFewer(100_000));

    p.work_all().await;
    let done = p.recording(&id).await;

    assert_eq!(done["status"], "READY", "{done}");
    let videos = p.youtube.videos();
    assert_eq!(videos.len(), 1);
    assert_eq!(
        videos[0].content,
        p.media(&id),
        "no gap where bytes were dropped"
    );
    let file_size = p.media(&id).len() as u64;
    assert!(
        p.youtube.bytes_received() > file_size,
        "the dropped bytes were resent"
    );
}

#[tokio::test]
async fn an_expired_upload_session_is_replaced_by_a_new_one() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    p.youtube.fail_after(1, 1, YoutubeFault::ExpireSession);

    p.work_all().await;
    let done = p.recording(&id).await;

    assert_eq!(done["status"], "READY", "{done}");
    assert_eq!(p.youtube.sessions_started(), 2);
    let videos = p.youtube.videos();
    assert_eq!(videos.len(), 1, "the dead session never became a video");
    assert_eq!(videos[0].content, p.media(&id));
}

#[tokio::test]
async fn an_exhausted_youtube_quota_is_a_final_failure_that_says_when_it_resets() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    p.youtube.fail_next(1, YoutubeFault::QuotaExceeded);

    p.work_all().await;
    let failed = p.recording(&id).await;

    assert_eq!(failed["status"], "PROCESSED", "{failed}");
    assert_eq!(failed["failure"]["stage"], "upload");
    assert!(
        failed["failure"]["retry_at"].is_null(),
        "not retried: {failed}"
    );
    let reason = text(&failed["failure"]["reason"]);
    assert!(
        reason.contains("quota") && reason.contains("midnight Pacific"),
        "{reason}"
    );
    assert_eq!(failed["targets"][0]["status"], "failed");
    assert_eq!(failed["targets"][0]["error"], failed["failure"]["reason"]);
    assert_eq!(p.youtube.videos_created(), 0);
}

#[tokio::test]
async fn a_channel_over_its_upload_limit_fails_finally_and_says_when_to_retry() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    p.youtube.fail_next(1, YoutubeFault::UploadLimitExceeded);

    p.work_all().await;
    let failed = p.recording(&id).await;

    assert!(failed["failure"]["retry_at"].is_null(), "{failed}");
    let reason = text(&failed["failure"]["reason"]);
    assert!(
        reason.contains("upload limit") && reason.contains("24 hours"),
        "{reason}"
    );
    assert_eq!(failed["targets"][0]["status"], "failed");
    assert_eq!(p.youtube.videos_created(), 0);
    assert_eq!(p.work_all().await, 0, "nothing is retried");
}

#[tokio::test]
async fn a_revoked_google_account_fails_with_a_request_to_reconnect_it() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    p.youtube.revoke_refresh_token(REFRESH_TOKEN);

    p.work_all().await;
    let failed = p.recording(&id).await;

    assert!(failed["failure"]["retry_at"].is_null(), "{failed}");
    let reason = text(&failed["failure"]["reason"]);
    assert!(reason.contains("reconnect"), "{reason}");
    assert!(
        reason.contains("google account"),
        "names the credential: {reason}"
    );
    for secret in [REFRESH_TOKEN, CLIENT_SECRET] {
        assert!(!reason.contains(secret), "{reason}");
    }
    assert_eq!(p.youtube.sessions_started(), 0);
}

#[tokio::test]
async fn a_worker_killed_mid_upload_is_taken_over_and_its_session_resumed() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    let first = PipelineWorker::new(p.s.app.state.clone());
    first.work_once().await.expect("download");
    first.work_once().await.expect("trim");
    // The first chunk fails, so the worker is backing off when it is killed.
    p.youtube.fail_next(1, YoutubeFault::ServerError(503));

    tokio::select! {
        _ = first.work_once() => panic!("the upload was meant to be interrupted"),
        () = first_chunk_refused(&p.youtube) => {}
    }
    let orphaned = p.stored_target(&id).await;
    p.s.clock.advance(LEASE_EXPIRED);
    let second = PipelineWorker::new(p.s.app.state.clone());
    let stages = work_all_with(&second).await;
    let done = p.recording(&id).await;

    assert!(
        orphaned.upload_session.is_some(),
        "the session URI was saved first"
    );
    assert_eq!(orphaned.status, "uploading");
    assert_eq!(stages, 1, "the orphaned upload stage was taken over");
    assert_eq!(done["status"], "READY", "{done}");
    assert_eq!(
        p.youtube.sessions_started(),
        1,
        "the saved session was resumed"
    );
    let videos = p.youtube.videos();
    assert_eq!(videos.len(), 1);
    assert_eq!(videos[0].content, p.media(&id));
}

/// Resolves once YouTube has refused a data chunk.
async fn first_chunk_refused(youtube: &FakeYoutube) {
    let refused = || {
        youtube
            .requests()
            .iter()
            .any(|r| r.status == 503 && r.content_range.is_some())
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !refused() {
        assert!(tokio::time::Instant::now() < deadline, "no chunk was sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_target_that_has_a_video_is_never_uploaded_again() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    let state = &p.s.app.state;
    let worker = PipelineWorker::new(state.clone());
    worker.work_once().await.expect("download");
    worker.work_once().await.expect("trim");

    // A worker uploads, then dies before it can mark its stage done.
    let now = p.s.clock.now_utc();
    let stage = state
        .store
        .claim_stage("doomed-worker", now, now + chrono::Duration::seconds(120))
        .await
        .expect("claim")
        .expect("the upload stage");
    stages::execute(state, &stage).await.expect("uploaded");
    p.s.clock.advance(LEASE_EXPIRED);
    let taken_over = p.work_all().await;
    let done = p.recording(&id).await;
    let rerun =
        p.s.app
            .post(
                &format!("/api/v1/recordings/{id}/run"),
                &p.s.token,
                json!({}),
            )
            .await;
    let after_rerun = p.work_all().await;

    assert_eq!(taken_over, 1);
    assert_eq!(done["status"], "READY", "{done}");
    assert_eq!(rerun.status, StatusCode::CONFLICT, "{}", rerun.body);
    assert_eq!(after_rerun, 0);
    assert_eq!(p.youtube.videos_created(), 1);
    assert_eq!(p.youtube.sessions_started(), 1);
    assert_eq!(p.youtube.playlist_items(PLAYLIST).len(), 1);
}

#[tokio::test]
async fn a_video_youtube_is_still_processing_joins_the_playlist_on_a_later_attempt() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset).await;
    p.youtube.keep_videos_processing(true);

    p.work_all().await;
    let waiting = p.recording(&id).await;
    let video_id = p.youtube.videos()[0].id.clone();
    p.youtube.finish_processing(&video_id);
    p.s.clock.advance(chrono::Duration::minutes(2));
    let retried = p.work_all().await;
    let done = p.recording(&id).await;

    assert!(waiting["failure"]["retry_at"].is_string(), "{waiting}");
    let error = text(&waiting["targets"][0]["error"]);
    assert!(
        error.contains("uploaded") && error.contains(&video_id),
        "{error}"
    );
    assert!(error.contains("playlist"), "{error}");
    assert_eq!(retried, 1);
    assert_eq!(done["status"], "READY", "{done}");
    assert_eq!(done["targets"][0]["platform_video_id"], video_id.as_str());
    assert_eq!(
        p.youtube.videos_created(),
        1,
        "the retry did not upload again"
    );
    assert_eq!(p.youtube.playlist_items(PLAYLIST), vec![video_id]);
}

#[tokio::test]
async fn a_recording_is_published_into_a_vk_album() {
    let p = platforms().await;
    let preset = p.vk_preset().await;
    let id = p.lecture_ready(preset).await;

    p.work_all().await;
    let done = p.recording(&id).await;

    assert_eq!(done["status"], "READY", "{done}");
    let videos = p.vk.videos();
    assert_eq!(videos.len(), 1);
    let video = &videos[0];
    assert!(
        video.name.starts_with("Algebra lecture (20"),
        "{}",
        video.name
    );
    assert_eq!(video.description, "Recorded from Lectures.");
    assert_eq!(video.privacy_view.as_deref(), Some("only_me"));
    assert_eq!(video.content.as_deref(), Some(p.media(&id).as_slice()));
    let target = &done["targets"][0];
    let expected_id = format!("{}_{}", video.owner_id, video.video_id);
    assert_eq!(target["platform_video_id"], expected_id.as_str());
    assert_eq!(
        text(&target["url"]),
        format!("https://vk.com/video{expected_id}")
    );
    assert_eq!(
        p.vk.album_videos(VK_USER, VK_ALBUM),
        vec![(video.owner_id, video.video_id)]
    );
}

#[tokio::test]
async fn vk_error_6_under_a_burst_is_waited_out() {
    let p = platforms().await;
    let preset = p.vk_preset().await;
    let id = p.lecture_ready(preset).await;
    // One call per second: after the first, every call meets a real error 6 until a second
    // has passed, on top of one injected right away.
    p.vk.set_rate_limit(1);
    p.vk.fail_next(1, VkFault::TooManyRequests);

    p.work_all().await;
    let done = p.recording(&id).await;

    assert_eq!(done["status"], "READY", "{done}");
    let sixes =
        p.vk.requests()
            .iter()
            .filter(|r| r.error_code == Some(6))
            .count();
    assert!(sixes >= 3, "injected and real rate errors: {sixes}");
    assert!(p.vk.rate_limited_calls() >= 2, "the real limit was hit too");
    assert_eq!(p.vk.videos_uploaded(), 1);
    assert_eq!(p.vk.album_videos(VK_USER, VK_ALBUM).len(), 1);
}

#[tokio::test]
async fn a_vk_captcha_pauses_the_target_until_a_person_passes_it() {
    let p = platforms().await;
    let preset = p.vk_preset().await;
    let id = p.lecture_ready(preset).await;
    p.vk.echo_token_in_errors(true);
    p.vk.fail_next(1, VkFault::CaptchaRedirect);

    p.work_all().await;
    let paused = p.recording(&id).await;

    assert_eq!(paused["failure"]["paused"], true, "{paused}");
    assert!(paused["failure"]["retry_at"].is_null());
    let target = &paused["targets"][0];
    assert_eq!(target["status"], "paused");
    let reason = text(&target["error"]);
    assert!(
        reason.contains("captcha") && reason.contains("rerun"),
        "{reason}"
    );
    assert!(!reason.contains(VK_TOKEN), "{reason}");
    assert_eq!(p.vk.videos_uploaded(), 0);
    assert_eq!(p.work_all().await, 0, "a paused target waits for a person");
}

#[tokio::test]
async fn a_revoked_vk_token_fails_with_a_request_to_reconnect() {
    let p = platforms().await;
    let preset = p.vk_preset().await;
    let id = p.lecture_ready(preset).await;
    p.vk.revoke_token(VK_TOKEN);

    p.work_all().await;
    let failed = p.recording(&id).await;

    assert!(failed["failure"]["retry_at"].is_null(), "{failed}");
    let reason = text(&failed["failure"]["reason"]);
    assert!(reason.contains("reconnect"), "{reason}");
    assert!(!reason.contains(VK_TOKEN), "{reason}");
    assert_eq!(p.vk.videos_saved(), 0);
}

#[tokio::test]
async fn a_preset_that_lost_its_credential_fails_with_a_clear_reason() {
    let p = platforms().await;
    let preset = p.youtube_preset().await;
    let id = p.lecture_ready(preset.clone()).await;
    let state = &p.s.app.state;
    let user_id: Uuid = p.s.user_id.parse().expect("uuid");
    let preset_id: Uuid = text(&preset).parse().expect("uuid");
    let mut stored = state
        .store
        .get_preset(user_id, preset_id)
        .await
        .expect("preset");
    stored.credential_id = None;
    state.store.replace_preset(&stored).await.expect("replaced");

    p.work_all().await;
    let failed = p.recording(&id).await;

    assert!(failed["failure"]["retry_at"].is_null(), "{failed}");
    let reason = text(&failed["failure"]["reason"]);
    assert!(
        reason.contains("has no credential") && reason.contains("google"),
        "{reason}"
    );
    assert_eq!(failed["targets"][0]["status"], "failed");
    assert_eq!(p.youtube.token_requests(), 0);
}
