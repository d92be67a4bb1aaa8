//! The shared storage conformance suite on a fresh SQLite file per test.

use std::sync::Arc;

use recflow_store::Store;
use recflow_store_sqlite::{OpenMode, SqliteStore};

async fn fresh_store() -> Arc<dyn Store> {
    // The directory must outlive the test; leaking it keeps the file until the process ends.
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let url = format!("sqlite://{}", dir.join("recflow.db").display());
    Arc::new(
        SqliteStore::open(&url, OpenMode::Server)
            .await
            .expect("open sqlite"),
    )
}

recflow_store::conformance_tests!(fresh_store());

#[tokio::test]
async fn a_second_server_on_the_same_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("recflow.db").display());
    let _first = SqliteStore::open(&url, OpenMode::Server)
        .await
        .expect("first");

    let second = SqliteStore::open(&url, OpenMode::Server).await;
    let command = SqliteStore::open(&url, OpenMode::Command).await;

    let message = second.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("single-node"), "got: {message}");
    assert!(
        command.is_ok(),
        "a short CLI command may run beside the server"
    );
}
