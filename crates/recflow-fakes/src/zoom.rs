//! A fake Zoom: OAuth host, REST API and download host on one 127.0.0.1 listener, and a
//! "CDN" on a second one (so redirects cross hosts, as with Zoom). It behaves as
//! `external-apis.md` §1 and §6 describe, including failures a test queues with
//! [`FakeZoom::fail_next`], and records every request it sees.
//!
//! Deviations kept on purpose: one account holds every user; the six-month history limit is
//! off unless [`FakeZoom::enforce_history_limit`] turns it on, so tests may use fixed dates.

mod download;
mod fault;
mod ids;
mod meeting;
mod oauth;
mod processing;
mod recordings;
mod state;
pub mod webhook;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::extract::{Request, State as AxumState};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use fault::FaultTarget;
pub use fault::{Fault, PAGE_TOKEN_EXPIRED_CODE, RetryAfter};
use meeting::StoredMeeting;
pub use meeting::{FakeFile, FakeMeeting, Media};
use state::{App, AppKind, State};

/// The user every meeting belongs to unless a test says otherwise; `me` for S2S tokens.
pub const DEFAULT_USER_ID: &str = "FakeHost0000000000000A";
/// The default user's email, accepted as `userId` too.
pub const DEFAULT_USER_EMAIL: &str = "host@example.invalid";

/// One request the fake received, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRequest {
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
}

#[derive(Clone)]
pub(crate) struct Shared(Arc<Mutex<State>>);

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake Zoom; its servers stop when it is dropped.
pub struct FakeZoom {
    shared: Shared,
    base_url: String,
    cdn_url: String,
    servers: Vec<JoinHandle<()>>,
}

impl FakeZoom {
    /// Starts the servers on two free ports of 127.0.0.1. They accept requests as soon as
    /// this returns; no waiting is needed.
    pub async fn start() -> FakeZoom {
        let main = bind().await;
        let cdn = bind().await;
        let base_url = format!("http://{}", local_addr(&main));
        let cdn_url = format!("http://{}", local_addr(&cdn));
        let shared = Shared(Arc::new(Mutex::new(State::new(
            base_url.clone(),
            cdn_url.clone(),
        ))));

        let servers = vec![
            serve(main, main_router(shared.clone())),
            serve(cdn, cdn_router(shared.clone())),
        ];
        FakeZoom {
            shared,
            base_url,
            cdn_url,
            servers,
        }
    }

    /// The OAuth host (`ZoomConfig::oauth_url`), e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The REST base (`ZoomConfig::api_url`), ending in `/v2`.
    pub fn api_url(&self) -> String {
        format!("{}/v2", self.base_url)
    }

    /// The CDN listener that signed download links point to.
    pub fn cdn_url(&self) -> String {
        self.cdn_url.clone()
    }

    /// Registers a Server-to-Server app of the fake's account.
    pub fn add_s2s_credentials(&self, account_id: &str, client_id: &str, client_secret: &str) {
        let kind = AppKind::ServerToServer {
            account_id: account_id.to_owned(),
        };
        let app = App {
            secret: client_secret.to_owned(),
            kind,
        };
        self.shared.lock().apps.insert(client_id.to_owned(), app);
    }

    /// Registers a user-level OAuth app (if new) and a valid refresh token for the default user.
    pub fn add_user_oauth(&self, client_id: &str, client_secret: &str, refresh_token: &str) {
        let mut state = self.shared.lock();
        let app = App {
            secret: client_secret.to_owned(),
            kind: AppKind::UserOAuth,
        };
        state.apps.insert(client_id.to_owned(), app);
        let grant = state::RefreshGrant {
            client_id: client_id.to_owned(),
            user_id: DEFAULT_USER_ID.to_owned(),
            used: false,
        };
        state.refresh_tokens.insert(refresh_token.to_owned(), grant);
    }

    /// Adds a user of the account (meetings name it with [`FakeMeeting::host`]).
    pub fn add_user(&self, user_id: &str, email: &str) {
        let user = state::User {
            id: user_id.to_owned(),
            email: email.to_owned(),
        };
        self.shared.lock().users.push(user);
    }

    /// `expires_in` of tokens issued from now on (default 3599 s).
    pub fn set_token_ttl(&self, seconds: i64) {
        self.shared.lock().token_ttl_seconds = seconds;
    }

    /// Makes every access token issued so far expired: the next API call answers 401 code 124
    /// "Access token is expired.".
    pub fn expire_tokens_now(&self) {
        let past = Utc::now() - Duration::seconds(1);
        for grant in self.shared.lock().access_tokens.values_mut() {
            grant.expires_at = past;
        }
    }

    /// Adds a meeting and returns its uuid.
    pub fn add_meeting(&self, meeting: FakeMeeting) -> String {
        let mut state = self.shared.lock();
        let stored = StoredMeeting::from_builder(meeting, DEFAULT_USER_ID);
        let uuid = stored.uuid.clone();
        state.meetings.push(stored);
        state.sorted = false;
        uuid
    }

    /// Adds `count` meetings for benchmarks and volume tests, one every `spacing` from
    /// `first_start`, each with one MP4 of `mp4_size` synthetic bytes, an M4A and a transcript.
    pub fn generate_meetings(
        &self,
        count: usize,
        first_start: DateTime<Utc>,
        spacing: Duration,
        mp4_size: u64,
    ) {
        let mut state = self.shared.lock();
        for index in 0..count {
            let start = first_start + spacing * i32::try_from(index).unwrap_or(i32::MAX);
            let meeting = FakeMeeting::new(format!("Generated meeting {index}"), start)
                .duration_minutes(45)
                .file(FakeFile::mp4(Media::Synthetic(mp4_size)))
                .file(FakeFile::m4a(Media::Synthetic(mp4_size / 8)))
                .file(FakeFile::transcript(Media::Synthetic(4096)));
            state
                .meetings
                .push(StoredMeeting::from_builder(meeting, DEFAULT_USER_ID));
        }
        state.sorted = false;
    }

    /// Moves a meeting to the trash: hidden from listings unless `trash=true`, not downloadable.
    pub fn trash_meeting(&self, uuid: &str) {
        for meeting in self
            .shared
            .lock()
            .meetings
            .iter_mut()
            .filter(|m| m.uuid == uuid)
        {
            meeting.trashed = true;
        }
    }

    /// Deletes one file: it leaves listings and its download answers the HTML error page.
    pub fn delete_file(&self, file_id: &str) {
        for meeting in self.shared.lock().meetings.iter_mut() {
            for file in meeting.files.iter_mut().filter(|f| f.id == file_id) {
                file.deleted = true;
            }
        }
    }

    /// Lets listings reach back only `months` before today (Zoom: about 6), clamping `from`.
    pub fn enforce_history_limit(&self, months: Option<u32>) {
        self.shared.lock().history_limit_months = months;
    }

    /// The date the fake takes as today (default: the real UTC date).
    pub fn set_today(&self, today: NaiveDate) {
        self.shared.lock().today = Some(today);
    }

    /// Makes the next `count` matching requests fail with `fault` (see [`Fault`] for which
    /// requests each kind hits). Faults of one kind are used in the order they were queued.
    pub fn fail_next(&self, count: usize, fault: Fault) {
        let mut state = self.shared.lock();
        let queue = match fault.target() {
            FaultTarget::Rest => &mut state.faults.rest,
            FaultTarget::PageCursor => &mut state.faults.page_cursor,
            FaultTarget::Download => &mut state.faults.download,
            FaultTarget::Cdn => &mut state.faults.cdn,
        };
        queue.extend(std::iter::repeat_n(fault, count));
    }

    /// Requests to `/oauth/token`, successful or not.
    pub fn token_requests(&self) -> usize {
        self.shared.lock().counters.token_requests
    }

    /// Requests to `/v2/users/{userId}/recordings`, successful or not.
    pub fn list_calls(&self) -> usize {
        self.shared.lock().counters.list_calls
    }

    /// Requests to the download host (`/rec/download/...`).
    pub fn download_requests(&self) -> usize {
        self.shared.lock().counters.downloads
    }

    /// Every request received on either listener, in order.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.lock().seen.clone()
    }
}

impl Drop for FakeZoom {
    fn drop(&mut self) {
        for server in &self.servers {
            server.abort();
        }
    }
}

fn main_router(shared: Shared) -> Router {
    Router::new()
        .route("/oauth/token", post(oauth::token))
        .route(
            "/v2/users/{user_id}/recordings",
            get(recordings::list_user_recordings),
        )
        .route(
            "/v2/meetings/{meeting_id}/recordings",
            get(recordings::get_meeting_recordings),
        )
        .route("/rec/download/{key}", get(download::download))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            record_request,
        ))
        .with_state(shared)
}

fn cdn_router(shared: Shared) -> Router {
    Router::new()
        .route("/cdn/{key}/{name}", get(download::cdn))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            record_request,
        ))
        .with_state(shared)
}

/// Logs the request and stamps API responses with a random `x-zm-trackingid`.
async fn record_request(
    AxumState(shared): AxumState<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let uri = request.uri();
    let seen = SeenRequest {
        method: request.method().to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
    };
    let is_api = seen.path.starts_with("/v2/");
    shared.lock().record(seen);

    let mut response = next.run(request).await;
    if is_api {
        let tracking = format!("v=2.0;clid=us06;rid=FAKE_{}", ids::opaque(24));
        if let Ok(value) = HeaderValue::from_str(&tracking) {
            response.headers_mut().insert("x-zm-trackingid", value);
        }
    }
    response
}

async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port on 127.0.0.1 for the fake Zoom")
}

fn local_addr(listener: &TcpListener) -> SocketAddr {
    listener
        .local_addr()
        .expect("a bound listener has a local address")
}

fn serve(listener: TcpListener, router: Router) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "fake zoom server stopped");
        }
    })
}
