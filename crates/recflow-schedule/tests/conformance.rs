//! The shared schedule conformance cases (`tests/data/schedule-cases.json`, a copy of
//! `shared/conformance/schedule-cases.json`), kinds `preview` and `validate`, as one table test.
//! Kind `scenario` needs a running service and is covered by the service's tests.

use chrono::{DateTime, Utc};
use recflow_schedule::{Schedule, preview, validate_min_interval};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    kind: String,
    schedule: Value,
    #[serde(default)]
    after: Option<DateTime<Utc>>,
    #[serde(default)]
    count: Option<usize>,
    #[serde(default)]
    now: Option<DateTime<Utc>>,
    #[serde(default)]
    min_interval_hours: Option<u32>,
    expect: Value,
    #[serde(default)]
    reason_contains: Option<String>,
    #[serde(default)]
    min_interval_seconds: Option<i64>,
    #[serde(default)]
    note: String,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/schedule-cases.json"
    );
    let text = std::fs::read_to_string(path).expect("conformance file is readable");
    serde_json::from_str(&text).expect("conformance file is valid JSON")
}

/// Runs one preview case; `Err` describes the mismatch.
fn check_preview(case: &Case) -> Result<(), String> {
    let schedule: Schedule =
        serde_json::from_value(case.schedule.clone()).map_err(|e| format!("parse: {e}"))?;
    let after = case.after.ok_or("preview case without `after`")?;
    let schedule = schedule
        .normalize("UTC", after)
        .map_err(|e| format!("normalize: {e}"))?;
    let preview =
        preview(&schedule, after, case.count.unwrap_or(10)).map_err(|e| format!("preview: {e}"))?;

    let expected: Vec<DateTime<Utc>> =
        serde_json::from_value(case.expect.clone()).map_err(|e| format!("expect: {e}"))?;
    let got: Vec<DateTime<Utc>> = preview.next_runs.iter().map(|run| run.at_utc).collect();
    if got != expected {
        return Err(format!("next runs {got:?}, expected {expected:?}"));
    }
    Ok(())
}

/// Runs one validate case; `Err` describes the mismatch.
fn check_validate(case: &Case) -> Result<(), String> {
    let now = case.now.ok_or("validate case without `now`")?;
    let min_hours = case
        .min_interval_hours
        .ok_or("validate case without a minimum")?;
    let compiled = serde_json::from_value::<Schedule>(case.schedule.clone())
        .map_err(|e| format!("parse: {e}"))
        .and_then(|schedule| schedule.normalize("UTC", now).map_err(|e| e.to_string()))
        .and_then(|schedule| schedule.compile().map_err(|e| e.to_string()));

    if let (Ok(compiled), Some(expected)) = (&compiled, case.min_interval_seconds) {
        let smallest = compiled.min_interval(now).map(|closest| closest.seconds);
        if smallest != Some(expected) {
            return Err(format!("smallest gap {smallest:?}, expected {expected}"));
        }
    }
    let outcome = compiled.and_then(|compiled| {
        validate_min_interval(&compiled, min_hours, now).map_err(|e| e.to_string())
    });

    match (case.expect.as_str(), outcome) {
        (Some("accept"), Ok(())) => Ok(()),
        (Some("accept"), Err(error)) => Err(format!("rejected: {error}")),
        (Some("reject"), Ok(())) => Err("accepted, expected a rejection".into()),
        (Some("reject"), Err(error)) => match &case.reason_contains {
            Some(reason) if !error.contains(reason.as_str()) => {
                Err(format!("rejected with `{error}`, which lacks `{reason}`"))
            }
            _ => Ok(()),
        },
        (other, _) => Err(format!("unknown expectation {other:?}")),
    }
}

#[test]
fn every_preview_and_validate_case_of_the_shared_conformance_file_holds() {
    let cases = cases();
    let mut ran = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = match case.kind.as_str() {
            "preview" => check_preview(case),
            "validate" => check_validate(case),
            _ => continue,
        };
        ran += 1;
        if let Err(problem) = outcome {
            failures.push(format!("{}: {problem}\n    note: {}", case.id, case.note));
        }
    }

    assert!(ran >= 40, "only {ran} preview/validate cases found");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
