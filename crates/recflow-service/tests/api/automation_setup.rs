//! Shared set-up of the automation tests: an account with a folder source, on a clock the
//! test drives.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use recflow_service::automation::scheduler::Scheduler;
use recflow_service::automation::worker::Worker;
use recflow_service::clock::ManualClock;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Answer, TestApp, spawn_app_at};

pub struct Setup {
    pub app: TestApp,
    pub clock: ManualClock,
    pub token: String,
    pub user_id: String,
    pub source_id: String,
    pub root: tempfile::TempDir,
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

pub async fn setup(start: &str) -> Setup {
    setup_with(start, |_| {}).await
}

pub async fn setup_with(
    start: &str,
    adjust: impl FnOnce(&mut recflow_service::config::Config),
) -> Setup {
    let clock = ManualClock::new(at(start));
    let root = tempfile::tempdir().expect("root");
    // Local folders of an account live under `<root>/<email>/`.
    std::fs::create_dir_all(root.path().join("ana@example.com").join("lectures")).expect("dir");
    let root_path = root.path().to_path_buf();
    let app = spawn_app_at(Arc::new(clock.clone()), move |c| {
        c.local_sources_root = Some(root_path);
        adjust(c);
    })
    .await;
    let (user_id, token) = app.create_user("ana@example.com", None).await;
    let body = json!({"name": "Lectures", "type": "local_folder", "config": {"path": "lectures"},
        "min_duration_seconds": 3, "min_size_bytes": 1000});
    let source = app.post("/api/v1/input-sources", &token, body).await;
    assert_eq!(source.status, StatusCode::CREATED, "{}", source.body);
    let source_id = source.body["id"].as_str().expect("id").to_owned();
    Setup {
        app,
        clock,
        token,
        user_id,
        source_id,
        root,
    }
}

impl Setup {
    /// The folder the account's source reads.
    pub fn folder(&self) -> std::path::PathBuf {
        self.root.path().join("ana@example.com").join("lectures")
    }

    pub fn job_body(&self, name: &str, schedule: Value, policy: Value) -> Value {
        json!({"name": name, "source_id": self.source_id, "schedule": schedule, "policy": policy})
    }

    pub async fn create_job(&self, schedule: Value, policy: Value) -> Answer {
        let answer = self
            .app
            .post(
                "/api/v1/automation/jobs",
                &self.token,
                self.job_body("Job", schedule, policy),
            )
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer
    }

    pub fn scheduler(&self) -> Scheduler {
        Scheduler::new(self.app.state.clone())
    }

    pub fn worker(&self) -> Worker {
        Worker::new(self.app.state.clone())
    }

    /// Runs (scheduled_for, trigger, status) of a job, oldest first.
    pub async fn runs(&self, job_id: &str) -> Vec<(String, String, String)> {
        let answer = self
            .app
            .get(
                &format!("/api/v1/automation/jobs/{job_id}/runs?limit=200"),
                &self.token,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let mut runs: Vec<_> = answer.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| {
                let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
                (text("scheduled_for"), text("trigger"), text("status"))
            })
            .collect();
        runs.sort();
        runs
    }

    pub async fn set_min_interval(&self, hours: i64) {
        let path = format!("/api/v1/admin/users/{}/quotas", self.user_id);
        let answer = self
            .app
            .patch(
                &path,
                &self.app.admin_token,
                json!({"min_automation_interval_hours": hours}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
}

pub fn run(scheduled_for: &str, trigger: &str, status: &str) -> (String, String, String) {
    (
        scheduled_for.to_owned(),
        trigger.to_owned(),
        status.to_owned(),
    )
}
