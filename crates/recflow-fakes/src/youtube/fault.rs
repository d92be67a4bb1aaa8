//! Faults a test can queue with `FakeYoutube::fail_next`, and the exact error bodies Google
//! sends for them and for ordinary mistakes (`external-apis.md` §2.3).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A failure to inject into upcoming requests.
// TODO: connection resets cannot be injected yet; a 503 stands in for a lost connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YoutubeFault {
    /// A data chunk answers this 5xx status and none of its bytes are persisted.
    ServerError(u16),
    /// A data chunk is acknowledged with this many bytes fewer than were sent (308 with the
    /// smaller `Range`, also on the final chunk).
    PersistFewer(u64),
    /// A data chunk finds its session expired: 404 now and for every later request to it.
    ExpireSession,
    /// A data chunk answers 403 `rateLimitExceeded`.
    RateLimitExceeded,
    /// The session initiation answers 403 `quotaExceeded`.
    QuotaExceeded,
    /// The session initiation answers 400 `uploadLimitExceeded`.
    UploadLimitExceeded,
    /// A `playlistItems.insert` answers 400 `failedPrecondition`.
    PlaylistFailedPrecondition,
    /// A `playlistItems.insert` adds the video, then answers 503 as if the response were
    /// lost on the way back.
    PlaylistInsertedThen503,
}

pub(crate) enum FaultTarget {
    Initiate,
    Chunk,
    Playlist,
}

impl YoutubeFault {
    pub(crate) fn target(&self) -> FaultTarget {
        match self {
            Self::ServerError(_)
            | Self::PersistFewer(_)
            | Self::ExpireSession
            | Self::RateLimitExceeded => FaultTarget::Chunk,
            Self::QuotaExceeded | Self::UploadLimitExceeded => FaultTarget::Initiate,
            Self::PlaylistFailedPrecondition | Self::PlaylistInsertedThen503 => {
                FaultTarget::Playlist
            }
        }
    }
}

/// A Google error body: `{"error":{code,message,errors:[{message,domain,reason}]}}`.
pub(crate) fn google_error(
    status: StatusCode,
    domain: &str,
    reason: &str,
    message: &str,
) -> Response {
    let body = json!({
        "error": {
            "code": status.as_u16(),
            "message": message,
            "errors": [{ "message": message, "domain": domain, "reason": reason }],
        }
    });
    (status, Json(body)).into_response()
}

pub(crate) fn quota_exceeded() -> Response {
    google_error(
        StatusCode::FORBIDDEN,
        "youtube.quota",
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your \
         <a href=\"/youtube/v3/getting-started#quota\">quota</a>.",
    )
}

pub(crate) fn upload_limit_exceeded() -> Response {
    google_error(
        StatusCode::BAD_REQUEST,
        "youtube.video",
        "uploadLimitExceeded",
        "The user has exceeded the number of videos they may upload.",
    )
}

pub(crate) fn rate_limit_exceeded() -> Response {
    google_error(
        StatusCode::FORBIDDEN,
        "usageLimits",
        "rateLimitExceeded",
        "The request cannot be completed because you have exceeded your rate limit.",
    )
}

pub(crate) fn failed_precondition() -> Response {
    let body = json!({
        "error": {
            "code": 400,
            "message": "Precondition check failed.",
            "errors": [{
                "message": "Precondition check failed.",
                "domain": "global",
                "reason": "failedPrecondition",
            }],
            "status": "FAILED_PRECONDITION",
        }
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

pub(crate) fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    google_error(status, "global", "backendError", "Backend Error")
}

/// 401 `authError`, Google's answer to a missing, unknown or expired access token.
pub(crate) fn invalid_credentials() -> Response {
    let body = json!({
        "error": {
            "code": 401,
            "message": "Request had invalid authentication credentials. Expected OAuth 2 access \
                        token, login cookie or other valid authentication credential.",
            "errors": [{
                "message": "Invalid Credentials",
                "domain": "global",
                "reason": "authError",
                "location": "Authorization",
                "locationType": "header",
            }],
            "status": "UNAUTHENTICATED",
        }
    });
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// 400 with reason `badRequest` (or a more specific reason) and a message saying what is wrong.
pub(crate) fn bad_request(reason: &str, message: &str) -> Response {
    google_error(StatusCode::BAD_REQUEST, "global", reason, message)
}

/// What Google answers for an unknown or expired upload session.
pub(crate) fn session_not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not Found").into_response()
}

/// An OAuth error in Google's `{error, error_description}` shape.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (status, Json(body)).into_response()
}
