//! Login, tokens, accounts and quotas through the API.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn first_start_creates_an_admin_whose_token_is_saved_privately() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app().await;

    let me = app.get("/api/v1/users/me", &app.admin_token).await;
    let file = app.data_dir.path().join("initial-admin-token");
    let saved = std::fs::read_to_string(&file).expect("token file");
    let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;

    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["email"], "admin@localhost");
    assert_eq!(me.body["is_admin"], true);
    assert_eq!(me.body["timezone"], "UTC");
    assert_eq!(saved.trim(), app.admin_token);
    assert_eq!(mode, 0o600);
}

#[tokio::test]
async fn login_gives_a_session_token_that_logout_revokes() {
    let app = spawn_app().await;
    app.create_user("ana@example.com", Some("correct horse"))
        .await;

    let login = app.login("ANA@example.com ", "correct horse").await;
    let token = login.body["token"].as_str().expect("token").to_owned();
    let me = app.get("/api/v1/users/me", &token).await;
    let logout = app
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    let after = app.get("/api/v1/users/me", &token).await;

    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["user"]["email"], "ana@example.com");
    assert!(login.body["expires_at"].is_string());
    assert_eq!(me.body["email"], "ana@example.com");
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.error_code(), "invalid-token");
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_rate_limited() {
    let app = spawn_app().await;
    app.create_user("ana@example.com", Some("correct horse"))
        .await;

    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(app.login("ana@example.com", "wrong horse").await.status);
    }
    let limited = app.login("ana@example.com", "correct horse").await;
    let unknown = app.login("nobody@example.com", "whatever1").await;

    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.error_code(), "rate-limited");
    assert!(limited.headers.contains_key("retry-after"));
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.error_code(), "invalid-credentials");
}

#[tokio::test]
async fn personal_token_secret_is_shown_once_and_revocable() {
    let app = spawn_app().await;
    let (_, token) = app.create_user("ana@example.com", None).await;

    let created = app
        .post("/api/v1/users/me/tokens", &token, json!({"name": "laptop"}))
        .await;
    let secret = created.body["secret"].as_str().expect("secret").to_owned();
    let id = created.body["id"].as_str().expect("id").to_owned();
    let listed = app.get("/api/v1/users/me/tokens", &token).await;
    let works = app.get("/api/v1/users/me", &secret).await;
    let revoked = app
        .delete(&format!("/api/v1/users/me/tokens/{id}"), &token)
        .await;
    let after = app.get("/api/v1/users/me", &secret).await;

    assert_eq!(created.status, StatusCode::CREATED);
    assert!(secret.starts_with("rf_"));
    let items = listed.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "initial token and the new one");
    assert!(
        !listed.body.to_string().contains(&secret),
        "a listing never shows a secret"
    );
    assert!(items.iter().all(|t| t.get("secret").is_none()));
    assert_eq!(works.status, StatusCode::OK);
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_accounts_token_behaves_as_missing() {
    let app = spawn_app().await;
    let (_, ana) = app.create_user("ana@example.com", None).await;
    let (_, bob) = app.create_user("bob@example.com", None).await;
    let created = app
        .post("/api/v1/users/me/tokens", &ana, json!({"name": "ana's"}))
        .await;
    let id = created.body["id"].as_str().expect("id");

    let attempt = app
        .delete(&format!("/api/v1/users/me/tokens/{id}"), &bob)
        .await;
    let missing = app
        .delete(&format!("/api/v1/users/me/tokens/{}", uuid_v4()), &bob)
        .await;

    assert_eq!(attempt.status, StatusCode::NOT_FOUND);
    assert_eq!(
        attempt.body, missing.body,
        "another account's id looks exactly like a missing one"
    );
    let secret = created.body["secret"].as_str().expect("secret");
    assert_eq!(
        app.get("/api/v1/users/me", secret).await.status,
        StatusCode::OK
    );
}

fn uuid_v4() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn quotas_show_defaults_and_admin_changes() {
    let app = spawn_app().await;
    let (id, token) = app.create_user("ana@example.com", None).await;

    let before = app.get("/api/v1/users/me/quotas", &token).await;
    let patch = json!({"max_automation_jobs": 7, "min_automation_interval_hours": 0});
    let patched = app
        .patch(
            &format!("/api/v1/admin/users/{id}/quotas"),
            &app.admin_token,
            patch,
        )
        .await;
    let after = app.get("/api/v1/users/me/quotas", &token).await;

    assert_eq!(before.body["max_automation_jobs"], 5);
    assert_eq!(before.body["min_automation_interval_hours"], 1);
    assert_eq!(before.body["usage"]["automation_jobs"], 0);
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(after.body["max_automation_jobs"], 7);
    assert_eq!(after.body["min_automation_interval_hours"], 0);
    assert_eq!(after.body["max_templates"], before.body["max_templates"]);
}

#[tokio::test]
async fn admin_endpoints_are_forbidden_to_other_accounts() {
    let app = spawn_app().await;
    let (id, token) = app.create_user("ana@example.com", None).await;

    let list = app.get("/api/v1/admin/users", &token).await;
    let quotas = app
        .patch(
            &format!("/api/v1/admin/users/{id}/quotas"),
            &token,
            json!({"max_templates": 999}),
        )
        .await;
    let create = app
        .post(
            "/api/v1/admin/users",
            &token,
            json!({"email": "x@example.com"}),
        )
        .await;

    for answer in [&list, &quotas, &create] {
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        assert_eq!(answer.error_code(), "forbidden");
    }
    let mine = app.get("/api/v1/users/me/quotas", &token).await;
    assert_eq!(mine.body["max_templates"], 50);
}

#[tokio::test]
async fn admin_lists_accounts_in_pages_and_duplicates_conflict() {
    let app = spawn_app().await;
    for i in 0..4 {
        app.create_user(&format!("u{i}@example.com"), None).await;
    }

    let first = app
        .get("/api/v1/admin/users?limit=3", &app.admin_token)
        .await;
    let cursor = first.body["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let second = app
        .get(
            &format!("/api/v1/admin/users?limit=3&cursor={cursor}"),
            &app.admin_token,
        )
        .await;
    let duplicate = app
        .post(
            "/api/v1/admin/users",
            &app.admin_token,
            json!({"email": "U1@example.com"}),
        )
        .await;

    assert_eq!(first.body["items"].as_array().expect("items").len(), 3);
    assert_eq!(second.body["items"].as_array().expect("items").len(), 2);
    assert!(second.body["next_cursor"].is_null());
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.error_code(), "conflict");
}

#[tokio::test]
async fn a_disabled_account_loses_access_at_once() {
    let app = spawn_app().await;
    let (id, token) = app
        .create_user("ana@example.com", Some("correct horse"))
        .await;

    let disabled = app
        .patch(
            &format!("/api/v1/admin/users/{id}"),
            &app.admin_token,
            json!({"disabled": true}),
        )
        .await;
    let with_token = app.get("/api/v1/users/me", &token).await;
    let login = app.login("ana@example.com", "correct horse").await;

    assert_eq!(disabled.body["disabled"], true);
    assert_eq!(with_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let me = app.get("/api/v1/users/me", &app.admin_token).await;
    let id = me.body["id"].as_str().expect("id");

    let answer = app
        .patch(
            &format!("/api/v1/admin/users/{id}"),
            &app.admin_token,
            json!({"disabled": true}),
        )
        .await;

    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.error_fields(), ["disabled"]);
}

#[tokio::test]
async fn registration_is_closed_by_default_and_open_when_configured() {
    let closed = spawn_app().await;
    let open = crate::helpers::spawn_app_with(|c| c.allow_registration = true).await;
    let body = json!({"email": "ana@example.com", "password": "correct horse"});

    let refused = closed
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(body.clone()),
        )
        .await;
    let created = open
        .call(Method::POST, "/api/v1/auth/register", None, Some(body))
        .await;

    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "registration-disabled");
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["user"]["is_admin"], false);
}

#[tokio::test]
async fn users_change_their_own_timezone_but_not_to_an_abbreviation() {
    let app = spawn_app().await;
    let (_, token) = app.create_user("ana@example.com", None).await;

    let good = app
        .patch(
            "/api/v1/users/me",
            &token,
            json!({"timezone": "Asia/Tokyo"}),
        )
        .await;
    let bad = app
        .patch("/api/v1/users/me", &token, json!({"timezone": "EST"}))
        .await;

    assert_eq!(good.body["timezone"], "Asia/Tokyo");
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["timezone"]);
}
