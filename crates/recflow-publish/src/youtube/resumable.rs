//! The resumable upload loop: start or reuse a session, send chunks, and after any
//! interruption ask the server what it holds before sending more. The offset only ever comes
//! from the server's `Range` (pitfalls 23, 25, 26): sent bytes are never assumed persisted.

use std::path::Path;

use tracing::{Span, info, instrument, warn};

use super::exchange::{Media, Step};
use super::{AccessTokenSource, UploadSessionStore, VideoMetadata, YoutubeUploader};
use crate::error::{Platform, PublishError};
use crate::video::UploadedVideo;

/// New sessions started within one call after the previous ones expired (404/410).
const MAX_SESSION_RESTARTS: u32 = 3;

impl YoutubeUploader {
    /// Uploads `file` as a new video, or finishes the upload a previous attempt or process
    /// left in `session`, and returns the video.
    ///
    /// The session URI is saved in `session` before the first byte is sent. On success it is
    /// left there on purpose: if the process dies before the caller records the video id, the
    /// next call finds the finished session and returns the same video instead of uploading a
    /// second one. Clear the store once the id is recorded.
    ///
    /// # Errors
    ///
    /// Retryable errors (5xx, 429, rate limits, lost connections) once the backoff's attempts
    /// are used up without progress; at once: [`PublishError::QuotaExceeded`],
    /// [`PublishError::UploadLimitExceeded`], revoked or rejected credentials, other 4xx,
    /// an unreadable or empty file, or a failing session store.
    // TODO: the session store keeps only the URI, so a file changed between two attempts (for
    // example trimmed again) would be resumed with mixed bytes; store a size/mtime with it.
    #[instrument(skip_all, fields(upstream.platform = "youtube", upload.bytes), err)]
    pub async fn upload(
        &self,
        access: &AccessTokenSource,
        video: &VideoMetadata,
        file: &Path,
        session: &dyn UploadSessionStore,
    ) -> Result<UploadedVideo, PublishError> {
        let total = file_length(file).await?;
        Span::current().record("upload.bytes", total);
        let saved = session
            .load()
            .await
            .map_err(PublishError::session_store("load"))?;
        if saved.is_some() {
            info!("resuming a saved upload session");
        }

        let mut upload = Upload {
            uploader: self,
            access,
            session,
            media: Media {
                file,
                total,
                content_type: content_type_of(file),
            },
            uri: saved,
            offset: None,
            acknowledged: 0,
            failures: 0,
            restarts: 0,
        };
        upload.run(video).await
    }
}

/// The state of one `upload` call.
struct Upload<'a> {
    uploader: &'a YoutubeUploader,
    access: &'a AccessTokenSource,
    session: &'a dyn UploadSessionStore,
    media: Media<'a>,
    /// The session in use; `None` until one is started.
    uri: Option<String>,
    /// Where the next chunk starts; `None` means "ask the server first".
    offset: Option<u64>,
    /// The most bytes the server ever acknowledged in this call.
    acknowledged: u64,
    /// Failed attempts since the server last acknowledged new bytes.
    failures: u32,
    restarts: u32,
}

impl Upload<'_> {
    async fn run(&mut self, video: &VideoMetadata) -> Result<UploadedVideo, PublishError> {
        loop {
            let result = match (self.uri.as_deref(), self.offset) {
                (None, _) => self.start(video).await.map(|()| None),
                (Some(uri), None) => self.query(uri).await.map(Some),
                (Some(uri), Some(offset)) => self.send(uri, offset).await.map(Some),
            };
            match result {
                Ok(None) => {}
                Ok(Some(step)) => {
                    if let Some(uploaded) = self.apply(step).await? {
                        info!(video.id = %uploaded.video_id, "youtube upload finished");
                        return Ok(uploaded);
                    }
                }
                Err(error) if error.is_retryable() => self.back_off(error).await?,
                Err(error) => return Err(error),
            }
        }
    }

    /// Initiates a session and saves its URI before any byte is sent.
    async fn start(&mut self, video: &VideoMetadata) -> Result<(), PublishError> {
        let uri = self
            .uploader
            .initiate(self.access, video, &self.media)
            .await?;
        self.session
            .save(&uri)
            .await
            .map_err(PublishError::session_store("save"))?;
        info!("youtube upload session started");
        self.uri = Some(uri);
        self.offset = Some(0);
        self.acknowledged = 0;
        Ok(())
    }

    async fn query(&self, uri: &str) -> Result<Step, PublishError> {
        self.uploader
            .query_status(self.access, uri, &self.media)
            .await
    }

    async fn send(&self, uri: &str, offset: u64) -> Result<Step, PublishError> {
        let chunk = self.uploader.config.chunk_size.bytes();
        let len = chunk.min(self.media.total - offset);
        self.uploader
            .send_chunk(self.access, uri, &self.media, offset, len)
            .await
    }

    /// Follows the server's answer; `Some` when the video exists.
    async fn apply(&mut self, step: Step) -> Result<Option<UploadedVideo>, PublishError> {
        match step {
            Step::Done(video) => Ok(Some(video)),
            Step::Persisted(persisted) => {
                self.follow_range(persisted).await?;
                Ok(None)
            }
            Step::SessionGone => {
                self.restart().await?;
                Ok(None)
            }
        }
    }

    async fn follow_range(&mut self, persisted: u64) -> Result<(), PublishError> {
        let total = self.media.total;
        if persisted > total {
            return Err(PublishError::InvalidResponse {
                platform: Platform::Youtube,
                endpoint: "videos.insert",
                detail: format!("server claims {persisted} bytes of a {total}-byte file"),
            });
        }
        let was_chunk = self.offset.is_some();
        self.offset = Some(persisted);
        let progressed = persisted > self.acknowledged;
        if progressed {
            self.acknowledged = persisted;
            self.failures = 0;
        }
        if persisted == total || (was_chunk && !progressed) {
            // A chunk that moved nothing forward, or every byte held without a video: count
            // it as a failure so a stuck server cannot keep us looping.
            let stuck = PublishError::Upstream {
                platform: Platform::Youtube,
                endpoint: "videos.insert",
                status: 308,
                message: format!(
                    "the server holds {persisted} of {total} bytes and moves no further"
                ),
                retryable: true,
            };
            self.back_off(stuck).await?;
        }
        Ok(())
    }

    /// The session died (404/410): forget it and start a new one from the first byte.
    async fn restart(&mut self) -> Result<(), PublishError> {
        self.session
            .clear()
            .await
            .map_err(PublishError::session_store("clear"))?;
        self.uri = None;
        self.offset = None;
        self.restarts += 1;
        if self.restarts > MAX_SESSION_RESTARTS {
            return Err(PublishError::Upstream {
                platform: Platform::Youtube,
                endpoint: "videos.insert",
                status: 404,
                message: "upload sessions keep expiring".to_owned(),
                retryable: true,
            });
        }
        warn!(
            restarts = self.restarts,
            "youtube upload session expired, starting over"
        );
        Ok(())
    }

    /// Waits before the next attempt, or gives up with `error` when attempts are used up.
    /// The next attempt starts by asking the server what it holds.
    async fn back_off(&mut self, error: PublishError) -> Result<(), PublishError> {
        let backoff = &self.uploader.config.backoff;
        self.failures += 1;
        if !backoff.allows(self.failures) {
            return Err(error);
        }
        warn!(attempt = self.failures, error = %error, "youtube upload interrupted, will resume");
        backoff.wait(self.failures).await;
        self.offset = None;
        Ok(())
    }
}

async fn file_length(file: &Path) -> Result<u64, PublishError> {
    let metadata = tokio::fs::metadata(file)
        .await
        .map_err(|error| PublishError::io("read the size of", file, error))?;
    if metadata.len() == 0 {
        // YouTube cannot parse the Content-Range of an empty upload (pitfall 27).
        return Err(PublishError::invalid_input(format!(
            "{} is empty",
            file.display()
        )));
    }
    Ok(metadata.len())
}

fn content_type_of(file: &Path) -> &'static str {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("mp4" | "m4v") => "video/mp4",
        Some("mov") => "video/quicktime",
        Some("webm") => "video/webm",
        Some("mkv") => "video/x-matroska",
        _ => "application/octet-stream",
    }
}
