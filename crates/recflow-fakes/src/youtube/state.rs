//! Everything the fake YouTube remembers: OAuth clients and tokens, upload sessions, videos,
//! playlists, queued faults and the request log. Handlers lock it briefly, never across an
//! await.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::Value;

use super::YoutubeRequest;
use super::fault::YoutubeFault;

pub(crate) struct State {
    pub(crate) base_url: String,
    pub(crate) clients: HashMap<String, String>,
    pub(crate) refresh_tokens: HashMap<String, RefreshGrant>,
    pub(crate) access_tokens: HashMap<String, Instant>,
    pub(crate) token_ttl: Duration,
    pub(crate) sessions: HashMap<String, Session>,
    pub(crate) videos: Vec<StoredVideo>,
    pub(crate) playlists: HashMap<String, Vec<String>>,
    pub(crate) keep_processing: bool,
    /// Added before every request on a session URI.
    pub(crate) chunk_latency: Duration,
    pub(crate) faults: Faults,
    pub(crate) counters: Counters,
    pub(crate) seen: Vec<YoutubeRequest>,
}

pub(crate) struct RefreshGrant {
    pub(crate) client_id: String,
    pub(crate) revoked: bool,
}

/// One resumable upload session.
pub(crate) struct Session {
    pub(crate) total: u64,
    pub(crate) resource: Value,
    /// Bytes the fake has persisted, in order from offset 0.
    pub(crate) persisted: Vec<u8>,
    /// Set once every byte arrived and the video was created.
    pub(crate) video_id: Option<String>,
    /// An expired session answers 404 to everything.
    pub(crate) dead: bool,
}

pub(crate) struct StoredVideo {
    pub(crate) id: String,
    pub(crate) resource: Value,
    pub(crate) content: Vec<u8>,
    pub(crate) processed: bool,
}

/// A fault waiting for its request; it lets `skip` matching requests pass first.
pub(crate) struct Queued {
    pub(crate) skip: usize,
    pub(crate) fault: YoutubeFault,
}

/// Queued faults, one queue per kind of request they hit.
#[derive(Default)]
pub(crate) struct Faults {
    pub(crate) initiate: VecDeque<Queued>,
    pub(crate) chunk: VecDeque<Queued>,
    pub(crate) playlist: VecDeque<Queued>,
}

#[derive(Default, Clone, Copy)]
pub(crate) struct Counters {
    pub(crate) token_requests: usize,
    pub(crate) sessions_started: usize,
    pub(crate) chunk_requests: usize,
    pub(crate) status_queries: usize,
    pub(crate) bytes_received: u64,
}

impl State {
    pub(crate) fn new(base_url: String) -> Self {
        Self {
            base_url,
            clients: HashMap::new(),
            refresh_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            token_ttl: Duration::from_secs(3599),
            sessions: HashMap::new(),
            videos: Vec::new(),
            playlists: HashMap::new(),
            keep_processing: false,
            chunk_latency: Duration::ZERO,
            faults: Faults::default(),
            counters: Counters::default(),
            seen: Vec::new(),
        }
    }

    pub(crate) fn issue_access_token(&mut self) -> String {
        let token = format!("ya29.FAKE-{}", random_text(32));
        self.access_tokens
            .insert(token.clone(), Instant::now() + self.token_ttl);
        token
    }

    /// Whether `token` is a live access token.
    pub(crate) fn token_is_valid(&self, token: &str) -> bool {
        self.access_tokens
            .get(token)
            .is_some_and(|expires| Instant::now() < *expires)
    }

    pub(crate) fn video(&self, id: &str) -> Option<&StoredVideo> {
        self.videos.iter().find(|v| v.id == id)
    }
}

impl Faults {
    /// The fault for the next request of a queue, honouring `skip`.
    pub(crate) fn take(queue: &mut VecDeque<Queued>) -> Option<YoutubeFault> {
        let front = queue.front_mut()?;
        if front.skip > 0 {
            front.skip -= 1;
            return None;
        }
        queue.pop_front().map(|queued| queued.fault)
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

/// An 11-character id in YouTube's alphabet.
pub(crate) fn video_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..11)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
