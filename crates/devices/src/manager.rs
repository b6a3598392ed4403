//! The station's devices as one object: starts a worker per configured scale and scanner,
//! publishes their events, and prints through the configured printers.
//! This is the API the app (and its device settings screen) calls.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::broadcast;

use crate::config::{PrinterConfig, ScaleConfig, StationDeviceConfig};
use crate::discovery::{self, DiscoveredDevice};
use crate::drivers::hid_scale::HidScale;
use crate::drivers::serial_scale::SerialScale;
use crate::drivers::serial_scanner::SerialScanner;
use crate::error::DeviceError;
use crate::event::DeviceEvent;
use crate::print_job::{self, PrintJob};
use crate::printer::PrintFormat;
use crate::protocol::zebra_host_status::PrinterStatus;
use crate::reading::{ScaleReading, StableWeight};
use crate::scale::Scale;
use crate::scanner::Scanner;
use crate::worker::{DeviceState, ScaleWorker, ScannerWorker, WorkerTiming};

/// How many events a slow subscriber may fall behind before it misses some (it is told).
const EVENT_BUFFER: usize = 256;

/// A ZPL test label: fixed text only, so it needs no escaping.
pub const TEST_LABEL_ZPL: &str =
    "^XA^CI28^PW812^LL400^FO40,40^A0N,50,50^FDTally test print^FS^FO40,110^A0N,30,30^FDIf you can read this, the printer works.^FS^FO40,170^BY3^BCN,100,Y,N,N^FDTALLY-TEST^FS^XZ";

/// The running devices of one station.
pub struct DeviceManager {
    config: StationDeviceConfig,
    events: broadcast::Sender<DeviceEvent>,
    scale: Option<ScaleWorker>,
    scanners: Vec<ScannerWorker>,
}

impl DeviceManager {
    /// Starts workers for the configured scale and scanners. Devices that are missing now are
    /// retried in the background; only an invalid configuration fails here.
    pub fn start(config: StationDeviceConfig) -> Result<DeviceManager, DeviceError> {
        config.validate()?;
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let retry = config.reconnect_interval();
        let scale = config.scale.as_ref().map(|s| {
            let (id, opener, poll) = scale_opener(s);
            ScaleWorker::spawn(&id, opener, WorkerTiming { poll, retry }, events.clone())
        });
        let scanners = config
            .scanners
            .iter()
            .map(|s| {
                let (path, settings) = (s.path.clone(), s.settings);
                let opener = Box::new(move || {
                    SerialScanner::open(&path, &settings).map(|s| Box::new(s) as Box<dyn Scanner>)
                });
                ScannerWorker::spawn(
                    &format!("serial:{}", s.path.display()),
                    opener,
                    WorkerTiming {
                        poll: Duration::from_millis(200),
                        retry,
                    },
                    events.clone(),
                )
            })
            .collect();
        Ok(DeviceManager {
            config,
            events,
            scale,
            scanners,
        })
    }

    /// The configuration the manager runs.
    pub fn config(&self) -> &StationDeviceConfig {
        &self.config
    }

    /// A stream of device events (live weight, scans, connects, problems).
    pub fn subscribe(&self) -> broadcast::Receiver<DeviceEvent> {
        self.events.subscribe()
    }

    /// Everything plugged in or configured (for "choose a device").
    pub fn discover(&self) -> Vec<DiscoveredDevice> {
        discovery::discover(&self.config)
    }

    /// State of each running device worker.
    pub fn states(&self) -> Vec<DeviceState> {
        self.scale
            .iter()
            .map(ScaleWorker::state)
            .chain(self.scanners.iter().map(ScannerWorker::state))
            .collect()
    }

    /// The scale worker, if a scale is configured.
    pub fn scale(&self) -> Option<&ScaleWorker> {
        self.scale.as_ref()
    }

    /// The scanner workers.
    pub fn scanners(&self) -> &[ScannerWorker] {
        &self.scanners
    }

    /// The latest scale reading.
    pub fn latest_reading(&self) -> Option<ScaleReading> {
        self.scale.as_ref().and_then(ScaleWorker::latest)
    }

    /// The weight to record for a box (blocks up to `timeout` waiting for it to settle).
    pub fn capture_weight(&self, timeout: Duration) -> Result<StableWeight, DeviceError> {
        self.scale_worker()?.capture(timeout)
    }

    /// Zeroes the scale.
    pub fn zero_scale(&self) -> Result<(), DeviceError> {
        self.scale_worker()?.zero()
    }

    /// Tares the scale.
    pub fn tare_scale(&self) -> Result<(), DeviceError> {
        self.scale_worker()?.tare()
    }

    /// Waits for the next scan from any driver-read scanner ("test scan").
    pub fn next_scan(&self, timeout: Duration) -> Option<crate::protocol::scan_line::Scan> {
        let mut rx = self.subscribe();
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            match rx.try_recv() {
                Ok(DeviceEvent::Scan { scan, .. }) => return Some(scan),
                Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) => {}
                Err(broadcast::error::TryRecvError::Empty) => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(broadcast::error::TryRecvError::Closed) => return None,
            }
        }
        None
    }

    /// Prints `bytes` on the named printer and returns the job record to store.
    pub fn print(
        &self,
        printer: &str,
        format: PrintFormat,
        bytes: &[u8],
    ) -> Result<PrintJob, DeviceError> {
        let mut p = self.printer_config(printer)?.open();
        print_job::print(p.as_mut(), format, bytes)
    }

    /// Prints a stored job again (same bytes, checked against the job's hash).
    pub fn reprint(&self, job: &PrintJob, bytes: &[u8]) -> Result<PrintJob, DeviceError> {
        let mut p = self.printer_config(&job.printer)?.open();
        print_job::reprint(p.as_mut(), job, bytes)
    }

    /// Asks a printer for its status, where it can say (`Ok(None)` otherwise).
    pub fn printer_status(&self, printer: &str) -> Result<Option<PrinterStatus>, DeviceError> {
        self.printer_config(printer)?.open().status()
    }

    /// The settings screen's "test print": ZPL printers get [`TEST_LABEL_ZPL`]; PDF printers
    /// get `pdf_test_page` (render it with `tally_labels`, which this crate does not depend on).
    pub fn test_print(&self, printer: &str, pdf_test_page: &[u8]) -> Result<PrintJob, DeviceError> {
        let config = self.printer_config(printer)?;
        match config.preferred_format() {
            PrintFormat::Zpl => self.print(printer, PrintFormat::Zpl, TEST_LABEL_ZPL.as_bytes()),
            PrintFormat::Pdf => self.print(printer, PrintFormat::Pdf, pdf_test_page),
        }
    }

    fn scale_worker(&self) -> Result<&ScaleWorker, DeviceError> {
        self.scale
            .as_ref()
            .ok_or_else(|| DeviceError::NotConnected {
                what: "scale".into(),
                detail: "no scale is set up for this station; type the weight instead".into(),
            })
    }

    fn printer_config(&self, name: &str) -> Result<&PrinterConfig, DeviceError> {
        self.config.printer(name).ok_or_else(|| {
            DeviceError::InvalidConfig(format!("no printer called {name:?} is set up"))
        })
    }
}

type ScaleOpenerParts = (String, crate::worker::ScaleOpener, Duration);

fn scale_opener(config: &ScaleConfig) -> ScaleOpenerParts {
    match config.clone() {
        ScaleConfig::Serial(s) => (
            format!("serial:{}", s.path.display()),
            Box::new(move || {
                SerialScale::open(&s.path, &s.settings, s.protocol)
                    .map(|x| Box::new(x) as Box<dyn Scale>)
            }),
            Duration::from_millis(s.poll_ms.clamp(50, 5000)),
        ),
        ScaleConfig::Hid(h) => (
            match &h.path {
                Some(p) => format!("hid:{}", p.display()),
                None => "hid:auto".to_string(),
            },
            Box::new(move || {
                // "Any USB scale": look again on every attempt, the node number can change on replug.
                let path: PathBuf = match &h.path {
                    Some(p) => p.clone(),
                    None => {
                        discovery::first_hid_scale().ok_or_else(|| DeviceError::NotConnected {
                            what: "USB scale".into(),
                            detail: "none found".into(),
                        })?
                    }
                };
                HidScale::open(&path).map(|x| Box::new(x) as Box<dyn Scale>)
            }),
            Duration::from_millis(h.poll_ms.clamp(50, 5000)),
        ),
    }
}
