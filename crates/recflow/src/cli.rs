//! The command line: flags and sub-commands, nothing else.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use recflow_service::config::{LogFormat, Overrides};
use recflow_service::roles::Role;

/// recflow publishes meeting recordings on schedules.
#[derive(Debug, Parser)]
#[command(name = "recflow", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every command shares; they win over the file and the environment.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// A TOML configuration file.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Where the embedded database and media live [default: ./recflow-data].
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://PATH` or `postgres://…` [default: <data-dir>/recflow.db].
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// Log line format.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage accounts directly in the database (works while the server runs).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens directly in the database.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Work with schedules offline.
    #[command(subcommand)]
    Schedule(ScheduleCommand),
    /// Show the effective configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Automation jobs on a running server (RECFLOW_URL, RECFLOW_TOKEN).
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Recordings on a running server (RECFLOW_URL, RECFLOW_TOKEN).
    #[command(subcommand)]
    Recordings(RecordingsCommand),
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// List your jobs.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Create a job.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        source_id: String,
        /// The schedule as JSON, e.g. '{"type":"time_of_day","time":"06:00"}'.
        #[arg(long)]
        schedule: String,
        /// A template to apply (repeatable); none means every active template.
        #[arg(long = "template-id")]
        template_ids: Vec<String>,
        #[arg(long)]
        sync_days: Option<u32>,
        /// skip, buffer_one or allow.
        #[arg(long)]
        overlap: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run a job now, or preview what a run would do with --dry-run.
    Run {
        id: String,
        #[arg(long)]
        dry_run: bool,
        /// Wait until the run ends, showing progress.
        #[arg(long)]
        wait: bool,
        #[arg(long)]
        json: bool,
    },
    /// A job's run history.
    Runs {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RecordingsCommand {
    /// List your recordings with their status and why they matched or not.
    List {
        /// Only recordings of this input source.
        #[arg(long)]
        source_id: Option<String>,
        /// Only recordings in this status (INITIALIZED, PENDING_SOURCE, SKIPPED,
        /// DOWNLOADING, DOWNLOADED, PROCESSING, PROCESSED, UPLOADING, READY; any case).
        #[arg(long)]
        status: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address of the API [default: 127.0.0.1:8080].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Which roles this process runs.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "api,scheduler,worker"
    )]
    pub roles: Vec<Role>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; prints its first API token alone on stdout.
    Create {
        #[arg(long)]
        email: String,
        /// Make the account an admin.
        #[arg(long)]
        admin: bool,
        #[arg(long)]
        display_name: Option<String>,
        /// IANA time zone [default: UTC].
        #[arg(long)]
        timezone: Option<String>,
        /// Read a login password from the first line of stdin.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: it can no longer log in and its tokens stop working.
    Disable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for an account; prints the token alone on stdout.
    Create {
        #[arg(long)]
        email: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Print the next fires of a schedule as JSON, exactly as the preview endpoint does.
    Preview {
        /// The schedule as JSON, e.g. '{"type":"time_of_day","time":"06:00","timezone":"Europe/Berlin"}'.
        #[arg(long)]
        schedule: String,
        /// Fires strictly after this RFC 3339 instant [default: now].
        #[arg(long)]
        after: Option<String>,
        /// How many fires (1 to 100).
        #[arg(long)]
        count: Option<usize>,
        /// Zone used when the schedule has none (the API uses the account's zone).
        #[arg(long, default_value = "UTC")]
        default_timezone: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration as JSON, secrets hidden.
    Print,
}

impl GlobalArgs {
    /// The flag layer of the configuration.
    pub fn overrides(&self, listen: Option<SocketAddr>) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            listen,
            log_format: self.log_format,
        }
    }
}
