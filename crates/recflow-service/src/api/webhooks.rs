//! `POST /api/v1/webhooks/zoom/{source_id}`: Zoom's event deliveries for one source.
//!
//! No bearer token: the `x-zm-signature` HMAC over the raw body, keyed with the source's
//! webhook secret, is the only authentication, and it is checked before anything else is
//! read, the URL-validation challenge included. Every refusal looks the same to the caller
//! (401) and is logged without the body.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Duration;
use recflow_store::{Discovered, InputSource};
use recflow_zoom::webhook::{self, RecordingCompletedEvent, WebhookError, WebhookEvent};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::credentials::secret_key;
use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::ApiPath;
use crate::matching;
use crate::secrets::{Binding, SecretBox};
use crate::state::AppState;
use crate::sync::zoom::access::{open_download_token, seal_download_token};
use crate::sync::zoom::mapping::{self, Segment};
use crate::sync::zoom::stored_meta;

/// How long Zoom's webhook download token works after the event (about 24 h).
const DOWNLOAD_TOKEN_LIFETIME_HOURS: i64 = 24;

/// What recflow did with a delivered event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"event": "recording.completed", "recordings": 2, "new": 2,
    "updated": 0}))]
pub struct WebhookReceipt {
    pub event: String,
    /// Video segments the event described.
    pub recordings: u64,
    pub new: u64,
    pub updated: u64,
}

/// Receives a Zoom event for one source: answers `endpoint.url_validation`, upserts the
/// recordings of `recording.completed` (idempotently) and acknowledges anything else.
#[utoipa::path(post, path = "/api/v1/webhooks/zoom/{source_id}", tag = "sources",
    params(("source_id" = Uuid, Path)),
    request_body(content = Object, description = "a Zoom webhook event, signed"),
    responses((status = 200, description = "`{plainToken, encryptedToken}` for a URL \
        validation, a receipt otherwise", body = WebhookReceipt),
        (status = 400, description = "not a Zoom event", body = ErrorBody),
        (status = 401, description = "unknown source or bad signature", body = ErrorBody),
        (status = 422, description = "the event lacks required fields", body = ErrorBody)))]
// `?`: the id is logged escaped, so a crafted path cannot forge log lines.
#[tracing::instrument(skip_all, fields(source.id = ?source_id, zoom.event = tracing::field::Empty))]
pub async fn zoom(
    State(state): State<AppState>,
    ApiPath(source_id): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let (source, secret) = verified_source(&state, &source_id, &headers, &body).await?;

    let event = webhook::parse_event(&body).map_err(malformed)?;
    match event {
        WebhookEvent::UrlValidation { plain_token } => {
            tracing::Span::current().record("zoom.event", "endpoint.url_validation");
            Ok(Json(webhook::url_validation_response(
                &secret,
                &plain_token,
            )))
        }
        WebhookEvent::RecordingCompleted(event) => {
            tracing::Span::current().record("zoom.event", "recording.completed");
            let receipt = ingest(&state, &source, &event).await?;
            Ok(Json(json!(receipt)))
        }
        WebhookEvent::Other { event } => {
            tracing::Span::current().record("zoom.event", event.as_str());
            tracing::debug!("zoom event acknowledged and ignored");
            Ok(Json(json!({"event": event, "ignored": true})))
        }
    }
}

/// The source the URL names and its webhook secret, once the request proved it knows that
/// secret.
async fn verified_source(
    state: &AppState,
    source_id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<(InputSource, Vec<u8>)> {
    let id = Uuid::parse_str(source_id).map_err(|_| refused("malformed source id"))?;
    let source = match state.store.get_source_unscoped(id).await {
        Ok(source) if source.kind == "zoom" => source,
        Ok(_) => return Err(refused("not a zoom source")),
        Err(recflow_store::Error::NotFound { .. }) => return Err(refused("unknown source")),
        Err(other) => return Err(other.into()),
    };
    if source.webhook_secret.is_none() {
        return Err(refused("source has no webhook secret"));
    }
    let secret = webhook_secret(secret_key(state)?, &source)?;

    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(timestamp), Some(signature)) =
        (header("x-zm-request-timestamp"), header("x-zm-signature"))
    else {
        return Err(refused("signature headers missing"));
    };
    webhook::verify_signature(&secret, timestamp, signature, body, state.clock.now())
        .map_err(|error| refused(&error.to_string()))?;
    Ok((source, secret))
}

/// The source's webhook secret token in the clear.
fn webhook_secret(key: &SecretBox, source: &InputSource) -> ApiResult<Vec<u8>> {
    let binding = Binding {
        purpose: "webhook",
        owner: source.user_id,
        record: source.id,
    };
    let sealed = source.webhook_secret.as_deref().unwrap_or_default();
    key.open(binding, sealed)
        .map_err(|_| refused("webhook secret does not open with this key"))
}

/// Starts the pipeline of every new, ready and matched recording at once (SPEC §6
/// `process_on_webhook`); a recording already in flight is left alone.
async fn start_pipelines(
    state: &AppState,
    source: &InputSource,
    new_ids: &[uuid::Uuid],
) -> ApiResult<()> {
    for id in new_ids {
        let recording = state.store.get_recording(source.user_id, *id).await?;
        if recording.status != recflow_store::status::INITIALIZED || recording.template_id.is_none()
        {
            continue;
        }
        match crate::pipeline::start(state, &recording, true).await {
            Ok(_) => {}
            Err(crate::pipeline::StartError::Unmatched) => {}
            Err(crate::pipeline::StartError::Store(e)) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Upserts the event's recordings through the sync's mapping, so a later sync or a replay
/// finds the same keys and the same fingerprints and writes nothing.
async fn ingest(
    state: &AppState,
    source: &InputSource,
    event: &RecordingCompletedEvent,
) -> ApiResult<WebhookReceipt> {
    // TODO: an account-level Zoom app sends events of every host; they are all taken, even
    // when the source syncs a single `config.user_id`, because the event's host is not
    // compared with it yet.
    let key = secret_key(state)?;
    let store = state.store.as_ref();
    let segments = mapping::segments(source, &event.meeting);
    let start = event.meeting.start_time;
    let stored = stored_meta(
        store,
        source,
        start - Duration::days(1),
        start + Duration::days(2),
    )
    .await?;

    let found: Vec<Discovered> = segments
        .into_iter()
        .map(|mut segment| {
            if let Some(meta) = stored.get(&segment.source_key) {
                segment.keep_webhook_fields(meta);
            }
            if let Some(token) = &event.download_token {
                attach_download_token(&mut segment, key, source, token, event);
            }
            if source.process_on_webhook {
                // Kept on the row so a later sync or replay sees the request too.
                segment
                    .meta
                    .insert(mapping::PROCESS_REQUESTED_KEY.to_owned(), json!(true));
            }
            segment.into_discovered()
        })
        .collect();

    let (summary, new_ids) = store
        .upsert_discovered(source.user_id, source.id, &found)
        .await?;
    matching::match_new(store, source.user_id, &new_ids).await?;
    if source.process_on_webhook {
        start_pipelines(state, source, &new_ids).await?;
    }
    tracing::info!(
        recordings = found.len(),
        new = summary.new,
        updated = summary.updated,
        "zoom recording.completed ingested"
    );
    Ok(WebhookReceipt {
        event: "recording.completed".to_owned(),
        recordings: found.len() as u64,
        new: summary.new,
        updated: summary.updated,
    })
}

/// Seals the event's download token into the segment, keeping the stored ciphertext when it
/// already holds the same token (a replay), so the fingerprint does not change.
fn attach_download_token(
    segment: &mut Segment,
    key: &SecretBox,
    source: &InputSource,
    token: &str,
    event: &RecordingCompletedEvent,
) {
    let already = segment
        .meta
        .get(mapping::DOWNLOAD_TOKEN_KEY)
        .and_then(Value::as_str)
        .and_then(|sealed| open_download_token(key, source, sealed))
        .is_some_and(|stored| stored == token);
    if already {
        return;
    }
    let expires_at = event.event_ts + Duration::hours(DOWNLOAD_TOKEN_LIFETIME_HOURS);
    segment.meta.insert(
        mapping::DOWNLOAD_TOKEN_KEY.to_owned(),
        json!(seal_download_token(key, source, token)),
    );
    segment.meta.insert(
        mapping::DOWNLOAD_TOKEN_EXPIRY_KEY.to_owned(),
        json!(expires_at.to_rfc3339()),
    );
}

/// The one answer to every request that cannot prove it comes from Zoom for this source.
fn refused(reason: &str) -> ApiError {
    tracing::warn!(reason, "zoom webhook refused");
    ApiError::unauthorized(
        "invalid-webhook-signature",
        "the webhook is not signed with this source's secret, or its timestamp is not within \
         5 minutes",
    )
}

/// A correctly signed body that recflow cannot use.
fn malformed(error: WebhookError) -> ApiError {
    tracing::warn!(error = %error, "signed zoom webhook unusable");
    match error {
        WebhookError::IncompleteEvent { event, missing } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-webhook",
            format!("the {event} event lacks {missing}"),
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-webhook",
            "the body is not a Zoom event (a JSON object with an `event` field)",
        ),
    }
}
