//! Configuration: defaults < optional TOML file < `RECFLOW_*` environment < command-line flags.
//!
//! Secrets are wrapped in [`Secret`], whose `Debug` and `Serialize` never show the value, so
//! neither logs nor `recflow config print` can leak them.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Why the configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid configuration: {0}")]
    Invalid(#[from] config::ConfigError),
    #[error("invalid configuration: {key} {problem}")]
    OutOfRange { key: &'static str, problem: String },
}

/// Shortest accepted lease: a lease shorter than a database restart or a pause of the
/// process would hand live work to a second worker.
const MIN_LEASE_SECONDS: u32 = 5;

/// A value that must never be printed.
#[derive(Clone, Deserialize, Default, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl Secret {
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<hidden>")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("<hidden>")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The settings of one recflow process.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    /// Where the embedded database, media and generated secrets live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; `None` means `<data_dir>/recflow.db`.
    pub database_url: Option<Secret>,
    pub listen: SocketAddr,
    pub log_format: LogFormat,
    /// Key for third-party credentials at rest (32 bytes, standard base64).
    pub secret_key: Option<Secret>,
    /// The email of the admin account created on first start.
    pub admin_email: String,
    /// Whether `POST /api/v1/auth/register` is open.
    pub allow_registration: bool,
    pub local_sources_root: Option<PathBuf>,
    pub local_outputs_root: Option<PathBuf>,
    pub zoom_oauth_url: String,
    pub zoom_api_url: String,
    pub google_oauth_url: String,
    pub youtube_api_url: String,
    pub youtube_upload_url: String,
    /// Bytes per YouTube upload request: a multiple of 256 KiB (8 MiB by default).
    pub youtube_chunk_bytes: u64,
    /// VK's API host; calls go to `{vk_api_url}/method/<name>`.
    pub vk_api_url: String,
    pub allowed_download_hosts: Vec<String>,
    pub scheduler_tick_ms: u64,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Requests taking longer are answered with 408.
    pub request_timeout_seconds: u64,
    /// Failed logins allowed per email within `login_window_seconds`.
    pub login_max_failures: u32,
    pub login_window_seconds: u64,
    /// Lifetime of tokens issued by login.
    pub session_ttl_hours: u64,
    /// How long an authenticated token is remembered by an API process (0: never). A token
    /// revoked through another process keeps working there for up to this long.
    pub token_cache_seconds: u64,
    /// Finished runs kept per job; older ones are pruned.
    pub runs_keep_per_job: u32,
    /// Lease of a claimed automation run; renewed every third of it while the run works, so
    /// a run whose worker died is taken over this long after its last heartbeat.
    pub run_lease_seconds: u32,
    /// Lease of a claimed pipeline stage, renewed the same way.
    pub stage_lease_seconds: u32,
    /// First retry delay of a stage that failed for a reason that may pass; it doubles with
    /// every attempt, up to an hour.
    pub stage_retry_base_seconds: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./recflow-data"),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            log_format: LogFormat::Text,
            secret_key: None,
            admin_email: "admin@localhost".to_owned(),
            allow_registration: false,
            local_sources_root: None,
            local_outputs_root: None,
            zoom_oauth_url: "https://zoom.us".to_owned(),
            zoom_api_url: "https://api.zoom.us/v2".to_owned(),
            google_oauth_url: "https://oauth2.googleapis.com".to_owned(),
            youtube_api_url: "https://www.googleapis.com/youtube/v3".to_owned(),
            youtube_upload_url: "https://www.googleapis.com/upload/youtube/v3".to_owned(),
            youtube_chunk_bytes: 8 * 1024 * 1024,
            vk_api_url: "https://api.vk.com".to_owned(),
            allowed_download_hosts: vec!["zoom.us".to_owned(), "*.zoom.us".to_owned()],
            scheduler_tick_ms: 1000,
            max_body_bytes: 1024 * 1024,
            request_timeout_seconds: 30,
            login_max_failures: 5,
            login_window_seconds: 300,
            session_ttl_hours: 24 * 30,
            token_cache_seconds: 5,
            runs_keep_per_job: 100,
            run_lease_seconds: 60,
            stage_lease_seconds: 120,
            stage_retry_base_seconds: 30,
        }
    }
}

/// Values given as command-line flags; they win over every other layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<SocketAddr>,
    pub log_format: Option<LogFormat>,
}

impl Config {
    /// Builds the configuration from all layers.
    ///
    /// # Errors
    /// `Error::Invalid` when the file is missing or malformed, or a value has the wrong type
    /// (the message names the key).
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, Error> {
        let mut builder = config::Config::builder();
        if let Some(file) = file {
            builder = builder.add_source(config::File::from(file).required(true));
        }
        builder = builder.add_source(
            config::Environment::with_prefix("RECFLOW")
                .prefix_separator("_")
                .try_parsing(true)
                .list_separator(",")
                .with_list_parse_key("allowed_download_hosts"),
        );
        if let Some(dir) = &overrides.data_dir {
            builder = builder.set_override("data_dir", dir.display().to_string())?;
        }
        if let Some(url) = &overrides.database_url {
            builder = builder.set_override("database_url", url.as_str())?;
        }
        if let Some(listen) = overrides.listen {
            builder = builder.set_override("listen", listen.to_string())?;
        }
        if let Some(format) = overrides.log_format {
            let name = match format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            };
            builder = builder.set_override("log_format", name)?;
        }
        let config: Config = builder.build()?.try_deserialize()?;
        config.check()?;
        Ok(config)
    }

    /// Values the types accept but the service cannot work with.
    fn check(&self) -> Result<(), Error> {
        for (key, value) in [
            ("run_lease_seconds", self.run_lease_seconds),
            ("stage_lease_seconds", self.stage_lease_seconds),
        ] {
            if value < MIN_LEASE_SECONDS {
                return Err(Error::OutOfRange {
                    key,
                    problem: format!("must be at least {MIN_LEASE_SECONDS} (got {value})"),
                });
            }
        }
        if self.stage_retry_base_seconds == 0 {
            return Err(Error::OutOfRange {
                key: "stage_retry_base_seconds",
                problem: "must be at least 1".to_owned(),
            });
        }
        Ok(())
    }

    /// The database to use: the configured URL, or the embedded SQLite file in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join("recflow.db").display()),
        }
    }

    /// Where local-folder sources live: the configured root, or `<data_dir>/sources`.
    pub fn sources_root(&self) -> PathBuf {
        self.local_sources_root
            .clone()
            .unwrap_or_else(|| self.data_dir.join("sources"))
    }

    /// The folder an account's local-folder sources are relative to: the whole root for
    /// admins, `<root>/<email>/` for everyone else, so one account cannot read another's
    /// recordings.
    pub fn account_sources_root(&self, user: &recflow_store::User) -> PathBuf {
        let root = self.sources_root();
        if user.is_admin {
            root
        } else {
            root.join(&user.email)
        }
    }

    /// Where local-folder outputs are written: the configured root, or `<data_dir>/outputs`.
    pub fn outputs_root(&self) -> PathBuf {
        self.local_outputs_root
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outputs"))
    }

    /// The configuration as `recflow config print` shows it: secrets hidden, the database URL
    /// shown without its password.
    pub fn printable(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "database_url".to_owned(),
                redact_url(&self.database_url()).into(),
            );
        }
        value
    }
}

/// `postgres://user:pw@host/db` → `postgres://user:<hidden>@host/db`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:<hidden>@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_password_is_hidden_when_printed() {
        let config = Config {
            database_url: Some(Secret("postgres://rf:s3cret@db:5432/rf".to_owned())),
            secret_key: Some(Secret("a2V5".to_owned())),
            ..Config::default()
        };

        let printed = config.printable().to_string();

        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(!printed.contains("a2V5"), "{printed}");
        assert!(
            printed.contains("postgres://rf:<hidden>@db:5432/rf"),
            "{printed}"
        );
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn leases_too_short_to_survive_a_pause_are_refused_by_name() {
        let short = Config {
            stage_lease_seconds: 2,
            ..Config::default()
        };
        let no_backoff = Config {
            stage_retry_base_seconds: 0,
            ..Config::default()
        };

        let short = short.check().expect_err("2 s is too short").to_string();
        let no_backoff = no_backoff.check().expect_err("0 s").to_string();

        assert!(short.contains("stage_lease_seconds"), "{short}");
        assert!(
            no_backoff.contains("stage_retry_base_seconds"),
            "{no_backoff}"
        );
        assert!(Config::default().check().is_ok());
    }

    #[test]
    fn default_database_is_the_embedded_file_in_the_data_dir() {
        let config = Config {
            data_dir: PathBuf::from("/srv/rf"),
            ..Config::default()
        };

        assert_eq!(config.database_url(), "sqlite:///srv/rf/recflow.db");
    }

    #[test]
    fn flags_win_over_the_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("recflow.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\nscheduler_tick_ms = 250\n",
        )
        .expect("w");
        let overrides = Overrides {
            listen: Some(SocketAddr::from(([127, 0, 0, 1], 9999))),
            ..Overrides::default()
        };

        let config = Config::load(Some(&file), &overrides).expect("load");

        assert_eq!(config.listen.port(), 9999);
        assert_eq!(config.scheduler_tick_ms, 250);
    }
}
