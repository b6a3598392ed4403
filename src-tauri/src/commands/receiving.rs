//! The receiving station: sessions, counts, variances, photos, signatures, the report.
//! Commands that decode images or draw PDFs are async so they run off the main thread.

use tally_app::receiving::{
    FinishSessionInput, PhotoAdded, ProductOption, ReasonCode, ReceiveScan, ReceivingView,
    ReportFile, SessionFinished,
};
use tally_app::AppError;

use super::AppState;

/// The receiving screen for a consignment.
#[tauri::command]
#[specta::specta]
pub fn receiving_view(app: AppState<'_>, id: String) -> Result<ReceivingView, AppError> {
    app.receiving_view(&id)
}

/// Opens a receive session (or returns the open one).
#[tauri::command]
#[specta::specta]
pub fn start_receiving(app: AppState<'_>, id: String) -> Result<ReceivingView, AppError> {
    app.start_receiving(&id)
}

/// A scan at the receiving screen.
#[tauri::command]
#[specta::specta]
pub fn receiving_scan(
    app: AppState<'_>,
    id: String,
    code: String,
) -> Result<ReceiveScan, AppError> {
    app.receiving_scan(&id, &code)
}

/// Sets this session's count of a product.
#[tauri::command]
#[specta::specta]
pub fn receiving_count(
    app: AppState<'_>,
    id: String,
    product_id: String,
    quantity: String,
) -> Result<ReceivingView, AppError> {
    app.receiving_count(&id, &product_id, &quantity)
}

/// Sets how many of this session's units are damaged.
#[tauri::command]
#[specta::specta]
pub fn receiving_damaged(
    app: AppState<'_>,
    id: String,
    product_id: String,
    quantity: String,
) -> Result<ReceivingView, AppError> {
    app.receiving_damaged(&id, &product_id, &quantity)
}

/// Gives (or clears) a line's variance reason.
#[tauri::command]
#[specta::specta]
pub fn receiving_reason(
    app: AppState<'_>,
    id: String,
    product_id: String,
    reason: Option<ReasonCode>,
    note: Option<String>,
) -> Result<ReceivingView, AppError> {
    app.receiving_reason(&id, &product_id, reason, note)
}

/// Receives every remaining line as expected (one action).
#[tauri::command]
#[specta::specta]
pub fn receive_all_as_expected(app: AppState<'_>, id: String) -> Result<ReceivingView, AppError> {
    app.receive_all_as_expected(&id)
}

/// Adds an item that is not on the consignment.
#[tauri::command]
#[specta::specta]
pub fn receiving_add_unexpected(
    app: AppState<'_>,
    id: String,
    product_id: String,
    quantity: String,
    reason: ReasonCode,
    note: Option<String>,
) -> Result<ReceivingView, AppError> {
    app.receiving_add_unexpected(&id, &product_id, &quantity, reason, note)
}

/// Products matching a code or words (unexpected items).
#[tauri::command]
#[specta::specta]
pub fn receiving_find_products(
    app: AppState<'_>,
    id: String,
    query: String,
) -> Result<Vec<ProductOption>, AppError> {
    app.receiving_find_products(&id, &query)
}

/// Attaches a photo (base64) to a line.
#[tauri::command]
#[specta::specta]
pub async fn receiving_add_photo(
    app: AppState<'_>,
    id: String,
    product_id: String,
    data: String,
) -> Result<PhotoAdded, AppError> {
    app.receiving_add_photo(&id, &product_id, &data)
}

/// A stored photo or signature as a thumbnail data URL.
#[tauri::command]
#[specta::specta]
pub async fn receiving_evidence_thumbnail(
    app: AppState<'_>,
    hash: String,
) -> Result<String, AppError> {
    app.receiving_evidence_thumbnail(&hash)
}

/// Finishes the open session (signatures; closes the receipt when asked).
#[tauri::command]
#[specta::specta]
pub async fn finish_receiving_session(
    app: AppState<'_>,
    id: String,
    input: FinishSessionInput,
) -> Result<SessionFinished, AppError> {
    app.finish_receiving_session(&id, input)
}

/// Saves the receiving report PDF and says where.
#[tauri::command]
#[specta::specta]
pub async fn receiving_report(
    app: AppState<'_>,
    id: String,
    utc_offset_minutes: i32,
) -> Result<ReportFile, AppError> {
    app.receiving_report(&id, utc_offset_minutes, None)
}
