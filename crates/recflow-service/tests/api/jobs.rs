//! The automation jobs API: quotas under concurrency, validation, partial updates, manual
//! runs with real media, the side-effect-free dry run, pruning and tenant isolation.

use std::path::Path;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::automation_setup::{Setup, setup, setup_with};
use crate::helpers::dump_database;
use crate::media::tone_mp4;

const JOBS: &str = "/api/v1/automation/jobs";

fn daily() -> Value {
    json!({"type": "time_of_day", "time": "06:00", "timezone": "Europe/Berlin"})
}

#[tokio::test]
async fn fifty_parallel_creates_stop_exactly_at_the_quota() {
    let s = setup("2025-06-01T00:00:00Z").await;

    let attempts = (0..50).map(|i| {
        let body = s.job_body(&format!("job {i}"), daily(), json!({}));
        let (client, url, token) = (s.app.client.clone(), s.app.url(JOBS), s.token.clone());
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("sent")
        }
    });
    let responses = futures::future::join_all(attempts).await;

    let created = responses
        .iter()
        .filter(|r| r.status() == StatusCode::CREATED)
        .count();
    let refused = responses
        .iter()
        .filter(|r| r.status() == StatusCode::FORBIDDEN)
        .count();
    assert_eq!((created, refused), (5, 45));
    let quotas = s.app.get("/api/v1/users/me/quotas", &s.token).await;
    assert_eq!(quotas.body["usage"]["automation_jobs"], 5);
    let extra = s
        .app
        .post(JOBS, &s.token, s.job_body("one more", daily(), json!({})))
        .await;
    assert_eq!(extra.error_code(), "quota-exceeded");
    assert_eq!(extra.error_fields(), ["max_automation_jobs"]);
}

#[tokio::test]
async fn bad_job_requests_are_4xx_naming_the_field_and_write_nothing() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let (_, bob) = s.app.create_user("bob@example.com", None).await;
    std::fs::create_dir_all(s.root.path().join("bob@example.com").join("lectures")).expect("dir");
    let bob_source = s
        .app
        .post(
            "/api/v1/input-sources",
            &bob,
            json!({"name": "b", "type": "local_folder", "config": {"path": "lectures"}}),
        )
        .await;
    let bob_source = bob_source.body["id"].as_str().expect("id").to_owned();
    s.create_job(daily(), json!({})).await;
    let base = s.job_body("Other", daily(), json!({}));
    let with = |patch: Value| {
        let mut body = base.clone();
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            with(json!({"sync_config": {"sync_days": 0}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "sync_config.sync_days",
        ),
        (
            with(json!({"sync_config": {"sync_days": 31}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "sync_config.sync_days",
        ),
        (
            with(json!({"processing_config": {"max_parallel": 11}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "processing_config.max_parallel",
        ),
        (
            with(json!({"policy": {"jitter_seconds": 3601}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "policy.jitter_seconds",
        ),
        (
            with(json!({"policy": {"overlap": "sometimes"}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "policy.overlap",
        ),
        (
            with(json!({"schedule": {"type": "time_of_day", "time": "25:00", "timezone": "UTC"}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "schedule.time",
        ),
        (
            with(json!({"schedule": {"type": "time_of_day", "time": "06:00", "timezone": "MSK"}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "schedule.timezone",
        ),
        (
            with(
                json!({"schedule": {"type": "cron", "expression": "0 0 9 * * *", "timezone": "UTC"}}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "schedule.expression",
        ),
        (
            with(
                json!({"schedule": {"type": "cron", "expression": "15,45 6 * * *", "timezone": "UTC"}}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "schedule.expression",
        ),
        (
            with(json!({"schedule": {"type": "hours", "hours": 0, "timezone": "UTC"}})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "schedule.hours",
        ),
        (
            with(json!({"source_id": bob_source})),
            StatusCode::NOT_FOUND,
            "source_id",
        ),
        (
            with(json!({"template_ids": ["0193a6e4-8f1c-7a51-9d0e-3c2b1a4f5e6d"]})),
            StatusCode::NOT_FOUND,
            "template_ids[0]",
        ),
        (
            with(json!({"colour": "red"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "colour",
        ),
        (
            with(json!({"name": ""})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
    ];

    for (body, status, field) in cases {
        let answer = s.app.post(JOBS, &s.token, body.clone()).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        assert_eq!(answer.error_fields(), [field], "{body}: {}", answer.body);
    }
    let duplicate = s
        .app
        .post(JOBS, &s.token, s.job_body("Job", daily(), json!({})))
        .await;
    let interval = s.app.post(JOBS, &s.token, with(json!({"schedule": {"type": "cron", "expression": "15,45 6 * * *", "timezone": "UTC"}}))).await;
    let listed = s.app.get(JOBS, &s.token).await;

    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert!(
        interval.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("interval"),
        "{}",
        interval.body
    );
    assert_eq!(
        listed.body["items"].as_array().expect("items").len(),
        1,
        "nothing was written"
    );
}

#[tokio::test]
async fn patch_tells_absent_fields_from_null() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let template = s
        .app
        .post(
            "/api/v1/templates",
            &s.token,
            json!({"name": "All", "matching_rules": {"keywords": ["a"]}}),
        )
        .await;
    let template_id = template.body["id"].as_str().expect("template").to_owned();
    let mut body = s.job_body("Job", daily(), json!({}));
    body["description"] = json!("Weekly lectures");
    body["template_ids"] = json!([template_id]);
    let job = s.app.post(JOBS, &s.token, body).await;
    let path = format!("{JOBS}/{}", job.body["id"].as_str().expect("id"));

    s.app
        .patch(&path, &s.token, json!({"policy": {"jitter_seconds": 5}}))
        .await;
    let nested = s
        .app
        .patch(&path, &s.token, json!({"policy": {"overlap": "allow"}}))
        .await;
    let untouched = s
        .app
        .patch(&path, &s.token, json!({"sync_config": {"sync_days": 7}}))
        .await;
    let cleared = s
        .app
        .patch(
            &path,
            &s.token,
            json!({"description": null, "template_ids": null}),
        )
        .await;

    assert_eq!(
        nested.body["policy"]["jitter_seconds"], 5,
        "fields not sent stay: {}",
        nested.body
    );
    assert_eq!(nested.body["policy"]["overlap"], "allow");
    assert_eq!(untouched.body["description"], "Weekly lectures");
    assert_eq!(
        untouched.body["template_ids"]
            .as_array()
            .expect("ids")
            .len(),
        1
    );
    assert_eq!(untouched.body["sync_config"]["sync_days"], 7);
    assert_eq!(untouched.body["next_run_at"], job.body["next_run_at"]);
    assert_eq!(cleared.body["description"], "");
    assert_eq!(cleared.body["template_ids"], json!([]));
}

async fn folder_with_lectures(s: &Setup) {
    let stamp = (s.clock.now_utc() - chrono::Duration::hours(3)).format("%Y-%m-%d %H.%M.%S");
    let dir = |topic: &str| s.folder().join(format!("{stamp} {topic} 81234567890"));
    tone_mp4(&dir("Algebra lecture").join("video1.mp4"), 5);
    tone_mp4(&dir("Geometry lecture").join("video1.mp4"), 4);
    tone_mp4(&dir("Oops").join("video1.mp4"), 1);
}

#[tokio::test]
async fn a_manual_run_syncs_matches_and_explains_every_recording() {
    let s = setup_with("2025-06-01T12:00:00Z", |_| {}).await;
    s.clock.set(chrono::Utc::now());
    folder_with_lectures(&s).await;
    let template = s
        .app
        .post(
            "/api/v1/templates",
            &s.token,
            json!({"name": "Algebra", "matching_rules": {"keywords": ["algebra"]}}),
        )
        .await;
    let job = s.create_job(daily(), json!({})).await;
    let id = job.body["id"].as_str().expect("id");
    let worker = s.worker();

    let first = s
        .app
        .post(&format!("{JOBS}/{id}/run"), &s.token, json!({}))
        .await;
    let refused = s
        .app
        .post(&format!("{JOBS}/{id}/run"), &s.token, json!({}))
        .await;
    worker.work_once().await.expect("work");
    s.clock.advance(chrono::Duration::seconds(1));
    let second = s
        .app
        .post(&format!("{JOBS}/{id}/run"), &s.token, json!({}))
        .await;
    worker.work_once().await.expect("work");
    let run = s
        .app
        .get(
            &format!(
                "/api/v1/automation/runs/{}",
                second.body["run_id"].as_str().expect("run")
            ),
            &s.token,
        )
        .await;
    let job_after = s.app.get(&format!("{JOBS}/{id}"), &s.token).await;

    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    assert_eq!(first.body["mode"], "execute");
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.error_code(), "run-active");
    assert_eq!(run.body["status"], "succeeded", "{}", run.body);
    assert_eq!(run.body["trigger"], "manual");
    assert_eq!(run.body["counts"]["listed"], 3);
    assert_eq!(run.body["counts"]["matched"], 1);
    assert_eq!(
        run.body["counts"]["skipped"], 1,
        "geometry matches no template"
    );
    assert_eq!(
        run.body["counts"]["pipelines_started"], 1,
        "the algebra lecture is processed"
    );
    let outcomes = run.body["outcomes"].as_array().expect("outcomes");
    let algebra = outcomes
        .iter()
        .find(|o| o["title"] == "Algebra lecture")
        .expect("algebra");
    assert_eq!(algebra["outcome"], "matched");
    assert_eq!(algebra["template_id"], template.body["id"]);
    assert!(
        algebra["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("algebra"),
        "{algebra}"
    );
    let oops = outcomes
        .iter()
        .find(|o| o["title"] == "Oops")
        .expect("the blank recording is explained too");
    assert_eq!(oops["outcome"], "blank");
    assert!(
        oops["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("allow_skipped"),
        "{oops}"
    );
    assert_eq!(run.body["counts"]["blank"], 1);
    assert_eq!(
        run.body["reason"],
        "1 recording(s) matched, 1 pipeline(s) started"
    );
    assert_eq!(job_after.body["run_count"], 2);
    assert!(job_after.body["last_run_at"].is_string());
}

fn media_listing(root: &Path) -> Vec<(String, u64)> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read").flatten() {
            let meta = entry.metadata().expect("meta");
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files.push((entry.path().display().to_string(), meta.len()));
            }
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn a_dry_run_previews_exactly_and_writes_nothing() {
    let s = setup("2025-06-01T12:00:00Z").await;
    s.clock.set(chrono::Utc::now());
    folder_with_lectures(&s).await;
    let template = s
        .app
        .post(
            "/api/v1/templates",
            &s.token,
            json!({"name": "Lectures", "matching_rules": {"keywords": ["lecture"]}}),
        )
        .await;
    let job = s.create_job(daily(), json!({})).await;
    let id = job.body["id"].as_str().expect("id");
    s.app
        .post(&format!("{JOBS}/{id}/run"), &s.token, json!({}))
        .await;
    s.worker()
        .work_once()
        .await
        .expect("first run: files seen once");
    s.clock.advance(chrono::Duration::seconds(1));

    let before = (
        dump_database(&s.app.database_url).await,
        media_listing(s.root.path()),
        media_listing(s.app.data_dir.path()),
    );
    let preview = s
        .app
        .post(
            &format!("{JOBS}/{id}/run?dry_run=true"),
            &s.token,
            json!({}),
        )
        .await;
    let after = (
        dump_database(&s.app.database_url).await,
        media_listing(s.root.path()),
        media_listing(s.app.data_dir.path()),
    );

    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(before == after, "the dry run changed the database or files");
    assert_eq!(preview.body["job_id"], id);
    assert_eq!(preview.body["source"]["type"], "local_folder");
    assert_eq!(
        preview.body["templates_to_apply"],
        json!([template.body["id"]])
    );
    let recordings = preview.body["recordings"].as_array().expect("recordings");
    assert_eq!(recordings.len(), 3);
    let by_title = |t: &str| {
        recordings
            .iter()
            .find(|r| r["title"] == t)
            .expect("recording")
            .clone()
    };
    assert_eq!(by_title("Algebra lecture")["state"], "known");
    assert_eq!(by_title("Algebra lecture")["would"], "process");
    assert_eq!(by_title("Algebra lecture")["duration_s"], 5);
    assert_eq!(by_title("Oops")["would"], "skip");
    assert!(
        by_title("Oops")["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("blank")
    );
    assert_eq!(
        preview.body["estimated_matched_recordings"], 2,
        "Oops matches no template"
    );
    assert_eq!(preview.body["estimated_new_recordings"], 0);
}

#[tokio::test]
async fn old_runs_are_pruned_beyond_the_configured_count() {
    let s = setup_with("2025-06-01T00:00:00Z", |c| c.runs_keep_per_job = 3).await;
    let job = s.create_job(daily(), json!({})).await;
    let id = job.body["id"].as_str().expect("id");
    let worker = s.worker();

    for _ in 0..5 {
        s.app
            .post(&format!("{JOBS}/{id}/run"), &s.token, json!({}))
            .await;
        worker.work_once().await.expect("work");
        s.clock.advance(chrono::Duration::seconds(1));
    }
    let first_page = s
        .app
        .get(&format!("{JOBS}/{id}/runs?limit=2"), &s.token)
        .await;
    let cursor = first_page.body["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let second_page = s
        .app
        .get(
            &format!("{JOBS}/{id}/runs?limit=2&cursor={cursor}"),
            &s.token,
        )
        .await;

    assert_eq!(s.runs(id).await.len(), 3);
    assert_eq!(first_page.body["items"].as_array().expect("items").len(), 2);
    assert_eq!(
        second_page.body["items"].as_array().expect("items").len(),
        1
    );
    assert!(
        first_page.body["items"][0]["scheduled_for"].as_str()
            > first_page.body["items"][1]["scheduled_for"].as_str(),
        "newest first"
    );
}

#[tokio::test]
async fn another_accounts_job_and_runs_behave_as_missing() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let (_, bob) = s.app.create_user("bob@example.com", None).await;
    let job = s.create_job(daily(), json!({})).await;
    let id = job.body["id"].as_str().expect("id");
    let run = s
        .app
        .post(&format!("{JOBS}/{id}/run"), &s.token, json!({}))
        .await;
    let run_id = run.body["run_id"].as_str().expect("run");

    let answers = [
        s.app.get(&format!("{JOBS}/{id}"), &bob).await,
        s.app
            .patch(&format!("{JOBS}/{id}"), &bob, json!({"is_active": false}))
            .await,
        s.app
            .post(&format!("{JOBS}/{id}/run"), &bob, json!({}))
            .await,
        s.app
            .post(&format!("{JOBS}/{id}/run?dry_run=true"), &bob, json!({}))
            .await,
        s.app.get(&format!("{JOBS}/{id}/runs"), &bob).await,
        s.app
            .get(&format!("/api/v1/automation/runs/{run_id}"), &bob)
            .await,
        s.app.delete(&format!("{JOBS}/{id}"), &bob).await,
    ];

    for answer in &answers {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    }
    assert!(
        s.app.get(JOBS, &bob).await.body["items"]
            .as_array()
            .expect("items")
            .is_empty()
    );
    assert_eq!(
        s.app.get(&format!("{JOBS}/{id}"), &s.token).await.body["is_active"],
        true
    );
}

#[tokio::test]
async fn the_minimum_interval_follows_the_account_quota() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let every_ten_minutes =
        json!({"type": "cron", "expression": "*/10 * * * *", "timezone": "UTC"});

    let refused = s
        .app
        .post(
            JOBS,
            &s.token,
            s.job_body("Often", every_ten_minutes.clone(), json!({})),
        )
        .await;
    s.set_min_interval(0).await;
    let accepted = s
        .app
        .post(
            JOBS,
            &s.token,
            s.job_body("Often", every_ten_minutes, json!({})),
        )
        .await;

    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), ["schedule.expression"]);
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
    assert_eq!(accepted.body["next_run_at"], "2025-06-01T00:10:00Z");
    assert_eq!(accepted.body["user_id"], s.user_id.as_str());
}
