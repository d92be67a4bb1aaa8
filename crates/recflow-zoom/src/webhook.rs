//! Zoom webhooks: verifying `x-zm-signature` over the raw body, answering the
//! `endpoint.url_validation` challenge, and parsing `recording.completed`.
//!
//! Callers must verify the signature before acting on any event, the challenge included:
//! answering an unsigned challenge would let anyone use the endpoint as an HMAC oracle.

use std::fmt;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use crate::model::{Meeting, WireMeeting};

/// How far the `x-zm-request-timestamp` may be from our clock, either way.
pub const TIMESTAMP_TOLERANCE_SECONDS: i64 = 5 * 60;

type HmacSha256 = Hmac<Sha256>;

/// Why a webhook request was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("x-zm-request-timestamp is not a unix time in seconds")]
    MalformedTimestamp,
    #[error("x-zm-request-timestamp is {skew_seconds} s away from now")]
    StaleTimestamp { skew_seconds: i64 },
    #[error("x-zm-signature is not `v0=` followed by a hex SHA-256 HMAC")]
    MalformedSignature,
    #[error("x-zm-signature does not match the body")]
    SignatureMismatch,
    #[error("webhook body is not a zoom event")]
    InvalidPayload {
        #[source]
        source: serde_json::Error,
    },
    #[error("webhook event {event} lacks {missing}")]
    IncompleteEvent {
        event: String,
        missing: &'static str,
    },
}

/// A parsed, already verified webhook body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookEvent {
    /// `endpoint.url_validation`: answer with [`url_validation_response`].
    UrlValidation { plain_token: String },
    /// `recording.completed`.
    RecordingCompleted(RecordingCompletedEvent),
    /// Any other event, acknowledged and ignored by recflow.
    Other { event: String },
}

/// `recording.completed`: the meeting as in the list API, plus a download token valid for
/// about 24 hours (a bearer token: it is hidden from `Debug`).
#[derive(Clone, PartialEq, Eq)]
pub struct RecordingCompletedEvent {
    /// When Zoom emitted the event (`event_ts`, sent in milliseconds).
    pub event_ts: DateTime<Utc>,
    pub download_token: Option<String>,
    pub meeting: Meeting,
}

impl fmt::Debug for RecordingCompletedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordingCompletedEvent")
            .field("event_ts", &self.event_ts)
            .field(
                "download_token",
                &self.download_token.as_ref().map(|_| "<redacted>"),
            )
            .field("meeting", &self.meeting)
            .finish()
    }
}

/// Checks `signature_header` (`v0=<hex>`) against HMAC-SHA256(`secret`,
/// `v0:{timestamp}:{raw_body}`) in constant time, and that the timestamp is within five
/// minutes of `now`. `raw_body` must be the bytes as received, not re-serialised JSON.
///
/// # Errors
///
/// The [`WebhookError`] naming the first check that failed.
pub fn verify_signature(
    secret: &[u8],
    timestamp_header: &str,
    signature_header: &str,
    raw_body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), WebhookError> {
    let timestamp: i64 = timestamp_header
        .trim()
        .parse()
        .map_err(|_| WebhookError::MalformedTimestamp)?;
    let skew_seconds = now.timestamp().saturating_sub(timestamp);
    if skew_seconds.abs() > TIMESTAMP_TOLERANCE_SECONDS {
        return Err(WebhookError::StaleTimestamp { skew_seconds });
    }

    let expected = signature_header
        .trim()
        .strip_prefix("v0=")
        .and_then(|text| hex::decode(text).ok())
        .filter(|bytes| bytes.len() == 32)
        .ok_or(WebhookError::MalformedSignature)?;

    let mut mac = new_mac(secret);
    mac.update(b"v0:");
    mac.update(timestamp_header.trim().as_bytes());
    mac.update(b":");
    mac.update(raw_body);
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::SignatureMismatch)
}

/// The answer to `endpoint.url_validation`:
/// `{"plainToken": ..., "encryptedToken": lowercase-hex(HMAC-SHA256(secret, plainToken))}`.
pub fn url_validation_response(secret: &[u8], plain_token: &str) -> serde_json::Value {
    let mut mac = new_mac(secret);
    mac.update(plain_token.as_bytes());
    let encrypted = hex::encode(mac.finalize().into_bytes());
    json!({ "plainToken": plain_token, "encryptedToken": encrypted })
}

/// Parses a verified webhook body.
///
/// # Errors
///
/// [`WebhookError::InvalidPayload`] for bodies that are not a Zoom event, and
/// [`WebhookError::IncompleteEvent`] when a known event lacks what recflow needs.
pub fn parse_event(raw_body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let envelope: Envelope = serde_json::from_slice(raw_body)
        .map_err(|source| WebhookError::InvalidPayload { source })?;
    let incomplete = |missing| WebhookError::IncompleteEvent {
        event: envelope.event.clone(),
        missing,
    };

    match envelope.event.as_str() {
        "endpoint.url_validation" => {
            let plain_token = envelope
                .payload
                .plain_token
                .clone()
                .ok_or_else(|| incomplete("payload.plainToken"))?;
            Ok(WebhookEvent::UrlValidation { plain_token })
        }
        "recording.completed" => {
            let event_ts = DateTime::from_timestamp_millis(envelope.event_ts)
                .ok_or_else(|| incomplete("event_ts"))?;
            let object = envelope
                .payload
                .object
                .ok_or_else(|| incomplete("payload.object"))?;
            let meeting = object
                .into_meeting()
                .map_err(|_| incomplete("payload.object uuid and start_time"))?;
            Ok(WebhookEvent::RecordingCompleted(RecordingCompletedEvent {
                event_ts,
                download_token: envelope.download_token.filter(|t| !t.is_empty()),
                meeting,
            }))
        }
        _ => Ok(WebhookEvent::Other {
            event: envelope.event,
        }),
    }
}

#[derive(Deserialize)]
struct Envelope {
    event: String,
    #[serde(default)]
    event_ts: i64,
    #[serde(default)]
    payload: Payload,
    /// A sibling of `payload`, not inside it.
    #[serde(default)]
    download_token: Option<String>,
}

#[derive(Default, Deserialize)]
struct Payload {
    #[serde(default, rename = "plainToken")]
    plain_token: Option<String>,
    #[serde(default)]
    object: Option<WireMeeting>,
}

fn new_mac(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    <HmacSha256 as KeyInit>::new_from_slice(secret).expect("HMAC accepts keys of every length")
}
