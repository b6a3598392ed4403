//! The sync panel: refused changes, retry, discard, sync now.

use tally_app::attention::AttentionItem;
use tally_app::AppError;

use super::AppState;

/// Changes the hub refused, oldest first.
#[tauri::command]
#[specta::specta]
pub fn needs_attention(app: AppState<'_>) -> Result<Vec<AttentionItem>, AppError> {
    app.needs_attention()
}

/// Sends a refused change again.
#[tauri::command]
#[specta::specta]
pub fn retry_change(app: AppState<'_>, mutation_id: String) -> Result<(), AppError> {
    app.retry_change(&mutation_id)
}

/// Drops a refused change for good (store manager or above).
#[tauri::command]
#[specta::specta]
pub fn discard_change(app: AppState<'_>, mutation_id: String) -> Result<(), AppError> {
    app.discard_change(&mutation_id)
}

/// Starts a sync cycle now.
#[tauri::command]
#[specta::specta]
pub fn sync_now(app: AppState<'_>) -> Result<(), AppError> {
    app.sync_now()
}

/// The demo's hub link (`None` outside the demo).
#[tauri::command]
#[specta::specta]
pub fn demo_hub_link(app: AppState<'_>) -> Result<Option<bool>, AppError> {
    Ok(app.demo_hub_link())
}

/// Cuts or restores the demo's hub link.
#[tauri::command]
#[specta::specta]
pub fn set_demo_hub_link(app: AppState<'_>, online: bool) -> Result<(), AppError> {
    app.set_demo_hub_link(online)
}
