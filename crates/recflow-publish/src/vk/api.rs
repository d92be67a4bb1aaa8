//! One VK API call (`external-apis.md` §3.1, §3.5): a form POST under the rate limiter, the
//! `{response}`/`{error}` envelope (both with HTTP 200), the short waits VK asks for (error 6:
//! about 1/3 s; error 10: backoff), and the mapping of error codes to [`PublishError`].
//!
//! `request_params` of error bodies is never read: older servers echo `access_token` in it.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::{debug, warn};

use super::VkClient;
use crate::error::{CaptchaKind, Platform, PublishError};

/// The API version every call sends.
pub(crate) const API_VERSION: &str = "5.199";

#[derive(Deserialize)]
struct Envelope {
    response: Option<Value>,
    error: Option<ApiError>,
}

/// A VK error object, without its `request_params`.
#[derive(Debug, Deserialize)]
pub(crate) struct ApiError {
    pub(crate) error_code: i64,
    #[serde(default)]
    error_msg: String,
    captcha_sid: Option<Value>,
    redirect_uri: Option<String>,
}

impl VkClient {
    /// Calls `method` with `params`; VK's own error is returned as the inner `Err` so callers
    /// can accept some codes (800 on `video.addToAlbum`) before classifying the rest.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        token: &str,
        method: &'static str,
        params: &[(&'static str, String)],
    ) -> Result<Result<T, ApiError>, PublishError> {
        let url = format!("{}/{method}", self.api_url);
        let mut form: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form.push(("v", API_VERSION));
        form.push(("access_token", token));
        let (mut too_many, mut internal) = (0, 0);
        loop {
            self.limiter.acquire(token).await;
            let error = match self.post_form(&url, method, &form).await? {
                Ok(response) => {
                    return serde_json::from_value(response)
                        .map(Ok)
                        .map_err(|error| invalid(method, &error.to_string()));
                }
                Err(error) => error,
            };
            debug!(
                vk.method = method,
                vk.error_code = error.error_code,
                "vk api error"
            );
            match error.error_code {
                6 if too_many < self.config.too_many_requests_retries => {
                    too_many += 1;
                    tokio::time::sleep(self.config.too_many_requests_delay).await;
                }
                10 if self.config.backoff.allows(internal + 1) => {
                    internal += 1;
                    warn!(
                        vk.method = method,
                        attempt = internal,
                        "vk internal error, retrying"
                    );
                    self.config.backoff.wait(internal).await;
                }
                _ => return Ok(Err(error)),
            }
        }
    }

    async fn post_form(
        &self,
        url: &str,
        method: &'static str,
        form: &[(&str, &str)],
    ) -> Result<Result<Value, ApiError>, PublishError> {
        let response = self
            .http
            .client()
            .post(url)
            .form(form)
            .timeout(self.http.timeouts().api)
            .send()
            .await
            .map_err(|error| PublishError::transport(Platform::Vk, method, error))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|error| PublishError::transport(Platform::Vk, method, error))?;
        if status != 200 {
            return Err(PublishError::Upstream {
                platform: Platform::Vk,
                endpoint: method,
                status,
                message: "unexpected HTTP status from the VK API".to_owned(),
                retryable: status >= 500 || status == 429,
            });
        }
        let envelope: Envelope =
            serde_json::from_slice(&body).map_err(|error| invalid(method, &error.to_string()))?;
        match (envelope.error, envelope.response) {
            (Some(error), _) => Ok(Err(error)),
            (None, Some(response)) => Ok(Ok(response)),
            (None, None) => Err(invalid(method, "neither response nor error")),
        }
    }
}

impl ApiError {
    /// The classified error; `token` is scrubbed from VK's message in case it was echoed.
    pub(crate) fn into_error(self, method: &'static str, token: &str) -> PublishError {
        let message = scrub(&self.error_msg, token);
        let vk = Platform::Vk;
        match self.error_code {
            5 => PublishError::RevokedCredentials {
                platform: vk,
                message,
            },
            6 => rate_limited(format!("too many requests per second ({message})")),
            9 => rate_limited(format!("flood control, retry in a few minutes ({message})")),
            29 => rate_limited(format!(
                "daily method limit reached, retry tomorrow ({message})"
            )),
            14 => PublishError::CaptchaRequired {
                kind: match (self.redirect_uri, self.captcha_sid) {
                    (Some(_), _) => CaptchaKind::Redirect,
                    (None, Some(sid)) => CaptchaKind::Image {
                        sid: sid.as_str().map_or_else(|| sid.to_string(), str::to_owned),
                    },
                    (None, None) => CaptchaKind::Redirect,
                },
            },
            code @ (7 | 15 | 200 | 203 | 204) => PublishError::AccessDenied {
                platform: vk,
                code: Some(code),
                message,
            },
            code => PublishError::VkApi {
                method,
                code,
                message,
                retryable: code == 10,
            },
        }
    }
}

fn rate_limited(message: String) -> PublishError {
    PublishError::RateLimited {
        platform: Platform::Vk,
        message,
    }
}

/// VK's message without the token (should a server ever echo it) and cut to a sane length.
pub(crate) fn scrub(message: &str, token: &str) -> String {
    let cleaned = if token.is_empty() {
        message.to_owned()
    } else {
        message.replace(token, "<redacted>")
    };
    cleaned.chars().take(300).collect()
}

fn invalid(method: &'static str, detail: &str) -> PublishError {
    PublishError::InvalidResponse {
        platform: Platform::Vk,
        endpoint: method,
        detail: detail.chars().take(200).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(body: &[u8]) -> PublishError {
        let envelope: Envelope = serde_json::from_slice(body).expect("fixture parses");
        envelope
            .error
            .expect("an error fixture")
            .into_error("video.save", "secret-token")
    }

    #[test]
    fn both_captcha_forms_become_captcha_required() {
        let classic = error_of(include_bytes!("../../tests/fixtures/vk-error-captcha.json"));
        let redirect = error_of(include_bytes!(
            "../../tests/fixtures/vk-error-captcha-redirect.json"
        ));

        assert!(matches!(
            classic,
            PublishError::CaptchaRequired {
                kind: CaptchaKind::Image { ref sid }
            } if sid == "239633676097"
        ));
        assert!(matches!(
            redirect,
            PublishError::CaptchaRequired {
                kind: CaptchaKind::Redirect
            }
        ));
    }

    #[test]
    fn codes_map_to_revoked_rate_limited_and_access_denied() {
        let auth = error_of(include_bytes!("../../tests/fixtures/vk-error-auth.json"));
        let many = error_of(include_bytes!(
            "../../tests/fixtures/vk-error-too-many-requests.json"
        ));
        let denied = error_of(include_bytes!(
            "../../tests/fixtures/vk-error-access-denied-video.json"
        ));

        assert!(matches!(auth, PublishError::RevokedCredentials { .. }));
        assert!(!auth.is_retryable());
        assert!(many.is_retryable());
        assert!(matches!(
            denied,
            PublishError::AccessDenied {
                code: Some(204),
                ..
            }
        ));
    }

    #[test]
    fn an_echoed_token_is_scrubbed_from_messages() {
        let scrubbed = scrub("invalid access_token secret-token given", "secret-token");

        assert_eq!(scrubbed, "invalid access_token <redacted> given");
    }
}
