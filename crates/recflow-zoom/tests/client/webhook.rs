//! Webhook verification against the shared signature vectors and the fixtures.

use chrono::{DateTime, Duration, Utc};
use recflow_zoom::webhook::{
    WebhookError, WebhookEvent, parse_event, url_validation_response, verify_signature,
};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixtures are JSON")
}

struct Vector {
    timestamp: String,
    body: String,
    signature: String,
    valid: bool,
}

fn vectors() -> (String, Vec<Vector>) {
    let file = fixture("zoom-webhook-signature-vectors.json");
    let secret = file["secret_token"].as_str().expect("secret").to_owned();
    let vectors = file["vectors"]
        .as_array()
        .expect("vectors")
        .iter()
        .map(|v| Vector {
            timestamp: v["x-zm-request-timestamp"].as_str().expect("ts").to_owned(),
            body: v["raw_body"].as_str().expect("body").to_owned(),
            signature: v["x-zm-signature"].as_str().expect("sig").to_owned(),
            valid: v["expected_valid"].as_bool().unwrap_or(true),
        })
        .collect();
    (secret, vectors)
}

fn sent_at(vector: &Vector) -> DateTime<Utc> {
    DateTime::from_timestamp(vector.timestamp.parse().expect("ts"), 0).expect("valid ts")
}

#[test]
fn every_signature_vector_verifies_as_expected() {
    let (secret, vectors) = vectors();

    for vector in &vectors {
        let result = verify_signature(
            secret.as_bytes(),
            &vector.timestamp,
            &vector.signature,
            vector.body.as_bytes(),
            sent_at(vector),
        );
        assert_eq!(
            result.is_ok(),
            vector.valid,
            "{}: {result:?}",
            vector.body.len()
        );
    }
    assert!(vectors.iter().filter(|v| !v.valid).count() >= 2);
}

#[test]
fn a_tampered_body_is_a_signature_mismatch() {
    let (secret, vectors) = vectors();
    let vector = &vectors[1];
    let tampered = vector.body.replace("Weekly sync", "Weekly sink");

    let result = verify_signature(
        secret.as_bytes(),
        &vector.timestamp,
        &vector.signature,
        tampered.as_bytes(),
        sent_at(vector),
    );

    assert!(
        matches!(result, Err(WebhookError::SignatureMismatch)),
        "{result:?}"
    );
}

#[test]
fn a_timestamp_older_than_five_minutes_is_refused() {
    let (secret, vectors) = vectors();
    let vector = &vectors[0];
    let later = sent_at(vector) + Duration::seconds(301);

    let result = verify_signature(
        secret.as_bytes(),
        &vector.timestamp,
        &vector.signature,
        vector.body.as_bytes(),
        later,
    );

    assert!(
        matches!(
            result,
            Err(WebhookError::StaleTimestamp { skew_seconds: 301 })
        ),
        "{result:?}"
    );
}

#[test]
fn a_timestamp_within_five_minutes_is_accepted() {
    let (secret, vectors) = vectors();
    let vector = &vectors[0];
    let later = sent_at(vector) + Duration::seconds(299);

    let result = verify_signature(
        secret.as_bytes(),
        &vector.timestamp,
        &vector.signature,
        vector.body.as_bytes(),
        later,
    );

    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn bad_hex_a_missing_prefix_or_a_wrong_secret_fail() {
    let (secret, vectors) = vectors();
    let vector = &vectors[0];
    let check = |secret: &str, signature: &str| {
        verify_signature(
            secret.as_bytes(),
            &vector.timestamp,
            signature,
            vector.body.as_bytes(),
            sent_at(vector),
        )
    };
    let without_prefix = vector.signature.trim_start_matches("v0=");
    let bad_hex = format!("v0={}", "zz".repeat(32));
    let short = "v0=abcd";

    assert!(matches!(
        check(&secret, without_prefix),
        Err(WebhookError::MalformedSignature)
    ));
    assert!(matches!(
        check(&secret, &bad_hex),
        Err(WebhookError::MalformedSignature)
    ));
    assert!(matches!(
        check(&secret, short),
        Err(WebhookError::MalformedSignature)
    ));
    assert!(matches!(
        check("other-secret", &vector.signature),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn a_non_numeric_timestamp_is_malformed() {
    let (secret, vectors) = vectors();
    let vector = &vectors[0];

    let result = verify_signature(
        secret.as_bytes(),
        "yesterday",
        &vector.signature,
        vector.body.as_bytes(),
        sent_at(vector),
    );

    assert!(matches!(result, Err(WebhookError::MalformedTimestamp)));
}

#[test]
fn url_validation_answer_matches_the_fixture() {
    let (secret, _) = vectors();
    let request = fixture("zoom-url-validation-request.json");
    let expected = fixture("zoom-url-validation-response.json");
    let plain_token = request["payload"]["plainToken"]
        .as_str()
        .expect("plainToken");

    let answer = url_validation_response(secret.as_bytes(), plain_token);

    assert_eq!(answer, expected);
}

#[test]
fn url_validation_body_parses_as_a_challenge() {
    let (_, vectors) = vectors();

    let event = parse_event(vectors[0].body.as_bytes()).expect("parses");

    assert_eq!(
        event,
        WebhookEvent::UrlValidation {
            plain_token: "qgg8vlvZRS6UYooatFL8Aw".into()
        }
    );
}

#[test]
fn recording_completed_carries_the_top_level_download_token_and_the_meeting() {
    let (_, vectors) = vectors();

    let event = parse_event(vectors[1].body.as_bytes()).expect("parses");

    let WebhookEvent::RecordingCompleted(event) = event else {
        panic!("expected recording.completed")
    };
    assert_eq!(
        event.download_token.as_deref(),
        Some("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.FAKE-DOWNLOAD-TOKEN.sig")
    );
    assert_eq!(event.event_ts.timestamp_millis(), 1_741_000_000_123);
    assert_eq!(event.meeting.uuid, "kq8Uy1y2TmS0pZ3Xw9AbCQ==");
    assert_eq!(event.meeting.video_segments().len(), 1);
    assert!(!format!("{event:?}").contains("FAKE-DOWNLOAD-TOKEN"));
}

#[test]
fn other_events_are_recognised_but_not_parsed() {
    let event =
        parse_event(br#"{"event":"recording.trashed","event_ts":1,"payload":{}}"#).expect("parses");

    assert_eq!(
        event,
        WebhookEvent::Other {
            event: "recording.trashed".into()
        }
    );
}

#[test]
fn a_body_that_is_not_json_is_invalid() {
    assert!(matches!(
        parse_event(b"not json"),
        Err(WebhookError::InvalidPayload { .. })
    ));
}
