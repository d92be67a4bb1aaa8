//! Pure firing decisions: which slots of a due job run, which are recorded as missed, and
//! where `next_run_at` moves. No I/O, so every rule of SPEC §9 is unit-tested here.

use chrono::{DateTime, Duration, Utc};
use recflow_schedule::CompiledSchedule;
use recflow_store::Fire;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::automation::model::Policy;

/// A slot this late is still "on time", whatever the catch-up window: the scheduler ticks
/// about once a second and may start a little after a slot.
pub const ON_TIME_GRACE_SECONDS: i64 = 60;

/// At most this many missed slots are recorded per firing; older ones are summarised.
const MAX_RECORDED_SLOTS: usize = 100;

/// What to do with a due job.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub fires: Vec<Fire>,
    pub next_run_at: Option<DateTime<Utc>>,
}

/// Plans the firing of a job whose `next_run_at` is `due` at `now`. Only the latest due slot
/// can run: on time (`schedule`) when it is the only one, as `catch_up` after downtime when
/// it lies within the catch-up window; every other due slot is recorded as `missed`.
pub fn plan(
    schedule: &CompiledSchedule,
    job_id: Uuid,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Plan {
    let mut slots = vec![due];
    let mut skipped_unrecorded = 0usize;
    let mut next = schedule.next_after(due);
    while let Some(slot) = next.filter(|s| *s <= now) {
        slots.push(slot);
        if slots.len() > MAX_RECORDED_SLOTS {
            slots.remove(0);
            skipped_unrecorded += 1;
        }
        next = schedule.next_after(slot);
    }

    let latest = *slots.last().unwrap_or(&due);
    let lag = now - latest;
    let window = Duration::seconds(policy.catch_up_window_seconds.max(ON_TIME_GRACE_SECONDS));
    let single = slots.len() == 1 && skipped_unrecorded == 0;
    let mut fires: Vec<Fire> = slots[..slots.len() - 1]
        .iter()
        .map(|slot| missed(*slot, "missed while no scheduler was running"))
        .collect();
    if let Some(first) = fires.first_mut().filter(|_| skipped_unrecorded > 0) {
        first.reason = Some(format!(
            "missed while no scheduler was running ({skipped_unrecorded} earlier slots were missed too)"
        ));
    }
    fires.push(if lag <= window {
        let trigger = if single { "schedule" } else { "catch_up" };
        Fire {
            scheduled_for: latest,
            trigger: Some(trigger),
            not_before: latest + jitter(job_id, latest, policy.jitter_seconds),
            reason: None,
        }
    } else {
        missed(latest, "missed: older than the catch-up window")
    });
    Plan {
        fires,
        next_run_at: next,
    }
}

fn missed(slot: DateTime<Utc>, reason: &str) -> Fire {
    Fire {
        scheduled_for: slot,
        trigger: None,
        not_before: slot,
        reason: Some(reason.to_owned()),
    }
}

/// A stable pseudo-random delay in `[0, jitter_seconds]` for this job and slot: replicas and
/// restarts compute the same delay.
pub fn jitter(job_id: Uuid, slot: DateTime<Utc>, jitter_seconds: i64) -> Duration {
    if jitter_seconds <= 0 {
        return Duration::zero();
    }
    let mut hasher = Sha256::new();
    hasher.update(job_id.as_bytes());
    hasher.update(slot.timestamp().to_be_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let span = u64::try_from(jitter_seconds).unwrap_or(0) + 1;
    Duration::seconds(i64::try_from(u64::from_be_bytes(first) % span).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use recflow_schedule::Schedule;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, h, m, s)
            .single()
            .expect("valid")
    }

    fn every_two_hours() -> CompiledSchedule {
        let schedule: Schedule = serde_json::from_value(
            serde_json::json!({"type": "cron", "expression": "0 */2 * * *", "timezone": "UTC"}),
        )
        .expect("schedule");
        schedule.compile().expect("compiles")
    }

    #[test]
    fn a_slot_due_now_runs_on_schedule() {
        let plan = plan(
            &every_two_hours(),
            Uuid::nil(),
            at(8, 0, 0),
            at(8, 0, 1),
            &Policy::default(),
        );

        assert_eq!(plan.fires.len(), 1);
        assert_eq!(plan.fires[0].trigger, Some("schedule"));
        assert_eq!(plan.next_run_at, Some(at(10, 0, 0)));
    }

    #[test]
    fn after_downtime_only_the_latest_slot_catches_up_and_the_rest_are_missed() {
        let plan = plan(
            &every_two_hours(),
            Uuid::nil(),
            at(2, 0, 0),
            at(8, 30, 0),
            &Policy::default(),
        );

        let triggers: Vec<_> = plan
            .fires
            .iter()
            .map(|f| (f.scheduled_for, f.trigger))
            .collect();
        assert_eq!(
            triggers,
            [
                (at(2, 0, 0), None),
                (at(4, 0, 0), None),
                (at(6, 0, 0), None),
                (at(8, 0, 0), Some("catch_up"))
            ]
        );
        assert_eq!(plan.next_run_at, Some(at(10, 0, 0)));
    }

    #[test]
    fn a_slot_older_than_the_window_is_missed_too() {
        let policy = Policy {
            catch_up_window_seconds: 600,
            ..Policy::default()
        };

        let plan = plan(
            &every_two_hours(),
            Uuid::nil(),
            at(6, 0, 0),
            at(7, 0, 0),
            &policy,
        );

        assert_eq!(plan.fires.len(), 1);
        assert_eq!(plan.fires[0].trigger, None);
    }

    #[test]
    fn jitter_is_stable_and_bounded() {
        let job = Uuid::now_v7();

        let first = jitter(job, at(8, 0, 0), 300);

        assert_eq!(first, jitter(job, at(8, 0, 0), 300));
        assert!(first >= Duration::zero() && first <= Duration::seconds(300));
        assert_eq!(jitter(job, at(8, 0, 0), 0), Duration::zero());
        let spread: std::collections::HashSet<_> = (0..50)
            .map(|h| jitter(job, at(0, 0, 0) + Duration::hours(h), 300))
            .collect();
        assert!(spread.len() > 10, "delays differ between slots");
    }
}
