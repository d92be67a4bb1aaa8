//! Downloading a recording to disk: streamed with bounded memory, resumed with `Range`,
//! restricted to allowed hosts on every redirect hop, checked against Zoom's failure modes
//! (an HTML page with status 200, a short body), and published under its final name only
//! when complete.
//!
//! Redirects are followed here, hop by hop, rather than by reqwest: the allowed hosts belong
//! to each request, every hop is checked before it is contacted, and the bearer token goes only
//! to the origin it was issued for. The client must therefore not follow redirects itself
//! ([`client_builder`] makes one that does not).

mod hosts;
mod part;
mod range;
mod transfer;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::{Client, ClientBuilder, Url, redirect};

pub use hosts::AllowedHosts;

/// Why a download failed.
///
/// Messages name hosts, never full URLs: Zoom URLs may carry tokens or signatures.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the download URL is not valid: {reason}")]
    InvalidUrl { reason: String },
    #[error("downloads from {host} are not allowed")]
    HostNotAllowed { host: String },
    #[error("{host} answered a redirect without a usable Location")]
    BadRedirect { host: String },
    #[error("more than {} redirects", transfer::MAX_REDIRECTS)]
    TooManyRedirects,
    #[error("the HTTP client follows redirects itself; build it with `client_builder`")]
    ClientFollowsRedirects,
    #[error("request to {host} failed")]
    Request {
        host: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{host} sent nothing for {} s", after.as_secs_f64())]
    Timeout { host: String, after: Duration },
    #[error("{host} answered HTTP {status}")]
    Status { host: String, status: u16 },
    #[error("{host} answered a resumed download with a range that does not fit")]
    UnexpectedRange { host: String },
    #[error(
        "{host} sent an HTML page instead of the recording \
         (the file was deleted, or the token has no access to it)"
    )]
    HtmlPage { host: String },
    #[error("the recording has {actual} bytes where {expected} were expected")]
    SizeMismatch { expected: u64, actual: u64 },
    #[error("cannot write {}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// Whether trying again later may succeed: lost connections, timeouts, 5xx, 429, and local
    /// disk trouble are retryable; refusals (4xx, HTML pages, wrong sizes, hosts) are not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Request { source, .. } => !(source.is_builder() || source.is_redirect()),
            Error::Timeout { .. } | Error::File { .. } => true,
            Error::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            Error::InvalidUrl { .. }
            | Error::HostNotAllowed { .. }
            | Error::BadRedirect { .. }
            | Error::TooManyRedirects
            | Error::ClientFollowsRedirects
            | Error::UnexpectedRange { .. }
            | Error::HtmlPage { .. }
            | Error::SizeMismatch { .. } => false,
        }
    }
}

/// One file to fetch.
#[derive(Clone)]
pub struct DownloadRequest {
    /// Where the file is; it may redirect (Zoom answers 302 to a signed CDN URL).
    pub url: String,
    /// Sent as `Authorization: Bearer …`, and only to the origin of `url`.
    pub bearer_token: Option<String>,
    /// The size the source announced (Zoom's `file_size`); checked when known.
    pub expected_size: Option<u64>,
    /// Hosts that `url` and every redirect may point at; see [`AllowedHosts`].
    pub allowed_hosts: Vec<String>,
    /// The final path; bytes grow in `<dest>.part` until complete.
    pub dest: PathBuf,
    /// The longest wait for any one step: an answer to a request, or the next piece of body.
    /// A transfer that keeps moving is never cut short, whatever its length.
    // TODO: a server that trickles one byte just inside `timeout` keeps a download alive
    // indefinitely; a minimum-throughput rule would bound it.
    pub timeout: Duration,
}

impl fmt::Debug for DownloadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadRequest")
            .field("url", &redacted(&self.url))
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expected_size", &self.expected_size)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("dest", &self.dest)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A finished download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadOutcome {
    /// Where the file now is (the request's `dest`).
    pub path: PathBuf,
    /// The file's size.
    pub bytes: u64,
    /// How many bytes an earlier attempt had already fetched (0 for a fresh start).
    pub resumed_from: u64,
}

/// A client builder suited to [`download`]: no automatic redirects, bounded connect time.
///
/// Add TLS and proxy settings as the deployment needs, and keep the redirect policy.
pub fn client_builder() -> ClientBuilder {
    Client::builder()
        .redirect(redirect::Policy::none())
        .connect_timeout(Duration::from_secs(30))
}

/// Downloads `request.url` to `request.dest`, resuming an earlier partial attempt.
///
/// # Errors
/// See [`Error`]; [`Error::is_retryable`] tells whether a later attempt may succeed. A
/// retryable failure keeps `<dest>.part` for the next attempt to resume; a failure that
/// proves the bytes wrong (size mismatch) deletes it.
#[tracing::instrument(
    skip_all,
    fields(download.host = tracing::field::Empty, download.dest = %request.dest.display()),
    err
)]
pub async fn download(client: &Client, request: DownloadRequest) -> Result<DownloadOutcome, Error> {
    let url = Url::parse(&request.url).map_err(|error| Error::InvalidUrl {
        reason: error.to_string(),
    })?;
    tracing::Span::current().record("download.host", host_of(&url));

    let transfer = transfer::Transfer {
        client,
        allowed: AllowedHosts::new(&request.allowed_hosts),
        origin: url,
        request: &request,
    };
    transfer.run().await
}

/// The host of `url`, for messages and logs.
fn host_of(url: &Url) -> String {
    url.host_str().unwrap_or("(no host)").to_owned()
}

/// `url` without query or fragment, which may hold tokens or signatures.
fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) => format!("{}://{}{}", url.scheme(), host_of(&url), url.path()),
        Err(_) => "(invalid URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> DownloadRequest {
        DownloadRequest {
            url: "https://zoom.us/rec/download/abc?access_token=SECRET-IN-QUERY".into(),
            bearer_token: Some("SECRET-BEARER".into()),
            expected_size: Some(10),
            allowed_hosts: vec!["zoom.us".into()],
            dest: PathBuf::from("/tmp/x.mp4"),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn debug_output_hides_tokens_and_query_strings() {
        let printed = format!("{:?}", request());

        assert!(!printed.contains("SECRET"), "{printed}");
        assert!(printed.contains("https://zoom.us/rec/download/abc"));
    }

    #[tokio::test]
    async fn a_host_off_the_list_is_refused_before_any_request() {
        let client = client_builder().build().unwrap();
        let request = DownloadRequest {
            url: "http://192.0.2.1:9/file".into(),
            ..request()
        };

        let error = download(&client, request).await.unwrap_err();

        assert!(matches!(error, Error::HostNotAllowed { ref host } if host == "192.0.2.1"));
        assert!(!error.is_retryable());
    }

    #[test]
    fn server_trouble_is_retryable_and_refusals_are_not() {
        let status = |status| Error::Status {
            host: "h".into(),
            status,
        };

        assert!(status(503).is_retryable());
        assert!(status(429).is_retryable());
        assert!(!status(404).is_retryable());
        assert!(!status(401).is_retryable());
        assert!(!Error::HtmlPage { host: "h".into() }.is_retryable());
        assert!(
            !Error::SizeMismatch {
                expected: 2,
                actual: 1
            }
            .is_retryable()
        );
    }
}
