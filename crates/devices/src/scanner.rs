//! The scanner trait for scanners a driver reads (serial, USB-CDC).
//! Keyboard-wedge scanners arrive as key events in the UI instead; see `config::WedgeConfig`.

use std::time::Duration;

use crate::error::DeviceError;
use crate::protocol::scan_line::Scan;

/// A connected scanner.
pub trait Scanner: Send {
    /// Port and model, for the settings screen.
    fn describe(&self) -> String;

    /// Waits up to `timeout` for the next scan; `Ok(None)` when none came.
    fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, DeviceError>;
}
