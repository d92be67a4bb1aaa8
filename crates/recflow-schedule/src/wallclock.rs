//! Next fire of a wall-clock schedule in its zone, under SPEC §4 rules 1–4: a gap time is read
//! with the offset before the gap, a repeated time fires at its first instant (both instants
//! when the cron hour field starts with `*`), equal instants are one fire.
//!
//! Pure arithmetic on civil and instant seconds; which civil minutes match is `civil`'s job.

use chrono_tz::Tz;

use crate::civil::Pattern;
use crate::zone::{Local, local, offset_at};

/// Longer than any single offset change in the tz database (Samoa's 24 h jump in 2011).
pub(crate) const NEAR: i64 = 26 * 3600;

/// A civil-time pattern evaluated in one zone.
#[derive(Debug, Clone)]
pub(crate) struct WallClock {
    pub(crate) tz: Tz,
    pub(crate) pattern: Pattern,
}

impl WallClock {
    /// The first fire strictly after instant `after` (seconds), `None` if there is none within
    /// the 400-year search bound.
    ///
    /// Away from an offset change, fires keep the civil order, so the answer is the first civil
    /// match after `after`'s wall-clock time, at a constant offset. Near a change two things
    /// break that order and both are handled: a civil time already passed on the wall clock can
    /// still be ahead in real time (the second pass of an overlap, or a gap time read with the
    /// old offset), and a shifted gap time can come after the next civil match past the gap.
    /// Changes are found by comparing offsets [`NEAR`] apart; two changes within a day that
    /// cancel each other would go unseen, and no zone has had such a pair.
    pub(crate) fn next_after(&self, after: i64) -> Option<i64> {
        let offset = offset_at(self.tz, after);
        let civil = after + offset;
        let earlier = offset_at(self.tz, after - NEAR);
        let later = offset_at(self.tz, after + NEAR);
        let settled = earlier == offset && later == offset;

        let pending = if settled {
            None
        } else {
            self.passed_on_the_wall_but_pending(after, civil, [earlier, offset, later])
        };
        let upcoming = self.first_after_civil(after, civil, settled.then_some(offset));
        match (pending, upcoming) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Fires of civil minutes at or before `civil` that are still after `after` in real time.
    /// They exist only within one offset change of a transition.
    fn passed_on_the_wall_but_pending(
        &self,
        after: i64,
        civil: i64,
        offsets: [i64; 3],
    ) -> Option<i64> {
        let spread = offsets.iter().max()? - offsets.iter().min()?;
        let offset = offsets[1];
        if offset_at(self.tz, after - spread) == offset
            && offset_at(self.tz, after + spread) == offset
        {
            return None;
        }

        let mut best: Option<i64> = None;
        let mut cursor = civil - spread - 1;
        while let Some(minute) = self.pattern.next_match(cursor) {
            if minute > civil {
                break;
            }
            for instant in self.instants(minute).into_iter().flatten() {
                if instant > after && best.is_none_or(|b| instant < b) {
                    best = Some(instant);
                }
            }
            cursor = minute;
        }
        best
    }

    /// The earliest fire of the civil minutes after `civil`. `steady` is the offset when no
    /// offset change lies within [`NEAR`] of `after`, which saves looking the zone up again.
    fn first_after_civil(&self, after: i64, civil: i64, steady: Option<i64>) -> Option<i64> {
        let mut cursor = civil;
        loop {
            let minute = self.pattern.next_match(cursor)?;
            if let Some(offset) = steady
                && minute - civil < NEAR
            {
                return Some(minute - offset);
            }

            match local(self.tz, minute) {
                Local::Single(instant) if instant > after => return Some(instant),
                Local::Single(_) => {}
                Local::Twice(first, second) => {
                    if first > after {
                        return Some(first);
                    }
                    if self.pattern.every_pass() && second > after {
                        return Some(second);
                    }
                }
                Local::Gap { shifted, end_civil } => {
                    if let Some(fire) = self.earliest_around_gap(after, shifted, end_civil) {
                        return Some(fire);
                    }
                }
            }
            cursor = minute;
        }
    }

    /// A gap time read with the old offset lands after the gap's end on the wall clock, so a
    /// civil match just after the gap can be the earlier fire (SPEC §4 rule 2 with rule 4).
    fn earliest_around_gap(&self, after: i64, shifted: i64, end_civil: i64) -> Option<i64> {
        let after_gap = self
            .pattern
            .next_match(end_civil - 1)
            .and_then(|minute| self.instants(minute)[0]);
        [Some(shifted), after_gap]
            .into_iter()
            .flatten()
            .filter(|instant| *instant > after)
            .min()
    }

    /// The fire instants of one matching civil minute, earliest first.
    pub(crate) fn instants(&self, civil: i64) -> [Option<i64>; 2] {
        match local(self.tz, civil) {
            Local::Single(instant) => [Some(instant), None],
            Local::Twice(first, second) => {
                [Some(first), self.pattern.every_pass().then_some(second)]
            }
            Local::Gap { shifted, .. } => [Some(shifted), None],
        }
    }
}

#[cfg(test)]
mod tests;
