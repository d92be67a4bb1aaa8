//! Throw-away databases for tests: each test gets its own database on the server named by
//! `RECFLOW_TEST_POSTGRES_URL` (default: the local server as user `postgres`), so tests run in
//! parallel without seeing each other's rows.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The server used when `RECFLOW_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_TEST_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Test databases older than this are dropped when a new one is made (tests that crashed
/// never dropped theirs).
const STALE_AFTER_SECS: u64 = 3600;

/// Creates a fresh, empty database and returns its URL.
///
/// # Panics
/// When the server cannot be reached: the message says how to start it.
pub async fn fresh_database_url() -> String {
    let admin_url = std::env::var("RECFLOW_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_TEST_SERVER.to_owned());
    let mut admin = PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL tests need a server at {admin_url} ({e}); start it with \
             `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or set \
             RECFLOW_TEST_POSTGRES_URL"
        )
    });

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    drop_stale_databases(&mut admin, now).await;
    let name = format!("recflow_test_{now}_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");

    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("a database URL has a path");
    format!("{base}/{name}")
}

async fn drop_stale_databases(admin: &mut PgConnection, now: u64) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'recflow_test_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    for name in names {
        let created = name.split('_').nth(2).and_then(|s| s.parse::<u64>().ok());
        if created.is_some_and(|t| t + STALE_AFTER_SECS < now) {
            // Best effort: a database still in use by a running test is simply kept.
            let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
                .execute(&mut *admin)
                .await;
        }
    }
}
