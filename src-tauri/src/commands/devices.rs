//! The device settings screen: found devices, the station's choices, live state, tests.
//! Calls that look for devices, wait for a scan or talk to a printer run off the main thread.

use tally_app::device_settings::{
    DeviceChoices, DeviceSettingsView, DeviceStatusView, FoundDevice, PrinterRole,
    PrinterStatusView, ScanView, TestPrintResult,
};
use tally_app::AppError;

use super::AppState;

/// The choices, found devices and live state, when the screen opens.
#[tauri::command(async)]
#[specta::specta]
pub fn device_settings(app: AppState<'_>) -> Result<DeviceSettingsView, AppError> {
    Ok(app.device_settings())
}

/// Looks for devices again.
#[tauri::command(async)]
#[specta::specta]
pub fn discover_devices(app: AppState<'_>) -> Result<Vec<FoundDevice>, AppError> {
    Ok(app.discover_devices())
}

/// Saves the station's device choices and starts using them.
#[tauri::command(async)]
#[specta::specta]
pub fn save_device_settings(
    app: AppState<'_>,
    choices: DeviceChoices,
) -> Result<DeviceSettingsView, AppError> {
    app.save_device_settings(&choices)
}

/// The chosen devices' state and the live weight.
#[tauri::command]
#[specta::specta]
pub fn device_status(app: AppState<'_>) -> Result<DeviceStatusView, AppError> {
    Ok(app.device_status())
}

/// Zeroes the scale.
#[tauri::command(async)]
#[specta::specta]
pub fn scale_zero(app: AppState<'_>) -> Result<(), AppError> {
    app.zero_scale()
}

/// Tares the scale.
#[tauri::command(async)]
#[specta::specta]
pub fn scale_tare(app: AppState<'_>) -> Result<(), AppError> {
    app.tare_scale()
}

/// Clears the scale's tare.
#[tauri::command(async)]
#[specta::specta]
pub fn scale_clear_tare(app: AppState<'_>) -> Result<(), AppError> {
    app.clear_scale_tare()
}

/// Waits for the next code from the serial scanner.
#[tauri::command(async)]
#[specta::specta]
pub fn test_scan(app: AppState<'_>, wait_ms: u32) -> Result<ScanView, AppError> {
    app.test_scan(wait_ms)
}

/// Prints a test label on the label printer.
#[tauri::command(async)]
#[specta::specta]
pub fn test_print_label(app: AppState<'_>) -> Result<TestPrintResult, AppError> {
    app.test_print_label()
}

/// Prints an A4 test page on the document printer.
#[tauri::command(async)]
#[specta::specta]
pub fn test_print_page(app: AppState<'_>) -> Result<TestPrintResult, AppError> {
    app.test_print_page()
}

/// Asks a printer how it is.
#[tauri::command(async)]
#[specta::specta]
pub fn printer_status(app: AppState<'_>, role: PrinterRole) -> Result<PrinterStatusView, AppError> {
    app.printer_status(role)
}
