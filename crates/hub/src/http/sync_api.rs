//! `POST /sync/push`, `GET /sync/pull` and `GET /sync/consignment`.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use tally_sync::{
    parse_push_request, PullQuery, PullResponse, PushResponse, SnapshotQuery, SnapshotResponse,
    PROTOCOL_VERSION,
};

use super::{ApiError, DeviceAuth};
use crate::Hub;

/// The sync routes.
pub fn routes() -> Router<Hub> {
    Router::new()
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
        .route("/sync/consignment", get(snapshot))
}

fn unsupported(theirs: u32) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "UNSUPPORTED_PROTOCOL",
        format!(
            "this hub speaks sync protocol {PROTOCOL_VERSION}, the station speaks {theirs}; update the older one"
        ),
    )
}

#[tracing::instrument(skip_all, fields(device_id = %device.id, outlet_id = %device.outlet_id))]
async fn push(
    State(hub): State<Hub>,
    DeviceAuth(device): DeviceAuth,
    body: Bytes,
) -> Result<Json<PushResponse>, ApiError> {
    let parsed = parse_push_request(&body).map_err(|e| match e {
        tally_sync::SyncError::UnsupportedProtocol { theirs, .. } => unsupported(theirs),
        other => ApiError::new(StatusCode::BAD_REQUEST, other.code(), other.to_string()),
    })?;
    if parsed.client_id != device.id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "CLIENT_MISMATCH",
            "this token belongs to another station",
        ));
    }
    let count = parsed.mutations.len();
    let response = hub.push(device, parsed).await?;
    tracing::debug!(count, last_seq = response.last_seq, "push answered");
    Ok(Json(response))
}

#[tracing::instrument(skip_all, fields(device_id = %device.id))]
async fn pull(
    State(hub): State<Hub>,
    DeviceAuth(device): DeviceAuth,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "MALFORMED_REQUEST", e.body_text()))?;
    if q.protocol != PROTOCOL_VERSION {
        return Err(unsupported(q.protocol));
    }
    Ok(Json(
        hub.pull(device, q.cursor, q.limit, q.references(), q.backlog())
            .await?,
    ))
}

/// One consignment as the hub has it now, for a station that must drop its own view.
#[tracing::instrument(skip_all, fields(device_id = %device.id))]
async fn snapshot(
    State(hub): State<Hub>,
    DeviceAuth(device): DeviceAuth,
    query: Result<Query<SnapshotQuery>, QueryRejection>,
) -> Result<Json<SnapshotResponse>, ApiError> {
    let Query(q) = query
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "MALFORMED_REQUEST", e.body_text()))?;
    if q.protocol != PROTOCOL_VERSION {
        return Err(unsupported(q.protocol));
    }
    Ok(Json(hub.snapshot(device, q.id).await?))
}
