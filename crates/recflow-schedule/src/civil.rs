//! Wall-clock patterns: which civil minutes a `time_of_day`, `weekdays` or `cron` schedule
//! names, before any time zone is applied.
//!
//! Civil times are seconds counted as if the wall clock were UTC (see `zone`). Nothing here
//! knows about offsets, gaps or overlaps; `wallclock` turns these matches into instants.

use chrono::{Datelike, NaiveDate};

use crate::cron::CronMatcher;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;
const DAY: i64 = 86_400;

/// The civil minutes a wall-clock schedule fires at.
#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    /// Every day at one minute of the day.
    Daily { time: u16 },
    /// On some weekdays (bit 0 = Monday … bit 6 = Sunday) at one minute of the day.
    Weekly { weekdays: u8, time: u16 },
    /// A cron expression.
    Cron(Box<CronMatcher>),
}

impl Pattern {
    /// The first matching civil minute strictly after `civil`.
    pub(crate) fn next_match(&self, civil: i64) -> Option<i64> {
        match self {
            Pattern::Daily { time } => Some(next_daily(civil, *time)),
            Pattern::Weekly { weekdays, time } => next_weekly(civil, *weekdays, *time),
            Pattern::Cron(cron) => cron.next_match(civil),
        }
    }

    /// Whether a repeated wall-clock time fires at both of its instants (SPEC §4 rule 3).
    pub(crate) fn every_pass(&self) -> bool {
        match self {
            Pattern::Cron(cron) => cron.every_pass(),
            _ => false,
        }
    }

    /// Whether any minute of `date` matches.
    pub(crate) fn matches_day(&self, date: NaiveDate) -> bool {
        match self {
            Pattern::Daily { .. } => true,
            Pattern::Weekly { weekdays, .. } => {
                weekdays & (1 << date.weekday().num_days_from_monday()) != 0
            }
            Pattern::Cron(cron) => cron.matches_day(date),
        }
    }

    /// The matching minutes of a matching day, ascending and never empty.
    pub(crate) fn times(&self) -> &[u16] {
        match self {
            Pattern::Daily { time } | Pattern::Weekly { time, .. } => std::slice::from_ref(time),
            Pattern::Cron(cron) => cron.times(),
        }
    }
}

fn next_daily(civil: i64, time: u16) -> i64 {
    let start = civil.div_euclid(60) * 60 + 60;
    let day = start.div_euclid(DAY);
    let fire = day * DAY + i64::from(time) * 60;
    if fire >= start { fire } else { fire + DAY }
}

fn next_weekly(civil: i64, weekdays: u8, time: u16) -> Option<i64> {
    let mut fire = next_daily(civil, time);
    // Eight tries cover a full week from either side of today's time.
    for _ in 0..8 {
        let weekday = (fire.div_euclid(DAY) + 3).rem_euclid(7);
        if weekdays & (1 << weekday) != 0 {
            return Some(fire);
        }
        fire += DAY;
    }
    None
}

/// The civil seconds of `minute` (minutes since midnight) on `date`.
pub(crate) fn civil_from(date: NaiveDate, minute: u32) -> i64 {
    let days = i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE;
    days * DAY + i64::from(minute) * 60
}

/// The date of civil seconds `civil`.
pub(crate) fn date_of(civil: i64) -> Option<NaiveDate> {
    let days = civil.div_euclid(DAY) + UNIX_EPOCH_DAYS_FROM_CE;
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(days).ok()?)
}

/// Whole minutes since midnight of civil seconds `civil`.
pub(crate) fn minute_of_day(civil: i64) -> u32 {
    (civil.rem_euclid(DAY) / 60) as u32
}

/// Length of a month in the proleptic Gregorian calendar.
pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 31,
    }
}

pub(crate) fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Civil seconds of a `YYYY-MM-DD HH:MM` wall-clock reading, for tests.
#[cfg(test)]
pub(crate) fn civil(text: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .expect("test civil time")
        .and_utc()
        .timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_matches_are_strictly_after_the_given_minute() {
        let daily = Pattern::Daily { time: 9 * 60 };
        assert_eq!(
            daily.next_match(civil("2025-06-01 08:59")),
            Some(civil("2025-06-01 09:00"))
        );
        assert_eq!(
            daily.next_match(civil("2025-06-01 09:00")),
            Some(civil("2025-06-02 09:00"))
        );
        assert_eq!(
            daily.next_match(civil("2025-06-01 09:00") - 1),
            Some(civil("2025-06-01 09:00"))
        );
    }

    #[test]
    fn weekly_matches_use_monday_as_bit_zero() {
        let sundays = Pattern::Weekly {
            weekdays: 1 << 6,
            time: 9 * 60,
        };
        // 2025-06-02 is a Monday; the next Sunday is 2025-06-08.
        assert_eq!(
            sundays.next_match(civil("2025-06-02 00:00")),
            Some(civil("2025-06-08 09:00"))
        );
        assert!(sundays.matches_day(NaiveDate::from_ymd_opt(2025, 6, 8).expect("date")));
        assert!(!sundays.matches_day(NaiveDate::from_ymd_opt(2025, 6, 9).expect("date")));
    }

    #[test]
    fn weekly_on_the_same_weekday_after_its_time_goes_to_next_week() {
        let mondays = Pattern::Weekly {
            weekdays: 1,
            time: 9 * 60,
        };
        assert_eq!(
            mondays.next_match(civil("2025-06-02 10:00")),
            Some(civil("2025-06-09 09:00"))
        );
    }

    #[test]
    fn civil_seconds_round_trip_through_dates_before_and_after_1970() {
        for text in ["1969-12-31 23:59", "1970-01-01 00:00", "2100-03-01 12:34"] {
            let seconds = civil(text);
            let date = date_of(seconds).expect("in range");
            assert_eq!(civil_from(date, minute_of_day(seconds)), seconds, "{text}");
        }
    }

    #[test]
    fn february_has_29_days_in_leap_years_only() {
        assert_eq!(days_in_month(2028, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(2025, 4), 30);
    }
}
