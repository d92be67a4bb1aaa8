//! Meeting UUIDs in URL paths. Zoom's gateway decodes a path once before routing, so a UUID
//! that starts with `/` or contains `//` must be encoded twice; doing it for every UUID is
//! accepted too and is what this module always does.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters is escaped.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes a meeting UUID (or numeric id) for a path segment, twice:
/// `/abc==` → `%2Fabc%3D%3D` → `%252Fabc%253D%253D`.
pub fn encode_uuid_path(uuid: &str) -> String {
    let once = utf8_percent_encode(uuid, PATH_SEGMENT).to_string();
    utf8_percent_encode(&once, PATH_SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_slash_uuid_is_encoded_twice() {
        assert_eq!(encode_uuid_path("/abc=="), "%252Fabc%253D%253D");
    }

    #[test]
    fn double_slashes_and_plus_signs_are_encoded_twice() {
        assert_eq!(encode_uuid_path("a//b+c"), "a%252F%252Fb%252Bc");
    }

    #[test]
    fn a_numeric_meeting_id_is_unchanged() {
        assert_eq!(encode_uuid_path("81234567890"), "81234567890");
    }
}
