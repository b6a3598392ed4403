//! The station's device settings (scale, scanners, printers, label stock) from its settings
//! file: the one `TALLY_DEVICES` names, else `devices.json` in the data folder (where the
//! device settings screen saves). A station without either has no devices: weights are
//! typed, labels saved as PDF.

use std::path::PathBuf;

use crate::device_settings::{SettingsFile, SETTINGS_FILE_NAME};
use crate::error::AppError;
use crate::App;

/// The environment variable naming the device settings file.
pub const DEVICES_ENV: &str = "TALLY_DEVICES";

impl App {
    /// Starts the devices in the station's settings file (`TALLY_DEVICES` read through
    /// `env`, else `devices.json` in the data folder). `Ok(false)` when there is no such
    /// file. Devices missing right now are retried in the background.
    pub fn start_devices_from_env(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<bool, AppError> {
        let named = env(DEVICES_ENV).filter(|p| !p.trim().is_empty());
        let path = named
            .clone()
            .map(PathBuf::from)
            .unwrap_or_else(|| self.data_dir().join(SETTINGS_FILE_NAME));
        // The settings screen saves where the settings came from.
        self.device_settings.set_file(path.clone());
        if named.is_none() && !path.exists() {
            return Ok(false);
        }
        let SettingsFile {
            devices,
            label_stock,
        } = crate::device_settings::read_settings(&path)?;
        self.device_settings.set_stock(label_stock);
        self.start_devices(devices)?;
        tracing::info!(path = %path.display(), "station devices started");
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{AppConfig, HubMode};

    fn app(dir: &std::path::Path) -> App {
        App::open(
            AppConfig {
                data_dir: PathBuf::from(dir),
                hub: HubMode::Demo,
                station_name: "Bench".into(),
                outlet: None,
                wedge_max_gap_ms: 35,
                log_filter: "info".into(),
            },
            "http://127.0.0.1:1".into(),
        )
        .unwrap()
    }

    #[test]
    fn without_the_variable_the_station_has_no_devices() {
        let dir = tempfile::tempdir().unwrap();
        let a = app(dir.path());
        assert!(!a.start_devices_from_env(&|_| None).unwrap());
        assert!(a.devices().is_none());
    }

    #[test]
    fn a_settings_file_starts_the_devices() {
        let dir = tempfile::tempdir().unwrap();
        let a = app(dir.path());
        let file = dir.path().join("devices.json");
        let labels = dir.path().join("labels");
        std::fs::write(
            &file,
            format!(
                r#"{{"printers":[{{"kind":"file","name":"save","dir":{:?}}}],"label_printer":"save"}}"#,
                labels.display().to_string()
            ),
        )
        .unwrap();
        let path = file.display().to_string();
        assert!(a
            .start_devices_from_env(&|k| (k == DEVICES_ENV).then(|| path.clone()))
            .unwrap());
        let d = a.devices().unwrap();
        assert_eq!(d.config().label_printer.as_deref(), Some("save"));
    }

    #[test]
    fn a_broken_settings_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = app(dir.path());
        let file = dir.path().join("devices.json");
        std::fs::write(&file, "{ not json").unwrap();
        let path = file.display().to_string();
        let e = a
            .start_devices_from_env(&|_| Some(path.clone()))
            .unwrap_err();
        assert_eq!(e.code, "DEVICES_CONFIG_INVALID");
        let e = a
            .start_devices_from_env(&|_| Some("/nonexistent/devices.json".into()))
            .unwrap_err();
        assert_eq!(e.code, "DEVICES_CONFIG_UNREADABLE");
        assert!(a.devices().is_none());
    }
}
