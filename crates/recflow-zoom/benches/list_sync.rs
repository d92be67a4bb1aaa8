//! SPEC §11 sync target: 10,000 Zoom meetings (34 pages of 300) in under 3 s, database writes
//! included. This measures the client's share: fetching every page from the local fake Zoom
//! and parsing it into `Meeting`s, next to a baseline that only transfers the same pages.
//!
//! Run: `cargo bench -p recflow-zoom --bench list_sync`

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use recflow_fakes::FakeZoom;
use recflow_zoom::{NoTokenStore, ZoomClient, ZoomConfig, ZoomCredential};
use serde::Deserialize;
use tokio::runtime::Runtime;

const MEETINGS: usize = 10_000;

struct Setup {
    fake: FakeZoom,
    client: ZoomClient,
    credential: ZoomCredential,
}

fn setup(runtime: &Runtime) -> Setup {
    let fake = runtime.block_on(FakeZoom::start());
    fake.add_s2s_credentials("acct", "bench-client", "bench-secret");
    // One meeting every 4 minutes from 1 March fits all 10,000 into one month window.
    let first = DateTime::parse_from_rfc3339("2025-03-01T00:00:00Z")
        .expect("valid")
        .with_timezone(&Utc);
    fake.generate_meetings(MEETINGS, first, chrono::Duration::minutes(4), 200_000_000);
    let config = ZoomConfig {
        oauth_url: fake.base_url(),
        api_url: fake.api_url(),
    };
    let client = ZoomClient::new(reqwest::Client::new(), config);
    let credential = ZoomCredential::ServerToServer {
        account_id: "acct".into(),
        client_id: "bench-client".into(),
        client_secret: "bench-secret".into(),
    };
    Setup {
        fake,
        client,
        credential,
    }
}

fn date(text: &str) -> NaiveDate {
    text.parse().expect("valid benchmark date")
}

async fn list_all(setup: &Setup) -> usize {
    let meetings = setup
        .client
        .list_recordings(
            "bench",
            &setup.credential,
            &NoTokenStore,
            "me",
            date("2025-03-01"),
            date("2025-03-31"),
        )
        .await
        .expect("listing works");
    assert_eq!(meetings.len(), MEETINGS);
    meetings.len()
}

#[derive(Deserialize)]
struct CursorOnly {
    next_page_token: String,
}

/// The same 34 requests with no parsing beyond the cursor: the fake's and HTTP's share.
async fn transfer_only(setup: &Setup, http: &reqwest::Client, token: &str) -> usize {
    let mut cursor = String::new();
    let mut bytes = 0;
    loop {
        let url = format!(
            "{}/users/me/recordings?from=2025-03-01&to=2025-03-31&page_size=300&next_page_token={cursor}",
            setup.fake.api_url()
        );
        let body = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("answers")
            .bytes()
            .await
            .expect("body");
        bytes += body.len();
        cursor = serde_json::from_slice::<CursorOnly>(&body)
            .expect("page")
            .next_page_token;
        if cursor.is_empty() {
            return bytes;
        }
    }
}

async fn access_token(setup: &Setup, http: &reqwest::Client) -> String {
    #[derive(Deserialize)]
    struct Token {
        access_token: String,
    }
    let url = format!("{}/oauth/token", setup.fake.base_url());
    let form = [
        ("grant_type", "account_credentials"),
        ("account_id", "acct"),
    ];
    let response = http
        .post(url)
        .basic_auth("bench-client", Some("bench-secret"))
        .form(&form)
        .send();
    response
        .await
        .expect("answers")
        .json::<Token>()
        .await
        .expect("token")
        .access_token
}

fn list_sync(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime builds");
    let setup = setup(&runtime);
    let http = reqwest::Client::new();
    let token = runtime.block_on(access_token(&setup, &http));
    let page_bytes = runtime.block_on(transfer_only(&setup, &http, &token));
    eprintln!("34 pages of JSON: {:.1} MB", page_bytes as f64 / 1e6);

    let mut group = c.benchmark_group("zoom_list_sync");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(MEETINGS as u64));
    group.bench_function("list_recordings_10k_meetings_34_pages", |b| {
        b.iter(|| black_box(runtime.block_on(list_all(&setup))));
    });
    group.bench_function("transfer_only_baseline_34_pages", |b| {
        b.iter(|| black_box(runtime.block_on(transfer_only(&setup, &http, &token))));
    });
    group.finish();
}

criterion_group!(benches, list_sync);
criterion_main!(benches);
