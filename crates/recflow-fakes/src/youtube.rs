//! A fake YouTube: Google's token endpoint, the resumable upload host and
//! `playlistItems.insert` on one 127.0.0.1 listener. It behaves as `external-apis.md` §2 and §6
//! describe, including failures a test queues with [`FakeYoutube::fail_next`], and counts what
//! it created so tests can check that a video was uploaded exactly once.
//!
//! Deviations kept on purpose: one channel; every stored byte is kept in memory (test files are
//! small); videos are "processed" at once unless [`FakeYoutube::keep_videos_processing`].
// TODO: thumbnails.set (2 MB limit) and the X-GUploader-No-308 variant are not served yet.

mod chunk;
mod fault;
mod oauth;
mod playlist;
mod state;
mod upload;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State as AxumState};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::post;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use fault::FaultTarget;
pub use fault::YoutubeFault;
use state::{Queued, RefreshGrant, State};

/// The largest request body the fake reads (one chunk).
const BODY_LIMIT: usize = 256 * 1024 * 1024;

/// One request the fake received, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YoutubeRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// The `Content-Range` header, if any.
    pub content_range: Option<String>,
    /// The status the fake answered.
    pub status: u16,
}

/// A video the fake holds.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeVideo {
    pub id: String,
    /// The resource sent at initiation (`snippet`, `status`).
    pub resource: Value,
    /// Every byte received, in order.
    pub content: Vec<u8>,
    pub processed: bool,
}

#[derive(Clone)]
pub(crate) struct Shared(Arc<Mutex<State>>);

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake YouTube; its server stops when it is dropped.
pub struct FakeYoutube {
    shared: Shared,
    base_url: String,
    server: JoinHandle<()>,
}

impl FakeYoutube {
    /// Starts the server on a free port of 127.0.0.1, ready when this returns.
    pub async fn start() -> FakeYoutube {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1 for the fake YouTube");
        let address = listener
            .local_addr()
            .expect("a bound listener has a local address");
        let base_url = format!("http://{address}");
        let shared = Shared(Arc::new(Mutex::new(State::new(base_url.clone()))));
        let app = router(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "fake youtube server stopped");
            }
        });
        FakeYoutube {
            shared,
            base_url,
            server,
        }
    }

    /// The OAuth host: `GoogleOAuth`'s base, the token endpoint is `{base}/token`.
    pub fn oauth_url(&self) -> String {
        self.base_url.clone()
    }

    /// The REST base, like `https://www.googleapis.com/youtube/v3`.
    pub fn api_url(&self) -> String {
        format!("{}/youtube/v3", self.base_url)
    }

    /// The upload base, like `https://www.googleapis.com/upload/youtube/v3`.
    pub fn upload_url(&self) -> String {
        format!("{}/upload/youtube/v3", self.base_url)
    }

    /// Registers an OAuth client (if new) and a valid refresh token for it.
    pub fn add_credentials(&self, client_id: &str, client_secret: &str, refresh_token: &str) {
        let mut state = self.shared.lock();
        state
            .clients
            .insert(client_id.to_owned(), client_secret.to_owned());
        let grant = RefreshGrant {
            client_id: client_id.to_owned(),
            revoked: false,
        };
        state.refresh_tokens.insert(refresh_token.to_owned(), grant);
    }

    /// Revokes a refresh token: refreshing with it answers 400 `invalid_grant`.
    pub fn revoke_refresh_token(&self, refresh_token: &str) {
        if let Some(grant) = self.shared.lock().refresh_tokens.get_mut(refresh_token) {
            grant.revoked = true;
        }
    }

    /// `expires_in` of access tokens issued from now on (default 3599 s).
    pub fn set_token_ttl(&self, ttl: Duration) {
        self.shared.lock().token_ttl = ttl;
    }

    /// Expires every access token issued so far: their next use answers 401 `authError`.
    pub fn expire_access_tokens(&self) {
        let past = Instant::now();
        for expiry in self.shared.lock().access_tokens.values_mut() {
            *expiry = past;
        }
    }

    /// Creates an empty playlist.
    pub fn add_playlist(&self, playlist_id: &str) {
        self.shared
            .lock()
            .playlists
            .entry(playlist_id.to_owned())
            .or_default();
    }

    /// Whether videos finished from now on stay "processing" (playlist inserts then answer
    /// `failedPrecondition`) until [`Self::finish_processing`].
    pub fn keep_videos_processing(&self, keep: bool) {
        self.shared.lock().keep_processing = keep;
    }

    /// Marks a video processed.
    pub fn finish_processing(&self, video_id: &str) {
        let mut state = self.shared.lock();
        for video in state.videos.iter_mut().filter(|v| v.id == video_id) {
            video.processed = true;
        }
    }

    /// Expires every session started so far (404 from now on).
    pub fn expire_sessions(&self) {
        for session in self.shared.lock().sessions.values_mut() {
            session.dead = true;
        }
    }

    /// Makes the next `count` requests `fault` applies to fail with it (see [`YoutubeFault`]).
    pub fn fail_next(&self, count: usize, fault: YoutubeFault) {
        self.fail_after(0, count, fault);
    }

    /// Like [`Self::fail_next`], but lets `skip` matching requests succeed first (for a
    /// failure in the middle of an upload).
    pub fn fail_after(&self, skip: usize, count: usize, fault: YoutubeFault) {
        let mut state = self.shared.lock();
        let queue = match fault.target() {
            FaultTarget::Initiate => &mut state.faults.initiate,
            FaultTarget::Chunk => &mut state.faults.chunk,
            FaultTarget::Playlist => &mut state.faults.playlist,
        };
        for index in 0..count {
            let skip = if index == 0 { skip } else { 0 };
            queue.push_back(Queued {
                skip,
                fault: fault.clone(),
            });
        }
    }

    /// Every video created, in order.
    pub fn videos(&self) -> Vec<FakeVideo> {
        self.shared
            .lock()
            .videos
            .iter()
            .map(|video| FakeVideo {
                id: video.id.clone(),
                resource: video.resource.clone(),
                content: video.content.clone(),
                processed: video.processed,
            })
            .collect()
    }

    /// How many videos were created (an upload done twice shows as 2).
    pub fn videos_created(&self) -> usize {
        self.shared.lock().videos.len()
    }

    /// Delays every request on a session URI by `latency`, as a slow network would.
    pub fn set_chunk_latency(&self, latency: Duration) {
        self.shared.lock().chunk_latency = latency;
    }

    /// Sessions that hold some bytes but not yet all of them: uploads under way.
    pub fn uploads_in_progress(&self) -> usize {
        self.shared
            .lock()
            .sessions
            .values()
            .filter(|s| !s.dead && s.video_id.is_none() && !s.persisted.is_empty())
            .count()
    }

    /// Upload sessions initiated.
    pub fn sessions_started(&self) -> usize {
        self.shared.lock().counters.sessions_started
    }

    /// Body bytes received on session URIs, persisted or not.
    pub fn bytes_received(&self) -> u64 {
        self.shared.lock().counters.bytes_received
    }

    /// Data chunks received (status queries excluded).
    pub fn chunk_requests(&self) -> usize {
        self.shared.lock().counters.chunk_requests
    }

    /// Status queries (`Content-Range: bytes */N`) received.
    pub fn status_queries(&self) -> usize {
        self.shared.lock().counters.status_queries
    }

    /// Requests to `/token`.
    pub fn token_requests(&self) -> usize {
        self.shared.lock().counters.token_requests
    }

    /// Video ids in a playlist, in insertion order.
    pub fn playlist_items(&self, playlist_id: &str) -> Vec<String> {
        self.shared
            .lock()
            .playlists
            .get(playlist_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<YoutubeRequest> {
        self.shared.lock().seen.clone()
    }
}

impl Drop for FakeYoutube {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/token", post(oauth::token))
        .route(
            "/upload/youtube/v3/videos",
            post(upload::post_videos).put(chunk::put_videos),
        )
        .route(
            "/youtube/v3/playlistItems",
            post(playlist::insert).get(playlist::list),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(shared.clone(), record))
        .with_state(shared)
}

/// Logs the request and the status it was answered with.
async fn record(AxumState(shared): AxumState<Shared>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let content_range = request
        .headers()
        .get("content-range")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    let response = next.run(request).await;
    shared.lock().seen.push(YoutubeRequest {
        method,
        path,
        query,
        content_range,
        status: response.status().as_u16(),
    });
    response
}
