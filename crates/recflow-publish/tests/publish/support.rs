//! Started fakes with clients pointed at them, tiny backoffs so retries take milliseconds,
//! and test files with recognisable content.

use std::path::PathBuf;
use std::time::Duration;

use recflow_fakes::{FakeVk, FakeYoutube};
use recflow_publish::{
    AccessTokenSource, Backoff, ChunkSize, GoogleCredential, GoogleOAuth, Privacy, PublishHttp,
    Timeouts, UploadConfig, VideoMetadata, VkClient, VkConfig, VkVideo, YoutubeUploader,
};
use tempfile::TempDir;

pub const CLIENT_ID: &str = "client-1";
pub const CLIENT_SECRET: &str = "client-secret-1";
pub const REFRESH_TOKEN: &str = "refresh-token-1";
pub const VK_TOKEN: &str = "vk1.a.FAKE-USER-TOKEN";
pub const VK_USER: i64 = 100_000_001;
pub const CHUNK: u64 = 256 * 1024;

pub fn http() -> PublishHttp {
    let timeouts = Timeouts {
        connect: Duration::from_secs(2),
        api: Duration::from_secs(10),
        chunk: Duration::from_secs(20),
        file_upload: Duration::from_secs(30),
    };
    PublishHttp::new(timeouts).expect("the HTTP client builds")
}

pub fn fast_backoff(max_attempts: u32) -> Backoff {
    Backoff {
        base: Duration::from_millis(2),
        max: Duration::from_millis(10),
        max_attempts,
    }
}

/// A fake YouTube with one account, and an uploader sending 256 KiB chunks.
pub async fn youtube() -> (FakeYoutube, YoutubeUploader, AccessTokenSource) {
    let fake = FakeYoutube::start().await;
    fake.add_credentials(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
    let uploader = uploader(&fake, 5);
    let access = token_source(&fake);
    (fake, uploader, access)
}

pub fn uploader(fake: &FakeYoutube, max_attempts: u32) -> YoutubeUploader {
    let config = UploadConfig {
        chunk_size: ChunkSize::new(CHUNK).expect("256 KiB is a valid chunk size"),
        backoff: fast_backoff(max_attempts),
    };
    YoutubeUploader::new(http(), fake.api_url(), fake.upload_url()).with_config(config)
}

pub fn token_source(fake: &FakeYoutube) -> AccessTokenSource {
    let credential = GoogleCredential {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        refresh_token: REFRESH_TOKEN.into(),
    };
    AccessTokenSource::new(GoogleOAuth::new(http(), fake.oauth_url()), credential)
}

pub fn metadata() -> VideoMetadata {
    VideoMetadata {
        title: "Weekly sync 2025-03-03".into(),
        description: "Recorded meeting.".into(),
        tags: vec!["meeting".into(), "weekly".into()],
        category_id: "27".into(),
        privacy: Privacy::Unlisted,
        made_for_kids: false,
    }
}

/// A file of `len` bytes whose content differs at every offset modulo 251.
pub struct TestFile {
    _dir: TempDir,
    pub path: PathBuf,
    pub content: Vec<u8>,
}

pub fn test_file(len: usize) -> TestFile {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("recording.mp4");
    let content: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).expect("the test file is written");
    TestFile {
        _dir: dir,
        path,
        content,
    }
}

/// A fake VK with one user token, and a client with tiny waits.
pub async fn vk() -> (FakeVk, VkClient) {
    let fake = FakeVk::start().await;
    fake.add_user_token(VK_TOKEN, VK_USER);
    let client = vk_client(&fake);
    (fake, client)
}

pub fn vk_client(fake: &FakeVk) -> VkClient {
    let config = VkConfig {
        too_many_requests_delay: Duration::from_millis(350),
        backoff: fast_backoff(4),
        ..VkConfig::default()
    };
    VkClient::with_config(http(), fake.api_url(), config)
}

pub fn vk_video(group_id: Option<i64>, album_id: Option<i64>) -> VkVideo {
    VkVideo {
        name: "Weekly sync 2025-03-03".into(),
        description: "Recorded meeting.".into(),
        group_id,
        album_id,
        privacy_view: None,
    }
}
