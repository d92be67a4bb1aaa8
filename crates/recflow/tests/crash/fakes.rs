//! The fake Zoom, YouTube and VK as a process of their own: the crash test runs its own test
//! binary again with [`SPEC_ENV`] naming a spec file, and that process serves the fakes plus
//! a small control API (`GET /state`) the test reads the upstreams' side from.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use chrono::{Duration, Utc};
use recflow_fakes::{FakeFile, FakeMeeting, FakeVk, FakeYoutube, FakeZoom, Media};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Names the spec file of the fake-upstreams process.
pub const SPEC_ENV: &str = "RECFLOW_CRASH_TEST_FAKES";

pub const ZOOM_ACCOUNT: &str = "acct-crash";
pub const ZOOM_CLIENT: &str = "zoom-client";
pub const ZOOM_SECRET: &str = "zoom-secret";
pub const GOOGLE_CLIENT: &str = "google-client";
pub const GOOGLE_SECRET: &str = "google-secret";
pub const GOOGLE_REFRESH: &str = "google-refresh";
pub const PLAYLIST: &str = "PLcrash0000000000000000000000000000";
pub const VK_TOKEN: &str = "vk1.a.crash-test-token";
pub const VK_USER: i64 = 7_770_002;
pub const VK_ALBUM: i64 = 12;

/// What the fake Zoom holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Spec {
    /// A real recording: silent head, speech-like tone, silent tail.
    pub lecture: PathBuf,
    /// A real, short, silent recording.
    pub blank: PathBuf,
    /// Titles of the meetings holding the lecture; the template matches them.
    pub lectures: Vec<String>,
    /// Titles of the meetings holding the blank recording; the template matches them too.
    pub blanks: Vec<String>,
    /// Titles of meetings holding the lecture that no template matches.
    pub others: Vec<String>,
}

/// Where the fakes listen.
#[derive(Debug, Deserialize, Serialize)]
pub struct Urls {
    pub zoom: String,
    pub zoom_api: String,
    pub google_oauth: String,
    pub youtube_api: String,
    pub youtube_upload: String,
    pub vk: String,
    pub control: String,
}

/// The upstreams' side of the story.
#[derive(Debug, Deserialize, Serialize)]
pub struct Upstreams {
    /// Titles of the videos YouTube holds (finished uploads only).
    pub youtube_titles: Vec<String>,
    pub youtube_sessions: usize,
    /// Status queries on an upload session: an upload resumed after an interruption.
    pub youtube_resumes: usize,
    /// Sessions holding part of a file.
    pub youtube_uploads_in_progress: usize,
    pub playlist_items: Vec<String>,
    /// Names of the VK videos that received a file.
    pub vk_uploaded_names: Vec<String>,
    /// `video.save` calls whose video never received a file.
    pub vk_empty_videos: usize,
    /// Files stored by VK's upload host but not answered yet.
    pub vk_uploads_unanswered: usize,
    /// Uploads into a video that already held a file: a retry that found its video again.
    pub vk_repeated_uploads: usize,
    pub vk_album: Vec<(i64, i64)>,
    pub vk_rate_limited: usize,
    pub zoom_downloads: usize,
}

/// The running fake-upstreams process; killed when dropped.
pub struct FakesProcess {
    child: Child,
    /// Closing it tells the process to exit, should this test die without dropping it.
    _stdin: ChildStdin,
    pub urls: Urls,
}

impl FakesProcess {
    pub fn start(spec: &Spec, dir: &Path) -> FakesProcess {
        let spec_file = dir.join("fakes.json");
        std::fs::write(&spec_file, serde_json::to_vec(spec).expect("spec")).expect("spec file");
        let log = std::fs::File::create(dir.join("fakes.log")).expect("log file");
        let mut child = Command::new(std::env::current_exe().expect("this test binary"))
            .args([
                "fake_upstreams_process",
                "--exact",
                "--ignored",
                "--nocapture",
            ])
            .env(SPEC_ENV, &spec_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the fakes process starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let ready = lines
            .find_map(|line| line.strip_prefix("READY ").map(str::to_owned))
            .expect("the fakes process reports its addresses");
        // Keep reading: the test harness in that process writes more (a slow-test notice),
        // and a closed pipe would end it.
        std::thread::spawn(move || lines.for_each(drop));
        let urls = serde_json::from_str(&ready).expect("addresses");
        FakesProcess {
            child,
            _stdin: stdin,
            urls,
        }
    }

    pub async fn upstreams(&self, http: &reqwest::Client) -> reqwest::Result<Upstreams> {
        http.get(format!("{}/state", self.urls.control))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
    }
}

impl Drop for FakesProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Fakes {
    youtube: FakeYoutube,
    vk: FakeVk,
    zoom: FakeZoom,
}

/// The body of the fake-upstreams process: serves until its stdin closes.
pub fn serve(spec_file: &Path) {
    let spec: Spec =
        serde_json::from_slice(&std::fs::read(spec_file).expect("spec file")).expect("spec");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let fakes = std::sync::Arc::new(start_fakes(&spec).await);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("control port");
        let control = format!("http://{}", listener.local_addr().expect("addr"));
        let urls = Urls {
            zoom: fakes.zoom.base_url(),
            zoom_api: fakes.zoom.api_url(),
            google_oauth: fakes.youtube.oauth_url(),
            youtube_api: fakes.youtube.api_url(),
            youtube_upload: fakes.youtube.upload_url(),
            vk: fakes.vk.api_url().trim_end_matches("/method").to_owned(),
            control,
        };
        println!("READY {}", serde_json::to_string(&urls).expect("urls"));
        let app = axum::Router::new()
            .route("/state", get(state))
            .with_state(fakes);
        tokio::spawn(async move { axum::serve(listener, app).await });
        // Exit when the test that started this process goes away.
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .expect("stdin watcher");
    });
}

async fn start_fakes(spec: &Spec) -> Fakes {
    let zoom = FakeZoom::start().await;
    zoom.add_s2s_credentials(ZOOM_ACCOUNT, ZOOM_CLIENT, ZOOM_SECRET);
    let youtube = FakeYoutube::start().await;
    youtube.add_credentials(GOOGLE_CLIENT, GOOGLE_SECRET, GOOGLE_REFRESH);
    youtube.add_playlist(PLAYLIST);
    // Uploads take a while, as over a real network, so that a worker can die during one.
    youtube.set_chunk_latency(std::time::Duration::from_millis(150));
    let vk = FakeVk::start().await;
    vk.add_user_token(VK_TOKEN, VK_USER);
    vk.add_album(VK_USER, VK_ALBUM);
    // VK answers an upload a while after it stored the file: a worker can die in between.
    vk.set_upload_answer_latency(std::time::Duration::from_millis(400));

    let first = Utc::now() - Duration::hours(6);
    let meetings = spec
        .lectures
        .iter()
        .map(|title| (title, &spec.lecture, 26))
        .chain(spec.blanks.iter().map(|title| (title, &spec.blank, 4)))
        .chain(spec.others.iter().map(|title| (title, &spec.lecture, 26)));
    for (index, (title, media, seconds)) in meetings.enumerate() {
        let start = first + Duration::minutes(i64::try_from(index).unwrap_or(0));
        let end = start + Duration::seconds(seconds);
        zoom.add_meeting(
            FakeMeeting::new(title.clone(), start)
                .duration_minutes(1)
                .file(FakeFile::mp4(Media::File(media.clone())).between(start, end)),
        );
    }
    Fakes { youtube, vk, zoom }
}

async fn state(State(fakes): State<std::sync::Arc<Fakes>>) -> Json<Value> {
    let youtube_titles: Vec<String> = fakes
        .youtube
        .videos()
        .iter()
        .map(|video| {
            video.resource["snippet"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let vk_videos = fakes.vk.videos();
    let upstreams = Upstreams {
        youtube_titles,
        youtube_sessions: fakes.youtube.sessions_started(),
        youtube_resumes: fakes.youtube.status_queries(),
        youtube_uploads_in_progress: fakes.youtube.uploads_in_progress(),
        playlist_items: fakes.youtube.playlist_items(PLAYLIST),
        vk_uploaded_names: vk_videos
            .iter()
            .filter(|video| video.content.is_some())
            .map(|video| video.name.clone())
            .collect(),
        vk_empty_videos: vk_videos.iter().filter(|v| v.content.is_none()).count(),
        vk_uploads_unanswered: fakes.vk.uploads_unanswered(),
        vk_repeated_uploads: fakes.vk.repeated_uploads(),
        vk_album: fakes.vk.album_videos(VK_USER, VK_ALBUM),
        vk_rate_limited: fakes.vk.rate_limited_calls(),
        zoom_downloads: fakes.zoom.download_requests(),
    };
    Json(json!(upstreams))
}
