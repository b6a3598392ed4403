//! Tauri commands, one file per feature: one line each, forwarding to `tally_app::App`.

pub mod attention;
pub mod devices;
pub mod freight;
pub mod packing;
pub mod purchasing;
pub mod receiving;
pub mod session;

use std::sync::Arc;

/// The managed `App` every command receives.
pub type AppState<'a> = tauri::State<'a, Arc<tally_app::App>>;
