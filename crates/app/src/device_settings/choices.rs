//! The settings screen's form: which scale, serial scanner, label printer and document
//! printer this station uses, with their settings, and the conversion to and from the
//! devices crate's `StationDeviceConfig` (what the device manager runs).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tally_devices::config::{
    HidScaleConfig, PrinterConfig, ScaleConfig, ScannerConfig, SerialScaleConfig,
};
use tally_devices::drivers::serial_scale::SerialScaleProtocol;
use tally_devices::serial::{Parity, SerialSettings};
use tally_devices::{MassUnit, PrintFormat, StationDeviceConfig};
use tally_labels::{Dpi, LabelSize};

use super::settings_file::LabelStock;
use crate::error::AppError;

/// Name given to the label printer when the settings screen creates it.
pub const LABEL_PRINTER_NAME: &str = "Label printer";
/// Name given to the document (A4) printer when the settings screen creates it.
pub const DOCUMENT_PRINTER_NAME: &str = "Document printer";
/// How often a newly chosen serial scale is asked for its weight.
const DEFAULT_POLL_MS: u64 = 250;

/// Parity of a serial line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ParityChoice {
    /// No parity bit.
    None,
    /// Even parity.
    Even,
    /// Odd parity.
    Odd,
}

/// Serial line settings as the form shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct SerialLine {
    /// Bits per second.
    pub baud: u32,
    /// 7 or 8.
    pub data_bits: u8,
    /// Parity.
    pub parity: ParityChoice,
    /// 1 or 2.
    pub stop_bits: u8,
}

impl From<SerialSettings> for SerialLine {
    fn from(s: SerialSettings) -> Self {
        SerialLine {
            baud: s.baud,
            data_bits: s.data_bits,
            parity: match s.parity {
                Parity::None => ParityChoice::None,
                Parity::Even => ParityChoice::Even,
                Parity::Odd => ParityChoice::Odd,
            },
            stop_bits: s.stop_bits,
        }
    }
}

impl From<SerialLine> for SerialSettings {
    fn from(l: SerialLine) -> Self {
        SerialSettings {
            baud: l.baud,
            data_bits: l.data_bits,
            parity: match l.parity {
                ParityChoice::None => Parity::None,
                ParityChoice::Even => Parity::Even,
                ParityChoice::Odd => Parity::Odd,
            },
            stop_bits: l.stop_bits,
        }
    }
}

/// What kind of scale the station uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// No scale: weights are typed.
    None,
    /// A scale on a serial port (MT-SICS or Toledo 8217).
    Serial,
    /// A USB postal scale (HID).
    UsbHid,
}

/// The protocol a serial scale speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ScaleProtocolChoice {
    /// Mettler Toledo MT-SICS.
    MtSics,
    /// Toledo 8217 with the scale set to kilograms.
    Toledo8217Kg,
    /// Toledo 8217 with the scale set to pounds.
    Toledo8217Lb,
}

/// The scale and its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ScaleChoice {
    /// None, serial or USB.
    pub kind: ScaleKind,
    /// Serial port, or the USB scale's hidraw node ("" = the first USB scale found).
    pub path: String,
    /// Serial line settings (serial scales).
    pub line: SerialLine,
    /// Serial protocol (serial scales).
    pub protocol: ScaleProtocolChoice,
}

/// The serial (or USB-CDC) scanner, if any. Keyboard-wedge scanners need no setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ScannerChoice {
    /// A serial scanner is used.
    pub enabled: bool,
    /// Its port.
    pub path: String,
    /// Its line settings.
    pub line: SerialLine,
}

/// How box labels are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LabelPrinterKind {
    /// No label printer: labels are saved as PDF files.
    None,
    /// Zebra-compatible printer on the network (raw ZPL, TCP 9100).
    NetworkZpl,
    /// Zebra-compatible printer on USB (`/dev/usb/lpN`).
    UsbZpl,
    /// A CUPS queue taking raw ZPL.
    CupsZpl,
    /// A CUPS queue taking PDF (an office printer).
    CupsPdf,
    /// Save label PDFs into a folder.
    Folder,
}

/// Printer resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DpiChoice {
    /// 203 dpi (8 dots/mm).
    Dpi203,
    /// 300 dpi.
    Dpi300,
}

/// Label stock size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum LabelSizeChoice {
    /// 4 × 6 inches.
    FourBySixInch,
    /// 100 × 150 mm.
    Mm100x150,
}

/// The label printer and its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct LabelPrinterChoice {
    /// How labels are printed.
    pub kind: LabelPrinterKind,
    /// Network printer: host name or IP address.
    pub host: String,
    /// Network printer: raw port (9100).
    pub port: u16,
    /// USB printer: device file.
    pub path: String,
    /// CUPS queue name.
    pub queue: String,
    /// Folder for saved label PDFs.
    pub dir: String,
    /// Printer resolution (ZPL).
    pub dpi: DpiChoice,
    /// Label stock.
    pub size: LabelSizeChoice,
}

/// How A4 documents (packing slips, manifests, test pages) are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DocumentPrinterKind {
    /// None: documents are saved as PDF files in the data folder.
    None,
    /// A CUPS queue (PDF).
    Cups,
    /// Save PDFs into a folder.
    Folder,
}

/// The document (PDF) printer and its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DocumentPrinterChoice {
    /// How documents are printed.
    pub kind: DocumentPrinterKind,
    /// CUPS queue name.
    pub queue: String,
    /// Folder for saved PDFs.
    pub dir: String,
}

/// Every device choice of a station, as the settings screen edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct DeviceChoices {
    /// The scale.
    pub scale: ScaleChoice,
    /// The serial scanner.
    pub scanner: ScannerChoice,
    /// The label printer.
    pub label_printer: LabelPrinterChoice,
    /// The document printer.
    pub document_printer: DocumentPrinterChoice,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new("DEVICE_SETTINGS_INVALID", message)
}

fn path_text(p: &std::path::Path) -> String {
    p.display().to_string()
}

fn required(value: &str, message: &str) -> Result<PathBuf, AppError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(invalid(message));
    }
    Ok(PathBuf::from(v))
}

impl DeviceChoices {
    /// The form for a running configuration and label stock.
    pub fn from_config(config: &StationDeviceConfig, stock: LabelStock) -> DeviceChoices {
        let scale = match &config.scale {
            None => ScaleChoice {
                kind: ScaleKind::None,
                path: String::new(),
                line: SerialSettings::default().into(),
                protocol: ScaleProtocolChoice::MtSics,
            },
            Some(ScaleConfig::Serial(s)) => ScaleChoice {
                kind: ScaleKind::Serial,
                path: path_text(&s.path),
                line: s.settings.into(),
                protocol: match s.protocol {
                    SerialScaleProtocol::MtSics => ScaleProtocolChoice::MtSics,
                    SerialScaleProtocol::Toledo8217 {
                        unit: MassUnit::Pound,
                    } => ScaleProtocolChoice::Toledo8217Lb,
                    SerialScaleProtocol::Toledo8217 { .. } => ScaleProtocolChoice::Toledo8217Kg,
                },
            },
            Some(ScaleConfig::Hid(h)) => ScaleChoice {
                kind: ScaleKind::UsbHid,
                path: h.path.as_deref().map(path_text).unwrap_or_default(),
                line: SerialSettings::default().into(),
                protocol: ScaleProtocolChoice::MtSics,
            },
        };
        let scanner = match config.scanners.first() {
            Some(s) => ScannerChoice {
                enabled: true,
                path: path_text(&s.path),
                line: s.settings.into(),
            },
            None => ScannerChoice {
                enabled: false,
                path: String::new(),
                line: SerialSettings::default().into(),
            },
        };
        let mut label_printer = LabelPrinterChoice {
            kind: LabelPrinterKind::None,
            host: String::new(),
            port: tally_devices::drivers::network_zpl::RAW_PORT,
            path: String::new(),
            queue: String::new(),
            dir: String::new(),
            dpi: match stock.dpi {
                Dpi::D203 => DpiChoice::Dpi203,
                Dpi::D300 => DpiChoice::Dpi300,
            },
            size: match stock.size {
                LabelSize::FourBySixInch => LabelSizeChoice::FourBySixInch,
                LabelSize::Mm100x150 => LabelSizeChoice::Mm100x150,
            },
        };
        if let Some(p) = config
            .label_printer
            .as_deref()
            .and_then(|n| config.printer(n))
        {
            match p {
                PrinterConfig::NetworkZpl { host, port, .. } => {
                    label_printer.kind = LabelPrinterKind::NetworkZpl;
                    label_printer.host = host.clone();
                    label_printer.port = *port;
                }
                PrinterConfig::UsbZpl { path, .. } => {
                    label_printer.kind = LabelPrinterKind::UsbZpl;
                    label_printer.path = path_text(path);
                }
                PrinterConfig::Cups { queue, format, .. } => {
                    label_printer.kind = match format {
                        PrintFormat::Zpl => LabelPrinterKind::CupsZpl,
                        PrintFormat::Pdf => LabelPrinterKind::CupsPdf,
                    };
                    label_printer.queue = queue.clone();
                }
                PrinterConfig::File { dir, .. } => {
                    label_printer.kind = LabelPrinterKind::Folder;
                    label_printer.dir = path_text(dir);
                }
            }
        }
        let mut document_printer = DocumentPrinterChoice {
            kind: DocumentPrinterKind::None,
            queue: String::new(),
            dir: String::new(),
        };
        match config
            .document_printer
            .as_deref()
            .and_then(|n| config.printer(n))
        {
            Some(PrinterConfig::Cups { queue, .. }) => {
                document_printer.kind = DocumentPrinterKind::Cups;
                document_printer.queue = queue.clone();
            }
            Some(PrinterConfig::File { dir, .. }) => {
                document_printer.kind = DocumentPrinterKind::Folder;
                document_printer.dir = path_text(dir);
            }
            // A ZPL printer cannot print A4 documents; the screen offers a PDF printer instead.
            _ => {}
        }
        DeviceChoices {
            scale,
            scanner,
            label_printer,
            document_printer,
        }
    }

    /// The configuration to run for these choices. Keeps what the form does not show from
    /// `previous` (keyboard-wedge settings, reconnect interval, further scanners, printer names).
    pub fn to_config(
        &self,
        previous: &StationDeviceConfig,
    ) -> Result<(StationDeviceConfig, LabelStock), AppError> {
        let scale = match self.scale.kind {
            ScaleKind::None => None,
            ScaleKind::Serial => {
                let path = required(
                    &self.scale.path,
                    "Choose the serial port the scale is plugged into (for example /dev/ttyUSB0).",
                )?;
                let poll_ms = match &previous.scale {
                    Some(ScaleConfig::Serial(s)) if s.path == path => s.poll_ms,
                    _ => DEFAULT_POLL_MS,
                };
                Some(ScaleConfig::Serial(SerialScaleConfig {
                    path,
                    settings: self.scale.line.into(),
                    protocol: match self.scale.protocol {
                        ScaleProtocolChoice::MtSics => SerialScaleProtocol::MtSics,
                        ScaleProtocolChoice::Toledo8217Kg => SerialScaleProtocol::Toledo8217 {
                            unit: MassUnit::Kilogram,
                        },
                        ScaleProtocolChoice::Toledo8217Lb => SerialScaleProtocol::Toledo8217 {
                            unit: MassUnit::Pound,
                        },
                    },
                    poll_ms,
                }))
            }
            ScaleKind::UsbHid => Some(ScaleConfig::Hid(HidScaleConfig {
                path: Some(self.scale.path.trim())
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from),
                poll_ms: DEFAULT_POLL_MS,
            })),
        };
        let mut scanners = Vec::new();
        if self.scanner.enabled {
            scanners.push(ScannerConfig {
                name: previous
                    .scanners
                    .first()
                    .map(|s| s.name.clone())
                    .unwrap_or_else(|| "Scanner".into()),
                path: required(
                    &self.scanner.path,
                    "Choose the serial port the scanner is plugged into (for example /dev/ttyACM0).",
                )?,
                settings: self.scanner.line.into(),
            });
        }
        // Further scanners set up in the file are kept; the screen edits only the first.
        scanners.extend(previous.scanners.iter().skip(1).cloned());

        let label_name = previous
            .label_printer
            .clone()
            .unwrap_or_else(|| LABEL_PRINTER_NAME.into());
        let lp = &self.label_printer;
        let label = match lp.kind {
            LabelPrinterKind::None => None,
            LabelPrinterKind::NetworkZpl => {
                let host = lp.host.trim();
                if host.is_empty() {
                    return Err(invalid(
                        "Type the label printer's address (its IP address or host name).",
                    ));
                }
                if lp.port == 0 {
                    return Err(invalid(
                        "Type the label printer's port (9100 unless it was changed on the printer).",
                    ));
                }
                Some(PrinterConfig::NetworkZpl {
                    name: label_name,
                    host: host.to_string(),
                    port: lp.port,
                })
            }
            LabelPrinterKind::UsbZpl => Some(PrinterConfig::UsbZpl {
                name: label_name,
                path: required(
                    &lp.path,
                    "Choose the USB label printer's device (for example /dev/usb/lp0).",
                )?,
            }),
            LabelPrinterKind::CupsZpl | LabelPrinterKind::CupsPdf => {
                let queue = lp.queue.trim();
                if queue.is_empty() {
                    return Err(invalid("Choose the label printer's print queue."));
                }
                Some(PrinterConfig::Cups {
                    name: label_name,
                    queue: queue.to_string(),
                    format: if lp.kind == LabelPrinterKind::CupsZpl {
                        PrintFormat::Zpl
                    } else {
                        PrintFormat::Pdf
                    },
                })
            }
            LabelPrinterKind::Folder => Some(PrinterConfig::File {
                name: label_name,
                dir: required(&lp.dir, "Type the folder to save label PDFs in.")?,
            }),
        };
        let dp = &self.document_printer;
        let mut document_name = previous
            .document_printer
            .clone()
            .unwrap_or_else(|| DOCUMENT_PRINTER_NAME.into());
        if label.as_ref().is_some_and(|l| l.name() == document_name) {
            // One name per printer: a file that used one entry for both roles gets two.
            document_name = if document_name == DOCUMENT_PRINTER_NAME {
                format!("{DOCUMENT_PRINTER_NAME} (A4)")
            } else {
                DOCUMENT_PRINTER_NAME.into()
            };
        }
        let document = match dp.kind {
            DocumentPrinterKind::None => None,
            DocumentPrinterKind::Cups => {
                let queue = dp.queue.trim();
                if queue.is_empty() {
                    return Err(invalid("Choose the document printer's print queue."));
                }
                Some(PrinterConfig::Cups {
                    name: document_name,
                    queue: queue.to_string(),
                    format: PrintFormat::Pdf,
                })
            }
            DocumentPrinterKind::Folder => Some(PrinterConfig::File {
                name: document_name,
                dir: required(&dp.dir, "Type the folder to save documents in.")?,
            }),
        };
        let config = StationDeviceConfig {
            scale,
            scanners,
            label_printer: label.as_ref().map(|p| p.name().to_string()),
            document_printer: document.as_ref().map(|p| p.name().to_string()),
            printers: label.into_iter().chain(document).collect(),
            wedge: previous.wedge.clone(),
            reconnect_ms: previous.reconnect_ms,
        };
        config
            .validate()
            .map_err(|e| invalid(format!("{}.", capitalise(&e.to_string()))))?;
        let stock = LabelStock {
            size: match lp.size {
                LabelSizeChoice::FourBySixInch => LabelSize::FourBySixInch,
                LabelSizeChoice::Mm100x150 => LabelSize::Mm100x150,
            },
            dpi: match lp.dpi {
                DpiChoice::Dpi203 => Dpi::D203,
                DpiChoice::Dpi300 => Dpi::D300,
            },
        };
        Ok((config, stock))
    }
}

/// Starts a device message with a capital letter, for a sentence on screen.
pub(crate) fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial_scale_choices() -> DeviceChoices {
        let mut c =
            DeviceChoices::from_config(&StationDeviceConfig::default(), LabelStock::default());
        c.scale.kind = ScaleKind::Serial;
        c.scale.path = "/dev/ttyUSB0".into();
        c.scale.protocol = ScaleProtocolChoice::Toledo8217Lb;
        c.scale.line = SerialLine {
            baud: 4800,
            data_bits: 7,
            parity: ParityChoice::Even,
            stop_bits: 1,
        };
        c.label_printer.kind = LabelPrinterKind::NetworkZpl;
        c.label_printer.host = "192.0.2.7".into();
        c.label_printer.dpi = DpiChoice::Dpi300;
        c.label_printer.size = LabelSizeChoice::Mm100x150;
        c.document_printer.kind = DocumentPrinterKind::Cups;
        c.document_printer.queue = "Office".into();
        c
    }

    #[test]
    fn choices_round_trip_through_the_running_configuration() {
        let c = serial_scale_choices();
        let (config, stock) = c.to_config(&StationDeviceConfig::default()).unwrap();
        assert_eq!(stock.dpi, Dpi::D300);
        assert_eq!(stock.size, LabelSize::Mm100x150);
        assert_eq!(config.label_printer.as_deref(), Some(LABEL_PRINTER_NAME));
        assert_eq!(
            config.document_printer.as_deref(),
            Some(DOCUMENT_PRINTER_NAME)
        );
        match &config.scale {
            Some(ScaleConfig::Serial(s)) => {
                assert_eq!(s.settings.baud, 4800);
                assert_eq!(s.settings.parity, Parity::Even);
                assert_eq!(
                    s.protocol,
                    SerialScaleProtocol::Toledo8217 {
                        unit: MassUnit::Pound
                    }
                );
            }
            other => panic!("expected a serial scale, got {other:?}"),
        }
        assert_eq!(DeviceChoices::from_config(&config, stock), c);
    }

    #[test]
    fn a_serial_scale_without_a_port_is_refused_with_what_to_do() {
        let mut c = serial_scale_choices();
        c.scale.path = "  ".into();
        let e = c.to_config(&StationDeviceConfig::default()).unwrap_err();
        assert_eq!(e.code, "DEVICE_SETTINGS_INVALID");
        assert!(e.message.contains("serial port"), "{}", e.message);
    }

    #[test]
    fn an_impossible_baud_rate_is_refused() {
        let mut c = serial_scale_choices();
        c.scale.line.baud = 12;
        let e = c.to_config(&StationDeviceConfig::default()).unwrap_err();
        assert_eq!(e.code, "DEVICE_SETTINGS_INVALID");
        assert!(e.message.contains("baud"), "{}", e.message);
    }

    #[test]
    fn a_network_printer_needs_an_address() {
        let mut c = serial_scale_choices();
        c.label_printer.host = String::new();
        assert_eq!(
            c.to_config(&StationDeviceConfig::default())
                .unwrap_err()
                .code,
            "DEVICE_SETTINGS_INVALID"
        );
    }

    #[test]
    fn names_and_wedge_settings_from_the_file_are_kept() {
        let previous = StationDeviceConfig {
            printers: vec![PrinterConfig::File {
                name: "save".into(),
                dir: "/tmp/x".into(),
            }],
            label_printer: Some("save".into()),
            document_printer: Some("save".into()),
            reconnect_ms: 200,
            ..Default::default()
        };
        let mut c = DeviceChoices::from_config(&previous, LabelStock::default());
        assert_eq!(c.label_printer.kind, LabelPrinterKind::Folder);
        assert_eq!(c.document_printer.kind, DocumentPrinterKind::Folder);
        c.label_printer.kind = LabelPrinterKind::NetworkZpl;
        c.label_printer.host = "127.0.0.1".into();
        let (config, _) = c.to_config(&previous).unwrap();
        assert_eq!(config.label_printer.as_deref(), Some("save"));
        assert_eq!(
            config.document_printer.as_deref(),
            Some(DOCUMENT_PRINTER_NAME)
        );
        assert_eq!(config.reconnect_ms, 200);
        assert!(config.validate().is_ok());
    }
}
