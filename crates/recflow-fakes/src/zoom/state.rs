//! Everything the fake Zoom remembers: apps and tokens, users, meetings, page cursors,
//! signed CDN links, queued faults and the request log. Handlers lock it briefly and never
//! across an await.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::fault::Fault;
use super::meeting::{StoredFile, StoredMeeting};
use super::{SeenRequest, ids};

/// Zoom's page cursors expire 15 minutes after they are issued.
pub(crate) const CURSOR_LIFETIME: StdDuration = StdDuration::from_secs(15 * 60);

/// The one account all fake data belongs to.
pub(crate) const ACCOUNT_ID: &str = "FakeAcct0000000000000A";

pub(crate) struct State {
    pub(crate) base_url: String,
    pub(crate) cdn_url: String,
    pub(crate) apps: HashMap<String, App>,
    pub(crate) refresh_tokens: HashMap<String, RefreshGrant>,
    pub(crate) access_tokens: HashMap<String, AccessGrant>,
    pub(crate) download_tokens: HashMap<String, DateTime<Utc>>,
    pub(crate) token_ttl_seconds: i64,
    pub(crate) users: Vec<User>,
    pub(crate) meetings: Vec<StoredMeeting>,
    /// Whether `meetings` is sorted newest first (the list order).
    pub(crate) sorted: bool,
    pub(crate) cursors: HashMap<String, Cursor>,
    pub(crate) cdn_links: HashMap<String, CdnLink>,
    pub(crate) faults: Faults,
    pub(crate) history_limit_months: Option<u32>,
    pub(crate) today: Option<NaiveDate>,
    pub(crate) counters: Counters,
    pub(crate) seen: Vec<SeenRequest>,
}

pub(crate) struct App {
    pub(crate) secret: String,
    pub(crate) kind: AppKind,
}

pub(crate) enum AppKind {
    ServerToServer { account_id: String },
    UserOAuth,
}

pub(crate) struct RefreshGrant {
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    pub(crate) used: bool,
}

/// Who an access token acts for: an S2S token acts for the account, a user token for a user.
pub(crate) struct AccessGrant {
    pub(crate) user_id: Option<String>,
    pub(crate) expires_at: DateTime<Utc>,
}

pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) email: String,
}

/// Where a listing continues: its filter and the offset of the next page.
#[derive(Clone)]
pub(crate) struct Cursor {
    pub(crate) filter: ListFilter,
    pub(crate) offset: usize,
    pub(crate) issued_at: Instant,
}

#[derive(Clone)]
pub(crate) struct ListFilter {
    pub(crate) host: String,
    pub(crate) from: NaiveDate,
    pub(crate) to: NaiveDate,
    pub(crate) trash: bool,
}

/// A signed CDN link: which file it serves (by download key) and until when.
pub(crate) struct CdnLink {
    pub(crate) download_key: String,
    pub(crate) expires_at: DateTime<Utc>,
}

/// Faults queued by `fail_next`, one queue per kind of request they hit.
#[derive(Default)]
pub(crate) struct Faults {
    pub(crate) rest: VecDeque<Fault>,
    pub(crate) page_cursor: VecDeque<Fault>,
    pub(crate) download: VecDeque<Fault>,
    pub(crate) cdn: VecDeque<Fault>,
}

#[derive(Default, Clone, Copy)]
pub(crate) struct Counters {
    pub(crate) token_requests: usize,
    pub(crate) list_calls: usize,
    pub(crate) downloads: usize,
}

impl State {
    pub(crate) fn new(base_url: String, cdn_url: String) -> Self {
        Self {
            base_url,
            cdn_url,
            apps: HashMap::new(),
            refresh_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            download_tokens: HashMap::new(),
            token_ttl_seconds: 3599,
            users: vec![User {
                id: super::DEFAULT_USER_ID.to_owned(),
                email: super::DEFAULT_USER_EMAIL.to_owned(),
            }],
            meetings: Vec::new(),
            sorted: true,
            cursors: HashMap::new(),
            cdn_links: HashMap::new(),
            faults: Faults::default(),
            history_limit_months: None,
            today: None,
            counters: Counters::default(),
            seen: Vec::new(),
        }
    }

    pub(crate) fn today(&self) -> NaiveDate {
        self.today.unwrap_or_else(|| Utc::now().date_naive())
    }

    /// Issues an access token acting for `user_id` (`None`: the whole account, S2S).
    pub(crate) fn issue_access_token(&mut self, user_id: Option<String>) -> String {
        let token = ids::token("ACCESS");
        let expires_at = Utc::now() + Duration::seconds(self.token_ttl_seconds);
        self.access_tokens.insert(
            token.clone(),
            AccessGrant {
                user_id,
                expires_at,
            },
        );
        token
    }

    pub(crate) fn issue_refresh_token(&mut self, client_id: &str, user_id: &str) -> String {
        let token = ids::token("REFRESH");
        let grant = RefreshGrant {
            client_id: client_id.to_owned(),
            user_id: user_id.to_owned(),
            used: false,
        };
        self.refresh_tokens.insert(token.clone(), grant);
        token
    }

    /// Meetings in list order (newest first), sorting lazily after additions.
    pub(crate) fn sorted_meetings(&mut self) -> &[StoredMeeting] {
        if !self.sorted {
            self.meetings
                .sort_by(|a, b| (b.start, &b.uuid).cmp(&(a.start, &a.uuid)));
            self.sorted = true;
        }
        &self.meetings
    }

    /// The meeting and file whose `download_url` ends in `download_key`.
    pub(crate) fn file_by_download_key(
        &self,
        download_key: &str,
    ) -> Option<(&StoredMeeting, &StoredFile)> {
        self.meetings.iter().find_map(|meeting| {
            let file = meeting
                .files
                .iter()
                .find(|f| f.download_key == download_key)?;
            Some((meeting, file))
        })
    }

    pub(crate) fn user_by_id_or_email(&self, wanted: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.id == wanted || u.email.eq_ignore_ascii_case(wanted))
    }

    pub(crate) fn record(&mut self, request: SeenRequest) {
        self.seen.push(request);
    }
}
