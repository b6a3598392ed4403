//! `POST /freight/quote`, `POST /freight/book` and `POST /freight/cancel` for
//! enrolled stations.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use tally_freight::{
    BookRequest, BookResponse, CancelRequest, CancelResponse, QuoteComparison, ShipmentRequest,
};

use super::{FreightDesk, FreightRefusal};
use crate::http::{ApiError, DeviceAuth};
use crate::Hub;

/// The freight routes.
pub fn routes() -> Router<Hub> {
    Router::new()
        .route(tally_freight::hub_api::QUOTE_PATH, post(quote))
        .route(tally_freight::hub_api::BOOK_PATH, post(book))
        .route(tally_freight::hub_api::CANCEL_PATH, post(cancel))
}

impl From<FreightRefusal> for ApiError {
    fn from(e: FreightRefusal) -> Self {
        let status = match &e {
            FreightRefusal::Hub(h) => {
                tracing::error!(code = h.code(), error = %h, "hub error during freight");
                return ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    h.code(),
                    "the hub could not complete this; try again",
                );
            }
            FreightRefusal::NotTheSender => StatusCode::FORBIDDEN,
            FreightRefusal::NotBooked => StatusCode::NOT_FOUND,
            FreightRefusal::CancelReasonMissing => StatusCode::UNPROCESSABLE_ENTITY,
            FreightRefusal::NotConfigured | FreightRefusal::AddressMissing { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            FreightRefusal::Carrier(c) if c.is_retryable() => StatusCode::SERVICE_UNAVAILABLE,
            FreightRefusal::Carrier(_) => StatusCode::UNPROCESSABLE_ENTITY,
        };
        tracing::warn!(code = e.code(), error = %e, "freight request refused");
        ApiError::new(status, e.code(), e.to_string())
    }
}

fn desk(hub: &Hub) -> Result<std::sync::Arc<FreightDesk>, ApiError> {
    hub.freight()
        .ok_or_else(|| FreightRefusal::NotConfigured.into())
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(t)| t)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "MALFORMED_REQUEST", e.body_text()))
}

#[tracing::instrument(skip_all, fields(device_id = %device.id, outlet_id = %device.outlet_id))]
async fn quote(
    State(hub): State<Hub>,
    DeviceAuth(device): DeviceAuth,
    req: Result<Json<ShipmentRequest>, JsonRejection>,
) -> Result<Json<QuoteComparison>, ApiError> {
    let req = body(req)?;
    Ok(Json(desk(&hub)?.quote(&hub, &device, &req).await?))
}

#[tracing::instrument(skip_all, fields(device_id = %device.id, outlet_id = %device.outlet_id))]
async fn book(
    State(hub): State<Hub>,
    DeviceAuth(device): DeviceAuth,
    req: Result<Json<BookRequest>, JsonRejection>,
) -> Result<Json<BookResponse>, ApiError> {
    let req = body(req)?;
    Ok(Json(desk(&hub)?.book(&hub, &device, &req).await?))
}

#[tracing::instrument(skip_all, fields(device_id = %device.id, outlet_id = %device.outlet_id))]
async fn cancel(
    State(hub): State<Hub>,
    DeviceAuth(device): DeviceAuth,
    req: Result<Json<CancelRequest>, JsonRejection>,
) -> Result<Json<CancelResponse>, ApiError> {
    let req = body(req)?;
    Ok(Json(desk(&hub)?.cancel(&hub, &device, &req).await?))
}
