//! `playlistItems.insert` (`external-apis.md` §2.5). A video YouTube is still processing
//! answers 400 `failedPrecondition`; that is returned at once as a retry-later error, because
//! processing takes minutes and the caller's job owns such waits. `playlistItems.list` with
//! `videoId` (1 unit) tells a retry whether an earlier attempt's insert already landed.

use serde::Deserialize;
use serde_json::json;
use tracing::{info, instrument, warn};

use super::exchange::read_body;
use super::google_error::GoogleError;
use super::{AccessTokenSource, YoutubeUploader};
use crate::error::{Platform, PublishError};

const ENDPOINT: &str = "playlistItems.insert";
const LIST_ENDPOINT: &str = "playlistItems.list";

#[derive(Deserialize)]
struct PlaylistItem {
    #[serde(default)]
    id: String,
}

#[derive(Deserialize)]
struct PlaylistItemList {
    #[serde(default)]
    items: Vec<PlaylistItem>,
}

impl YoutubeUploader {
    /// Adds `video_id` to `playlist_id` and returns the playlist item id.
    ///
    /// # Errors
    ///
    /// [`PublishError::NotReady`] (retryable) for `failedPrecondition`; rate limits, 5xx and
    /// lost connections after the backoff's attempts; at once for other 4xx such as
    /// `playlistNotFound`.
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
                    // The failed insert may have landed (a lost response): look before
                    // inserting again.
                    if let Ok(Some(item_id)) =
                        self.playlist_item_of(access, video_id, playlist_id).await
                    {
                        info!(playlist.item_id = %item_id, "the earlier insert had landed");
                        return Ok(item_id);
                    }
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The id of an item of `playlist_id` holding `video_id`, if there is one. A caller that
    /// may have inserted before (its process died before recording the outcome) asks this
    /// first, so the video is not added twice.
    ///
    /// # Errors
    ///
    /// As [`Self::add_to_playlist`], without retries.
    #[instrument(
        skip_all,
        fields(upstream.platform = "youtube", video.id = %video_id, playlist.id = %playlist_id),
        err
    )]
    pub async fn playlist_item_of(
        &self,
        access: &AccessTokenSource,
        video_id: &str,
        playlist_id: &str,
    ) -> Result<Option<String>, PublishError> {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/playlistItems", self.api_url),
            &[
                ("part", "id"),
                ("playlistId", playlist_id),
                ("videoId", video_id),
            ],
        )
        .map_err(|error| PublishError::InvalidResponse {
            platform: Platform::Youtube,
            endpoint: LIST_ENDPOINT,
            detail: format!("the API URL is unusable: {error}"),
        })?;
        let response = self
            .send_authorized(access, |token| {
                let request = self
                    .http
                    .client()
                    .get(url.clone())
                    .bearer_auth(token.secret())
                    .timeout(self.http.timeouts().api);
                async move { Ok(request) }
            })
            .await?;
        let list: PlaylistItemList = read_json(response, LIST_ENDPOINT).await?;
        Ok(list.items.into_iter().next().map(|item| item.id))
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
        let item: PlaylistItem = read_json(response, ENDPOINT).await?;
        Ok(item.id)
    }
}

/// The answer's JSON body, or the Google error it carries.
async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    endpoint: &'static str,
) -> Result<T, PublishError> {
    let status = response.status();
    let bytes = read_body(response).await?;
    if !status.is_success() {
        return Err(GoogleError::parse(&bytes).into_error(endpoint, status.as_u16()));
    }
    serde_json::from_slice(&bytes).map_err(|error| PublishError::InvalidResponse {
        platform: Platform::Youtube,
        endpoint,
        detail: error.to_string(),
    })
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
