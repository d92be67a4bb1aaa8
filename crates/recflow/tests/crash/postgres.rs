//! A PostgreSQL server of the test's own, in a temporary directory, so the test can crash
//! and restart it without disturbing the shared server other tests use. It listens on a Unix
//! socket in that directory only, so no TCP port can be taken from it between restarts.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// Only names the socket file (`.s.PGSQL.5432`); the directory is the test's own.
const SOCKET_PORT: u16 = 5432;

pub struct Postgres {
    bin: PathBuf,
    dir: TempDir,
    /// Whether commands run as the `postgres` user (PostgreSQL refuses to run as root).
    as_postgres: bool,
    pub restarts: u32,
}

impl Postgres {
    /// Creates a cluster (`initdb`) and starts it.
    pub fn start() -> Postgres {
        let bin = server_bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("recflow-crash-pg")
            .tempdir()
            .expect("a temporary directory");
        let as_postgres = running_as_root();
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown runs");
            assert!(
                status.success(),
                "cannot hand the cluster directory to postgres"
            );
        }
        let pg = Postgres {
            bin,
            dir,
            as_postgres,
            restarts: 0,
        };
        let data = pg.data_dir();
        pg.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        );
        pg.start_server();
        pg.stop_when_orphaned();
        pg
    }

    /// The server outlives a test process that is killed (it runs detached): a watcher in a
    /// session of its own stops it and removes its files once this process is gone.
    #[expect(
        clippy::zombie_processes,
        reason = "the watcher has to outlive this process, so nobody here waits for it"
    )]
    fn stop_when_orphaned(&self) {
        let stop = self.command("pg_ctl");
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} -D '{data}' -m immediate stop; rm -rf '{dir}'",
            pid = std::process::id(),
            stop = stop.join(" "),
            data = path(&self.data_dir()),
            dir = path(self.dir.path()),
        );
        Command::new("setsid")
            .args(["sh", "-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the cleanup watcher starts");
    }

    /// The words that run `program` of the server as the right user.
    fn command(&self, program: &str) -> Vec<String> {
        let program = self.bin.join(program).display().to_string();
        if self.as_postgres {
            vec![
                "runuser".into(),
                "-u".into(),
                "postgres".into(),
                "--".into(),
                program,
            ]
        } else {
            vec![program]
        }
    }

    /// The URL of its `postgres` database, through the socket in its directory.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@localhost:{}/postgres?host={}",
            SOCKET_PORT,
            path(self.dir.path())
        )
    }

    /// Stops the server the hard way (`immediate`: no checkpoint, like a crash) and starts it
    /// again; it replays its WAL on the way up.
    pub fn crash_and_restart(&mut self) {
        self.stop();
        self.start_server();
        self.restarts += 1;
    }

    fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses= -c max_connections=200 -c fsync=off",
            SOCKET_PORT,
            path(self.dir.path())
        );
        let log = self.dir.path().join("server.log");
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-l",
                path(&log),
                "-o",
                &options,
                "-w",
                "start",
            ],
        );
    }

    fn stop(&self) {
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &["-D", path(&data), "-m", "immediate", "-w", "stop"],
        );
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, program: &str, args: &[&str]) {
        let words = self.command(program);
        let output = Command::new(&words[0])
            .args(&words[1..])
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {words:?}: {e}"));
        assert!(
            output.status.success(),
            "{words:?} {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let words = self.command("pg_ctl");
        let data = self.data_dir();
        let _ = Command::new(&words[0])
            .args(&words[1..])
            .args(["-D", path(&data), "-m", "immediate", "stop"])
            .output();
    }
}

/// The newest installed server's `bin` directory (Debian: `/usr/lib/postgresql/<v>/bin`).
fn server_bin_dir() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("the PostgreSQL server binaries under /usr/lib/postgresql")
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    found
        .pop()
        .expect("initdb of an installed PostgreSQL server")
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn path(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}
