//! Everything the fake VK remembers: tokens, the per-token request window, videos, albums,
//! queued faults and the request log. Handlers lock it briefly, never across an await.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;

use super::VkRequest;
use super::fault::VkFault;

pub(crate) struct State {
    pub(crate) upload_base: String,
    pub(crate) tokens: HashMap<String, UserToken>,
    /// Accepted API calls per token, for VK's 3 requests/second limit.
    pub(crate) window: HashMap<String, VecDeque<Instant>>,
    pub(crate) rate_limit: usize,
    pub(crate) upload_url_ttl: Duration,
    /// How long the upload host waits, after storing a file, before it answers.
    pub(crate) answer_latency: Duration,
    /// Uploads stored but not yet answered.
    pub(crate) unanswered: usize,
    pub(crate) echo_token: bool,
    pub(crate) next_video_id: i64,
    pub(crate) videos: Vec<StoredVideo>,
    pub(crate) albums: HashMap<(i64, i64), Album>,
    pub(crate) faults: Faults,
    pub(crate) counters: Counters,
    pub(crate) seen: Vec<VkRequest>,
}

pub(crate) struct UserToken {
    pub(crate) user_id: i64,
    pub(crate) revoked: bool,
}

pub(crate) struct StoredVideo {
    pub(crate) owner_id: i64,
    pub(crate) video_id: i64,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) privacy_view: Option<String>,
    pub(crate) upload_sig: String,
    pub(crate) expires_ms: i64,
    /// The uploaded bytes, once the upload host received them.
    pub(crate) content: Option<Vec<u8>>,
}

#[derive(Default)]
pub(crate) struct Album {
    /// `(owner_id, video_id)` of the videos in it, in order.
    pub(crate) videos: Vec<(i64, i64)>,
}

#[derive(Default)]
pub(crate) struct Faults {
    pub(crate) api: VecDeque<VkFault>,
    pub(crate) save: VecDeque<VkFault>,
    pub(crate) upload: VecDeque<VkFault>,
}

#[derive(Default, Clone, Copy)]
pub(crate) struct Counters {
    pub(crate) saves: usize,
    pub(crate) uploads: usize,
    /// Uploads into a video that already held a file.
    pub(crate) repeated_uploads: usize,
    pub(crate) rate_limited: usize,
}

impl State {
    pub(crate) fn new(upload_base: String) -> Self {
        Self {
            upload_base,
            tokens: HashMap::new(),
            window: HashMap::new(),
            rate_limit: 3,
            upload_url_ttl: Duration::from_secs(3600),
            answer_latency: Duration::ZERO,
            unanswered: 0,
            echo_token: false,
            next_video_id: 456_239_017,
            videos: Vec::new(),
            albums: HashMap::new(),
            faults: Faults::default(),
            counters: Counters::default(),
            seen: Vec::new(),
        }
    }

    /// Books a call of `token` in its one-second window; `false` when the window is full.
    pub(crate) fn admit(&mut self, token: &str, now: Instant) -> bool {
        let limit = self.rate_limit;
        let times = self.window.entry(token.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            times.pop_front();
        }
        if times.len() >= limit {
            return false;
        }
        times.push_back(now);
        true
    }

    pub(crate) fn video_mut(&mut self, owner_id: i64, video_id: i64) -> Option<&mut StoredVideo> {
        self.videos
            .iter_mut()
            .find(|v| v.owner_id == owner_id && v.video_id == video_id)
    }
}

/// Random ASCII letters and digits.
pub(crate) fn random_text(length: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}
