use chrono::{TimeZone, Utc};
use chrono_tz::{America, Europe};

use super::*;

fn facts() -> RecordingFacts {
    RecordingFacts {
        id: Uuid::from_u128(0x1234),
        source_id: Uuid::from_u128(0x5001),
        title: "Weekly sync".to_owned(),
        start_time: Utc
            .with_ymd_and_hms(2026, 3, 9, 9, 30, 0)
            .single()
            .expect("a fixed UTC time is never ambiguous"),
        duration_seconds: 2710,
        meeting_id: Some("85012345678".to_owned()),
        source_name: "Team Zoom".to_owned(),
    }
}

fn vars_in(zone: Tz) -> RenderVars {
    RenderVars::new(&facts(), zone)
}

fn render_utc(text: &str) -> Result<String, RenderError> {
    render(text, &vars_in(Tz::UTC), None)
}

#[test]
fn every_variable_renders() {
    let cases = [
        ("{{ title }}", "Weekly sync"),
        ("{{ start }}", "2026-03-09 09:30"),
        ("{{ duration_minutes }}", "45"),
        ("{{ source_name }}", "Team Zoom"),
        ("{{ recording_id }}", "00000000-0000-0000-0000-000000001234"),
        ("{{ meeting_id }}", "85012345678"),
    ];

    for (text, expected) in cases {
        assert_eq!(render_utc(text).as_deref(), Ok(expected), "{text}");
    }
}

#[test]
fn a_utc_start_is_shown_in_the_owners_time_zone() {
    let text = "{{ start }}";

    let berlin = render(text, &vars_in(Europe::Berlin), None);
    let new_york = render(text, &vars_in(America::New_York), None);

    assert_eq!(
        berlin.as_deref(),
        Ok("2026-03-09 10:30"),
        "CET, one hour ahead"
    );
    assert_eq!(
        new_york.as_deref(),
        Ok("2026-03-09 05:30"),
        "EDT since 8 March"
    );
}

#[test]
fn the_date_filter_gives_the_local_calendar_day() {
    let late_evening = RecordingFacts {
        start_time: Utc
            .with_ymd_and_hms(2026, 3, 10, 2, 0, 0)
            .single()
            .expect("a fixed UTC time is never ambiguous"),
        ..facts()
    };

    let utc = render(
        "{{ start | date }}",
        &RenderVars::new(&late_evening, Tz::UTC),
        None,
    );
    let ny = render(
        "{{ start | date }}",
        &RenderVars::new(&late_evening, America::New_York),
        None,
    );

    assert_eq!(utc.as_deref(), Ok("2026-03-10"));
    assert_eq!(ny.as_deref(), Ok("2026-03-09"));
}

#[test]
fn the_format_filter_uses_strftime_codes_in_the_owners_zone() {
    let text = r#"{{ start | format("%d.%m.%Y %H:%M %Z") }}"#;

    let rendered = render(text, &vars_in(Europe::Berlin), None);

    assert_eq!(rendered.as_deref(), Ok("09.03.2026 10:30 CET"));
}

#[test]
fn start_offers_its_parts_as_attributes() {
    let rendered = render(
        "{{ start.year }}/{{ start.month }}/{{ start.hour }}",
        &vars_in(America::New_York),
        None,
    );

    assert_eq!(rendered.as_deref(), Ok("2026/3/5"));
}

#[test]
fn a_bad_format_string_is_a_render_error() {
    let err = render_utc(r#"{{ start | format("%Q") }}"#).expect_err("%Q is no strftime code");

    assert!(matches!(err, RenderError::Render { .. }), "{err:?}");
    assert!(err.to_string().contains("invalid format string"), "{err}");
}

#[test]
fn a_missing_meeting_id_prints_as_nothing_and_is_false() {
    let vars = RenderVars::new(
        &RecordingFacts {
            meeting_id: None,
            ..facts()
        },
        Tz::UTC,
    );

    let rendered = render(
        "[{{ meeting_id }}]{% if meeting_id %} #{{ meeting_id }}{% endif %}",
        &vars,
        None,
    );

    assert_eq!(rendered.as_deref(), Ok("[]"));
}

#[test]
fn duration_is_rounded_to_the_nearest_minute() {
    let minutes = |seconds| {
        let vars = RenderVars::new(
            &RecordingFacts {
                duration_seconds: seconds,
                ..facts()
            },
            Tz::UTC,
        );
        render("{{ duration_minutes }}", &vars, None)
    };

    assert_eq!(minutes(89).as_deref(), Ok("1"));
    assert_eq!(minutes(90).as_deref(), Ok("2"));
    assert_eq!(minutes(-5).as_deref(), Ok("0"));
}

#[test]
fn builtin_filters_and_logic_are_available() {
    let text = "{{ title | upper }}{% if duration_minutes > 30 %} (long){% endif %}";

    assert_eq!(render_utc(text).as_deref(), Ok("WEEKLY SYNC (long)"));
}

#[test]
fn html_is_not_escaped() {
    let vars = RenderVars::new(
        &RecordingFacts {
            title: "Q&A <live>".to_owned(),
            ..facts()
        },
        Tz::UTC,
    );

    assert_eq!(
        render("{{ title }}", &vars, None).as_deref(),
        Ok("Q&A <live>")
    );
}

#[test]
fn the_limit_cuts_without_splitting_a_multibyte_character() {
    let vars = RenderVars::new(
        &RecordingFacts {
            title: "Café ☕ 会议".to_owned(),
            ..facts()
        },
        Tz::UTC,
    );

    let cuts: Vec<String> = (3..=9)
        .map(|limit| render("{{ title }}", &vars, Some(limit)).expect("renders"))
        .collect();

    assert_eq!(
        cuts,
        [
            "Caf",
            "Café",
            "Café ",
            "Café ☕",
            "Café ☕ ",
            "Café ☕ 会",
            "Café ☕ 会议"
        ]
    );
}

#[test]
fn render_title_fits_the_platform() {
    let long = RecordingFacts {
        title: format!("<{}>", "é".repeat(200)),
        ..facts()
    };
    let vars = RenderVars::new(&long, Tz::UTC);

    let youtube = render_title("{{ title }}", &vars, Platform::Youtube).expect("renders");
    let vk = render_title("{{ title }}", &vars, Platform::Vk).expect("renders");

    assert_eq!(youtube.chars().count(), 100);
    assert!(youtube.starts_with("‹é"), "{youtube}");
    assert_eq!(vk.chars().count(), 128);
    assert!(vk.starts_with("<é"), "{vk}");
}

#[test]
fn render_description_keeps_lines() {
    let rendered = render_description(
        "{{ title }}\n{{ source_name }}",
        &vars_in(Tz::UTC),
        Platform::Vk,
    );

    assert_eq!(rendered.as_deref(), Ok("Weekly sync\nTeam Zoom"));
}

#[test]
fn an_unknown_variable_fails_at_render_time_too() {
    let err = render_utc("{{ topic }}").expect_err("topic is not a variable");

    assert_eq!(
        err,
        RenderError::UnknownVariables {
            names: vec!["topic".to_owned()]
        }
    );
}

#[test]
fn an_unknown_attribute_fails_instead_of_printing_nothing() {
    let err = render_utc("{{ start.weekday_name }}").expect_err("strict undefined");

    assert!(matches!(err, RenderError::Render { .. }), "{err:?}");
}

#[test]
fn include_and_macros_are_not_available() {
    for text in [
        "{% include 'other' %}",
        "{% import 'x' as y %}",
        "{% macro m() %}{% endmacro %}",
    ] {
        let err = render_utc(text).expect_err("multi-template features are compiled out");

        assert!(matches!(err, RenderError::Syntax { .. }), "{text}: {err:?}");
    }
}

#[test]
fn runaway_loops_run_out_of_fuel() {
    let text = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}";

    let err = render_utc(text).expect_err("a hundred million iterations exceed the fuel");

    assert!(err.to_string().contains("fuel"), "{err}");
}

#[test]
fn huge_output_is_refused() {
    let err = render_utc("{{ title * 10000 }}").expect_err("110 kB of output");

    assert!(matches!(err, RenderError::OutputTooLong { .. }), "{err:?}");
}

#[test]
fn an_over_long_template_is_refused_before_parsing() {
    let text = "x".repeat(DESCRIPTION_TEMPLATE_MAX_CHARS + 1);

    assert!(matches!(
        render_utc(&text),
        Err(RenderError::TemplateTooLong { .. })
    ));
}

#[test]
fn check_names_the_unknown_variable_and_lists_the_allowed_ones() {
    let err = check_template_text("{{ title }} {{ host }}", "metadata.title_template")
        .expect_err("host is not a variable");

    assert_eq!(err.field, "metadata.title_template");
    assert_eq!(
        err.message,
        "unknown variable \"host\"; allowed variables: title, start, duration_minutes, \
         source_name, recording_id, meeting_id"
    );
}

#[test]
fn check_lists_several_unknown_variables_in_order() {
    let err = check_template_text("{{ zeta }}{{ alpha.x }}", "f").expect_err("two unknowns");

    assert!(
        err.message
            .starts_with("unknown variables \"alpha\", \"zeta\";"),
        "{}",
        err.message
    );
}

#[test]
fn check_reports_a_syntax_error_with_its_line() {
    let err = check_template_text(
        "{{ title }}\n{% if title %}",
        "metadata.description_template",
    )
    .expect_err("an unclosed if block");

    assert!(
        err.message
            .starts_with("template does not parse: syntax error"),
        "{}",
        err.message
    );
    assert!(err.message.ends_with("(line 2)"), "{}", err.message);
}

#[test]
fn check_catches_a_bad_format_string_before_any_recording_does() {
    let err = check_template_text(r#"{{ start | format("%d.%") }}"#, "f").expect_err("bad format");

    assert!(
        err.message.contains("invalid format string"),
        "{}",
        err.message
    );
}

#[test]
fn check_accepts_loops_and_engine_functions() {
    let text = "{% set ns = namespace(n=0) %}{% for i in range(3) %}{{ loop.index }}{% endfor %}";

    assert_eq!(check_template_text(text, "f"), Ok(()));
}

#[test]
fn deeply_nested_expressions_are_refused_without_overflowing_the_stack() {
    let text = format!("{{{{ {}1{} }}}}", "(".repeat(4000), ")".repeat(4000));

    let err = render_utc(&text).expect_err("nesting this deep is refused");

    assert!(matches!(err, RenderError::Syntax { .. }), "{err:?}");
}
