//! Splitting a date range into the at-most-one-month windows Zoom's recording list accepts.
//! Zoom silently clamps longer spans, so every request must stay within one month.

use chrono::{Days, Months, NaiveDate};

/// Consecutive, non-overlapping windows covering `[from, to]` (both inclusive), each shorter
/// than one calendar month. Empty when `from` is after `to`.
pub fn month_windows(from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let mut windows = Vec::new();
    let mut start = from;
    while start <= to {
        let month_later = start
            .checked_add_months(Months::new(1))
            .unwrap_or(NaiveDate::MAX);
        let end = month_later
            .checked_sub_days(Days::new(1))
            .unwrap_or(month_later)
            .min(to);
        windows.push((start, end));
        match end.checked_add_days(Days::new(1)) {
            Some(next) => start = next,
            None => break,
        }
    }
    windows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("test dates are valid")
    }

    #[test]
    fn three_calendar_months_become_three_windows() {
        let windows = month_windows(day("2025-01-01"), day("2025-03-31"));

        assert_eq!(
            windows,
            vec![
                (day("2025-01-01"), day("2025-01-31")),
                (day("2025-02-01"), day("2025-02-28")),
                (day("2025-03-01"), day("2025-03-31")),
            ]
        );
    }

    #[test]
    fn a_window_starting_on_the_31st_ends_before_the_next_month_day() {
        let windows = month_windows(day("2025-01-31"), day("2025-03-05"));

        assert_eq!(windows[0], (day("2025-01-31"), day("2025-02-27")));
        assert_eq!(windows.last().map(|w| w.1), Some(day("2025-03-05")));
    }

    #[test]
    fn a_single_day_is_one_window_and_a_reversed_range_is_none() {
        assert_eq!(month_windows(day("2025-05-05"), day("2025-05-05")).len(), 1);
        assert!(month_windows(day("2025-05-06"), day("2025-05-05")).is_empty());
    }
}
