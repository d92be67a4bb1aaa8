//! Cron expressions in English for `human_readable` (SPEC §4 rule 8).
//!
//! Written from the checked expression, so the words follow what was typed: `0 */13 * * *`
//! reads "At minute 0 past every 13th hour", `0 6,7 * * *` reads "At 06:00 and 07:00". The
//! zone is appended by the caller.

use super::dialect::{Base, Expression, Field, Item, ParsedField};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 8] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
/// Beyond this many clock times, "At minute 0 past hour …" reads better than a list.
const MAX_CLOCK_TIMES: usize = 6;

/// The expression in words, e.g. "At 09:00 on Monday through Friday".
pub(crate) fn describe(expression: &Expression) -> String {
    let minute = expression.field(Field::Minute);
    let hour = expression.field(Field::Hour);
    let mut text = match clock_times(minute, hour) {
        Some(times) => format!("At {}", join(&times, "and")),
        None => match phrase(hour, "hour") {
            Some(hours) => format!("At {} past {hours}", minute_phrase(minute)),
            None => format!("At {}", minute_phrase(minute)),
        },
    };

    let day_of_month = phrase(expression.field(Field::DayOfMonth), "day-of-month");
    let day_of_week = phrase(expression.field(Field::DayOfWeek), "day-of-week");
    let both_must_match = expression.field(Field::DayOfMonth).starts_with_star()
        || expression.field(Field::DayOfWeek).starts_with_star();
    match (day_of_month, day_of_week) {
        (Some(dom), Some(dow)) if both_must_match => {
            text.push_str(&format!(" on {dom} if it is also {dow}"));
        }
        (Some(dom), Some(dow)) => text.push_str(&format!(" on {dom} or on {dow}")),
        (Some(days), None) | (None, Some(days)) => text.push_str(&format!(" on {days}")),
        (None, None) => {}
    }
    if let Some(months) = phrase(expression.field(Field::Month), "month") {
        text.push_str(&format!(" in {months}"));
    }
    text
}

/// `HH:MM` times when both fields are plain values and there are only a few of them.
fn clock_times(minute: &ParsedField, hour: &ParsedField) -> Option<Vec<String>> {
    let minutes = plain_values(minute)?;
    let hours = plain_values(hour)?;
    if minutes.len() * hours.len() > MAX_CLOCK_TIMES {
        return None;
    }
    let mut times: Vec<String> = hours
        .iter()
        .flat_map(|h| minutes.iter().map(move |m| format!("{h:02}:{m:02}")))
        .collect();
    times.sort();
    times.dedup();
    Some(times)
}

fn plain_values(field: &ParsedField) -> Option<Vec<u8>> {
    field
        .items
        .iter()
        .map(|item| match (item.base, item.step) {
            (Base::Value(value), None) => Some(value),
            _ => None,
        })
        .collect()
}

fn minute_phrase(minute: &ParsedField) -> String {
    phrase(minute, "minute").unwrap_or_else(|| "every minute".into())
}

/// The field in words, `None` when it is a bare `*` (or `*/1`), which adds nothing.
fn phrase(field: &ParsedField, unit: &str) -> Option<String> {
    match field.items.as_slice() {
        [
            Item {
                base: Base::Any,
                step: None | Some(1),
            },
        ] => None,
        [
            Item {
                base: Base::Any,
                step: Some(step),
            },
        ] => Some(format!("every {} {unit}", ordinal(*step))),
        items => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| item_words(field.field, item))
                .collect();
            let joined = join(&parts, "and");
            Some(match field.field {
                Field::Month | Field::DayOfWeek => joined,
                _ => format!("{unit} {joined}"),
            })
        }
    }
}

fn item_words(field: Field, item: &Item) -> String {
    let base = match item.base {
        Base::Any => String::new(),
        Base::Value(value) => value_name(field, value),
        Base::Range(start, end) => {
            format!(
                "{} through {}",
                value_name(field, start),
                value_name(field, end)
            )
        }
    };
    match (item.step, base.is_empty()) {
        (Some(step), true) => format!("every {}", ordinal(step)),
        (Some(step), false) => format!("every {} from {base}", ordinal(step)),
        (None, _) => base,
    }
}

fn value_name(field: Field, value: u8) -> String {
    let index = usize::from(value);
    match field {
        Field::Month => MONTHS
            .get(index.wrapping_sub(1))
            .map(|name| name.to_string()),
        Field::DayOfWeek => WEEKDAYS.get(index).map(|name| name.to_string()),
        _ => None,
    }
    .unwrap_or_else(|| value.to_string())
}

fn ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn join(parts: &[String], conjunction: &str) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> String {
        describe(&Expression::parse(text).expect("valid expression"))
    }

    #[test]
    fn a_stepped_hour_reads_as_every_nth_hour() {
        assert_eq!(words("0 */13 * * *"), "At minute 0 past every 13th hour");
    }

    #[test]
    fn plain_minutes_and_hours_read_as_clock_times() {
        assert_eq!(words("0 6,7 * * *"), "At 06:00 and 07:00");
        assert_eq!(words("15,45 6 * * *"), "At 06:15 and 06:45");
        assert_eq!(words("30 9 * * 1-5"), "At 09:30 on Monday through Friday");
    }

    #[test]
    fn wildcards_and_steps_read_naturally() {
        assert_eq!(words("* * * * *"), "At every minute");
        assert_eq!(words("*/5 * * * *"), "At every 5th minute");
        assert_eq!(words("0 * * * *"), "At minute 0");
        assert_eq!(
            words("0 0 1 */3 *"),
            "At 00:00 on day-of-month 1 in every 3rd month"
        );
    }

    #[test]
    fn day_fields_say_whether_either_or_both_must_match() {
        assert_eq!(
            words("0 9 1 * MON"),
            "At 09:00 on day-of-month 1 or on Monday"
        );
        assert_eq!(
            words("0 9 */2 * MON"),
            "At 09:00 on every 2nd day-of-month if it is also Monday"
        );
        assert_eq!(
            words("0 0 29 feb *"),
            "At 00:00 on day-of-month 29 in February"
        );
    }

    #[test]
    fn ordinals_use_the_right_suffix() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23].map(ordinal).to_vec();
        let want = [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
        ];
        assert_eq!(got, want);
    }
}
