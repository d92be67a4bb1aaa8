//! What Zoom's webhook sender does: compact JSON bodies signed with
//! `v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))`, for tests of a receiving endpoint.
//!
//! TODO: the fake does not deliver webhooks itself yet (POSTing, retrying when the reply takes
//! longer than 3 s, replaying); tests build the body and headers here and send them.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;

use super::state::ACCOUNT_ID;
use super::{FakeZoom, ids};

/// The `x-zm-signature` value for `body` sent at `timestamp` (unix seconds).
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
        .expect("HMAC accepts keys of every length");
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// Headers Zoom sends with a webhook: `(x-zm-request-timestamp, x-zm-signature)`.
pub fn signed_headers(secret: &[u8], at: DateTime<Utc>, body: &[u8]) -> (String, String) {
    (
        at.timestamp().to_string(),
        sign(secret, at.timestamp(), body),
    )
}

impl FakeZoom {
    /// The compact JSON body of `recording.completed` for a meeting added earlier, with a
    /// fresh top-level `download_token` that this fake's download host accepts for 24 h.
    /// `None` when no such meeting exists.
    pub fn recording_completed_event(&self, uuid: &str) -> Option<String> {
        let mut state = self.shared.lock();
        let base_url = state.base_url.clone();
        let meeting = state.meetings.iter().find(|m| m.uuid == uuid)?;
        let mut object = serde_json::to_value(meeting.to_json(&base_url, ACCOUNT_ID)).ok()?;
        object["host_email"] = json!(super::DEFAULT_USER_EMAIL);
        object["password"] = json!("Fake123");

        let download_token = ids::token("DOWNLOAD");
        state.download_tokens.insert(
            download_token.clone(),
            Utc::now() + chrono::Duration::hours(24),
        );
        let body = json!({
            "event": "recording.completed",
            "event_ts": Utc::now().timestamp_millis(),
            "payload": { "account_id": ACCOUNT_ID, "object": object },
            "download_token": download_token,
        });
        Some(body.to_string())
    }

    /// The compact JSON body of an `endpoint.url_validation` challenge.
    pub fn url_validation_event(plain_token: &str) -> String {
        json!({
            "payload": { "plainToken": plain_token },
            "event_ts": Utc::now().timestamp_millis(),
            "event": "endpoint.url_validation",
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_shared_test_vector() {
        let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1741000000456,"event":"endpoint.url_validation"}"#;

        let signature = sign(b"FakeWebhookSecretToken0001", 1_741_000_000, body);

        assert_eq!(
            signature,
            "v0=2cbe75d89da33a7cb229f3ae2c9ef886c62799ae80d0f6fa94a86f9e7188536c"
        );
    }
}
