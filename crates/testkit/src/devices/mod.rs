//! Device simulators that speak the same bytes as the real devices (HARDWARE.md), for the
//! device drivers' tests and for the demo, so a newcomer sees a live weight without hardware.

pub mod hid_scale_sim;
pub mod pty_link;
pub mod scanner_sim;
pub mod serial_scale_sim;
pub mod zpl_printer_sim;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rust_decimal::Decimal;

pub use hid_scale_sim::HidScaleSim;
pub use scanner_sim::{ScannerSim, Terminator};
pub use serial_scale_sim::{SerialScaleSim, SimProtocol};
pub use zpl_printer_sim::{SimPrinterStatus, ZplPrinterSim};

/// The demo's simulated bench: an MT-SICS scale that keeps weighing parcels, a scanner, a
/// network label printer and a USB postal scale. Dropping it stops them all.
pub struct DemoDevices {
    /// Serial scale (MT-SICS, 9600 8N1).
    pub serial_scale: Arc<SerialScaleSim>,
    /// Serial scanner (lines end CR LF).
    pub scanner: ScannerSim,
    /// Network ZPL printer on loopback.
    pub printer: ZplPrinterSim,
    /// USB HID scale stand-in.
    pub hid_scale: HidScaleSim,
    stop: Arc<AtomicBool>,
    animator: Option<JoinHandle<()>>,
}

/// Where the demo devices can be reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoDeviceAddresses {
    /// Serial scale port (MT-SICS).
    pub serial_scale: PathBuf,
    /// Serial scanner port.
    pub scanner: PathBuf,
    /// Network printer address (raw ZPL).
    pub printer: SocketAddr,
    /// HID scale stand-in (6-byte reports as a stream).
    pub hid_scale: PathBuf,
}

impl DemoDevices {
    /// Paths and addresses to put in the station's device settings.
    pub fn addresses(&self) -> DemoDeviceAddresses {
        DemoDeviceAddresses {
            serial_scale: self.serial_scale.path().to_path_buf(),
            scanner: self.scanner.path().to_path_buf(),
            printer: self.printer.addr(),
            hid_scale: self.hid_scale.path().to_path_buf(),
        }
    }
}

impl Drop for DemoDevices {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.animator.take() {
            let _ = t.join();
        }
    }
}

/// Starts the demo devices. The serial scale repeats a packing rhythm: empty, a parcel put
/// down (moving for a moment), steady for a few seconds, lifted off.
pub fn start_demo_devices() -> std::io::Result<DemoDevices> {
    let serial_scale = Arc::new(SerialScaleSim::start(SimProtocol::MtSics)?);
    let scanner = ScannerSim::start(Terminator::CrLf)?;
    let printer = ZplPrinterSim::start()?;
    let hid_scale = HidScaleSim::start()?;
    hid_scale.set_grams(850);
    let stop = Arc::new(AtomicBool::new(false));
    let (scale, stp) = (serial_scale.clone(), stop.clone());
    let animator = std::thread::Builder::new()
        .name("demo scale".into())
        .spawn(move || {
            let parcels = [1234_i64, 2480, 655, 9120, 3305];
            let mut i = 0;
            let pause = |ms: u64| {
                let steps = ms / 50;
                for _ in 0..steps {
                    if stp.load(Ordering::SeqCst) {
                        return false;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                true
            };
            loop {
                scale.set_weight_grams(Decimal::ZERO);
                if !pause(2000) {
                    return;
                }
                scale.set_weight_grams(Decimal::from(parcels[i % parcels.len()]));
                scale.set_moving(true);
                if !pause(800) {
                    return;
                }
                scale.set_moving(false);
                if !pause(4000) {
                    return;
                }
                i += 1;
            }
        })?;
    Ok(DemoDevices {
        serial_scale,
        scanner,
        printer,
        hid_scale,
        stop,
        animator: Some(animator),
    })
}
