//! Health, readiness, metrics, request ids and the API documents.

use reqwest::{Method, StatusCode};

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_and_ready_answer_without_a_token() {
    let app = spawn_app().await;

    let health = app.call(Method::GET, "/health", None, None).await;
    let ready = app.call(Method::GET, "/ready", None, None).await;

    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body["status"], "ready");
    let expected = if std::env::var("RECFLOW_TEST_DATABASE").as_deref() == Ok("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(ready.body["database"], expected);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;

    let answer = app.call(Method::GET, "/api/v1/users/me", None, None).await;

    let id = answer
        .headers
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .expect("ascii");
    assert_eq!(id.len(), 36, "a UUID: {id}");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.get("/api/v1/users/me", &app.admin_token).await;

    let response = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    let text = response.text().await.expect("text");

    assert!(text.contains("recflow_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/users/me\""), "{text}");
}

#[tokio::test]
async fn openapi_document_describes_every_endpoint() {
    let app = spawn_app().await;

    let doc = app
        .call(Method::GET, "/api/v1/openapi.json", None, None)
        .await;

    assert_eq!(doc.status, StatusCode::OK);
    assert!(
        doc.body["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.1")
    );
    let paths = doc.body["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/auth/login",
        "/api/v1/users/me",
        "/api/v1/users/me/quotas",
        "/api/v1/users/me/tokens/{id}",
        "/api/v1/admin/users/{id}/quotas",
        "/api/v1/automation/schedules/preview",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().expect("operations") {
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
        }
    }
    assert!(doc.body["components"]["schemas"]["LoginRequest"]["example"].is_object());
}

#[tokio::test]
async fn interactive_docs_load_without_the_internet() {
    let app = spawn_app().await;

    let page = app
        .client
        .get(app.url("/docs/"))
        .send()
        .await
        .expect("docs");
    let status = page.status();
    let html = page.text().await.expect("html");
    let script = app
        .client
        .get(app.url("/docs/swagger-ui-bundle.js"))
        .send()
        .await
        .expect("js");

    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("src=\"http"),
        "the page must not load scripts from elsewhere"
    );
    assert_eq!(script.status(), StatusCode::OK);
}
