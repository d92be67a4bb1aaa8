//! The one place where failures become HTTP answers, in the SPEC §10 shape
//! `{"error": {"code", "message", "details"}}`. 5xx bodies are generic; their cause chain is
//! logged here, once.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts;

/// One problem with one field of the request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field, e.g. `schedule.days[2]` or `limit`.
    #[schema(example = "email")]
    pub field: String,
    #[schema(example = "must be an email address such as ana@example.com")]
    pub message: String,
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and for people (`message`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    #[schema(example = "validation-failed")]
    pub code: &'static str,
    #[schema(example = "the request has invalid fields")]
    pub message: String,
    pub details: Vec<FieldError>,
}

/// An API failure.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<FieldError>,
    retry_after_secs: Option<u64>,
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after_secs: None,
        }
    }

    /// 422 with one entry per invalid field.
    pub fn validation(details: Vec<FieldError>) -> Self {
        let message = match details.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => "the request has invalid fields".to_owned(),
        };
        ApiError {
            details,
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-failed",
                message,
            )
        }
    }

    /// 422 for one invalid field.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{what} not found"),
        )
    }

    /// 404 for a referenced resource that does not exist or is another account's, naming the
    /// field that referenced it.
    pub fn missing_reference(field: impl Into<String>, what: &str) -> Self {
        ApiError {
            details: vec![FieldError {
                field: field.into(),
                message: format!("no such {what}"),
            }],
            ..ApiError::not_found(what)
        }
    }

    pub fn unauthorized(code: &'static str, message: &str) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(code: &'static str, message: &str) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn too_many_requests(message: &str, retry_after_secs: u64) -> Self {
        ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", message)
        }
    }

    /// A 500 whose cause is logged here and never shown to the client.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error_chain(cause), "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the server log",
        )
    }

    /// The generic body for a bare status produced by a middleware (timeout, body limit, 405).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("not-found", "no such endpoint"),
            StatusCode::METHOD_NOT_ALLOWED => {
                ("method-not-allowed", "method not allowed on this endpoint")
            }
            StatusCode::REQUEST_TIMEOUT => ("timeout", "the request took too long"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported-media-type",
                "send a JSON body with content-type application/json",
            ),
            s if s.is_server_error() => ("internal", "internal error; see the server log"),
            _ => ("bad-request", "the request cannot be served"),
        };
        ApiError::new(status, code, message)
    }

    /// Puts `prefix.` in front of every field this error names (for nested documents).
    pub fn with_field_prefix(mut self, prefix: &str) -> Self {
        for detail in &mut self.details {
            detail.field = if detail.field == "body" {
                prefix.to_owned()
            } else {
                format!("{prefix}.{}", detail.field)
            };
        }
        if let [one] = self.details.as_slice() {
            self.message = format!("{}: {}", one.field, one.message);
        }
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl std::fmt::Display for ApiError {
    /// The message and every field problem, as the CLI prints them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        for detail in self
            .details
            .iter()
            .skip(usize::from(self.details.len() == 1))
        {
            write!(f, "\n  {}: {}", detail.field, detail.message)?;
        }
        Ok(())
    }
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<recflow_store::Error> for ApiError {
    fn from(err: recflow_store::Error) -> Self {
        use recflow_store::Error as E;
        match err {
            E::NotFound { entity } => ApiError::not_found(entity),
            E::Conflict { entity, detail } => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("{entity} {detail}"),
            ),
            E::QuotaExceeded { resource, limit } => ApiError {
                details: vec![FieldError {
                    field: resource.limit_field().to_owned(),
                    message: format!("limit is {limit}"),
                }],
                ..ApiError::new(
                    StatusCode::FORBIDDEN,
                    "quota-exceeded",
                    format!("quota {} ({limit}) reached", resource.limit_field()),
                )
            },
            E::Unavailable(_) => {
                tracing::warn!(error = %error_chain(&err), "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is unavailable; retry later",
                )
            }
            E::Internal(_) => ApiError::internal(&err),
        }
    }
}

impl From<accounts::Error> for ApiError {
    fn from(err: accounts::Error) -> Self {
        match err {
            accounts::Error::Invalid { field, message } => ApiError::invalid_field(field, message),
            accounts::Error::Store(e) => e.into(),
            accounts::Error::Hash(e) => ApiError::internal(&e),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            }
            JsonRejection::JsonSyntaxError(e) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                format!("the body is not valid JSON: {}", error_chain(&e)),
            ),
            JsonRejection::JsonDataError(e) => ApiError::invalid_field("body", error_chain(&e)),
            JsonRejection::BytesRejection(e) => ApiError::from_status(e.status()),
            other => ApiError::new(other.status(), "bad-request", other.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    /// A malformed id names nothing that exists, so it is answered like a missing one.
    fn from(_: PathRejection) -> Self {
        ApiError::not_found("resource")
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            rejection.body_text(),
        )
    }
}
