//! The HTTP client behind the CLI's client commands: the server at `RECFLOW_URL` (default
//! `http://127.0.0.1:8080`) with the token from `RECFLOW_TOKEN`, or else from
//! `~/.config/recflow/token`, or else the first-start admin token of `./recflow-data`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A logged-in connection to a recflow server.
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    /// Connects with the URL and token found in the environment or files.
    ///
    /// # Errors
    /// When no token can be found.
    pub fn from_env(data_dir: &std::path::Path) -> anyhow::Result<Self> {
        let base =
            std::env::var("RECFLOW_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".to_owned());
        let token = match std::env::var("RECFLOW_TOKEN") {
            Ok(token) if !token.trim().is_empty() => token.trim().to_owned(),
            _ => token_from_files(data_dir)?,
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .context("cannot build the HTTP client")?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
        })
    }

    /// Sends a request and returns the JSON answer (`Value::Null` for 204).
    ///
    /// # Errors
    /// When the server cannot be reached or answers with an error; the message is the
    /// server's own, with the fields it names.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut request = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("cannot reach {}; is `recflow serve` running?", self.base))?;
        let status = response.status();
        let text = response.text().await.context("cannot read the answer")?;
        if status == StatusCode::NO_CONTENT {
            return Ok(Value::Null);
        }
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if status.is_success() {
            return Ok(value);
        }
        bail!("{}", describe_error(status, &value))
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        self.call(Method::POST, path, Some(body)).await
    }
}

fn describe_error(status: StatusCode, body: &Value) -> String {
    let error = &body["error"];
    let mut text = format!(
        "{} ({status})",
        error["message"].as_str().unwrap_or("request failed")
    );
    for detail in error["details"].as_array().into_iter().flatten() {
        text.push_str(&format!(
            "\n  {}: {}",
            detail["field"].as_str().unwrap_or(""),
            detail["message"].as_str().unwrap_or("")
        ));
    }
    text
}

fn token_from_files(data_dir: &std::path::Path) -> anyhow::Result<String> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join(".config/recflow/token"));
    }
    candidates.push(data_dir.join("initial-admin-token"));
    for path in &candidates {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if !text.trim().is_empty() {
            return Ok(text.trim().to_owned());
        }
    }
    bail!(
        "no API token: set RECFLOW_TOKEN (see `recflow token create`) or write it to ~/.config/recflow/token"
    )
}

/// Prints rows as an aligned table.
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(headers.iter().map(|h| (*h).to_owned()).collect());
    for row in rows {
        line(row.clone());
    }
}

/// A JSON field as table text.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
