//! USB HID point-of-sale scales read through Linux hidraw (`/dev/hidrawN`).
//!
//! The kernel's usbhid driver owns the device, so Tally reads reports from the hidraw node
//! instead of claiming the USB interface. A file or pseudo-terminal holding 6-byte reports
//! stands in for the node in tests and the demo.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::DeviceError;
use crate::protocol::hid_pos::{self, StaleReportFilter, REPORT_LEN};
use crate::reading::ScaleReading;
use crate::scale::Scale;

/// How reports arrive from the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HidFraming {
    /// A hidraw node: each read returns exactly one report (5 bytes when the descriptor has
    /// no report ids, 6 when it has).
    Hidraw,
    /// A byte stream (replay file, pipe, pseudo-terminal) cut into 6-byte reports.
    Stream,
}

impl HidFraming {
    /// Hidraw for `/dev/hidrawN`, a stream for anything else.
    pub fn for_path(path: &Path) -> HidFraming {
        let is_hidraw = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("hidraw"));
        if is_hidraw {
            HidFraming::Hidraw
        } else {
            HidFraming::Stream
        }
    }
}

/// How long a read waits for a report before returning the last one seen. Postal scales
/// report several times a second while on; some only report changes.
const REPORT_WAIT: Duration = Duration::from_millis(600);

type Report = Result<Vec<u8>, std::io::Error>;

/// A USB HID scale.
pub struct HidScale {
    path: PathBuf,
    reports: mpsc::Receiver<Report>,
    stale: StaleReportFilter,
    last: Option<ScaleReading>,
    wait: Duration,
    /// The device went away right after a fresh report; said on the next read.
    gone_next: Option<DeviceError>,
}

impl HidScale {
    /// Opens the node; the framing follows from the path.
    pub fn open(path: &Path) -> Result<HidScale, DeviceError> {
        HidScale::open_with(path, HidFraming::for_path(path))
    }

    /// Opens the node with an explicit framing.
    pub fn open_with(path: &Path, framing: HidFraming) -> Result<HidScale, DeviceError> {
        let file = File::open(path).map_err(|e| DeviceError::from_io("USB scale", path, &e))?;
        let (tx, rx) = mpsc::channel();
        // Reads block until the scale sends; a thread keeps that off the caller. It ends at
        // the next report or unplug after the scale handle is dropped.
        std::thread::Builder::new()
            .name(format!("hid-scale {}", path.display()))
            .spawn(move || read_reports(file, framing, tx))
            .map_err(|e| DeviceError::from_io("USB scale", path, &e))?;
        Ok(HidScale {
            path: path.to_path_buf(),
            reports: rx,
            stale: StaleReportFilter::new(),
            last: None,
            wait: REPORT_WAIT,
            gone_next: None,
        })
    }

    fn gone(&self, detail: String) -> DeviceError {
        DeviceError::NotConnected {
            what: format!("USB scale {}", self.path.display()),
            detail,
        }
    }

    /// Parses a report unless it is the stale first one; keeps it as the latest.
    fn take(&mut self, report: &[u8]) -> Result<(), DeviceError> {
        if let Some(report) = self.stale.accept(report) {
            self.last = Some(hid_pos::parse_report(report)?);
        }
        Ok(())
    }
}

fn read_reports(mut file: File, framing: HidFraming, tx: mpsc::Sender<Report>) {
    let mut buf = [0u8; 64];
    loop {
        let report = match framing {
            HidFraming::Hidraw => match file.read(&mut buf) {
                Ok(0) => Err(std::io::ErrorKind::UnexpectedEof.into()),
                // No report ids in the descriptor: the data starts at byte 0.
                Ok(n) if n == REPORT_LEN - 1 => {
                    let mut r = vec![0x03];
                    r.extend_from_slice(&buf[..n]);
                    Ok(r)
                }
                Ok(n) => Ok(buf[..n].to_vec()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            },
            HidFraming::Stream => {
                let mut r = vec![0u8; REPORT_LEN];
                file.read_exact(&mut r).map(|_| r)
            }
        };
        let failed = report.is_err();
        if tx.send(report).is_err() || failed {
            return;
        }
    }
}

impl Scale for HidScale {
    fn describe(&self) -> String {
        format!("USB scale on {}", self.path.display())
    }

    fn read(&mut self) -> Result<ScaleReading, DeviceError> {
        if let Some(e) = self.gone_next.take() {
            return Err(e);
        }
        let deadline = Instant::now() + self.wait;
        let mut fresh = false;
        let mut garbage: Option<DeviceError> = None;
        loop {
            // Drain whatever has queued up and keep the newest: the UI wants "now".
            let next = if fresh {
                match self.reports.try_recv() {
                    Ok(r) => Some(r),
                    Err(mpsc::TryRecvError::Empty) => None,
                    Err(mpsc::TryRecvError::Disconnected) => {
                        return Err(self.gone("reader stopped".into()))
                    }
                }
            } else {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.reports.recv_timeout(left) {
                    Ok(r) => Some(r),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        return Err(self.gone("reader stopped".into()))
                    }
                }
            };
            match next {
                Some(Ok(report)) => match self.take(&report) {
                    Ok(()) => fresh = self.last.is_some(),
                    Err(e) => {
                        tracing::debug!(error = %e, "skipping unreadable scale report");
                        garbage = Some(e);
                    }
                },
                // A postal scale switching itself off looks like an unplug, and is treated as one.
                Some(Err(e)) => {
                    let e = DeviceError::from_io("USB scale", &self.path, &e);
                    match (&self.last, fresh) {
                        (Some(r), true) => {
                            self.gone_next = Some(e);
                            return Ok(r.clone());
                        }
                        _ => return Err(e),
                    }
                }
                None => {
                    return match (&self.last, garbage) {
                        (Some(r), _) => Ok(r.clone()),
                        (None, Some(e)) => Err(e),
                        (None, None) => Err(DeviceError::Timeout {
                            what: format!("USB scale {}", self.path.display()),
                        }),
                    }
                }
            }
        }
    }

    fn zero(&mut self) -> Result<(), DeviceError> {
        Err(DeviceError::Unsupported {
            action: "zero".into(),
        })
    }

    fn tare(&mut self) -> Result<(), DeviceError> {
        Err(DeviceError::Unsupported {
            action: "tare".into(),
        })
    }

    fn clear_tare(&mut self) -> Result<(), DeviceError> {
        Err(DeviceError::Unsupported {
            action: "clear the tare".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use std::io::Write;

    fn replay(reports: &[[u8; 6]]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        for r in reports {
            f.write_all(r).unwrap();
        }
        f.flush().unwrap();
        f
    }

    #[test]
    fn the_stale_first_report_is_never_returned() {
        // First report says 9999 g (stale from before opening); the real one says 250 g.
        let f = replay(&[[3, 4, 2, 0, 0x0f, 0x27], [3, 4, 2, 0, 250, 0]]);
        let mut s = HidScale::open(f.path()).unwrap();
        let r = s.read().unwrap();
        assert_eq!(r.weight.unwrap().grams(), dec!(250));
    }

    #[test]
    fn the_newest_queued_report_wins() {
        let f = replay(&[
            [3, 2, 2, 0, 0, 0],
            [3, 3, 2, 0, 100, 0],
            [3, 4, 2, 0, 200, 0],
        ]);
        let mut s = HidScale::open(f.path()).unwrap();
        // Give the reader thread time to queue all three.
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(s.read().unwrap().weight.unwrap().grams(), dec!(200));
    }

    #[test]
    fn end_of_replay_is_an_unplug() {
        let f = replay(&[[3, 2, 2, 0, 0, 0], [3, 4, 2, 0, 200, 0]]);
        let mut s = HidScale::open(f.path()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        let _ = s.read();
        let e = s.read().unwrap_err();
        assert!(e.is_disconnect(), "{e:?}");
    }

    #[test]
    fn garbage_reports_are_skipped() {
        let f = replay(&[[3, 2, 2, 0, 0, 0], [0xff; 6], [3, 4, 2, 0, 7, 0]]);
        let mut s = HidScale::open(f.path()).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(s.read().unwrap().weight.unwrap().grams(), dec!(7));
    }

    #[test]
    fn zero_is_left_to_the_scale_button() {
        let f = replay(&[]);
        let mut s = HidScale::open(f.path()).unwrap();
        assert_eq!(s.zero().unwrap_err().code(), "DEVICE_UNSUPPORTED_COMMAND");
    }

    #[test]
    fn hidraw_paths_read_one_report_per_read() {
        assert_eq!(
            HidFraming::for_path(Path::new("/dev/hidraw2")),
            HidFraming::Hidraw
        );
        assert_eq!(
            HidFraming::for_path(Path::new("/tmp/replay.bin")),
            HidFraming::Stream
        );
    }
}
