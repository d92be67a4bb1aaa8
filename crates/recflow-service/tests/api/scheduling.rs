//! The scheduler and workers on a driven clock: exactly-once firing with two schedulers,
//! catch-up, overlap policies, edits without restart, lease recovery, deletion mid-run.

use chrono::Duration;
use serde_json::json;

use crate::automation_setup::{at, run, setup};

#[tokio::test]
async fn two_schedulers_fire_each_slot_exactly_once() {
    let s = setup("2025-06-01T06:00:00Z").await;
    let job = s
        .create_job(
            json!({"type": "time_of_day", "time": "09:00", "timezone": "Europe/Berlin"}),
            json!({}),
        )
        .await;
    let id = job.body["id"].as_str().expect("id");
    let (first, second, worker) = (s.scheduler(), s.scheduler(), s.worker());

    let mut fired = Vec::new();
    for day in 0..3 {
        s.clock
            .set(at("2025-06-01T07:00:00.400Z") + Duration::days(day));
        let (a, b) = tokio::join!(first.tick(), second.tick());
        fired.push(a.expect("tick").fired + b.expect("tick").fired);
        while worker.work_once().await.expect("work").is_some() {}
    }
    s.clock.set(at("2025-06-03T07:05:00Z"));
    let job = s
        .app
        .get(&format!("/api/v1/automation/jobs/{id}"), &s.token)
        .await;

    assert_eq!(
        fired,
        [1, 1, 1],
        "one scheduler wins each slot, the other does nothing"
    );
    assert_eq!(
        s.runs(id).await,
        [
            run("2025-06-01T07:00:00Z", "schedule", "succeeded"),
            run("2025-06-02T07:00:00Z", "schedule", "succeeded"),
            run("2025-06-03T07:00:00Z", "schedule", "succeeded"),
        ]
    );
    assert_eq!(job.body["run_count"], 3);
    assert_eq!(job.body["next_run_at"], "2025-06-04T07:00:00Z");
    assert_eq!(job.body["human_readable"], "Daily at 09:00 (Europe/Berlin)");
}

#[tokio::test]
async fn a_slot_due_at_start_up_runs_at_the_first_tick_and_downtime_catches_up_once() {
    let s = setup("2025-06-01T07:00:00Z").await;
    let job = s
        .create_job(
            json!({"type": "cron", "expression": "0 */2 * * *", "timezone": "UTC"}),
            json!({}),
        )
        .await;
    let id = job.body["id"].as_str().expect("id");
    let (scheduler, worker) = (s.scheduler(), s.worker());

    for (now, what) in [
        ("2025-06-01T08:00:00.2Z", "tick"),
        ("2025-06-01T10:00:10Z", "first tick after start-up"),
        ("2025-06-01T16:30:00Z", "tick after a long stop"),
    ] {
        s.clock.set(at(now));
        scheduler.tick().await.expect(what);
        worker.work_once().await.expect("work");
    }

    assert_eq!(
        s.runs(id).await,
        [
            run("2025-06-01T08:00:00Z", "schedule", "succeeded"),
            run("2025-06-01T10:00:00Z", "schedule", "succeeded"),
            run("2025-06-01T12:00:00Z", "schedule", "missed"),
            run("2025-06-01T14:00:00Z", "schedule", "missed"),
            run("2025-06-01T16:00:00Z", "catch_up", "succeeded"),
        ]
    );
}

#[tokio::test]
async fn a_slot_outside_the_catch_up_window_is_missed() {
    let s = setup("2025-06-01T07:00:00Z").await;
    let job = s
        .create_job(
            json!({"type": "cron", "expression": "0 */2 * * *", "timezone": "UTC"}),
            json!({"catch_up_window_seconds": 600}),
        )
        .await;
    let id = job.body["id"].as_str().expect("id");

    s.clock.set(at("2025-06-01T09:00:00Z"));
    s.scheduler().tick().await.expect("tick");
    let job = s
        .app
        .get(&format!("/api/v1/automation/jobs/{id}"), &s.token)
        .await;

    assert_eq!(
        s.runs(id).await,
        [run("2025-06-01T08:00:00Z", "schedule", "missed")]
    );
    assert_eq!(job.body["next_run_at"], "2025-06-01T10:00:00Z");
}

#[tokio::test]
async fn overlap_skip_records_slots_that_come_while_a_run_is_active() {
    let s = setup("2025-05-31T23:59:00Z").await;
    let job = s
        .create_job(
            json!({"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}),
            json!({"overlap": "skip"}),
        )
        .await;
    let id = job.body["id"].as_str().expect("id");
    let (scheduler, store) = (s.scheduler(), s.app.state.store.clone());

    s.clock.set(at("2025-06-01T00:00:00Z"));
    scheduler.tick().await.expect("tick");
    let long = store
        .claim_run("slow", s.clock.now_utc(), at("2025-06-01T10:00:00Z"))
        .await
        .expect("claim")
        .expect("run");
    s.clock.set(at("2025-06-01T01:00:00Z"));
    scheduler.tick().await.expect("tick");
    let end = recflow_store::RunEnd {
        status: "succeeded",
        reason: None,
        counts: json!({}),
        outcomes: json!([]),
        error: None,
    };
    assert!(
        store
            .finish_run(long.id, "slow", &end, at("2025-06-01T01:40:00Z"))
            .await
            .expect("finish")
    );
    s.clock.set(at("2025-06-01T02:00:00Z"));
    scheduler.tick().await.expect("tick");
    s.worker().work_once().await.expect("work");

    assert_eq!(
        s.runs(id).await,
        [
            run("2025-06-01T00:00:00Z", "schedule", "succeeded"),
            run("2025-06-01T01:00:00Z", "schedule", "skipped"),
            run("2025-06-01T02:00:00Z", "schedule", "succeeded"),
        ]
    );
}

#[tokio::test]
async fn overlap_buffer_one_queues_one_slot_behind_the_active_run() {
    let s = setup("2025-05-31T23:59:00Z").await;
    let job = s
        .create_job(
            json!({"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}),
            json!({"overlap": "buffer_one"}),
        )
        .await;
    let id = job.body["id"].as_str().expect("id");
    let (scheduler, store) = (s.scheduler(), s.app.state.store.clone());
    let far = at("2025-06-01T10:00:00Z");

    s.clock.set(at("2025-06-01T00:00:00Z"));
    scheduler.tick().await.expect("tick");
    let first = store
        .claim_run("a", s.clock.now_utc(), far)
        .await
        .expect("claim")
        .expect("run");
    s.clock.set(at("2025-06-01T01:00:00Z"));
    scheduler.tick().await.expect("tick");
    let waiting = store
        .claim_run("b", at("2025-06-01T01:00:30Z"), far)
        .await
        .expect("claim");
    let end = recflow_store::RunEnd {
        status: "succeeded",
        reason: None,
        counts: json!({}),
        outcomes: json!([]),
        error: None,
    };
    store
        .finish_run(first.id, "a", &end, at("2025-06-01T01:40:00Z"))
        .await
        .expect("finish");
    let second = store
        .claim_run("b", at("2025-06-01T01:40:00Z"), far)
        .await
        .expect("claim")
        .expect("buffered run starts");
    for hour in ["2025-06-01T02:00:00Z", "2025-06-01T03:00:00Z"] {
        s.clock.set(at(hour));
        scheduler.tick().await.expect("tick");
    }

    assert!(
        waiting.is_none(),
        "the buffered run waits for the active one"
    );
    assert_eq!(second.scheduled_for, at("2025-06-01T01:00:00Z"));
    assert_eq!(
        s.runs(id).await,
        [
            run("2025-06-01T00:00:00Z", "schedule", "succeeded"),
            run("2025-06-01T01:00:00Z", "schedule", "running"),
            run("2025-06-01T02:00:00Z", "schedule", "queued"),
            run("2025-06-01T03:00:00Z", "schedule", "skipped"),
        ]
    );
}

#[tokio::test]
async fn overlap_allow_runs_slots_concurrently() {
    let s = setup("2025-05-31T23:59:00Z").await;
    s.create_job(
        json!({"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}),
        json!({"overlap": "allow"}),
    )
    .await;
    let (scheduler, store) = (s.scheduler(), s.app.state.store.clone());
    let far = at("2025-06-01T10:00:00Z");

    s.clock.set(at("2025-06-01T00:00:00Z"));
    scheduler.tick().await.expect("tick");
    let first = store
        .claim_run("a", s.clock.now_utc(), far)
        .await
        .expect("claim");
    s.clock.set(at("2025-06-01T01:00:00Z"));
    scheduler.tick().await.expect("tick");
    let second = store
        .claim_run("b", s.clock.now_utc(), far)
        .await
        .expect("claim");

    assert!(
        first.is_some() && second.is_some(),
        "both runs are running at once"
    );
}

#[tokio::test]
async fn edits_and_pauses_take_effect_at_the_next_tick() {
    let s = setup("2025-06-01T00:30:00Z").await;
    let job = s
        .create_job(
            json!({"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}),
            json!({}),
        )
        .await;
    let id = job.body["id"].as_str().expect("id");
    let path = format!("/api/v1/automation/jobs/{id}");
    let scheduler = s.scheduler();

    let moved = s
        .app
        .patch(
            &path,
            &s.token,
            json!({"schedule": {"type": "cron", "expression": "30 * * * *", "timezone": "UTC"}}),
        )
        .await;
    s.clock.set(at("2025-06-01T01:00:00Z"));
    let nothing = scheduler.tick().await.expect("tick");
    let paused = s
        .app
        .patch(&path, &s.token, json!({"is_active": false}))
        .await;
    s.clock.set(at("2025-06-01T01:30:00Z"));
    let still_nothing = scheduler.tick().await.expect("tick");
    s.clock.set(at("2025-06-01T02:10:00Z"));
    let resumed = s
        .app
        .patch(&path, &s.token, json!({"is_active": true}))
        .await;

    assert_eq!(moved.body["next_run_at"], "2025-06-01T01:30:00Z");
    assert_eq!(nothing.fired, 0);
    assert!(paused.body["next_run_at"].is_null());
    assert_eq!(still_nothing.fired, 0);
    assert_eq!(
        resumed.body["next_run_at"], "2025-06-01T02:30:00Z",
        "resuming does not replay paused slots"
    );
    assert!(s.runs(id).await.is_empty());
}

#[tokio::test]
async fn a_run_whose_worker_died_is_taken_over_after_its_lease() {
    let s = setup("2025-06-01T00:30:00Z").await;
    let job = s
        .create_job(
            json!({"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}),
            json!({}),
        )
        .await;
    let id = job.body["id"].as_str().expect("id");
    let store = s.app.state.store.clone();
    s.clock.set(at("2025-06-01T01:00:00Z"));
    s.scheduler().tick().await.expect("tick");

    let dead = s.worker();
    let taken = store
        .claim_run(dead.id(), s.clock.now_utc(), at("2025-06-01T01:01:00Z"))
        .await
        .expect("claim")
        .expect("run");
    let too_early = s.worker().work_once().await.expect("work");
    s.clock.set(at("2025-06-01T01:01:01Z"));
    let rescued = s
        .worker()
        .work_once()
        .await
        .expect("work")
        .expect("the run is claimed again");
    let end = recflow_store::RunEnd {
        status: "succeeded",
        reason: None,
        counts: json!({}),
        outcomes: json!([]),
        error: None,
    };
    let late_finish = store
        .finish_run(taken.id, dead.id(), &end, s.clock.now_utc())
        .await
        .expect("finish");

    assert!(too_early.is_none(), "a live lease is respected");
    assert_eq!(rescued.id, taken.id);
    assert_eq!(rescued.attempts, 2);
    assert!(!late_finish, "the dead worker can no longer end the run");
    assert_eq!(
        s.runs(id).await,
        [run("2025-06-01T01:00:00Z", "schedule", "succeeded")]
    );
}

#[tokio::test]
async fn deleting_a_job_cancels_its_running_run_and_keeps_history() {
    let s = setup("2025-06-01T00:30:00Z").await;
    let job = s
        .create_job(
            json!({"type": "cron", "expression": "0 * * * *", "timezone": "UTC"}),
            json!({}),
        )
        .await;
    let id = job.body["id"].as_str().expect("id");
    let store = s.app.state.store.clone();
    s.clock.set(at("2025-06-01T01:00:00Z"));
    s.scheduler().tick().await.expect("tick");
    let running = store
        .claim_run("w", s.clock.now_utc(), at("2025-06-01T02:00:00Z"))
        .await
        .expect("claim")
        .expect("run");

    let deleted = s
        .app
        .delete(&format!("/api/v1/automation/jobs/{id}"), &s.token)
        .await;
    let end = recflow_store::RunEnd {
        status: "succeeded",
        reason: None,
        counts: json!({}),
        outcomes: json!([]),
        error: None,
    };
    let finished = store
        .finish_run(running.id, "w", &end, s.clock.now_utc())
        .await
        .expect("finish");
    s.clock.set(at("2025-06-01T02:00:00Z"));
    let report = s.scheduler().tick().await.expect("tick");
    let run_view = s
        .app
        .get(&format!("/api/v1/automation/runs/{}", running.id), &s.token)
        .await;

    assert_eq!(deleted.status, reqwest::StatusCode::NO_CONTENT);
    assert!(!finished);
    assert_eq!(report.fired, 0, "no future fire");
    assert_eq!(run_view.body["status"], "cancelled");
    assert_eq!(
        s.runs(id).await,
        [run("2025-06-01T01:00:00Z", "schedule", "cancelled")]
    );
}

#[tokio::test]
async fn an_hours_schedule_fires_on_its_grid_across_scheduler_restarts() {
    let s = setup("2025-06-01T00:00:00Z").await;
    let schedule =
        json!({"type": "hours", "hours": 24, "anchor": "2025-06-01T00:00", "timezone": "UTC"});
    let job = s.create_job(schedule, json!({})).await;
    let id = job.body["id"].as_str().expect("id");
    let worker = s.worker();

    let mut now = at("2025-06-01T00:00:00Z");
    while now <= at("2025-06-04T00:05:00Z") {
        s.clock.set(now);
        // A new scheduler at every tick stands for a restart between ticks.
        s.scheduler().tick().await.expect("tick");
        while worker.work_once().await.expect("work").is_some() {}
        now += Duration::minutes(5);
    }
    let job_after = s
        .app
        .get(&format!("/api/v1/automation/jobs/{id}"), &s.token)
        .await;

    assert_eq!(
        job.body["next_run_at"], "2025-06-02T00:00:00Z",
        "the anchor itself is not a fire"
    );
    assert_eq!(
        s.runs(id).await,
        [
            run("2025-06-02T00:00:00Z", "schedule", "succeeded"),
            run("2025-06-03T00:00:00Z", "schedule", "succeeded"),
            run("2025-06-04T00:00:00Z", "schedule", "succeeded"),
        ]
    );
    assert_eq!(job_after.body["run_count"], 3);
    assert_eq!(job_after.body["next_run_at"], "2025-06-05T00:00:00Z");
}
