//! YouTube publishing (`external-apis.md` §2): Google OAuth refresh, resumable `videos.insert`
//! in chunks that resumes from the server's acknowledged offset (also after a process restart,
//! through [`UploadSessionStore`]), and `playlistItems.insert`.
//!
//! Submodules split the work: `oauth` and `token_source` own tokens, `exchange` owns single
//! HTTP exchanges, `resumable` owns the upload loop, `google_error` classifies failures.
// TODO: thumbnails.set (the optional thumbnail of SPEC §8) is not implemented yet.

mod exchange;
mod google_error;
mod metadata;
mod oauth;
mod playlist;
mod resumable;
mod session;
mod token_source;

pub use metadata::{Privacy, VideoMetadata};
pub use oauth::{AccessToken, GoogleCredential, GoogleOAuth, GoogleToken};
pub use session::{MemorySessionStore, UploadSessionStore};
pub use token_source::AccessTokenSource;

use crate::error::PublishError;
use crate::http::PublishHttp;
use crate::retry::Backoff;

/// Google's granularity for non-final chunks: 256 KiB.
const CHUNK_GRANULE: u64 = 256 * 1024;

/// Size of the chunks sent per request: a non-zero multiple of 256 KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkSize(u64);

impl ChunkSize {
    /// 8 MiB, a good trade between request overhead and the bytes lost to an interruption.
    pub const DEFAULT: ChunkSize = ChunkSize(8 * 1024 * 1024);

    /// A chunk size of `bytes`.
    ///
    /// # Errors
    ///
    /// [`PublishError::InvalidInput`] unless `bytes` is a non-zero multiple of 262,144: YouTube
    /// rejects other non-final chunks.
    pub fn new(bytes: u64) -> Result<Self, PublishError> {
        if bytes == 0 || !bytes.is_multiple_of(CHUNK_GRANULE) {
            return Err(PublishError::invalid_input(format!(
                "chunk size {bytes} is not a non-zero multiple of 256 KiB ({CHUNK_GRANULE} bytes)"
            )));
        }
        Ok(Self(bytes))
    }

    /// The size in bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }
}

impl Default for ChunkSize {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How the uploader sends and retries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UploadConfig {
    pub chunk_size: ChunkSize,
    /// Backoff between failed attempts (5xx, 429, rate limits, lost connections). The count
    /// restarts whenever the server acknowledges new bytes.
    pub backoff: Backoff,
}

/// Uploads videos to YouTube and adds them to playlists.
#[derive(Debug, Clone)]
pub struct YoutubeUploader {
    http: PublishHttp,
    api_url: String,
    upload_url: String,
    config: UploadConfig,
}

impl YoutubeUploader {
    /// Production REST base.
    pub const DEFAULT_API_URL: &'static str = "https://www.googleapis.com/youtube/v3";
    /// Production upload base.
    pub const DEFAULT_UPLOAD_URL: &'static str = "https://www.googleapis.com/upload/youtube/v3";

    /// An uploader talking to `api_url` (REST, e.g. [`Self::DEFAULT_API_URL`]) and
    /// `upload_url` (media, e.g. [`Self::DEFAULT_UPLOAD_URL`]), with the default config.
    pub fn new(
        http: PublishHttp,
        api_url: impl Into<String>,
        upload_url: impl Into<String>,
    ) -> Self {
        Self {
            http,
            api_url: api_url.into().trim_end_matches('/').to_owned(),
            upload_url: upload_url.into().trim_end_matches('/').to_owned(),
            config: UploadConfig::default(),
        }
    }

    /// The same uploader with `config`.
    pub fn with_config(mut self, config: UploadConfig) -> Self {
        self.config = config;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes_must_be_multiples_of_256_kib() {
        assert_eq!(
            ChunkSize::new(512 * 1024).map(ChunkSize::bytes).ok(),
            Some(524_288)
        );
        assert!(ChunkSize::new(0).is_err());
        assert!(ChunkSize::new(1_000_000).is_err());
        assert_eq!(ChunkSize::default().bytes(), 8 * 1024 * 1024);
    }
}
