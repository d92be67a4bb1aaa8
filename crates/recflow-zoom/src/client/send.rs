//! Sending one request with Zoom's failure modes handled: 429 waits for `Retry-After`
//! (seconds, an ISO-8601 date or an HTTP date) up to a limit, 5xx and lost connections are
//! retried with jittered exponential backoff, and error bodies become [`ZoomError`]s.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use tracing::{debug, warn};

use super::ZoomClient;
use crate::error::ZoomError;

/// The parts of a Zoom error body worth keeping. Zoom uses `{code,message}` on the REST API,
/// `{reason,error}` on OAuth and sometimes `{status:false,errorCode}` on 401s.
#[derive(Debug, Default)]
pub(crate) struct ZoomErrorBody {
    pub(crate) code: Option<i64>,
    pub(crate) message: String,
}

#[derive(Deserialize)]
struct RawErrorBody {
    code: Option<i64>,
    #[serde(rename = "errorCode")]
    error_code: Option<i64>,
    message: Option<String>,
    reason: Option<String>,
    error: Option<String>,
}

impl ZoomClient {
    /// Sends the request `build` makes, retrying 429, 5xx and transport failures per the
    /// retry policy; any other answer (2xx, 3xx, 4xx) is returned for the caller to read.
    pub(super) async fn send(
        &self,
        endpoint: &'static str,
        build: impl Fn() -> RequestBuilder,
    ) -> Result<Response, ZoomError> {
        let policy = &self.policy;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= policy.max_attempts;
            let response = match build().timeout(policy.request_timeout).send().await {
                Ok(response) => response,
                Err(error) if !last => {
                    debug!(upstream.platform = "zoom", endpoint, attempt, %error, "zoom request failed, retrying");
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    continue;
                }
                Err(error) => return Err(ZoomError::transport(endpoint, error)),
            };

            let status = response.status();
            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = retry_after(response.headers(), Utc::now());
                warn!(upstream.platform = "zoom", endpoint, upstream.status = 429, retry_after = ?wait, "zoom rate limit hit");
                match wait {
                    Some(wait) if wait > policy.max_retry_after || last => {
                        return Err(ZoomError::RateLimited {
                            retry_after: Some(wait),
                        });
                    }
                    None if last => return Err(ZoomError::RateLimited { retry_after: None }),
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => tokio::time::sleep(policy.backoff(attempt)).await,
                }
                continue;
            }
            if status.is_server_error() && !last {
                warn!(
                    upstream.platform = "zoom",
                    endpoint,
                    upstream.status = status.as_u16(),
                    attempt,
                    "zoom server error, retrying"
                );
                tokio::time::sleep(policy.backoff(attempt)).await;
                continue;
            }
            return Ok(response);
        }
    }
}

/// Reads an error response's body; never fails (an unreadable body gives the status text).
pub(crate) async fn read_zoom_error(response: Response) -> ZoomErrorBody {
    let status = response.status();
    let tracking_id = response
        .headers()
        .get("x-zm-trackingid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.bytes().await.unwrap_or_default();
    let parsed = serde_json::from_slice::<RawErrorBody>(&body).ok();
    let fallback = || status.canonical_reason().unwrap_or("error").to_owned();
    let error = match parsed {
        Some(raw) => ZoomErrorBody {
            code: raw.code.or(raw.error_code),
            message: raw
                .message
                .or(raw.reason)
                .or(raw.error)
                .unwrap_or_else(fallback),
        },
        None => ZoomErrorBody {
            code: None,
            message: fallback(),
        },
    };
    debug!(upstream.platform = "zoom", upstream.status = status.as_u16(), zoom.code = ?error.code, zoom.tracking_id = ?tracking_id, "zoom error response");
    error
}

impl ZoomErrorBody {
    pub(crate) fn into_upstream(self, status: StatusCode) -> ZoomError {
        ZoomError::Upstream {
            status: status.as_u16(),
            code: self.code,
            message: self.message,
        }
    }
}

/// How long Zoom asks us to wait: `Retry-After` as seconds, an ISO-8601 date or an HTTP
/// date, else `X-RateLimit-Reset` as a unix time. Dates in the past mean "now".
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let until = |at: DateTime<Utc>| (at - now).to_std().unwrap_or(Duration::ZERO);

    if let Some(value) = header("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(at) = DateTime::parse_from_rfc3339(value) {
            return Some(until(at.with_timezone(&Utc)));
        }
        if let Ok(at) = DateTime::parse_from_rfc2822(value) {
            return Some(until(at.with_timezone(&Utc)));
        }
    }
    let reset = header("x-ratelimit-reset")?.parse::<i64>().ok()?;
    DateTime::from_timestamp(reset, 0).map(until)
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(name: &'static str, value: &'static str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(name, HeaderValue::from_static(value));
        map
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2025-03-04T10:00:00Z")
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn retry_after_in_seconds_is_read_as_seconds() {
        let wait = retry_after(&headers("retry-after", "7"), now());

        assert_eq!(wait, Some(Duration::from_secs(7)));
    }

    #[test]
    fn retry_after_as_iso_or_http_date_is_the_time_until_then() {
        let iso = retry_after(&headers("retry-after", "2025-03-04T10:00:30Z"), now());
        let http = retry_after(
            &headers("retry-after", "Tue, 04 Mar 2025 10:01:00 GMT"),
            now(),
        );

        assert_eq!(iso, Some(Duration::from_secs(30)));
        assert_eq!(http, Some(Duration::from_secs(60)));
    }

    #[test]
    fn a_date_in_the_past_means_no_wait_and_garbage_means_unknown() {
        let past = retry_after(&headers("retry-after", "2025-03-04T09:00:00Z"), now());
        let garbage = retry_after(&headers("retry-after", "soon"), now());

        assert_eq!(past, Some(Duration::ZERO));
        assert_eq!(garbage, None);
    }

    #[test]
    fn rate_limit_reset_is_used_when_retry_after_is_missing() {
        let wait = retry_after(&headers("x-ratelimit-reset", "1741082405"), now());

        assert_eq!(wait, Some(Duration::from_secs(5)));
    }
}
