//! VK publishing (`external-apis.md` §3): `video.save` → multipart upload → optional
//! `video.addToAlbum`, under VK's 3 requests/second per-token limit, with VK's error codes
//! mapped to [`PublishError`]. The access token travels in the form body only; it never
//! reaches a URL, a log line or an error.

mod api;
mod limiter;
mod upload_host;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use tracing::{info, instrument, warn};

use crate::error::{Platform, PublishError};
use crate::http::PublishHttp;
use crate::retry::Backoff;
use crate::video::UploadedVideo;
use crate::youtube::{MemorySessionStore, UploadSessionStore};
use limiter::RateLimiter;
use upload_host::{HostFailure, is_expired};

/// VK's limit on video names.
const MAX_NAME_CHARS: usize = 128;
/// VK's limit on descriptions.
const MAX_DESCRIPTION_CHARS: usize = 5000;
/// VK's "This video is already added" on `video.addToAlbum`: the goal is reached.
const ALREADY_IN_ALBUM: i64 = 800;

/// The video to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VkVideo {
    /// Title, cut to 128 characters.
    pub name: String,
    pub description: String,
    /// A community to publish to (positive id); `None` publishes to the user's own page.
    pub group_id: Option<i64>,
    /// An album of the target owner to add the video to.
    pub album_id: Option<i64>,
    /// Privacy for the user's own page (`all`, `friends`, `only_me`); ignored for communities.
    pub privacy_view: Option<String>,
}

/// Limits and patience of the VK client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VkConfig {
    /// Calls per token per `rate_window` (VK: 3 per second for user tokens).
    pub requests_per_window: u32,
    /// The window, a little over a second so clock noise never makes it 4 per second.
    pub rate_window: Duration,
    /// How long to wait after error 6 before calling again (VK asks for about 1/3 s).
    pub too_many_requests_delay: Duration,
    /// Error-6 retries per call before giving up with a retryable error.
    pub too_many_requests_retries: u32,
    /// Backoff for error 10 and the upload host's "too fast".
    pub backoff: Backoff,
    /// An upload URL expiring sooner than this is replaced before uploading.
    pub upload_url_margin: Duration,
    /// `video.save` calls per upload when URLs keep expiring.
    pub max_saves: u32,
}

impl Default for VkConfig {
    fn default() -> Self {
        Self {
            requests_per_window: 3,
            rate_window: Duration::from_millis(1100),
            too_many_requests_delay: Duration::from_millis(340),
            too_many_requests_retries: 5,
            backoff: Backoff {
                base: Duration::from_secs(1),
                max: Duration::from_secs(30),
                max_attempts: 5,
            },
            upload_url_margin: Duration::from_secs(60),
            max_saves: 3,
        }
    }
}

/// A VK client. Clones share the rate limiter, so all of them together stay under the limit.
#[derive(Debug, Clone)]
pub struct VkClient {
    http: PublishHttp,
    api_url: String,
    config: VkConfig,
    limiter: Arc<RateLimiter>,
}

#[derive(Deserialize)]
struct SaveResult {
    upload_url: String,
}

impl VkClient {
    /// Production API base.
    pub const DEFAULT_API_URL: &'static str = "https://api.vk.com/method";

    /// A client of the API under `api_url` (e.g. [`Self::DEFAULT_API_URL`]), default config.
    pub fn new(http: PublishHttp, api_url: impl Into<String>) -> Self {
        Self::with_config(http, api_url, VkConfig::default())
    }

    /// A client with `config` and a limiter of its own.
    pub fn with_config(http: PublishHttp, api_url: impl Into<String>, config: VkConfig) -> Self {
        let limiter = RateLimiter::new(config.requests_per_window, config.rate_window);
        Self {
            http,
            api_url: api_url.into().trim_end_matches('/').to_owned(),
            config,
            limiter: Arc::new(limiter),
        }
    }

    /// Creates the video, uploads `file` and adds it to the album, if any.
    ///
    /// # Errors
    ///
    /// [`PublishError::CaptchaRequired`] (pause the target), `RevokedCredentials` (error 5),
    /// `AccessDenied` (7, 15, 200, 203, 204), `RateLimited` (6 after retries, 9, 29), retryable
    /// errors for 10, 5xx and lost connections, `InvalidInput` for a bad group id.
    pub async fn upload(
        &self,
        token: &str,
        video: &VkVideo,
        file: &Path,
    ) -> Result<UploadedVideo, PublishError> {
        self.upload_resumable(token, video, file, &MemorySessionStore::new())
            .await
    }

    /// As [`Self::upload`], remembering the upload URL of the `video.save` in `session` before
    /// the file is sent. An attempt that finds a saved URL still valid uploads to it again, so
    /// the file lands in the video that earlier attempt created (a process that died after
    /// the upload host took the file does not make a second video); an expired one is
    /// replaced by a fresh `video.save`.
    ///
    /// # Errors
    ///
    /// As [`Self::upload`], and [`PublishError::SessionStore`] when `session` fails.
    // TODO: when the saved URL has expired, the earlier attempt may still have uploaded the
    // file; VK's `video.get` could tell, but its shape is not in the protocol notes yet, so a
    // second video is possible in that case.
    // TODO: a video.save whose upload never happens (expired URL, failed upload) leaves an
    // empty video behind on VK; delete it with video.delete.
    #[instrument(skip_all, fields(upstream.platform = "vk", vk.group_id = ?video.group_id), err)]
    pub async fn upload_resumable(
        &self,
        token: &str,
        video: &VkVideo,
        file: &Path,
        session: &dyn UploadSessionStore,
    ) -> Result<UploadedVideo, PublishError> {
        if video.group_id.is_some_and(|id| id <= 0) {
            return Err(PublishError::invalid_input(
                "a VK group_id must be the positive community id",
            ));
        }
        let size = tokio::fs::metadata(file)
            .await
            .map_err(|error| PublishError::io("read the size of", file, error))?
            .len();

        let (owner_id, video_id) = self
            .save_and_post(token, video, file, size, session)
            .await?;
        if let Some(album_id) = video.album_id {
            let target = video.group_id.map(|group| -group);
            self.add_to_album(token, target, album_id, owner_id, video_id)
                .await?;
        }
        let uploaded = UploadedVideo::vk(owner_id, video_id);
        info!(video.id = %uploaded.video_id, "vk upload finished");
        Ok(uploaded)
    }

    /// Adds a video to an album of `target_id` (a negative community id, `None` for the
    /// token's user). "Already added" (800) counts as success.
    ///
    /// # Errors
    ///
    /// As [`Self::upload`].
    #[instrument(skip_all, fields(upstream.platform = "vk", vk.album_id = album_id), err)]
    pub async fn add_to_album(
        &self,
        token: &str,
        target_id: Option<i64>,
        album_id: i64,
        owner_id: i64,
        video_id: i64,
    ) -> Result<(), PublishError> {
        let mut params = vec![
            ("album_id", album_id.to_string()),
            ("owner_id", owner_id.to_string()),
            ("video_id", video_id.to_string()),
        ];
        if let Some(target) = target_id {
            params.push(("target_id", target.to_string()));
        }
        let method = "video.addToAlbum";
        match self
            .call::<serde_json::Value>(token, method, &params)
            .await?
        {
            Ok(_) => Ok(()),
            Err(error) if error.error_code == ALREADY_IN_ALBUM => Ok(()),
            Err(error) => Err(error.into_error(method, token)),
        }
    }

    /// `video.save` then the upload, with a fresh `video.save` whenever the URL expired.
    async fn save_and_post(
        &self,
        token: &str,
        video: &VkVideo,
        file: &Path,
        size: u64,
        session: &dyn UploadSessionStore,
    ) -> Result<(i64, i64), PublishError> {
        let earlier = session
            .load()
            .await
            .map_err(PublishError::session_store("load"))?;
        // TODO: that a second post to the same upload URL lands in the same video is how the
        // fake behaves; VK's documentation does not say, so it is unverified against VK.
        if let Some(url) = earlier.filter(|url| !is_expired(url, self.config.upload_url_margin)) {
            match self.post_file(&url, file, size).await {
                Ok(host) => return Ok((host.owner_id, host.video_id)),
                Err(HostFailure::Expired) => {}
                Err(HostFailure::Failed(error)) => {
                    if !error.is_retryable() {
                        // A refused URL must not pin the target: a rerun starts afresh.
                        session
                            .clear()
                            .await
                            .map_err(PublishError::session_store("clear"))?;
                    }
                    return Err(error);
                }
            }
        }
        let mut saves = 0;
        loop {
            let saved = self.save(token, video).await?;
            saves += 1;
            session
                .save(&saved.upload_url)
                .await
                .map_err(PublishError::session_store("save"))?;
            if !is_expired(&saved.upload_url, self.config.upload_url_margin) {
                match self.post_file(&saved.upload_url, file, size).await {
                    Ok(host) => return Ok((host.owner_id, host.video_id)),
                    Err(HostFailure::Expired) => {}
                    Err(HostFailure::Failed(error)) => return Err(error),
                }
            }
            if saves >= self.config.max_saves {
                return Err(PublishError::Upstream {
                    platform: Platform::Vk,
                    endpoint: "video.save",
                    status: 200,
                    message: "every upload URL VK handed out had expired".to_owned(),
                    retryable: true,
                });
            }
            warn!(saves, "vk upload url expired, asking for a new one");
        }
    }

    async fn save(&self, token: &str, video: &VkVideo) -> Result<SaveResult, PublishError> {
        let name: String = video.name.chars().take(MAX_NAME_CHARS).collect();
        let description: String = video
            .description
            .chars()
            .take(MAX_DESCRIPTION_CHARS)
            .collect();
        let mut params = vec![
            ("name", name),
            ("description", description),
            ("wallpost", "0".to_owned()),
        ];
        match (video.group_id, &video.privacy_view) {
            (Some(group), _) => params.push(("group_id", group.to_string())),
            (None, Some(privacy)) => params.push(("privacy_view", privacy.clone())),
            (None, None) => {}
        }
        // album_id is left to video.addToAlbum, whose "already added" makes reruns harmless.
        let method = "video.save";
        self.call::<SaveResult>(token, method, &params)
            .await?
            .map_err(|error| error.into_error(method, token))
    }
}
