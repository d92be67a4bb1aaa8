//! recflow's promises with real processes and real crashes: the `recflow` binary runs as an
//! API process, two schedulers and two workers on a PostgreSQL server of the test's own,
//! against the fake Zoom, YouTube and VK in a process of their own, with real media. A job
//! that fires every minute publishes 50 Zoom recordings to a YouTube playlist, a VK album and
//! a folder while workers and schedulers are killed with SIGKILL and restarted, and the
//! database crashes and restarts once. At the end every recording is published exactly once
//! to each target, blank ones are skipped with a reason, no slot fired twice or went missing,
//! and no run is left running. The numbers are printed (`--nocapture` shows them).

mod cluster;
mod fakes;
mod postgres;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::{Value, json};

use cluster::{Cluster, Role};
use fakes::{FakesProcess, Spec, Upstreams};
use postgres::Postgres;

const LECTURES: usize = 50;
const BLANKS: usize = 5;
const OTHERS: usize = 5;
const WORKERS: usize = 2;
const SCHEDULERS: usize = 2;
/// Time for everything, including up to a minute until the job's first slot.
const DEADLINE: Duration = Duration::from_secs(300);

/// Not a test: the entry point of the fake-upstreams process that
/// `crashes_lose_and_duplicate_nothing` starts by running this binary again with
/// [`fakes::SPEC_ENV`] set. Without that variable it does nothing.
#[test]
#[ignore = "the fake-upstreams process of the crash test, started by that test"]
fn fake_upstreams_process() {
    if let Some(spec) = std::env::var_os(fakes::SPEC_ENV) {
        fakes::serve(Path::new(&spec));
    }
}

#[derive(Debug, Default)]
struct Chaos {
    worker_kills: u32,
    /// Times every worker was killed while YouTube held part of a file.
    mid_upload_kills: u32,
    /// Times every worker was killed while VK had stored a file without answering.
    vk_answer_kills: u32,
    scheduler_kills: u32,
}

impl Chaos {
    /// SIGKILLs process `index` of `role` and starts it again, counting it.
    fn kill(&mut self, cluster: &mut Cluster, role: Role, index: usize) {
        cluster.restart(role, index);
        match role {
            Role::Scheduler => self.scheduler_kills += 1,
            _ => self.worker_kills += 1,
        }
    }

    fn kill_all_workers(&mut self, cluster: &mut Cluster) {
        for index in 0..WORKERS {
            self.kill(cluster, Role::Worker, index);
        }
    }

    /// Processes started again after a kill.
    fn restarts(&self) -> u32 {
        self.worker_kills + self.scheduler_kills
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_lose_and_duplicate_nothing() {
    let work = tempfile::tempdir().expect("temporary directory");
    let spec = spec(work.path());
    let fakes = FakesProcess::start(&spec, work.path());
    let mut database = Postgres::start();
    let mut cluster = Cluster::new(
        &database.url(),
        &work.path().join("data"),
        &work.path().join("logs"),
        &fakes.urls,
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http client");

    cluster.start(Role::Api, 0);
    cluster.wait_ready(&http).await;
    let api = Api {
        http: http.clone(),
        base: cluster.api_url(),
        token: std::fs::read_to_string(work.path().join("data").join("initial-admin-token"))
            .expect("the first-start admin token")
            .trim()
            .to_owned(),
    };
    for index in 0..SCHEDULERS {
        cluster.start(Role::Scheduler, index);
    }
    for index in 0..WORKERS {
        cluster.start(Role::Worker, index);
    }
    let (job_id, first_slot) = configure(&api).await;
    let started = Instant::now();

    let mut chaos = Chaos::default();
    let mut rng = rand::rng();
    let progress = loop {
        let progress = Progress::read(&api).await;
        if progress.as_ref().is_some_and(Progress::done) {
            break progress.expect("progress");
        }
        let exited = cluster.exited();
        assert!(exited.is_empty(), "{exited:?}{}", cluster.log_tails());
        assert!(
            started.elapsed() < DEADLINE,
            "not done in time: {}; {chaos:?}{}",
            progress
                .as_ref()
                .map_or("the API did not answer".to_owned(), Progress::summary),
            cluster.log_tails()
        );
        let ready = progress.as_ref().map_or(0, |p| p.ready);
        let working = progress.as_ref().is_some_and(|p| p.runs > 0);
        let upstreams = fakes.upstreams(&http).await.ok();
        let uploading = upstreams
            .as_ref()
            .is_some_and(|u| u.youtube_uploads_in_progress > 0);
        let vk_unanswered = upstreams
            .as_ref()
            .is_some_and(|u| u.vk_uploads_unanswered > 0);
        if database.restarts == 0 && ready >= LECTURES / 3 {
            database.crash_and_restart();
        } else if uploading && chaos.mid_upload_kills < 3 {
            // Whichever worker sends the chunks dies in the middle of the upload.
            chaos.kill_all_workers(&mut cluster);
            chaos.mid_upload_kills += 1;
        } else if vk_unanswered && chaos.vk_answer_kills < 3 {
            // VK stored a file but has not answered: whoever sent it dies without knowing.
            chaos.kill_all_workers(&mut cluster);
            chaos.vk_answer_kills += 1;
        } else if !working && chaos.scheduler_kills < 2 {
            // Before the first slot: a slot must fire although its scheduler died.
            chaos.kill(
                &mut cluster,
                Role::Scheduler,
                rng.random_range(0..SCHEDULERS),
            );
        } else if working && chaos.worker_kills < 14 {
            if chaos.restarts() % 3 == 2 && chaos.scheduler_kills < 5 {
                chaos.kill(
                    &mut cluster,
                    Role::Scheduler,
                    rng.random_range(0..SCHEDULERS),
                );
            } else {
                chaos.kill(&mut cluster, Role::Worker, rng.random_range(0..WORKERS));
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(1500..4000))).await;
    };
    let elapsed = started.elapsed();

    let runs = settled_runs(&api, &job_id, &cluster).await;
    let upstreams = fakes.upstreams(&http).await.expect("the fakes' state");
    let archive = archived_files(&work.path().join("data").join("outputs").join("archive"));
    let report = Report::new(&spec, &progress, &upstreams, &archive, &runs, first_slot);
    println!(
        "crash test: {LECTURES} lectures, {BLANKS} blank, {OTHERS} unmatched recordings in {:.0} s; \
         SIGKILLed workers {} (all of them {} times during a YouTube upload and {} times before VK \
         answered one), schedulers {}; processes restarted {}; database crashes and \
         restarts {}; YouTube upload sessions started {}, resumed after a crash {}; VK uploads repeated into their own video {}, \
         rate-limit answers {}, empty videos left {}; runs {} over {} slots; duplicates {}; losses {}",
        elapsed.as_secs_f64(),
        chaos.worker_kills,
        chaos.mid_upload_kills,
        chaos.vk_answer_kills,
        chaos.scheduler_kills,
        chaos.restarts(),
        database.restarts,
        upstreams.youtube_sessions,
        upstreams.youtube_resumes,
        upstreams.vk_repeated_uploads,
        upstreams.vk_rate_limited,
        upstreams.vk_empty_videos,
        runs.len(),
        report.slots,
        report.duplicates.len(),
        report.losses.len(),
    );

    assert!(report.duplicates.is_empty(), "{:?}", report.duplicates);
    assert!(report.losses.is_empty(), "{:?}", report.losses);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(
        chaos.worker_kills >= 3
            && chaos.mid_upload_kills >= 1
            && chaos.scheduler_kills >= 3
            && database.restarts == 1,
        "the crashes did not happen while work was in flight: {chaos:?}, database restarts {}",
        database.restarts
    );
    assert!(
        upstreams.youtube_resumes >= 1,
        "no YouTube upload was resumed after a crash: {chaos:?}"
    );
    assert!(
        chaos.vk_answer_kills >= 1 && upstreams.vk_repeated_uploads >= 1,
        "no VK upload was repeated into its own video after a crash: {chaos:?}"
    );
}

/// Writes the media and names the meetings.
fn spec(dir: &Path) -> Spec {
    let lecture = dir.join("lecture.mp4");
    let blank = dir.join("blank.mp4");
    generate_media(&lecture, 8, 10, 8);
    generate_media(&blank, 4, 0, 0);
    Spec {
        lecture,
        blank,
        lectures: (1..=LECTURES)
            .map(|n| format!("Algebra lecture {n:02}"))
            .collect(),
        blanks: (1..=BLANKS).map(|n| format!("Algebra quiz {n}")).collect(),
        others: (1..=OTHERS).map(|n| format!("Staff meeting {n}")).collect(),
    }
}

/// An MP4 of about 50 KB a second (H.264 + AAC, so uploads take a few chunks): `head` seconds of silence, `tone` of a tone, `tail` of silence.
fn generate_media(path: &Path, head: u32, tone: u32, tail: u32) {
    let total = head + tone + tail;
    let audio = if tone == 0 {
        format!("anullsrc=r=44100:cl=mono,atrim=duration={total}")
    } else {
        format!("sine=frequency=330:duration={tone},adelay={head}s:all=1,apad=whole_dur={total}")
    };
    let output = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("testsrc=s=320x240:r=10:d={total}"))
        .args(["-f", "lavfi", "-i", &audio])
        .args([
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
        ])
        .args(["-b:v", "400k", "-g", "10", "-c:a", "aac", "-shortest"])
        .arg(path)
        .output()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(
        output.status.success(),
        "ffmpeg: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer = request.send().await.expect("the API answers");
        let status = answer.status();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// Every item of a paginated list, or `None` while the API cannot answer (the database
    /// may be restarting).
    async fn list(&self, path: &str) -> Option<Vec<Value>> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let separator = if path.contains('?') { '&' } else { '?' };
            let mut url = format!("{}{path}{separator}limit=100", self.base);
            if let Some(cursor) = &cursor {
                url.push_str(&format!("&cursor={cursor}"));
            }
            let answer = self.http.get(url).bearer_auth(&self.token).send().await;
            let page: Value = answer.ok()?.error_for_status().ok()?.json().await.ok()?;
            items.extend(page["items"].as_array()?.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return Some(items),
            }
        }
    }
}

/// Credentials, a Zoom source, three presets, a template for the algebra recordings, higher
/// limits for the admin, and a job that fires every minute. Returns the job id and its first
/// slot.
async fn configure(api: &Api) -> (String, DateTime<Utc>) {
    let me = api
        .send(reqwest::Method::GET, "/api/v1/users/me", None)
        .await;
    api.send(
        reqwest::Method::PATCH,
        &format!(
            "/api/v1/admin/users/{}/quotas",
            me["id"].as_str().expect("id")
        ),
        Some(json!({"min_automation_interval_hours": 0, "max_concurrent_pipelines": 4})),
    )
    .await;
    let credential = |kind: &'static str, secrets: Value| async move {
        api.post(
            "/api/v1/credentials",
            json!({"name": kind, "kind": kind, "secrets": secrets}),
        )
        .await["id"]
            .clone()
    };
    let zoom = credential(
        "zoom_s2s",
        json!({"account_id": fakes::ZOOM_ACCOUNT, "client_id": fakes::ZOOM_CLIENT,
            "client_secret": fakes::ZOOM_SECRET}),
    )
    .await;
    let google = credential(
        "google",
        json!({"client_id": fakes::GOOGLE_CLIENT, "client_secret": fakes::GOOGLE_SECRET,
            "refresh_token": fakes::GOOGLE_REFRESH}),
    )
    .await;
    let vk = credential("vk", json!({"access_token": fakes::VK_TOKEN})).await;
    let source = api
        .post(
            "/api/v1/input-sources",
            json!({"name": "Zoom", "type": "zoom", "credential_id": zoom,
                "min_duration_seconds": 10, "min_size_bytes": 1000}),
        )
        .await;
    let mut presets = Vec::new();
    for preset in [
        json!({"name": "YouTube", "platform": "youtube", "credential_id": google,
            "settings": {"playlist_id": fakes::PLAYLIST}}),
        json!({"name": "VK", "platform": "vk", "credential_id": vk,
            "settings": {"album_id": fakes::VK_ALBUM}}),
        json!({"name": "Archive", "platform": "local_folder",
            "settings": {"path": "archive", "file_name_template": "{{ title }}"}}),
    ] {
        presets.push(api.post("/api/v1/output-presets", preset).await["id"].clone());
    }
    api.post(
        "/api/v1/templates",
        json!({"name": "Algebra", "matching_rules": {"keywords": ["algebra"]},
            "processing": {"trim": {"padding_before_seconds": 1, "padding_after_seconds": 1}},
            "metadata": {"title_template": "{{ title }}"},
            "output_preset_ids": presets}),
    )
    .await;
    let job = api
        .post(
            "/api/v1/automation/jobs",
            json!({"name": "Publish lectures", "source_id": source["id"],
                "schedule": {"type": "cron", "expression": "* * * * *", "timezone": "UTC"}}),
        )
        .await;
    let first_slot = job["next_run_at"]
        .as_str()
        .and_then(|at| at.parse().ok())
        .expect("the job's first slot");
    (job["id"].as_str().expect("job id").to_owned(), first_slot)
}

/// Where the recordings stand, as the API tells.
struct Progress {
    recordings: Vec<Value>,
    ready: usize,
    runs: usize,
}

impl Progress {
    async fn read(api: &Api) -> Option<Progress> {
        let recordings = api.list("/api/v1/recordings").await?;
        let runs = api.list("/api/v1/automation/jobs").await?;
        let ready = recordings
            .iter()
            .filter(|r| r["status"] == "READY" && all_uploaded(r))
            .count();
        Some(Progress {
            ready,
            runs: runs
                .iter()
                .map(|job| job["run_count"].as_u64().unwrap_or(0) as usize)
                .sum(),
            recordings,
        })
    }

    fn done(&self) -> bool {
        self.ready >= LECTURES
    }

    /// How many recordings are in each status, and the lectures not yet published.
    fn summary(&self) -> String {
        let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
        for recording in &self.recordings {
            *statuses.entry(recording["status"].to_string()).or_default() += 1;
        }
        let waiting: Vec<String> = self
            .recordings
            .iter()
            .filter(|r| r["template_id"].is_string() && !all_uploaded(r))
            .map(|r| {
                format!(
                    "{} {} failure={} targets={}",
                    r["title"], r["status"], r["failure"], r["targets"]
                )
            })
            .collect();
        format!(
            "{} of {LECTURES} published, {} runs, statuses {statuses:?}, not published: {waiting:#?}",
            self.ready, self.runs
        )
    }
}

fn all_uploaded(recording: &Value) -> bool {
    recording["targets"].as_array().is_some_and(|targets| {
        targets.len() == 3 && targets.iter().all(|t| t["status"] == "uploaded")
    })
}

/// The job's runs once at least two slots fired (so a later run met the published
/// recordings) and none is queued or running any more.
async fn settled_runs(api: &Api, job_id: &str, cluster: &Cluster) -> Vec<Value> {
    let path = format!("/api/v1/automation/jobs/{job_id}/runs");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Some(runs) = api.list(&path).await {
            let active = runs
                .iter()
                .filter(|run| run["status"] == "queued" || run["status"] == "running")
                .count();
            if active == 0 && runs.len() >= 2 {
                return runs;
            }
        }
        assert!(
            Instant::now() < deadline,
            "runs stayed queued or running{}",
            cluster.log_tails()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn archived_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| !name.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// What went wrong, if anything: a title published twice somewhere, a lecture missing
/// somewhere, and any other broken promise.
struct Report {
    duplicates: Vec<String>,
    losses: Vec<String>,
    problems: Vec<String>,
    slots: usize,
}

impl Report {
    fn new(
        spec: &Spec,
        progress: &Progress,
        upstreams: &Upstreams,
        archive: &[String],
        runs: &[Value],
        first_slot: DateTime<Utc>,
    ) -> Report {
        let mut report = Report {
            duplicates: Vec::new(),
            losses: Vec::new(),
            problems: Vec::new(),
            slots: 0,
        };
        let archived: Vec<String> = archive
            .iter()
            .map(|name| name.trim_end_matches(".mp4").to_owned())
            .collect();
        for (target, titles) in [
            ("YouTube", &upstreams.youtube_titles),
            ("VK", &upstreams.vk_uploaded_names),
            ("folder", &archived),
        ] {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for title in titles.iter() {
                *counts.entry(title.as_str()).or_default() += 1;
            }
            for lecture in &spec.lectures {
                match counts.remove(lecture.as_str()) {
                    None => report.losses.push(format!("{lecture} is not on {target}")),
                    Some(1) => {}
                    Some(n) => report
                        .duplicates
                        .push(format!("{lecture} is {n} times on {target}")),
                }
            }
            for (title, n) in counts {
                report.problems.push(format!(
                    "{target} holds {n} × {title:?}, which is no lecture"
                ));
            }
        }
        let distinct_playlist: std::collections::BTreeSet<_> =
            upstreams.playlist_items.iter().collect();
        let distinct_album: std::collections::BTreeSet<_> = upstreams.vk_album.iter().collect();
        if upstreams.playlist_items.len() != LECTURES || distinct_playlist.len() != LECTURES {
            report
                .problems
                .push(format!("the playlist holds {:?}", upstreams.playlist_items));
        }
        if upstreams.vk_album.len() != LECTURES || distinct_album.len() != LECTURES {
            report
                .problems
                .push(format!("the album holds {:?}", upstreams.vk_album));
        }

        for blank in &spec.blanks {
            let recording = progress
                .recordings
                .iter()
                .find(|r| r["title"] == blank.as_str());
            match recording {
                Some(r) if r["status"] == "SKIPPED" && r["skip_reason"] == "blank" => {}
                other => report.problems.push(format!("blank {blank}: {other:?}")),
            }
        }
        for other in &spec.others {
            let recording = progress
                .recordings
                .iter()
                .find(|r| r["title"] == other.as_str());
            match recording {
                Some(r) if r["targets"].as_array().is_some_and(Vec::is_empty) => {}
                other => report
                    .problems
                    .push(format!("unmatched {other:?} was processed")),
            }
        }

        let mut slots: Vec<DateTime<Utc>> = runs
            .iter()
            .filter_map(|run| run["scheduled_for"].as_str()?.parse().ok())
            .collect();
        slots.sort();
        report.slots = slots.len();
        if slots.first() != Some(&first_slot) {
            report
                .losses
                .push(format!("the first slot {first_slot} has no run: {slots:?}"));
        }
        if let Some(last) = slots
            .last()
            .filter(|last| (Utc::now() - **last).num_seconds() > 75)
        {
            report
                .losses
                .push(format!("no run since the slot of {last}"));
        }
        let started: u64 = runs
            .iter()
            .map(|run| run["counts"]["pipelines_started"].as_u64().unwrap_or(0))
            .sum();
        // A run that was retried after its worker died does not count what its first attempt
        // started, so the sum may be lower, never higher.
        if started > LECTURES as u64 {
            report.duplicates.push(format!(
                "{started} pipelines were started for {LECTURES} lectures"
            ));
        }
        for pair in slots.windows(2) {
            match (pair[1] - pair[0]).num_seconds() {
                60 => {}
                0 => report
                    .duplicates
                    .push(format!("slot {} fired twice", pair[0])),
                gap => report
                    .losses
                    .push(format!("no run for the {gap} s after slot {}", pair[0])),
            }
        }
        for run in runs {
            if run["trigger"] != "schedule" {
                report
                    .problems
                    .push(format!("a run not fired by the schedule: {run}"));
            }
        }
        report
    }
}
