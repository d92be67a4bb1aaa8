//! Offline account commands: they open the database directly, so they work before the API
//! is up and beside a running server.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use recflow_service::accounts::{self, AccountRequest};
use recflow_service::config::Config;
use recflow_service::database;
use recflow_store::{PageRequest, Store, TokenKind, UserPatch};

use crate::cli::{TokenCommand, UserCommand};

pub async fn user(command: UserCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let store = database::open(&config.database_url(), database::Mode::Command).await?;
    match command {
        UserCommand::Create {
            email,
            admin,
            display_name,
            timezone,
            password_stdin,
        } => {
            let password = if password_stdin {
                Some(read_password()?)
            } else {
                None
            };
            let request = AccountRequest {
                email,
                password,
                display_name,
                timezone,
                is_admin: admin,
            };
            let (_, token) = accounts::create_with_token(store.as_ref(), request).await?;
            println!("{token}");
        }
        UserCommand::List { json } => list_users(store.as_ref(), json).await?,
        UserCommand::Disable { email } => {
            let user = find(store.as_ref(), &email).await?;
            let patch = UserPatch {
                disabled: Some(true),
                ..UserPatch::default()
            };
            store.update_user(user.id, &patch).await?;
            eprintln!("recflow: disabled {}", user.email);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn token(command: TokenCommand, config: &Config) -> anyhow::Result<ExitCode> {
    let store = database::open(&config.database_url(), database::Mode::Command).await?;
    let TokenCommand::Create { email, name } = command;
    let user = find(store.as_ref(), &email).await?;
    let (_, secret) =
        accounts::issue_token(store.as_ref(), &user, &name, TokenKind::Personal, None).await?;
    println!("{secret}");
    Ok(ExitCode::SUCCESS)
}

async fn find(store: &dyn Store, email: &str) -> anyhow::Result<recflow_store::User> {
    let email = accounts::normalize_email(email)?;
    match store.find_user_by_email(&email).await {
        Ok(user) => Ok(user),
        Err(recflow_store::Error::NotFound { .. }) => bail!("no account with email {email}"),
        Err(other) => Err(other.into()),
    }
}

async fn list_users(store: &dyn Store, json: bool) -> anyhow::Result<()> {
    let mut users = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_users(PageRequest { limit: 200, after }).await?;
        users.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    if json {
        let rows: Vec<_> = users
            .iter()
            .map(|u| {
                serde_json::json!({"id": u.id, "email": u.email, "display_name": u.display_name,
                    "timezone": u.timezone, "is_admin": u.is_admin, "disabled": u.disabled,
                    "created_at": u.created_at})
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "{:<36}  {:<32}  {:<5}  {:<8}  TIMEZONE",
        "ID", "EMAIL", "ADMIN", "DISABLED"
    );
    for u in &users {
        println!(
            "{:<36}  {:<32}  {:<5}  {:<8}  {}",
            u.id, u.email, u.is_admin, u.disabled, u.timezone
        );
    }
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
