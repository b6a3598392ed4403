//! Device events to the UI: a thread per running device manager turns the devices crate's
//! events into [`DeviceUpdate`]s for the window, and remembers each device's last error code
//! (the workers keep only the message) so the screen can show the code with the fix.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use tally_devices::protocol::scan_line::{Scan, Symbology};
use tally_devices::{DeviceEvent, DeviceManager};
use tokio::sync::broadcast::error::RecvError;

use super::status::{DeviceProblemView, LiveScaleView};
use crate::UiEvents;

/// What happened to a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DeviceUpdateKind {
    /// Opened (first time or after a replug).
    Connected,
    /// Went away.
    Disconnected,
    /// A problem (with its fix).
    Error,
    /// A new scale reading.
    Reading,
    /// A scan from the serial scanner.
    Scan,
}

/// A scan as the settings screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ScanView {
    /// Everything the scanner sent (AIM prefix included).
    pub raw: String,
    /// The data after the AIM prefix.
    pub data: String,
    /// The symbology, when the scanner sends AIM prefixes ("EAN-13", "GS1-128", ...).
    pub symbology: Option<String>,
}

impl From<Scan> for ScanView {
    fn from(s: Scan) -> Self {
        ScanView {
            symbology: s.symbology.as_ref().map(symbology_name),
            raw: s.raw,
            data: s.data,
        }
    }
}

fn symbology_name(s: &Symbology) -> String {
    match s {
        Symbology::Ean13 => "EAN-13".into(),
        Symbology::Ean8 => "EAN-8".into(),
        Symbology::Code128 => "Code 128".into(),
        Symbology::Gs1_128 => "GS1-128".into(),
        Symbology::DataMatrix => "Data Matrix".into(),
        Symbology::Gs1DataMatrix => "GS1 DataMatrix".into(),
        Symbology::Qr => "QR Code".into(),
        Symbology::Gs1Qr => "GS1 QR Code".into(),
        Symbology::Gs1DataBar => "GS1 DataBar".into(),
        Symbology::Other(code) => format!("AIM ]{code}"),
    }
}

/// A device event for the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DeviceUpdate {
    /// Device id.
    pub device: String,
    /// What happened.
    pub kind: DeviceUpdateKind,
    /// For readings: the live weight.
    pub weight: Option<LiveScaleView>,
    /// For scans: the scan.
    pub scan: Option<ScanView>,
    /// For errors: the problem and its fix.
    pub problem: Option<DeviceProblemView>,
    /// For connects: what the device is; for disconnects: why it went.
    pub detail: Option<String>,
}

/// Where updates go once the window exists (set after the devices start).
pub(crate) type Sink = Arc<RwLock<Option<Arc<dyn UiEvents>>>>;
/// The last error code per device.
pub(crate) type Codes = Arc<Mutex<HashMap<String, String>>>;

/// Turns one device event into an update, keeping `codes` current.
pub(crate) fn to_update(event: DeviceEvent, codes: &Codes, can_zero: bool) -> DeviceUpdate {
    let mut codes = codes.lock().unwrap_or_else(|p| p.into_inner());
    let device = event.device().to_string();
    let base = |kind| DeviceUpdate {
        device: device.clone(),
        kind,
        weight: None,
        scan: None,
        problem: None,
        detail: None,
    };
    match event {
        DeviceEvent::Connected { description, .. } => {
            codes.remove(&device);
            DeviceUpdate {
                detail: Some(description),
                ..base(DeviceUpdateKind::Connected)
            }
        }
        DeviceEvent::Disconnected { reason, .. } => DeviceUpdate {
            detail: Some(reason),
            weight: Some(LiveScaleView::from_reading(false, None, can_zero)),
            ..base(DeviceUpdateKind::Disconnected)
        },
        DeviceEvent::Reading { reading, .. } => DeviceUpdate {
            weight: Some(LiveScaleView::from_reading(true, Some(&reading), can_zero)),
            ..base(DeviceUpdateKind::Reading)
        },
        DeviceEvent::Scan { scan, .. } => DeviceUpdate {
            scan: Some(scan.into()),
            ..base(DeviceUpdateKind::Scan)
        },
        DeviceEvent::Error { code, message, .. } => {
            codes.insert(device.clone(), code.clone());
            DeviceUpdate {
                problem: Some(DeviceProblemView {
                    code,
                    message: super::choices::capitalise(&message),
                }),
                ..base(DeviceUpdateKind::Error)
            }
        }
    }
}

/// Forwards `manager`'s events until it stops (its channel closes when it is dropped).
pub(crate) fn forward(manager: &DeviceManager, sink: Sink, codes: Codes, can_zero: bool) {
    let mut rx = manager.subscribe();
    let spawned = std::thread::Builder::new()
        .name("device updates".into())
        .spawn(move || loop {
            match rx.blocking_recv() {
                Ok(event) => {
                    let update = to_update(event, &codes, can_zero);
                    let sink = sink.read().unwrap_or_else(|p| p.into_inner()).clone();
                    if let Some(s) = sink {
                        s.device_changed(update);
                    }
                }
                // A slow window missed some readings; the next one is as good.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "device updates not forwarded to the screen");
    }
}
