//! Liveness, readiness and metrics: unauthenticated, for load balancers and Prometheus.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// Health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthView {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyView {
    #[schema(example = "ready")]
    pub status: &'static str,
    #[schema(example = "sqlite")]
    pub database: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, body = HealthView)))]
pub async fn health() -> Json<HealthView> {
    Json(HealthView { status: "ok" })
}

/// The process can serve: the database answers.
#[utoipa::path(get, path = "/ready", tag = "operations", responses(
    (status = 200, body = ReadyView),
    (status = 503, description = "the database does not answer", body = ErrorBody)))]
pub async fn ready(State(state): State<AppState>) -> ApiResult<Json<ReadyView>> {
    state.store.ping().await.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "the database does not answer",
        )
    })?;
    Ok(Json(ReadyView {
        status: "ready",
        database: state.store.backend().name(),
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
