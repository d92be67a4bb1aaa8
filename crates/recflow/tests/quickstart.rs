//! The README quickstart as a new user runs it: `recflow serve` on a fresh data dir, then
//! `scripts/quickstart.sh` against it. The script must succeed, the algebra lectures must be
//! published trimmed and renamed, and the blank call skipped as blank.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use support::{free_port, serve, wait_listening};

/// Stops the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

fn duration_seconds(path: &Path) -> f64 {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a duration for {}", path.display()))
}

#[test]
fn the_quickstart_publishes_the_lectures_trimmed_and_skips_the_blank_call() {
    let data = tempfile::tempdir().expect("data dir");
    let port = free_port();
    let (server, token) = serve(data.path(), port);
    let _server = Server(server);
    wait_listening(port);
    let url = format!("http://127.0.0.1:{port}");

    let quickstart = Command::new("bash")
        .arg("scripts/quickstart.sh")
        .current_dir(workspace_root())
        .env("RECFLOW_URL", &url)
        .env("RECFLOW_DATA_DIR", data.path())
        .env("RECFLOW_BIN", env!("CARGO_BIN_EXE_recflow"))
        .output()
        .expect("the quickstart runs");
    let recordings = Command::new(env!("CARGO_BIN_EXE_recflow"))
        .args(["recordings", "list", "--json"])
        .env("RECFLOW_URL", &url)
        .env("RECFLOW_TOKEN", &token)
        .output()
        .expect("the CLI runs");

    let said = String::from_utf8_lossy(&quickstart.stdout);
    assert!(
        quickstart.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&quickstart.stderr)
    );
    let published: Vec<PathBuf> = std::fs::read_dir(data.path().join("outputs/lectures"))
        .expect("the outputs folder")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    let names: Vec<String> = published
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
        .collect();
    assert_eq!(published.len(), 2, "{names:?}\n{said}");
    for lecture in ["Algebra lecture 1", "Algebra lecture 2"] {
        assert!(
            names
                .iter()
                .any(|n| n.contains(lecture) && n.ends_with(".mp4")),
            "{lecture} in {names:?}"
        );
    }
    // 8 + 40 + 6 s and 5 + 35 + 10 s with 1 s of padding kept on each side (keyframes allowing).
    for file in &published {
        let seconds = duration_seconds(file);
        assert!(seconds < 46.0, "{} is {seconds} s", file.display());
    }
    let listed: serde_json::Value =
        serde_json::from_slice(&recordings.stdout).expect("recordings as JSON");
    let items = listed.as_array().or_else(|| listed["items"].as_array());
    let blank = items
        .expect("a list of recordings")
        .iter()
        .find(|r| r["title"] == "Test call")
        .expect("the blank call is listed");
    assert_eq!(blank["status"], "SKIPPED", "{blank}");
    assert_eq!(blank["skip_reason"], "blank", "{blank}");
}
