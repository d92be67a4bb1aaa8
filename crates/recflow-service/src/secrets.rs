//! Encryption of third-party secrets at rest: XChaCha20-Poly1305 under a 32-byte key from the
//! configuration, a random nonce per value, and the owning record bound as associated data so
//! a ciphertext copied to another row or account does not decrypt.
//!
//! Sealed layout: `version (1 byte) || nonce (24 bytes) || ciphertext+tag`.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use uuid::Uuid;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "the secret key must be 32 random bytes in standard base64 (e.g. `openssl rand -base64 32`)"
    )]
    Malformed,
    #[error("cannot read or write the secret key file {path}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Why a sealed value could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "the stored secret is damaged, belongs to another record, or was sealed with another key"
    )]
    Invalid,
}

/// Seals and opens secrets. Its `Debug` never shows the key.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(<hidden>)")
    }
}

/// What a sealed value belongs to; it becomes the associated data.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub purpose: &'a str,
    pub owner: Uuid,
    pub record: Uuid,
}

impl Binding<'_> {
    fn associated_data(&self) -> String {
        format!("recflow:{}:{}:{}", self.purpose, self.owner, self.record)
    }
}

impl SecretBox {
    /// A box for a key given as standard base64 of 32 bytes.
    ///
    /// # Errors
    /// `KeyError::Malformed` for anything else.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| KeyError::Malformed)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| KeyError::Malformed)?;
        if bytes.len() != 32 {
            return Err(KeyError::Malformed);
        }
        Ok(SecretBox { cipher })
    }

    /// Reads the key file, or creates it with a new random key (mode 0600) when `create` is
    /// set and it does not exist. `Ok(None)` when it does not exist and may not be created.
    ///
    /// # Errors
    /// When the file cannot be read or written, or holds a malformed key.
    pub fn from_file(path: &Path, create: bool) -> Result<Option<Self>, KeyError> {
        let io = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => return Self::from_base64(&text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(e)),
        }
        if !create {
            return Ok(None);
        }
        let key: [u8; 32] = rand::random();
        let text = STANDARD.encode(key);
        write_private(path, &text).map_err(io)?;
        Self::from_base64(&text).map(Some)
    }

    /// Encrypts `plaintext` for `binding`.
    pub fn seal(&self, binding: Binding<'_>, plaintext: &[u8]) -> Vec<u8> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = XNonce::from(nonce_bytes);
        let aad = binding.associated_data();
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory buffers");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what [`SecretBox::seal`] made for the same `binding`.
    ///
    /// # Errors
    /// `OpenError::Invalid` for a damaged value, another binding or another key.
    pub fn open(&self, binding: Binding<'_>, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        let [version, rest @ ..] = sealed else {
            return Err(OpenError::Invalid);
        };
        if *version != VERSION || rest.len() < NONCE_LEN {
            return Err(OpenError::Invalid);
        }
        let (nonce_bytes, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce_array: [u8; NONCE_LEN] =
            nonce_bytes.try_into().map_err(|_| OpenError::Invalid)?;
        let aad = binding.associated_data();
        self.cipher
            .decrypt(
                &XNonce::from(nonce_array),
                Payload {
                    msg: ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| OpenError::Invalid)
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "{contents}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding(owner: Uuid, record: Uuid) -> Binding<'static> {
        Binding {
            purpose: "credential",
            owner,
            record,
        }
    }

    #[test]
    fn sealed_secret_opens_only_for_its_own_record_and_key() {
        let key = STANDARD.encode([7u8; 32]);
        let secrets = SecretBox::from_base64(&key).expect("key");
        let (owner, record) = (Uuid::now_v7(), Uuid::now_v7());

        let sealed = secrets.seal(binding(owner, record), b"client-secret");

        assert!(!sealed.windows(13).any(|w| w == b"client-secret"));
        assert_eq!(
            secrets.open(binding(owner, record), &sealed).expect("open"),
            b"client-secret"
        );
        assert!(
            secrets
                .open(binding(Uuid::now_v7(), record), &sealed)
                .is_err()
        );
        assert!(
            secrets
                .open(binding(owner, Uuid::now_v7()), &sealed)
                .is_err()
        );
        let other = SecretBox::from_base64(&STANDARD.encode([8u8; 32])).expect("key");
        assert!(other.open(binding(owner, record), &sealed).is_err());
        assert!(secrets.open(binding(owner, record), &sealed[..10]).is_err());
    }

    #[test]
    fn malformed_keys_are_refused_and_the_key_never_prints() {
        assert!(SecretBox::from_base64("short").is_err());
        assert!(SecretBox::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        let secrets = SecretBox::from_base64(&STANDARD.encode([7u8; 32])).expect("key");
        assert_eq!(format!("{secrets:?}"), "SecretBox(<hidden>)");
    }

    #[test]
    fn a_generated_key_file_is_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("secret-key");

        assert!(SecretBox::from_file(&path, false).expect("read").is_none());
        let first = SecretBox::from_file(&path, true)
            .expect("create")
            .expect("key");
        let again = SecretBox::from_file(&path, false)
            .expect("read")
            .expect("key");
        let b = binding(Uuid::now_v7(), Uuid::now_v7());

        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(again.open(b, &first.seal(b, b"x")).expect("same key"), b"x");
    }
}
