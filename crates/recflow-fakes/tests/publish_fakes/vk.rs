//! The fake VK: envelopes, tokens, the rate limit, the upload host and albums.

use recflow_fakes::vk::UPLOAD_EXPIRED_CODE;
use recflow_fakes::{FakeVk, VkFault};
use reqwest::Client;
use serde_json::Value;

const TOKEN: &str = "vk1.a.TOKEN";

async fn setup() -> (FakeVk, Client) {
    let fake = FakeVk::start().await;
    fake.add_user_token(TOKEN, 42);
    (fake, Client::new())
}

async fn call(fake: &FakeVk, http: &Client, method: &str, form: &[(&str, &str)]) -> Value {
    let response = http
        .post(format!("{}/{method}", fake.api_url()))
        .form(form)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        response.status().as_u16(),
        200,
        "VK answers errors with HTTP 200"
    );
    response.json().await.expect("json")
}

async fn save(fake: &FakeVk, http: &Client) -> Value {
    let body = call(
        fake,
        http,
        "video.save",
        &[("name", "Sync"), ("v", "5.199"), ("access_token", TOKEN)],
    )
    .await;
    body["response"].clone()
}

async fn upload(http: &Client, url: &str, content: &[u8]) -> Value {
    let mut body = b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"video_file\"; \
                     filename=\"a.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"
        .to_vec();
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n--BOUNDARY--\r\n");
    http.post(url)
        .header("content-type", "multipart/form-data; boundary=BOUNDARY")
        .body(body)
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn calls_need_a_version_a_token_and_a_form_body() {
    let (fake, http) = setup().await;
    let url = format!("{}/video.save", fake.api_url());

    let no_version = call(&fake, &http, "video.save", &[("access_token", TOKEN)]).await;
    let no_token = call(&fake, &http, "video.save", &[("v", "5.199")]).await;
    let json_body: Value = http
        .post(&url)
        .json(&serde_json::json!({"v": "5.199", "access_token": TOKEN}))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    let get = http.get(&url).send().await.expect("answers");

    assert_eq!(no_version["error"]["error_code"], 8);
    assert_eq!(no_token["error"]["error_code"], 5);
    assert_eq!(json_body["error"]["error_code"], 8);
    assert_eq!(get.status().as_u16(), 405);
}

#[tokio::test]
async fn a_bearer_header_works_and_a_revoked_token_is_error_5() {
    let (fake, http) = setup().await;
    let url = format!("{}/video.save", fake.api_url());

    let bearer: Value = http
        .post(&url)
        .bearer_auth(TOKEN)
        .form(&[("v", "5.199"), ("name", "x")])
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    fake.revoke_token(TOKEN);
    let revoked = call(
        &fake,
        &http,
        "video.save",
        &[("v", "5.199"), ("access_token", TOKEN)],
    )
    .await;

    assert!(bearer["response"]["upload_url"].is_string());
    assert_eq!(revoked["error"]["error_code"], 5);
    assert_eq!(revoked["error"]["request_params"][0]["key"], "method");
}

#[tokio::test]
async fn a_fourth_call_within_a_second_is_error_6() {
    let (fake, http) = setup().await;
    let form = [("v", "5.199"), ("access_token", TOKEN), ("name", "x")];

    let mut codes = Vec::new();
    for _ in 0..4 {
        let body = call(&fake, &http, "video.save", &form).await;
        codes.push(body["error"]["error_code"].as_i64());
    }

    assert_eq!(codes, vec![None, None, None, Some(6)]);
    assert_eq!(fake.rate_limited_calls(), 1);
    assert_eq!(fake.videos_saved(), 3);
}

#[tokio::test]
async fn both_captcha_forms_come_on_demand_and_may_echo_the_token() {
    let (fake, http) = setup().await;
    fake.echo_token_in_errors(true);
    fake.fail_next(1, VkFault::Captcha);
    fake.fail_next(1, VkFault::CaptchaRedirect);
    let form = [("v", "5.199"), ("access_token", TOKEN)];

    let classic = call(&fake, &http, "video.save", &form).await;
    let redirect = call(&fake, &http, "video.save", &form).await;

    assert_eq!(classic["error"]["error_code"], 14);
    assert!(classic["error"]["captcha_sid"].is_string());
    assert_eq!(redirect["error"]["error_code"], 14);
    assert!(
        redirect["error"]["redirect_uri"]
            .as_str()
            .is_some_and(|u| u.contains("not_robot_captcha"))
    );
    assert!(
        classic.to_string().contains(TOKEN),
        "old servers echo the token"
    );
}

#[tokio::test]
async fn the_upload_host_stores_the_file_and_answers_without_an_envelope() {
    let (fake, http) = setup().await;
    let saved = save(&fake, &http).await;
    let url = saved["upload_url"].as_str().expect("upload_url");

    let answer = upload(&http, url, b"video bytes").await;

    assert_eq!(answer["size"], 11);
    assert_eq!(answer["owner_id"], 42);
    assert_eq!(answer["video_id"], saved["video_id"]);
    assert!(answer.get("response").is_none());
    assert_eq!(
        fake.videos()[0].content.as_deref(),
        Some(&b"video bytes"[..])
    );
    assert_eq!(fake.videos_uploaded(), 1);
}

#[tokio::test]
async fn the_upload_host_can_be_too_fast_and_rejects_expired_urls() {
    let (fake, http) = setup().await;
    fake.fail_next(1, VkFault::TooFast);
    fake.fail_next(1, VkFault::ExpiredUploadUrl);
    let saved = save(&fake, &http).await;
    let url = saved["upload_url"].as_str().expect("upload_url");

    let fast = upload(&http, url, b"x").await;
    let expired = upload(&http, url, b"x").await;

    assert_eq!(fast["error"], "too fast");
    assert_eq!(fast["error_code"], -12);
    assert_eq!(expired["error_code"], UPLOAD_EXPIRED_CODE);
    assert_eq!(fake.videos_uploaded(), 0);
}

#[tokio::test]
async fn adding_a_video_to_an_album_twice_is_error_800() {
    let (fake, http) = setup().await;
    fake.add_album(42, 7);
    let saved = save(&fake, &http).await;
    let video_id = saved["video_id"].to_string();
    let form = [
        ("v", "5.199"),
        ("access_token", TOKEN),
        ("album_id", "7"),
        ("owner_id", "42"),
        ("video_id", video_id.as_str()),
    ];

    let first = call(&fake, &http, "video.addToAlbum", &form).await;
    let second = call(&fake, &http, "video.addToAlbum", &form).await;

    assert_eq!(first["response"], 1);
    assert_eq!(second["error"]["error_code"], 800);
    assert_eq!(fake.album_videos(42, 7).len(), 1);
}
