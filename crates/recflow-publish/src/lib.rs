//! Publishing clients for recflow: YouTube (Google OAuth refresh, resumable uploads that survive
//! a process restart, playlist inserts), VK (`video.save`, the upload host, albums, under VK's
//! 3 requests/second limit) and local folders (atomic, never overwriting).
//!
//! The clients follow `shared/protocols/external-apis.md` §2, §3 and §5. They know nothing of
//! recflow's storage: a YouTube session URI is handed to a caller-supplied
//! [`UploadSessionStore`], and every failure is a [`PublishError`] that says whether retrying
//! can help. No token, secret or session URI ever reaches a log line or an error.

mod error;
pub mod folder;
mod http;
mod retry;
mod video;
pub mod vk;
pub mod youtube;

pub use error::{BoxError, CaptchaKind, Platform, PublishError};
pub use folder::publish_to_folder;
pub use http::{PublishHttp, Timeouts};
pub use retry::Backoff;
pub use video::UploadedVideo;
pub use vk::{VkClient, VkConfig, VkVideo};
pub use youtube::{
    AccessToken, AccessTokenSource, ChunkSize, GoogleCredential, GoogleOAuth, GoogleToken,
    MemorySessionStore, Privacy, UploadConfig, UploadSessionStore, VideoMetadata, YoutubeUploader,
};
