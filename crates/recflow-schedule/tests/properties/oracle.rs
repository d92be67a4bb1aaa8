//! A slow, obviously-correct `next_after` for wall-clock schedules: every civil minute around
//! the instant is matched (croner's own matcher for cron) and mapped to instants with chrono-tz
//! under SPEC §4 rules 2–4. It shares no code with the crate.

use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use recflow_schedule::Schedule;

const MINUTE: i64 = 60;
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// What the scan could establish.
pub enum Found {
    /// The next fire.
    Fire(i64),
    /// No fire up to this instant; the true one is later.
    NotWithin(i64),
}

enum Matcher {
    Time { days: Vec<i64>, minute_of_day: u32 },
    Cron(Box<Cron>),
}

impl Matcher {
    fn matches(&self, civil: &NaiveDateTime) -> bool {
        match self {
            Matcher::Time {
                days,
                minute_of_day,
            } => {
                let weekday = i64::from(civil.weekday().num_days_from_monday());
                days.contains(&weekday) && civil.hour() * 60 + civil.minute() == *minute_of_day
            }
            Matcher::Cron(cron) => cron.is_time_matching(civil).expect("valid civil time"),
        }
    }
}

fn matcher(schedule: &Schedule) -> (Matcher, bool) {
    let time_of = |time: &str| {
        let (h, m) = time.split_once(':').expect("HH:MM");
        h.parse::<u32>().expect("hour") * 60 + m.parse::<u32>().expect("minute")
    };
    match schedule {
        Schedule::TimeOfDay { time, .. } => (
            Matcher::Time {
                days: (0..7).collect(),
                minute_of_day: time_of(time),
            },
            false,
        ),
        Schedule::Weekdays { days, time, .. } => (
            Matcher::Time {
                days: days.clone(),
                minute_of_day: time_of(time),
            },
            false,
        ),
        Schedule::Cron { expression, .. } => {
            let fields: Vec<&str> = expression.split_whitespace().collect();
            let both_days = fields[2].starts_with('*') || fields[4].starts_with('*');
            let cron = CronParser::builder()
                .seconds(Seconds::Disallowed)
                .dom_and_dow(both_days)
                .sloppy_ranges(true)
                .build()
                .parse(expression)
                .expect("croner reads the generated expressions");
            (Matcher::Cron(Box::new(cron)), fields[1].starts_with('*'))
        }
        Schedule::Hours { .. } => unreachable!("the oracle covers wall-clock schedules only"),
    }
}

fn seconds_of(offset: &impl Offset) -> i64 {
    i64::from(offset.fix().local_minus_utc())
}

/// The instants of one matching civil minute under the rules.
fn instants(tz: Tz, civil: i64, every_pass: bool) -> Vec<i64> {
    let naive = |c: i64| {
        DateTime::from_timestamp(c, 0)
            .expect("in range")
            .naive_utc()
    };
    match tz.offset_from_local_datetime(&naive(civil)) {
        LocalResult::Single(offset) => vec![civil - seconds_of(&offset)],
        LocalResult::Ambiguous(a, b) => {
            let (x, y) = (civil - seconds_of(&a), civil - seconds_of(&b));
            if every_pass {
                vec![x.min(y), x.max(y)]
            } else {
                vec![x.min(y)]
            }
        }
        LocalResult::None => {
            // The offset before the gap is the one of the last wall-clock minute that exists.
            let mut earlier = civil - MINUTE;
            loop {
                match tz.offset_from_local_datetime(&naive(earlier)) {
                    LocalResult::Single(offset) => return vec![civil - seconds_of(&offset)],
                    LocalResult::Ambiguous(_, later) => return vec![civil - seconds_of(&later)],
                    LocalResult::None => earlier -= MINUTE,
                }
            }
        }
    }
}

/// The first fire strictly after `after`, by brute force over five days of wall-clock minutes.
pub fn next_after(schedule: &Schedule, after: i64) -> Found {
    let tz: Tz = schedule
        .timezone()
        .expect("normalised")
        .parse()
        .expect("known zone");
    let (matcher, every_pass) = matcher(schedule);
    let utc = DateTime::from_timestamp(after, 0).expect("in range");
    let civil_now = after + seconds_of(&tz.offset_from_utc_datetime(&utc.naive_utc()));

    // Offsets stay within ±26 h of each other, so minutes outside this window map to instants
    // before `after` or later than two days after it.
    let first = (civil_now - 27 * HOUR).div_euclid(MINUTE) * MINUTE;
    let last = civil_now + 4 * DAY;
    let mut best: Option<i64> = None;
    let mut civil = first;
    while civil <= last {
        let naive = DateTime::from_timestamp(civil, 0)
            .expect("in range")
            .naive_utc();
        if matcher.matches(&naive) {
            for instant in instants(tz, civil, every_pass) {
                if instant > after && best.is_none_or(|b| instant < b) {
                    best = Some(instant);
                }
            }
        }
        civil += MINUTE;
    }

    match best {
        Some(fire) if fire <= after + 2 * DAY => Found::Fire(fire),
        _ => Found::NotWithin(after + 2 * DAY),
    }
}
