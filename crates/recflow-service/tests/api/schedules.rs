//! The schedule preview endpoint.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

const PREVIEW: &str = "/api/v1/automation/schedules/preview";

#[tokio::test]
async fn preview_lists_next_fires_in_utc_and_local_time() {
    let app = spawn_app().await;
    let body = json!({"schedule": {"type": "time_of_day", "time": "02:30",
        "timezone": "America/New_York"}, "after": "2025-03-08T12:00:00Z", "count": 3});

    let answer = app.post(PREVIEW, &app.admin_token, body).await;

    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let at_utc: Vec<_> = answer.body["next_runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["at_utc"].clone())
        .collect();
    assert_eq!(
        at_utc,
        [
            json!("2025-03-09T07:30:00Z"),
            json!("2025-03-10T06:30:00Z"),
            json!("2025-03-11T06:30:00Z")
        ]
    );
    assert_eq!(
        answer.body["next_runs"][0]["at_local"],
        "2025-03-09T03:30:00-04:00"
    );
    assert_eq!(
        answer.body["human_readable"],
        "Daily at 02:30 (America/New_York)"
    );
    assert_eq!(answer.body["min_interval_seconds"], 82800);
}

#[tokio::test]
async fn preview_defaults_the_zone_to_the_account_timezone() {
    let app = spawn_app().await;
    let (_, token) = app.create_user("ana@example.com", None).await;
    let body = json!({"schedule": {"type": "hours", "hours": 6}, "count": 2});

    let answer = app.post(PREVIEW, &token, body).await;

    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["schedule"]["timezone"], "Europe/Berlin");
    assert!(
        answer.body["schedule"]["anchor"].is_string(),
        "the anchor is stored explicitly"
    );
    assert_eq!(answer.body["next_runs"].as_array().expect("runs").len(), 2);
}

#[tokio::test]
async fn invalid_schedules_are_422_with_the_field_path() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"type": "time_of_day", "time": "09:00", "timezone": "Mars/Olympus"}),
            "schedule.timezone",
        ),
        (
            json!({"type": "time_of_day", "time": "09:00", "timezone": "EST"}),
            "schedule.timezone",
        ),
        (
            json!({"type": "time_of_day", "time": "9am", "timezone": "UTC"}),
            "schedule.time",
        ),
        (
            json!({"type": "weekdays", "days": [1, 7], "time": "09:00", "timezone": "UTC"}),
            "schedule.days[1]",
        ),
        (
            json!({"type": "cron", "expression": "0 0 9 * * *", "timezone": "UTC"}),
            "schedule.expression",
        ),
        (
            json!({"type": "cron", "expression": "0 9 * * 5#2", "timezone": "UTC"}),
            "schedule.expression",
        ),
        (
            json!({"type": "cron", "expression": "0 0 30 2 *", "timezone": "UTC"}),
            "schedule.expression",
        ),
        (
            json!({"type": "hours", "hours": 0, "timezone": "UTC"}),
            "schedule.hours",
        ),
    ];

    for (schedule, field) in cases {
        let answer = app
            .post(PREVIEW, &app.admin_token, json!({"schedule": schedule}))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{schedule}: {}",
            answer.body
        );
        assert_eq!(
            answer.error_fields(),
            [field],
            "{schedule}: {}",
            answer.body
        );
    }
    let too_many = app
        .post(
            PREVIEW,
            &app.admin_token,
            json!({"schedule": {"type": "hours", "hours": 1}, "count": 101}),
        )
        .await;
    assert_eq!(too_many.error_fields(), ["count"]);
}

#[tokio::test]
async fn preview_reports_a_short_interval_without_enforcing_the_quota() {
    let app = spawn_app().await;
    let body = json!({"schedule": {"type": "cron", "expression": "15,45 6 * * *", "timezone": "UTC"},
        "after": "2025-06-01T06:30:00Z", "count": 2});

    let answer = app.post(PREVIEW, &app.admin_token, body).await;

    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.body["min_interval_seconds"], 1800);
}
