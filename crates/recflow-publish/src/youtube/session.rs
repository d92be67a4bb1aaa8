//! Where the URI of a resumable upload session lives between attempts and across process
//! restarts. The uploader saves it before the first byte is sent, so a process that dies
//! mid-upload leaves behind everything the next one needs to resume.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;

use crate::error::BoxError;

/// Persists the session URI of one upload target (one recording to one YouTube preset).
///
/// The URI is a capability (anyone holding it may write to the upload): store it like a
/// secret and never log it.
#[async_trait]
pub trait UploadSessionStore: Send + Sync {
    /// The saved session URI, if a previous attempt started one.
    ///
    /// # Errors
    ///
    /// Any storage failure; the upload is then not started.
    async fn load(&self) -> Result<Option<String>, BoxError>;

    /// Saves the session URI of a freshly started upload, replacing any previous one.
    ///
    /// # Errors
    ///
    /// Any storage failure; the uploader then sends no bytes.
    async fn save(&self, session_uri: &str) -> Result<(), BoxError>;

    /// Forgets the session (it expired on YouTube's side).
    ///
    /// # Errors
    ///
    /// Any storage failure.
    async fn clear(&self) -> Result<(), BoxError>;
}

/// A session store in memory: for tests, and for callers that do not resume across restarts.
#[derive(Default)]
pub struct MemorySessionStore {
    uri: Mutex<Option<String>>,
}

impl MemorySessionStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding the URI a previous process saved.
    pub fn with_uri(uri: impl Into<String>) -> Self {
        Self {
            uri: Mutex::new(Some(uri.into())),
        }
    }

    /// The URI currently stored.
    pub fn uri(&self) -> Option<String> {
        self.uri
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl fmt::Debug for MemorySessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.uri().is_some() {
            "<session>"
        } else {
            "<empty>"
        };
        f.debug_tuple("MemorySessionStore").field(&state).finish()
    }
}

#[async_trait]
impl UploadSessionStore for MemorySessionStore {
    async fn load(&self) -> Result<Option<String>, BoxError> {
        Ok(self.uri())
    }

    async fn save(&self, session_uri: &str) -> Result<(), BoxError> {
        *self.uri.lock().unwrap_or_else(PoisonError::into_inner) = Some(session_uri.to_owned());
        Ok(())
    }

    async fn clear(&self) -> Result<(), BoxError> {
        *self.uri.lock().unwrap_or_else(PoisonError::into_inner) = None;
        Ok(())
    }
}
