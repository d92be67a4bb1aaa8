//! The smallest gap between consecutive fires (SPEC §4 rule 7), and the account minimum.
//!
//! Judged on real instants over at least four years including a 29 February. Walking every
//! fire of `*/2 * * * *` for four years is a million steps, so the walk goes by local days: a
//! matching day with no offset change near it fires at its civil times minus one offset, so its
//! gaps are known at once; only days near a change are walked fire by fire with `next_after`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use crate::civil::{civil_from, date_of, is_leap_year};
use crate::compiled::{CompiledSchedule, Kind};
use crate::wallclock::WallClock;
use crate::zone::{civil_of, offset_at};
use crate::{Result, ScheduleError};

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// Four years of days plus one, so a window starting on any day holds four of each date.
const HORIZON_DAYS: i64 = 4 * 365 + 2;

/// The two consecutive fires closest together, and their distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct MinInterval {
    /// Real seconds between the two fires.
    pub seconds: i64,
    /// The earlier fire.
    pub first: DateTime<Utc>,
    /// The fire right after it.
    pub second: DateTime<Utc>,
}

impl CompiledSchedule {
    /// The smallest gap between consecutive fires after `from`, over a horizon of at least
    /// four years that includes a 29 February. Ties go to the earliest pair. `None` when the
    /// schedule fires at most once in the horizon.
    pub fn min_interval(&self, from: DateTime<Utc>) -> Option<MinInterval> {
        let from = from.timestamp();
        let end = horizon_end(from)?;
        let (seconds, first, second) = match &self.kind {
            Kind::Every(every) => {
                let first = self.next_after_seconds(from)?;
                let second = first + every.period;
                (second <= end).then_some((every.period, first, second))?
            }
            Kind::Wall(wall) => closest_wall_clock_fires(wall, from, end)?,
        };
        Some(MinInterval {
            seconds,
            first: DateTime::from_timestamp(first, 0)?,
            second: DateTime::from_timestamp(second, 0)?,
        })
    }
}

/// Enforces the account's minimum interval between runs (SPEC §4 rule 7); 0 means no minimum.
///
/// # Errors
///
/// When two consecutive fires within the horizon from `now` are closer than
/// `min_interval_hours`: an error on `expression` (cron), `hours` or `schedule` naming both
/// fires in local time and UTC.
pub fn validate_min_interval(
    compiled: &CompiledSchedule,
    min_interval_hours: u32,
    now: DateTime<Utc>,
) -> Result<()> {
    if min_interval_hours == 0 {
        return Ok(());
    }
    let minimum = i64::from(min_interval_hours) * HOUR;
    let Some(closest) = compiled.min_interval(now) else {
        return Ok(());
    };
    if closest.seconds >= minimum {
        return Ok(());
    }

    let tz = compiled.timezone();
    Err(ScheduleError::new(
        compiled.interval_field,
        format!(
            "runs at {} and {} are only {} apart; the minimum interval between runs for this \
             account is {}",
            local_and_utc(closest.first, tz),
            local_and_utc(closest.second, tz),
            words(closest.seconds),
            words(minimum),
        ),
    ))
}

fn local_and_utc(instant: DateTime<Utc>, tz: Tz) -> String {
    let local = instant.with_timezone(&tz);
    format!(
        "{} ({})",
        local.format("%Y-%m-%d %H:%M %:z"),
        instant.format("%Y-%m-%dT%H:%M:%SZ")
    )
}

/// `5400` → `1 hour 30 minutes`.
fn words(seconds: i64) -> String {
    let parts = [
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
        (1, "second"),
    ];
    let mut rest = seconds;
    let mut out = Vec::new();
    for (unit, name) in parts {
        let count = rest / unit;
        rest %= unit;
        if count > 0 {
            let plural = if count == 1 { "" } else { "s" };
            out.push(format!("{count} {name}{plural}"));
        }
    }
    if out.is_empty() {
        "0 seconds".into()
    } else {
        out.join(" ")
    }
}

/// At least four years after `from`, stretched to the day after the next 29 February when the
/// four years hold none (they do not when they span 2100, which is not a leap year).
fn horizon_end(from: i64) -> Option<i64> {
    let four_years = from.checked_add(HORIZON_DAYS * DAY)?;
    let start = DateTime::from_timestamp(from, 0)?.date_naive();
    let leap_day = (start.year()..start.year() + 9)
        .filter(|year| is_leap_year(*year))
        .filter_map(|year| NaiveDate::from_ymd_opt(year, 2, 29))
        .find(|day| *day >= start)?;
    let after_leap_day = civil_from(leap_day, 0) + 2 * DAY;
    Some(four_years.max(after_leap_day))
}

/// The running closest pair of a stream of fires in time order.
struct Closest {
    previous: i64,
    best: Option<(i64, i64, i64)>,
}

impl Closest {
    fn push(&mut self, fire: i64) {
        self.consider(self.previous, fire);
        self.previous = fire;
    }

    fn consider(&mut self, first: i64, second: i64) {
        let gap = second - first;
        if self.best.is_none_or(|(best, _, _)| gap < best) {
            self.best = Some((gap, first, second));
        }
    }

    /// Fires are whole minutes in every offset in use, so nothing can beat one minute.
    fn cannot_improve(&self) -> bool {
        self.best.is_some_and(|(gap, _, _)| gap <= MINUTE)
    }
}

fn closest_wall_clock_fires(wall: &WallClock, from: i64, end: i64) -> Option<(i64, i64, i64)> {
    let first = wall.next_after(from)?;
    let mut closest = Closest {
        previous: first,
        best: None,
    };
    let times = wall.pattern.times();
    let tightest_in_a_day = tightest_pair(times);

    // Fires after `first` on its own day are walked one by one before the first steady day.
    let mut walk_pending = true;
    let mut date = date_of(civil_of(wall.tz, first))?.succ_opt()?;
    // The horizon's last local day may be cut by `end`; the final walk covers it exactly.
    let last_date = date_of(civil_of(wall.tz, end))?.pred_opt()?;
    while date <= last_date && !closest.cannot_improve() {
        if wall.pattern.matches_day(date) {
            match steady_offset(wall.tz, date) {
                Some(offset) => {
                    let midnight = civil_from(date, 0) - offset;
                    let at = |index: usize| midnight + i64::from(times[index]) * MINUTE;
                    if walk_pending {
                        walk(wall, &mut closest, at(0));
                        walk_pending = false;
                    }
                    closest.push(at(0));
                    if let Some(index) = tightest_in_a_day {
                        closest.consider(at(index), at(index + 1));
                    }
                    closest.previous = at(times.len() - 1);
                }
                None => walk_pending = true,
            }
        }
        date = date.succ_opt()?;
    }
    walk(wall, &mut closest, end + 1);
    closest.best
}

/// Pushes every fire after `closest.previous` and before `until`, exactly.
fn walk(wall: &WallClock, closest: &mut Closest, until: i64) {
    while let Some(fire) = wall.next_after(closest.previous) {
        if fire >= until || closest.cannot_improve() {
            return;
        }
        closest.push(fire);
    }
}

/// The offset of local `date` when no offset change happens from the day before it to the
/// day after it, so that its fires and its neighbours' keep their civil order.
fn steady_offset(tz: Tz, date: NaiveDate) -> Option<i64> {
    let midnight = civil_from(date, 0);
    // 15 h beyond the three days covers any offset the zone can have.
    let before = offset_at(tz, midnight - DAY - 15 * HOUR);
    let after = offset_at(tz, midnight + 2 * DAY + 15 * HOUR);
    (before == after).then_some(before)
}

/// Index of the first of the two closest consecutive times of a day.
fn tightest_pair(times: &[u16]) -> Option<usize> {
    (0..times.len().saturating_sub(1)).min_by_key(|index| times[index + 1] - times[*index])
}

#[cfg(test)]
mod tests;
