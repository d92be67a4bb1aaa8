//! Faults a test can queue with `FakeZoom::fail_next`, and the exact responses Zoom gives for
//! them and for ordinary errors.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;

/// A failure to inject into the next matching requests.
// TODO: `/oauth/token` cannot be made to fail with 429 or 5xx yet; only REST, page cursors,
// downloads and the CDN take faults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// REST calls (`/v2/...`) answer 429 with Zoom's rate-limit body and the given hint.
    TooManyRequests(RetryAfter),
    /// REST calls answer this 5xx status.
    ServerError(u16),
    /// List calls that carry a `next_page_token` find it expired (400, see
    /// [`PAGE_TOKEN_EXPIRED_CODE`]); calls without a cursor are not affected.
    ExpirePageToken,
    /// Download requests answer 200 `text/html` (Zoom's error page) despite a valid token.
    HtmlInsteadOfMedia,
    /// CDN responses send only the first half of the requested bytes (with a matching
    /// `Content-Length`), so the size no longer matches `file_size`.
    TruncatedMedia,
}

/// How a 429 says when to come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <ISO-8601>`, as Zoom's daily-limit answers do.
    Date(DateTime<Utc>),
    /// `Retry-After: <HTTP date>` (RFC 7231 IMF-fixdate).
    HttpDate(DateTime<Utc>),
    /// No `Retry-After`, only `X-RateLimit-Reset: <unix seconds>`, as per-second limits do.
    ResetAt(DateTime<Utc>),
    /// No hint at all.
    Unspecified,
}

/// Zoom does not document the error for an expired `next_page_token`; the fake answers
/// 400 with this code (Zoom's generic "invalid field" code) and a message saying so.
pub const PAGE_TOKEN_EXPIRED_CODE: i64 = 300;

impl Fault {
    /// The queue this fault waits in.
    pub(crate) fn target(&self) -> FaultTarget {
        match self {
            Self::TooManyRequests(_) | Self::ServerError(_) => FaultTarget::Rest,
            Self::ExpirePageToken => FaultTarget::PageCursor,
            Self::HtmlInsteadOfMedia => FaultTarget::Download,
            Self::TruncatedMedia => FaultTarget::Cdn,
        }
    }

    /// The response a REST fault produces.
    pub(crate) fn rest_response(&self) -> Option<Response> {
        match self {
            Self::TooManyRequests(hint) => Some(rate_limited(hint)),
            Self::ServerError(status) => {
                let status =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                Some(zoom_error(
                    status,
                    i64::from(status.as_u16()),
                    "Internal Error.",
                ))
            }
            _ => None,
        }
    }
}

pub(crate) enum FaultTarget {
    Rest,
    PageCursor,
    Download,
    Cdn,
}

/// A REST error in Zoom's `{code, message}` shape.
pub(crate) fn zoom_error(status: StatusCode, code: i64, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

/// An OAuth error in Zoom's `{reason, error}` shape (always 400).
pub(crate) fn oauth_error(error: &str, reason: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "reason": reason, "error": error })),
    )
        .into_response()
}

/// 401 code 124, Zoom's answer to a missing, unknown or expired access token.
pub(crate) fn invalid_token(expired: bool) -> Response {
    let message = if expired {
        "Access token is expired."
    } else {
        "Invalid access token."
    };
    zoom_error(StatusCode::UNAUTHORIZED, 124, message)
}

/// What the download host sends for a bad token or a deleted file: a 200 HTML page.
pub(crate) fn html_error_page() -> Response {
    let page = "<!DOCTYPE html><html><head><title>Error - Zoom</title></head><body>\
                <h1>This recording does not exist.</h1><p>Only the host can download.</p>\
                </body></html>";
    ([(header::CONTENT_TYPE, "text/html;charset=utf-8")], page).into_response()
}

fn rate_limited(hint: &RetryAfter) -> Response {
    let daily = matches!(hint, RetryAfter::Date(_) | RetryAfter::HttpDate(_));
    let message = if daily {
        "You have reached the maximum daily rate limit for this API. Refer to the response \
         header for details on when you can make another request."
    } else {
        "You have reached the maximum per-second rate limit for this API. Try again later."
    };
    let mut response = zoom_error(StatusCode::TOO_MANY_REQUESTS, 429, message);
    let headers = response.headers_mut();
    headers.insert("x-ratelimit-category", HeaderValue::from_static("Medium"));
    headers.insert(
        "x-ratelimit-type",
        HeaderValue::from_static(if daily { "Daily-limit" } else { "QPS" }),
    );
    let (name, value) = match hint {
        RetryAfter::Seconds(seconds) => (header::RETRY_AFTER, seconds.to_string()),
        RetryAfter::Date(at) => (
            header::RETRY_AFTER,
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        RetryAfter::HttpDate(at) => (
            header::RETRY_AFTER,
            at.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        ),
        RetryAfter::ResetAt(at) => (
            header::HeaderName::from_static("x-ratelimit-reset"),
            at.timestamp().to_string(),
        ),
        RetryAfter::Unspecified => return response,
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(name, value);
    }
    response
}
