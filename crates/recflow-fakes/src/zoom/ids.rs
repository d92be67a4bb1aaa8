//! Random identifiers in the shapes Zoom uses. Values are random, never meaningful.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use rand::distr::Alphanumeric;

/// A meeting UUID: base64 of 16 bytes, so it may contain `/`, `+` and `=`.
pub(crate) fn meeting_uuid() -> String {
    STANDARD.encode(rand::random::<[u8; 16]>())
}

/// An 11-digit meeting number.
pub(crate) fn meeting_number() -> i64 {
    rand::rng().random_range(10_000_000_000..100_000_000_000)
}

/// A file id in UUID v4 text form.
pub(crate) fn file_id() -> String {
    let hex = hex::encode(rand::random::<[u8; 16]>());
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// An opaque alphanumeric token of `length` characters.
pub(crate) fn opaque(length: usize) -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

/// A JWT-looking access or refresh token (opaque to clients, as Zoom's are).
pub(crate) fn token(kind: &str) -> String {
    format!(
        "eyJhbGciOiJIUzUxMiJ9.FAKE-{kind}-{}.{}",
        opaque(32),
        opaque(16)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_look_like_uuid_v4() {
        let id = file_id();

        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_eq!(id.matches('-').count(), 4);
    }
}
