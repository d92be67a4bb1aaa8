//! The schedule as users write it (SPEC §4's JSON), its validation and normalisation.
//!
//! Field checks live here and are written for the person who typed the schedule; each error
//! names its field path. Evaluation is `compiled`'s job: this module only builds its inputs.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::civil::Pattern;
use crate::compiled::CompiledSchedule;
use crate::cron::CronMatcher;
use crate::zone::{Local, local, parse_zone};
use crate::{Result, ScheduleError};

/// When a job runs. Discriminated by `type`; `timezone` is an IANA name and is always present
/// once the schedule has been saved (the owner's zone fills it in when omitted).
///
/// Integer fields are wide on purpose so that `"days": [7]` or `"hours": 0` reach validation
/// and get a field-path message rather than a generic JSON error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[schema(example = json!({"type": "weekdays", "days": [0, 2, 4], "time": "09:30",
    "timezone": "America/New_York"}))]
pub enum Schedule {
    /// Every day at `time`, local time.
    #[schema(example = json!({"type": "time_of_day", "time": "06:00",
        "timezone": "Europe/Berlin"}))]
    TimeOfDay {
        /// Local time of day, `HH:MM` from 00:00 to 23:59.
        #[schema(example = "06:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
        time: String,
        /// IANA zone name; the owner's zone when omitted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(example = "Europe/Berlin")]
        timezone: Option<String>,
    },
    /// On the listed weekdays at `time`, local time.
    #[schema(example = json!({"type": "weekdays", "days": [0, 2, 4], "time": "09:30",
        "timezone": "America/New_York"}))]
    Weekdays {
        /// Weekdays, 0 = Monday … 6 = Sunday; 1 to 7 distinct values, stored sorted.
        #[schema(example = json!([0, 2, 4]))]
        days: Vec<i64>,
        /// Local time of day, `HH:MM` from 00:00 to 23:59.
        #[schema(example = "09:30", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
        time: String,
        /// IANA zone name; the owner's zone when omitted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(example = "America/New_York")]
        timezone: Option<String>,
    },
    /// Every `hours` hours of elapsed time from `anchor`, whatever the wall clock does.
    #[schema(example = json!({"type": "hours", "hours": 6, "anchor": "2026-01-05T00:00",
        "timezone": "UTC"}))]
    Hours {
        /// Interval in hours, 1 to 24.
        #[schema(example = 6, minimum = 1, maximum = 24)]
        hours: i64,
        /// Local `YYYY-MM-DDTHH:MM` of the first fire; midnight of the day of saving if omitted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(example = "2026-01-05T00:00")]
        anchor: Option<String>,
        /// IANA zone name the anchor is read in; the owner's zone when omitted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(example = "UTC")]
        timezone: Option<String>,
    },
    /// A five-field cron expression evaluated in local time.
    #[schema(example = json!({"type": "cron", "expression": "0 */13 * * *",
        "timezone": "UTC"}))]
    Cron {
        /// minute hour day-of-month month day-of-week.
        #[schema(example = "0 */13 * * *")]
        expression: String,
        /// IANA zone name; the owner's zone when omitted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(example = "UTC")]
        timezone: Option<String>,
    },
}

impl Schedule {
    /// Reads a schedule from JSON, reporting shape errors with a field path like every other
    /// validation error: `type` for a missing or unknown type, the field's name for an unknown
    /// or missing field, `schedule` otherwise (e.g. a string where a number belongs).
    ///
    /// # Errors
    ///
    /// A [`ScheduleError`] when the JSON is not one of the four schedule shapes.
    pub fn from_json(value: serde_json::Value) -> Result<Schedule> {
        serde_json::from_value(value).map_err(|error| {
            let message = error.to_string();
            let quoted = message.split('`').nth(1).unwrap_or("schedule");
            let field = if message.starts_with("unknown variant") {
                "type"
            } else if message.starts_with("unknown field") || message.starts_with("missing field") {
                quoted
            } else {
                "schedule"
            }
            .to_string();
            ScheduleError::new(field, message)
        })
    }

    /// Validates the schedule and makes it explicit: the zone is set (`default_timezone` when
    /// absent), weekdays are sorted and de-duplicated, and a missing `hours` anchor becomes
    /// local midnight of `now`'s date in the schedule's zone.
    ///
    /// # Errors
    ///
    /// The first invalid field, with its path (`timezone`, `time`, `days[2]`, `hours`,
    /// `anchor`, `expression`).
    pub fn normalize(self, default_timezone: &str, now: DateTime<Utc>) -> Result<Schedule> {
        let zone_name = self.timezone().unwrap_or(default_timezone).to_string();
        let tz = parse_zone(&zone_name)?;
        let timezone = Some(zone_name);

        let normalized = match self {
            Schedule::TimeOfDay { time, .. } => Schedule::TimeOfDay { time, timezone },
            Schedule::Weekdays { days, time, .. } => {
                // Checked before sorting so that an error's index points into the list as typed.
                weekday_mask(&days)?;
                let mut days = days;
                days.sort_unstable();
                days.dedup();
                Schedule::Weekdays {
                    days,
                    time,
                    timezone,
                }
            }
            Schedule::Hours { hours, anchor, .. } => {
                let midnight = || now.with_timezone(&tz).format("%Y-%m-%dT00:00").to_string();
                let anchor = Some(anchor.unwrap_or_else(midnight));
                Schedule::Hours {
                    hours,
                    anchor,
                    timezone,
                }
            }
            Schedule::Cron { expression, .. } => {
                let expression = expression.split_whitespace().collect::<Vec<_>>().join(" ");
                Schedule::Cron {
                    expression,
                    timezone,
                }
            }
        };
        normalized.compile()?;
        Ok(normalized)
    }

    /// Compiles a normalised schedule into an evaluator.
    ///
    /// # Errors
    ///
    /// Any invalid field, or `timezone`/`anchor` missing because the schedule was not
    /// normalised first.
    pub fn compile(&self) -> Result<CompiledSchedule> {
        let tz = match self.timezone() {
            Some(name) => parse_zone(name)?,
            None => return Err(ScheduleError::new("timezone", "is missing")),
        };
        match self {
            Schedule::TimeOfDay { time, .. } => {
                let pattern = Pattern::Daily {
                    time: parse_time(time)?,
                };
                Ok(CompiledSchedule::wall(
                    tz,
                    pattern,
                    format!("Daily at {time}"),
                    "schedule",
                ))
            }
            Schedule::Weekdays { days, time, .. } => {
                let weekdays = weekday_mask(days)?;
                let pattern = Pattern::Weekly {
                    weekdays,
                    time: parse_time(time)?,
                };
                let text = format!("{} at {time}", weekday_names(weekdays));
                Ok(CompiledSchedule::wall(tz, pattern, text, "schedule"))
            }
            Schedule::Hours { hours, anchor, .. } => compile_hours(tz, *hours, anchor.as_deref()),
            Schedule::Cron { expression, .. } => {
                let cron = CronMatcher::compile(expression)
                    .map_err(|message| ScheduleError::new("expression", message))?;
                let text = cron.description().to_string();
                Ok(CompiledSchedule::wall(
                    tz,
                    Pattern::Cron(Box::new(cron)),
                    text,
                    "expression",
                ))
            }
        }
    }

    /// The zone name as written, if any.
    pub fn timezone(&self) -> Option<&str> {
        match self {
            Schedule::TimeOfDay { timezone, .. }
            | Schedule::Weekdays { timezone, .. }
            | Schedule::Hours { timezone, .. }
            | Schedule::Cron { timezone, .. } => timezone.as_deref(),
        }
    }
}

fn compile_hours(tz: Tz, hours: i64, anchor: Option<&str>) -> Result<CompiledSchedule> {
    if !(1..=24).contains(&hours) {
        return Err(ScheduleError::new(
            "hours",
            format!("must be a whole number of hours from 1 to 24, not {hours}"),
        ));
    }
    let Some(anchor) = anchor else {
        return Err(ScheduleError::new("anchor", "is missing"));
    };
    let civil = parse_anchor(anchor)?;
    // An anchor in a gap or overlap is read like any wall-clock time (SPEC §4 rules 2 and 3).
    let start = match local(tz, civil) {
        Local::Single(instant) | Local::Twice(instant, _) => instant,
        Local::Gap { shifted, .. } => shifted,
    };
    let every = match hours {
        1 => "Every hour".to_string(),
        n => format!("Every {n} hours"),
    };
    let text = format!("{every} from {}", anchor.replace('T', " "));
    Ok(CompiledSchedule::every(tz, start, hours * 3600, text))
}

/// Parses a strict `HH:MM` (two digits each, 00:00-23:59) into minutes since midnight.
fn parse_time(text: &str) -> Result<u16> {
    let invalid = || {
        ScheduleError::new(
            "time",
            format!("`{text}` is not a time of day; use HH:MM, e.g. 09:30"),
        )
    };
    let bytes = text.as_bytes();
    let digits_at = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    if bytes.len() != 5 || bytes[2] != b':' || !digits_at(0..2) || !digits_at(3..5) {
        return Err(invalid());
    }
    let hour = u16::from(bytes[0] - b'0') * 10 + u16::from(bytes[1] - b'0');
    let minute = u16::from(bytes[3] - b'0') * 10 + u16::from(bytes[4] - b'0');
    if hour > 23 || minute > 59 {
        return Err(invalid());
    }
    Ok(hour * 60 + minute)
}

/// Parses a strict local `YYYY-MM-DDTHH:MM` into civil seconds.
fn parse_anchor(text: &str) -> Result<i64> {
    let well_formed = text.len() == 16
        && text.bytes().enumerate().all(|(index, byte)| match index {
            4 | 7 => byte == b'-',
            10 => byte == b'T',
            13 => byte == b':',
            _ => byte.is_ascii_digit(),
        });
    let parsed = well_formed
        .then(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok())
        .flatten();
    parsed
        .map(|naive| naive.and_utc().timestamp())
        .ok_or_else(|| {
            ScheduleError::new(
                "anchor",
                format!("`{text}` is not a local date and time; use YYYY-MM-DDTHH:MM"),
            )
        })
}

/// Checks a `days` list and returns it as bits (bit 0 = Monday).
fn weekday_mask(days: &[i64]) -> Result<u8> {
    if days.is_empty() {
        return Err(ScheduleError::new(
            "days",
            "must list at least one weekday (0 = Monday … 6 = Sunday)",
        ));
    }
    let mut mask = 0u8;
    for (index, day) in days.iter().enumerate() {
        if !(0..=6).contains(day) {
            return Err(ScheduleError::new(
                format!("days[{index}]"),
                format!("{day} is not a weekday; use 0 = Monday … 6 = Sunday"),
            ));
        }
        mask |= 1 << day;
    }
    Ok(mask)
}

fn weekday_names(mask: u8) -> String {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let listed: Vec<&str> = (0..7)
        .filter(|day| mask & (1 << day) != 0)
        .map(|day| NAMES[day])
        .collect();
    listed.join(", ")
}

#[cfg(test)]
mod tests;
