//! Reading ffmpeg `silencedetect` reports and turning them into a trim plan.
//!
//! Pure functions over text and numbers; running ffmpeg is the caller's job.

use crate::trim::{Container, KeepReason, TrimPlan, TrimSettings};

/// How far from the very start or end a silence may begin or stop and still count as
/// "leading" or "trailing": audio streams start a few milliseconds late (encoder priming) and
/// silencedetect reports its last `silence_end` slightly past the container's duration.
const EDGE_TOLERANCE_SECONDS: f64 = 0.5;

/// A cut that would remove less than this in total is not worth rewriting the file.
const MIN_GAIN_SECONDS: f64 = 1.0;

/// One silent stretch, in seconds from the start of the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Silence {
    pub start: f64,
    /// `None` when the file ended inside the silence and ffmpeg printed no end.
    pub end: Option<f64>,
}

/// Collects the silences that `silencedetect` printed on stderr, in order.
///
/// Lines look like `[silencedetect @ 0x…] silence_start: 18.0187` and
/// `[silencedetect @ 0x…] silence_end: 24.0094 | silence_duration: 5.99075`; anything else is
/// ignored.
pub(crate) fn parse(stderr: &str) -> Vec<Silence> {
    let mut silences: Vec<Silence> = Vec::new();
    for line in stderr.lines() {
        if let Some(start) = value_after(line, "silence_start:") {
            silences.push(Silence { start, end: None });
        } else if let Some(end) = value_after(line, "silence_end:")
            && let Some(open) = silences.last_mut().filter(|s| s.end.is_none())
        {
            open.end = Some(end);
        }
    }
    silences
}

/// The number that follows `key` on `line`, up to the next space or `|`.
fn value_after(line: &str, key: &str) -> Option<f64> {
    let (_, rest) = line.split_once(key)?;
    let number = rest.trim_start().split([' ', '|']).next()?;
    number.parse().ok().filter(|n: &f64| n.is_finite())
}

/// What the start of a window says about the leading silence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Head {
    /// The window starts with sound.
    Sound,
    /// The window starts with silence that ends at this second.
    SilenceUntil(f64),
    /// The window is silent to its end; a longer window may tell more.
    SilentThroughout,
}

/// What the end of a window says about the trailing silence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tail {
    /// The window ends with sound.
    Sound,
    /// The window ends with silence that starts at this second (from the window's start).
    SilenceFrom(f64),
    /// The window is silent from its start; a longer window may tell more.
    SilentThroughout,
}

/// Reads the leading silence from the silences of a window `window` seconds long.
pub(crate) fn head(silences: &[Silence], window: f64) -> Head {
    match silences.first() {
        Some(first) if first.start <= EDGE_TOLERANCE_SECONDS => match first.end {
            Some(end) if end < window - EDGE_TOLERANCE_SECONDS => Head::SilenceUntil(end),
            _ => Head::SilentThroughout,
        },
        _ => Head::Sound,
    }
}

/// Reads the trailing silence from the silences of a window `window` seconds long.
pub(crate) fn tail(silences: &[Silence], window: f64) -> Tail {
    let runs_to_end = |s: &&Silence| s.end.is_none_or(|e| e >= window - EDGE_TOLERANCE_SECONDS);
    match silences.last().filter(runs_to_end) {
        Some(last) if last.start > EDGE_TOLERANCE_SECONDS => Tail::SilenceFrom(last.start),
        Some(_) => Tail::SilentThroughout,
        None => Tail::Sound,
    }
}

/// Decides what to keep of a file `duration` seconds long from what its edges hold; a cut is
/// to be written into `container`. `tail` counts from the start of the file.
pub(crate) fn plan(
    head: Head,
    tail: Tail,
    duration: f64,
    container: Container,
    settings: &TrimSettings,
) -> TrimPlan {
    let audible_start = match head {
        Head::SilentThroughout => return TrimPlan::AllSilent,
        Head::SilenceUntil(end) => end,
        Head::Sound => 0.0,
    };
    let audible_end = match tail {
        Tail::SilentThroughout => return TrimPlan::AllSilent,
        Tail::SilenceFrom(start) => start,
        Tail::Sound => duration,
    };
    if (head, tail) == (Head::Sound, Tail::Sound) {
        return TrimPlan::Keep {
            reason: KeepReason::NoSilence,
        };
    }
    if audible_start >= audible_end {
        return TrimPlan::AllSilent;
    }

    let start = (audible_start - settings.padding_before_seconds).max(0.0);
    let end = (audible_end + settings.padding_after_seconds).min(duration);
    if start + (duration - end) < MIN_GAIN_SECONDS {
        return TrimPlan::Keep {
            reason: KeepReason::NothingWorthCutting,
        };
    }
    TrimPlan::Cut {
        start_seconds: start,
        end_seconds: end,
        container,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn silence(start: f64, end: Option<f64>) -> Silence {
        Silence { start, end }
    }

    /// The plan for a 24 s MP4 recording scanned whole, as one window.
    fn plan24(silences: &[Silence], settings: &TrimSettings) -> TrimPlan {
        let (head, tail) = (head(silences, 24.0), tail(silences, 24.0));
        plan(head, tail, 24.0, Container::Mp4, settings)
    }

    fn cut(start_seconds: f64, end_seconds: f64) -> TrimPlan {
        TrimPlan::Cut {
            start_seconds,
            end_seconds,
            container: Container::Mp4,
        }
    }

    fn unpadded() -> TrimSettings {
        TrimSettings {
            padding_before_seconds: 0.0,
            padding_after_seconds: 0.0,
            ..TrimSettings::default()
        }
    }

    #[test]
    fn parses_ffmpeg_silencedetect_lines() {
        let stderr = "\
[silencedetect @ 0x55] silence_start: 0
[silencedetect @ 0x55] silence_end: 8.01088 | silence_duration: 8.01088
size=N/A time=00:00:10.00 bitrate=N/A speed= 126x
[silencedetect @ 0x55] silence_start: 18.0187
[silencedetect @ 0x55] silence_end: 24.0094 | silence_duration: 5.99075
";

        let silences = parse(stderr);

        assert_eq!(
            silences,
            vec![silence(0.0, Some(8.01088)), silence(18.0187, Some(24.0094))]
        );
    }

    #[test]
    fn a_silence_without_an_end_stays_open() {
        let silences = parse("[silencedetect @ 0x1] silence_start: -0.0213\n");

        assert_eq!(silences, vec![silence(-0.0213, None)]);
    }

    #[test]
    fn leading_and_trailing_silence_are_cut_with_padding() {
        let silences = [silence(0.0, Some(8.0)), silence(18.0, Some(24.0))];

        let plan = plan24(&silences, &TrimSettings::default());

        assert_eq!(plan, cut(3.0, 23.0));
    }

    #[test]
    fn padding_never_reaches_outside_the_file() {
        let silences = [silence(0.0, Some(3.0)), silence(20.0, None)];
        let settings = TrimSettings {
            padding_before_seconds: 5.0,
            padding_after_seconds: 10.0,
            ..TrimSettings::default()
        };

        let plan = plan24(&silences, &settings);

        assert_eq!(
            plan,
            TrimPlan::Keep {
                reason: KeepReason::NothingWorthCutting
            }
        );
    }

    #[test]
    fn silence_in_the_middle_is_kept() {
        let silences = [silence(5.0, Some(9.0))];

        assert_eq!(
            plan24(&silences, &unpadded()),
            TrimPlan::Keep {
                reason: KeepReason::NoSilence
            }
        );
    }

    #[test]
    fn only_the_edges_are_cut_when_there_is_silence_in_the_middle_too() {
        let silences = [
            silence(0.0, Some(4.0)),
            silence(10.0, Some(13.0)),
            silence(20.0, Some(24.01)),
        ];

        assert_eq!(plan24(&silences, &unpadded()), cut(4.0, 20.0));
    }

    #[test]
    fn one_silence_over_the_whole_file_is_all_silent() {
        let open_ended = [silence(0.0, None)];
        let closed = [silence(-0.02, Some(24.01))];

        assert_eq!(plan24(&open_ended, &unpadded()), TrimPlan::AllSilent);
        assert_eq!(plan24(&closed, &unpadded()), TrimPlan::AllSilent);
    }

    #[test]
    fn a_trailing_silence_alone_moves_only_the_end() {
        let silences = [silence(15.0, Some(24.0))];

        assert_eq!(plan24(&silences, &unpadded()), cut(0.0, 15.0));
    }

    #[test]
    fn a_window_that_ends_in_the_leading_silence_asks_for_more() {
        let silences = [silence(0.0, Some(120.0))];

        assert_eq!(head(&silences, 120.0), Head::SilentThroughout);
        assert_eq!(head(&silences, 480.0), Head::SilenceUntil(120.0));
    }

    #[test]
    fn a_tail_window_that_starts_in_the_trailing_silence_asks_for_more() {
        let silences = [silence(0.0, Some(120.01))];

        assert_eq!(tail(&silences, 120.0), Tail::SilentThroughout);
    }

    #[test]
    fn a_tail_window_reports_where_the_trailing_silence_starts() {
        let silences = [silence(3.0, Some(10.0)), silence(90.0, None)];

        assert_eq!(tail(&silences, 120.0), Tail::SilenceFrom(90.0));
        assert_eq!(head(&silences, 120.0), Head::Sound);
    }

    #[test]
    fn edges_that_meet_mean_all_silent() {
        let plan = plan(
            Head::SilenceUntil(50.0),
            Tail::SilenceFrom(40.0),
            100.0,
            Container::Mp4,
            &unpadded(),
        );

        assert_eq!(plan, TrimPlan::AllSilent);
    }
}
