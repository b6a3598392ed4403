//! The devices of one station (packing bench or receiving station), as the settings screen
//! saves them. Serializes to JSON; every field has a default so older saved settings load.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::drivers::cups::CupsPrinter;
use crate::drivers::file_printer::FilePrinter;
use crate::drivers::network_zpl::{NetworkZplPrinter, RAW_PORT};
use crate::drivers::serial_scale::SerialScaleProtocol;
use crate::drivers::usb_lp::UsbLpPrinter;
use crate::error::DeviceError;
use crate::printer::{PrintFormat, Printer};
use crate::serial::SerialSettings;

/// Everything device-related a station remembers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StationDeviceConfig {
    /// The scale, if the station has one (never required).
    pub scale: Option<ScaleConfig>,
    /// Scanners the driver reads (serial / USB-CDC). Keyboard wedges need no entry.
    pub scanners: Vec<ScannerConfig>,
    /// Printers the station may use.
    pub printers: Vec<PrinterConfig>,
    /// The printer for box labels, by name.
    pub label_printer: Option<String>,
    /// The printer for A4 slips and manifests, by name.
    pub document_printer: Option<String>,
    /// How the UI tells a keyboard-wedge scan from typing.
    pub wedge: WedgeConfig,
    /// How often to look for an unplugged device again.
    pub reconnect_ms: u64,
}

impl StationDeviceConfig {
    /// The reconnect interval, with a sane floor.
    pub fn reconnect_interval(&self) -> Duration {
        Duration::from_millis(if self.reconnect_ms == 0 {
            1500
        } else {
            self.reconnect_ms.max(100)
        })
    }

    /// The printer config with this name.
    pub fn printer(&self, name: &str) -> Option<&PrinterConfig> {
        self.printers.iter().find(|p| p.name() == name)
    }

    /// Checks names are unique and references resolve, so the settings screen can say what is wrong.
    pub fn validate(&self) -> Result<(), DeviceError> {
        let mut names: Vec<&str> = self.printers.iter().map(|p| p.name()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(DeviceError::InvalidConfig(format!(
                "two printers are called {:?}",
                w[0]
            )));
        }
        for (role, name) in [
            ("label", &self.label_printer),
            ("document", &self.document_printer),
        ] {
            if let Some(n) = name {
                if self.printer(n).is_none() {
                    return Err(DeviceError::InvalidConfig(format!(
                        "the {role} printer {n:?} is not set up"
                    )));
                }
            }
        }
        if let Some(ScaleConfig::Serial(s)) = &self.scale {
            s.settings.validate()?;
        }
        for s in &self.scanners {
            s.settings.validate()?;
        }
        Ok(())
    }
}

/// Which scale and how to reach it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScaleConfig {
    /// A scale on a serial port.
    Serial(SerialScaleConfig),
    /// A USB HID postal scale.
    Hid(HidScaleConfig),
}

/// A serial scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SerialScaleConfig {
    /// The port, preferably a stable name such as `/dev/serial/by-id/...`.
    pub path: PathBuf,
    /// Line settings.
    pub settings: SerialSettings,
    /// MT-SICS or 8217 (found by probing at setup).
    pub protocol: SerialScaleProtocol,
    /// How often to ask for the weight (200–500 ms suits both protocols).
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
}

fn default_poll_ms() -> u64 {
    250
}

/// A USB HID scale.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HidScaleConfig {
    /// A specific node; None means the first HID scale found (survives re-enumeration).
    pub path: Option<PathBuf>,
    /// How often to read the latest report.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
}

/// A scanner the driver reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScannerConfig {
    /// A name for the screen.
    pub name: String,
    /// The port.
    pub path: PathBuf,
    /// Line settings.
    #[serde(default)]
    pub settings: SerialSettings,
}

/// A printer and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrinterConfig {
    /// Zebra-compatible printer on the network (raw TCP).
    NetworkZpl {
        /// Name shown and used in print jobs.
        name: String,
        /// Host name or IP address.
        host: String,
        /// Raw port, 9100 unless changed on the printer.
        #[serde(default = "default_raw_port")]
        port: u16,
    },
    /// Zebra-compatible printer on USB (`/dev/usb/lpN`).
    UsbZpl {
        /// Name.
        name: String,
        /// Device file.
        path: PathBuf,
    },
    /// A CUPS queue (PDF for office printers, ZPL for a raw label queue).
    Cups {
        /// Name.
        name: String,
        /// The CUPS queue (`lpstat -p` lists them).
        queue: String,
        /// What the queue takes.
        format: PrintFormat,
    },
    /// Save to a folder instead of printing.
    File {
        /// Name.
        name: String,
        /// Folder.
        dir: PathBuf,
    },
}

fn default_raw_port() -> u16 {
    RAW_PORT
}

impl PrinterConfig {
    /// The configured name.
    pub fn name(&self) -> &str {
        match self {
            PrinterConfig::NetworkZpl { name, .. }
            | PrinterConfig::UsbZpl { name, .. }
            | PrinterConfig::Cups { name, .. }
            | PrinterConfig::File { name, .. } => name,
        }
    }

    /// The format a test print should use.
    pub fn preferred_format(&self) -> PrintFormat {
        match self {
            PrinterConfig::NetworkZpl { .. } | PrinterConfig::UsbZpl { .. } => PrintFormat::Zpl,
            PrinterConfig::Cups { format, .. } => *format,
            PrinterConfig::File { .. } => PrintFormat::Pdf,
        }
    }

    /// A driver for this printer. Printers hold no connection between jobs.
    pub fn open(&self) -> Box<dyn Printer> {
        match self {
            PrinterConfig::NetworkZpl { name, host, port } => {
                Box::new(NetworkZplPrinter::new(name, host, *port))
            }
            PrinterConfig::UsbZpl { name, path } => Box::new(UsbLpPrinter::new(name, path)),
            PrinterConfig::Cups {
                name,
                queue,
                format,
            } => Box::new(CupsPrinter::new(name, queue, *format)),
            PrinterConfig::File { name, dir } => Box::new(FilePrinter::new(name, dir)),
        }
    }
}

/// Keyboard-wedge scan detection, applied by the UI to key events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WedgeConfig {
    /// A burst needs at least this many characters before the terminator.
    pub min_chars: u32,
    /// Characters closer together than this (ms) belong to one scan; people type slower (> ~80 ms).
    pub max_gap_ms: u32,
    /// Keys that end a scan.
    pub terminators: Vec<WedgeTerminator>,
    /// The character the scanner types in place of GS (FNC1) in GS1 data, if it cannot type GS.
    pub gs_substitute: Option<char>,
}

impl Default for WedgeConfig {
    fn default() -> Self {
        WedgeConfig {
            min_chars: 4,
            max_gap_ms: 30,
            terminators: vec![WedgeTerminator::Enter],
            gs_substitute: None,
        }
    }
}

/// A key that ends a wedge scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WedgeTerminator {
    /// Enter / Return.
    Enter,
    /// Tab.
    Tab,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::weight::MassUnit;

    fn sample() -> StationDeviceConfig {
        StationDeviceConfig {
            scale: Some(ScaleConfig::Serial(SerialScaleConfig {
                path: "/dev/serial/by-id/usb-FTDI-if00".into(),
                settings: SerialSettings::toledo_8217(),
                protocol: SerialScaleProtocol::Toledo8217 {
                    unit: MassUnit::Kilogram,
                },
                poll_ms: 300,
            })),
            scanners: vec![ScannerConfig {
                name: "bench".into(),
                path: "/dev/ttyACM0".into(),
                settings: SerialSettings::default(),
            }],
            printers: vec![
                PrinterConfig::NetworkZpl {
                    name: "zebra".into(),
                    host: "192.0.2.10".into(),
                    port: 9100,
                },
                PrinterConfig::Cups {
                    name: "office".into(),
                    queue: "Office_A4".into(),
                    format: PrintFormat::Pdf,
                },
            ],
            label_printer: Some("zebra".into()),
            document_printer: Some("office".into()),
            ..Default::default()
        }
    }

    #[test]
    fn station_config_round_trips_through_json() {
        let c = sample();
        let json = serde_json::to_string_pretty(&c).unwrap();
        let back: StationDeviceConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        assert!(json.contains("\"kind\": \"network_zpl\""), "{json}");
        assert!(back.validate().is_ok());
    }

    #[test]
    fn an_empty_object_is_a_station_without_devices() {
        let c: StationDeviceConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, StationDeviceConfig::default());
        assert_eq!(c.wedge.min_chars, 4);
        assert_eq!(c.reconnect_interval(), Duration::from_millis(1500));
    }

    #[test]
    fn a_label_printer_that_is_not_set_up_is_refused() {
        let c = StationDeviceConfig {
            label_printer: Some("ghost".into()),
            ..Default::default()
        };
        assert_eq!(c.validate().unwrap_err().code(), "DEVICE_INVALID_CONFIG");
    }

    #[test]
    fn duplicate_printer_names_are_refused() {
        let mut c = sample();
        c.printers.push(PrinterConfig::File {
            name: "zebra".into(),
            dir: "/tmp".into(),
        });
        assert!(c.validate().is_err());
    }
}
