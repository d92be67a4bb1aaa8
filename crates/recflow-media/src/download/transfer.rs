//! One download attempt: redirects, the resume handshake, response checks and the body copy.

use futures::StreamExt;
use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE, LOCATION, RANGE};
use reqwest::{Client, Response, StatusCode, Url};

use super::part::PartFile;
use super::range::ContentRange;
use super::{AllowedHosts, DownloadOutcome, DownloadRequest, Error, host_of};

/// Zoom needs one hop (to its CDN); anything past this is a loop.
pub(super) const MAX_REDIRECTS: usize = 10;

/// Where the body of an answered request goes.
enum Start {
    /// Append the body to the part file as it now stands.
    Body(Response),
    /// The part file already holds the whole file (the server answered 416 at its end).
    Complete,
}

pub(super) struct Transfer<'a> {
    pub(super) client: &'a Client,
    pub(super) allowed: AllowedHosts,
    pub(super) origin: Url,
    pub(super) request: &'a DownloadRequest,
}

impl Transfer<'_> {
    pub(super) async fn run(self) -> Result<DownloadOutcome, Error> {
        self.check_host(&self.origin)?;
        let part_path = PartFile::path_for(&self.request.dest);
        let mut part = PartFile::open(part_path.clone())
            .await
            .map_err(|source| file_error(&part_path, source))?;
        let expected = self.request.expected_size;
        if expected.is_some_and(|size| part.len() > size) {
            self.restart(&mut part).await?;
        }

        tracing::info!(download.part_bytes = part.len(), "download started");
        let resumed_from = match self.fetch(&mut part).await {
            Ok(resumed_from) => resumed_from,
            Err(error @ Error::SizeMismatch { .. }) => return Err(discard(part, error).await),
            Err(error) if part.len() == 0 => return Err(discard(part, error).await),
            Err(error) => return Err(error),
        };

        let bytes = part.len();
        if let Some(expected) = expected.filter(|size| *size != bytes) {
            let error = Error::SizeMismatch {
                expected,
                actual: bytes,
            };
            return Err(discard(part, error).await);
        }
        part.publish(&self.request.dest)
            .await
            .map_err(|source| file_error(&self.request.dest, source))?;
        tracing::info!(
            download.bytes = bytes,
            download.resumed_from = resumed_from,
            "download finished"
        );
        Ok(DownloadOutcome {
            path: self.request.dest.clone(),
            bytes,
            resumed_from,
        })
    }

    /// Fetches the rest of the file onto `part`; returns where this attempt's bytes began.
    async fn fetch(&self, part: &mut PartFile) -> Result<u64, Error> {
        let start = self.start(part).await?;
        let resumed_from = part.len();
        if let Start::Body(response) = start {
            self.copy_body(response, part).await?;
        }
        Ok(resumed_from)
    }

    /// Requests the file from where `part` ends and settles `part` to where the body starts.
    ///
    /// A resume is accepted only as a 206 whose range starts at the part's end; a 200 means
    /// the server sends everything, and any other answer drops the part and asks again once.
    async fn start(&self, part: &mut PartFile) -> Result<Start, Error> {
        for _ in 0..2 {
            let offset = part.len();
            let response = self.send(offset).await?;
            let host = host_of(response.url());
            let range = response
                .headers()
                .get(CONTENT_RANGE)
                .and_then(|v| v.to_str().ok())
                .and_then(ContentRange::parse);

            match response.status() {
                StatusCode::OK => {
                    self.check_body(&response, 0)?;
                    self.restart(part).await?;
                    return Ok(Start::Body(response));
                }
                StatusCode::PARTIAL_CONTENT => {
                    if let Some(ContentRange::Bytes { first, .. }) = range
                        && first == offset
                    {
                        self.check_body(&response, offset)?;
                        return Ok(Start::Body(response));
                    }
                    tracing::warn!(download.offset = offset, "resume refused; starting over");
                }
                StatusCode::RANGE_NOT_SATISFIABLE => {
                    if offset > 0 && range.and_then(ContentRange::total) == Some(offset) {
                        return Ok(Start::Complete);
                    }
                    tracing::warn!(
                        download.offset = offset,
                        "resume out of range; starting over"
                    );
                }
                status => {
                    return Err(Error::Status {
                        host,
                        status: status.as_u16(),
                    });
                }
            }
            if offset == 0 {
                return Err(Error::UnexpectedRange { host });
            }
            self.restart(part).await?;
        }
        Err(Error::UnexpectedRange {
            host: host_of(&self.origin),
        })
    }

    /// Sends a GET for the bytes from `offset` on, following redirects to allowed hosts only.
    async fn send(&self, offset: u64) -> Result<Response, Error> {
        let mut url = self.origin.clone();
        for _ in 0..=MAX_REDIRECTS {
            self.check_host(&url)?;
            let host = host_of(&url);
            let mut builder = self.client.get(url.clone());
            // TODO: no `If-Range` is sent, so a file replaced on the server between two attempts
            // by one of the same size would be spliced; only the size check guards a resume.
            if offset > 0 {
                builder = builder.header(RANGE, format!("bytes={offset}-"));
            }
            // A token issued for Zoom's API must not reach the CDN or anything else.
            if let Some(token) = &self.request.bearer_token
                && url.origin() == self.origin.origin()
            {
                builder = builder.bearer_auth(token);
            }

            let response = tokio::time::timeout(self.request.timeout, builder.send())
                .await
                .map_err(|_| Error::Timeout {
                    host: host.clone(),
                    after: self.request.timeout,
                })?
                .map_err(|source| Error::Request {
                    host: host.clone(),
                    source: source.without_url(),
                })?;
            if response.url() != &url {
                return Err(Error::ClientFollowsRedirects);
            }
            if !response.status().is_redirection() {
                tracing::debug!(upstream.status = response.status().as_u16(), download.host = %host, "answered");
                return Ok(response);
            }

            url = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|location| url.join(location).ok())
                .filter(|next| matches!(next.scheme(), "http" | "https"))
                .ok_or(Error::BadRedirect { host })?;
            tracing::debug!(download.next_host = %host_of(&url), "following redirect");
        }
        Err(Error::TooManyRedirects)
    }

    /// Refuses Zoom's HTML failure page and a body whose announced size cannot match.
    fn check_body(&self, response: &Response, offset: u64) -> Result<(), Error> {
        let host = host_of(response.url());
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if content_type
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("text/html")
        {
            return Err(Error::HtmlPage { host });
        }

        let announced = response.content_length().map(|length| offset + length);
        if let (Some(expected), Some(announced)) = (self.request.expected_size, announced)
            && expected != announced
        {
            return Err(Error::SizeMismatch {
                expected,
                actual: announced,
            });
        }
        Ok(())
    }

    /// Streams `response`'s body onto `part`, a chunk at a time.
    ///
    /// On a retryable failure the bytes received so far are flushed for the next attempt.
    async fn copy_body(&self, response: Response, part: &mut PartFile) -> Result<(), Error> {
        let host = host_of(response.url());
        let mut body = response.bytes_stream();
        let mut first_chunk = part.len() == 0;
        let outcome = loop {
            let next = match tokio::time::timeout(self.request.timeout, body.next()).await {
                Ok(next) => next,
                Err(_) => {
                    break Err(Error::Timeout {
                        host,
                        after: self.request.timeout,
                    });
                }
            };
            let chunk = match next {
                None => break Ok(()),
                Some(Ok(chunk)) => chunk,
                Some(Err(source)) => {
                    break Err(Error::Request {
                        host,
                        source: source.without_url(),
                    });
                }
            };
            // Some error pages come labelled as binary; the first bytes still give them away.
            if std::mem::take(&mut first_chunk) && looks_like_html(&chunk) {
                break Err(Error::HtmlPage { host });
            }
            if let Some(expected) = self.request.expected_size
                && part.len() + chunk.len() as u64 > expected
            {
                let actual = part.len() + chunk.len() as u64;
                break Err(Error::SizeMismatch { expected, actual });
            }
            if let Err(source) = part.write(&chunk).await {
                break Err(file_error(part.path(), source));
            }
        };

        let flushed = part.flush().await;
        outcome?;
        flushed.map_err(|source| file_error(part.path(), source))
    }

    fn check_host(&self, url: &Url) -> Result<(), Error> {
        if self.allowed.allows(url) {
            return Ok(());
        }
        Err(Error::HostNotAllowed { host: host_of(url) })
    }

    async fn restart(&self, part: &mut PartFile) -> Result<(), Error> {
        part.restart()
            .await
            .map_err(|source| file_error(part.path(), source))
    }
}

/// Deletes a part that is empty or whose bytes are proven wrong, so no later attempt resumes
/// them, and hands back the error that ended the attempt.
async fn discard(part: PartFile, error: Error) -> Error {
    let path = part.path().to_path_buf();
    if let Err(source) = part.discard().await {
        tracing::warn!(download.part = %path.display(), error = %source, "cannot delete a wrong partial download");
    }
    error
}

/// Whether a file starts like an HTML document (no recording format does).
fn looks_like_html(start: &[u8]) -> bool {
    let text = start.trim_ascii_start();
    let head = &text[..text.len().min(16)];
    [b"<!doctype html".as_slice(), b"<html"]
        .iter()
        .any(|marker| {
            head.len() >= marker.len() && head[..marker.len()].eq_ignore_ascii_case(marker)
        })
}

fn file_error(path: &std::path::Path, source: std::io::Error) -> Error {
    Error::File {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_recognised_by_its_first_bytes() {
        assert!(looks_like_html(b"  \n<!DOCTYPE html><html>"));
        assert!(looks_like_html(b"<HTML><body>gone</body>"));
        assert!(!looks_like_html(b"\x00\x00\x00\x20ftypisom"));
        assert!(!looks_like_html(b"<ht"));
    }
}
