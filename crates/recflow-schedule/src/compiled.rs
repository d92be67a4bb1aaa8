//! A schedule ready to be asked "when next?" many times, cheaply and without I/O.
//!
//! Wall-clock schedules (`time_of_day`, `weekdays`, `cron`) are delegated to `wallclock`;
//! `hours` is plain arithmetic on real instants (SPEC §4 rule 6), independent of the zone
//! except for reading the anchor. Validation belongs to `schedule`, not here.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::civil::Pattern;
use crate::wallclock::WallClock;

/// An evaluator built by [`Schedule::compile`](crate::Schedule::compile).
#[derive(Debug, Clone)]
pub struct CompiledSchedule {
    pub(crate) kind: Kind,
    tz: Tz,
    description: String,
    /// The field a minimum-interval violation is reported on.
    pub(crate) interval_field: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Wall(WallClock),
    Every(Every),
}

/// Fires at `anchor + k * period` for k = 0, 1, 2, … (instants in seconds).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Every {
    pub(crate) anchor: i64,
    pub(crate) period: i64,
}

impl Every {
    fn next_after(self, after: i64) -> Option<i64> {
        if after < self.anchor {
            return Some(self.anchor);
        }
        let periods = (after - self.anchor).div_euclid(self.period) + 1;
        periods.checked_mul(self.period)?.checked_add(self.anchor)
    }
}

impl CompiledSchedule {
    pub(crate) fn wall(
        tz: Tz,
        pattern: Pattern,
        description: String,
        interval_field: &'static str,
    ) -> Self {
        Self {
            kind: Kind::Wall(WallClock { tz, pattern }),
            tz,
            description,
            interval_field,
        }
    }

    pub(crate) fn every(tz: Tz, anchor: i64, period: i64, description: String) -> Self {
        Self {
            kind: Kind::Every(Every { anchor, period }),
            tz,
            description,
            interval_field: "hours",
        }
    }

    /// The first fire strictly after `after`, or `None` if the schedule never fires again
    /// (only possible past the end of the representable calendar).
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // Fires fall on whole seconds, so comparing against the whole second of `after`
        // (rounded down) keeps "strictly after" exact for sub-second inputs too.
        let next = self.next_after_seconds(after.timestamp())?;
        DateTime::from_timestamp(next, 0)
    }

    pub(crate) fn next_after_seconds(&self, after: i64) -> Option<i64> {
        match &self.kind {
            Kind::Wall(wall) => wall.next_after(after),
            Kind::Every(every) => every.next_after(after),
        }
    }

    /// The SPEC §4 rule 8 description, e.g. `Daily at 06:00 (Europe/Berlin)`.
    pub fn human_readable(&self) -> String {
        format!("{} ({})", self.description, self.tz.name())
    }

    /// The zone the schedule is evaluated in.
    pub fn timezone(&self) -> Tz {
        self.tz
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Schedule;

    fn compile(json: serde_json::Value) -> CompiledSchedule {
        let schedule: Schedule = serde_json::from_value(json).expect("schedule JSON");
        schedule.compile().expect("valid schedule")
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("RFC 3339 instant")
    }

    #[test]
    fn human_readable_texts_match_the_spec_examples() {
        let cases = [
            (
                serde_json::json!({"type": "time_of_day", "time": "06:00",
                    "timezone": "Europe/Berlin"}),
                "Daily at 06:00 (Europe/Berlin)",
            ),
            (
                serde_json::json!({"type": "hours", "hours": 6, "anchor": "2026-01-05T00:00",
                    "timezone": "UTC"}),
                "Every 6 hours from 2026-01-05 00:00 (UTC)",
            ),
            (
                serde_json::json!({"type": "weekdays", "days": [0, 2, 4], "time": "09:30",
                    "timezone": "America/New_York"}),
                "Mon, Wed, Fri at 09:30 (America/New_York)",
            ),
            (
                serde_json::json!({"type": "cron", "expression": "0 */13 * * *",
                    "timezone": "UTC"}),
                "At minute 0 past every 13th hour (UTC)",
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(compile(json).human_readable(), expected);
        }
    }

    #[test]
    fn hours_fire_on_elapsed_time_strictly_after_the_given_instant() {
        let every_six = compile(serde_json::json!({"type": "hours", "hours": 6,
            "anchor": "2026-01-05T00:00", "timezone": "UTC"}));
        assert_eq!(
            every_six.next_after(at("2026-01-05T00:00:00Z")),
            Some(at("2026-01-05T06:00:00Z"))
        );
        assert_eq!(
            every_six.next_after(at("2026-01-05T05:59:59Z")),
            Some(at("2026-01-05T06:00:00Z"))
        );
    }

    #[test]
    fn hours_before_the_anchor_start_at_the_anchor() {
        let every_six = compile(serde_json::json!({"type": "hours", "hours": 6,
            "anchor": "2026-01-05T00:00", "timezone": "UTC"}));
        assert_eq!(
            every_six.next_after(at("2025-12-31T00:00:00Z")),
            Some(at("2026-01-05T00:00:00Z"))
        );
    }

    #[test]
    fn hours_shift_the_local_hour_across_a_dst_change() {
        let daily = compile(serde_json::json!({"type": "hours", "hours": 24,
            "anchor": "2025-03-08T09:00", "timezone": "America/New_York"}));
        let fire = daily.next_after(at("2025-03-09T12:00:00Z")).expect("fires");
        assert_eq!(fire, at("2025-03-09T14:00:00Z"));
        assert_eq!(
            fire.with_timezone(&daily.timezone())
                .format("%H:%M")
                .to_string(),
            "10:00"
        );
    }

    #[test]
    fn a_sub_second_instant_still_gets_the_next_fire_strictly_after_it() {
        let daily = compile(serde_json::json!({"type": "time_of_day", "time": "09:00",
            "timezone": "UTC"}));
        let just_after = at("2025-06-01T09:00:00.5Z");
        assert_eq!(
            daily.next_after(just_after),
            Some(at("2025-06-02T09:00:00Z"))
        );
    }
}
