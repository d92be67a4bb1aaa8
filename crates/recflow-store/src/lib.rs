//! Storage contract of recflow: one trait per aggregate, the models they exchange and the
//! storage error every backend maps its driver errors into.
//!
//! Nothing here knows SQL. Backends (`recflow-store-sqlite`, `recflow-store-postgres`) implement
//! the traits; the service only ever sees `dyn Store`.

mod accounts;
mod automation;
#[cfg(feature = "conformance")]
pub mod conformance;
mod credentials;
mod error;
mod page;
mod pipeline;
mod quotas;
mod recordings;
mod sources;
mod templates;
mod tokens;

pub use accounts::{Accounts, NewUser, User, UserPatch};
pub use automation::{
    Automation, Fire, FireReport, Job, JobPlan, Overlap, Planner, Run, RunEnd, slot_status,
};
pub use credentials::{Credential, Credentials};
pub use error::{Error, Result};
pub use page::{Page, PageRequest};
pub use pipeline::{NextStage, Pipelines, Stage, StageFailure, Target};
pub use quotas::{QuotaLimits, QuotaPatch, QuotaResource, QuotaStore, QuotaUsage, Quotas};
pub use recordings::{Discovered, Recording, RecordingFilter, Recordings, UpsertSummary, status};
pub use sources::{InputSource, SourcePatch, Sources, SyncStatus};
pub use templates::{OutputPreset, Template, Templates};
pub use tokens::{ApiToken, NewToken, TokenKind, Tokens};

use async_trait::async_trait;

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name used in logs, metrics and `/ready`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Everything the service needs from a database.
#[async_trait]
pub trait Store:
    Accounts
    + Tokens
    + QuotaStore
    + Credentials
    + Sources
    + Recordings
    + Templates
    + Automation
    + Pipelines
    + Send
    + Sync
    + 'static
{
    /// Which engine this is.
    fn backend(&self) -> Backend;

    /// A cheap round trip proving the database answers.
    ///
    /// # Errors
    /// `Error::Unavailable` when the database cannot be reached.
    async fn ping(&self) -> Result<()>;
}
