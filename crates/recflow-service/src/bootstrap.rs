//! First start: an empty database gets an admin account whose token is printed once and
//! written to `<data-dir>/initial-admin-token` (mode 0600).

use std::io::Write;
use std::path::{Path, PathBuf};

use recflow_store::Store;

use crate::accounts::{self, AccountRequest};

/// Why the first admin could not be created.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Account(#[from] accounts::Error),
    #[error(transparent)]
    Store(#[from] recflow_store::Error),
    #[error("cannot write the initial admin token to {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The admin created on first start.
pub struct InitialAdmin {
    pub email: String,
    pub token: String,
    pub token_file: PathBuf,
}

/// Creates the first admin if the database has no account yet.
///
/// # Errors
/// When the account or the token file cannot be created. Another replica creating the admin
/// at the same moment is not an error: the unique email makes one of them win.
pub async fn ensure_initial_admin(
    store: &dyn Store,
    admin_email: &str,
    data_dir: &Path,
) -> Result<Option<InitialAdmin>, Error> {
    if store.count_users().await? > 0 {
        return Ok(None);
    }
    let request = AccountRequest {
        email: admin_email.to_owned(),
        display_name: Some("Administrator".to_owned()),
        is_admin: true,
        ..AccountRequest::default()
    };
    let (user, token) = match accounts::create_with_token(store, request).await {
        Ok(created) => created,
        Err(accounts::Error::Store(recflow_store::Error::Conflict { .. })) => return Ok(None),
        Err(other) => return Err(other.into()),
    };
    let token_file = data_dir.join("initial-admin-token");
    write_private(&token_file, &token).map_err(|source| Error::Write {
        path: token_file.clone(),
        source,
    })?;
    Ok(Some(InitialAdmin {
        email: user.email,
        token,
        token_file,
    }))
}

/// Writes `contents` readable by the owner only.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;

    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    writeln!(file, "{contents}")
}
