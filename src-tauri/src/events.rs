//! Typed events to the UI, emitted when `tally_app` reports a change.

use serde::Serialize;
use tally_app::device_settings::DeviceUpdate;
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

/// A device connected, went away, had a problem, weighed or scanned.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct DeviceChanged(pub DeviceUpdate);

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

    fn device_changed(&self, update: DeviceUpdate) {
        // Readings arrive several times a second; a failed emit is only logged at debug.
        if let Err(e) = DeviceChanged(update).emit(&self.0) {
            tracing::debug!(error = %e, "could not emit device update");
        }
    }
}
