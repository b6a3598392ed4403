//! Label printers on USB through the kernel's printer class driver: `/dev/usb/lpN`.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::DeviceError;
use crate::printer::{PrintFormat, PrintOutcome, Printer};

/// A ZPL printer written to as a device file.
pub struct UsbLpPrinter {
    name: String,
    path: PathBuf,
}

impl UsbLpPrinter {
    /// A printer at `path` (e.g. `/dev/usb/lp0`).
    pub fn new(name: &str, path: &Path) -> UsbLpPrinter {
        UsbLpPrinter {
            name: name.to_string(),
            path: path.to_path_buf(),
        }
    }
}

impl Printer for UsbLpPrinter {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, format: PrintFormat) -> bool {
        format == PrintFormat::Zpl
    }

    fn send(&mut self, _format: PrintFormat, bytes: &[u8]) -> Result<PrintOutcome, DeviceError> {
        let what = format!("printer {}", self.name);
        // No create: a missing /dev/usb/lp0 means unplugged, never a new regular file.
        let mut f = OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(|e| DeviceError::from_io(&what, &self.path, &e))?;
        f.write_all(bytes)
            .and_then(|_| f.flush())
            .map_err(|e| DeviceError::from_io(&what, &self.path, &e))?;
        Ok(PrintOutcome::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_written_to_the_device_file() {
        let f = tempfile::NamedTempFile::new().unwrap();
        let mut p = UsbLpPrinter::new("bench", f.path());
        p.send(PrintFormat::Zpl, b"^XA^FDhi^FS^XZ").unwrap();
        assert_eq!(std::fs::read(f.path()).unwrap(), b"^XA^FDhi^FS^XZ");
    }

    #[test]
    fn a_missing_device_file_is_unplugged_and_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lp0");
        let mut p = UsbLpPrinter::new("bench", &path);
        let e = p.send(PrintFormat::Zpl, b"^XA^XZ").unwrap_err();
        assert!(e.is_disconnect(), "{e:?}");
        assert!(!path.exists());
    }
}
