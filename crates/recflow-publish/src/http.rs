//! The HTTP client every publishing client shares: connect timeout, per-kind request timeouts,
//! and no redirect following. YouTube answers unfinished chunks with `308 Resume Incomplete`,
//! which generic HTTP stacks mistake for a redirect (pitfall 24), so redirects are off for all.

use std::time::Duration;

use reqwest::redirect::Policy;

use crate::error::PublishError;

/// How long calls leaving the process may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing a connection.
    pub connect: Duration,
    /// One small API call (token refresh, `video.save`, a status query, a playlist insert).
    pub api: Duration,
    /// Sending one YouTube chunk (default chunk: 8 MiB).
    pub chunk: Duration,
    /// Sending a whole file to VK's upload host in one request.
    pub file_upload: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            api: Duration::from_secs(30),
            chunk: Duration::from_secs(5 * 60),
            file_upload: Duration::from_secs(2 * 60 * 60),
        }
    }
}

/// A `reqwest` client built for publishing: never follows redirects, always times out.
/// Clones share one connection pool.
#[derive(Debug, Clone)]
pub struct PublishHttp {
    client: reqwest::Client,
    timeouts: Timeouts,
}

impl PublishHttp {
    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`PublishError::InvalidInput`] when the TLS backend cannot be initialised.
    pub fn new(timeouts: Timeouts) -> Result<Self, PublishError> {
        let client = reqwest::Client::builder()
            .redirect(Policy::none())
            .connect_timeout(timeouts.connect)
            .user_agent(concat!("recflow/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| {
                PublishError::invalid_input(format!("cannot build the HTTP client: {error}"))
            })?;
        Ok(Self { client, timeouts })
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub(crate) fn timeouts(&self) -> &Timeouts {
        &self.timeouts
    }
}
