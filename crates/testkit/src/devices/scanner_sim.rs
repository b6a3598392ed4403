//! A serial (USB-CDC) barcode scanner on a pseudo-terminal: the test "scans" a code and the
//! driver reads it as the scanner would send it.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use super::pty_link::{PtyControl, PtyLink};

/// What ends each scan on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminator {
    /// `\r`
    Cr,
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
}

impl Terminator {
    fn bytes(self) -> &'static [u8] {
        match self {
            Terminator::Cr => b"\r",
            Terminator::Lf => b"\n",
            Terminator::CrLf => b"\r\n",
        }
    }
}

/// A running simulated scanner. Dropping it stops the simulator.
pub struct ScannerSim {
    control: PtyControl,
    tx: mpsc::Sender<Vec<u8>>,
    terminator: Terminator,
    thread: Option<JoinHandle<()>>,
}

impl ScannerSim {
    /// Starts a scanner ending scans with `terminator`.
    pub fn start(terminator: Terminator) -> std::io::Result<ScannerSim> {
        let (mut link, control) = PtyLink::new("scanner")?;
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        let thread = std::thread::Builder::new()
            .name("sim scanner".into())
            .spawn(move || {
                while !link.stopped() {
                    if link.sync_plug().is_err() {
                        continue;
                    }
                    // Reading drains anything the driver sent (scanners ignore it) and paces the loop.
                    let _ = link.read();
                    while let Ok(bytes) = rx.try_recv() {
                        link.write(&bytes);
                    }
                }
            })?;
        Ok(ScannerSim {
            control,
            tx,
            terminator,
            thread: Some(thread),
        })
    }

    /// The port path the driver opens.
    pub fn path(&self) -> &Path {
        self.control.path()
    }

    /// Scans `code` (an AIM prefix such as `]E0` is part of the code if the scanner sends one).
    pub fn scan(&self, code: &str) {
        let mut bytes = code.as_bytes().to_vec();
        bytes.extend_from_slice(self.terminator.bytes());
        let _ = self.tx.send(bytes);
    }

    /// Sends raw bytes (garbage, half a line).
    pub fn write_raw(&self, bytes: &[u8]) {
        let _ = self.tx.send(bytes.to_vec());
    }

    /// Pulls the cable.
    pub fn unplug(&self) {
        self.control.unplug();
    }

    /// Plugs it back in (same path).
    pub fn replug(&self) {
        self.control.replug();
    }
}

impl Drop for ScannerSim {
    fn drop(&mut self) {
        self.control.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
