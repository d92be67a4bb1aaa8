//! Account operations shared by the API and the offline CLI: input checks, creating an account
//! together with its first token, and issuing tokens.

use chrono::{DateTime, Utc};
use recflow_store::{ApiToken, NewToken, NewUser, Store, TokenKind, User};

use crate::auth;

/// What went wrong creating an account or a token.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A field is invalid; `field` names it as the API does.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] recflow_store::Error),
    #[error(transparent)]
    Hash(#[from] auth::HashError),
}

/// What is needed to create an account.
#[derive(Debug, Clone, Default)]
pub struct AccountRequest {
    pub email: String,
    pub password: Option<String>,
    pub display_name: Option<String>,
    pub timezone: Option<String>,
    pub is_admin: bool,
}

/// Trims and lower-cases an email and checks its shape.
///
/// # Errors
/// `Invalid` naming `email`.
pub fn normalize_email(email: &str) -> Result<String, Error> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(invalid(
            "email",
            "must be an email address such as ana@example.com",
        ))
    }
}

/// Checks an IANA zone name with the same policy as schedules: abbreviations and fixed
/// offsets (`EST`, `GMT+3`) are refused because they silently ignore daylight saving time.
///
/// # Errors
/// `Invalid` naming `field`.
pub fn check_timezone(field: &'static str, name: &str) -> Result<(), Error> {
    recflow_schedule::parse_zone(name)
        .map(|_| ())
        .map_err(|e| Error::Invalid {
            field,
            message: e.message,
        })
}

/// Checks a new password.
///
/// # Errors
/// `Invalid` naming `password`.
pub fn check_password(password: &str) -> Result<(), Error> {
    match password.chars().count() {
        0..8 => Err(invalid("password", "must be at least 8 characters")),
        8..=1024 => Ok(()),
        _ => Err(invalid("password", "must be at most 1024 characters")),
    }
}

/// Creates an account and a first personal token; returns the account and the token secret,
/// which is shown once.
///
/// # Errors
/// `Invalid` for a bad field; `Store(Conflict)` when the email is taken.
pub async fn create_with_token(
    store: &dyn Store,
    request: AccountRequest,
) -> Result<(User, String), Error> {
    let email = normalize_email(&request.email)?;
    let timezone = request.timezone.unwrap_or_else(|| "UTC".to_owned());
    check_timezone("timezone", &timezone)?;
    let password_hash = match request.password.as_deref() {
        Some(password) => {
            check_password(password)?;
            Some(auth::hash_password(password)?)
        }
        None => None,
    };
    let display_name = match request.display_name {
        Some(name) => check_display_name(name)?,
        None => email.split('@').next().unwrap_or_default().to_owned(),
    };

    let user = store
        .create_user(&NewUser {
            email,
            password_hash,
            display_name,
            timezone,
            is_admin: request.is_admin,
        })
        .await?;
    let (_, secret) = issue_token(store, &user, "initial", TokenKind::Personal, None).await?;
    Ok((user, secret))
}

/// Checks a display name and returns it trimmed.
///
/// # Errors
/// `Invalid` naming `display_name`.
pub fn check_display_name(name: String) -> Result<String, Error> {
    let name = name.trim().to_owned();
    match name.chars().count() {
        1..=200 => Ok(name),
        _ => Err(invalid("display_name", "must be 1 to 200 characters")),
    }
}

/// Mints a token for `user` and stores its hash; returns the stored token and the secret.
///
/// # Errors
/// `Invalid` for a bad name; store failures.
pub async fn issue_token(
    store: &dyn Store,
    user: &User,
    name: &str,
    kind: TokenKind,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(ApiToken, String), Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(invalid("name", "must be 1 to 100 characters"));
    }
    let minted = auth::mint_token();
    let token = store
        .create_token(&NewToken {
            user_id: user.id,
            name: name.to_owned(),
            kind,
            prefix: minted.prefix,
            token_hash: minted.hash,
            expires_at,
        })
        .await?;
    Ok((token, minted.secret))
}

fn invalid(field: &'static str, message: &str) -> Error {
    Error::Invalid {
        field,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  Ana@Example.COM ").expect("ok"),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "@example.com",
            "ana@",
            "a b@example.com",
            "a@b@c",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn abbreviations_and_offsets_are_not_time_zones() {
        for good in ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"] {
            assert!(check_timezone("timezone", good).is_ok(), "{good} refused");
        }
        for bad in ["EST", "MSK", "GMT+3", "Etc/GMT+3", "Mars/Olympus", ""] {
            assert!(check_timezone("timezone", bad).is_err(), "{bad} accepted");
        }
    }
}
