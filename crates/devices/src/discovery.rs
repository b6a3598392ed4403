//! Finds what is plugged in: serial ports, USB HID scales (through sysfs and hidraw),
//! USB printers, CUPS queues and the configured network printers.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::{PrinterConfig, StationDeviceConfig};
use crate::drivers::cups;
use crate::error::DeviceError;
use crate::protocol::hid_pos::{KNOWN_SCALES, SCALE_USAGE_PAGE};

/// What a found device is (as far as discovery can tell without talking to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// A scale.
    Scale,
    /// A printer.
    Printer,
    /// A serial port: a scale or a scanner; probing tells.
    SerialPort,
}

/// A problem that stops Tally using a found device, for the settings screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceProblem {
    /// Stable code (`DeviceError::code`).
    pub code: String,
    /// What to tell the user (for permission problems: how to install the udev rule).
    pub message: String,
}

impl From<&DeviceError> for DeviceProblem {
    fn from(e: &DeviceError) -> Self {
        DeviceProblem {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
}

/// One device found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiscoveredDevice {
    /// Stable id: `serial:<path>`, `hid:<path>`, `usblp:<path>`, `cups:<queue>`, `printer:<name>`.
    pub id: String,
    /// What it is.
    pub kind: DeviceKind,
    /// Device file, when there is one.
    pub path: Option<PathBuf>,
    /// Human description (maker and model where known).
    pub description: String,
    /// USB vendor id, when known.
    pub vendor_id: Option<u16>,
    /// USB product id, when known.
    pub product_id: Option<u16>,
    /// Why it cannot be used, if it cannot.
    pub problem: Option<DeviceProblem>,
}

/// Everything discovery can find, plus the station's configured printers.
pub fn discover(config: &StationDeviceConfig) -> Vec<DiscoveredDevice> {
    let mut out = discover_serial_ports();
    out.extend(discover_hid_scales(
        Path::new("/sys/class/hidraw"),
        Path::new("/dev"),
    ));
    out.extend(discover_usb_printers(Path::new("/dev/usb")));
    out.extend(cups::list_queues().into_iter().map(|q| DiscoveredDevice {
        id: format!("cups:{q}"),
        kind: DeviceKind::Printer,
        path: None,
        description: format!("CUPS queue {q}"),
        vendor_id: None,
        product_id: None,
        problem: None,
    }));
    out.extend(config.printers.iter().map(|p| DiscoveredDevice {
        id: format!("printer:{}", p.name()),
        kind: DeviceKind::Printer,
        path: match p {
            PrinterConfig::UsbZpl { path, .. } => Some(path.clone()),
            _ => None,
        },
        description: match p {
            PrinterConfig::NetworkZpl { host, port, .. } => format!("ZPL printer at {host}:{port}"),
            PrinterConfig::UsbZpl { path, .. } => format!("ZPL printer on {}", path.display()),
            PrinterConfig::Cups { queue, .. } => format!("CUPS queue {queue}"),
            PrinterConfig::File { dir, .. } => format!("save to {}", dir.display()),
        },
        vendor_id: None,
        product_id: None,
        problem: None,
    }));
    out
}

/// Serial ports (USB-serial adapters, USB-CDC scanners, built-in ports).
pub fn discover_serial_ports() -> Vec<DiscoveredDevice> {
    // Without libudev, serialport scans /sys/class/tty and panics if it is missing
    // (some containers); a missing folder simply means no serial ports.
    if cfg!(target_os = "linux") && !Path::new("/sys/class/tty").is_dir() {
        return Vec::new();
    }
    let ports = match serialport::available_ports() {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "listing serial ports failed");
            return Vec::new();
        }
    };
    ports
        .into_iter()
        .map(|p| {
            let (description, vid, pid) = match &p.port_type {
                serialport::SerialPortType::UsbPort(u) => (
                    [u.manufacturer.as_deref(), u.product.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" "),
                    Some(u.vid),
                    Some(u.pid),
                ),
                serialport::SerialPortType::BluetoothPort => {
                    ("Bluetooth serial".into(), None, None)
                }
                _ => ("serial port".into(), None, None),
            };
            let path = PathBuf::from(&p.port_name);
            DiscoveredDevice {
                id: format!("serial:{}", p.port_name),
                kind: DeviceKind::SerialPort,
                problem: access_problem(&path),
                path: Some(path),
                description: if description.is_empty() {
                    "USB serial device".into()
                } else {
                    description
                },
                vendor_id: vid,
                product_id: pid,
            }
        })
        .collect()
}

/// USB HID scales: hidraw nodes whose device is a known scale or whose report descriptor
/// declares usage page 0x8D. `class_dir` is `/sys/class/hidraw`, `dev_dir` is `/dev`
/// (parameters so tests can point at a fake tree).
pub fn discover_hid_scales(class_dir: &Path, dev_dir: &Path) -> Vec<DiscoveredDevice> {
    let Ok(entries) = std::fs::read_dir(class_dir) else {
        return Vec::new();
    };
    let mut found: Vec<DiscoveredDevice> = entries
        .flatten()
        .filter_map(|entry| {
            let node = entry.file_name().to_string_lossy().into_owned();
            let sys = entry.path().join("device");
            let uevent = std::fs::read_to_string(sys.join("uevent")).unwrap_or_default();
            let (vid, pid) = parse_hid_id(&uevent)?;
            let name = uevent
                .lines()
                .find_map(|l| l.strip_prefix("HID_NAME="))
                .map(str::to_string);
            let known = KNOWN_SCALES.iter().find(|(v, p, _)| *v == vid && *p == pid);
            let descriptor = std::fs::read(sys.join("report_descriptor")).unwrap_or_default();
            if known.is_none() && !declares_usage_page(&descriptor, SCALE_USAGE_PAGE) {
                return None;
            }
            let path = dev_dir.join(&node);
            Some(DiscoveredDevice {
                id: format!("hid:{}", path.display()),
                kind: DeviceKind::Scale,
                problem: access_problem(&path),
                description: name
                    .or_else(|| known.map(|k| k.2.to_string()))
                    .unwrap_or_else(|| "USB scale".into()),
                path: Some(path),
                vendor_id: Some(vid),
                product_id: Some(pid),
            })
        })
        .collect();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

/// The first HID scale found, for a station configured with "any USB scale".
pub fn first_hid_scale() -> Option<PathBuf> {
    discover_hid_scales(Path::new("/sys/class/hidraw"), Path::new("/dev"))
        .into_iter()
        .find_map(|d| d.path)
}

/// USB printers handled by the kernel's printer class driver.
pub fn discover_usb_printers(dir: &Path) -> Vec<DiscoveredDevice> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<DiscoveredDevice> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("lp"))
        .map(|e| {
            let path = e.path();
            DiscoveredDevice {
                id: format!("usblp:{}", path.display()),
                kind: DeviceKind::Printer,
                problem: access_problem(&path),
                description: format!("USB printer {}", path.display()),
                path: Some(path),
                vendor_id: None,
                product_id: None,
            }
        })
        .collect();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found
}

/// Tries to open the node for reading, which is what the driver will need; a refusal becomes
/// the permission problem with its fix.
fn access_problem(path: &Path) -> Option<DeviceProblem> {
    match std::fs::OpenOptions::new().read(true).open(path) {
        Ok(_) => None,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Some(DeviceProblem::from(
            &DeviceError::from_io("device", path, &e),
        )),
        // Busy or odd nodes are for the driver to report when it opens them.
        Err(_) => None,
    }
}

/// Parses `HID_ID=0003:00000922:00008003` from a uevent file.
fn parse_hid_id(uevent: &str) -> Option<(u16, u16)> {
    let id = uevent.lines().find_map(|l| l.strip_prefix("HID_ID="))?;
    let mut parts = id.trim().split(':');
    let _bus = parts.next()?;
    let vid = u32::from_str_radix(parts.next()?, 16).ok()?;
    let pid = u32::from_str_radix(parts.next()?, 16).ok()?;
    Some((u16::try_from(vid).ok()?, u16::try_from(pid).ok()?))
}

/// True if a HID report descriptor contains a Usage Page item with `page`.
/// Walks the item structure (short and long items) rather than searching for bytes, so a
/// data value that happens to look like the item cannot match.
pub fn declares_usage_page(descriptor: &[u8], page: u16) -> bool {
    let mut i = 0;
    while i < descriptor.len() {
        let prefix = descriptor[i];
        if prefix == 0xFE {
            // Long item: size byte, tag byte, data.
            let size = descriptor.get(i + 1).copied().unwrap_or(0) as usize;
            i += 3 + size;
            continue;
        }
        let size = match prefix & 0x03 {
            3 => 4,
            n => n as usize,
        };
        let Some(data) = descriptor.get(i + 1..i + 1 + size) else {
            return false;
        };
        // Usage Page: global item (type 1), tag 0 → prefix 0b0000_01ss.
        if prefix & 0xFC == 0x04 {
            let value = data
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            if value == u32::from(page) {
                return true;
            }
        }
        i += 1 + size;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Shaped like the start of a scale's report descriptor: Usage Page (0x8D), Usage (1)...
    const SCALE_DESCRIPTOR: &[u8] = &[0x05, 0x8D, 0x09, 0x01, 0xA1, 0x01, 0x85, 0x03];
    // Keyboard: Usage Page (Generic Desktop), Usage (Keyboard); 0x8D appears only as data.
    const KEYBOARD_DESCRIPTOR: &[u8] = &[0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x15, 0x8D];

    #[test]
    fn usage_page_is_found_by_item_not_by_byte() {
        assert!(declares_usage_page(SCALE_DESCRIPTOR, 0x8D));
        assert!(!declares_usage_page(KEYBOARD_DESCRIPTOR, 0x8D));
        // Two-byte form: 0x06 0x8D 0x00.
        assert!(declares_usage_page(&[0x06, 0x8D, 0x00], 0x8D));
    }

    fn fake_hidraw(root: &Path, node: &str, hid_id: &str, name: &str, descriptor: &[u8]) {
        let dev = root.join(node).join("device");
        std::fs::create_dir_all(&dev).unwrap();
        std::fs::write(
            dev.join("uevent"),
            format!("DRIVER=hid-generic\nHID_ID={hid_id}\nHID_NAME={name}\n"),
        )
        .unwrap();
        std::fs::write(dev.join("report_descriptor"), descriptor).unwrap();
    }

    #[test]
    fn scales_are_found_by_id_or_usage_page_and_keyboards_are_not() {
        let sys = tempfile::tempdir().unwrap();
        let dev = tempfile::tempdir().unwrap();
        fake_hidraw(
            sys.path(),
            "hidraw0",
            "0003:0000046D:0000C31C",
            "Logitech Keyboard",
            KEYBOARD_DESCRIPTOR,
        );
        fake_hidraw(
            sys.path(),
            "hidraw1",
            "0003:00000922:00008003",
            "DYMO M10",
            &[],
        );
        fake_hidraw(
            sys.path(),
            "hidraw2",
            "0003:00001234:00005678",
            "Unlisted Postal Scale",
            SCALE_DESCRIPTOR,
        );
        let found = discover_hid_scales(sys.path(), dev.path());
        let names: Vec<&str> = found.iter().map(|d| d.description.as_str()).collect();
        assert_eq!(names, vec!["DYMO M10", "Unlisted Postal Scale"]);
        assert_eq!(found[0].vendor_id, Some(0x0922));
        assert_eq!(
            found[0].path.as_deref(),
            Some(dev.path().join("hidraw1").as_path())
        );
    }

    #[test]
    fn hid_id_parses_from_uevent() {
        assert_eq!(
            parse_hid_id("HID_ID=0003:00000922:00008003\n"),
            Some((0x0922, 0x8003))
        );
        assert_eq!(parse_hid_id("HID_ID=garbage"), None);
    }

    #[test]
    fn usb_printers_are_the_lp_nodes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lp0"), b"").unwrap();
        std::fs::write(dir.path().join("hiddev0"), b"").unwrap();
        let found = discover_usb_printers(dir.path());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, DeviceKind::Printer);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_descriptor_bytes_are_walked_without_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = declares_usage_page(&data, 0x8D);
        }
    }
}
