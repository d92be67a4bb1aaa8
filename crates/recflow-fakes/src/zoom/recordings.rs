//! The REST endpoints: `GET /v2/users/{userId}/recordings` (paging, date filter on the
//! meeting start date, one-month clamp, trash) and `GET /v2/meetings/{meetingId}/recordings`
//! (UUIDs decoded twice, as Zoom's gateway and service each decode once).

use std::collections::HashMap;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Days, Months, NaiveDate, Utc};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::json;

use super::Shared;
use super::fault::{Fault, PAGE_TOKEN_EXPIRED_CODE, invalid_token, zoom_error};
use super::ids;
use super::meeting::MeetingJson;
use super::state::{ACCOUNT_ID, CURSOR_LIFETIME, Cursor, ListFilter, State as FakeState};

const DEFAULT_PAGE_SIZE: usize = 30;
const MAX_PAGE_SIZE: usize = 300;

/// An early answer that ends a request; boxed because responses are large.
type Refusal = Box<Response>;

/// Who the bearer token acts for: `Some(user)` for user OAuth, `None` for the account.
type Caller = Option<String>;

pub(crate) async fn list_user_recordings(
    State(shared): State<Shared>,
    Path(user_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut state = shared.lock();
    state.counters.list_calls += 1;
    let caller = match authorize(&mut state, &headers) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let Some(host) = resolve_user(&state, &user_id, caller.as_deref()) else {
        return zoom_error(
            StatusCode::NOT_FOUND,
            1001,
            &format!("User does not exist: {user_id}."),
        );
    };
    let page_size = match query.get("page_size").map(|v| v.parse::<usize>()) {
        None => DEFAULT_PAGE_SIZE,
        Some(Ok(size)) if (1..=MAX_PAGE_SIZE).contains(&size) => size,
        Some(_) => return invalid_field("page_size", "must be between 1 and 300"),
    };

    let cursor_text = query.get("next_page_token").filter(|t| !t.is_empty());
    let (filter, offset) = match cursor_text {
        Some(text) => match take_cursor(&mut state, text) {
            Some(cursor) => (cursor.filter, cursor.offset),
            None => {
                let message = "The next page token is invalid or expired.";
                return zoom_error(StatusCode::BAD_REQUEST, PAGE_TOKEN_EXPIRED_CODE, message);
            }
        },
        None => match list_filter(&state, host, &query) {
            Ok(filter) => (filter, 0),
            Err(response) => return *response,
        },
    };
    list_page(&mut state, filter, offset, page_size)
}

pub(crate) async fn get_meeting_recordings(
    State(shared): State<Shared>,
    Path(once_decoded): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let mut state = shared.lock();
    if let Err(response) = authorize(&mut state, &headers) {
        return *response;
    }
    let no_recording = || {
        zoom_error(
            StatusCode::NOT_FOUND,
            3301,
            "There is no recording for this meeting.",
        )
    };
    // Zoom's gateway decodes the path before routing: a `/` that was encoded only once splits
    // the path there, and the request never reaches a meeting.
    if once_decoded.contains('/') {
        return no_recording();
    }
    let meeting_id = if once_decoded.contains('%') {
        percent_decode_str(&once_decoded)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        once_decoded
    };

    let base_url = state.base_url.clone();
    let numeric: Option<i64> = meeting_id.parse().ok();
    let meetings = state.sorted_meetings();
    // Newest first, so a numeric id finds the latest instance, as Zoom does.
    let found = meetings
        .iter()
        .filter(|m| !m.trashed)
        .find(|m| m.uuid == meeting_id || Some(m.id) == numeric);
    let Some(meeting) = found else {
        return no_recording();
    };
    let mut body = serde_json::to_value(meeting.to_json(&base_url, ACCOUNT_ID)).unwrap_or_default();
    let wants_token = query
        .get("include_fields")
        .is_some_and(|f| f.contains("download_access_token"));
    if wants_token {
        let token = ids::token("DOWNLOAD");
        body["download_access_token"] = json!(token);
        state
            .download_tokens
            .insert(token, Utc::now() + chrono::Duration::hours(24));
    }
    Json(body).into_response()
}

/// Checks the bearer token (never the `access_token` query parameter) and applies a queued
/// REST fault.
fn authorize(state: &mut FakeState, headers: &HeaderMap) -> Result<Caller, Refusal> {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    // Since 2023 Zoom ignores `?access_token=`; without the header that is a 401 code 124.
    let Some(token) = bearer else {
        return Err(Box::new(invalid_token(false)));
    };
    let caller = match state.access_tokens.get(token.trim()) {
        None => return Err(Box::new(invalid_token(false))),
        Some(grant) if grant.expires_at <= Utc::now() => return Err(Box::new(invalid_token(true))),
        Some(grant) => grant.user_id.clone(),
    };
    if let Some(response) = state
        .faults
        .rest
        .pop_front()
        .and_then(|f| f.rest_response())
    {
        return Err(Box::new(response));
    }
    Ok(caller)
}

/// `me` is the token's user (or, for an S2S token, the account's first user); otherwise a
/// user id or email. A user token may only read its own recordings.
fn resolve_user(state: &FakeState, wanted: &str, caller: Option<&str>) -> Option<String> {
    let user = match (wanted, caller) {
        ("me", Some(own)) => state.user_by_id_or_email(own),
        ("me", None) => state.users.first(),
        (other, _) => state.user_by_id_or_email(other),
    }?;
    match caller {
        Some(own) if own != user.id => None,
        _ => Some(user.id.clone()),
    }
}

/// The effective filter: missing `from` is today and missing `to` tomorrow; a span longer
/// than one month is clamped to the month before `to`, like the optional history limit.
fn list_filter(
    state: &FakeState,
    host: String,
    query: &HashMap<String, String>,
) -> Result<ListFilter, Refusal> {
    let trash = query.get("trash").is_some_and(|v| v == "true");
    let today = state.today();
    let date = |name: &str, default: NaiveDate| match query.get(name) {
        None => Ok(default),
        Some(text) => text
            .parse::<NaiveDate>()
            .map_err(|_| Box::new(invalid_field(name, "must be yyyy-mm-dd"))),
    };
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let to = date("to", tomorrow)?;
    let mut from = date("from", today)?;
    if from > to {
        return Err(Box::new(invalid_field("from", "must not be after to")));
    }
    if let Some(month_before) = to.checked_sub_months(Months::new(1)) {
        from = from.max(month_before);
    }
    if let Some(oldest) = state
        .history_limit_months
        .and_then(|m| today.checked_sub_months(Months::new(m)))
    {
        from = from.max(oldest).min(to);
    }
    Ok(ListFilter {
        host,
        from,
        to,
        trash,
    })
}

fn take_cursor(state: &mut FakeState, text: &str) -> Option<Cursor> {
    let expired_by_fault = matches!(
        state.faults.page_cursor.front(),
        Some(Fault::ExpirePageToken)
    );
    if expired_by_fault {
        state.faults.page_cursor.pop_front();
        return None;
    }
    state
        .cursors
        .get(text)
        .filter(|c| c.issued_at.elapsed() < CURSOR_LIFETIME)
        .cloned()
}

fn list_page(
    state: &mut FakeState,
    filter: ListFilter,
    offset: usize,
    page_size: usize,
) -> Response {
    let base_url = state.base_url.clone();
    let matching: Vec<usize> = state
        .sorted_meetings()
        .iter()
        .enumerate()
        .filter(|(_, m)| m.host == filter.host && m.trashed == filter.trash)
        .filter(|(_, m)| filter.trash || (filter.from..=filter.to).contains(&m.start.date_naive()))
        .map(|(index, _)| index)
        .collect();
    let end = (offset + page_size).min(matching.len());
    let next_page_token = if end < matching.len() {
        let token = ids::opaque(32);
        let cursor = Cursor {
            filter: filter.clone(),
            offset: end,
            issued_at: Instant::now(),
        };
        state.cursors.insert(token.clone(), cursor);
        token
    } else {
        String::new()
    };

    let meetings: Vec<MeetingJson<'_>> = matching
        .get(offset..end)
        .unwrap_or_default()
        .iter()
        .map(|&index| state.meetings[index].to_json(&base_url, ACCOUNT_ID))
        .collect();
    Json(ListResponse {
        from: filter.from.to_string(),
        to: filter.to.to_string(),
        page_count: matching.len().div_ceil(page_size),
        page_size,
        total_records: matching.len(),
        next_page_token,
        meetings,
    })
    .into_response()
}

#[derive(Serialize)]
struct ListResponse<'a> {
    from: String,
    to: String,
    page_count: usize,
    page_size: usize,
    total_records: usize,
    /// `""` on the last page, never absent.
    next_page_token: String,
    meetings: Vec<MeetingJson<'a>>,
}

fn invalid_field(field: &str, message: &str) -> Response {
    let body = json!({
        "code": 300,
        "message": "Validation Failed.",
        "errors": [{ "field": field, "message": message }],
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}
