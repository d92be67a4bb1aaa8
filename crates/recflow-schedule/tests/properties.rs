//! Property tests: random schedules of all four types, tricky zones and instants from 1990 to
//! 2090, half of them placed within a day and a half of an offset change.
//!
//! The strongest property compares `next_after` with an oracle that knows nothing of the
//! crate's shortcuts: it scans every wall-clock minute around the instant, matches it with
//! croner's own matcher, and maps it to instants with chrono-tz under SPEC §4 rules 2–4.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use recflow_schedule::{CompiledSchedule, Schedule};

const ZONES: [&str; 10] = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Africa/Cairo",
    "Asia/Jerusalem",
    "America/Santiago",
    "Pacific/Apia",
    "Asia/Kolkata",
    "UTC",
    "Europe/London",
];
const FROM_1990: i64 = 631_152_000;
const TO_2090: i64 = 3_786_912_000;
const DAY: i64 = 86_400;

fn zone() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(&ZONES[..])
}

fn offset(tz: Tz, instant: i64) -> i64 {
    let utc = DateTime::from_timestamp(instant, 0).expect("instant in range");
    i64::from(
        tz.offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The first offset change after `from` within 400 days, to the second.
fn next_transition(tz: Tz, from: i64) -> Option<i64> {
    let start = offset(tz, from);
    let day = (1..=400).find(|day| offset(tz, from + day * DAY) != start)?;
    let (mut low, mut high) = (from + (day - 1) * DAY, from + day * DAY);
    while high - low > 1 {
        let middle = (low + high) / 2;
        if offset(tz, middle) == start {
            low = middle
        } else {
            high = middle
        }
    }
    Some(high)
}

/// An instant, either anywhere or within 30 hours of an offset change of `zone`.
fn instant_for(zone: &'static str) -> impl Strategy<Value = i64> {
    (FROM_1990..TO_2090, any::<bool>(), -30 * 3600i64..30 * 3600).prop_map(move |(t, near, d)| {
        let tz: Tz = zone.parse().expect("listed zone");
        match near.then(|| next_transition(tz, t)).flatten() {
            Some(transition) => transition + d,
            None => t,
        }
    })
}

fn hh_mm() -> impl Strategy<Value = String> {
    (0..24u8, prop_oneof![Just(0u8), Just(30), Just(45), 0..60u8])
        .prop_map(|(h, m)| format!("{h:02}:{m:02}"))
}

fn numeric_field(min: u8, max: u8, with_single_step: bool) -> BoxedStrategy<String> {
    let mut options = vec![
        Just("*".to_string()).boxed(),
        (2..=max).prop_map(|n| format!("*/{n}")).boxed(),
        (min..=max).prop_map(|v| v.to_string()).boxed(),
        proptest::collection::vec(min..=max, 2..4)
            .prop_map(|vs| vs.iter().map(u8::to_string).collect::<Vec<_>>().join(","))
            .boxed(),
        (min..=max, min..=max)
            .prop_map(|(a, b)| format!("{}-{}", a.min(b), a.max(b)))
            .boxed(),
        (min..=max, min..=max, 1..=max)
            .prop_map(|(a, b, s)| format!("{}-{}/{s}", a.min(b), a.max(b)))
            .boxed(),
    ];
    if with_single_step {
        options.push(
            (min..=max, 1..=max)
                .prop_map(|(a, s)| format!("{a}/{s}"))
                .boxed(),
        );
    }
    proptest::strategy::Union::new(options).boxed()
}

fn day_of_week_field() -> BoxedStrategy<String> {
    const NAMES: [&str; 7] = ["sun", "MON", "Tue", "wed", "THU", "fri", "SAT"];
    prop_oneof![
        3 => numeric_field(0, 7, false),
        1 => proptest::sample::select(&NAMES[..]).prop_map(str::to_string),
        1 => Just("mon-fri".to_string()),
        1 => Just("MON-SUN".to_string()),
    ]
    .boxed()
}

/// Five-field expressions; `a/b` only where croner (with sloppy ranges) reads it like we do.
fn cron_expression() -> impl Strategy<Value = String> {
    let month = prop_oneof![
        4 => Just("*".to_string()),
        2 => numeric_field(1, 12, true),
        1 => Just("jan,Jul".to_string()),
    ];
    let minute = prop_oneof![3 => numeric_field(0, 59, true), 1 => Just("0".to_string())];
    let hour = prop_oneof![2 => numeric_field(0, 23, true), 1 => Just("*".to_string())];
    let dom = prop_oneof![3 => Just("*".to_string()), 2 => numeric_field(1, 31, true)];
    (minute, hour, dom, month, day_of_week_field())
        .prop_map(|(mi, h, dom, mo, dow)| format!("{mi} {h} {dom} {mo} {dow}"))
}

/// `time_of_day` and `weekdays` schedules.
fn daily_schedule(zone: &'static str) -> impl Strategy<Value = Schedule> {
    let timezone = Some(zone.to_string());
    let other = timezone.clone();
    prop_oneof![
        hh_mm().prop_map(move |time| Schedule::TimeOfDay {
            time,
            timezone: timezone.clone()
        }),
        (proptest::collection::vec(0..7i64, 1..8), hh_mm()).prop_map(move |(days, time)| {
            Schedule::Weekdays {
                days,
                time,
                timezone: other.clone(),
            }
        }),
    ]
}

fn wall_clock_schedule(zone: &'static str) -> impl Strategy<Value = Schedule> {
    let timezone = Some(zone.to_string());
    prop_oneof![
        1 => daily_schedule(zone),
        2 => cron_expression().prop_map(move |expression| Schedule::Cron {
            expression,
            timezone: timezone.clone()
        }),
    ]
}

fn any_schedule(zone: &'static str) -> impl Strategy<Value = Schedule> {
    let anchor = (FROM_1990..TO_2090).prop_map(|t| {
        let date = DateTime::from_timestamp(t, 0).expect("in range");
        date.format("%Y-%m-%dT%H:%M").to_string()
    });
    prop_oneof![
        3 => wall_clock_schedule(zone),
        1 => (1..=24i64, anchor).prop_map(move |(hours, anchor)| Schedule::Hours {
            hours,
            anchor: Some(anchor),
            timezone: Some(zone.to_string()),
        }),
    ]
}

/// A zone, a valid compiled schedule in it and an instant.
fn case(
    schedules: fn(&'static str) -> BoxedStrategy<Schedule>,
) -> impl Strategy<Value = (Schedule, CompiledSchedule, i64)> {
    zone().prop_flat_map(move |zone| {
        let compiled = schedules(zone).prop_filter_map("never fires", |schedule| {
            schedule.compile().ok().map(|compiled| (schedule, compiled))
        });
        (compiled, instant_for(zone)).prop_map(|((schedule, compiled), t)| (schedule, compiled, t))
    })
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).expect("in range")
}

fn fires(compiled: &CompiledSchedule, after: i64, count: usize) -> Vec<i64> {
    let mut cursor = at(after);
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        match compiled.next_after(cursor) {
            Some(next) => {
                out.push(next.timestamp());
                cursor = next;
            }
            None => break,
        }
    }
    out
}

#[path = "properties/oracle.rs"]
mod oracle;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fires_come_strictly_after_the_instant_and_keep_increasing(
        (_, compiled, t) in case(|zone| any_schedule(zone).boxed())
    ) {
        let list = fires(&compiled, t, 12);
        prop_assert_eq!(list.len(), 12, "every valid schedule keeps firing");
        prop_assert!(list[0] > t);
        prop_assert!(list.windows(2).all(|pair| pair[0] < pair[1]), "{:?}", list);
    }

    #[test]
    fn asking_from_any_point_between_two_fires_gives_the_later_one(
        (_, compiled, t) in case(|zone| any_schedule(zone).boxed()),
        fraction in 0.0f64..1.0,
    ) {
        let list = fires(&compiled, t, 8);
        for pair in list.windows(2) {
            let between = pair[0] + ((pair[1] - pair[0]) as f64 * fraction) as i64;
            let next = compiled.next_after(at(between)).map(|f| f.timestamp());
            prop_assert_eq!(next, Some(pair[1]), "asked at {}", between);
            let from_just_before = compiled.next_after(at(pair[1] - 1)).map(|f| f.timestamp());
            prop_assert_eq!(from_just_before, Some(pair[1]));
        }
    }

    #[test]
    fn hours_schedules_fire_on_their_grid_of_elapsed_time(
        hours in 1..=24i64, zone in zone(), t in FROM_1990..TO_2090, anchor in FROM_1990..TO_2090,
    ) {
        let anchor_text = at(anchor).format("%Y-%m-%dT%H:%M").to_string();
        let schedule = Schedule::Hours { hours, anchor: Some(anchor_text), timezone: Some(zone.into()) };
        let compiled = schedule.compile().expect("valid");
        let list = fires(&compiled, t, 5);
        prop_assert!(list[0] > t);
        for pair in list.windows(2) {
            prop_assert_eq!(pair[1] - pair[0], hours * 3600);
        }
    }

    #[test]
    fn daily_and_weekday_schedules_fire_once_on_each_matching_local_day(
        (schedule, compiled, t) in case(|zone| daily_schedule(zone).boxed()),
    ) {
        let tz = compiled.timezone();
        let list = fires(&compiled, t, 15);
        let dates: Vec<NaiveDate> =
            list.iter().map(|f| at(*f).with_timezone(&tz).date_naive()).collect();
        prop_assert!(dates.windows(2).all(|d| d[0] < d[1]), "two fires on one day: {:?}", dates);

        let weekdays = match &schedule {
            Schedule::Weekdays { days, .. } => days.clone(),
            _ => (0..7).collect(),
        };
        let mut day = dates[0];
        while day < dates[dates.len() - 1] {
            let matching = weekdays.contains(&i64::from(day.weekday().num_days_from_monday()));
            let exists = tz.offset_from_local_date(&day).single().is_some();
            if matching && exists {
                prop_assert!(dates.contains(&day), "no fire on {} ({:?})", day, dates);
            }
            day = day.succ_opt().expect("in range");
        }
    }

    #[test]
    fn fires_around_offset_changes_agree_with_a_minute_by_minute_scan(
        (schedule, t) in cron_at_a_transition(),
    ) {
        let compiled = schedule.compile().expect("valid");
        for cursor in fires(&compiled, t - 3600, 6).into_iter().chain([t]) {
            let expected = oracle::next_after(&schedule, cursor);
            let got = compiled.next_after(at(cursor)).map(|f| f.timestamp());
            match expected {
                oracle::Found::Fire(fire) => prop_assert_eq!(got, Some(fire), "after {}", cursor),
                oracle::Found::NotWithin(limit) => prop_assert!(got.is_some_and(|g| g > limit)),
            }
        }
    }

    #[test]
    fn next_after_agrees_with_a_minute_by_minute_scan_of_the_wall_clock(
        (schedule, compiled, t) in case(|zone| wall_clock_schedule(zone).boxed()),
    ) {
        let expected = oracle::next_after(&schedule, t);
        let got = compiled.next_after(at(t)).map(|f| f.timestamp());
        match expected {
            oracle::Found::Fire(fire) => prop_assert_eq!(got, Some(fire)),
            oracle::Found::NotWithin(limit) => prop_assert!(got.is_some_and(|g| g > limit)),
        }
    }
}

/// A cron aimed at the wall-clock hours around an offset change of its zone: minute lists in
/// the hour of the change, where gap shifts and repeated hours reorder fires.
fn cron_at_a_transition() -> impl Strategy<Value = (Schedule, i64)> {
    let minutes = proptest::collection::vec(0..60u8, 1..4);
    (
        zone(),
        FROM_1990..TO_2090,
        minutes,
        0..2u8,
        any::<bool>(),
        -3 * 3600i64..3 * 3600,
    )
        .prop_filter_map(
            "zone without changes",
            |(zone, t, minutes, extra, star, d)| {
                let tz: Tz = zone.parse().expect("listed zone");
                let transition = next_transition(tz, t)?;
                let before = transition - 1 + offset(tz, transition - 1);
                let hour = before.rem_euclid(DAY) / 3600;
                let hours = if star {
                    "*".to_string()
                } else {
                    format!("{hour},{}", (hour + i64::from(extra)) % 24)
                };
                let minutes: Vec<String> = minutes.iter().map(u8::to_string).collect();
                let expression = format!("{} {hours} * * *", minutes.join(","));
                let schedule = Schedule::Cron {
                    expression,
                    timezone: Some(zone.into()),
                };
                Some((schedule, transition + d))
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_smallest_gap_agrees_with_walking_every_fire_of_the_horizon(
        (_, compiled, t) in case(|zone| wall_clock_schedule(zone).boxed()),
    ) {
        let t = t.min(TO_2090 - 10 * 365 * DAY);
        let in_a_day = fires(&compiled, t, 50).iter().filter(|f| **f <= t + DAY).count();
        prop_assume!(in_a_day <= 6);

        let end = t + (4 * 365 + 2) * DAY;
        let mut best: Option<(i64, i64)> = None;
        let mut previous = compiled.next_after(at(t)).expect("fires").timestamp();
        while let Some(next) = compiled.next_after(at(previous)).map(|f| f.timestamp()) {
            if next > end { break; }
            if best.is_none_or(|(gap, _)| next - previous < gap) {
                best = Some((next - previous, previous));
            }
            previous = next;
        }
        let got = compiled.min_interval(at(t)).map(|m| (m.seconds, m.first.timestamp()));
        prop_assert_eq!(got, best);
    }

    #[test]
    fn any_accepted_cron_finds_its_next_fire_and_returns(
        expression in cron_expression(), zone in zone(), t in FROM_1990..TO_2090,
    ) {
        let schedule = Schedule::Cron { expression, timezone: Some(zone.into()) };
        if let Ok(compiled) = schedule.compile() {
            prop_assert!(compiled.next_after(at(t)).is_some());
            prop_assert!(compiled.min_interval(at(t)).is_none_or(|m| m.seconds >= 60));
        }
    }
}
