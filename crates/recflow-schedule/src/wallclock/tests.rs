//! SPEC §4 rules 1–4, one test per rule and per way a transition can reorder fires.

use chrono::{DateTime, Utc};

use crate::Schedule;

fn fires(json: serde_json::Value, after: &str, count: usize) -> Vec<String> {
    let schedule: Schedule = serde_json::from_value(json).expect("schedule JSON");
    let compiled = schedule.compile().expect("valid schedule");
    let mut cursor: DateTime<Utc> = after.parse().expect("RFC 3339 instant");
    let mut out = Vec::new();
    for _ in 0..count {
        cursor = compiled.next_after(cursor).expect("fires again");
        out.push(cursor.format("%Y-%m-%dT%H:%MZ").to_string());
    }
    out
}

fn cron(expression: &str, timezone: &str) -> serde_json::Value {
    serde_json::json!({"type": "cron", "expression": expression, "timezone": timezone})
}

fn daily(time: &str, timezone: &str) -> serde_json::Value {
    serde_json::json!({"type": "time_of_day", "time": time, "timezone": timezone})
}

#[test]
fn wall_clock_times_are_read_in_the_schedule_zone() {
    assert_eq!(
        fires(
            daily("03:00", "Australia/Brisbane"),
            "2025-06-01T00:00:00Z",
            2
        ),
        ["2025-06-01T17:00Z", "2025-06-02T17:00Z"]
    );
    assert_eq!(
        fires(cron("0 9 * * *", "Asia/Kolkata"), "2025-06-01T00:00:00Z", 1),
        ["2025-06-01T03:30Z"]
    );
}

#[test]
fn a_time_in_a_one_hour_gap_fires_an_hour_later_on_the_wall_clock() {
    // 02:30 does not exist in New York on 2025-03-09; read with EST it is 03:30 EDT.
    assert_eq!(
        fires(
            daily("02:30", "America/New_York"),
            "2025-03-08T12:00:00Z",
            2
        ),
        ["2025-03-09T07:30Z", "2025-03-10T06:30Z"]
    );
}

#[test]
fn a_time_in_lord_howes_half_hour_gap_moves_by_half_an_hour() {
    // Lord Howe goes from +10:30 to +11:00 at 02:00 on 2025-10-05: 02:00 becomes 02:30.
    assert_eq!(
        fires(
            daily("02:00", "Australia/Lord_Howe"),
            "2025-10-04T12:00:00Z",
            2
        ),
        ["2025-10-04T15:30Z", "2025-10-05T15:00Z"]
    );
}

#[test]
fn a_gap_at_midnight_keeps_the_day_that_lost_its_midnight() {
    // Santiago skipped 00:00-01:00 on 2026-09-06; the 00:30 run of that Sunday still happens.
    assert_eq!(
        fires(
            daily("00:30", "America/Santiago"),
            "2026-09-05T00:00:00Z",
            3
        ),
        [
            "2026-09-05T04:30Z",
            "2026-09-06T04:30Z",
            "2026-09-07T03:30Z"
        ]
    );
}

#[test]
fn a_gap_time_read_with_the_old_offset_can_fire_after_a_later_wall_time() {
    // Lord Howe, 2025-10-05: 02:20 is in the gap and becomes 02:50 (+11), while 02:40 exists
    // and comes first. Asking between the two must still find 02:50.
    let schedule = cron("20,40 2 * * *", "Australia/Lord_Howe");
    assert_eq!(
        fires(schedule.clone(), "2025-10-04T12:00:00Z", 3),
        [
            "2025-10-04T15:40Z",
            "2025-10-04T15:50Z",
            "2025-10-05T15:20Z"
        ]
    );
    assert_eq!(
        fires(schedule, "2025-10-04T15:45:00Z", 1),
        ["2025-10-04T15:50Z"]
    );
}

#[test]
fn a_repeated_time_fires_once_at_its_first_instant() {
    // 01:30 happens at 05:30Z (EDT) and 06:30Z (EST) on 2025-11-02.
    assert_eq!(
        fires(
            cron("30 1 * * *", "America/New_York"),
            "2025-11-01T12:00:00Z",
            2
        ),
        ["2025-11-02T05:30Z", "2025-11-03T06:30Z"]
    );
    assert_eq!(
        fires(
            daily("01:30", "America/New_York"),
            "2025-11-02T05:45:00Z",
            1
        ),
        ["2025-11-03T06:30Z"]
    );
}

#[test]
fn a_cron_hour_field_starting_with_a_star_fires_in_both_passes() {
    // Berlin repeats 02:00-03:00 on 2024-10-27 (00:00Z-01:00Z CEST, 01:00Z-02:00Z CET).
    assert_eq!(
        fires(
            cron("30 */2 * * *", "Europe/Berlin"),
            "2024-10-26T23:00:00Z",
            3
        ),
        [
            "2024-10-27T00:30Z",
            "2024-10-27T01:30Z",
            "2024-10-27T03:30Z"
        ]
    );
}

#[test]
fn a_cron_hour_range_without_a_star_fires_once_in_the_overlap() {
    assert_eq!(
        fires(
            cron("30 0-23 * * *", "Europe/Berlin"),
            "2024-10-27T00:00:00Z",
            2
        ),
        ["2024-10-27T00:30Z", "2024-10-27T02:30Z"]
    );
}

#[test]
fn a_gap_time_and_the_real_time_it_lands_on_are_one_fire() {
    // 02:00 (gap) becomes 03:00 EDT, which is also the 03:00 match: one fire, not two.
    assert_eq!(
        fires(
            cron("0 2,3 * * *", "America/New_York"),
            "2025-03-09T05:00:00Z",
            2
        ),
        ["2025-03-09T07:00Z", "2025-03-10T06:00Z"]
    );
}

#[test]
fn samoas_skipped_day_gives_one_fire_per_real_day() {
    // Apia jumped from 2011-12-29T23:59:59-10:00 to 2011-12-31T00:00:00+14:00. The 30th's
    // 09:00 is read with -10:00 and lands exactly on the 31st's 09:00 (+14:00): one fire.
    assert_eq!(
        fires(daily("09:00", "Pacific/Apia"), "2011-12-28T12:00:00Z", 3),
        [
            "2011-12-28T19:00Z",
            "2011-12-29T19:00Z",
            "2011-12-30T19:00Z"
        ]
    );
}

#[test]
fn weekdays_are_chosen_by_the_local_date() {
    // Monday 02:30 in Jerusalem (+03:00) is Sunday 23:30 UTC.
    assert_eq!(
        fires(
            serde_json::json!({"type": "weekdays", "days": [0], "time": "02:30",
                "timezone": "Asia/Jerusalem"}),
            "2025-06-01T00:00:00Z",
            1
        ),
        ["2025-06-01T23:30Z"]
    );
}
