//! Measures the two media targets of SPEC §11 and prints a table:
//!
//! 1. peak memory (VmHWM) while downloading a 2 GiB file from a local server that generates
//!    its bytes on the fly (nothing that size is held or stored by the server);
//! 2. the cost of `trim::apply` against plain `ffmpeg -c copy` on a generated recording.
//!
//! `cargo run --release -p recflow-media --example media_bench -- [--download-gib N]
//! [--trim-seconds N] [--runs N] [--dir PATH]`; `--download-gib 0` skips the download. The
//! downloaded file is deleted afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use recflow_media::download::{self, DownloadRequest};
use recflow_media::trim::{self, TrimPlan, TrimSettings};

const CHUNK_BYTES: usize = 64 * 1024;

struct Options {
    download_gib: u64,
    trim_seconds: u32,
    runs: usize,
    dir: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = parse_options()?;
    let work = tempfile::tempdir_in(&options.dir).context("cannot make a work directory")?;
    println!("| measurement | value |\n|---|---|");

    if options.download_gib > 0 {
        bench_download(&options, work.path()).await?;
    }
    bench_trim(&options, work.path()).await?;
    Ok(())
}

async fn bench_download(options: &Options, dir: &Path) -> anyhow::Result<()> {
    let size = options.download_gib * 1024 * 1024 * 1024;
    let port = serve_generated_bytes(size).await?;
    let dest = dir.join("big.bin");
    let request = DownloadRequest {
        url: format!("http://127.0.0.1:{port}/file"),
        bearer_token: Some("bench-token".to_owned()),
        expected_size: Some(size),
        allowed_hosts: vec!["127.0.0.1".to_owned()],
        dest: dest.clone(),
        timeout: Duration::from_secs(30),
    };
    let client = download::client_builder().build()?;
    let before = vm_hwm_kib()?;

    let started = Instant::now();
    let outcome = download::download(&client, request).await?;
    let elapsed = started.elapsed();

    let peak = vm_hwm_kib()?;
    std::fs::remove_file(&dest)?;
    let mib_per_s = outcome.bytes as f64 / elapsed.as_secs_f64() / (1024.0 * 1024.0);
    row(
        "download size",
        format!("{} GiB ({} bytes)", options.download_gib, outcome.bytes),
    );
    row(
        "download time",
        format!("{:.1} s ({mib_per_s:.0} MiB/s)", elapsed.as_secs_f64()),
    );
    row(
        "VmHWM before download (server + runtime)",
        format!("{:.1} MiB", kib_to_mib(before)),
    );
    row(
        "VmHWM after download (whole process)",
        format!("{:.1} MiB", kib_to_mib(peak)),
    );
    Ok(())
}

/// Serves `size` bytes of a repeated pattern at `/file`; returns the port.
async fn serve_generated_bytes(size: u64) -> anyhow::Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let pattern = Bytes::from(
        (0..CHUNK_BYTES)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<_>>(),
    );
    let app = Router::new().route(
        "/file",
        get(move || async move {
            let chunks = size.div_ceil(CHUNK_BYTES as u64);
            let body = futures::stream::iter((0..chunks).map(move |index| {
                let left = size - index * CHUNK_BYTES as u64;
                let len = left.min(CHUNK_BYTES as u64) as usize;
                Ok::<_, std::io::Error>(pattern.slice(..len))
            }));
            let length = size.to_string();
            let headers = [
                (CONTENT_TYPE, "video/mp4".to_owned()),
                (CONTENT_LENGTH, length),
            ];
            (headers, Body::from_stream(body)).into_response()
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(port)
}

/// The ways of producing the trimmed file (or the plan) that are timed against each other.
const VARIANTS: [&str; 7] = [
    "A: ffmpeg -c copy, whole file",
    "B: ffmpeg -ss S -t T -c copy (same cut as the plan)",
    "C: B + -movflags +faststart",
    "D: C + fsync of the output",
    "trim::apply (C + fsync + rename + directory fsync)",
    "trim::detect (ffprobe + edge windows)",
    "for comparison: silencedetect over the whole file",
];

async fn bench_trim(options: &Options, dir: &Path) -> anyhow::Result<()> {
    let input = dir.join("recording.mp4");
    let started = Instant::now();
    make_recording(&input, options.trim_seconds)?;
    let size_mib = std::fs::metadata(&input)?.len() as f64 / (1024.0 * 1024.0);
    let made_in = started.elapsed().as_secs_f64();
    let seconds = options.trim_seconds;
    let about = format!("{seconds} s, 640x360 H.264 4 Mbit/s + AAC, {size_mib:.0} MiB");
    row("trim input", format!("{about} (made in {made_in:.1} s)"));

    let settings = TrimSettings::default();
    let plan = trim::detect(&input, &settings).await?;
    let TrimPlan::Cut {
        start_seconds,
        end_seconds,
        ..
    } = plan
    else {
        bail!("the generated recording should be cut, got {plan:?}");
    };
    let start = format!("{start_seconds:.3}");
    let length = format!("{:.3}", end_seconds - start_seconds);
    let input_str = path(&input);
    let copy_all = ["-i", input_str, "-c", "copy", "-f", "mp4"];
    let copy_cut = [
        "-ss", &start, "-i", input_str, "-t", &length, "-c", "copy", "-f", "mp4",
    ];
    let faststart = ["-movflags", "+faststart"];
    let whole_scan = [
        "-i",
        input_str,
        "-map",
        "0:a:0",
        "-af",
        "silencedetect=noise=-40dB:d=2",
    ];
    let out = dir.join("out.mp4");

    // Each variant starts from the same state: no output file and no dirty pages left by the
    // previous one (`sync`, untimed); the order rotates from run to run.
    let mut samples: [Vec<Duration>; VARIANTS.len()] = Default::default();
    for run in 0..options.runs {
        for step in 0..VARIANTS.len() {
            let variant = (step + run) % VARIANTS.len();
            remove_if_present(&out)?;
            Command::new("sync").status()?;
            let started = Instant::now();
            match variant {
                0 => time_ffmpeg(&[&copy_all[..]], &out).map(drop)?,
                1 => time_ffmpeg(&[&copy_cut[..]], &out).map(drop)?,
                2 => time_ffmpeg(&[&copy_cut[..], &faststart[..]], &out).map(drop)?,
                3 => {
                    time_ffmpeg(&[&copy_cut[..], &faststart[..]], &out)?;
                    std::fs::File::open(&out)?.sync_all()?;
                }
                4 => trim::apply(&input, &out, &plan).await.map(drop)?,
                5 => trim::detect(&input, &settings).await.map(drop)?,
                _ => time_ffmpeg(&[&whole_scan[..], &["-f", "null"][..]], Path::new("-"))
                    .map(drop)?,
            }
            samples[variant].push(started.elapsed());
        }
    }
    remove_if_present(&out)?;

    row("runs per variant", options.runs.to_string());
    let stats = samples.map(Stats::of);
    for (name, stats) in VARIANTS.iter().zip(&stats) {
        row(
            name,
            format!("{:.3} s (min {:.3} s)", stats.median, stats.min),
        );
    }
    let [full, cut, _, durable, applied, detected, _] = stats;
    row("trim::apply vs A", applied.versus(&full));
    row("trim::apply vs B", applied.versus(&cut));
    row("trim::apply vs D", applied.versus(&durable));
    let whole_trim = Stats {
        median: applied.median + detected.median,
        min: applied.min + detected.min,
    };
    row("trim::detect + trim::apply vs A", whole_trim.versus(&full));
    Ok(())
}

/// Median and minimum of a variant's wall times, in seconds.
struct Stats {
    median: f64,
    min: f64,
}

impl Stats {
    fn of(mut samples: Vec<Duration>) -> Stats {
        samples.sort();
        Stats {
            median: samples[samples.len() / 2].as_secs_f64(),
            min: samples[0].as_secs_f64(),
        }
    }

    /// How much slower than `baseline`, by median and by minimum.
    fn versus(&self, baseline: &Stats) -> String {
        let percent = |ours: f64, theirs: f64| (ours / theirs - 1.0) * 100.0;
        format!(
            "{:+.0} % (by min {:+.0} %)",
            percent(self.median, baseline.median),
            percent(self.min, baseline.min)
        )
    }
}

/// A recording with 20 s of silence at each end, made quickly (ultrafast, filler to 4 Mbit/s
/// so that the file is as heavy as a real screen recording).
#[rustfmt::skip]
fn make_recording(path: &Path, seconds: u32) -> anyhow::Result<()> {
    let video = format!("testsrc=size=640x360:rate=25:duration={seconds}");
    let tone = format!("sine=frequency=440:sample_rate=48000:duration={seconds}");
    let silence = format!("volume=enable='lt(t,20)+gte(t,{})':volume=0", seconds - 20);
    let args = [
        "-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &tone, "-af", &silence, "-c:v",
        "libx264", "-preset", "ultrafast", "-g", "50", "-b:v", "4M", "-minrate", "4M",
        "-maxrate", "4M", "-bufsize", "2M", "-x264-params", "nal-hrd=cbr", "-c:a", "aac",
        "-shortest",
    ];
    time_ffmpeg(&[&args[..]], path).map(|_| ())
}

fn time_ffmpeg(groups: &[&[&str]], output: &Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
        .args(groups.iter().flat_map(|g| g.iter()))
        .arg(output)
        .status()?;
    if !status.success() {
        bail!("ffmpeg failed: {status}");
    }
    Ok(started.elapsed())
}

/// The process's peak resident set size, from /proc/self/status.
fn vm_hwm_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .context("no VmHWM line; not Linux?")?;
    let kib = line
        .split_whitespace()
        .nth(1)
        .context("malformed VmHWM line")?;
    Ok(kib.parse()?)
}

fn parse_options() -> anyhow::Result<Options> {
    let mut options = Options {
        download_gib: 2,
        trim_seconds: 600,
        runs: 11,
        dir: std::env::temp_dir(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--download-gib" => options.download_gib = value.parse()?,
            "--trim-seconds" => options.trim_seconds = value.parse()?,
            "--runs" => options.runs = value.parse()?,
            "--dir" => options.dir = value.into(),
            _ => bail!("unknown flag {flag}"),
        }
    }
    if options.runs == 0 {
        bail!("--runs must be at least 1");
    }
    if options.trim_seconds <= 60 {
        bail!("--trim-seconds must be over 60 (the recording has 20 s of silence at each end)");
    }
    Ok(options)
}

fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
        _ => Ok(()),
    }
}

fn row(name: &str, value: String) {
    println!("| {name} | {value} |");
}

fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap_or_default()
}
