//! Peak memory while uploading a large file (SPEC §11: under 64 MB for 2 GB), through the
//! YouTube resumable uploader (8 MiB chunks, the service's default) and the VK upload host
//! client, and prints a table.
//!
//! The receiving ends are minimal servers in the same process that speak just enough of each
//! protocol (`external-apis.md` §2.2 and §3.3) and count the bytes they receive without
//! keeping them, so the figure covers the clients' buffering plus those servers' in-flight
//! buffers: an upper bound for the upload alone. The file is sparse (it occupies no disk).
//!
//! `cargo run --release -p recflow-publish --example upload_bench -- [GIB]` (default 2).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::StreamExt;
use recflow_publish::{
    AccessTokenSource, ChunkSize, GoogleCredential, GoogleOAuth, MemorySessionStore, Privacy,
    PublishHttp, Timeouts, UploadConfig, VideoMetadata, VkClient, VkVideo, YoutubeUploader,
};
use serde_json::json;

/// What the receiving servers know: the file size, and the bytes received so far.
struct Sink {
    size: u64,
    received: AtomicU64,
    base: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gib: u64 = std::env::args().nth(1).map_or(Ok(2), |a| a.parse())?;
    let size = gib * 1024 * 1024 * 1024;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("big.mp4");
    std::fs::File::create(&file)?.set_len(size)?;
    let http = PublishHttp::new(Timeouts {
        connect: Duration::from_secs(5),
        api: Duration::from_secs(30),
        chunk: Duration::from_secs(300),
        file_upload: Duration::from_secs(3600),
    })?;
    println!("| upload of {gib} GiB | time | bytes received | peak RSS of the process |");
    println!("|---|---|---|---|");

    let youtube = serve(size).await?;
    let started = Instant::now();
    let uploader = YoutubeUploader::new(
        http.clone(),
        format!("{}/youtube/v3", youtube.base),
        format!("{}/upload/youtube/v3", youtube.base),
    )
    .with_config(UploadConfig {
        chunk_size: ChunkSize::new(8 * 1024 * 1024)?,
        ..UploadConfig::default()
    });
    let access = AccessTokenSource::new(
        GoogleOAuth::new(http.clone(), youtube.base.clone()),
        GoogleCredential {
            client_id: "bench".into(),
            client_secret: "bench".into(),
            refresh_token: "bench".into(),
        },
    );
    let metadata = VideoMetadata {
        title: "Benchmark".into(),
        description: String::new(),
        tags: Vec::new(),
        category_id: "27".into(),
        privacy: Privacy::Private,
        made_for_kids: false,
    };
    uploader
        .upload(&access, &metadata, &file, &MemorySessionStore::new())
        .await?;
    row("YouTube, resumable, 8 MiB chunks", started, &youtube);

    let vk = serve(size).await?;
    let started = Instant::now();
    let client = VkClient::new(http, format!("{}/method", vk.base));
    let video = VkVideo {
        name: "Benchmark".into(),
        description: String::new(),
        group_id: None,
        album_id: None,
        privacy_view: None,
    };
    client.upload("bench-token", &video, &file).await?;
    row("VK, one streamed multipart POST", started, &vk);
    Ok(())
}

fn row(what: &str, started: Instant, sink: &Sink) {
    println!(
        "| {what} | {:.1} s | {} | {:.1} MiB |",
        started.elapsed().as_secs_f64(),
        sink.received.load(Ordering::SeqCst),
        peak_rss_kib() as f64 / 1024.0
    );
}

/// `VmHWM` of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

async fn serve(size: u64) -> Result<Arc<Sink>, Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    let sink = Arc::new(Sink {
        size,
        received: AtomicU64::new(0),
        base: format!("http://{addr}"),
    });
    let app = Router::new()
        .route("/token", post(token))
        .route("/upload/youtube/v3/videos", post(initiate).put(chunk))
        .route("/method/video.save", post(vk_save))
        .route("/vk-upload", post(vk_upload))
        .with_state(sink.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(sink)
}

async fn token() -> Response {
    axum::Json(json!({"access_token": "bench", "expires_in": 3599, "token_type": "Bearer"}))
        .into_response()
}

async fn initiate(State(sink): State<Arc<Sink>>) -> Response {
    let location = format!("{}/upload/youtube/v3/videos?upload_id=bench", sink.base);
    (StatusCode::OK, [(header::LOCATION, location)]).into_response()
}

/// Counts a chunk's bytes as they stream in; 308 with the new `Range`, or the video at the end.
async fn chunk(State(sink): State<Arc<Sink>>, body: Body) -> Response {
    let received = drain(&sink, body).await;
    if received >= sink.size {
        return axum::Json(json!({"id": "benchVideo01"})).into_response();
    }
    let range = format!("bytes=0-{}", received - 1);
    (StatusCode::PERMANENT_REDIRECT, [(header::RANGE, range)]).into_response()
}

async fn vk_save(State(sink): State<Arc<Sink>>) -> Response {
    let expires = chrono::Utc::now().timestamp_millis() + 3_600_000;
    let upload_url = format!("{}/vk-upload?expires={expires}", sink.base);
    axum::Json(
        json!({"response": {"upload_url": upload_url, "video_id": 1, "owner_id": 2,
        "title": "Benchmark", "description": "", "access_key": "bench"}}),
    )
    .into_response()
}

/// Counts the multipart body as it streams in and reports the file's size once it all came.
async fn vk_upload(State(sink): State<Arc<Sink>>, _headers: HeaderMap, body: Body) -> Response {
    let received = drain(&sink, body).await;
    let size = if received >= sink.size {
        sink.size
    } else {
        received
    };
    axum::Json(
        json!({"video_hash": "bench", "size": size, "direct_link": "", "owner_id": 2,
        "video_id": 1}),
    )
    .into_response()
}

/// Reads `body` to its end without keeping it; returns the bytes received in all so far.
async fn drain(sink: &Sink, body: Body) -> u64 {
    let mut stream = body.into_data_stream();
    while let Some(Ok(bytes)) = stream.next().await {
        sink.received
            .fetch_add(bytes.len() as u64, Ordering::SeqCst);
    }
    sink.received.load(Ordering::SeqCst)
}
