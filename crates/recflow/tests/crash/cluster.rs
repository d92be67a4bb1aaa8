//! The `recflow` processes of the test: one API, two schedulers and two workers, sharing one
//! PostgreSQL database and one data directory, each logging to a file of its own.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::fakes::Urls;

/// Base64 of 32 bytes: the credentials key every process shares.
const SECRET_KEY: &str = "Y3Jhc2gtdGVzdC1rZXktMzItYnl0ZXMtbG9uZy4uLi4=";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Api,
    Scheduler,
    Worker,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Api => "api",
            Role::Scheduler => "scheduler",
            Role::Worker => "worker",
        }
    }
}

struct Process {
    role: Role,
    index: usize,
    child: Child,
}

pub struct Cluster {
    env: Vec<(String, String)>,
    data_dir: PathBuf,
    logs: PathBuf,
    api_port: u16,
    processes: Vec<Process>,
    started: usize,
}

impl Cluster {
    pub fn new(database_url: &str, data_dir: &Path, logs: &Path, urls: &Urls) -> Cluster {
        let env = [
            ("RECFLOW_DATABASE_URL", database_url),
            ("RECFLOW_SECRET_KEY", SECRET_KEY),
            ("RECFLOW_ZOOM_OAUTH_URL", &urls.zoom),
            ("RECFLOW_ZOOM_API_URL", &urls.zoom_api),
            ("RECFLOW_GOOGLE_OAUTH_URL", &urls.google_oauth),
            ("RECFLOW_YOUTUBE_API_URL", &urls.youtube_api),
            ("RECFLOW_YOUTUBE_UPLOAD_URL", &urls.youtube_upload),
            ("RECFLOW_VK_API_URL", &urls.vk),
            ("RECFLOW_ALLOWED_DOWNLOAD_HOSTS", "127.0.0.1"),
            ("RECFLOW_YOUTUBE_CHUNK_BYTES", "262144"),
            ("RECFLOW_SCHEDULER_TICK_MS", "250"),
            // Short leases so that work of a killed process is taken over within seconds.
            ("RECFLOW_RUN_LEASE_SECONDS", "6"),
            ("RECFLOW_STAGE_LEASE_SECONDS", "6"),
            ("RECFLOW_STAGE_RETRY_BASE_SECONDS", "1"),
            ("RUST_LOG", "info"),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
        std::fs::create_dir_all(logs).expect("logs directory");
        Cluster {
            env,
            data_dir: data_dir.to_owned(),
            logs: logs.to_owned(),
            api_port: free_port(),
            processes: Vec::new(),
            started: 0,
        }
    }

    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }

    /// Starts process `index` of `role`.
    pub fn start(&mut self, role: Role, index: usize) {
        self.started += 1;
        let log_path = self
            .logs
            .join(format!("{}-{index}-{}.log", role.name(), self.started));
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_recflow"));
        command
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(["serve", "--roles", role.name()])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        if role == Role::Api {
            command.args(["--listen", &format!("127.0.0.1:{}", self.api_port)]);
        }
        let child = command.spawn().expect("recflow starts");
        self.processes.push(Process { role, index, child });
    }

    /// Kills process `index` of `role` with SIGKILL (no shutdown code runs) and starts it
    /// again, as a supervisor would.
    pub fn restart(&mut self, role: Role, index: usize) {
        self.kill(role, index);
        self.start(role, index);
    }

    fn kill(&mut self, role: Role, index: usize) {
        let position = self
            .processes
            .iter()
            .position(|p| p.role == role && p.index == index)
            .expect("a running process");
        let mut process = self.processes.swap_remove(position);
        process.child.kill().expect("SIGKILL");
        process.child.wait().expect("reaped");
    }

    /// Processes that exited on their own: a crash-proof service has none.
    pub fn exited(&mut self) -> Vec<String> {
        self.processes
            .iter_mut()
            .filter_map(|p| {
                let status = p.child.try_wait().ok()??;
                Some(format!(
                    "{}-{} exited with {status}",
                    p.role.name(),
                    p.index
                ))
            })
            .collect()
    }

    /// The last lines of every log, for a failure message.
    pub fn log_tails(&self) -> String {
        let mut tails = String::new();
        let mut entries: Vec<_> = std::fs::read_dir(&self.logs)
            .map(|dir| dir.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        entries.sort();
        for path in entries {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(15)..].join("\n");
            tails.push_str(&format!("\n--- {} ---\n{tail}\n", path.display()));
        }
        tails
    }

    /// Waits until the API answers `/ready`.
    pub async fn wait_ready(&self, http: &reqwest::Client) {
        for _ in 0..200 {
            let ready = http
                .get(format!("{}/ready", self.api_url()))
                .send()
                .await
                .is_ok_and(|answer| answer.status().is_success());
            if ready {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the API never became ready:{}", self.log_tails());
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for process in &mut self.processes {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
