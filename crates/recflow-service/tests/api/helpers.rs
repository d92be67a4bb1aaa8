//! `spawn_app()` and one method per endpoint family.

use std::net::SocketAddr;

use std::sync::Arc;

use recflow_service::clock::{Clock, SystemClock};
use recflow_service::config::Config;
use recflow_service::roles::Role;
use recflow_service::server::Server;
use recflow_service::state::AppState;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

pub struct TestApp {
    pub addr: SocketAddr,
    /// The server's shared state (store, clock), for tests that drive the scheduler and
    /// workers themselves.
    pub state: AppState,
    pub database_url: String,
    pub client: reqwest::Client,
    pub admin_token: String,
    pub data_dir: tempfile::TempDir,
    shutdown: CancellationToken,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A response: status, headers and JSON body (`Value::Null` when empty or not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The §10 error code, asserting the error shape on the way.
    pub fn error_code(&self) -> &str {
        let error = &self.body["error"];
        assert!(
            error["message"].is_string(),
            "no error message in {}",
            self.body
        );
        assert!(
            error["details"].is_array(),
            "no error details in {}",
            self.body
        );
        error["code"].as_str().expect("error code")
    }

    /// The fields named in the error details.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["error"]["details"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub async fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("RECFLOW_TEST_DATABASE").as_deref() {
        Ok("postgres") => recflow_store_postgres::testing::fresh_database_url().await,
        _ => format!("sqlite://{}", dir.join("recflow.db").display()),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_at(Arc::new(SystemClock), adjust).await
}

/// A server whose notion of "now" is `clock`.
pub async fn spawn_app_at(clock: Arc<dyn Clock>, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        data_dir: data_dir.path().to_path_buf(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Config::default()
    };
    let url = database_url(data_dir.path()).await;
    if url.starts_with("postgres") {
        // Cluster mode has no key file: the key comes from configuration, as in production.
        config.secret_key = Some(
            "Y2x1c3Rlci10ZXN0LWtleS0zMi1ieXRlcy1sb25nISE="
                .to_owned()
                .into(),
        );
    }
    config.database_url = Some(url.clone().into());
    adjust(&mut config);

    let shutdown = CancellationToken::new();
    let server = Server::start_with_clock(config, &[Role::Api], shutdown.clone(), clock)
        .await
        .expect("server starts");
    let state = server.state.clone();
    let addr = server.addr.expect("api listens");
    let admin_token = server
        .initial_admin
        .as_ref()
        .expect("first start creates an admin")
        .token
        .clone();
    tokio::spawn(server.wait(shutdown.clone()));

    TestApp {
        addr,
        state,
        database_url: url,
        client: reqwest::Client::new(),
        admin_token,
        data_dir,
        shutdown,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends `body` as JSON (when given) with `token` as bearer (when given).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        into_answer(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Creates an account through the admin API; returns its id and token.
    pub async fn create_user(&self, email: &str, password: Option<&str>) -> (String, String) {
        let mut body = json!({"email": email, "timezone": "Europe/Berlin"});
        if let Some(password) = password {
            body["password"] = json!(password);
        }
        let answer = self
            .post("/api/v1/admin/users", &self.admin_token, body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let id = answer.body["user"]["id"].as_str().expect("id").to_owned();
        let token = answer.body["token"].as_str().expect("token").to_owned();
        (id, token)
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer {
        let body = json!({"email": email, "password": password});
        self.call(Method::POST, "/api/v1/auth/login", None, Some(body))
            .await
    }
}

pub async fn into_answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// Every row of every table as text, for proving that something wrote nothing.
pub async fn dump_database(url: &str) -> String {
    use sqlx::{Connection, Row};
    let mut out = String::new();
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .expect("tables");
        for table in tables {
            let sql = format!("SELECT row_to_json(t)::text FROM {table} t ORDER BY 1");
            let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(&mut conn)
                .await
                .expect("rows");
            out.push_str(&format!("== {table}\n{}\n", rows.join("\n")));
        }
        return out;
    }
    let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .expect("tables");
    for table in tables {
        let columns: Vec<String> =
            sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
                .fetch_all(&mut conn)
                .await
                .expect("columns")
                .iter()
                .map(|row| row.get::<String, _>("name"))
                .collect();
        let quoted: Vec<String> = columns.iter().map(|c| format!("quote({c})")).collect();
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY 1",
            quoted.join(" || '|' || ")
        );
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut conn)
            .await
            .expect("rows");
        out.push_str(&format!("== {table}\n{}\n", rows.join("\n")));
    }
    out
}
