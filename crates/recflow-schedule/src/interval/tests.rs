//! SPEC §4 rule 7: the smallest real gap over the horizon, and the account minimum.

use serde_json::json;

use super::*;
use crate::Schedule;

fn compile(value: serde_json::Value) -> CompiledSchedule {
    Schedule::from_json(value)
        .and_then(|schedule| schedule.compile())
        .expect("valid schedule")
}

fn cron(expression: &str, timezone: &str) -> CompiledSchedule {
    compile(json!({"type": "cron", "expression": expression, "timezone": timezone}))
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("RFC 3339 instant")
}

fn smallest(compiled: &CompiledSchedule, from: &str) -> Option<i64> {
    compiled
        .min_interval(at(from))
        .map(|closest| closest.seconds)
}

#[test]
fn the_smallest_gap_is_found_anywhere_in_the_day_not_just_between_the_next_two_fires() {
    let closest = cron("15,45 6 * * *", "UTC")
        .min_interval(at("2025-06-01T06:30:00Z"))
        .expect("fires often");
    assert_eq!(closest.seconds, 1800);
    assert_eq!(
        (closest.first, closest.second),
        (at("2025-06-02T06:15:00Z"), at("2025-06-02T06:45:00Z"))
    );
}

#[test]
fn stepped_hours_wrap_around_midnight() {
    assert_eq!(
        smallest(&cron("0 */13 * * *", "UTC"), "2025-06-01T00:00:00Z"),
        Some(11 * 3600)
    );
    assert_eq!(
        smallest(&cron("*/50 * * * *", "UTC"), "2025-06-01T00:00:00Z"),
        Some(600)
    );
}

#[test]
fn a_spring_forward_day_is_shorter_on_real_instants() {
    let daily =
        compile(json!({"type": "time_of_day", "time": "06:00", "timezone": "Europe/Berlin"}));
    let closest = daily
        .min_interval(at("2025-06-01T00:00:00Z"))
        .expect("daily");
    assert_eq!(closest.seconds, 23 * 3600);
    assert_eq!(closest.second, at("2026-03-29T04:00:00Z"));
}

#[test]
fn a_half_hour_gap_brings_two_wall_clock_hours_within_thirty_minutes() {
    let twice = cron("0 2,3 * * *", "Australia/Lord_Howe");
    assert_eq!(smallest(&twice, "2025-06-01T00:00:00Z"), Some(1800));
}

#[test]
fn an_every_minute_cron_stops_at_one_minute() {
    let closest = cron("* * * * *", "America/New_York")
        .min_interval(at("2025-06-01T00:00:00Z"))
        .expect("fires often");
    assert_eq!(
        (closest.seconds, closest.first),
        (60, at("2025-06-01T00:01:00Z"))
    );
}

#[test]
fn a_frequent_cron_keeps_its_gap_through_every_dst_change() {
    assert_eq!(
        smallest(
            &cron("*/2 * * * *", "America/New_York"),
            "2025-01-01T00:00:00Z"
        ),
        Some(120)
    );
    assert_eq!(
        smallest(&cron("0 * * * *", "Europe/London"), "2025-01-01T00:00:00Z"),
        Some(3600)
    );
}

#[test]
fn the_horizon_includes_a_leap_day_even_across_2100() {
    // Only a leap year puts two of these dates one day apart (29 Feb → 1 Mar); from 2097 the
    // four years hold no 29 February (2100 is not a leap year), so the horizon must stretch.
    let around_leap_day = cron("0 0 1,29 2,3 *", "UTC");
    assert_eq!(
        smallest(&around_leap_day, "2025-06-01T00:00:00Z"),
        Some(86_400)
    );
    assert_eq!(
        smallest(&around_leap_day, "2097-06-01T00:00:00Z"),
        Some(86_400)
    );
}

#[test]
fn a_schedule_firing_at_most_once_in_the_horizon_has_no_smallest_gap() {
    assert_eq!(
        smallest(&cron("0 0 29 2 *", "UTC"), "2025-06-01T00:00:00Z"),
        None
    );
}

#[test]
fn hours_schedules_are_always_exactly_their_interval_apart() {
    let every_five = compile(
        json!({"type": "hours", "hours": 5, "anchor": "2025-03-01T00:00",
        "timezone": "America/New_York"}),
    );
    assert_eq!(
        smallest(&every_five, "2025-03-08T00:00:00Z"),
        Some(5 * 3600)
    );
}

#[test]
fn a_gap_of_exactly_the_minimum_is_allowed() {
    let hourly_pair = cron("0 6,7 * * *", "UTC");
    assert!(validate_min_interval(&hourly_pair, 1, at("2025-06-01T00:00:00Z")).is_ok());
    assert!(validate_min_interval(&hourly_pair, 2, at("2025-06-01T00:00:00Z")).is_err());
}

#[test]
fn a_zero_minimum_accepts_every_schedule() {
    let every_minute = cron("* * * * *", "UTC");
    assert!(validate_min_interval(&every_minute, 0, at("2025-06-01T00:00:00Z")).is_ok());
}

#[test]
fn the_error_names_both_fires_in_local_time_and_utc() {
    let twice = cron("0 2,3 * * *", "Australia/Lord_Howe");
    let error = validate_min_interval(&twice, 1, at("2025-10-04T12:00:00Z")).expect_err("30 min");

    assert_eq!(error.field, "expression");
    for part in [
        "interval",
        "2025-10-05 02:30 +11:00",
        "2025-10-04T15:30:00Z",
        "2025-10-05 03:00 +11:00",
        "2025-10-04T16:00:00Z",
        "30 minutes",
        "1 hour",
    ] {
        assert!(
            error.message.contains(part),
            "missing `{part}` in {}",
            error.message
        );
    }
}

#[test]
fn the_error_is_reported_on_hours_or_on_the_whole_schedule_for_other_types() {
    let every_hour = compile(
        json!({"type": "hours", "hours": 1, "anchor": "2025-01-01T00:00",
        "timezone": "UTC"}),
    );
    let field = |compiled: &CompiledSchedule| {
        validate_min_interval(compiled, 2, at("2025-06-01T00:00:00Z"))
            .expect_err("too often")
            .field
    };
    assert_eq!(field(&every_hour), "hours");

    let daily = compile(json!({"type": "time_of_day", "time": "06:00", "timezone": "UTC"}));
    assert_eq!(
        validate_min_interval(&daily, 25, at("2025-06-01T00:00:00Z"))
            .expect_err("daily")
            .field,
        "schedule"
    );
}

#[test]
fn durations_are_written_in_words() {
    assert_eq!(words(1800), "30 minutes");
    assert_eq!(words(3600), "1 hour");
    assert_eq!(words(84_600), "23 hours 30 minutes");
    assert_eq!(words(90_000), "1 day 1 hour");
}
