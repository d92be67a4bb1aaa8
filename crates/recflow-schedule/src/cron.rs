//! Cron expressions as a civil-time matcher: which wall-clock minutes match, nothing about zones.
//!
//! `dialect` enforces SPEC §4 rule 5 and names the failing field; croner, a maintained parser,
//! then reads the checked numeric text into per-field sets, copied here into machine words.
//! The search runs on those words, not croner's iterator, which steps through candidate times
//! and applies its own DST policy: we need > 1 million calls per second and our own gap and
//! overlap rules. It jumps months, days and hours by bit scans and stops after one 400-year
//! Gregorian cycle, so it always terminates.

mod describe;
mod dialect;

use chrono::{Datelike, NaiveDate};
use croner::parser::{CronParser, Seconds, Year};

use crate::civil::{civil_from, date_of, days_in_month, minute_of_day};
use dialect::{Expression, Field};

/// Weekday numbers follow cron: 0 = Sunday … 6 = Saturday.
#[derive(Debug, Clone)]
pub(crate) struct CronMatcher {
    minutes: u64,
    hours: u32,
    /// Bit `d` set when day-of-month `d` is listed.
    days: u32,
    /// Bit `m` set when month `m` (1-12) is listed.
    months: u16,
    /// For a month whose 1st is weekday `w`, the days of that month whose weekday is listed.
    weekday_days: [u32; 7],
    /// Day-of-month and day-of-week must both match (either field starts with `*`).
    both_days: bool,
    /// The hour field starts with `*`: a repeated wall-clock time fires in both passes.
    every_pass: bool,
    /// Matching minutes of a day, ascending.
    times: Vec<u16>,
    description: String,
}

impl CronMatcher {
    /// Checks and compiles `text`.
    ///
    /// # Errors
    ///
    /// A message naming the cron field and the problem, or saying the expression never fires.
    pub(crate) fn compile(text: &str) -> Result<Self, String> {
        let expression = Expression::parse(text)?;
        let both_days = expression.field(Field::DayOfMonth).starts_with_star()
            || expression.field(Field::DayOfWeek).starts_with_star();
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .dom_and_dow(both_days)
            .build();
        let cron = parser
            .parse(&expression.to_croner())
            .map_err(|error| format!("could not be read: {error}"))?;
        let pattern = &cron.pattern;

        let weekdays = bits(&pattern.days_of_week.values()) as u8;
        let minutes = bits(&pattern.minutes.values());
        let hours = bits(&pattern.hours.values()) as u32;
        let matcher = Self {
            minutes,
            hours,
            days: bits(&pattern.days.values()) as u32,
            months: bits(&pattern.months.values()) as u16,
            weekday_days: weekday_days(weekdays),
            both_days,
            every_pass: expression.field(Field::Hour).starts_with_star(),
            times: times_of_day(hours, minutes),
            description: describe::describe(&expression),
        };
        if matcher
            .next_match(civil_from(first_day_of_cycle(), 0) - 60)
            .is_none()
        {
            return Err(
                "never fires: no calendar date matches the day-of-month, month and \
                        day-of-week fields together"
                    .into(),
            );
        }
        Ok(matcher)
    }

    /// Whether a repeated wall-clock time fires at both of its instants (SPEC §4 rule 3).
    pub(crate) fn every_pass(&self) -> bool {
        self.every_pass
    }

    /// Matching minutes of any matching day, ascending.
    pub(crate) fn times(&self) -> &[u16] {
        &self.times
    }

    /// The expression in words, without the zone.
    pub(crate) fn description(&self) -> &str {
        &self.description
    }

    /// Whether `date` is a matching day.
    pub(crate) fn matches_day(&self, date: NaiveDate) -> bool {
        self.month_matches(date.month()) && self.day_mask(date) & (1 << date.day()) != 0
    }

    /// The first matching civil minute strictly after `civil`, searching at most one
    /// 400-year cycle (after which the calendar repeats, so nothing later can match either).
    pub(crate) fn next_match(&self, civil: i64) -> Option<i64> {
        let start = civil.div_euclid(60) * 60 + 60;
        let mut date = date_of(start)?;
        let mut minute = minute_of_day(start);
        let last_year = date.year() + 401;

        while date.year() <= last_year {
            if !self.month_matches(date.month()) {
                date = self.next_month_start(date)?;
                minute = 0;
                continue;
            }
            let Some(day) = next_bit(self.day_mask(date).into(), date.day()) else {
                date = self.next_month_start(date)?;
                minute = 0;
                continue;
            };
            if day != date.day() {
                date = date.with_day(day)?;
                minute = 0;
            }
            if let Some(time) = self.time_at_or_after(minute) {
                return Some(civil_from(date, time));
            }
            date = date.succ_opt()?;
            minute = 0;
        }
        None
    }

    fn month_matches(&self, month: u32) -> bool {
        self.months & (1 << month) != 0
    }

    /// Days of `date`'s month that match the two day fields, as bits 1..=31.
    fn day_mask(&self, date: NaiveDate) -> u32 {
        let first = date.with_day(1).unwrap_or(date);
        let by_weekday = self.weekday_days[first.weekday().num_days_from_sunday() as usize];
        let length = days_in_month(date.year(), date.month());
        let in_month = ((1u64 << (length + 1)) - 2) as u32;
        let days = if self.both_days {
            self.days & by_weekday
        } else {
            self.days | by_weekday
        };
        days & in_month
    }

    /// The 1st of the next month that the month field lists.
    fn next_month_start(&self, date: NaiveDate) -> Option<NaiveDate> {
        let months = u64::from(self.months);
        match next_bit(months, date.month() + 1) {
            Some(month) => NaiveDate::from_ymd_opt(date.year(), month, 1),
            None => NaiveDate::from_ymd_opt(date.year() + 1, next_bit(months, 1)?, 1),
        }
    }

    /// The first matching minute of the day at or after `minute`.
    fn time_at_or_after(&self, minute: u32) -> Option<u32> {
        let (hour, within) = (minute / 60, minute % 60);
        if self.hours & (1 << hour) != 0
            && let Some(found) = next_bit(self.minutes, within)
        {
            return Some(hour * 60 + found);
        }
        let next_hour = next_bit(self.hours.into(), hour + 1)?;
        Some(next_hour * 60 + self.minutes.trailing_zeros())
    }
}

/// 2000-01-01 starts a 400-year Gregorian cycle; every date pattern that can ever match
/// matches within the cycle after it.
fn first_day_of_cycle() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("2000-01-01 is a valid date")
}

fn bits(values: &[u16]) -> u64 {
    values
        .iter()
        .filter(|value| **value < 64)
        .fold(0, |acc, value| acc | 1 << value)
}

fn weekday_days(weekdays: u8) -> [u32; 7] {
    let mut table = [0u32; 7];
    for (first, mask) in table.iter_mut().enumerate() {
        for day in 1..=31u32 {
            let weekday = (first as u32 + day - 1) % 7;
            if weekdays & (1 << weekday) != 0 {
                *mask |= 1 << day;
            }
        }
    }
    table
}

fn times_of_day(hours: u32, minutes: u64) -> Vec<u16> {
    (0..24u16)
        .filter(|hour| hours & (1 << hour) != 0)
        .flat_map(|hour| {
            (0..60u16)
                .filter(move |minute| minutes & (1 << minute) != 0)
                .map(move |minute| hour * 60 + minute)
        })
        .collect()
}

/// Lowest set bit at position `from` or above.
fn next_bit(mask: u64, from: u32) -> Option<u32> {
    let rest = mask.checked_shr(from)?;
    (rest != 0).then(|| from + rest.trailing_zeros())
}

#[cfg(test)]
mod tests;
