//! The roles a process can run: any subset of API, scheduler and worker.

use std::fmt;

use serde::{Deserialize, Serialize};

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
