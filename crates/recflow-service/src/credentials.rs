//! Third-party credentials: the kinds, the shape of each kind's secrets, and sealing them
//! with the installation key bound to the credential's owner and id.

use recflow_store::Credential;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::secrets::{Binding, OpenError, SecretBox};

/// The platform a credential is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// Zoom Server-to-Server OAuth.
    ZoomS2s,
    /// Zoom user OAuth with a refresh token.
    ZoomOauth,
    /// Google (YouTube) OAuth with a refresh token.
    Google,
    /// VK user access token.
    Vk,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::ZoomS2s => "zoom_s2s",
            CredentialKind::ZoomOauth => "zoom_oauth",
            CredentialKind::Google => "google",
            CredentialKind::Vk => "vk",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::ZoomS2s, Self::ZoomOauth, Self::Google, Self::Vk]
            .into_iter()
            .find(|k| k.as_str() == value)
    }
}

/// Secrets of a `zoom_s2s` credential.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomS2sSecrets {
    pub account_id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Secrets of a `zoom_oauth` or `google` credential.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OauthSecrets {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

/// Secrets of a `vk` credential.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VkSecrets {
    pub access_token: String,
}

/// A problem with the `secrets` object; `field` is relative to it.
#[derive(Debug)]
pub struct SecretsError {
    pub field: String,
    pub message: String,
}

/// Checks that `secrets` has exactly the fields `kind` needs, all non-empty strings.
///
/// # Errors
/// The first problem found, naming the field.
pub fn check_secrets(kind: CredentialKind, secrets: &Value) -> Result<(), SecretsError> {
    match kind {
        CredentialKind::ZoomS2s => typed::<ZoomS2sSecrets>(secrets).map(|_| ()),
        CredentialKind::ZoomOauth | CredentialKind::Google => {
            typed::<OauthSecrets>(secrets).map(|_| ())
        }
        CredentialKind::Vk => typed::<VkSecrets>(secrets).map(|_| ()),
    }?;
    let empty = secrets.as_object().and_then(|o| {
        o.iter()
            .find(|(_, v)| v.as_str().is_some_and(|s| s.trim().is_empty()))
    });
    match empty {
        Some((name, _)) => Err(SecretsError {
            field: name.clone(),
            message: "must not be empty".to_owned(),
        }),
        None => Ok(()),
    }
}

/// Reads sealed-and-opened secrets as the typed struct of their kind.
///
/// # Errors
/// When the JSON does not have the expected fields.
pub fn typed<T: DeserializeOwned>(secrets: &Value) -> Result<T, SecretsError> {
    let text = secrets.to_string();
    let mut de = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned();
        let field = match message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            Some(name) => name.to_owned(),
            None if path == "." => String::new(),
            None => path,
        };
        SecretsError { field, message }
    })
}

fn binding(credential_owner: uuid::Uuid, credential_id: uuid::Uuid) -> Binding<'static> {
    Binding {
        purpose: "credential",
        owner: credential_owner,
        record: credential_id,
    }
}

/// Encrypts `secrets` for the credential `(owner, id)`.
pub fn seal(key: &SecretBox, owner: uuid::Uuid, id: uuid::Uuid, secrets: &Value) -> Vec<u8> {
    key.seal(binding(owner, id), secrets.to_string().as_bytes())
}

/// Decrypts a stored credential's secrets.
///
/// # Errors
/// When the ciphertext does not open with this key for this record.
pub fn open(key: &SecretBox, credential: &Credential) -> Result<Value, OpenError> {
    let plain = key.open(
        binding(credential.user_id, credential.id),
        &credential.secret,
    )?;
    serde_json::from_slice(&plain).map_err(|_| OpenError::Invalid)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_must_have_exactly_the_fields_of_their_kind() {
        let good = json!({"account_id": "a", "client_id": "b", "client_secret": "c"});
        let missing = json!({"account_id": "a", "client_id": "b"});
        let extra = json!({"access_token": "t", "colour": "red"});
        let empty = json!({"access_token": " "});

        assert!(check_secrets(CredentialKind::ZoomS2s, &good).is_ok());
        assert_eq!(
            check_secrets(CredentialKind::ZoomS2s, &missing)
                .map_err(|e| e.field)
                .err()
                .as_deref(),
            Some("client_secret")
        );
        assert_eq!(
            check_secrets(CredentialKind::Vk, &extra)
                .map_err(|e| e.field)
                .err()
                .as_deref(),
            Some("colour")
        );
        assert_eq!(
            check_secrets(CredentialKind::Vk, &empty)
                .map_err(|e| e.field)
                .err()
                .as_deref(),
            Some("access_token")
        );
    }
}
