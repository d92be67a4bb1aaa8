//! `playlistItems.insert` (`external-apis.md` §2.5). A video YouTube is still processing
//! answers 400 `failedPrecondition`; that is returned at once as a retry-later error, because
//! processing takes minutes and the caller's job owns such waits.

use serde::Deserialize;
use serde_json::json;
use tracing::{info, instrument, warn};

use super::exchange::read_body;
use super::google_error::GoogleError;
use super::{AccessTokenSource, YoutubeUploader};
use crate::error::{Platform, PublishError};

const ENDPOINT: &str = "playlistItems.insert";

#[derive(Deserialize)]
struct PlaylistItem {
    #[serde(default)]
    id: String,
}

impl YoutubeUploader {
    /// Adds `video_id` to `playlist_id` and returns the playlist item id.
    ///
    /// # Errors
    ///
    /// [`PublishError::NotReady`] (retryable) for `failedPrecondition`; rate limits, 5xx and
    /// lost connections after the backoff's attempts; at once for other 4xx such as
    /// `playlistNotFound`.
    // TODO: a retry after a lost response can add the video twice; look the video up with
    // playlistItems.list (1 unit) before inserting again.
    #[instrument(
        skip_all,
        fields(upstream.platform = "youtube", video.id = %video_id, playlist.id = %playlist_id),
        err
    )]
    pub async fn add_to_playlist(
        &self,
        access: &AccessTokenSource,
        video_id: &str,
        playlist_id: &str,
    ) -> Result<String, PublishError> {
        let url = format!("{}/playlistItems?part=snippet", self.api_url);
        let body = json!({
            "snippet": {
                "playlistId": playlist_id,
                "resourceId": { "kind": "youtube#video", "videoId": video_id },
            }
        });
        let mut failures = 0;
        loop {
            match self.insert_item(access, &url, &body).await {
                Ok(item_id) => {
                    info!(playlist.item_id = %item_id, "added to youtube playlist");
                    return Ok(item_id);
                }
                Err(error @ PublishError::NotReady { .. }) => return Err(error),
                Err(error) if error.is_retryable() && self.config.backoff.allows(failures + 1) => {
                    failures += 1;
                    warn!(attempt = failures, error = %error, "playlist insert failed, retrying");
                    self.config.backoff.wait(failures).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn insert_item(
        &self,
        access: &AccessTokenSource,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<String, PublishError> {
        let response = self
            .send_authorized(access, |token| {
                let request = self
                    .http
                    .client()
                    .post(url)
                    .bearer_auth(token.secret())
                    .json(body)
                    .timeout(self.http.timeouts().api);
                async move { Ok(request) }
            })
            .await?;
        let status = response.status();
        let bytes = read_body(response).await?;
        if !status.is_success() {
            return Err(GoogleError::parse(&bytes).into_error(ENDPOINT, status.as_u16()));
        }
        let item: PlaylistItem =
            serde_json::from_slice(&bytes).map_err(|error| PublishError::InvalidResponse {
                platform: Platform::Youtube,
                endpoint: ENDPOINT,
                detail: error.to_string(),
            })?;
        Ok(item.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_response_has_the_item_id() {
        let body =
            include_bytes!("../../tests/fixtures/youtube-playlistitems-insert-response.json");

        let item: PlaylistItem = serde_json::from_slice(body).expect("fixture parses");

        assert_eq!(
            item.id,
            "UExGYWtlUGxheWxpc3QwMDAwMDAwMDAwMDAwMDAwMDAwQS5GQUtF"
        );
    }
}
