//! Single HTTP exchanges of the resumable protocol (`external-apis.md` §2.2): initiate a
//! session, send one chunk streamed from disk, ask the session's status. Each answer becomes a
//! [`Step`] or a classified error; the loop that strings them together is in `resumable.rs`.

use std::io::SeekFrom;
use std::path::Path;

use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderMap, LOCATION, RANGE};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;
use tracing::debug;

use super::google_error::GoogleError;
use super::oauth::AccessToken;
use super::{AccessTokenSource, VideoMetadata, YoutubeUploader};
use crate::error::{Platform, PublishError};
use crate::video::UploadedVideo;

const INSERT: &str = "videos.insert";

/// What the server said about a session.
#[derive(Debug)]
pub(super) enum Step {
    /// 308: the server holds bytes `0..persisted`; continue there.
    Persisted(u64),
    /// 200/201: the video exists.
    Done(UploadedVideo),
    /// 404/410: the session is dead; start a new one.
    SessionGone,
}

/// One upload's fixed facts, shared by every exchange.
pub(super) struct Media<'a> {
    pub(super) file: &'a Path,
    pub(super) total: u64,
    pub(super) content_type: &'static str,
}

#[derive(Deserialize)]
struct VideoResource {
    #[serde(default)]
    id: String,
}

impl YoutubeUploader {
    /// Starts a session and returns its URI (the `Location` of the 200 answer).
    pub(super) async fn initiate(
        &self,
        access: &AccessTokenSource,
        video: &VideoMetadata,
        media: &Media<'_>,
    ) -> Result<String, PublishError> {
        let url = format!(
            "{}/videos?uploadType=resumable&part=snippet,status",
            self.upload_url
        );
        let body = serde_json::to_vec(&video.to_resource()).map_err(|error| {
            PublishError::invalid_input(format!("video metadata cannot be encoded: {error}"))
        })?;
        let response = self
            .send_authorized(access, |token| {
                let request = self
                    .http
                    .client()
                    .post(&url)
                    .bearer_auth(token.secret())
                    .header(CONTENT_TYPE, "application/json; charset=UTF-8")
                    .header("X-Upload-Content-Length", media.total)
                    .header("X-Upload-Content-Type", media.content_type)
                    .body(body.clone())
                    .timeout(self.http.timeouts().api);
                async move { Ok(request) }
            })
            .await?;

        let status = response.status();
        if status != StatusCode::OK {
            let body = read_body(response).await?;
            return Err(GoogleError::parse(&body).into_error(INSERT, status.as_u16()));
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(|| invalid("initiate answered 200 without a Location header"))?;
        let uri = response
            .url()
            .join(location)
            .map_err(|_| invalid("initiate answered an unusable Location header"))?;
        Ok(uri.into())
    }

    /// Sends bytes `offset..offset+len` of the file, streamed from disk.
    pub(super) async fn send_chunk(
        &self,
        access: &AccessTokenSource,
        uri: &str,
        media: &Media<'_>,
        offset: u64,
        len: u64,
    ) -> Result<Step, PublishError> {
        let last = offset + len - 1;
        let range = format!("bytes {offset}-{last}/{}", media.total);
        debug!(upload.offset = offset, upload.len = len, "sending chunk");
        let response = self
            .send_authorized(access, |token| {
                let request = self
                    .http
                    .client()
                    .put(uri)
                    .bearer_auth(token.secret())
                    .header(CONTENT_TYPE, media.content_type)
                    .header(CONTENT_LENGTH, len)
                    .header(CONTENT_RANGE, range.clone())
                    .timeout(self.http.timeouts().chunk);
                async move { Ok(request.body(chunk_body(media.file, offset, len).await?)) }
            })
            .await?;
        read_step(response).await
    }

    /// Asks how many bytes the session holds (`Content-Range: bytes */N`, no body).
    pub(super) async fn query_status(
        &self,
        access: &AccessTokenSource,
        uri: &str,
        media: &Media<'_>,
    ) -> Result<Step, PublishError> {
        let range = format!("bytes */{}", media.total);
        let response = self
            .send_authorized(access, |token| {
                let request = self
                    .http
                    .client()
                    .put(uri)
                    .bearer_auth(token.secret())
                    .header(CONTENT_LENGTH, 0)
                    .header(CONTENT_RANGE, range.clone())
                    .timeout(self.http.timeouts().api);
                async move { Ok(request) }
            })
            .await?;
        read_step(response).await
    }

    /// Sends the request `make` builds with the current token; on 401 refreshes the token once
    /// and sends it again. A second 401 is returned for the caller to classify.
    pub(super) async fn send_authorized<F, Fut>(
        &self,
        access: &AccessTokenSource,
        make: F,
    ) -> Result<Response, PublishError>
    where
        F: Fn(AccessToken) -> Fut,
        Fut: Future<Output = Result<RequestBuilder, PublishError>>,
    {
        let token = access.access_token().await?;
        let response = send(make(token.clone()).await?).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        debug!(
            upstream.platform = "youtube",
            "access token rejected, refreshing once"
        );
        let fresh = access.refresh_rejected(&token).await?;
        send(make(fresh).await?).await
    }
}

async fn send(request: RequestBuilder) -> Result<Response, PublishError> {
    request
        .send()
        .await
        .map_err(|error| PublishError::transport(Platform::Youtube, INSERT, error))
}

/// Turns an answer to a chunk or a status query into a [`Step`] or a classified error.
async fn read_step(response: Response) -> Result<Step, PublishError> {
    let status = response.status().as_u16();
    match status {
        308 => persisted_bytes(response.headers()).map(Step::Persisted),
        404 | 410 => Ok(Step::SessionGone),
        200 | 201 => {
            let body = read_body(response).await?;
            let video: VideoResource = serde_json::from_slice(&body)
                .map_err(|error| invalid(&format!("video resource: {error}")))?;
            if video.id.is_empty() {
                return Err(invalid("the finished upload has no video id"));
            }
            Ok(Step::Done(UploadedVideo::youtube(video.id)))
        }
        _ => {
            let body = read_body(response).await?;
            Err(GoogleError::parse(&body).into_error(INSERT, status))
        }
    }
}

/// Bytes persisted per a 308's `Range: bytes=0-K` (K+1); no `Range` means none (pitfall 23).
pub(super) fn persisted_bytes(headers: &HeaderMap) -> Result<u64, PublishError> {
    let Some(value) = headers.get(RANGE) else {
        return Ok(0);
    };
    let text = value
        .to_str()
        .map_err(|_| invalid("308 with a non-ASCII Range header"))?
        .trim();
    let spec = text.strip_prefix("bytes=").unwrap_or(text);
    let last = match spec.split_once('-') {
        Some(("0", last)) => last.trim().parse::<u64>().ok(),
        _ => None,
    };
    last.map(|last| last + 1)
        .ok_or_else(|| invalid(&format!("308 with an unusable Range header {text:?}")))
}

async fn chunk_body(file: &Path, offset: u64, len: u64) -> Result<reqwest::Body, PublishError> {
    let mut handle = tokio::fs::File::open(file)
        .await
        .map_err(|error| PublishError::io("open", file, error))?;
    handle
        .seek(SeekFrom::Start(offset))
        .await
        .map_err(|error| PublishError::io("seek in", file, error))?;
    let stream = ReaderStream::with_capacity(handle.take(len), 64 * 1024);
    Ok(reqwest::Body::wrap_stream(stream))
}

pub(super) async fn read_body(response: Response) -> Result<Vec<u8>, PublishError> {
    let body = response
        .bytes()
        .await
        .map_err(|error| PublishError::transport(Platform::Youtube, INSERT, error))?;
    Ok(body.to_vec())
}

fn invalid(detail: &str) -> PublishError {
    PublishError::InvalidResponse {
        platform: Platform::Youtube,
        endpoint: INSERT,
        detail: detail.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn with_range(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RANGE, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn the_next_offset_is_one_past_the_range_end() {
        assert_eq!(
            persisted_bytes(&with_range("bytes=0-8388607")).ok(),
            Some(8_388_608)
        );
        assert_eq!(persisted_bytes(&with_range("0-0")).ok(), Some(1));
    }

    #[test]
    fn no_range_header_means_nothing_was_persisted() {
        assert_eq!(persisted_bytes(&HeaderMap::new()).ok(), Some(0));
    }

    #[test]
    fn a_range_not_starting_at_zero_is_rejected() {
        assert!(persisted_bytes(&with_range("bytes=5-10")).is_err());
        assert!(persisted_bytes(&with_range("bytes=0-")).is_err());
    }
}
