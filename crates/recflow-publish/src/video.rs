//! What a finished upload hands back to the caller, the same for every platform.

/// A video that exists on the platform. Once a target has one, it must never be uploaded again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedVideo {
    /// The platform's id: YouTube's 11-character id, or VK's `<owner_id>_<video_id>`.
    pub video_id: String,
    /// A public link to the video.
    pub url: String,
}

impl UploadedVideo {
    pub(crate) fn youtube(video_id: String) -> Self {
        let url = format!("https://www.youtube.com/watch?v={video_id}");
        Self { video_id, url }
    }

    pub(crate) fn vk(owner_id: i64, video_id: i64) -> Self {
        let video_id = format!("{owner_id}_{video_id}");
        let url = format!("https://vk.com/video{video_id}");
        Self { video_id, url }
    }
}
