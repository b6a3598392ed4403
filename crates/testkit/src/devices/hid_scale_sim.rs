//! A USB HID postal scale: 6-byte reports on a pseudo-terminal standing in for `/dev/hidrawN`,
//! repeated every 100 ms like a DYMO does, or replayed from a fixture.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::pty_link::{PtyControl, PtyLink};

/// Report interval of the simulated scale.
const INTERVAL: Duration = Duration::from_millis(100);

/// HID POS status codes.
pub mod status {
    /// Stable at zero.
    pub const STABLE_ZERO: u8 = 2;
    /// In motion.
    pub const IN_MOTION: u8 = 3;
    /// Stable weight.
    pub const STABLE: u8 = 4;
    /// Under zero.
    pub const UNDER_ZERO: u8 = 5;
    /// Over weight.
    pub const OVER_WEIGHT: u8 = 6;
}

/// HID POS unit codes.
pub mod unit {
    /// Grams.
    pub const GRAM: u8 = 2;
    /// Kilograms.
    pub const KILOGRAM: u8 = 3;
    /// Ounces.
    pub const OUNCE: u8 = 11;
    /// Pounds.
    pub const POUND: u8 = 12;
}

/// Builds a data report: id 3, status, unit, exponent, raw weight little-endian.
pub fn report(status: u8, unit: u8, exponent: i8, raw: u16) -> [u8; 6] {
    let [lo, hi] = raw.to_le_bytes();
    [0x03, status, unit, exponent as u8, lo, hi]
}

/// A short recorded-style session: empty, a parcel put down (moving), then steady at 1234 g.
pub fn fixture_session() -> Vec<u8> {
    [
        report(status::STABLE_ZERO, unit::GRAM, 0, 0),
        report(status::STABLE_ZERO, unit::GRAM, 0, 0),
        report(status::IN_MOTION, unit::GRAM, 0, 800),
        report(status::IN_MOTION, unit::GRAM, 0, 1250),
        report(status::STABLE, unit::GRAM, 0, 1234),
        report(status::STABLE, unit::GRAM, 0, 1234),
    ]
    .concat()
}

struct State {
    current: [u8; 6],
    queue: Vec<u8>,
}

/// A running simulated HID scale. Dropping it stops the simulator.
pub struct HidScaleSim {
    control: PtyControl,
    state: Arc<Mutex<State>>,
    thread: Option<JoinHandle<()>>,
}

impl HidScaleSim {
    /// Starts a scale reporting "stable at zero" every 100 ms.
    pub fn start() -> std::io::Result<HidScaleSim> {
        let (mut link, control) = PtyLink::new("hidraw-sim")?;
        let state = Arc::new(Mutex::new(State {
            current: report(status::STABLE_ZERO, unit::GRAM, 0, 0),
            queue: Vec::new(),
        }));
        let st = state.clone();
        let thread = std::thread::Builder::new()
            .name("sim hid scale".into())
            .spawn(move || {
                let mut next = Instant::now();
                while !link.stopped() {
                    if link.sync_plug().is_err() {
                        continue;
                    }
                    let _ = link.read();
                    let mut s = st.lock().unwrap_or_else(|p| p.into_inner());
                    let queued = std::mem::take(&mut s.queue);
                    if !queued.is_empty() {
                        link.write(&queued);
                    }
                    if Instant::now() >= next {
                        let current = s.current;
                        drop(s);
                        link.write(&current);
                        next = Instant::now() + INTERVAL;
                    }
                }
            })?;
        Ok(HidScaleSim {
            control,
            state,
            thread: Some(thread),
        })
    }

    /// The path standing in for `/dev/hidrawN`.
    pub fn path(&self) -> &Path {
        self.control.path()
    }

    /// Sets the report sent every interval.
    pub fn set_report(&self, report: [u8; 6]) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).current = report;
    }

    /// Shows `grams` steady (or steady at zero for 0).
    pub fn set_grams(&self, grams: u16) {
        let st = if grams == 0 {
            status::STABLE_ZERO
        } else {
            status::STABLE
        };
        self.set_report(report(st, unit::GRAM, 0, grams));
    }

    /// Sends these bytes once, as they are (fixture replay, garbage).
    pub fn send_bytes(&self, bytes: &[u8]) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .queue
            .extend_from_slice(bytes);
    }

    /// Pulls the cable (or the scale switches itself off).
    pub fn unplug(&self) {
        self.control.unplug();
    }

    /// Plugs it back in (same path).
    pub fn replug(&self) {
        self.control.replug();
    }
}

impl Drop for HidScaleSim {
    fn drop(&mut self) {
        self.control.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
