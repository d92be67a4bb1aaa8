//! Secrets of our own: password hashes (Argon2id) and API tokens (random, stored as SHA-256).

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Every token starts with this, so leaked tokens are easy to recognise in scans.
pub const TOKEN_PREFIX: &str = "rf_";

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
#[error("cannot hash password")]
pub struct HashError;

/// A freshly minted token: the secret (shown once) and what is stored.
pub struct MintedToken {
    pub secret: String,
    pub hash: String,
    pub prefix: String,
}

/// Hashes a password with Argon2id and a random salt into a PHC string.
///
/// # Errors
/// `HashError` only if the system random source fails.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| HashError)
}

/// Checks a password against a stored PHC string; a malformed hash never verifies.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Spends the same time as a real check, so that unknown emails cannot be told apart from
/// wrong passwords by timing.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash_password("recflow-dummy-password").unwrap_or_default());
    let _ = verify_password(password, &DUMMY);
}

/// Creates a new random API token.
pub fn mint_token() -> MintedToken {
    let bytes: [u8; 32] = rand::random();
    let secret = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    MintedToken {
        hash: hash_token(&secret),
        prefix: secret.chars().take(TOKEN_PREFIX.len() + 6).collect(),
        secret,
    }
}

/// The stored form of a token: its SHA-256 in hex. Tokens carry 256 random bits, so a fast
/// hash is enough; a slow one would only slow every request.
pub fn hash_token(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_verifies_only_with_the_right_password() {
        let hash = hash_password("correct horse").expect("hash");

        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a phc string"));
    }

    #[test]
    fn minted_tokens_are_unique_and_stored_only_as_hashes() {
        let a = mint_token();
        let b = mint_token();

        assert_ne!(a.secret, b.secret);
        assert!(a.secret.starts_with(TOKEN_PREFIX));
        assert_eq!(a.hash, hash_token(&a.secret));
        assert_eq!(a.hash.len(), 64);
        assert!(!a.hash.contains(&a.secret));
        assert!(a.secret.starts_with(&a.prefix));
    }
}
