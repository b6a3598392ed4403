//! The packing bench: pick list, scans, boxes and weights, labels, sending.
//! Calls that wait on a device (scale settling, printers) run off the main thread.

use tally_app::packing::{
    CloseBoxResult, CloseWeight, CommandCode, ContainerType, LiveWeight, PackingView, PrintResult,
    ProductCard, ScanOutcome, SendCheck, SendInput, SendResult, UndoResult,
};
use tally_app::AppError;

use super::AppState;

/// Everything the packing screen shows for one consignment.
#[tauri::command]
#[specta::specta]
pub fn packing_view(app: AppState<'_>, id: String) -> Result<PackingView, AppError> {
    app.packing_view(&id)
}

/// One scan (exactly what the scanner sent); `quantity` is the quantity key.
#[tauri::command]
#[specta::specta]
pub fn packing_scan(
    app: AppState<'_>,
    id: String,
    raw: String,
    quantity: Option<u32>,
) -> Result<ScanOutcome, AppError> {
    app.scan(&id, &raw, quantity)
}

/// Records an over-pack the packer confirmed, with the reason.
#[tauri::command]
#[specta::specta]
pub fn packing_confirm_overpack(
    app: AppState<'_>,
    id: String,
    raw: String,
    quantity: Option<u32>,
    reason: String,
) -> Result<ScanOutcome, AppError> {
    app.confirm_overpack(&id, &raw, quantity, &reason)
}

/// Adds a product that is not on the consignment, with the reason, and packs it.
#[tauri::command]
#[specta::specta]
pub fn packing_add_to_consignment(
    app: AppState<'_>,
    id: String,
    product_id: String,
    raw: String,
    quantity: Option<u32>,
    reason: String,
) -> Result<ScanOutcome, AppError> {
    app.add_to_consignment(&id, &product_id, &raw, quantity, &reason)
}

/// Packs a product found by search (its barcode was unknown).
#[tauri::command]
#[specta::specta]
pub fn packing_pack_product(
    app: AppState<'_>,
    id: String,
    product_id: String,
    raw: Option<String>,
    quantity: Option<u32>,
) -> Result<ScanOutcome, AppError> {
    app.pack_product(&id, &product_id, raw.as_deref(), quantity)
}

/// Products by name or SKU.
#[tauri::command]
#[specta::specta]
pub fn packing_search_products(
    app: AppState<'_>,
    query: String,
) -> Result<Vec<ProductCard>, AppError> {
    app.search_products(&query)
}

/// Takes back this bench's last scan.
#[tauri::command]
#[specta::specta]
pub fn packing_undo(app: AppState<'_>, id: String) -> Result<UndoResult, AppError> {
    app.undo_last_scan(&id)
}

/// Chooses the container of the next box (the box starts with its first scan).
#[tauri::command]
#[specta::specta]
pub fn packing_open_box(
    app: AppState<'_>,
    id: String,
    container: String,
) -> Result<ContainerType, AppError> {
    app.open_box(&id, &container)
}

/// Weighs and closes a box, checks its weight, prints its label.
#[tauri::command(async)]
#[specta::specta]
pub fn packing_close_box(
    app: AppState<'_>,
    id: String,
    box_id: Option<String>,
    weight: CloseWeight,
) -> Result<CloseBoxResult, AppError> {
    app.close_box(&id, box_id.as_deref(), weight)
}

/// Prints a box label again (same bytes, same printer).
#[tauri::command(async)]
#[specta::specta]
pub fn packing_reprint_label(
    app: AppState<'_>,
    id: String,
    box_id: Option<String>,
) -> Result<PrintResult, AppError> {
    app.reprint_box_label(&id, box_id.as_deref())
}

/// What the scale shows now (the open-box panel polls this).
#[tauri::command]
#[specta::specta]
pub fn packing_live_weight(app: AppState<'_>) -> Result<LiveWeight, AppError> {
    Ok(app.live_weight())
}

/// What stands between the consignment and sending.
#[tauri::command]
#[specta::specta]
pub fn packing_send_check(app: AppState<'_>, id: String) -> Result<SendCheck, AppError> {
    app.send_check(&id)
}

/// Sends the consignment (short-ship reasons, handover) and prints the packing slip.
#[tauri::command(async)]
#[specta::specta]
pub fn packing_send(
    app: AppState<'_>,
    id: String,
    input: SendInput,
) -> Result<SendResult, AppError> {
    app.send(&id, &input)
}

/// The command barcodes, for a printable sheet.
#[tauri::command]
#[specta::specta]
pub fn packing_command_codes() -> Result<Vec<CommandCode>, AppError> {
    Ok(tally_app::packing::command_codes())
}
