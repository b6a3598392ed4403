//! End-to-end tests of the real Tauri window through WebDriver (tauri-driver under Xvfb).
