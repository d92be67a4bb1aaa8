//! The cron dialect of SPEC §4 rule 5, checked field by field before croner sees the text.
//!
//! croner accepts more than the contract allows (`L`, `W`, `#`, `?`, macros, seconds, years)
//! and its messages do not name the field. This module accepts exactly five fields of numbers,
//! `*`, ranges, lists, steps and three-letter names, says which field is wrong and why, and
//! rewrites the text into plain numbers (names resolved, `a/b` spelled `a-max/b`) for croner.

use std::fmt::Write as _;

/// One of the five cron fields, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

const FIELDS: [Field; 5] = [
    Field::Minute,
    Field::Hour,
    Field::DayOfMonth,
    Field::Month,
    Field::DayOfWeek,
];

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl Field {
    /// The name used in messages and descriptions.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::Minute => "minute",
            Field::Hour => "hour",
            Field::DayOfMonth => "day-of-month",
            Field::Month => "month",
            Field::DayOfWeek => "day-of-week",
        }
    }

    fn min(self) -> u8 {
        match self {
            Field::DayOfMonth | Field::Month => 1,
            _ => 0,
        }
    }

    /// Largest value that may be written; day-of-week takes 7 as a second Sunday.
    fn max(self) -> u8 {
        match self {
            Field::Minute => 59,
            Field::Hour => 23,
            Field::DayOfMonth => 31,
            Field::Month => 12,
            Field::DayOfWeek => 7,
        }
    }

    /// End of the range an `a/b` step runs to. Day-of-week stops at Saturday so that each
    /// weekday is counted once (`1/2` is Mon, Wed, Fri, not also the Sunday spelled 7).
    fn step_end(self) -> u8 {
        match self {
            Field::DayOfWeek => 6,
            other => other.max(),
        }
    }

    fn names(self) -> &'static [&'static str] {
        match self {
            Field::Month => &MONTH_NAMES,
            Field::DayOfWeek => &DAY_NAMES,
            _ => &[],
        }
    }
}

/// The part before an optional `/step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    Any,
    Value(u8),
    Range(u8, u8),
}

/// One comma-separated entry of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) base: Base,
    pub(crate) step: Option<u8>,
}

/// A field as written and as understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedField {
    pub(crate) field: Field,
    pub(crate) text: String,
    pub(crate) items: Vec<Item>,
}

impl ParsedField {
    /// Whether the field is written starting with `*` (`*`, `*/2`), which SPEC §4 gives a
    /// meaning of its own for the hour (rule 3) and the two day fields (rule 5).
    pub(crate) fn starts_with_star(&self) -> bool {
        self.text.starts_with('*')
    }
}

/// A checked five-field expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expression {
    pub(crate) fields: [ParsedField; 5],
}

impl Expression {
    /// Checks `text` against the dialect.
    ///
    /// # Errors
    ///
    /// A message naming the cron field and what is wrong with it.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(
                "is empty; write five fields: minute hour day-of-month month \
                        day-of-week, e.g. `0 9 * * 1-5`"
                    .into(),
            );
        }
        if text.starts_with('@') {
            return Err(format!(
                "macros such as `{}` are not supported; write the five fields instead, \
                 e.g. `0 0 * * *` for every day at midnight",
                text.split_whitespace().next().unwrap_or(text)
            ));
        }

        let parts: Vec<&str> = text.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(field_count_message(parts.len()));
        }
        let mut parsed = Vec::with_capacity(5);
        for (field, part) in FIELDS.into_iter().zip(parts) {
            parsed.push(parse_field(field, part)?);
        }
        let fields: [ParsedField; 5] = parsed
            .try_into()
            .expect("exactly five fields were checked above");
        Ok(Self { fields })
    }

    /// The field at `field`'s position.
    pub(crate) fn field(&self, field: Field) -> &ParsedField {
        &self.fields[field as usize]
    }

    /// The expression in the plain numeric syntax croner reads without surprises.
    pub(crate) fn to_croner(&self) -> String {
        let mut out = String::new();
        for (index, field) in self.fields.iter().enumerate() {
            if index > 0 {
                out.push(' ');
            }
            for (position, item) in field.items.iter().enumerate() {
                if position > 0 {
                    out.push(',');
                }
                write_item(&mut out, item);
            }
        }
        out
    }
}

fn write_item(out: &mut String, item: &Item) {
    // Writing into a String cannot fail.
    let _ = match item.base {
        Base::Any => write!(out, "*"),
        Base::Value(value) => write!(out, "{value}"),
        Base::Range(start, end) => write!(out, "{start}-{end}"),
    };
    if let Some(step) = item.step {
        let _ = write!(out, "/{step}");
    }
}

fn field_count_message(count: usize) -> String {
    let expected = "write exactly five: minute hour day-of-month month day-of-week";
    match count {
        6 | 7 => {
            format!("has {count} fields; seconds and year fields are not supported, {expected}")
        }
        _ => format!("has {count} field(s); {expected}"),
    }
}

fn parse_field(field: Field, text: &str) -> Result<ParsedField, String> {
    let items = text
        .split(',')
        .map(|item| parse_item(field, item))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|problem| format!("{} field `{text}`: {problem}", field.name()))?;
    Ok(ParsedField {
        field,
        text: text.to_string(),
        items,
    })
}

fn parse_item(field: Field, text: &str) -> Result<Item, String> {
    if text.is_empty() {
        return Err("has an empty list entry".into());
    }
    let (base_text, step) = match text.split_once('/') {
        Some((base, step)) => (base, Some(parse_step(field, step)?)),
        None => (text, None),
    };

    let base = if base_text == "*" {
        Base::Any
    } else if let Some((start, end)) = base_text.split_once('-') {
        let start = parse_value(field, start, false)?;
        let end = parse_value(field, end, true)?;
        if start > end {
            return Err(format!(
                "range `{base_text}` runs backwards; write the smaller value first"
            ));
        }
        Base::Range(start, end)
    } else {
        let value = parse_value(field, base_text, false)?;
        match step {
            // SPEC §4 rule 5: `a/b` means `a-max/b`.
            Some(_) => Base::Range(value, field.step_end().max(value)),
            None => Base::Value(value),
        }
    };
    Ok(Item { base, step })
}

fn parse_step(field: Field, text: &str) -> Result<u8, String> {
    let step = parse_number(text).ok_or_else(|| {
        format!("step `{text}` is not a number; write steps like `*/15` or `0-30/5`")
    })?;
    if step == 0 {
        return Err("step 0 never advances; use a step of 1 or more".into());
    }
    if step > field.max() {
        return Err(format!(
            "step {step} is larger than the field's range ({}-{})",
            field.min(),
            field.max()
        ));
    }
    Ok(step)
}

fn parse_value(field: Field, text: &str, range_end: bool) -> Result<u8, String> {
    if let Some(number) = parse_number(text) {
        if number < field.min() || number > field.max() {
            return Err(format!(
                "{number} is out of range; allowed are {}-{}",
                field.min(),
                field.max()
            ));
        }
        return Ok(number);
    }

    let upper = text.to_ascii_uppercase();
    if let Some(index) = field.names().iter().position(|name| *name == upper) {
        let first = field.min() as usize;
        // `MON-SUN` must be a forward range, so a Sunday that ends a range is 7.
        let sunday_as_end = field == Field::DayOfWeek && range_end && index == 0;
        return Ok(if sunday_as_end {
            7
        } else {
            (index + first) as u8
        });
    }
    Err(unsupported_value_message(field, text))
}

fn unsupported_value_message(field: Field, text: &str) -> String {
    let upper = text.to_ascii_uppercase();
    if text.contains('#') {
        "`#` (n-th weekday of the month) is not supported".into()
    } else if text.contains('?') {
        "`?` is not supported; use `*`".into()
    } else if upper.contains('L') && upper.trim_matches(|c: char| c.is_ascii_digit()) == "L"
        || upper == "LW"
    {
        "`L` (last day) is not supported".into()
    } else if upper.contains('W') && upper.trim_matches(|c: char| c.is_ascii_digit()) == "W" {
        "`W` (nearest weekday) is not supported".into()
    } else if text.is_empty() {
        "a range is missing a value".into()
    } else {
        let names = match field {
            Field::Month => " or a month name (JAN-DEC)",
            Field::DayOfWeek => " or a day name (SUN-SAT)",
            _ => "",
        };
        format!("`{text}` is not a number{names}")
    }
}

/// Parses plain ASCII digits only: no sign, no spaces, at most three digits.
fn parse_number(text: &str) -> Option<u8> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<u16>().ok().and_then(|n| u8::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Expression::parse(text).expect_err(text)
    }

    #[test]
    fn names_are_resolved_case_insensitively_and_steps_from_a_value_run_to_the_field_end() {
        let expression = Expression::parse("5/15 9-17 1,15 jan-MAR mon-sun").expect("valid");
        assert_eq!(expression.to_croner(), "5-59/15 9-17 1,15 1-3 1-7");
    }

    #[test]
    fn a_stepped_weekday_start_stops_at_saturday() {
        let expression = Expression::parse("0 0 * * 1/2").expect("valid");
        assert_eq!(expression.to_croner(), "0 0 * * 1-6/2");
    }

    #[test]
    fn seconds_and_year_fields_are_rejected() {
        assert!(error("0 0 9 * * *").contains("seconds and year"));
        assert!(error("0 0 9 * * * 2030").contains("7 fields"));
        assert!(error("0 9 * *").contains("4 field"));
    }

    #[test]
    fn quartz_and_nonstandard_extensions_are_rejected_with_the_field_named() {
        let cases = [
            ("0 9 L * *", "day-of-month", "`L`"),
            ("0 0 31,L * *", "day-of-month", "`L`"),
            ("0 9 15W * *", "day-of-month", "`W`"),
            ("0 9 * * 5#5", "day-of-week", "`#`"),
            ("0 9 ? * MON", "day-of-month", "`?`"),
            ("0 9 * * 5L", "day-of-week", "`L`"),
        ];
        for (text, field, what) in cases {
            let message = error(text);
            assert!(message.starts_with(field), "{text}: {message}");
            assert!(message.contains(what), "{text}: {message}");
        }
    }

    #[test]
    fn macros_are_rejected() {
        assert!(error("@daily").contains("macros"));
        assert!(error("@reboot").contains("`@reboot`"));
    }

    #[test]
    fn out_of_range_values_zero_steps_and_malformed_items_are_rejected() {
        assert!(error("61 * * * *").starts_with("minute field `61`: 61 is out of range"));
        assert!(error("0 24 * * *").starts_with("hour field"));
        assert!(error("0 0 0 * *").starts_with("day-of-month field"));
        assert!(error("0 0 * 13 *").starts_with("month field"));
        assert!(error("0 0 * * 8").starts_with("day-of-week field"));
        assert!(error("*/0 * * * *").contains("step 0"));
        assert!(error("5-2 * * * *").contains("backwards"));
        assert!(error("1,,2 * * * *").contains("empty"));
        assert!(error("a * * * *").contains("not a number"));
        assert!(error("0 0 * MON *").contains("month name"));
        assert!(error("-5 * * * *").contains("missing"));
    }
}
