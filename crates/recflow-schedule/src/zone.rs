//! Time zones: which names a schedule may use, and how a wall-clock time maps to real instants.
//!
//! Everything here works on whole seconds: an *instant* is seconds since the Unix epoch, a
//! *civil* time is the wall-clock reading written as if it were UTC (so `civil - offset` is the
//! instant). This module knows nothing about schedules; it must not decide which fires happen.

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{GapInfo, TZ_VARIANTS, Tz};

use crate::{Result, ScheduleError};

/// Parses a schedule's `timezone` under the naming policy of SPEC §4.
///
/// Accepted: `UTC` and IANA `Area/Location` names (`Europe/Berlin`, also old links such as
/// `US/Eastern`, which still name a place). Rejected: abbreviations and single-word aliases
/// (`EST`, `MSK`, `CET`, `GMT`, `Japan`), every `Etc/…` name (fixed offsets whose sign is the
/// reverse of what most people expect: `Etc/GMT+3` is UTC−3), offset spellings (`GMT+3`,
/// `UTC+3`) and unknown names. Matching is exact; a wrong capitalisation gets a suggestion.
///
/// # Errors
///
/// A [`ScheduleError`] on field `timezone` saying why the name is not accepted.
pub fn parse_zone(name: &str) -> Result<Tz> {
    let reject = |message: String| ScheduleError::new("timezone", message);
    if name.trim().is_empty() {
        return Err(reject(
            "must not be empty; use an IANA name such as Europe/Berlin".into(),
        ));
    }

    match Tz::from_str(name) {
        Ok(tz) if names_a_place(name) => Ok(tz),
        Ok(_) if name.starts_with("Etc/") => Err(reject(format!(
            "`{name}` is a fixed UTC offset, not a place (and `Etc/GMT+3` means UTC-3); \
             use the location's zone such as America/Sao_Paulo, or UTC"
        ))),
        Ok(_) => Err(reject(abbreviation_message(name))),
        Err(_) => Err(reject(unknown_zone_message(name))),
    }
}

/// `UTC`, or an `Area/Location` name that follows a place's rules over time.
fn names_a_place(name: &str) -> bool {
    name == "UTC" || (name.contains('/') && !name.starts_with("Etc/"))
}

fn abbreviation_message(name: &str) -> String {
    format!(
        "`{name}` is an abbreviation or legacy alias, not an IANA Area/Location name; \
         use a name such as America/New_York, Europe/Moscow or UTC"
    )
}

fn unknown_zone_message(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let same_but_case = TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().to_ascii_lowercase() == lower && names_a_place(tz.name()));
    if let Some(tz) = same_but_case {
        return format!("unknown time zone `{name}`; did you mean `{}`?", tz.name());
    }
    if name.contains(['+', '-']) && !name.contains('/') {
        return format!(
            "`{name}` is a UTC offset, not an IANA time zone; use the location's zone such as \
             Europe/Moscow, or UTC"
        );
    }
    if (2..=5).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_uppercase()) {
        return abbreviation_message(name);
    }
    format!("unknown time zone `{name}`; use an IANA name such as Europe/Berlin or UTC")
}

/// Seconds the zone is ahead of UTC at `instant`.
pub(crate) fn offset_at(tz: Tz, instant: i64) -> i64 {
    let Some(utc) = DateTime::from_timestamp(instant, 0) else {
        // Outside chrono's range (±262,000 years) no schedule can fire anyway.
        return 0;
    };
    i64::from(
        tz.offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The wall-clock reading of `instant` in `tz`, as civil seconds.
pub(crate) fn civil_of(tz: Tz, instant: i64) -> i64 {
    instant + offset_at(tz, instant)
}

/// How one civil time exists in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Local {
    /// The civil time happens once, at this instant.
    Single(i64),
    /// The civil time happens twice (fall-back): the earlier and the later instant.
    Twice(i64, i64),
    /// The civil time does not exist (spring-forward).
    Gap {
        /// The civil time read with the offset in force before the gap (SPEC §4 rule 2).
        shifted: i64,
        /// The first civil time after the gap.
        end_civil: i64,
    },
}

/// Finds how civil time `civil` exists in `tz`.
pub(crate) fn local(tz: Tz, civil: i64) -> Local {
    let Some(naive) = naive_of(civil) else {
        return Local::Single(civil);
    };
    match tz.offset_from_local_datetime(&naive) {
        chrono::LocalResult::Single(offset) => Local::Single(civil - seconds(&offset)),
        chrono::LocalResult::Ambiguous(a, b) => {
            let (x, y) = (civil - seconds(&a), civil - seconds(&b));
            Local::Twice(x.min(y), x.max(y))
        }
        chrono::LocalResult::None => gap(tz, civil, &naive),
    }
}

fn gap(tz: Tz, civil: i64, naive: &NaiveDateTime) -> Local {
    let info = GapInfo::new(naive, &tz);
    let before = info
        .as_ref()
        .and_then(|info| info.begin.as_ref())
        .map(|(_, o)| seconds(o));
    let end_civil = info
        .as_ref()
        .and_then(|info| info.end)
        .map(|end| end.naive_local().and_utc().timestamp());
    // chrono-tz always knows both sides of a gap inside its table; the fallbacks only keep
    // this total for impossible inputs.
    let before = before.unwrap_or_else(|| offset_at(tz, civil - 86_400));
    Local::Gap {
        shifted: civil - before,
        end_civil: end_civil.unwrap_or(civil + 60),
    }
}

fn seconds(offset: &impl Offset) -> i64 {
    i64::from(offset.fix().local_minus_utc())
}

/// The civil seconds as a chrono value, `None` outside chrono's range.
pub(crate) fn naive_of(civil: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(civil, 0).map(|utc| utc.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::civil::civil;

    fn instant(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .expect("test instant")
            .timestamp()
    }

    #[test]
    fn canonical_area_location_names_and_utc_are_accepted() {
        for name in [
            "UTC",
            "Europe/Berlin",
            "America/Argentina/Buenos_Aires",
            "US/Eastern",
        ] {
            assert_eq!(parse_zone(name).expect(name).name(), name);
        }
    }

    #[test]
    fn abbreviations_offsets_and_unknown_names_are_rejected_on_the_timezone_field() {
        for name in [
            "EST",
            "MSK",
            "CET",
            "GMT",
            "GMT+3",
            "UTC+3",
            "Etc/GMT+3",
            "Etc/UTC",
            "",
        ] {
            let error = parse_zone(name).expect_err(name);
            assert_eq!(error.field, "timezone", "{name}");
        }
        assert!(parse_zone("Mars/Olympus").is_err());
    }

    #[test]
    fn a_wrongly_capitalised_name_gets_a_suggestion() {
        let error = parse_zone("europe/berlin").expect_err("case matters");
        assert!(
            error.message.contains("`Europe/Berlin`"),
            "{}",
            error.message
        );
        let error = parse_zone("utc").expect_err("case matters");
        assert!(error.message.contains("`UTC`"), "{}", error.message);
    }

    #[test]
    fn an_unknown_abbreviation_is_called_an_abbreviation() {
        let error = parse_zone("MSK").expect_err("not an IANA name");
        assert!(error.message.contains("abbreviation"), "{}", error.message);
    }

    #[test]
    fn a_gap_time_is_read_with_the_offset_before_the_gap() {
        let ny = Tz::America__New_York;
        let gap = local(ny, civil("2025-03-09 02:30"));
        assert_eq!(
            gap,
            Local::Gap {
                shifted: instant("2025-03-09T07:30:00Z"),
                end_civil: civil("2025-03-09 03:00"),
            }
        );
    }

    #[test]
    fn a_half_hour_gap_shifts_by_half_an_hour() {
        let Local::Gap { shifted, .. } = local(Tz::Australia__Lord_Howe, civil("2025-10-05 02:00"))
        else {
            panic!("02:00 is in Lord Howe's gap");
        };
        assert_eq!(shifted, instant("2025-10-04T15:30:00Z"));
    }

    #[test]
    fn a_repeated_time_yields_both_instants_in_order() {
        let twice = local(Tz::America__New_York, civil("2025-11-02 01:30"));
        let expected = (
            instant("2025-11-02T05:30:00Z"),
            instant("2025-11-02T06:30:00Z"),
        );
        assert_eq!(twice, Local::Twice(expected.0, expected.1));
    }
}
