//! The `recflow` binary: parses flags, loads the configuration and runs one command.

mod cli;
mod client;
mod commands;

use std::process::ExitCode;

use clap::Parser;
use recflow_service::config::Config;

use crate::cli::{Cli, Command};

/// Request handling allocates many small, short-lived values on every core; mimalloc's
/// per-thread heaps serve them with less contention than the system allocator (see the API
/// figure in README).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve(args) => args.listen,
        _ => None,
    };
    let config = match Config::load(cli.global.config.as_deref(), &cli.global.overrides(listen)) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("recflow: {error}");
            return ExitCode::from(2);
        }
    };
    recflow_service::telemetry::init_logging(config.log_format);

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("recflow: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command, config)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("recflow: {error:#}");
            ExitCode::FAILURE
        }
    }
}
