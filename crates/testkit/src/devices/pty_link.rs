//! A pseudo-terminal standing in for a device cable, reachable at a stable path (a symlink,
//! like `/dev/serial/by-id/...`) that survives unplug and replug.
//!
//! A simulator thread owns the master side and calls [`PtyLink::io`] in a loop; the driver
//! under test opens [`PtyLink::path`] like any serial port.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serialport::{SerialPort, TTYPort};

/// Shared plug state between the test and the simulator thread.
#[derive(Debug, Default)]
struct Plug {
    /// What the test wants.
    want_plugged: AtomicBool,
    /// What the simulator thread has done.
    is_plugged: AtomicBool,
    stop: AtomicBool,
}

/// The control side of a link, held by the simulator handle.
#[derive(Clone, Debug)]
pub struct PtyControl {
    plug: Arc<Plug>,
    path: PathBuf,
}

impl PtyControl {
    /// The path the driver opens.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Pulls the cable: the pty is closed (the driver's reads fail) and the path disappears.
    /// Returns once that has happened.
    pub fn unplug(&self) {
        self.plug.want_plugged.store(false, Ordering::SeqCst);
        wait_for(|| !self.plug.is_plugged.load(Ordering::SeqCst));
    }

    /// Plugs it back in: a new pty behind the same path. Returns once the path exists.
    pub fn replug(&self) {
        self.plug.want_plugged.store(true, Ordering::SeqCst);
        wait_for(|| self.plug.is_plugged.load(Ordering::SeqCst));
    }

    /// True while plugged in.
    pub fn is_plugged(&self) -> bool {
        self.plug.is_plugged.load(Ordering::SeqCst)
    }

    /// Asks the simulator thread to end.
    pub fn stop(&self) {
        self.plug.stop.store(true, Ordering::SeqCst);
    }
}

fn wait_for(cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !cond() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The simulator side of a link.
pub struct PtyLink {
    plug: Arc<Plug>,
    path: PathBuf,
    /// Master and the simulator's own slave fd (kept open so the master never sees a hang-up
    /// while no driver has the port open).
    port: Option<(TTYPort, TTYPort)>,
    _dir: Arc<tempfile::TempDir>,
}

impl PtyLink {
    /// A plugged-in link whose path is `<temp dir>/<name>`.
    pub fn new(name: &str) -> std::io::Result<(PtyLink, PtyControl)> {
        let dir = Arc::new(tempfile::Builder::new().prefix("tally-dev-").tempdir()?);
        let path = dir.path().join(name);
        let plug = Arc::new(Plug::default());
        plug.want_plugged.store(true, Ordering::SeqCst);
        let mut link = PtyLink {
            plug: plug.clone(),
            path: path.clone(),
            port: None,
            _dir: dir,
        };
        link.sync_plug()?;
        Ok((link, PtyControl { plug, path }))
    }

    /// True when the test asked the simulator to end.
    pub fn stopped(&self) -> bool {
        self.plug.stop.load(Ordering::SeqCst)
    }

    /// Applies unplug/replug requests. Call at the top of every loop iteration.
    pub fn sync_plug(&mut self) -> std::io::Result<()> {
        let want = self.plug.want_plugged.load(Ordering::SeqCst);
        match (want, self.port.is_some()) {
            (true, false) => {
                let (mut master, slave) = TTYPort::pair().map_err(std::io::Error::from)?;
                master
                    .set_timeout(Duration::from_millis(10))
                    .map_err(std::io::Error::from)?;
                let target = slave
                    .name()
                    .ok_or_else(|| std::io::Error::other("pty has no name"))?;
                let _ = std::fs::remove_file(&self.path);
                std::os::unix::fs::symlink(target, &self.path)?;
                self.port = Some((master, slave));
                self.plug.is_plugged.store(true, Ordering::SeqCst);
            }
            (false, true) => {
                let _ = std::fs::remove_file(&self.path);
                self.port = None;
                self.plug.is_plugged.store(false, Ordering::SeqCst);
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads what the driver sent (waits up to ~10 ms); empty when nothing or unplugged.
    pub fn read(&mut self) -> Vec<u8> {
        let Some((master, _)) = self.port.as_mut() else {
            std::thread::sleep(Duration::from_millis(10));
            return Vec::new();
        };
        let mut buf = [0u8; 256];
        match master.read(&mut buf) {
            Ok(n) => buf[..n].to_vec(),
            Err(_) => Vec::new(),
        }
    }

    /// Sends bytes to the driver (dropped while unplugged, as on a real cable).
    pub fn write(&mut self, bytes: &[u8]) {
        if let Some((master, _)) = self.port.as_mut() {
            let _ = master.write_all(bytes).and_then(|_| master.flush());
        }
    }
}

impl Drop for PtyLink {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
