//! Reading a `Content-Range` header (RFC 9110 §14.4) from a resumed download.

/// A parsed `Content-Range: bytes …` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContentRange {
    /// `bytes first-last/total`; `total` is `None` for `*`.
    Bytes {
        first: u64,
        last: u64,
        total: Option<u64>,
    },
    /// `bytes */total`, sent with 416 when the requested range starts past the end.
    Unsatisfied { total: u64 },
}

impl ContentRange {
    /// Parses the header value; `None` for anything malformed or in another unit.
    pub(crate) fn parse(value: &str) -> Option<ContentRange> {
        let rest = value.trim().strip_prefix("bytes ")?.trim_start();
        let (range, total) = rest.split_once('/')?;
        if range == "*" {
            return Some(ContentRange::Unsatisfied {
                total: total.parse().ok()?,
            });
        }

        let (first, last) = range.split_once('-')?;
        let (first, last): (u64, u64) = (first.parse().ok()?, last.parse().ok()?);
        let total = match total {
            "*" => None,
            number => Some(number.parse().ok()?),
        };
        let consistent = first <= last && total.is_none_or(|t| last < t);
        consistent.then_some(ContentRange::Bytes { first, last, total })
    }

    /// The size of the whole file, when the server said it.
    pub(crate) fn total(self) -> Option<u64> {
        match self {
            ContentRange::Bytes { total, .. } => total,
            ContentRange::Unsatisfied { total } => Some(total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_satisfied_range() {
        assert_eq!(
            ContentRange::parse("bytes 500-999/1000"),
            Some(ContentRange::Bytes {
                first: 500,
                last: 999,
                total: Some(1000)
            })
        );
    }

    #[test]
    fn parses_an_unknown_total() {
        let range = ContentRange::parse("bytes 0-9/*").unwrap();

        assert_eq!(range.total(), None);
    }

    #[test]
    fn parses_an_unsatisfied_range() {
        assert_eq!(
            ContentRange::parse("bytes */1000"),
            Some(ContentRange::Unsatisfied { total: 1000 })
        );
    }

    #[test]
    fn refuses_malformed_values() {
        for value in [
            "",
            "bytes",
            "items 0-1/2",
            "bytes 5-1/10",
            "bytes 0-10/10",
            "bytes a-b/c",
        ] {
            assert_eq!(ContentRange::parse(value), None, "{value}");
        }
    }
}
