//! A table of bad requests: each must get a 4xx in the §10 shape naming the problem, never a
//! 5xx, and must change nothing.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Answer, TestApp, into_answer, spawn_app};

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    token: Option<String>,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
}

async fn send(app: &TestApp, case: &Case) -> Answer {
    let method = reqwest::Method::from_bytes(case.method.as_bytes()).expect("method");
    let mut request = app.client.request(method, app.url(&case.path));
    if let Some(token) = &case.token {
        request = request.bearer_auth(token);
    }
    if let Some(content_type) = case.content_type {
        request = request.header("content-type", content_type);
    }
    if let Some(body) = &case.body {
        request = request.body(body.clone());
    }
    into_answer(request.send().await.expect("sent")).await
}

#[tokio::test]
async fn bad_requests_get_clear_4xx_errors_and_change_nothing() {
    let app = spawn_app().await;
    let (ana_id, ana) = app.create_user("ana@example.com", None).await;
    let (_, bob) = app.create_user("bob@example.com", None).await;
    let ana_token = app
        .post("/api/v1/users/me/tokens", &ana, json!({"name": "t"}))
        .await;
    let ana_token_id = ana_token.body["id"].as_str().expect("id").to_owned();
    let admin = app.admin_token.clone();
    let json = Some("application/json");
    let case =
        |name, method, path: &str, token: Option<&str>, body: Option<&str>, status, code, field| {
            Case {
                name,
                method,
                path: path.to_owned(),
                token: token.map(str::to_owned),
                content_type: body.map(|_| "application/json"),
                body: body.map(|b| b.as_bytes().to_vec()),
                status,
                code,
                field,
            }
        };
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let tokens = "/api/v1/users/me/tokens";

    let cases = vec![
        case(
            "malformed json",
            "POST",
            tokens,
            Some(&ana),
            Some("{\"name\": "),
            StatusCode::BAD_REQUEST,
            "malformed-json",
            None,
        ),
        case(
            "trailing garbage",
            "POST",
            tokens,
            Some(&ana),
            Some("{\"name\": \"a\"} x"),
            StatusCode::BAD_REQUEST,
            "malformed-json",
            None,
        ),
        case(
            "unknown field",
            "POST",
            tokens,
            Some(&ana),
            Some("{\"name\": \"a\", \"colour\": 1}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("colour"),
        ),
        case(
            "wrong type",
            "POST",
            tokens,
            Some(&ana),
            Some("{\"name\": 5}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("name"),
        ),
        case(
            "missing field",
            "POST",
            tokens,
            Some(&ana),
            Some("{}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("name"),
        ),
        case(
            "empty name",
            "POST",
            tokens,
            Some(&ana),
            Some("{\"name\": \"  \"}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("name"),
        ),
        case(
            "array body",
            "POST",
            tokens,
            Some(&ana),
            Some("[1, 2]"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("body"),
        ),
        case(
            "nested wrong type",
            "PATCH",
            &format!("/api/v1/admin/users/{ana_id}/quotas"),
            Some(&admin),
            Some("{\"max_templates\": \"many\"}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("max_templates"),
        ),
        case(
            "negative quota",
            "PATCH",
            &format!("/api/v1/admin/users/{ana_id}/quotas"),
            Some(&admin),
            Some("{\"max_templates\": -1}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("max_templates"),
        ),
        case(
            "bad email",
            "POST",
            "/api/v1/admin/users",
            Some(&admin),
            Some("{\"email\": \"not-an-email\"}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("email"),
        ),
        case(
            "short password",
            "POST",
            "/api/v1/admin/users",
            Some(&admin),
            Some("{\"email\": \"c@example.com\", \"password\": \"short\"}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("password"),
        ),
        case(
            "zone abbreviation",
            "POST",
            "/api/v1/admin/users",
            Some(&admin),
            Some("{\"email\": \"c@example.com\", \"timezone\": \"MSK\"}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("timezone"),
        ),
        case(
            "oversize body",
            "POST",
            tokens,
            Some(&ana),
            Some(&huge),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            None,
        ),
        case(
            "no token",
            "GET",
            "/api/v1/users/me",
            None,
            None,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            None,
        ),
        case(
            "bad token",
            "GET",
            "/api/v1/users/me",
            Some("rf_not-a-real-token"),
            None,
            StatusCode::UNAUTHORIZED,
            "invalid-token",
            None,
        ),
        case(
            "other account's token id",
            "DELETE",
            &format!("{tokens}/{ana_token_id}"),
            Some(&bob),
            None,
            StatusCode::NOT_FOUND,
            "not-found",
            None,
        ),
        case(
            "malformed id",
            "DELETE",
            &format!("{tokens}/not-a-uuid"),
            Some(&bob),
            None,
            StatusCode::NOT_FOUND,
            "not-found",
            None,
        ),
        case(
            "missing account",
            "GET",
            "/api/v1/admin/users/00000000-0000-7000-8000-000000000000",
            Some(&admin),
            None,
            StatusCode::NOT_FOUND,
            "not-found",
            None,
        ),
        case(
            "limit too large",
            "GET",
            &format!("{tokens}?limit=500"),
            Some(&ana),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("limit"),
        ),
        case(
            "limit not a number",
            "GET",
            &format!("{tokens}?limit=ten"),
            Some(&ana),
            None,
            StatusCode::BAD_REQUEST,
            "invalid-query",
            None,
        ),
        case(
            "unknown query parameter",
            "GET",
            &format!("{tokens}?colour=red"),
            Some(&ana),
            None,
            StatusCode::BAD_REQUEST,
            "invalid-query",
            None,
        ),
        case(
            "bad cursor",
            "GET",
            &format!("{tokens}?cursor=abc"),
            Some(&ana),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-failed",
            Some("cursor"),
        ),
        case(
            "unknown route",
            "GET",
            "/api/v1/nothing-here",
            Some(&ana),
            None,
            StatusCode::NOT_FOUND,
            "not-found",
            None,
        ),
        case(
            "wrong method",
            "PUT",
            "/api/v1/users/me",
            Some(&ana),
            None,
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            None,
        ),
    ];
    let mut cases = cases;
    cases.push(Case {
        name: "not json content type",
        content_type: Some("text/plain"),
        ..case(
            "",
            "POST",
            tokens,
            Some(&ana),
            Some("{\"name\": \"a\"}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            None,
        )
    });
    cases.push(Case {
        name: "no content type",
        content_type: None,
        ..case(
            "",
            "POST",
            tokens,
            Some(&ana),
            Some("{\"name\": \"a\"}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            None,
        )
    });
    let _ = json;

    for case in &cases {
        let answer = send(&app, case).await;
        assert!(
            !answer.status.is_server_error(),
            "{}: got {} {}",
            case.name,
            answer.status,
            answer.body
        );
        assert_eq!(answer.status, case.status, "{}: {}", case.name, answer.body);
        assert_eq!(answer.error_code(), case.code, "{}", case.name);
        if let Some(field) = case.field {
            assert_eq!(
                answer.error_fields(),
                [field],
                "{}: {}",
                case.name,
                answer.body
            );
        }
    }

    let listed = app.get(tokens, &ana).await;
    assert_eq!(
        listed.body["items"].as_array().expect("items").len(),
        2,
        "no bad request created a token"
    );
    let quotas = app
        .get(&format!("/api/v1/admin/users/{ana_id}/quotas"), &admin)
        .await;
    assert_eq!(
        quotas.body["max_templates"], 50,
        "no bad request changed a quota"
    );
}

#[tokio::test]
async fn preset_folders_must_be_short_printable_and_inside_the_outputs_root() {
    let app = spawn_app().await;
    let (_, ana) = app.create_user("ana@example.com", None).await;
    let deep = "a/".repeat(3000);

    for path in ["../escape", "/etc", "a\u{0}b", deep.as_str(), ""] {
        let body = json!({"name": "p", "platform": "local_folder", "settings": {"path": path}});
        let answer = app.post("/api/v1/output-presets", &ana, body).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path:?}: {}",
            answer.body
        );
        assert_eq!(answer.error_fields(), ["settings.path"]);
    }
}
