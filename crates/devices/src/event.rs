//! Events the device workers publish for the UI.

use serde::Serialize;

use crate::error::DeviceError;
use crate::protocol::scan_line::Scan;
use crate::reading::ScaleReading;

/// Something happened to a device. `device` is the worker's device id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeviceEvent {
    /// The device was opened (first time or after a replug).
    Connected {
        /// Device id.
        device: String,
        /// What it is.
        description: String,
    },
    /// The device went away (unplugged, switched off, stopped answering).
    Disconnected {
        /// Device id.
        device: String,
        /// Why, in words.
        reason: String,
    },
    /// A scale reading (live weight).
    Reading {
        /// Device id.
        device: String,
        /// The reading.
        reading: ScaleReading,
    },
    /// A scan from a driver-read scanner.
    Scan {
        /// Device id.
        device: String,
        /// The scan.
        scan: Scan,
    },
    /// A problem worth showing (permission, protocol); repeated errors are reported once.
    Error {
        /// Device id.
        device: String,
        /// Stable code.
        code: String,
        /// What to tell the user.
        message: String,
    },
}

impl DeviceEvent {
    /// An error event from a device error.
    pub fn error(device: &str, e: &DeviceError) -> DeviceEvent {
        DeviceEvent::Error {
            device: device.to_string(),
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }

    /// The device the event is about.
    pub fn device(&self) -> &str {
        match self {
            DeviceEvent::Connected { device, .. }
            | DeviceEvent::Disconnected { device, .. }
            | DeviceEvent::Reading { device, .. }
            | DeviceEvent::Scan { device, .. }
            | DeviceEvent::Error { device, .. } => device,
        }
    }
}
