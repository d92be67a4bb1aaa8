//! The real `recflow` binary as a user runs it: offline account commands, schedule preview,
//! config print, serve with its first-start token, graceful shutdown and the SQLite
//! single-node refusal.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{free_port, recflow, serve, wait_listening as wait_healthy};

fn run(command: &mut Command) -> Output {
    command.output().expect("recflow runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn user_and_token_commands_print_only_the_token() {
    let dir = tempfile::tempdir().expect("tmp");

    let created =
        run(recflow(dir.path()).args(["user", "create", "--email", "Ana@Example.com", "--admin"]));
    let token = run(recflow(dir.path()).args(["token", "create", "--email", "ana@example.com"]));
    let missing =
        run(recflow(dir.path()).args(["token", "create", "--email", "nobody@example.com"]));
    let listed = run(recflow(dir.path()).args(["user", "list", "--json"]));

    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(stdout(&created).trim().starts_with("rf_"));
    assert_eq!(stdout(&created).trim().lines().count(), 1);
    assert!(stdout(&token).trim().starts_with("rf_"));
    assert_ne!(stdout(&created), stdout(&token));
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no account"));
    let users: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("json");
    assert_eq!(users[0]["email"], "ana@example.com");
    assert_eq!(users[0]["is_admin"], true);
}

#[test]
fn schedule_preview_prints_the_endpoint_json() {
    let dir = tempfile::tempdir().expect("tmp");
    let schedule = r#"{"type":"cron","expression":"0 * * * *","timezone":"Europe/London"}"#;

    let output = run(recflow(dir.path()).args([
        "schedule",
        "preview",
        "--schedule",
        schedule,
        "--after",
        "2019-10-26T23:30:00Z",
        "--count",
        "4",
    ]));
    let bad = run(recflow(dir.path()).args([
        "schedule",
        "preview",
        "--schedule",
        r#"{"type":"cron","expression":"0 9 L * *"}"#,
    ]));

    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let preview: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let at: Vec<_> = preview["next_runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["at_utc"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        at,
        [
            "2019-10-27T00:00:00Z",
            "2019-10-27T01:00:00Z",
            "2019-10-27T02:00:00Z",
            "2019-10-27T03:00:00Z"
        ]
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("schedule.expression"));
}

#[test]
fn config_print_hides_secrets_and_layers_env_under_flags() {
    let dir = tempfile::tempdir().expect("tmp");

    let output = run(recflow(dir.path())
        .args(["config", "print"])
        .env("RECFLOW_SECRET_KEY", "c2VjcmV0LWtleS1mb3ItdGVzdA==")
        .env(
            "RECFLOW_DATABASE_URL",
            "postgres://rf:hunter2@db.internal/rf",
        )
        .env("RECFLOW_SCHEDULER_TICK_MS", "250"));

    let text = stdout(&output);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !text.contains("hunter2") && !text.contains("c2VjcmV0"),
        "{text}"
    );
    let config: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(config["scheduler_tick_ms"], 250);
    assert_eq!(config["secret_key"], "<hidden>");
    assert_eq!(
        config["database_url"],
        "postgres://rf:<hidden>@db.internal/rf"
    );
}

#[test]
fn serve_creates_the_admin_once_refuses_a_second_server_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let (mut server, token) = serve(dir.path(), port);
    wait_healthy(port);

    let second =
        run(recflow(dir.path()).args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())]));
    let migrate = run(recflow(dir.path()).arg("migrate"));
    let saved =
        std::fs::read_to_string(dir.path().join("initial-admin-token")).expect("token file");
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let started = Instant::now();
    let status = server.wait().expect("exit");

    assert_eq!(saved.trim(), token);
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("single-node"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(
        migrate.status.success(),
        "a short command runs beside the server"
    );
    assert!(status.success(), "graceful exit: {status:?}");
    assert!(started.elapsed() < Duration::from_secs(10));

    let (mut again, _) = {
        let restarted = recflow(dir.path())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("restart");
        (restarted, ())
    };
    wait_healthy(port);
    let _ = Command::new("kill")
        .args(["-TERM", &again.id().to_string()])
        .status();
    let output = again.wait_with_output_or_kill();
    assert!(
        !output.contains("rf_"),
        "a restart must not create another admin: {output}"
    );
}

trait WaitOutput {
    fn wait_with_output_or_kill(&mut self) -> String;
}

impl WaitOutput for Child {
    fn wait_with_output_or_kill(&mut self) -> String {
        let mut text = String::new();
        if let Some(stdout) = self.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                text.push_str(&line);
                text.push('\n');
            }
        }
        let _ = self.wait();
        text
    }
}
