//! One function per command; each returns the process exit code.

mod accounts;
mod client_jobs;
mod schedule;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use recflow_service::config::Config;
use recflow_service::database;

use crate::cli::{Command, ConfigCommand};
use crate::client::Client;

/// Runs `command`.
///
/// # Errors
/// Any failure, already worded for the user.
pub async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => serve::run(config, &args.roles).await,
        Command::Migrate => {
            database::open(&config.database_url(), database::Mode::Command).await?;
            eprintln!("recflow: database schema is up to date");
            Ok(ExitCode::SUCCESS)
        }
        Command::User(command) => accounts::user(command, &config).await,
        Command::Token(command) => accounts::token(command, &config).await,
        Command::Schedule(command) => schedule::run(command),
        Command::Jobs(command) => {
            client_jobs::jobs(command, &Client::from_env(&config.data_dir)?).await
        }
        Command::Recordings(command) => {
            client_jobs::recordings(command, &Client::from_env(&config.data_dir)?).await
        }
        Command::Config(ConfigCommand::Print) => {
            let printed = serde_json::to_string_pretty(&config.printable())
                .context("cannot print the configuration")?;
            println!("{printed}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
