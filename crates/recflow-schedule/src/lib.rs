//! Schedules of recflow automation jobs (SPEC §4): parse, validate, normalise, and compute fire
//! times in the schedule's own time zone. Pure and I/O-free: no clock is read (callers pass
//! `now`), no database, no logging.
//!
//! Use it in three steps: [`Schedule::normalize`] when a schedule is saved, [`Schedule::compile`]
//! once per job, then [`CompiledSchedule::next_after`] as often as needed (well over a million
//! calls per second, see `BENCHMARKS.md`). [`validate_min_interval`] enforces an account's
//! minimum interval and [`preview`] builds the preview response.
//!
//! ```
//! use chrono::{DateTime, Utc};
//! use recflow_schedule::{Schedule, validate_min_interval};
//!
//! let now: DateTime<Utc> = "2026-03-27T12:00:00Z".parse().expect("instant");
//! let typed = serde_json::json!({"type": "time_of_day", "time": "06:00"});
//! let schedule = Schedule::from_json(typed)?.normalize("Europe/Berlin", now)?;
//! let compiled = schedule.compile()?;
//! validate_min_interval(&compiled, 1, now)?;
//!
//! assert_eq!(compiled.human_readable(), "Daily at 06:00 (Europe/Berlin)");
//! let next = compiled.next_after(now).expect("fires daily");
//! assert_eq!(next.to_rfc3339(), "2026-03-28T05:00:00+00:00");
//! # Ok::<(), recflow_schedule::ScheduleError>(())
//! ```
//!
//! # Time rules
//!
//! Wall-clock schedules are evaluated on the zone's wall clock. A time inside a spring-forward
//! gap is read with the offset in force before the gap (02:30 → 03:30 on a one-hour change,
//! 02:00 → 02:30 on Lord Howe's half-hour change). A time repeated by a fall-back fires once,
//! at its first instant, except in a cron expression whose hour field starts with `*`, which
//! fires at every real instant that matches. Fires at the same instant are one fire. `hours`
//! schedules count elapsed time from their anchor and ignore the wall clock.
//!
//! # Time zone names
//!
//! A schedule's zone must be `UTC` or an IANA `Area/Location` name such as `Europe/Berlin`
//! (old links like `US/Eastern` still name a place and are accepted). Abbreviations and
//! single-word aliases (`EST`, `MSK`, `CET`, `GMT`, `Japan`), offsets (`GMT+3`, `UTC+3`) and all
//! `Etc/…` names are rejected: they do not follow a place's DST rules, and `Etc/GMT+3` means
//! UTC−3, the opposite of what it seems to say. See [`parse_zone`].
//!
//! # Cron
//!
//! Exactly five fields: numbers, `*`, ranges, lists, steps (`a/b` means `a-max/b`), three-letter
//! month and day names in any case, day-of-week 0–7 with 0 and 7 both Sunday, POSIX OR when both
//! day fields are restricted and AND when either starts with `*`. Seconds, years, `L`, `W`, `#`,
//! `?` and `@` macros are rejected with the field named. croner parses the checked text into
//! per-field sets; the search over those sets is our own (see the `cron` module for why).
//!
//! # Known gaps
//!
//! TODO: chrono-tz 0.10 embeds tzdata 2025b with DST transitions listed up to 2099; later fires
//! use the last offset of the table, so DST after 2099 is not applied.
//!
//! TODO: offset changes are detected by comparing offsets a day apart; two changes less than a
//! day apart that cancel each other out would be missed (no zone has had one since 1970).

mod civil;
mod compiled;
mod cron;
mod interval;
mod preview;
mod schedule;
mod wallclock;
mod zone;

use thiserror::Error;

pub use compiled::CompiledSchedule;
pub use interval::{MinInterval, validate_min_interval};
pub use preview::{NextRun, Preview, preview};
pub use schedule::Schedule;
pub use zone::parse_zone;

/// A schedule that cannot be accepted, with the field that is wrong.
///
/// `field` is a path relative to the schedule object (`"timezone"`, `"time"`, `"days[2]"`,
/// `"hours"`, `"anchor"`, `"expression"`, `"type"`, or `"schedule"` when the schedule as a whole
/// is at fault). `message` says what is wrong and, where it helps, what would be accepted; it is
/// written for the person who typed the schedule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct ScheduleError {
    /// Path of the offending field relative to the schedule object.
    pub field: String,
    /// What is wrong, in words for the person who wrote the schedule.
    pub message: String,
}

impl ScheduleError {
    /// Builds an error for `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Result alias used across the crate.
pub type Result<T, E = ScheduleError> = std::result::Result<T, E>;
