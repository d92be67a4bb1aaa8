//! Running the real `recflow` binary from a test: on a data dir of the test's own, with the
//! embedded database, and `serve` up to the point where it printed its first-admin token.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `recflow --data-dir DATA_DIR`, on the embedded database whatever the environment says.
pub fn recflow(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_recflow"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("RECFLOW_DATABASE_URL");
    command
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Starts `recflow serve` with every role and waits until it printed the first-admin token.
pub fn serve(data_dir: &Path, port: u16) -> (Child, String) {
    let mut child = recflow(data_dir)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--roles",
            "api,scheduler,worker",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let token = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|line| line.starts_with("rf_"))
        .expect("serve prints the first admin token");
    (child, token)
}

/// Waits until something listens on `port` of 127.0.0.1.
pub fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listened on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
