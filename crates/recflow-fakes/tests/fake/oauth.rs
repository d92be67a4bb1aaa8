//! The token endpoint.

use serde_json::Value;

use crate::support::*;

async fn post_token(
    fake: &recflow_fakes::FakeZoom,
    http: &reqwest::Client,
    client: (&str, &str),
    form: &[(&str, &str)],
) -> (u16, Value) {
    let response = http
        .post(format!("{}/oauth/token", fake.base_url()))
        .basic_auth(client.0, Some(client.1))
        .form(form)
        .send()
        .await
        .expect("fake answers");
    json_of(response).await
}

#[tokio::test]
async fn s2s_grant_is_accepted_in_the_query_string_as_in_zooms_samples() {
    let (fake, http) = start().await;

    let url = format!(
        "{}/oauth/token?grant_type=account_credentials&account_id={}",
        fake.base_url(),
        S2S.0
    );
    let response = http
        .post(url)
        .basic_auth(S2S.1, Some(S2S.2))
        .send()
        .await
        .expect("answers");
    let (status, body) = json_of(response).await;

    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3599);
    assert!(body.get("refresh_token").is_none());
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_client() {
    let (fake, http) = start().await;

    let (status, body) = post_token(
        &fake,
        &http,
        (S2S.1, "nope"),
        &[("grant_type", "account_credentials"), ("account_id", S2S.0)],
    )
    .await;

    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["reason"], "Invalid client_id or client_secret");
}

#[tokio::test]
async fn s2s_grant_with_a_user_app_is_an_unsupported_grant_type() {
    let (fake, http) = start().await;

    let (status, body) = post_token(
        &fake,
        &http,
        USER_APP,
        &[("grant_type", "account_credentials"), ("account_id", S2S.0)],
    )
    .await;

    assert_eq!(status, 400);
    assert_eq!(body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn a_refresh_rotates_the_refresh_token_and_the_used_one_is_rejected() {
    let (fake, http) = start().await;
    let refresh = |token: String| {
        let (fake, http) = (&fake, &http);
        async move {
            post_token(
                fake,
                http,
                USER_APP,
                &[("grant_type", "refresh_token"), ("refresh_token", &token)],
            )
            .await
        }
    };

    let (first_status, first) = refresh(REFRESH_TOKEN.to_owned()).await;
    let (replay_status, replay) = refresh(REFRESH_TOKEN.to_owned()).await;
    let rotated = first["refresh_token"]
        .as_str()
        .expect("rotated token")
        .to_owned();
    let (next_status, _) = refresh(rotated.clone()).await;

    assert_eq!(first_status, 200);
    assert_ne!(rotated, REFRESH_TOKEN);
    assert_eq!(
        (replay_status, replay["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(replay["reason"], "Invalid Token!");
    assert_eq!(next_status, 200);
}

#[tokio::test]
async fn the_token_lifetime_is_configurable() {
    let (fake, http) = start().await;
    fake.set_token_ttl(5);

    let (_, body) = post_token(
        &fake,
        &http,
        S2S_CLIENT,
        &[("grant_type", "account_credentials"), ("account_id", S2S.0)],
    )
    .await;

    assert_eq!(body["expires_in"], 5);
}

#[tokio::test]
async fn a_request_without_basic_auth_is_invalid_client() {
    let (fake, http) = start().await;

    let response = http
        .post(format!("{}/oauth/token", fake.base_url()))
        .form(&[("grant_type", "account_credentials"), ("account_id", S2S.0)])
        .send()
        .await
        .expect("answers");
    let (status, body) = json_of(response).await;

    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_client"))
    );
}

const S2S_CLIENT: (&str, &str) = (S2S.1, S2S.2);
