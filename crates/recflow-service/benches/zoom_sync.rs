//! SPEC §11 sync target: 10,000 Zoom meetings (34 pages of 300) ingested in under 3 s, and a
//! re-sync of unchanged data that performs no writes. Measures `sync::sync_source` end to
//! end: the fake Zoom over local HTTP, the Zoom client, the mapping, the upsert into a fresh
//! SQLite store and the matching of the new recordings.
//!
//! Run: `cargo bench -p recflow-service --bench zoom_sync`

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use recflow_fakes::FakeZoom;
use recflow_service::clock::SystemClock;
use recflow_service::config::Config;
use recflow_service::credentials;
use recflow_service::database::{self, Mode};
use recflow_service::matching;
use recflow_service::secrets::SecretBox;
use recflow_service::state::AppState;
use recflow_service::sync::{self, Synced, Window};
use recflow_service::telemetry;
use recflow_store::{Credential, InputSource, NewUser, SyncStatus};
use serde_json::json;
use tokio::runtime::Runtime;
use uuid::Uuid;

const MEETINGS: usize = 10_000;
const KEY: &str = "YmVuY2gta2V5LTMyLWJ5dGVzLWxvbmctLS0tLS0tLSE=";

/// A fresh SQLite store holding one user, one S2S credential and one Zoom source.
struct Fresh {
    state: AppState,
    source: InputSource,
    _dir: tempfile::TempDir,
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("valid benchmark time")
}

fn window() -> Window {
    Window {
        from: at("2025-03-01T00:00:00Z"),
        to: at("2025-03-31T23:59:59Z"),
    }
}

fn fake_zoom(runtime: &Runtime) -> FakeZoom {
    let fake = runtime.block_on(FakeZoom::start());
    fake.add_s2s_credentials("acct", "bench-client", "bench-secret");
    // One 45-minute meeting every 4 minutes from 1 March: all 10,000 in one month window.
    let spacing = chrono::Duration::minutes(4);
    fake.generate_meetings(MEETINGS, window().from, spacing, 200_000_000);
    fake
}

async fn fresh(fake: &FakeZoom) -> Fresh {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("recflow.db").display());
    let store = database::open(&url, Mode::Command).await.expect("store");
    let config = Config {
        zoom_oauth_url: fake.base_url(),
        zoom_api_url: fake.api_url(),
        ..Config::default()
    };
    let key = Arc::new(SecretBox::from_base64(KEY).expect("key"));
    let state = AppState::new(
        store,
        config,
        telemetry::metrics_handle(),
        Some(key),
        Arc::new(SystemClock),
    );
    let source = zoom_source(&state).await;
    Fresh {
        state,
        source,
        _dir: dir,
    }
}

async fn zoom_source(state: &AppState) -> InputSource {
    let store = state.store.as_ref();
    let key = state.secrets.as_deref().expect("key");
    let new_user = NewUser {
        email: "bench@example.com".into(),
        password_hash: None,
        display_name: "Bench".into(),
        timezone: "UTC".into(),
        is_admin: false,
    };
    let user = store.create_user(&new_user).await.expect("user");
    let (id, now) = (Uuid::now_v7(), Utc::now());
    let secrets = json!({"account_id": "acct", "client_id": "bench-client",
        "client_secret": "bench-secret"});
    let credential = Credential {
        id,
        user_id: user.id,
        name: "Zoom".into(),
        kind: "zoom_s2s".into(),
        secret: credentials::seal(key, user.id, id, &secrets),
        created_at: now,
        updated_at: now,
    };
    store
        .create_credential(&credential)
        .await
        .expect("credential");
    let source = InputSource {
        id: Uuid::now_v7(),
        user_id: user.id,
        name: "Zoom".into(),
        kind: "zoom".into(),
        credential_id: Some(id),
        config: json!({"user_id": "me"}),
        min_duration_seconds: 1200,
        min_size_bytes: 25 * 1024 * 1024,
        process_on_webhook: false,
        webhook_secret: None,
        sync: SyncStatus::default(),
        created_at: now,
        updated_at: now,
    };
    store.create_source(&source).await.expect("source")
}

async fn sync_once(fresh: &Fresh) -> Synced {
    sync::sync_source(&fresh.state, &fresh.source, chrono_tz::UTC, window())
        .await
        .expect("sync works")
}

/// One sync split into its steps, printed once so the figures can be attributed.
async fn print_breakdown(fake: &FakeZoom) {
    let fresh = fresh(fake).await;
    let (store, source) = (fresh.state.store.as_ref(), &fresh.source);
    for label in ["first sync", "re-sync"] {
        let started = Instant::now();
        let found = sync::discover(&fresh.state, source, chrono_tz::UTC, window())
            .await
            .expect("discover");
        let listed = started.elapsed();
        let (summary, new_ids) = store
            .upsert_discovered(source.user_id, source.id, &found)
            .await
            .expect("upsert");
        let upserted = started.elapsed();
        matching::match_new(store, source.user_id, &new_ids)
            .await
            .expect("match");
        let matched = started.elapsed();
        eprintln!(
            "{label}: list+map {listed:.2?}, upsert {:.2?} ({} new, {} updated), match {:.2?}",
            upserted - listed,
            summary.new,
            summary.updated,
            matched - upserted
        );
    }
}

fn zoom_sync(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime builds");
    let fake = fake_zoom(&runtime);
    runtime.block_on(print_breakdown(&fake));

    let mut group = c.benchmark_group("zoom_sync");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(MEETINGS as u64));

    group.bench_function("first_sync_10k_meetings_into_fresh_sqlite", |b| {
        b.iter_custom(|iterations| {
            let mut spent = Duration::ZERO;
            for _ in 0..iterations {
                let fresh = runtime.block_on(fresh(&fake));
                let started = Instant::now();
                let synced = runtime.block_on(sync_once(&fresh));
                spent += started.elapsed();
                assert_eq!(synced.result.new, MEETINGS as u64);
            }
            spent
        });
    });

    let synced_once = runtime.block_on(async {
        let fresh = fresh(&fake).await;
        sync_once(&fresh).await;
        fresh
    });
    group.bench_function("resync_10k_unchanged_meetings_writes_nothing", |b| {
        b.iter(|| {
            let synced = runtime.block_on(sync_once(&synced_once));
            assert_eq!(synced.result.listed, MEETINGS as u64);
            assert_eq!((synced.result.new, synced.result.updated), (0, 0));
        });
    });
    group.finish();
}

criterion_group!(benches, zoom_sync);
criterion_main!(benches);
