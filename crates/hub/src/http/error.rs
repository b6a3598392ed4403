//! Error answers of the HTTP API: a status and an [`ErrorBody`] with a stable code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use tally_sync::ErrorBody;

use crate::HubError;

/// An error answered to an HTTP client.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Code and message.
    pub body: ErrorBody,
}

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody::new(code, message),
        }
    }
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        tracing::error!(code = e.code(), error = %e, "hub error");
        // The detail stays in the log; the station only needs to know to retry.
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            e.code(),
            "the hub could not complete this; the station will retry",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
