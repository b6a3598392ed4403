//! Device authentication: `Authorization: Bearer <token>` from enrolment.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};

use super::ApiError;
use crate::devices::AuthFailure;
use crate::store::DeviceRecord;
use crate::Hub;

/// The enrolled device making the request.
#[derive(Debug, Clone)]
pub struct DeviceAuth(pub DeviceRecord);

impl FromRequestParts<Hub> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let failure = match token {
            None => AuthFailure::Missing,
            Some(token) => match hub.authenticate(token).await? {
                Ok(device) => return Ok(Self(device)),
                Err(f) => f,
            },
        };
        tracing::warn!(code = failure.code(), "sync request refused");
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            failure.code(),
            failure.message(),
        ))
    }
}
