//! A started fake with one app of each kind, and a raw HTTP client that never follows
//! redirects, so tests see exactly what the fake answers.

use chrono::{DateTime, Utc};
use recflow_fakes::FakeZoom;
use reqwest::redirect::Policy;
use serde_json::Value;

pub const S2S: (&str, &str, &str) = ("acct-1", "s2s-client", "s2s-secret");
pub const USER_APP: (&str, &str) = ("user-client", "user-secret");
pub const REFRESH_TOKEN: &str = "refresh-0";

pub async fn start() -> (FakeZoom, reqwest::Client) {
    let fake = FakeZoom::start().await;
    fake.add_s2s_credentials(S2S.0, S2S.1, S2S.2);
    fake.add_user_oauth(USER_APP.0, USER_APP.1, REFRESH_TOKEN);
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client builds");
    (fake, http)
}

pub async fn s2s_token(fake: &FakeZoom, http: &reqwest::Client) -> String {
    let body: Value = http
        .post(format!("{}/oauth/token", fake.base_url()))
        .basic_auth(S2S.1, Some(S2S.2))
        .form(&[("grant_type", "account_credentials"), ("account_id", S2S.0)])
        .send()
        .await
        .expect("fake answers")
        .json()
        .await
        .expect("json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid")
        .with_timezone(&Utc)
}

pub async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("json body"))
}
