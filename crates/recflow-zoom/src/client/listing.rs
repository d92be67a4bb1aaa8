//! Crawling `GET /users/{userId}/recordings`: month windows, every page, a single restart of
//! a window whose page cursor Zoom no longer accepts, and deduplication of what was seen.
//!
//! Zoom does not document the answer to an expired `next_page_token` (it lives 15 minutes);
//! a 400 or 404 to a request that carried a cursor is taken to mean exactly that.

use std::collections::HashMap;

use chrono::NaiveDate;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use tracing::{debug, warn};

use super::{Auth, ZoomClient};
use crate::error::ZoomError;
use crate::model::{Meeting, WireMeeting};
use crate::window::month_windows;

/// Zoom's documented maximum page size.
pub(super) const MAX_PAGE_SIZE: u32 = 300;

/// A page whose count is absurd means the server is looping; stop instead of spinning.
const MAX_PAGES_PER_WINDOW: usize = 10_000;

const ENDPOINT: &str = "users/recordings";

#[derive(Deserialize)]
struct ListPage {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    next_page_token: Option<String>,
    #[serde(default)]
    meetings: Vec<WireMeeting>,
}

/// Meetings seen so far, deduplicated by uuid (files merged by id), in first-seen order.
#[derive(Default)]
struct MeetingSet {
    index: HashMap<String, usize>,
    meetings: Vec<Meeting>,
}

/// Why crawling one window stopped early.
enum WindowError {
    /// Zoom refused a page cursor it issued; the window can be crawled again from the start.
    CursorRejected(ZoomError),
    Other(ZoomError),
}

impl ZoomClient {
    pub(super) async fn list_range(
        &self,
        auth: &Auth<'_>,
        user_id: &str,
        from: NaiveDate,
        to: NaiveDate,
        page_size: u32,
    ) -> Result<Vec<Meeting>, ZoomError> {
        let url = format!(
            "{}/users/{}/recordings",
            self.config.api_url,
            utf8_percent_encode(user_id, NON_ALPHANUMERIC)
        );
        let mut seen = MeetingSet::default();

        for (start, end) in month_windows(from, to) {
            let window = Window {
                url: &url,
                from: start,
                to: end,
                page_size,
            };
            match self.crawl(auth, &window, &mut seen).await {
                Ok(()) => {}
                Err(WindowError::CursorRejected(error)) => {
                    warn!(upstream.platform = "zoom", %start, %end, %error, "zoom page cursor rejected, restarting the window");
                    self.crawl(auth, &window, &mut seen)
                        .await
                        .map_err(WindowError::into_inner)?;
                }
                Err(WindowError::Other(error)) => return Err(error),
            }
        }
        Ok(seen.into_sorted())
    }

    /// Follows `next_page_token` through one window, adding every meeting to `seen`.
    async fn crawl(
        &self,
        auth: &Auth<'_>,
        window: &Window<'_>,
        seen: &mut MeetingSet,
    ) -> Result<(), WindowError> {
        let mut cursor = String::new();
        for page_number in 0..MAX_PAGES_PER_WINDOW {
            let page =
                self.fetch_page(auth, window, &cursor)
                    .await
                    .map_err(|error| match &error {
                        ZoomError::Upstream {
                            status: 400 | 404, ..
                        } if !cursor.is_empty() => WindowError::CursorRejected(error),
                        _ => WindowError::Other(error),
                    })?;
            if page_number == 0 {
                window.warn_if_narrowed(page.from.as_deref());
            }
            debug!(
                upstream.platform = "zoom",
                page_number,
                meetings = page.meetings.len(),
                "zoom recordings page"
            );
            seen.extend(page.meetings);

            match page.next_page_token.filter(|t| !t.is_empty()) {
                None => return Ok(()),
                Some(next) if next == cursor => {
                    return Err(WindowError::Other(invalid(
                        "the same next_page_token twice",
                    )));
                }
                Some(next) => cursor = next,
            }
        }
        Err(WindowError::Other(invalid(
            "more pages than any window can have",
        )))
    }

    async fn fetch_page(
        &self,
        auth: &Auth<'_>,
        window: &Window<'_>,
        cursor: &str,
    ) -> Result<ListPage, ZoomError> {
        let from = window.from.to_string();
        let to = window.to.to_string();
        let page_size = window.page_size.to_string();
        let mut query = vec![
            ("from", from.as_str()),
            ("to", to.as_str()),
            ("page_size", &page_size),
        ];
        if !cursor.is_empty() {
            query.push(("next_page_token", cursor));
        }
        self.get_authorized(auth, ENDPOINT, window.url, &query)
            .await
    }
}

struct Window<'a> {
    url: &'a str,
    from: NaiveDate,
    to: NaiveDate,
    page_size: u32,
}

impl Window<'_> {
    /// Zoom clamps ranges it does not serve (older than about six months) and says so only
    /// through the `from` it echoes.
    fn warn_if_narrowed(&self, echoed_from: Option<&str>) {
        let effective = echoed_from.and_then(|text| text.parse::<NaiveDate>().ok());
        if let Some(effective) = effective.filter(|effective| *effective > self.from) {
            // TODO: report narrowed windows to the caller (not only in the log), so a sync can
            // tell the user that recordings before `effective` were not listed.
            warn!(upstream.platform = "zoom", requested_from = %self.from, %effective, "zoom narrowed the listing window");
        }
    }
}

impl WindowError {
    fn into_inner(self) -> ZoomError {
        match self {
            Self::CursorRejected(error) | Self::Other(error) => error,
        }
    }
}

impl MeetingSet {
    fn extend(&mut self, page: Vec<WireMeeting>) {
        for wire in page {
            let meeting = match wire.into_meeting() {
                Ok(meeting) => meeting,
                Err(reason) => {
                    warn!(upstream.platform = "zoom", reason, "zoom meeting skipped");
                    continue;
                }
            };
            match self.index.get(&meeting.uuid) {
                Some(&position) => self.meetings[position].absorb(meeting),
                None => {
                    self.index.insert(meeting.uuid.clone(), self.meetings.len());
                    self.meetings.push(meeting);
                }
            }
        }
    }

    fn into_sorted(self) -> Vec<Meeting> {
        let mut meetings = self.meetings;
        meetings.sort_by(|a, b| (a.start_time, &a.uuid).cmp(&(b.start_time, &b.uuid)));
        meetings
    }
}

fn invalid(detail: &str) -> ZoomError {
    ZoomError::InvalidResponse {
        endpoint: ENDPOINT,
        detail: detail.to_owned(),
    }
}
