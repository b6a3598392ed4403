//! What the settings screen shows about devices: found devices, each chosen device's
//! connection state (with the fix when it has a problem) and the scale's live weight.

use serde::Serialize;
use tally_devices::discovery::{DeviceKind, DiscoveredDevice};
use tally_devices::worker::DeviceState;
use tally_devices::{ScaleReading, ScaleStatus};

/// A problem with its stable code and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DeviceProblemView {
    /// Stable code (`DEVICE_PERMISSION_DENIED`, `DEVICE_NOT_CONNECTED`, ...).
    pub code: String,
    /// What happened and how to fix it.
    pub message: String,
}

/// What kind of device was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum FoundKind {
    /// A serial port (a serial scale or scanner).
    SerialPort,
    /// A USB postal scale.
    UsbScale,
    /// A USB label printer.
    UsbPrinter,
    /// A CUPS print queue.
    PrintQueue,
    /// A network label printer.
    NetworkPrinter,
}

/// A device the station can see, to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FoundDevice {
    /// Stable id (`serial:/dev/ttyUSB0`, `hid:/dev/hidraw2`, `cups:Office`, ...).
    pub id: String,
    /// What it is.
    pub kind: FoundKind,
    /// Device file, CUPS queue or `host:port`: what goes into the setting.
    pub address: String,
    /// Maker and model where known.
    pub description: String,
    /// A simulator (the demo's), not real hardware.
    pub simulated: bool,
    /// Why it cannot be used, with the fix.
    pub problem: Option<DeviceProblemView>,
}

impl FoundDevice {
    /// The settings-screen row for a discovered device (None for configured printers, which
    /// the screen already shows as the current choice).
    pub fn from_discovered(d: DiscoveredDevice) -> Option<FoundDevice> {
        let (kind, address) = match d.kind {
            DeviceKind::SerialPort => (
                FoundKind::SerialPort,
                d.path.as_ref()?.display().to_string(),
            ),
            DeviceKind::Scale => (FoundKind::UsbScale, d.path.as_ref()?.display().to_string()),
            DeviceKind::Printer => match d.id.split_once(':') {
                Some(("cups", queue)) => (FoundKind::PrintQueue, queue.to_string()),
                Some(("usblp", _)) => (
                    FoundKind::UsbPrinter,
                    d.path.as_ref()?.display().to_string(),
                ),
                _ => return None,
            },
        };
        Some(FoundDevice {
            id: d.id,
            kind,
            address,
            description: d.description,
            simulated: false,
            problem: d.problem.map(|p| DeviceProblemView {
                code: p.code,
                message: p.message,
            }),
        })
    }
}

/// Whether a chosen device is usable now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Open and answering.
    Connected,
    /// Not there yet (being looked for again every second or two).
    Disconnected,
    /// Tally cannot use it; the problem says why and what to do.
    Error,
}

/// A chosen scale's or scanner's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DeviceStateView {
    /// Device id.
    pub device: String,
    /// Connected, disconnected or error.
    pub state: ConnectionState,
    /// What the driver says it is, once connected.
    pub description: Option<String>,
    /// The problem, with the fix.
    pub problem: Option<DeviceProblemView>,
}

impl DeviceStateView {
    /// The view of a worker's state; `code` is the last error code seen for the device.
    pub fn from_state(s: DeviceState, code: Option<String>) -> DeviceStateView {
        // The state carries its own code; the code last seen in events is a fallback.
        let state_code = s.last_error_code.clone();
        let problem = s.last_error.map(|message| DeviceProblemView {
            code: state_code
                .or(code)
                .unwrap_or_else(|| "DEVICE_PROBLEM".into()),
            message: super::choices::capitalise(&message),
        });
        DeviceStateView {
            state: if s.connected {
                ConnectionState::Connected
            } else if problem.is_some() {
                ConnectionState::Error
            } else {
                ConnectionState::Disconnected
            },
            device: s.device,
            description: s.description,
            problem: if s.connected { None } else { problem },
        }
    }
}

/// What the scale shows, in the terms of the settings screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum WeightState {
    /// No scale is chosen.
    NoScale,
    /// The scale is not answering.
    Disconnected,
    /// Connected, no reading yet.
    Waiting,
    /// Steady weight (recordable).
    Stable,
    /// Steady at zero (empty scale).
    StableZero,
    /// Still moving.
    InMotion,
    /// Below zero.
    UnderZero,
    /// Over the scale's capacity.
    Overweight,
    /// The scale reports a fault.
    Fault,
    /// Needs calibration.
    NeedsCalibration,
    /// Needs zeroing.
    NeedsZeroing,
    /// Cannot weigh right now.
    NotReady,
}

impl From<ScaleStatus> for WeightState {
    fn from(s: ScaleStatus) -> Self {
        match s {
            ScaleStatus::Stable => WeightState::Stable,
            ScaleStatus::StableZero => WeightState::StableZero,
            ScaleStatus::InMotion => WeightState::InMotion,
            ScaleStatus::UnderZero => WeightState::UnderZero,
            ScaleStatus::OverCapacity => WeightState::Overweight,
            ScaleStatus::Fault => WeightState::Fault,
            ScaleStatus::NeedsCalibration => WeightState::NeedsCalibration,
            ScaleStatus::NeedsRezero => WeightState::NeedsZeroing,
            ScaleStatus::NotReady => WeightState::NotReady,
        }
    }
}

/// The scale's live weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LiveScaleView {
    /// What the scale shows.
    pub state: WeightState,
    /// Grams (rounded), when the scale sends a weight.
    pub grams: Option<i32>,
    /// The weight as the screen prints it ("1.234 kg", "655 g").
    pub display: String,
    /// A tare is applied (the weight is net).
    pub net: bool,
    /// Zero and tare can be asked of this scale from Tally.
    pub can_zero: bool,
}

impl LiveScaleView {
    /// No scale chosen.
    pub fn no_scale() -> LiveScaleView {
        LiveScaleView {
            state: WeightState::NoScale,
            grams: None,
            display: "—".into(),
            net: false,
            can_zero: false,
        }
    }

    /// From the scale's connection and latest reading.
    pub fn from_reading(connected: bool, reading: Option<&ScaleReading>, can_zero: bool) -> Self {
        let Some(r) = reading.filter(|_| connected) else {
            return LiveScaleView {
                state: if connected {
                    WeightState::Waiting
                } else {
                    WeightState::Disconnected
                },
                grams: None,
                display: "—".into(),
                net: false,
                can_zero,
            };
        };
        let grams = r.weight.map(|w| {
            let mg = w.milligrams_rounded();
            i32::try_from((mg + mg.signum() * 500) / 1000).unwrap_or(if mg < 0 {
                i32::MIN
            } else {
                i32::MAX
            })
        });
        LiveScaleView {
            state: r.status.into(),
            display: r
                .weight
                .map(|w| format_weight(w.milligrams_rounded()))
                .unwrap_or_else(|| "—".into()),
            grams,
            net: r.net,
            can_zero,
        }
    }
}

/// "1.234 kg" from one kilogram up, "655 g" below; negative weights keep their sign.
pub fn format_weight(mg: i64) -> String {
    let sign = if mg < 0 { "-" } else { "" };
    let mg = mg.unsigned_abs();
    if mg >= 1_000_000 {
        let g = (mg + 500) / 1000;
        format!("{sign}{}.{:03} kg", g / 1000, g % 1000)
    } else if mg >= 10_000 || mg.is_multiple_of(1000) {
        format!("{sign}{} g", (mg + 500) / 1000)
    } else {
        let tenths = (mg + 50) / 100;
        format!("{sign}{}.{} g", tenths / 10, tenths % 10)
    }
}

/// Everything live about the chosen devices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DeviceStatusView {
    /// The scale's state, if one is chosen.
    pub scale: Option<DeviceStateView>,
    /// The serial scanner's state, if one is chosen.
    pub scanner: Option<DeviceStateView>,
    /// The live weight.
    pub weight: LiveScaleView,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use tally_devices::Weight;

    #[test]
    fn weights_print_in_kilograms_from_one_kilogram() {
        assert_eq!(format_weight(1_234_000), "1.234 kg");
        assert_eq!(format_weight(655_000), "655 g");
        assert_eq!(format_weight(-120_000), "-120 g");
        assert_eq!(format_weight(2_500), "2.5 g");
        assert_eq!(format_weight(0), "0 g");
        assert_eq!(format_weight(9_960), "10.0 g");
    }

    #[test]
    fn a_moving_reading_is_in_motion_and_keeps_its_weight() {
        let r = ScaleReading::with_weight(
            ScaleStatus::InMotion,
            Weight::from_grams(Decimal::new(24805, 1)),
        );
        let v = LiveScaleView::from_reading(true, Some(&r), true);
        assert_eq!(v.state, WeightState::InMotion);
        assert_eq!(v.grams, Some(2481));
        assert_eq!(v.display, "2.481 kg");
    }

    #[test]
    fn over_capacity_is_overweight_and_a_lost_scale_shows_no_weight() {
        let r = ScaleReading::status_only(ScaleStatus::OverCapacity);
        assert_eq!(
            LiveScaleView::from_reading(true, Some(&r), true).state,
            WeightState::Overweight
        );
        let v = LiveScaleView::from_reading(false, Some(&r), true);
        assert_eq!(v.state, WeightState::Disconnected);
        assert_eq!(v.grams, None);
    }

    #[test]
    fn the_problem_code_comes_with_the_state_even_before_its_event() {
        let v = DeviceStateView::from_state(
            DeviceState {
                device: "serial:/dev/ttyUSB9".into(),
                connected: false,
                description: None,
                last_error: Some("nothing answers on /dev/ttyUSB9".into()),
                last_error_code: Some("DEVICE_NOT_CONNECTED".into()),
            },
            None,
        );
        assert_eq!(v.problem.unwrap().code, "DEVICE_NOT_CONNECTED");
    }

    #[test]
    fn a_device_with_a_problem_is_in_error_with_the_fix() {
        let v = DeviceStateView::from_state(
            DeviceState {
                device: "serial:/dev/ttyUSB0".into(),
                connected: false,
                description: None,
                last_error: Some("Tally is not allowed to open /dev/ttyUSB0. dialout".into()),
                last_error_code: None,
            },
            Some("DEVICE_PERMISSION_DENIED".into()),
        );
        assert_eq!(v.state, ConnectionState::Error);
        assert_eq!(v.problem.unwrap().code, "DEVICE_PERMISSION_DENIED");
    }
}
