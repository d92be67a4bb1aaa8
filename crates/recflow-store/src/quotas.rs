//! Quotas: per-account limits and the usage counted against them.
//!
//! Usage is a counter beside the limit, changed by one conditional `UPDATE` so that concurrent
//! reservations can never pass the limit on either backend.

use async_trait::async_trait;
use uuid::Uuid;

use crate::Result;

/// A counted resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaResource {
    AutomationJobs,
    InputSources,
    Templates,
    StorageBytes,
    ConcurrentPipelines,
}

impl QuotaResource {
    /// Every counted resource, in the order the API lists them.
    pub const ALL: [QuotaResource; 5] = [
        QuotaResource::AutomationJobs,
        QuotaResource::InputSources,
        QuotaResource::Templates,
        QuotaResource::StorageBytes,
        QuotaResource::ConcurrentPipelines,
    ];

    /// The API and column name of the limit, e.g. `max_automation_jobs`.
    pub fn limit_field(self) -> &'static str {
        match self {
            QuotaResource::AutomationJobs => "max_automation_jobs",
            QuotaResource::InputSources => "max_input_sources",
            QuotaResource::Templates => "max_templates",
            QuotaResource::StorageBytes => "max_storage_bytes",
            QuotaResource::ConcurrentPipelines => "max_concurrent_pipelines",
        }
    }

    /// The API and column name of the usage counter, e.g. `used_automation_jobs`.
    pub fn usage_field(self) -> &'static str {
        match self {
            QuotaResource::AutomationJobs => "used_automation_jobs",
            QuotaResource::InputSources => "used_input_sources",
            QuotaResource::Templates => "used_templates",
            QuotaResource::StorageBytes => "used_storage_bytes",
            QuotaResource::ConcurrentPipelines => "used_concurrent_pipelines",
        }
    }
}

/// The limits of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaLimits {
    pub max_automation_jobs: i64,
    pub min_automation_interval_hours: i64,
    pub max_input_sources: i64,
    pub max_templates: i64,
    pub max_storage_bytes: i64,
    pub max_concurrent_pipelines: i64,
}

impl Default for QuotaLimits {
    /// SPEC §3 fixes the first two; the others are this installation's choice for a small team.
    fn default() -> Self {
        QuotaLimits {
            max_automation_jobs: 5,
            min_automation_interval_hours: 1,
            max_input_sources: 10,
            max_templates: 50,
            max_storage_bytes: 50 * 1024 * 1024 * 1024,
            max_concurrent_pipelines: 3,
        }
    }
}

impl QuotaLimits {
    /// The limit that bounds `resource`.
    pub fn limit(&self, resource: QuotaResource) -> i64 {
        match resource {
            QuotaResource::AutomationJobs => self.max_automation_jobs,
            QuotaResource::InputSources => self.max_input_sources,
            QuotaResource::Templates => self.max_templates,
            QuotaResource::StorageBytes => self.max_storage_bytes,
            QuotaResource::ConcurrentPipelines => self.max_concurrent_pipelines,
        }
    }
}

/// What an account currently uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuotaUsage {
    pub automation_jobs: i64,
    pub input_sources: i64,
    pub templates: i64,
    pub storage_bytes: i64,
    pub concurrent_pipelines: i64,
}

impl QuotaUsage {
    /// The usage counted against `resource`.
    pub fn used(&self, resource: QuotaResource) -> i64 {
        match resource {
            QuotaResource::AutomationJobs => self.automation_jobs,
            QuotaResource::InputSources => self.input_sources,
            QuotaResource::Templates => self.templates,
            QuotaResource::StorageBytes => self.storage_bytes,
            QuotaResource::ConcurrentPipelines => self.concurrent_pipelines,
        }
    }
}

/// Limits and usage together, as one row holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    pub limits: QuotaLimits,
    pub usage: QuotaUsage,
}

/// An admin's partial change of limits; `None` leaves a limit unchanged.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuotaPatch {
    pub max_automation_jobs: Option<i64>,
    pub min_automation_interval_hours: Option<i64>,
    pub max_input_sources: Option<i64>,
    pub max_templates: Option<i64>,
    pub max_storage_bytes: Option<i64>,
    pub max_concurrent_pipelines: Option<i64>,
}

/// Storage of quotas.
#[async_trait]
pub trait QuotaStore {
    /// # Errors
    /// `NotFound` when the account does not exist.
    async fn get_quotas(&self, user_id: Uuid) -> Result<Quotas>;

    /// # Errors
    /// `NotFound` when the account does not exist.
    async fn update_quotas(&self, user_id: Uuid, patch: &QuotaPatch) -> Result<Quotas>;

    /// Counts `amount` against the account's limit, atomically.
    ///
    /// # Errors
    /// `QuotaExceeded` when usage + amount would pass the limit (usage is then unchanged);
    /// `NotFound` when the account does not exist.
    async fn reserve_quota(
        &self,
        user_id: Uuid,
        resource: QuotaResource,
        amount: i64,
    ) -> Result<()>;

    /// Gives back what [`QuotaStore::reserve_quota`] took; usage never drops below zero.
    ///
    /// # Errors
    /// `NotFound` when the account does not exist.
    async fn release_quota(
        &self,
        user_id: Uuid,
        resource: QuotaResource,
        amount: i64,
    ) -> Result<()>;
}
