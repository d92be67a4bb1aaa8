//! What a publishing target remembers between attempts, in its `upload_session` column: the
//! URI of a YouTube upload in progress or the upload URL of a VK `video.save` (so a worker
//! that takes over a dead worker's stage resumes it instead of creating a second video), or,
//! once the video exists, a `published:` mark with its id while a follow-up step (playlist
//! insert, album add) is still to do.
//!
//! The mark lives in this column rather than in `platform_video_id` because the upload stage
//! treats a target with a `platform_video_id` as finished and skips it: the follow-up would
//! never run again. `platform_video_id` is written when the target is fully published.

use async_trait::async_trait;
use recflow_publish::{BoxError, UploadSessionStore};
use recflow_store::Target;
use tokio::sync::Mutex;

use crate::state::AppState;

/// Prefix of the mark left in `upload_session` once the video exists.
const PUBLISHED: &str = "published:";

/// The video id a previous attempt recorded, if the video already exists.
pub(super) fn published_video(target: &Target) -> Option<&str> {
    target
        .upload_session
        .as_deref()
        .and_then(|value| value.strip_prefix(PUBLISHED))
        .filter(|id| !id.is_empty())
}

/// Records on `target` that its video exists, before any follow-up step may fail. The session
/// URI it replaces is no longer needed: the video id is what a retry resumes from.
///
/// # Errors
/// The store's failure; the session URI then stays saved, and a retry finds the finished
/// upload through it instead of uploading again.
pub(super) async fn record_published(
    state: &AppState,
    target: &mut Target,
    video_id: &str,
    url: &str,
) -> recflow_store::Result<()> {
    let mut updated = target.clone();
    updated.upload_session = Some(format!("{PUBLISHED}{video_id}"));
    updated.url = Some(url.to_owned());
    state.store.save_target(&updated, state.clock.now()).await?;
    *target = updated;
    Ok(())
}

/// An [`UploadSessionStore`] backed by the target row. Every change is written through
/// `save_target` at once; [`TargetSessions::into_target`] hands the row back as last saved.
pub(super) struct TargetSessions<'a> {
    state: &'a AppState,
    target: Mutex<Target>,
}

impl<'a> TargetSessions<'a> {
    pub(super) fn new(state: &'a AppState, target: Target) -> Self {
        TargetSessions {
            state,
            target: Mutex::new(target),
        }
    }

    /// The row with the session as last saved.
    pub(super) fn into_target(self) -> Target {
        self.target.into_inner()
    }

    async fn write(&self, session: Option<&str>, status: &str) -> Result<(), BoxError> {
        let mut target = self.target.lock().await;
        let mut updated = target.clone();
        updated.upload_session = session.map(str::to_owned);
        updated.status = status.to_owned();
        self.state
            .store
            .save_target(&updated, self.state.clock.now())
            .await?;
        *target = updated;
        Ok(())
    }
}

#[async_trait]
impl UploadSessionStore for TargetSessions<'_> {
    async fn load(&self) -> Result<Option<String>, BoxError> {
        let target = self.target.lock().await;
        let session = target.upload_session.clone();
        Ok(session.filter(|value| !value.starts_with(PUBLISHED)))
    }

    async fn save(&self, session_uri: &str) -> Result<(), BoxError> {
        self.write(Some(session_uri), "uploading").await
    }

    async fn clear(&self) -> Result<(), BoxError> {
        let status = self.target.lock().await.status.clone();
        self.write(None, &status).await
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn target(session: Option<&str>) -> Target {
        Target {
            recording_id: Uuid::now_v7(),
            preset_id: Uuid::now_v7(),
            platform: "youtube".into(),
            status: "failed".into(),
            platform_video_id: None,
            url: None,
            error: None,
            upload_session: session.map(str::to_owned),
        }
    }

    #[test]
    fn only_the_published_mark_names_a_video() {
        assert_eq!(
            published_video(&target(Some("published:abc123"))),
            Some("abc123")
        );
        assert_eq!(
            published_video(&target(Some("http://upload/?upload_id=1"))),
            None
        );
        assert_eq!(published_video(&target(Some("published:"))), None);
        assert_eq!(published_video(&target(None)), None);
    }
}
