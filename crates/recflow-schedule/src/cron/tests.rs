//! The cron dialect's meaning (SPEC §4 rule 5) on civil time, zone-free.

use chrono::{Datelike, NaiveDateTime, Weekday};

use super::*;
use crate::civil::civil;

fn text(civil: i64) -> String {
    crate::zone::naive_of(civil)
        .expect("in range")
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The next `count` matches after `start`.
fn matches(expression: &str, start: &str, count: usize) -> Vec<String> {
    let matcher = CronMatcher::compile(expression).expect("valid expression");
    let mut cursor = civil(start);
    (0..count)
        .map(|_| {
            cursor = matcher.next_match(cursor).expect("matches again");
            text(cursor)
        })
        .collect()
}

#[test]
fn day_of_week_zero_and_seven_are_both_sunday() {
    // 2025-06-02 is a Monday.
    let sunday = ["2025-06-08 09:00"];
    assert_eq!(matches("0 9 * * 0", "2025-06-02 00:00", 1), sunday);
    assert_eq!(matches("0 9 * * 7", "2025-06-02 00:00", 1), sunday);
    assert_eq!(matches("0 9 * * sun", "2025-06-02 00:00", 1), sunday);
}

#[test]
fn both_restricted_day_fields_match_either_day() {
    // 1 June 2025 is a Sunday; the Mondays are 2, 9, 16 June; the 1st of July is a Tuesday.
    assert_eq!(
        matches("0 9 1 * MON", "2025-05-31 00:00", 3),
        ["2025-06-01 09:00", "2025-06-02 09:00", "2025-06-09 09:00"]
    );
}

#[test]
fn a_day_field_starting_with_a_star_makes_both_day_fields_required() {
    // Only Mondays with an odd date: 2025-06-09 and 2025-06-23 are Mondays on odd dates.
    assert_eq!(
        matches("0 9 */2 * MON", "2025-06-01 00:00", 2),
        ["2025-06-09 09:00", "2025-06-23 09:00"]
    );
}

#[test]
fn a_step_from_a_single_value_runs_to_the_end_of_the_field() {
    assert_eq!(
        matches("5/15 10 * * *", "2025-06-01 00:00", 4),
        [
            "2025-06-01 10:05",
            "2025-06-01 10:20",
            "2025-06-01 10:35",
            "2025-06-01 10:50"
        ]
    );
}

#[test]
fn month_and_day_steps_count_from_the_first_value() {
    assert_eq!(
        matches("0 0 1 */3 *", "2025-02-15 00:00", 2),
        ["2025-04-01 00:00", "2025-07-01 00:00"]
    );
    // */5 is 1, 6, … 26, 31: after 26 February the next match is 1 March.
    assert_eq!(
        matches("0 4 */5 * *", "2022-02-27 00:00", 2),
        ["2022-03-01 04:00", "2022-03-06 04:00"]
    );
}

#[test]
fn rare_dates_are_found_decades_ahead() {
    assert_eq!(
        matches("0 0 29 2 *", "2097-01-01 00:00", 1),
        ["2104-02-29 00:00"]
    );

    // 29 February on a Sunday (both day fields required because day-of-week starts with *).
    let found = matches("0 0 29 2 */7", "2033-01-01 00:00", 1);
    let date = NaiveDateTime::parse_from_str(&found[0], "%Y-%m-%d %H:%M").expect("date");
    assert_eq!(
        (date.month(), date.day(), date.weekday()),
        (2, 29, Weekday::Sun)
    );
    assert_eq!(date.year(), 2060);
}

#[test]
fn expressions_that_can_never_fire_are_rejected_and_rare_ones_accepted() {
    for never in [
        "0 0 30 2 *",
        "0 0 31 4 *",
        "0 0 31 4,6,9,11 *",
        "0 0 30,31 feb *",
    ] {
        let message = CronMatcher::compile(never).expect_err(never);
        assert!(message.starts_with("never fires"), "{never}: {message}");
    }
    for rare in ["0 0 29 2 *", "0 0 31 * *", "0 0 29 2 */7"] {
        assert!(CronMatcher::compile(rare).is_ok(), "{rare}");
    }
}

#[test]
fn only_an_hour_field_starting_with_a_star_fires_in_both_passes_of_an_overlap() {
    let every_pass = |expression: &str| {
        CronMatcher::compile(expression)
            .expect("valid expression")
            .every_pass()
    };
    assert!(every_pass("0 * * * *"));
    assert!(every_pass("0 */2 * * *"));
    assert!(!every_pass("0 0-23 * * *"));
    assert!(!every_pass("0 1 * * *"));
}

#[test]
fn the_times_of_a_day_list_every_hour_and_minute_combination() {
    let matcher = CronMatcher::compile("0,30 6,7 * * *").expect("valid expression");
    assert_eq!(matcher.times(), [360, 390, 420, 450]);
}

#[test]
fn croner_errors_never_surface_for_checked_expressions() {
    // Everything the dialect accepts must also be readable by croner.
    for expression in [
        "*/59 */23 */31 */12 */7",
        "0-59 0-23 1-31 1-12 0-7",
        "59 23 31 12 SAT",
    ] {
        assert!(CronMatcher::compile(expression).is_ok(), "{expression}");
    }
}
