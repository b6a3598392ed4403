//! The thin Tauri shell: window setup and one-line commands forwarding to `tally-app`.

/// Starts the desktop app.
pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running Tally");
}
