//! The JSON contract of SPEC §4, normalisation, and validation errors with their field paths.

use serde_json::json;

use super::*;

fn now() -> DateTime<Utc> {
    "2025-06-01T23:30:00Z".parse().expect("RFC 3339 instant")
}

fn normalize(value: serde_json::Value) -> Result<serde_json::Value> {
    let schedule = Schedule::from_json(value)?.normalize("Europe/Berlin", now())?;
    Ok(serde_json::to_value(schedule).expect("serialises"))
}

fn field_of(value: serde_json::Value) -> String {
    normalize(value).expect_err("invalid schedule").field
}

#[test]
fn each_type_round_trips_in_exactly_the_spec_json_shape() {
    let shapes = [
        json!({"type": "time_of_day", "time": "06:00", "timezone": "Europe/Berlin"}),
        json!({"type": "weekdays", "days": [0, 2, 4], "time": "09:30",
            "timezone": "America/New_York"}),
        json!({"type": "hours", "hours": 6, "anchor": "2026-01-05T00:00", "timezone": "UTC"}),
        json!({"type": "cron", "expression": "0 */13 * * *", "timezone": "UTC"}),
    ];
    for shape in shapes {
        assert_eq!(normalize(shape.clone()).expect("valid"), shape);
    }
}

#[test]
fn a_missing_timezone_is_filled_with_the_owner_zone_and_stored() {
    let normalized = normalize(json!({"type": "time_of_day", "time": "06:00"})).expect("valid");
    assert_eq!(normalized["timezone"], "Europe/Berlin");
}

#[test]
fn days_are_returned_sorted_and_without_duplicates() {
    let normalized =
        normalize(json!({"type": "weekdays", "days": [4, 0, 4, 2, 0], "time": "09:30"}))
            .expect("valid");
    assert_eq!(normalized["days"], json!([0, 2, 4]));
}

#[test]
fn a_missing_hours_anchor_becomes_local_midnight_of_the_day_of_saving() {
    // 23:30 UTC on 1 June is already 2 June in Tokyo.
    let normalized =
        normalize(json!({"type": "hours", "hours": 6, "timezone": "Asia/Tokyo"})).expect("valid");
    assert_eq!(normalized["anchor"], "2025-06-02T00:00");
}

#[test]
fn unknown_fields_types_and_a_missing_type_are_reported_on_their_path() {
    assert_eq!(field_of(json!({"type": "daily", "time": "06:00"})), "type");
    assert_eq!(field_of(json!({"time": "06:00"})), "type");
    assert_eq!(
        field_of(json!({"type": "time_of_day", "time": "06:00", "at": 1})),
        "at"
    );
    assert_eq!(
        field_of(json!({"type": "weekdays", "time": "06:00"})),
        "days"
    );
    assert_eq!(field_of(json!({"type": "hours", "hours": "6"})), "schedule");
}

#[test]
fn times_must_be_strict_hh_mm_within_a_day() {
    for time in [
        "24:00", "9:00", "09:60", "0900", "09:00:00", " 09:00", "", "ab:cd",
    ] {
        let error = normalize(json!({"type": "time_of_day", "time": time})).expect_err(time);
        assert_eq!(error.field, "time", "{time}");
    }
    assert!(normalize(json!({"type": "time_of_day", "time": "23:59"})).is_ok());
    assert!(normalize(json!({"type": "time_of_day", "time": "00:00"})).is_ok());
}

#[test]
fn days_outside_monday_to_sunday_name_their_index() {
    let days = |days: serde_json::Value| {
        field_of(json!({"type": "weekdays", "days": days, "time": "09:00"}))
    };
    assert_eq!(days(json!([0, 1, 7])), "days[2]");
    assert_eq!(days(json!([-1])), "days[0]");
    assert_eq!(days(json!([])), "days");
}

#[test]
fn hours_must_be_from_one_to_twenty_four() {
    for hours in [0, 25, -3] {
        assert_eq!(
            field_of(json!({"type": "hours", "hours": hours})),
            "hours",
            "{hours}"
        );
    }
    assert!(normalize(json!({"type": "hours", "hours": 24})).is_ok());
}

#[test]
fn an_anchor_must_be_a_real_local_date_and_minute() {
    for anchor in [
        "2025-06-01 00:00",
        "2025-02-30T00:00",
        "2025-06-01T00:00:00",
        "2025-6-1T0:0",
    ] {
        let error = normalize(json!({"type": "hours", "hours": 6, "anchor": anchor}));
        assert_eq!(error.expect_err(anchor).field, "anchor", "{anchor}");
    }
}

#[test]
fn abbreviated_or_offset_zones_are_rejected_never_read_as_utc() {
    for zone in ["EST", "MSK", "GMT+3", "UTC+3", "Etc/GMT+3", "Mars/Olympus"] {
        let error = normalize(json!({"type": "time_of_day", "time": "06:00", "timezone": zone}));
        assert_eq!(error.expect_err(zone).field, "timezone", "{zone}");
    }
}

#[test]
fn an_invalid_owner_zone_is_also_reported_on_timezone() {
    let schedule = Schedule::TimeOfDay {
        time: "06:00".into(),
        timezone: None,
    };
    let error = schedule
        .normalize("EST", now())
        .expect_err("EST is not accepted");
    assert_eq!(error.field, "timezone");
}

#[test]
fn cron_problems_are_reported_on_expression_with_the_cron_field_named() {
    let cases = [
        ("0 9 L * *", "day-of-month"),
        ("61 * * * *", "minute"),
        ("0 0 9 * * *", "seconds"),
        ("@daily", "macros"),
        ("0 0 30 2 *", "never fires"),
    ];
    for (expression, words) in cases {
        let error =
            normalize(json!({"type": "cron", "expression": expression})).expect_err(expression);
        assert_eq!(error.field, "expression", "{expression}");
        assert!(
            error.message.contains(words),
            "{expression}: {}",
            error.message
        );
        assert!(error.to_string().starts_with("expression: "), "{error}");
    }
}

#[test]
fn compiling_without_normalising_first_names_the_missing_field() {
    let no_zone = Schedule::Cron {
        expression: "0 9 * * *".into(),
        timezone: None,
    };
    assert_eq!(no_zone.compile().expect_err("no zone").field, "timezone");

    let no_anchor = Schedule::Hours {
        hours: 6,
        anchor: None,
        timezone: Some("UTC".into()),
    };
    assert_eq!(no_anchor.compile().expect_err("no anchor").field, "anchor");
}

#[test]
fn a_cron_expression_is_stored_with_single_spaces() {
    let normalized =
        normalize(json!({"type": "cron", "expression": "  0  9 *\t* 1-5 "})).expect("valid");
    assert_eq!(normalized["expression"], "0 9 * * 1-5");
}

#[test]
fn the_openapi_schema_offers_the_four_types_each_with_an_example() {
    use utoipa::PartialSchema;

    let schema = serde_json::to_value(Schedule::schema()).expect("schema serialises");
    let variants = schema["oneOf"].as_array().expect("one schema per type");
    let types: Vec<&str> = variants
        .iter()
        .map(|variant| {
            variant["properties"]["type"]["enum"][0]
                .as_str()
                .unwrap_or("")
        })
        .collect();
    assert_eq!(types, ["time_of_day", "weekdays", "hours", "cron"]);
    assert!(
        variants
            .iter()
            .all(|variant| variant["example"].is_object())
    );
}
