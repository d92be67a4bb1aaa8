//! VK's upload host (`external-apis.md` §3.3): one multipart POST of `video_file`, streamed
//! from disk. Its answers are not API envelopes: success is a bare object, failure a bare
//! `{"error":"too fast","error_code":-12}` (pitfall 30). Upload URLs expire (pitfall 31).
//!
//! The upload URL carries a signature: it never reaches a log line or an error.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use serde_json::Value;
use tracing::{debug, warn};

use super::VkClient;
use crate::error::{Platform, PublishError};

const ENDPOINT: &str = "upload host";

/// The upload host's answer to a finished upload.
#[derive(Debug)]
pub(crate) struct HostUpload {
    pub(crate) owner_id: i64,
    pub(crate) video_id: i64,
}

/// Why an upload did not finish.
pub(crate) enum HostFailure {
    /// The URL expired: `video.save` must hand out a new one.
    Expired,
    Failed(PublishError),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Answer {
    Uploaded {
        owner_id: i64,
        video_id: i64,
        #[serde(default)]
        size: Option<u64>,
    },
    Failed {
        error: Value,
        error_code: Option<i64>,
    },
}

/// The host's "slow down" code.
const TOO_FAST: i64 = -12;

impl VkClient {
    /// Posts the file to `upload_url`, retrying "too fast" with backoff.
    pub(crate) async fn post_file(
        &self,
        upload_url: &str,
        file: &Path,
        size: u64,
    ) -> Result<HostUpload, HostFailure> {
        let mut too_fast = 0;
        loop {
            let answer = self.post_once(upload_url, file, size).await?;
            let (error, code) = match answer {
                Answer::Uploaded {
                    owner_id,
                    video_id,
                    size: received,
                } => return check_size(owner_id, video_id, received, size),
                Answer::Failed { error, error_code } => (error, error_code),
            };
            let text = error
                .as_str()
                .map_or_else(|| error.to_string(), str::to_owned);
            debug!(vk.upload_error = %text, vk.error_code = ?code, "vk upload host error");
            if code == Some(TOO_FAST) && self.config.backoff.allows(too_fast + 1) {
                too_fast += 1;
                warn!(
                    attempt = too_fast,
                    "vk upload host says too fast, backing off"
                );
                self.config.backoff.wait(too_fast).await;
                continue;
            }
            if is_expired(upload_url, Duration::ZERO) {
                return Err(HostFailure::Expired);
            }
            return Err(HostFailure::Failed(PublishError::Upstream {
                platform: Platform::Vk,
                endpoint: ENDPOINT,
                status: 200,
                message: format!("{text} (code {code:?})")
                    .chars()
                    .take(300)
                    .collect(),
                retryable: code == Some(TOO_FAST),
            }));
        }
    }

    async fn post_once(
        &self,
        upload_url: &str,
        file: &Path,
        size: u64,
    ) -> Result<Answer, HostFailure> {
        let handle = tokio::fs::File::open(file)
            .await
            .map_err(|error| HostFailure::Failed(PublishError::io("open", file, error)))?;
        let name = file.file_name().map_or_else(
            || "video.mp4".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let part = Part::stream_with_length(handle, size)
            .file_name(name)
            .mime_str("video/mp4")
            .map_err(|error| {
                HostFailure::Failed(PublishError::transport(Platform::Vk, ENDPOINT, error))
            })?;
        let response = self
            .http
            .client()
            .post(upload_url)
            .multipart(Form::new().part("video_file", part))
            .timeout(self.http.timeouts().file_upload)
            .send()
            .await
            .map_err(|error| {
                HostFailure::Failed(PublishError::transport(Platform::Vk, ENDPOINT, error))
            })?;

        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|error| {
            HostFailure::Failed(PublishError::transport(Platform::Vk, ENDPOINT, error))
        })?;
        if let Ok(answer) = serde_json::from_slice::<Answer>(&body) {
            return Ok(answer);
        }
        if is_expired(upload_url, Duration::ZERO) {
            return Err(HostFailure::Expired);
        }
        Err(HostFailure::Failed(PublishError::Upstream {
            platform: Platform::Vk,
            endpoint: ENDPOINT,
            status,
            message: "the upload host answered with an unreadable body".to_owned(),
            retryable: status >= 500 || status == 429,
        }))
    }
}

fn check_size(
    owner_id: i64,
    video_id: i64,
    received: Option<u64>,
    sent: u64,
) -> Result<HostUpload, HostFailure> {
    match received {
        Some(received) if received != sent => Err(HostFailure::Failed(PublishError::Upstream {
            platform: Platform::Vk,
            endpoint: ENDPOINT,
            status: 200,
            message: format!("the upload host received {received} of {sent} bytes"),
            retryable: true,
        })),
        _ => Ok(HostUpload { owner_id, video_id }),
    }
}

/// Whether the URL's `expires=<unix ms>` is past, or closer than `margin`. A URL without the
/// parameter is taken as valid.
pub(crate) fn is_expired(upload_url: &str, margin: Duration) -> bool {
    let Ok(url) = reqwest::Url::parse(upload_url) else {
        return false;
    };
    let expires_ms = url
        .query_pairs()
        .find(|(key, _)| key == "expires")
        .and_then(|(_, value)| value.parse::<i64>().ok());
    let margin_ms = i64::try_from(margin.as_millis()).unwrap_or(i64::MAX);
    expires_ms.is_some_and(|at| Utc::now().timestamp_millis().saturating_add(margin_ms) >= at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_host_answer_shapes_parse() {
        let ok = include_bytes!("../../tests/fixtures/vk-video-upload-response.json");
        let fast = include_bytes!("../../tests/fixtures/vk-video-upload-error-too-fast.json");

        let ok: Answer = serde_json::from_slice(ok).expect("success fixture");
        let fast: Answer = serde_json::from_slice(fast).expect("error fixture");

        assert!(matches!(
            ok,
            Answer::Uploaded {
                video_id: 456_239_017,
                owner_id: -200_000_001,
                ..
            }
        ));
        assert!(matches!(
            fast,
            Answer::Failed {
                error_code: Some(TOO_FAST),
                ..
            }
        ));
    }

    #[test]
    fn expiry_is_read_from_the_url_in_milliseconds() {
        let past = "https://vu.example.invalid/upload.do?sig=x&expires=1741003600000";
        let future = format!(
            "https://vu.example.invalid/upload.do?expires={}",
            Utc::now().timestamp_millis() + 3_600_000
        );

        assert!(is_expired(past, Duration::ZERO));
        assert!(!is_expired(&future, Duration::from_secs(60)));
        assert!(is_expired(&future, Duration::from_secs(7200)));
        assert!(!is_expired(
            "https://vu.example.invalid/upload.do",
            Duration::ZERO
        ));
    }
}
