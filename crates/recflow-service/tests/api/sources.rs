//! Input sources and recordings: a real folder of generated media synced through the API.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};
use crate::media::tone_mp4;

async fn app_with_folder() -> (TestApp, tempfile::TempDir) {
    let root = tempfile::tempdir().expect("root");
    // Local folders of an account live under `<root>/<email>/`.
    std::fs::create_dir_all(root.path().join("ana@example.com").join("lectures")).expect("dir");
    let root_path = root.path().to_path_buf();
    let app = spawn_app_with(move |c| c.local_sources_root = Some(root_path)).await;
    (app, root)
}

async fn create_folder_source(app: &TestApp, token: &str) -> String {
    let body = json!({"name": "Lectures", "type": "local_folder", "config": {"path": "lectures"},
        "min_duration_seconds": 3, "min_size_bytes": 1000});
    let answer = app.post("/api/v1/input-sources", token, body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_str().expect("id").to_owned()
}

/// Runs a manual sync and waits for it to finish; returns the last result.
async fn sync(app: &TestApp, token: &str, id: &str) -> Value {
    let started = app
        .post(
            &format!("/api/v1/input-sources/{id}/sync"),
            token,
            json!({}),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    for _ in 0..200 {
        let status = app
            .get(&format!("/api/v1/input-sources/{id}/status"), token)
            .await;
        if status.body["state"] == "idle" {
            assert!(status.body["last_error"].is_null(), "{}", status.body);
            return status.body["last_result"].clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("sync did not finish");
}

fn meeting_dir(root: &Path, topic: &str) -> std::path::PathBuf {
    let stamp = (chrono::Utc::now() - chrono::Duration::hours(3)).format("%Y-%m-%d %H.%M.%S");
    root.join("ana@example.com")
        .join("lectures")
        .join(format!("{stamp} {topic} 81234567890"))
}

#[tokio::test]
async fn a_folder_syncs_once_stable_skips_blanks_and_rewrites_nothing() {
    let (app, root) = app_with_folder().await;
    let (_, token) = app.create_user("ana@example.com", None).await;
    tone_mp4(&meeting_dir(root.path(), "Algebra").join("video1.mp4"), 5);
    tone_mp4(&meeting_dir(root.path(), "Oops").join("video1.mp4"), 1);
    let id = create_folder_source(&app, &token).await;

    let first = sync(&app, &token, &id).await;
    let second = sync(&app, &token, &id).await;
    let third = sync(&app, &token, &id).await;
    let listed = app
        .get(&format!("/api/v1/recordings?source_id={id}"), &token)
        .await;

    assert_eq!(
        (
            first["listed"].as_u64(),
            first["new"].as_u64(),
            first["pending"].as_u64()
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(
        (second["updated"].as_u64(), second["skipped"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (third["new"].as_u64(), third["updated"].as_u64()),
        (Some(0), Some(0)),
        "a re-sync of unchanged files writes nothing"
    );
    let items = listed.body["items"].as_array().expect("items");
    let by_title = |t: &str| {
        items
            .iter()
            .find(|r| r["title"] == t)
            .expect("recording")
            .clone()
    };
    assert_eq!(by_title("Algebra")["status"], "INITIALIZED");
    assert_eq!(by_title("Algebra")["duration_seconds"], 5);
    assert_eq!(by_title("Oops")["status"], "SKIPPED");
    assert_eq!(by_title("Oops")["skip_reason"], "blank");
}

#[tokio::test]
async fn a_deleted_recording_stays_deleted_after_a_sync() {
    let (app, root) = app_with_folder().await;
    let (_, token) = app.create_user("ana@example.com", None).await;
    tone_mp4(&meeting_dir(root.path(), "Algebra").join("video1.mp4"), 4);
    let id = create_folder_source(&app, &token).await;
    sync(&app, &token, &id).await;
    let listed = app.get("/api/v1/recordings", &token).await;
    let recording = listed.body["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let deleted = app
        .delete(&format!("/api/v1/recordings/{recording}"), &token)
        .await;
    let after = sync(&app, &token, &id).await;
    let again = app.get("/api/v1/recordings", &token).await;

    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(after["new"], 0);
    assert!(again.body["items"].as_array().expect("items").is_empty());
    assert_eq!(
        app.get(&format!("/api/v1/recordings/{recording}"), &token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn folders_outside_the_root_and_other_accounts_sources_are_refused() {
    let (app, _root) = app_with_folder().await;
    let (_, ana) = app.create_user("ana@example.com", None).await;
    let (_, bob) = app.create_user("bob@example.com", None).await;
    let id = create_folder_source(&app, &ana).await;

    let escape = app
        .post(
            "/api/v1/input-sources",
            &ana,
            json!({"name": "x", "type": "local_folder", "config": {"path": "../../etc"}}),
        )
        .await;
    let missing = app
        .post(
            "/api/v1/input-sources",
            &ana,
            json!({"name": "y", "type": "local_folder", "config": {"path": "nope"}}),
        )
        .await;
    let zoom_without_credential = app
        .post(
            "/api/v1/input-sources",
            &ana,
            json!({"name": "z", "type": "zoom"}),
        )
        .await;
    let bob_get = app.get(&format!("/api/v1/input-sources/{id}"), &bob).await;
    let bob_sync = app
        .post(&format!("/api/v1/input-sources/{id}/sync"), &bob, json!({}))
        .await;
    let bob_delete = app
        .delete(&format!("/api/v1/input-sources/{id}"), &bob)
        .await;
    let bad_window = app
        .post(
            &format!("/api/v1/input-sources/{id}/sync"),
            &ana,
            json!({"from": "yesterday"}),
        )
        .await;

    let anas_view_of_bob = app
        .post(
            "/api/v1/input-sources",
            &ana,
            json!({"name": "peek", "type": "local_folder", "config": {"path": "../bob@example.com"}}),
        )
        .await;
    assert_eq!(
        anas_view_of_bob.error_fields(),
        ["config.path"],
        "another account's folder"
    );
    assert_eq!(escape.error_fields(), ["config.path"]);
    assert_eq!(missing.error_fields(), ["config.path"]);
    assert_eq!(zoom_without_credential.error_fields(), ["credential_id"]);
    for answer in [&bob_get, &bob_sync, &bob_delete] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    }
    assert_eq!(bad_window.error_fields(), ["from"]);
    assert_eq!(
        app.get(&format!("/api/v1/input-sources/{id}"), &ana)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn credentials_are_write_only_and_scoped() {
    let (app, _root) = app_with_folder().await;
    let (_, ana) = app.create_user("ana@example.com", None).await;
    let (_, bob) = app.create_user("bob@example.com", None).await;
    let body = json!({"name": "Team Zoom", "kind": "zoom_s2s",
        "secrets": {"account_id": "acc", "client_id": "cid", "client_secret": "top-secret-value"}});

    let created = app.post("/api/v1/credentials", &ana, body).await;
    let id = created.body["id"].as_str().expect("id").to_owned();
    let listed = app.get("/api/v1/credentials", &ana).await;
    let as_bob = app.get(&format!("/api/v1/credentials/{id}"), &bob).await;
    let zoom = json!({"name": "Zoom", "type": "zoom", "credential_id": id});
    let bob_uses_it = app.post("/api/v1/input-sources", &bob, zoom.clone()).await;
    let ana_uses_it = app.post("/api/v1/input-sources", &ana, zoom).await;
    let delete_in_use = app.delete(&format!("/api/v1/credentials/{id}"), &ana).await;
    let missing_secret = app
        .post(
            "/api/v1/credentials",
            &ana,
            json!({"name": "v", "kind": "vk", "secrets": {}}),
        )
        .await;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(!created.body.to_string().contains("top-secret-value"));
    assert!(!listed.body.to_string().contains("top-secret-value"));
    assert_eq!(as_bob.status, StatusCode::NOT_FOUND);
    assert_eq!(bob_uses_it.status, StatusCode::NOT_FOUND);
    assert_eq!(
        ana_uses_it.status,
        StatusCode::CREATED,
        "{}",
        ana_uses_it.body
    );
    assert_eq!(ana_uses_it.body["config"]["user_id"], "me");
    assert_eq!(delete_in_use.status, StatusCode::CONFLICT);
    assert_eq!(missing_secret.error_fields(), ["secrets.access_token"]);
    for file in ["recflow.db", "recflow.db-wal"] {
        let bytes = std::fs::read(app.data_dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(16).any(|w| w == b"top-secret-value"),
            "{file} holds the secret"
        );
    }
}
