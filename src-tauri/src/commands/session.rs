//! Station, sign-in, the open-consignments list and the sync indicator.

use tally_app::consignments::ConsignmentRow;
use tally_app::staff::{Session, StaffCard};
use tally_app::station::StationInfo;
use tally_app::sync_status::SyncStatus;
use tally_app::AppError;

use super::AppState;

/// This station: outlet, name, mode, hub.
#[tauri::command]
#[specta::specta]
pub fn station_info(app: AppState<'_>) -> Result<StationInfo, AppError> {
    app.station_info()
}

/// Staff who may sign in at this station.
#[tauri::command]
#[specta::specta]
pub fn list_staff(app: AppState<'_>) -> Result<Vec<StaffCard>, AppError> {
    app.list_staff()
}

/// The signed-in staff member, if any.
#[tauri::command]
#[specta::specta]
pub fn current_session(app: AppState<'_>) -> Result<Option<Session>, AppError> {
    Ok(app.current_session())
}

/// Signs a staff member in with their PIN.
#[tauri::command]
#[specta::specta]
pub fn sign_in(app: AppState<'_>, staff_id: String, pin: String) -> Result<Session, AppError> {
    app.sign_in(&staff_id, &pin)
}

/// Signs the current staff member out.
#[tauri::command]
#[specta::specta]
pub fn sign_out(app: AppState<'_>) -> Result<(), AppError> {
    app.sign_out()
}

/// Open consignments of this station's outlet, incoming and outgoing.
#[tauri::command]
#[specta::specta]
pub fn list_open_consignments(app: AppState<'_>) -> Result<Vec<ConsignmentRow>, AppError> {
    app.list_open_consignments()
}

/// What the sync indicator shows.
#[tauri::command]
#[specta::specta]
pub fn sync_status(app: AppState<'_>) -> Result<SyncStatus, AppError> {
    app.sync_status()
}

/// One consignment with its lines and next allowed statuses.
#[tauri::command]
#[specta::specta]
pub fn consignment_detail(
    app: AppState<'_>,
    id: String,
) -> Result<tally_app::consignments::ConsignmentDetail, AppError> {
    app.consignment_detail(&id)
}
