//! Use cases the UI calls (`sign_in`, `list_open_consignments`, `scan`, ...), with typed
//! errors carrying stable codes and events for the UI. No Tauri dependency: a test, a CLI
//! or the Tauri shell call the same functions.

mod app;
pub mod attention;
mod chain_policies;
pub mod config;
pub mod consignments;
pub mod device_settings;
pub mod error;
pub mod freight;
pub mod packing;
pub mod purchasing;
pub mod receiving;
pub mod staff;
pub mod station;
pub mod station_devices;
pub mod sync;
pub mod sync_status;

pub use app::{App, DemoControls, UiEvents};
pub use config::{AppConfig, HubMode};
pub use error::AppError;
