//! Scheduler benchmark (SPEC §11): N active jobs on one PostgreSQL database, all due within
//! one minute, fired by two scheduler replicas (separate connection pools, as two processes
//! would have). Each job fires on its own slot (spread over the minute) and next in a year, so
//! the run measures first slots only. Reports exactly-once, fire lag p50/p99/max (from the
//! slot to the insert of its run row) and database transactions.
//!
//! Run: `cargo run --release -p recflow-service --example scheduler_bench -- 100000`
//! (needs the local PostgreSQL, or RECFLOW_TEST_POSTGRES_URL).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use recflow_service::automation::scheduler::Scheduler;
use recflow_service::clock::SystemClock;
use recflow_service::config::Config;
use recflow_service::state::AppState;
use recflow_service::telemetry::metrics_handle;
use recflow_store::{InputSource, NewUser, QuotaPatch, Store, SyncStatus};
use recflow_store_postgres::PostgresStore;
use sqlx::{Connection, PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs only on request (RUST_LOG=…): one info line per fired slot would dominate the run.
    if std::env::var_os("RUST_LOG").is_some() {
        recflow_service::telemetry::init_logging(recflow_service::config::LogFormat::Text);
    }
    let jobs: usize = std::env::args().nth(1).map_or(Ok(100_000), |n| n.parse())?;
    let url = recflow_store_postgres::testing::fresh_database_url().await;
    let store: Arc<dyn Store> = Arc::new(PostgresStore::open(&url).await?);
    let (user_id, source_id) = owner(store.as_ref(), jobs).await?;

    let spread = Duration::from_secs(60);
    let start = Utc::now() + chrono::Duration::seconds(20);
    let inserted = Instant::now();
    insert_jobs(&url, user_id, source_id, jobs, start, spread).await?;
    eprintln!(
        "inserted {jobs} jobs in {:.1} s",
        inserted.elapsed().as_secs_f64()
    );
    let commits_before = commits(&url).await?;

    let shutdown = tokio_util::sync::CancellationToken::new();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let replica: Arc<dyn Store> = Arc::new(PostgresStore::open(&url).await?);
        let config = Config {
            scheduler_tick_ms: 100,
            ..Config::default()
        };
        let state = AppState::new(
            replica,
            config,
            metrics_handle(),
            None,
            Arc::new(SystemClock),
        );
        replicas.push(tokio::spawn(Scheduler::new(state).run(shutdown.clone())));
    }
    let deadline = Instant::now() + spread + Duration::from_secs(60);
    let mut conn = PgConnection::connect(&url).await?;
    while Instant::now() < deadline {
        let fired: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT job_id) FROM automation_runs")
            .fetch_one(&mut conn)
            .await?;
        if fired as usize >= jobs {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    shutdown.cancel();
    for replica in replicas {
        replica.await?;
    }

    report(&url, jobs, commits(&url).await? - commits_before).await
}

async fn owner(store: &dyn Store, jobs: usize) -> anyhow::Result<(Uuid, Uuid)> {
    let user = store
        .create_user(&NewUser {
            email: "bench@example.com".to_owned(),
            password_hash: None,
            display_name: "Bench".to_owned(),
            timezone: "UTC".to_owned(),
            is_admin: false,
        })
        .await?;
    let limit = i64::try_from(jobs)?;
    let quotas = QuotaPatch {
        max_automation_jobs: Some(limit),
        min_automation_interval_hours: Some(0),
        ..QuotaPatch::default()
    };
    store.update_quotas(user.id, &quotas).await?;
    let source = InputSource {
        id: Uuid::now_v7(),
        user_id: user.id,
        name: "bench".to_owned(),
        kind: "local_folder".to_owned(),
        credential_id: None,
        config: serde_json::json!({"path": "bench"}),
        min_duration_seconds: 0,
        min_size_bytes: 0,
        process_on_webhook: false,
        webhook_secret: None,
        sync: SyncStatus::default(),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    Ok((user.id, store.create_source(&source).await?.id))
}

/// Bulk-inserts jobs whose first slot is spread evenly over `spread` from `start`.
async fn insert_jobs(
    url: &str,
    user_id: Uuid,
    source_id: Uuid,
    jobs: usize,
    start: chrono::DateTime<Utc>,
    spread: Duration,
) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect(url).await?;
    let schedule =
        serde_json::json!({"type": "cron", "expression": "0 0 1 1 *", "timezone": "UTC"});
    let step = spread.as_secs_f64() / jobs as f64;
    for chunk_start in (0..jobs).step_by(1000) {
        let mut insert = QueryBuilder::<Postgres>::new(
            "INSERT INTO automation_jobs (id, user_id, name, source_id, template_ids, schedule, \
             sync_config, processing_config, policy, is_active, next_run_at, created_at, updated_at) ",
        );
        insert.push_values(chunk_start..(chunk_start + 1000).min(jobs), |mut row, i| {
            let next = start + chrono::Duration::microseconds((i as f64 * step * 1e6) as i64);
            row.push_bind(Uuid::now_v7())
                .push_bind(user_id)
                .push_bind(format!("job {i}"))
                .push_bind(source_id)
                .push_bind(serde_json::json!([]))
                .push_bind(&schedule)
                .push_bind(serde_json::json!({}))
                .push_bind(serde_json::json!({}))
                .push_bind(serde_json::json!({"overlap": "allow"}))
                .push_bind(true)
                .push_bind(next)
                .push_bind(Utc::now())
                .push_bind(Utc::now());
        });
        insert.build().execute(&mut conn).await?;
    }
    Ok(())
}

async fn commits(url: &str) -> anyhow::Result<i64> {
    let mut conn = PgConnection::connect(url).await?;
    let n: i64 = sqlx::query_scalar(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(&mut conn)
    .await?;
    Ok(n)
}

async fn report(url: &str, jobs: usize, transactions: i64) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect(url).await?;
    let runs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM automation_runs")
        .fetch_one(&mut conn)
        .await?;
    let distinct: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT (job_id, scheduled_for)) FROM automation_runs")
            .fetch_one(&mut conn)
            .await?;
    let jobs_with_run: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT job_id) FROM automation_runs")
            .fetch_one(&mut conn)
            .await?;
    let mut lags: Vec<f64> = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM (created_at - scheduled_for))::float8 FROM automation_runs",
    )
    .fetch_all(&mut conn)
    .await?;
    lags.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        lags.get(((lags.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };

    println!(
        "| jobs | runs | duplicate slots | jobs fired | lag p50 | lag p99 | lag max | transactions |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {jobs} | {runs} | {} | {jobs_with_run} | {:.3} s | {:.3} s | {:.3} s | {transactions} |",
        runs - distinct,
        pct(0.5),
        pct(0.99),
        lags.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}
