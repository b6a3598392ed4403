//! Scanners on a serial or USB-CDC port (`/dev/ttyACM*`): one scan per line.

use std::collections::VecDeque;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use crate::error::DeviceError;
use crate::protocol::line_buffer::LineBuffer;
use crate::protocol::scan_line::{parse_scan_line, Scan};
use crate::scanner::Scanner;
use crate::serial::{open_port, SerialSettings};

const READ_SLICE: Duration = Duration::from_millis(50);

/// A scanner on a serial port.
pub struct SerialScanner {
    port: Box<dyn SerialPort>,
    path: PathBuf,
    lines: LineBuffer,
    pending: VecDeque<Scan>,
}

impl SerialScanner {
    /// Opens the port.
    pub fn open(path: &Path, settings: &SerialSettings) -> Result<SerialScanner, DeviceError> {
        Ok(SerialScanner {
            port: open_port(path, settings, READ_SLICE)?,
            path: path.to_path_buf(),
            lines: LineBuffer::new(),
            pending: VecDeque::new(),
        })
    }
}

impl Scanner for SerialScanner {
    fn describe(&self) -> String {
        format!("serial scanner on {}", self.path.display())
    }

    fn next_scan(&mut self, timeout: Duration) -> Result<Option<Scan>, DeviceError> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 512];
        loop {
            if let Some(scan) = self.pending.pop_front() {
                return Ok(Some(scan));
            }
            let n = match self.port.read(&mut buf) {
                Ok(0) => {
                    return Err(DeviceError::NotConnected {
                        what: self.describe(),
                        detail: "end of stream".into(),
                    })
                }
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted
                    ) =>
                {
                    0
                }
                Err(e) => return Err(DeviceError::from_io(&self.describe(), &self.path, &e)),
            };
            self.pending.extend(
                self.lines
                    .push(&buf[..n])
                    .iter()
                    .filter_map(|l| parse_scan_line(l)),
            );
            if self.pending.is_empty() && Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }
}
