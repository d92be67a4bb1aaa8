//! The shared storage conformance suite, each test on its own fresh PostgreSQL database.

use std::sync::Arc;

use recflow_store::Store;
use recflow_store_postgres::PostgresStore;
use recflow_store_postgres::testing::fresh_database_url;

async fn fresh_store() -> Arc<dyn Store> {
    let url = fresh_database_url().await;
    Arc::new(PostgresStore::open(&url).await.expect("open postgres"))
}

recflow_store::conformance_tests!(fresh_store());
