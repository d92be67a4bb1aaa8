//! A fake Zoom download host on 127.0.0.1:0, reached under several host names.
//!
//! It behaves as `protocols/external-apis.md` §1.7 describes: a good bearer gets a 302 to a
//! signed CDN URL, a bad one gets 200 `text/html`; the CDN honours `Range`. Extra routes
//! misbehave on purpose (short bodies, 503, a dropped connection, a stall, a redirect loop).

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HOST, LOCATION, RANGE,
};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::stream;

use super::fixtures::pseudo_random_bytes;

/// The token the fake accepts.
pub const GOOD_TOKEN: &str = "good-token";
/// Host names that resolve to the fake; allow `*.zoom.test` to allow the first two.
pub const API_HOST: &str = "api.zoom.test";
pub const CDN_HOST: &str = "cdn.zoom.test";
pub const EVIL_HOST: &str = "evil.test";

/// What one request looked like, for asserting on afterwards.
#[derive(Debug, Clone)]
pub struct Seen {
    pub host: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    pub range: Option<String>,
}

pub struct FakeZoom {
    pub addr: SocketAddr,
    /// The bytes every "good" route serves.
    pub file: Arc<Vec<u8>>,
    state: Arc<Shared>,
}

struct Shared {
    port: u16,
    file: Arc<Vec<u8>>,
    flaky_failed_once: AtomicBool,
    seen: Mutex<Vec<Seen>>,
}

impl FakeZoom {
    /// Starts the server with a `file_len`-byte file.
    pub async fn start(file_len: usize) -> FakeZoom {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("can bind a local port");
        let addr = listener
            .local_addr()
            .expect("a bound socket has an address");
        let file = Arc::new(pseudo_random_bytes(file_len, 42));
        let state = Arc::new(Shared {
            port: addr.port(),
            file: file.clone(),
            flaky_failed_once: AtomicBool::new(false),
            seen: Mutex::new(Vec::new()),
        });

        let app = Router::new()
            .route("/rec/download", get(zoom_download))
            .route("/rec/evil", get(redirect_to_evil))
            .route("/cdn/file", get(cdn_file))
            .route("/cdn/short", get(short_with_length))
            .route("/cdn/short-chunked", get(short_chunked))
            .route(
                "/cdn/unavailable",
                get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
            )
            .route("/cdn/flaky", get(flaky))
            .route("/cdn/no-range", get(ignores_range))
            .route("/cdn/html-as-binary", get(html_as_binary))
            .route("/cdn/stall", get(stall))
            .route(
                "/cdn/loop",
                get(|| async { redirect("/cdn/loop".to_owned()) }),
            )
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeZoom { addr, file, state }
    }

    /// A URL on this server under `host`.
    pub fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.addr.port())
    }

    /// A download client that resolves the fake's host names to it.
    pub fn client(&self) -> reqwest::Client {
        self.resolving(recflow_media::download::client_builder())
    }

    /// Makes `builder` resolve the fake's host names to it.
    pub fn resolving(&self, builder: reqwest::ClientBuilder) -> reqwest::Client {
        [API_HOST, CDN_HOST, EVIL_HOST]
            .into_iter()
            .fold(builder, |builder, host| builder.resolve(host, self.addr))
            .build()
            .expect("a plain HTTP client builds")
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state
            .seen
            .lock()
            .expect("no test panics while holding it")
            .clone()
    }
}

fn record(state: &Shared, headers: &HeaderMap, uri: &Uri) {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
    };
    let host = header(HOST).unwrap_or_default();
    let seen = Seen {
        host: host.split(':').next().unwrap_or_default().to_owned(),
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        authorization: header(AUTHORIZATION).map(str::to_owned),
        range: header(RANGE).map(str::to_owned),
    };
    state
        .seen
        .lock()
        .expect("no test panics while holding it")
        .push(seen);
}

/// Zoom's download endpoint: 302 to the CDN for a good bearer, an HTML page otherwise.
async fn zoom_download(State(state): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    record(&state, &headers, &uri);
    let expected = format!("Bearer {GOOD_TOKEN}");
    if headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return html_error_page();
    }
    redirect(format!(
        "http://{CDN_HOST}:{}/cdn/file?sig=signed",
        state.port
    ))
}

async fn redirect_to_evil(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    record(&state, &headers, &uri);
    redirect(format!("http://{EVIL_HOST}:{}/cdn/file", state.port))
}

/// The CDN: the file, honouring `Range: bytes=N-`.
async fn cdn_file(State(state): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    record(&state, &headers, &uri);
    serve_range(&state.file, &headers)
}

/// A complete response that is shorter than the real file, with its own Content-Length.
async fn short_with_length(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    record(&state, &headers, &uri);
    let half = state.file[..state.file.len() / 2].to_vec();
    ([(CONTENT_TYPE, "video/mp4")], half).into_response()
}

/// A complete chunked response that is shorter than the real file (no Content-Length).
async fn short_chunked(State(state): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    record(&state, &headers, &uri);
    let half = Bytes::copy_from_slice(&state.file[..state.file.len() / 2]);
    let body = Body::from_stream(stream::iter([Ok::<_, io::Error>(half)]));
    ([(CONTENT_TYPE, "video/mp4")], body).into_response()
}

/// Drops the connection half-way through the first response; serves normally afterwards.
async fn flaky(State(state): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    record(&state, &headers, &uri);
    if state.flaky_failed_once.swap(true, Ordering::SeqCst) {
        return serve_range(&state.file, &headers);
    }
    let half = Bytes::copy_from_slice(&state.file[..state.file.len() / 2]);
    let chunks = [
        Ok(half),
        Err(io::Error::other("connection dropped on purpose")),
    ];
    let body = Body::from_stream(stream::iter(chunks));
    let length = state.file.len().to_string();
    (
        [
            (CONTENT_TYPE, "video/mp4"),
            (CONTENT_LENGTH, length.as_str()),
        ],
        body,
    )
        .into_response()
}

/// A server that does not do ranges: always the whole file with 200.
async fn ignores_range(State(state): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    record(&state, &headers, &uri);
    ([(CONTENT_TYPE, "video/mp4")], state.file.to_vec()).into_response()
}

/// An error page that claims to be a binary file.
async fn html_as_binary(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    record(&state, &headers, &uri);
    let page = "<!DOCTYPE html><html><body>Forbidden</body></html>";
    ([(CONTENT_TYPE, "application/octet-stream")], page).into_response()
}

/// Answers, then never sends a byte of body.
async fn stall(State(state): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    record(&state, &headers, &uri);
    let body = Body::from_stream(stream::pending::<Result<Bytes, io::Error>>());
    ([(CONTENT_TYPE, "video/mp4")], body).into_response()
}

fn serve_range(file: &[u8], headers: &HeaderMap) -> Response {
    let total = file.len();
    let start = headers
        .get(RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .and_then(|v| v.strip_suffix('-'))
        .and_then(|v| v.parse::<usize>().ok());
    match start {
        None => ([(CONTENT_TYPE, "video/mp4")], file.to_vec()).into_response(),
        Some(start) if start >= total => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(CONTENT_RANGE, format!("bytes */{total}"))],
        )
            .into_response(),
        Some(start) => (
            StatusCode::PARTIAL_CONTENT,
            [
                (CONTENT_TYPE, "video/mp4".to_owned()),
                (
                    CONTENT_RANGE,
                    format!("bytes {start}-{}/{total}", total - 1),
                ),
            ],
            file[start..].to_vec(),
        )
            .into_response(),
    }
}

fn redirect(location: String) -> Response {
    (StatusCode::FOUND, [(LOCATION, location)]).into_response()
}

fn html_error_page() -> Response {
    let page = "<html><body>This recording does not exist or you cannot access it.</body></html>";
    ([(CONTENT_TYPE, "text/html;charset=utf-8")], page).into_response()
}
