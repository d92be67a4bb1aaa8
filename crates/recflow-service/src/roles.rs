//! The roles a process can run besides the API.
//!
//! TODO: the scheduler and worker roles are empty shells until the automation-jobs and
//! pipeline work lands: they start, say so in the log, and stop on shutdown.

use std::fmt;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

/// A part of recflow a process can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The HTTP API.
    Api,
    /// Fires automation jobs on their schedules.
    Scheduler,
    /// Runs automation runs and recording pipelines.
    Worker,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Api => "api",
            Role::Scheduler => "scheduler",
            Role::Worker => "worker",
        })
    }
}

/// Runs a role that has nothing to do yet until shutdown.
pub async fn run_placeholder(role: Role, shutdown: CancellationToken) {
    tracing::info!(role = %role, "role started; it has no work yet in this version");
    shutdown.cancelled().await;
}
