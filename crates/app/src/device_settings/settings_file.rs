//! The station's device settings file: `StationDeviceConfig` (the format `TALLY_DEVICES`
//! names) plus the label stock, written atomically so a crash never leaves half a file.

use std::path::Path;

use serde::{Deserialize, Serialize};
use tally_devices::StationDeviceConfig;
use tally_labels::{Dpi, LabelSize};

use crate::error::AppError;

/// The label stock the label printer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelStock {
    /// Label size.
    pub size: LabelSize,
    /// Printer resolution.
    pub dpi: Dpi,
}

impl Default for LabelStock {
    /// 4×6 in at 203 dpi, the courier standard.
    fn default() -> Self {
        LabelStock {
            size: LabelSize::FourBySixInch,
            dpi: Dpi::D203,
        }
    }
}

/// What the file holds. Readers that know only `StationDeviceConfig` ignore `label_stock`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SettingsFile {
    /// Scale, scanners, printers and which printer does what.
    #[serde(flatten)]
    pub devices: StationDeviceConfig,
    /// The label stock.
    #[serde(default)]
    pub label_stock: LabelStock,
}

/// Reads the settings file at `path`.
pub fn read(path: &Path) -> Result<SettingsFile, AppError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        AppError::new(
            "DEVICES_CONFIG_UNREADABLE",
            format!(
                "Cannot read the device settings file {}: {e}",
                path.display()
            ),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        AppError::new(
            "DEVICES_CONFIG_INVALID",
            format!(
                "The device settings file {} is not valid: {e}",
                path.display()
            ),
        )
    })
}

/// Writes the settings file at `path` (a temporary file renamed over it).
pub fn write(path: &Path, settings: &SettingsFile) -> Result<(), AppError> {
    let fail = |e: std::io::Error| {
        AppError::new(
            "DEVICES_CONFIG_UNWRITABLE",
            format!(
                "Cannot save the device settings to {}: {e}. Check the folder exists and can be written.",
                path.display()
            ),
        )
    };
    let json = serde_json::to_vec_pretty(settings)
        .map_err(|e| fail(std::io::Error::other(e.to_string())))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_devices::config::PrinterConfig;

    #[test]
    fn the_file_round_trips_with_its_label_stock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.json");
        let s = SettingsFile {
            devices: StationDeviceConfig {
                printers: vec![PrinterConfig::NetworkZpl {
                    name: "Label printer".into(),
                    host: "127.0.0.1".into(),
                    port: 9100,
                }],
                label_printer: Some("Label printer".into()),
                ..Default::default()
            },
            label_stock: LabelStock {
                size: LabelSize::Mm100x150,
                dpi: Dpi::D300,
            },
        };
        write(&path, &s).unwrap();
        assert_eq!(read(&path).unwrap(), s);
        // The devices crate's own reader (what `TALLY_DEVICES` used) still reads it.
        let plain: StationDeviceConfig =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(plain, s.devices);
    }

    #[test]
    fn a_file_without_label_stock_gets_the_courier_standard() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devices.json");
        std::fs::write(&path, "{}").unwrap();
        assert_eq!(read(&path).unwrap().label_stock, LabelStock::default());
    }
}
