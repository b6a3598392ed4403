//! The device settings screen's use cases: see what is plugged in, choose this station's
//! scale, serial scanner, label printer and document printer with their settings, keep the
//! choice in the station's settings file, and watch the chosen devices live.
//!
//! The settings file is `TALLY_DEVICES` when set, else `devices.json` in the data folder;
//! saving writes it and restarts the device manager with the new choice.

mod actions;
mod choices;
mod settings_file;
mod status;
mod updates;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;
use tally_devices::config::ScaleConfig;
use tally_devices::{DeviceManager, StationDeviceConfig};

use crate::error::AppError;
use crate::{App, UiEvents};

pub use actions::{PrinterRole, PrinterStatusView, TestPrintResult};
pub use choices::{
    DeviceChoices, DocumentPrinterChoice, DocumentPrinterKind, DpiChoice, LabelPrinterChoice,
    LabelPrinterKind, LabelSizeChoice, ParityChoice, ScaleChoice, ScaleKind, ScaleProtocolChoice,
    ScannerChoice, SerialLine, DOCUMENT_PRINTER_NAME, LABEL_PRINTER_NAME,
};
pub use settings_file::{LabelStock, SettingsFile};
pub use status::{
    format_weight, ConnectionState, DeviceProblemView, DeviceStateView, DeviceStatusView,
    FoundDevice, FoundKind, LiveScaleView, WeightState,
};
pub use updates::{DeviceUpdate, DeviceUpdateKind, ScanView};

/// The settings file's name in the data folder.
pub const SETTINGS_FILE_NAME: &str = "devices.json";

/// Everything the settings screen shows when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DeviceSettingsView {
    /// The current choices.
    pub choices: DeviceChoices,
    /// Where they are kept.
    pub settings_file: String,
    /// What the station can see.
    pub found: Vec<FoundDevice>,
    /// The chosen devices now.
    pub status: DeviceStatusView,
}

/// Simulated devices (the demo's) to offer on the settings screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedDevices {
    /// A serial MT-SICS scale (pseudo-terminal).
    pub serial_scale: PathBuf,
    /// A serial scanner (pseudo-terminal).
    pub scanner: PathBuf,
    /// A network ZPL printer.
    pub printer: SocketAddr,
}

/// Reads a station's device settings file.
pub fn read_settings(path: &std::path::Path) -> Result<SettingsFile, AppError> {
    settings_file::read(path)
}

/// The settings screen's state inside `App`.
pub(crate) struct DeviceSettingsState {
    /// The settings file in use (set at start-up).
    file: RwLock<Option<PathBuf>>,
    stock: RwLock<LabelStock>,
    simulated: RwLock<Vec<FoundDevice>>,
    sink: updates::Sink,
    codes: updates::Codes,
}

impl Default for DeviceSettingsState {
    fn default() -> Self {
        DeviceSettingsState {
            file: RwLock::new(None),
            stock: RwLock::new(LabelStock::default()),
            simulated: RwLock::new(Vec::new()),
            sink: Arc::new(RwLock::new(None)),
            codes: Arc::new(Mutex::new(Default::default())),
        }
    }
}

impl DeviceSettingsState {
    /// Sends device updates to the window from now on.
    pub(crate) fn set_sink(&self, events: Arc<dyn UiEvents>) {
        *self.sink.write().unwrap_or_else(|p| p.into_inner()) = Some(events);
    }

    /// Forwards a newly started manager's events to the window.
    pub(crate) fn watch(&self, manager: &DeviceManager) {
        self.codes.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let can_zero = matches!(manager.config().scale, Some(ScaleConfig::Serial(_)));
        updates::forward(manager, self.sink.clone(), self.codes.clone(), can_zero);
    }

    pub(crate) fn set_file(&self, path: PathBuf) {
        *self.file.write().unwrap_or_else(|p| p.into_inner()) = Some(path);
    }

    pub(crate) fn set_stock(&self, stock: LabelStock) {
        *self.stock.write().unwrap_or_else(|p| p.into_inner()) = stock;
    }

    fn code_of(&self, device: &str) -> Option<String> {
        self.codes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(device)
            .cloned()
    }
}

impl App {
    /// The station's device settings file (`TALLY_DEVICES`, else `devices.json` in the data folder).
    pub fn device_settings_file(&self) -> PathBuf {
        self.device_settings
            .file
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or_else(|| self.data_dir().join(SETTINGS_FILE_NAME))
    }

    /// The label stock box labels are drawn for.
    pub fn label_stock(&self) -> LabelStock {
        *self
            .device_settings
            .stock
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn running_config(&self) -> StationDeviceConfig {
        self.devices()
            .map(|d| d.config().clone())
            .unwrap_or_default()
    }

    /// What the settings screen shows when it opens (looks for devices: may take a moment).
    pub fn device_settings(&self) -> DeviceSettingsView {
        DeviceSettingsView {
            choices: DeviceChoices::from_config(&self.running_config(), self.label_stock()),
            settings_file: self.device_settings_file().display().to_string(),
            found: self.discover_devices(),
            status: self.device_status(),
        }
    }

    /// Devices the station can see now: serial ports, USB scales and printers, print
    /// queues, and simulators the demo offers.
    pub fn discover_devices(&self) -> Vec<FoundDevice> {
        let mut found: Vec<FoundDevice> = self
            .device_settings
            .simulated
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        found.extend(
            tally_devices::discovery::discover(&StationDeviceConfig::default())
                .into_iter()
                .filter_map(FoundDevice::from_discovered),
        );
        found
    }

    /// The chosen devices' connection states and the live weight.
    pub fn device_status(&self) -> DeviceStatusView {
        let Some(d) = self.devices() else {
            return DeviceStatusView {
                scale: None,
                scanner: None,
                weight: LiveScaleView::no_scale(),
            };
        };
        let can_zero = matches!(d.config().scale, Some(ScaleConfig::Serial(_)));
        let view = |s: tally_devices::worker::DeviceState| {
            let code = self.device_settings.code_of(&s.device);
            DeviceStateView::from_state(s, code)
        };
        DeviceStatusView {
            scale: d.scale().map(|w| view(w.state())),
            scanner: d.scanners().first().map(|w| view(w.state())),
            weight: match d.scale() {
                Some(w) => {
                    LiveScaleView::from_reading(w.state().connected, w.latest().as_ref(), can_zero)
                }
                None => LiveScaleView::no_scale(),
            },
        }
    }

    /// Saves the station's device choices and starts using them, as the signed-in staff
    /// member (audited with before and after). Invalid choices are refused
    /// (`DEVICE_SETTINGS_INVALID`, saying what to fix) and change nothing.
    pub fn save_device_settings(
        &self,
        choices: &DeviceChoices,
    ) -> Result<DeviceSettingsView, AppError> {
        let actor = self.actor().map_err(|_| {
            AppError::new(
                "SIGN_IN_TO_SAVE",
                "Sign in with your PIN to save device settings: the station records who changed them. Testing devices works without signing in.",
            )
        })?;
        self.save_devices_as(&actor, choices)
    }

    fn save_devices_as(
        &self,
        actor: &tally_store::Actor,
        choices: &DeviceChoices,
    ) -> Result<DeviceSettingsView, AppError> {
        let before = DeviceChoices::from_config(&self.running_config(), self.label_stock());
        let (config, stock) = choices.to_config(&self.running_config())?;
        let path = self.device_settings_file();
        settings_file::write(
            &path,
            &SettingsFile {
                devices: config.clone(),
                label_stock: stock,
            },
        )?;
        self.device_settings.set_stock(stock);
        let after = DeviceChoices::from_config(&config, stock);
        self.store()
            .audit_station_setting(actor, "devices", &before, &after)?;
        self.start_devices(config)?;
        tracing::info!(path = %path.display(), "device settings saved");
        Ok(self.device_settings())
    }

    /// Offers the demo's simulators on the settings screen and, when the station has no
    /// device settings yet, chooses them (so the demo shows a live weight at once).
    pub fn offer_simulated_devices(&self, sims: &SimulatedDevices) -> Result<(), AppError> {
        let sim = |id: &str, kind, address: String, description: &str| FoundDevice {
            id: id.to_string(),
            kind,
            address,
            description: description.to_string(),
            simulated: true,
            problem: None,
        };
        *self
            .device_settings
            .simulated
            .write()
            .unwrap_or_else(|p| p.into_inner()) = vec![
            sim(
                "demo:scale",
                FoundKind::SerialPort,
                sims.serial_scale.display().to_string(),
                "Demo scale (simulated Mettler Toledo, MT-SICS)",
            ),
            sim(
                "demo:scanner",
                FoundKind::SerialPort,
                sims.scanner.display().to_string(),
                "Demo scanner (simulated serial scanner)",
            ),
            sim(
                "demo:printer",
                FoundKind::NetworkPrinter,
                sims.printer.to_string(),
                "Demo label printer (simulated Zebra, raw ZPL)",
            ),
        ];
        if self.devices().is_some() || self.device_settings_file().exists() {
            return Ok(());
        }
        let mut choices =
            DeviceChoices::from_config(&StationDeviceConfig::default(), LabelStock::default());
        choices.scale.kind = ScaleKind::Serial;
        choices.scale.path = sims.serial_scale.display().to_string();
        choices.scanner.enabled = true;
        choices.scanner.path = sims.scanner.display().to_string();
        choices.label_printer.kind = LabelPrinterKind::NetworkZpl;
        choices.label_printer.host = sims.printer.ip().to_string();
        choices.label_printer.port = sims.printer.port();
        choices.document_printer.kind = DocumentPrinterKind::Folder;
        choices.document_printer.dir = self.data_dir().join("printed").display().to_string();
        self.save_devices_as(&tally_store::Actor::System("demo".into()), &choices)?;
        Ok(())
    }
}
