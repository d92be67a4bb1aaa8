//! The body of `POST /api/v1/automation/schedules/preview` and `recflow schedule preview`.
//!
//! A preview shows what a schedule would do without saving it: its normalised form, its
//! description, its smallest gap (reported, never enforced here) and its next fires.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Result, Schedule};

/// What a schedule would do (SPEC §4 "Preview").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "schedule": {"type": "time_of_day", "time": "06:00", "timezone": "Europe/Berlin"},
    "human_readable": "Daily at 06:00 (Europe/Berlin)",
    "min_interval_seconds": 82800,
    "next_runs": [
        {"at_utc": "2026-03-28T05:00:00Z", "at_local": "2026-03-28T06:00:00+01:00"},
        {"at_utc": "2026-03-29T04:00:00Z", "at_local": "2026-03-29T06:00:00+02:00"}
    ]
}))]
pub struct Preview {
    /// The schedule as it would be stored.
    pub schedule: Schedule,
    /// The schedule in words, with its zone.
    pub human_readable: String,
    /// Smallest real gap between consecutive fires over at least four years; `null` when the
    /// schedule fires at most once in that horizon.
    pub min_interval_seconds: Option<i64>,
    /// The next fires, earliest first.
    pub next_runs: Vec<NextRun>,
}

/// One upcoming fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NextRun {
    /// The fire in UTC.
    #[schema(example = "2026-03-29T04:00:00Z")]
    pub at_utc: DateTime<Utc>,
    /// The same instant on the schedule's wall clock, with the offset in force then.
    #[schema(value_type = String, format = DateTime, example = "2026-03-29T06:00:00+02:00")]
    pub at_local: DateTime<FixedOffset>,
}

/// Previews a normalised schedule: up to `count` fires strictly after `after`. The caller caps
/// `count` (the API allows at most 100).
///
/// # Errors
///
/// The schedule's first invalid field, as [`Schedule::compile`] reports it.
pub fn preview(schedule: &Schedule, after: DateTime<Utc>, count: usize) -> Result<Preview> {
    let compiled = schedule.compile()?;
    let tz = compiled.timezone();

    let mut next_runs = Vec::with_capacity(count);
    let mut cursor = after;
    while next_runs.len() < count {
        let Some(fire) = compiled.next_after(cursor) else {
            break;
        };
        next_runs.push(NextRun {
            at_utc: fire,
            at_local: fire.with_timezone(&tz).fixed_offset(),
        });
        cursor = fire;
    }

    Ok(Preview {
        schedule: schedule.clone(),
        human_readable: compiled.human_readable(),
        min_interval_seconds: compiled.min_interval(after).map(|closest| closest.seconds),
        next_runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("RFC 3339 instant")
    }

    #[test]
    fn preview_lists_fires_with_utc_and_local_offsets_across_a_dst_change() {
        let schedule: Schedule = serde_json::from_value(serde_json::json!({
            "type": "time_of_day", "time": "06:00", "timezone": "Europe/Berlin"
        }))
        .expect("schedule JSON");

        let preview = preview(&schedule, at("2026-03-27T12:00:00Z"), 2).expect("valid");

        let json = serde_json::to_value(&preview).expect("serialises");
        assert_eq!(json["next_runs"][0]["at_utc"], "2026-03-28T05:00:00Z");
        assert_eq!(
            json["next_runs"][0]["at_local"],
            "2026-03-28T06:00:00+01:00"
        );
        assert_eq!(
            json["next_runs"][1]["at_local"],
            "2026-03-29T06:00:00+02:00"
        );
        assert_eq!(json["human_readable"], "Daily at 06:00 (Europe/Berlin)");
        assert_eq!(json["min_interval_seconds"], 23 * 3600);
    }

    #[test]
    fn preview_reports_null_when_the_schedule_fires_at_most_once_in_the_horizon() {
        let schedule = Schedule::Cron {
            expression: "0 0 29 2 *".into(),
            timezone: Some("UTC".into()),
        };

        let preview = preview(&schedule, at("2025-06-01T00:00:00Z"), 1).expect("valid");

        assert_eq!(preview.min_interval_seconds, None);
        let json = serde_json::to_value(&preview).expect("serialises");
        assert!(json["min_interval_seconds"].is_null());
    }

    #[test]
    fn preview_does_not_enforce_a_minimum_interval() {
        let schedule = Schedule::Cron {
            expression: "* * * * *".into(),
            timezone: Some("UTC".into()),
        };

        let preview = preview(&schedule, at("2025-06-01T00:00:00Z"), 3).expect("no quota here");

        assert_eq!(preview.min_interval_seconds, Some(60));
        assert_eq!(preview.next_runs.len(), 3);
    }
}
