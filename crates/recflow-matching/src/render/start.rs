//! The `start` variable of a template: the recording's start in the owner's time zone, printed
//! as `2026-03-09 10:30` by default, with `year`/`month`/`day`/`hour`/`minute` attributes and
//! the `date` and `format` filters. Format strings are parsed before use, so a bad one is a
//! render error instead of a panic inside chrono.

use std::fmt::{self, Write};
use std::sync::Arc;

use chrono::format::StrftimeItems;
use chrono::{DateTime, Datelike, Timelike};
use chrono_tz::Tz;
use minijinja::value::{Object, ObjectRepr, Value};
use minijinja::{Error, ErrorKind};

/// How `{{ start }}` prints without a filter.
const DEFAULT_FORMAT: &str = "%Y-%m-%d %H:%M";

/// Longest format string accepted by the `format` filter, in bytes.
const MAX_FORMAT_LEN: usize = 200;

/// A recording's start in the owner's time zone, as a template value.
#[derive(Debug)]
pub(crate) struct StartTime(DateTime<Tz>);

impl StartTime {
    pub(crate) fn value(start: DateTime<Tz>) -> Value {
        Value::from_object(Self(start))
    }
}

impl Object for StartTime {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let start = &self.0;
        let number = match key.as_str()? {
            "year" => i64::from(start.year()),
            "month" => i64::from(start.month()),
            "day" => i64::from(start.day()),
            "hour" => i64::from(start.hour()),
            "minute" => i64::from(start.minute()),
            _ => return None,
        };
        Some(Value::from(number))
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(DEFAULT_FORMAT))
    }
}

/// `{{ start | date }}`: the local calendar date, `2026-03-09`.
///
/// # Errors
///
/// Fails when applied to anything but `start`.
pub(crate) fn date_filter(value: &Value) -> Result<String, Error> {
    strftime(start_of(value, "date")?, "%Y-%m-%d")
}

/// `{{ start | format("%d.%m.%Y %H:%M") }}`: chrono's strftime syntax; month and day names
/// are English.
///
/// # Errors
///
/// Fails when applied to anything but `start`, or when the format string is invalid.
pub(crate) fn format_filter(value: &Value, format: &str) -> Result<String, Error> {
    strftime(start_of(value, "format")?, format)
}

fn start_of<'a>(value: &'a Value, filter: &str) -> Result<&'a DateTime<Tz>, Error> {
    value
        .downcast_object_ref::<StartTime>()
        .map(|start| &start.0)
        .ok_or_else(|| {
            let message = format!("the {filter} filter applies only to start, not to {value:?}");
            Error::new(ErrorKind::InvalidOperation, message)
        })
}

fn strftime(start: &DateTime<Tz>, format: &str) -> Result<String, Error> {
    let invalid = |why: &str| {
        let message = format!("invalid format string {format:?}: {why}");
        Error::new(ErrorKind::InvalidOperation, message)
    };
    if format.len() > MAX_FORMAT_LEN {
        return Err(invalid(&format!("longer than {MAX_FORMAT_LEN} bytes")));
    }
    let items = StrftimeItems::new(format)
        .parse()
        .map_err(|_| invalid("use strftime codes such as %Y, %m, %d, %H, %M"))?;

    let mut out = String::new();
    write!(out, "{}", start.format_with_items(items.iter()))
        .map_err(|_| invalid("it cannot be applied to this time"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn berlin_start() -> DateTime<Tz> {
        chrono_tz::Europe::Berlin
            .with_ymd_and_hms(2026, 3, 9, 10, 30, 0)
            .single()
            .expect("10:30 on 9 March exists once in Berlin")
    }

    #[test]
    fn an_unknown_strftime_code_is_an_error_not_a_panic() {
        let err = strftime(&berlin_start(), "%Q").expect_err("%Q is no strftime code");

        assert!(
            err.to_string().contains("invalid format string \"%Q\""),
            "{err}"
        );
    }

    #[test]
    fn a_dangling_percent_is_an_error() {
        assert!(strftime(&berlin_start(), "%d.%m.%").is_err());
    }

    #[test]
    fn named_fields_are_english() {
        let text = strftime(&berlin_start(), "%A %d %B").expect("a valid format");

        assert_eq!(text, "Monday 09 March");
    }

    #[test]
    fn the_date_filter_rejects_plain_strings() {
        let err = date_filter(&Value::from("2026-03-09")).expect_err("only start has a date");

        assert!(err.to_string().contains("applies only to start"), "{err}");
    }
}
