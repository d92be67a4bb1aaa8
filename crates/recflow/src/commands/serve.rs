//! `recflow serve`: run the chosen roles until SIGTERM or Ctrl-C.

use std::process::ExitCode;

use recflow_service::config::Config;
use recflow_service::roles::Role;
use recflow_service::server::{SHUTDOWN_GRACE, Server};
use tokio_util::sync::CancellationToken;

pub async fn run(config: Config, roles: &[Role]) -> anyhow::Result<ExitCode> {
    let shutdown = CancellationToken::new();
    let backend_url = config.printable()["database_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let server = Server::start(config, roles, shutdown.clone()).await?;

    if let Some(admin) = &server.initial_admin {
        println!(
            "recflow: created the first admin account {}.\nIts API token, shown once (also saved \
             to {}):\n{}",
            admin.email,
            admin.token_file.display(),
            admin.token
        );
    }
    let roles_text: Vec<String> = roles.iter().map(ToString::to_string).collect();
    let addr = server
        .addr
        .map_or_else(|| "-".to_owned(), |a| a.to_string());
    tracing::info!(addr = %addr, roles = %roles_text.join(","), database = %backend_url, "recflow started");

    tokio::spawn(stop_on_signal(shutdown.clone()));
    let waited = tokio::time::timeout_at(far_future(), server.wait(shutdown.clone()));
    tokio::select! {
        _ = waited => {}
        () = grace_after(shutdown) => {
            tracing::warn!(grace_seconds = SHUTDOWN_GRACE.as_secs(), "roles did not stop in time; exiting");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + std::time::Duration::from_secs(86400 * 365 * 30)
}

/// Completes `SHUTDOWN_GRACE` after shutdown began.
async fn grace_after(shutdown: CancellationToken) {
    shutdown.cancelled().await;
    tokio::time::sleep(SHUTDOWN_GRACE).await;
}

async fn stop_on_signal(shutdown: CancellationToken) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!(signal = "SIGINT", "shutting down"),
        () = terminate => tracing::info!(signal = "SIGTERM", "shutting down"),
    }
    shutdown.cancel();
}
