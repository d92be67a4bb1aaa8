//! A fake VK: the API (`/method/{name}`) on one 127.0.0.1 listener and the upload host on a
//! second one, as with VK. It behaves as `external-apis.md` §3 and §6 describe: form POSTs
//! only, HTTP 200 envelopes, error 6 above 3 requests/second per token, error 5 for revoked
//! tokens, captchas and other errors on demand, expiring upload URLs, "too fast" (-12) and 800
//! for a repeated `video.addToAlbum`. It counts what it saved, received and filed in albums.
// TODO: video.getAlbums, video.addAlbum and community (group) tokens are not served yet.

mod api;
mod fault;
mod multipart;
mod state;
mod upload;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use fault::FaultTarget;
pub use fault::VkFault;
use state::{Album, State, UserToken};
pub use upload::EXPIRED_CODE as UPLOAD_EXPIRED_CODE;

/// The largest upload the fake host reads.
const BODY_LIMIT: usize = 512 * 1024 * 1024;

/// One request the fake received, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VkRequest {
    /// The API method, or `upload` for the upload host.
    pub method: String,
    /// The token the call carried (API calls only).
    pub token: Option<String>,
    pub at: Instant,
    /// The error code answered, if any.
    pub error_code: Option<i64>,
}

/// A video created by `video.save`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeVkVideo {
    pub owner_id: i64,
    pub video_id: i64,
    pub name: String,
    pub description: String,
    pub privacy_view: Option<String>,
    /// The bytes the upload host received, if it did.
    pub content: Option<Vec<u8>>,
}

#[derive(Clone)]
pub(crate) struct Shared(Arc<Mutex<State>>);

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake VK; its servers stop when it is dropped.
pub struct FakeVk {
    shared: Shared,
    api_base: String,
    upload_base: String,
    servers: Vec<JoinHandle<()>>,
}

impl FakeVk {
    /// Starts both listeners on free ports of 127.0.0.1, ready when this returns.
    pub async fn start() -> FakeVk {
        let api = bind().await;
        let host = bind().await;
        let api_base = base_of(&api);
        let upload_base = base_of(&host);
        let shared = Shared(Arc::new(Mutex::new(State::new(upload_base.clone()))));

        let api_router = Router::new()
            .route("/method/{method}", post(api::call))
            .with_state(shared.clone());
        let host_router = Router::new()
            .route("/upload.do", post(upload::upload))
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(shared.clone());
        let servers = vec![serve(api, api_router), serve(host, host_router)];
        FakeVk {
            shared,
            api_base,
            upload_base,
            servers,
        }
    }

    /// The API base, like `https://api.vk.com/method`.
    pub fn api_url(&self) -> String {
        format!("{}/method", self.api_base)
    }

    /// The upload host that `upload_url`s point to.
    pub fn upload_host_url(&self) -> String {
        self.upload_base.clone()
    }

    /// Registers a user access token acting for `user_id`.
    pub fn add_user_token(&self, token: &str, user_id: i64) {
        let user = UserToken {
            user_id,
            revoked: false,
        };
        self.shared.lock().tokens.insert(token.to_owned(), user);
    }

    /// Revokes a token: every call with it answers error 5.
    pub fn revoke_token(&self, token: &str) {
        if let Some(user) = self.shared.lock().tokens.get_mut(token) {
            user.revoked = true;
        }
    }

    /// Creates an album of `owner_id` (a user id, or a negative community id).
    pub fn add_album(&self, owner_id: i64, album_id: i64) {
        self.shared
            .lock()
            .albums
            .insert((owner_id, album_id), Album::default());
    }

    /// Calls per token per second before error 6 (VK: 3 for user tokens).
    pub fn set_rate_limit(&self, per_second: usize) {
        self.shared.lock().rate_limit = per_second;
    }

    /// How long upload URLs stay valid (default one hour).
    pub fn set_upload_url_ttl(&self, ttl: Duration) {
        self.shared.lock().upload_url_ttl = ttl;
    }

    /// Makes the upload host wait `latency` between storing a file and answering, as a slow
    /// network would; a client killed meanwhile never learns that its file arrived.
    pub fn set_upload_answer_latency(&self, latency: Duration) {
        self.shared.lock().answer_latency = latency;
    }

    /// Uploads stored but not answered yet.
    pub fn uploads_unanswered(&self) -> usize {
        self.shared.lock().unanswered
    }

    /// Uploads into a video that already held a file (a retry of an upload that had landed).
    pub fn repeated_uploads(&self) -> usize {
        self.shared.lock().counters.repeated_uploads
    }

    /// Echo `access_token` in errors' `request_params`, as older VK servers did.
    pub fn echo_token_in_errors(&self, echo: bool) {
        self.shared.lock().echo_token = echo;
    }

    /// Makes the next `count` requests `fault` applies to fail with it (see [`VkFault`]).
    pub fn fail_next(&self, count: usize, fault: VkFault) {
        let mut state = self.shared.lock();
        let queue = match fault.target() {
            FaultTarget::Api => &mut state.faults.api,
            FaultTarget::Save => &mut state.faults.save,
            FaultTarget::Upload => &mut state.faults.upload,
        };
        queue.extend(std::iter::repeat_n(fault, count));
    }

    /// Every video `video.save` created, in order.
    pub fn videos(&self) -> Vec<FakeVkVideo> {
        self.shared
            .lock()
            .videos
            .iter()
            .map(|v| FakeVkVideo {
                owner_id: v.owner_id,
                video_id: v.video_id,
                name: v.name.clone(),
                description: v.description.clone(),
                privacy_view: v.privacy_view.clone(),
                content: v.content.clone(),
            })
            .collect()
    }

    /// Successful `video.save` calls.
    pub fn videos_saved(&self) -> usize {
        self.shared.lock().counters.saves
    }

    /// Files the upload host accepted.
    pub fn videos_uploaded(&self) -> usize {
        self.shared.lock().counters.uploads
    }

    /// `(owner_id, video_id)` of the videos in an album, in order.
    pub fn album_videos(&self, owner_id: i64, album_id: i64) -> Vec<(i64, i64)> {
        self.shared
            .lock()
            .albums
            .get(&(owner_id, album_id))
            .map(|album| album.videos.clone())
            .unwrap_or_default()
    }

    /// Calls answered with error 6 because the real rate was exceeded (injected ones excluded).
    pub fn rate_limited_calls(&self) -> usize {
        self.shared.lock().counters.rate_limited
    }

    /// The most API calls `token` made within any one-second span.
    pub fn max_calls_per_second(&self, token: &str) -> usize {
        let times: Vec<Instant> = self
            .requests()
            .into_iter()
            .filter(|r| r.token.as_deref() == Some(token))
            .map(|r| r.at)
            .collect();
        (0..times.len())
            .map(|i| {
                times[i..]
                    .iter()
                    .take_while(|t| t.duration_since(times[i]) < Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Every request received on either listener, in order.
    pub fn requests(&self) -> Vec<VkRequest> {
        self.shared.lock().seen.clone()
    }
}

impl Drop for FakeVk {
    fn drop(&mut self) {
        for server in &self.servers {
            server.abort();
        }
    }
}

async fn bind() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port on 127.0.0.1 for the fake VK")
}

fn base_of(listener: &TcpListener) -> String {
    let address = listener
        .local_addr()
        .expect("a bound listener has a local address");
    format!("http://{address}")
}

fn serve(listener: TcpListener, router: Router) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "fake vk server stopped");
        }
    })
}
