//! Typed events to the UI, emitted when `tally_app` reports a change.

use serde::Serialize;
use tally_app::sync_status::SyncStatus;
use tally_app::UiEvents;
use tauri::AppHandle;
use tauri_specta::Event;

/// The sync indicator's figures changed.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct SyncStatusChanged(pub SyncStatus);

/// Data shown on screen changed (a pull brought new rows).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct DataChanged;

/// Forwards app events to the window.
pub struct TauriEvents(pub AppHandle);

impl UiEvents for TauriEvents {
    fn sync_status_changed(&self, status: SyncStatus) {
        if let Err(e) = SyncStatusChanged(status).emit(&self.0) {
            tracing::warn!(error = %e, "could not emit sync status");
        }
    }

    fn data_changed(&self) {
        if let Err(e) = DataChanged.emit(&self.0) {
            tracing::warn!(error = %e, "could not emit data change");
        }
    }
}
