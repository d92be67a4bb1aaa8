//! SPEC §11 next-fire targets: ≥ 1 million `next_after` calls per second per core for typical
//! schedules, and the next run of 100,000 compiled jobs in under 0.1 s. Also the cost of the
//! four-year minimum-interval scan, which runs when a job is saved.
//!
//! Run: `cargo bench -p recflow-schedule --bench next_fire -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use recflow_schedule::{CompiledSchedule, Schedule};
use serde_json::json;

/// Instants spread over 2026 (every ~8.8 hours), so DST changes are among them.
fn instants(count: usize) -> Vec<DateTime<Utc>> {
    let start = 1_767_225_600; // 2026-01-01T00:00:00Z
    (0..count as i64)
        .map(|i| DateTime::from_timestamp(start + i * 31_536_000 / count as i64, 0).expect("2026"))
        .collect()
}

fn compile(value: serde_json::Value) -> CompiledSchedule {
    Schedule::from_json(value)
        .and_then(|schedule| schedule.compile())
        .expect("valid benchmark schedule")
}

fn typical_schedules() -> Vec<(&'static str, CompiledSchedule)> {
    vec![
        (
            "time_of_day Europe/Berlin",
            compile(json!({"type": "time_of_day", "time": "06:00", "timezone": "Europe/Berlin"})),
        ),
        (
            "weekdays America/New_York",
            compile(
                json!({"type": "weekdays", "days": [0, 2, 4], "time": "09:30",
                "timezone": "America/New_York"}),
            ),
        ),
        (
            "hours UTC",
            compile(
                json!({"type": "hours", "hours": 6, "anchor": "2026-01-05T00:00",
                "timezone": "UTC"}),
            ),
        ),
        (
            "cron 0 */13 * * * UTC",
            compile(json!({"type": "cron", "expression": "0 */13 * * *", "timezone": "UTC"})),
        ),
        (
            "cron 30 9 * * 1-5 America/New_York",
            compile(json!({"type": "cron", "expression": "30 9 * * 1-5",
                "timezone": "America/New_York"})),
        ),
        (
            "cron 0 8 1 */3 * Australia/Lord_Howe",
            compile(json!({"type": "cron", "expression": "0 8 1 */3 *",
                "timezone": "Australia/Lord_Howe"})),
        ),
    ]
}

fn next_after_per_type(c: &mut Criterion) {
    let at = instants(1_000);
    let mut group = c.benchmark_group("next_after");
    group.throughput(Throughput::Elements(at.len() as u64));
    for (name, compiled) in typical_schedules() {
        group.bench_function(name, |b| {
            b.iter(|| {
                for instant in &at {
                    black_box(compiled.next_after(black_box(*instant)));
                }
            })
        });
    }
    group.finish();
}

/// 100,000 jobs of all types across zones, as the scheduler would hold them.
fn mixed_jobs() -> Vec<CompiledSchedule> {
    let zones = [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Sydney",
    ];
    (0..100_000)
        .map(|i: usize| {
            let zone = zones[i % zones.len()];
            let time = format!("{:02}:{:02}", i % 24, (i / 24) % 60);
            compile(match i % 4 {
                0 => json!({"type": "time_of_day", "time": time, "timezone": zone}),
                1 => json!({"type": "weekdays", "days": [i % 7, (i + 3) % 7], "time": time,
                    "timezone": zone}),
                2 => json!({"type": "hours", "hours": 1 + i % 24, "anchor": "2026-01-01T00:00",
                    "timezone": zone}),
                _ => json!({"type": "cron", "expression": format!("{} {}-23/4 * * 1-5", i % 60, i % 4),
                    "timezone": zone}),
            })
        })
        .collect()
}

fn next_run_of_100k_jobs(c: &mut Criterion) {
    let jobs = mixed_jobs();
    let now = instants(1)[0] + chrono::Duration::days(90);
    let mut group = c.benchmark_group("next_run");
    group.throughput(Throughput::Elements(jobs.len() as u64));
    group.sample_size(10);
    group.bench_function("100k mixed jobs", |b| {
        b.iter(|| {
            for job in &jobs {
                black_box(job.next_after(black_box(now)));
            }
        })
    });
    group.finish();
}

fn min_interval_scan(c: &mut Criterion) {
    let from = instants(1)[0];
    let mut group = c.benchmark_group("min_interval");
    group.sample_size(10);
    let schedules = [
        (
            "time_of_day Europe/Berlin",
            json!({"type": "time_of_day", "time": "06:00",
            "timezone": "Europe/Berlin"}),
        ),
        (
            "cron */2 * * * * America/New_York",
            json!({"type": "cron",
            "expression": "*/2 * * * *", "timezone": "America/New_York"}),
        ),
        (
            "cron 0 * * * * Australia/Lord_Howe",
            json!({"type": "cron",
            "expression": "0 * * * *", "timezone": "Australia/Lord_Howe"}),
        ),
        (
            "cron * * * * * UTC",
            json!({"type": "cron", "expression": "* * * * *",
            "timezone": "UTC"}),
        ),
    ];
    for (name, value) in schedules {
        let compiled = compile(value);
        group.bench_function(name, |b| {
            b.iter(|| black_box(compiled.min_interval(black_box(from))))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    next_after_per_type,
    next_run_of_100k_jobs,
    min_interval_scan
);
criterion_main!(benches);
