//! Device workers: one thread per scale or scanner that opens the device, polls it, publishes
//! events, and reopens it after an unplug, so the rest of Tally never handles reconnects.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::error::DeviceError;
use crate::event::DeviceEvent;
use crate::protocol::scan_line::Scan;
use crate::reading::{ScaleReading, StableWeight};
use crate::scale::Scale;
use crate::scanner::Scanner;

/// Opens a scale; called again after every disconnect.
pub type ScaleOpener = Box<dyn FnMut() -> Result<Box<dyn Scale>, DeviceError> + Send>;
/// Opens a scanner; called again after every disconnect.
pub type ScannerOpener = Box<dyn FnMut() -> Result<Box<dyn Scanner>, DeviceError> + Send>;

/// Consecutive poll timeouts after which a scale counts as gone (switched off).
const TIMEOUTS_BEFORE_GONE: u32 = 3;
/// How long a zero/tare request waits for the worker.
const COMMAND_WAIT: Duration = Duration::from_secs(5);

/// The state of a worker's device, for the settings screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceState {
    /// Device id.
    pub device: String,
    /// Open and answering.
    pub connected: bool,
    /// Description from the driver, once connected.
    pub description: Option<String>,
    /// The last problem reported, cleared on connect.
    pub last_error: Option<String>,
    /// Its stable code (`DEVICE_NOT_CONNECTED`, ...), set with it.
    pub last_error_code: Option<String>,
}

/// The latest value a worker produced, with a sequence number so waiters see new ones.
struct Shared<T> {
    seq: u64,
    value: Option<T>,
    state: DeviceState,
}

type SharedCell<T> = Arc<(Mutex<Shared<T>>, Condvar)>;

fn new_cell<T>(device: &str) -> SharedCell<T> {
    Arc::new((
        Mutex::new(Shared {
            seq: 0,
            value: None,
            state: DeviceState {
                device: device.to_string(),
                connected: false,
                description: None,
                last_error: None,
                last_error_code: None,
            },
        }),
        Condvar::new(),
    ))
}

fn update<T>(cell: &SharedCell<T>, f: impl FnOnce(&mut Shared<T>)) {
    let (lock, cv) = &**cell;
    // A poisoned lock only means another thread panicked mid-update; the data is still usable.
    let mut g = lock.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut g);
    cv.notify_all();
}

fn read_cell<T, R>(cell: &SharedCell<T>, f: impl FnOnce(&Shared<T>) -> R) -> R {
    let g = cell.0.lock().unwrap_or_else(|p| p.into_inner());
    f(&g)
}

/// Waits until `done` accepts the shared value or the deadline passes.
fn wait_cell<T, R>(
    cell: &SharedCell<T>,
    timeout: Duration,
    mut done: impl FnMut(&Shared<T>) -> Option<R>,
) -> Option<R> {
    let deadline = Instant::now() + timeout;
    let (lock, cv) = &**cell;
    let mut g = lock.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if let Some(r) = done(&g) {
            return Some(r);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        g = cv
            .wait_timeout(g, left)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

/// Publishes events and remembers the last error so a repeating one is said once.
struct Reporter {
    device: String,
    events: broadcast::Sender<DeviceEvent>,
    last_error: Option<(String, String)>,
}

impl Reporter {
    fn send(&self, e: DeviceEvent) {
        // No subscriber is normal (no screen open); the event is simply not needed.
        let _ = self.events.send(e);
    }

    fn error<T>(&mut self, cell: &SharedCell<T>, e: &DeviceError) {
        let key = (e.code().to_string(), e.to_string());
        if self.last_error.as_ref() != Some(&key) {
            tracing::warn!(device = %self.device, code = e.code(), error = %e, "device problem");
            self.send(DeviceEvent::error(&self.device, e));
            update(cell, |s| {
                s.state.last_error = Some(e.to_string());
                s.state.last_error_code = Some(e.code().to_string());
            });
            self.last_error = Some(key);
        }
    }

    fn connected<T>(&mut self, cell: &SharedCell<T>, description: String) {
        tracing::info!(device = %self.device, %description, "device connected");
        self.last_error = None;
        update(cell, |s| {
            s.state.connected = true;
            s.state.description = Some(description.clone());
            s.state.last_error = None;
            s.state.last_error_code = None;
        });
        self.send(DeviceEvent::Connected {
            device: self.device.clone(),
            description,
        });
    }

    fn disconnected<T>(&mut self, cell: &SharedCell<T>, reason: String) {
        tracing::info!(device = %self.device, %reason, "device disconnected");
        update(cell, |s| {
            s.state.connected = false;
            s.value = None;
        });
        self.send(DeviceEvent::Disconnected {
            device: self.device.clone(),
            reason,
        });
    }
}

enum ScaleAction {
    Zero,
    Tare,
    ClearTare,
}

enum ScaleMsg {
    Do(ScaleAction, mpsc::Sender<Result<(), DeviceError>>),
    Stop,
}

/// Timing of a worker.
#[derive(Clone, Copy, Debug)]
pub struct WorkerTiming {
    /// Time between polls (scales) or the read slice (scanners).
    pub poll: Duration,
    /// Time between attempts to reopen a missing device.
    pub retry: Duration,
}

/// A running scale worker. Dropping it stops the thread.
pub struct ScaleWorker {
    device: String,
    tx: mpsc::Sender<ScaleMsg>,
    cell: SharedCell<ScaleReading>,
    thread: Option<JoinHandle<()>>,
}

impl ScaleWorker {
    /// Starts a worker for the scale `opener` opens, publishing on `events`.
    pub fn spawn(
        device: &str,
        opener: ScaleOpener,
        timing: WorkerTiming,
        events: broadcast::Sender<DeviceEvent>,
    ) -> ScaleWorker {
        let (tx, rx) = mpsc::channel();
        let cell = new_cell(device);
        let reporter = Reporter {
            device: device.to_string(),
            events,
            last_error: None,
        };
        let thread_cell = cell.clone();
        let thread = std::thread::Builder::new()
            .name(format!("scale {device}"))
            .spawn(move || run_scale(opener, timing, rx, thread_cell, reporter))
            .ok();
        ScaleWorker {
            device: device.to_string(),
            tx,
            cell,
            thread,
        }
    }

    /// The device id.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Connection state and last problem.
    pub fn state(&self) -> DeviceState {
        read_cell(&self.cell, |s| s.state.clone())
    }

    /// The latest reading (None while disconnected).
    pub fn latest(&self) -> Option<ScaleReading> {
        read_cell(&self.cell, |s| s.value.clone())
    }

    /// Waits for a reading newer than any seen so far.
    pub fn next_reading(&self, timeout: Duration) -> Option<ScaleReading> {
        let start = read_cell(&self.cell, |s| s.seq);
        wait_cell(&self.cell, timeout, |s| {
            if s.seq > start {
                s.value.clone()
            } else {
                None
            }
        })
    }

    /// The weight to record: the current reading if it is stable, otherwise the first stable
    /// reading within `timeout`. Fails with `SCALE_NOT_STABLE` (saying what the scale showed)
    /// or `DEVICE_NOT_CONNECTED`.
    pub fn capture(&self, timeout: Duration) -> Result<StableWeight, DeviceError> {
        let stable = wait_cell(&self.cell, timeout, |s| {
            s.value
                .as_ref()
                .filter(|r| r.status.is_recordable())
                .cloned()
        });
        match stable {
            Some(r) => StableWeight::from_reading(&self.device, &r),
            None => match self.latest() {
                Some(r) => StableWeight::from_reading(&self.device, &r),
                None => Err(DeviceError::NotConnected {
                    what: format!("scale {}", self.device),
                    detail: "no reading".into(),
                }),
            },
        }
    }

    fn command(&self, action: ScaleAction) -> Result<(), DeviceError> {
        let (reply_tx, reply_rx) = mpsc::channel();
        let gone = || DeviceError::NotConnected {
            what: format!("scale {}", self.device),
            detail: "worker stopped".into(),
        };
        self.tx
            .send(ScaleMsg::Do(action, reply_tx))
            .map_err(|_| gone())?;
        match reply_rx.recv_timeout(COMMAND_WAIT) {
            Ok(r) => r,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(DeviceError::Timeout {
                what: format!("scale {}", self.device),
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(gone()),
        }
    }

    /// Zeroes the scale.
    pub fn zero(&self) -> Result<(), DeviceError> {
        self.command(ScaleAction::Zero)
    }

    /// Tares the current load.
    pub fn tare(&self) -> Result<(), DeviceError> {
        self.command(ScaleAction::Tare)
    }

    /// Clears the tare.
    pub fn clear_tare(&self) -> Result<(), DeviceError> {
        self.command(ScaleAction::ClearTare)
    }
}

impl Drop for ScaleWorker {
    fn drop(&mut self) {
        let _ = self.tx.send(ScaleMsg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run_scale(
    mut opener: ScaleOpener,
    timing: WorkerTiming,
    rx: mpsc::Receiver<ScaleMsg>,
    cell: SharedCell<ScaleReading>,
    mut rep: Reporter,
) {
    loop {
        let mut scale = match opener() {
            Ok(s) => s,
            Err(e) => {
                rep.error(&cell, &e);
                // Wait for the retry, answering commands with "not connected" meanwhile.
                let until = Instant::now() + timing.retry;
                loop {
                    let left = until.saturating_duration_since(Instant::now());
                    match rx.recv_timeout(left) {
                        Ok(ScaleMsg::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                        Ok(ScaleMsg::Do(_, reply)) => {
                            let _ = reply.send(Err(e.clone()));
                        }
                        Err(mpsc::RecvTimeoutError::Timeout) => break,
                    }
                }
                continue;
            }
        };
        rep.connected(&cell, scale.describe());
        let mut timeouts = 0;
        let reason = loop {
            match scale.read() {
                Ok(reading) => {
                    timeouts = 0;
                    update(&cell, |s| {
                        s.seq += 1;
                        s.value = Some(reading.clone());
                    });
                    rep.send(DeviceEvent::Reading {
                        device: rep.device.clone(),
                        reading,
                    });
                }
                Err(e) if e.is_disconnect() => break e.to_string(),
                Err(e @ DeviceError::Timeout { .. }) => {
                    timeouts += 1;
                    if timeouts >= TIMEOUTS_BEFORE_GONE {
                        break format!("{e} (switched off?)");
                    }
                }
                Err(e) => rep.error(&cell, &e),
            }
            // The poll interval doubles as the wait for zero/tare requests, so they run at once.
            match rx.recv_timeout(timing.poll) {
                Ok(ScaleMsg::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                Ok(ScaleMsg::Do(action, reply)) => {
                    let r = match action {
                        ScaleAction::Zero => scale.zero(),
                        ScaleAction::Tare => scale.tare(),
                        ScaleAction::ClearTare => scale.clear_tare(),
                    };
                    let gone = matches!(&r, Err(e) if e.is_disconnect());
                    let _ = reply.send(r);
                    if gone {
                        break "lost during a command".into();
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        };
        drop(scale);
        rep.disconnected(&cell, reason);
    }
}

enum ScannerMsg {
    Stop,
}

/// A running scanner worker. Dropping it stops the thread.
pub struct ScannerWorker {
    device: String,
    tx: mpsc::Sender<ScannerMsg>,
    cell: SharedCell<Scan>,
    thread: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
}

impl ScannerWorker {
    /// Starts a worker for the scanner `opener` opens, publishing on `events`.
    pub fn spawn(
        device: &str,
        opener: ScannerOpener,
        timing: WorkerTiming,
        events: broadcast::Sender<DeviceEvent>,
    ) -> ScannerWorker {
        let (tx, rx) = mpsc::channel();
        let cell = new_cell(device);
        let stop = Arc::new(AtomicBool::new(false));
        let reporter = Reporter {
            device: device.to_string(),
            events,
            last_error: None,
        };
        let (thread_cell, thread_stop) = (cell.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name(format!("scanner {device}"))
            .spawn(move || run_scanner(opener, timing, rx, thread_stop, thread_cell, reporter))
            .ok();
        ScannerWorker {
            device: device.to_string(),
            tx,
            cell,
            thread,
            stop,
        }
    }

    /// The device id.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Connection state and last problem.
    pub fn state(&self) -> DeviceState {
        read_cell(&self.cell, |s| s.state.clone())
    }

    /// Waits for the next scan (the settings screen's "test scan").
    pub fn next_scan(&self, timeout: Duration) -> Option<Scan> {
        let start = read_cell(&self.cell, |s| s.seq);
        wait_cell(&self.cell, timeout, |s| {
            if s.seq > start {
                s.value.clone()
            } else {
                None
            }
        })
    }
}

impl Drop for ScannerWorker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.tx.send(ScannerMsg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run_scanner(
    mut opener: ScannerOpener,
    timing: WorkerTiming,
    rx: mpsc::Receiver<ScannerMsg>,
    stop: Arc<AtomicBool>,
    cell: SharedCell<Scan>,
    mut rep: Reporter,
) {
    while !stop.load(Ordering::SeqCst) {
        let mut scanner = match opener() {
            Ok(s) => s,
            Err(e) => {
                rep.error(&cell, &e);
                match rx.recv_timeout(timing.retry) {
                    Ok(ScannerMsg::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                }
            }
        };
        rep.connected(&cell, scanner.describe());
        let reason = loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            match scanner.next_scan(timing.poll) {
                Ok(Some(scan)) => {
                    tracing::debug!(device = %rep.device, aim = ?scan.aim, "scan");
                    update(&cell, |s| {
                        s.seq += 1;
                        s.value = Some(scan.clone());
                    });
                    rep.send(DeviceEvent::Scan {
                        device: rep.device.clone(),
                        scan,
                    });
                }
                Ok(None) => {}
                Err(e) if e.is_disconnect() => break e.to_string(),
                Err(e) => rep.error(&cell, &e),
            }
        };
        drop(scanner);
        rep.disconnected(&cell, reason);
    }
}
