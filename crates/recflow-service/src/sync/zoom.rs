//! Syncing a Zoom source: opens its credential, lists the cloud recordings of the configured
//! Zoom user over the sync window and maps every MP4 segment to a recording.
//!
//! The Zoom client does the protocol (month windows, paging, retries, token refresh); this
//! module only chooses what to ask and turns answers and failures into recflow's terms.
//! Nothing here writes except the credential's rotated refresh token.

pub mod access;
pub mod mapping;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use recflow_store::{Discovered, InputSource, PageRequest, RecordingFilter, Store};
use recflow_zoom::ZoomError;
use serde_json::Value;

use crate::state::AppState;
use crate::sync::{Error, Window};
use access::AccessError;

/// Rows per read when loading what a source already holds.
const STORED_PAGE: u32 = 1000;

/// Lists `source`'s Zoom recordings over `window` without writing them.
///
/// Zoom filters by the meeting's start date in UTC, so the window widens to whole days;
/// recordings already stored keep what only a webhook told about them.
///
/// # Errors
/// `Error::Upstream` with a message for the user when the credential is missing, unreadable
/// or refused, or Zoom fails past the client's retries; `Error::Store` when the store fails.
#[tracing::instrument(skip_all, fields(source.id = %source.id, upstream.platform = "zoom"))]
pub async fn discover(
    state: &AppState,
    source: &InputSource,
    window: Window,
) -> Result<Vec<Discovered>, Error> {
    let credential_id = source.credential_id.ok_or_else(|| {
        Error::Upstream("this zoom source has no credential; set its credential_id".to_owned())
    })?;
    let access = access::open(state, source.user_id, credential_id)
        .await
        .map_err(access_error)?;

    let (from, to) = (window.from.date_naive(), window.to.date_naive());
    let meetings = state
        .zoom
        .list_recordings(
            &access.cache_key,
            &access.credential,
            &access.tokens,
            zoom_user(source),
            from,
            to,
        )
        .await
        .map_err(|e| Error::Upstream(describe(&e)))?;

    let stored = stored_meta(
        state.store.as_ref(),
        source,
        midnight(from, -1),
        midnight(to, 2),
    )
    .await?;
    let found: Vec<Discovered> = meetings
        .iter()
        .flat_map(|meeting| mapping::segments(source, meeting))
        .map(|mut segment| {
            if let Some(meta) = stored.get(&segment.source_key) {
                segment.keep_webhook_fields(meta);
            }
            segment.into_discovered()
        })
        .collect();
    tracing::debug!(
        meetings = meetings.len(),
        recordings = found.len(),
        "zoom recordings listed"
    );
    Ok(found)
}

/// The Zoom user whose recordings a source syncs: `config.user_id`, `me` by default.
pub fn zoom_user(source: &InputSource) -> &str {
    source
        .config
        .get("user_id")
        .and_then(Value::as_str)
        .filter(|user| !user.trim().is_empty())
        .unwrap_or("me")
}

/// `source_meta` of `source`'s recordings starting in `[from, to)`, by source key.
///
/// # Errors
/// Store failures.
pub async fn stored_meta(
    store: &dyn Store,
    source: &InputSource,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> recflow_store::Result<HashMap<String, Value>> {
    let filter = RecordingFilter {
        source_id: Some(source.id),
        from: Some(from),
        to: Some(to),
        ..RecordingFilter::default()
    };
    let mut stored = HashMap::new();
    let mut after = None;
    loop {
        let page = PageRequest {
            limit: STORED_PAGE,
            after,
        };
        let page = store.list_recordings(source.user_id, &filter, page).await?;
        stored.extend(
            page.items
                .into_iter()
                .map(|r| (r.source_key, r.source_meta)),
        );
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(stored),
        }
    }
}

/// What a user reads about a Zoom failure: Zoom's own reason where it gave one, never a
/// token or secret (the client's errors carry none).
pub fn describe(error: &ZoomError) -> String {
    match error {
        ZoomError::InvalidCredentials { reason } => {
            format!("zoom rejected the credential: {reason}; check or replace it")
        }
        ZoomError::RateLimited {
            retry_after: Some(wait),
        } => format!(
            "zoom's rate limit is reached; try again in {} s",
            wait.as_secs().max(1)
        ),
        ZoomError::RateLimited { retry_after: None } => {
            "zoom's rate limit is reached; try again later".to_owned()
        }
        ZoomError::Upstream {
            status,
            code: Some(code),
            message,
        } => format!("zoom answered {status} (code {code}): {message}"),
        ZoomError::Upstream {
            status, message, ..
        } => format!("zoom answered {status}: {message}"),
        ZoomError::Transport { .. } => format!("zoom could not be reached: {}", chain(error)),
        ZoomError::InvalidResponse { .. } => error.to_string(),
        ZoomError::TokenStore { .. } => {
            tracing::error!(error = %chain(error), "rotated zoom refresh token not saved");
            "zoom rotated the refresh token but it could not be saved; the sync stopped so the \
             credential stays usable"
                .to_owned()
        }
    }
}

fn access_error(error: AccessError) -> Error {
    match error {
        AccessError::Store(recflow_store::Error::NotFound { .. }) => Error::Upstream(
            "the source's credential no longer exists; set another credential_id".to_owned(),
        ),
        AccessError::Store(other) => Error::Store(other),
        other => Error::Upstream(other.to_string()),
    }
}

fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Midnight (UTC) of `date`, moved by `days`.
fn midnight(date: NaiveDate, days: i64) -> DateTime<Utc> {
    date.and_time(NaiveTime::MIN).and_utc() + chrono::Duration::days(days)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn failures_read_as_zoom_said_them() {
        let refused = ZoomError::InvalidCredentials {
            reason: "Invalid client_id or client_secret".into(),
        };
        let limited = ZoomError::RateLimited {
            retry_after: Some(Duration::from_secs(90)),
        };
        let upstream = ZoomError::Upstream {
            status: 404,
            code: Some(1001),
            message: "User does not exist: x@example.com.".into(),
        };

        assert_eq!(
            describe(&refused),
            "zoom rejected the credential: Invalid client_id or client_secret; check or replace it"
        );
        assert_eq!(
            describe(&limited),
            "zoom's rate limit is reached; try again in 90 s"
        );
        assert_eq!(
            describe(&upstream),
            "zoom answered 404 (code 1001): User does not exist: x@example.com."
        );
    }
}
