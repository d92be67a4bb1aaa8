//! Zoom client for recflow: OAuth tokens (Server-to-Server and user OAuth), the cloud recording
//! list, per-meeting lookups and webhook verification, following
//! `shared/protocols/external-apis.md` §1.
//!
//! This crate knows nothing about recflow's storage: rotated refresh tokens are handed to a
//! caller-supplied [`RefreshTokenStore`], and results are plain values.

mod client;
mod config;
mod credential;
mod error;
mod model;
mod uuid_path;
pub mod webhook;
mod window;

pub use client::ZoomClient;
pub use config::{RetryPolicy, ZoomConfig};
pub use credential::{BoxError, NoTokenStore, RefreshTokenStore, ZoomCredential};
pub use error::ZoomError;
pub use model::{Meeting, RecordingFile};
pub use uuid_path::encode_uuid_path;
pub use window::month_windows;
