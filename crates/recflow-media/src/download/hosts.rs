//! The list of hosts a download may touch, with `*.example.com` wildcards.

use reqwest::Url;

/// Host names a download may contact, checked before every request (redirect hops too).
///
/// An entry is an exact host (`zoom.us`, `127.0.0.1`) or a wildcard `*.zoom.us`, which matches
/// any subdomain of `zoom.us` at any depth but not `zoom.us` itself. Matching ignores case and
/// a trailing dot; ports are not part of the match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    exact: Vec<String>,
    /// Stored with their leading dot: `*.zoom.us` → `.zoom.us`.
    suffixes: Vec<String>,
}

impl AllowedHosts {
    /// Builds the list from configuration entries; blank entries are ignored.
    pub fn new<I, S>(entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut allowed = AllowedHosts::default();
        for entry in entries {
            let entry = normalise(entry.as_ref());
            if let Some(domain) = entry.strip_prefix("*.") {
                allowed.suffixes.push(format!(".{domain}"));
            } else if !entry.is_empty() {
                allowed.exact.push(entry);
            }
        }
        allowed
    }

    /// Whether `url`'s host is on the list. URLs without a host never are.
    pub fn allows(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = normalise(host);
        self.exact.contains(&host)
            || self
                .suffixes
                .iter()
                .any(|suffix| host.ends_with(suffix.as_str()))
    }
}

fn normalise(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn exact_hosts_match_whatever_the_case_and_port() {
        let allowed = AllowedHosts::new(["Zoom.us"]);

        assert!(allowed.allows(&url("https://zoom.us/rec/download/x")));
        assert!(allowed.allows(&url("https://ZOOM.US.:8443/x")));
        assert!(!allowed.allows(&url("https://us02web.zoom.us/x")));
    }

    #[test]
    fn a_wildcard_matches_subdomains_only() {
        let allowed = AllowedHosts::new(["*.zoom.us"]);

        assert!(allowed.allows(&url("https://us02web.zoom.us/x")));
        assert!(allowed.allows(&url("https://a.b.zoom.us/x")));
        assert!(!allowed.allows(&url("https://zoom.us/x")));
    }

    #[test]
    fn look_alike_hosts_are_refused() {
        let allowed = AllowedHosts::new(["zoom.us", "*.zoom.us"]);

        assert!(!allowed.allows(&url("https://evilzoom.us/x")));
        assert!(!allowed.allows(&url("https://zoom.us.evil.com/x")));
        assert!(!allowed.allows(&url("https://zoom.us@evil.com/x")));
    }

    #[test]
    fn an_empty_list_allows_nothing() {
        let allowed = AllowedHosts::new(["", "  "]);

        assert!(!allowed.allows(&url("https://zoom.us/x")));
        assert!(!allowed.allows(&url("file:///etc/passwd")));
    }
}
