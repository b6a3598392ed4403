//! Freight at the packing bench: quotes side by side, booking, "book when back online",
//! and tracking numbers for the incoming list. Carrier calls go through the hub.

use tally_app::freight::{
    DeliveryChoice, FreightBookingView, FreightCancelView, FreightQuotes, IncomingTracking,
};
use tally_app::AppError;

use super::AppState;

/// Quotes from every carrier for the consignment's weighed boxes, cheapest first.
#[tauri::command]
#[specta::specta]
pub async fn freight_quotes(
    app: AppState<'_>,
    id: String,
    options: DeliveryChoice,
) -> Result<FreightQuotes, AppError> {
    let app = app.inner().clone();
    app.freight_quotes(&id, options).await
}

/// Books the quoted row `key`, prints the carrier labels, records the tracking numbers.
#[tauri::command]
#[specta::specta]
pub async fn freight_book(
    app: AppState<'_>,
    id: String,
    key: String,
) -> Result<FreightBookingView, AppError> {
    let app = app.inner().clone();
    app.book_freight(&id, &key).await
}

/// Offline: books the cheapest overnight service as soon as the hub answers.
#[tauri::command]
#[specta::specta]
pub fn freight_book_when_online(
    app: AppState<'_>,
    id: String,
    options: DeliveryChoice,
) -> Result<FreightBookingView, AppError> {
    app.book_freight_when_online(&id, options)
}

/// The consignment's freight booking, if any.
#[tauri::command]
#[specta::specta]
pub fn freight_status(
    app: AppState<'_>,
    id: String,
) -> Result<Option<FreightBookingView>, AppError> {
    app.freight_status(&id)
}

/// Tracking numbers of this outlet's incoming consignments.
#[tauri::command]
#[specta::specta]
pub fn freight_incoming_tracking(app: AppState<'_>) -> Result<Vec<IncomingTracking>, AppError> {
    app.incoming_tracking()
}

/// Cancels the consignment's booked carrier label (signed in, with a reason): at the
/// hub now, or as soon as it answers.
#[tauri::command]
#[specta::specta]
pub async fn freight_cancel(
    app: AppState<'_>,
    id: String,
    reason: String,
) -> Result<FreightCancelView, AppError> {
    let app = app.inner().clone();
    app.cancel_freight(&id, &reason).await
}
