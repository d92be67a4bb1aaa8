//! Faults a test can queue with `FakeVk::fail_next`, and VK's error envelope
//! (`external-apis.md` §3.5): always HTTP 200, `request_params` echoed.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A failure to inject into upcoming requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VkFault {
    /// The next API call answers error 14 with `captcha_sid` and `captcha_img`.
    Captcha,
    /// The next API call answers error 14 with `redirect_uri` (VK ID challenge).
    CaptchaRedirect,
    /// The next API call answers error 6, whatever the real rate.
    TooManyRequests,
    /// The next API call answers error 9 (flood control).
    FloodControl,
    /// The next API call answers error 29 (daily method limit).
    RateLimitReached,
    /// The next API call answers error 10 (internal server error).
    InternalError,
    /// The next API call answers this access-denied code (7, 15, 200, 203 or 204).
    AccessDenied(i64),
    /// The next `video.save` hands out an upload URL that has already expired.
    ExpiredUploadUrl,
    /// The next upload POST answers `{"error":"too fast","error_code":-12}`.
    TooFast,
}

pub(crate) enum FaultTarget {
    Api,
    Save,
    Upload,
}

impl VkFault {
    pub(crate) fn target(&self) -> FaultTarget {
        match self {
            Self::ExpiredUploadUrl => FaultTarget::Save,
            Self::TooFast => FaultTarget::Upload,
            _ => FaultTarget::Api,
        }
    }

    /// The API error this fault answers with: code, message and extra fields.
    pub(crate) fn api_error(&self) -> Option<(i64, &'static str, Value)> {
        let none = json!({});
        Some(match self {
            Self::Captcha => (
                14,
                "Captcha needed",
                json!({
                    "captcha_sid": "239633676097",
                    "captcha_img": "https://api.vk.com/captcha.php?sid=239633676097&s=1",
                }),
            ),
            Self::CaptchaRedirect => (
                14,
                "Captcha needed",
                json!({
                    "redirect_uri": concat!(
                        "https://id.vk.com/not_robot_captcha?domain=vk.com",
                        "&session_token=FAKE.SESSION.TOKEN&variant=popup&blank=1"
                    ),
                    "remixstlid": 9_000_000_000_000_000_001_u64,
                }),
            ),
            Self::TooManyRequests => (6, "Too many requests per second", none),
            Self::FloodControl => (9, "Flood control", none),
            Self::RateLimitReached => (29, "Rate limit reached", none),
            Self::InternalError => (10, "Internal server error", none),
            Self::AccessDenied(code) => (*code, "Access denied", none),
            Self::ExpiredUploadUrl | Self::TooFast => return None,
        })
    }
}

/// `{"error":{error_code, error_msg, request_params, ...extra}}` with HTTP 200.
pub(crate) fn api_error(code: i64, message: &str, request_params: Value, extra: Value) -> Response {
    let mut error = json!({
        "error_code": code,
        "error_msg": message,
        "request_params": request_params,
    });
    if let (Some(target), Value::Object(fields)) = (error.as_object_mut(), extra) {
        target.extend(fields);
    }
    Json(json!({ "error": error })).into_response()
}

/// `{"response": …}` with HTTP 200.
pub(crate) fn api_response(response: Value) -> Response {
    Json(json!({ "response": response })).into_response()
}

/// The upload host's bare error object.
pub(crate) fn upload_error(message: &str, code: i64) -> Response {
    Json(json!({ "error": message, "error_code": code })).into_response()
}
