//! The one error type of the devices crate.

use std::path::PathBuf;

/// What went wrong with a scale, scanner or printer, in words a person at the bench understands.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum DeviceError {
    /// The operating system refused to open the device file.
    #[error("Tally is not allowed to open {path}. {hint}")]
    PermissionDenied {
        /// The device file that could not be opened.
        path: PathBuf,
        /// What the user can do about it (udev rule or group membership).
        hint: String,
    },
    /// The device is not there (never plugged in, switched off or unplugged).
    #[error("{what} is not connected ({detail}). Check the cable and that it is switched on.")]
    NotConnected {
        /// Which device.
        what: String,
        /// The system's reason.
        detail: String,
    },
    /// The device stopped answering within the time allowed.
    #[error("{what} did not answer in time. Check the cable and the device's settings.")]
    Timeout {
        /// Which device.
        what: String,
    },
    /// Bytes arrived that do not follow the device's protocol.
    #[error("{what} sent something Tally does not understand: {detail}")]
    Protocol {
        /// Which protocol or device.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// The scale reports a unit Tally cannot convert exactly to grams.
    #[error("the scale is set to a unit Tally cannot use ({unit}); set it to grams, kilograms, ounces or pounds")]
    UnsupportedUnit {
        /// The unit as the scale named it.
        unit: String,
    },
    /// A weight was asked for but the scale is not showing a stable, recordable weight.
    #[error("the scale is not steady ({status}); wait until the weight settles")]
    NotStable {
        /// What the scale said instead.
        status: String,
    },
    /// A negative or out-of-range weight cannot be a box weight.
    #[error("{detail}")]
    InvalidWeight {
        /// Why.
        detail: String,
    },
    /// The scale refused a command (zero, tare) right now.
    #[error("the scale could not {action} now ({detail})")]
    CommandRefused {
        /// What was asked (zero, tare).
        action: String,
        /// Why, as far as the scale said.
        detail: String,
    },
    /// The protocol in use has no such command.
    #[error("this scale cannot {action} from Tally; use the button on the scale")]
    Unsupported {
        /// What was asked.
        action: String,
    },
    /// The printer reports a condition that stops printing.
    #[error("printer {printer} cannot print: {problem}")]
    PrinterNotReady {
        /// Which printer.
        printer: String,
        /// What the printer reported (paper out, head open, paused...).
        problem: String,
    },
    /// Printing through the system (CUPS `lp`) failed.
    #[error("the print system refused the job for {queue}: {detail}")]
    PrintSystem {
        /// The CUPS queue.
        queue: String,
        /// What `lp` said.
        detail: String,
    },
    /// A stored print job does not match the bytes given for a reprint.
    #[error("the saved copy of print job {job} is damaged or different; print it fresh instead")]
    ReprintMismatch {
        /// The job id.
        job: String,
    },
    /// Device settings are inconsistent (bad baud rate, empty path...).
    #[error("device settings are not valid: {0}")]
    InvalidConfig(String),
    /// Any other input/output failure.
    #[error("{what}: {detail}")]
    Io {
        /// Which device or file.
        what: String,
        /// The system's reason.
        detail: String,
    },
}

impl DeviceError {
    /// A stable code the UI and logs can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            DeviceError::PermissionDenied { .. } => "DEVICE_PERMISSION_DENIED",
            DeviceError::NotConnected { .. } => "DEVICE_NOT_CONNECTED",
            DeviceError::Timeout { .. } => "DEVICE_TIMEOUT",
            DeviceError::Protocol { .. } => "DEVICE_PROTOCOL",
            DeviceError::UnsupportedUnit { .. } => "SCALE_UNSUPPORTED_UNIT",
            DeviceError::NotStable { .. } => "SCALE_NOT_STABLE",
            DeviceError::InvalidWeight { .. } => "SCALE_INVALID_WEIGHT",
            DeviceError::CommandRefused { .. } => "SCALE_COMMAND_REFUSED",
            DeviceError::Unsupported { .. } => "DEVICE_UNSUPPORTED_COMMAND",
            DeviceError::PrinterNotReady { .. } => "PRINTER_NOT_READY",
            DeviceError::PrintSystem { .. } => "PRINT_SYSTEM_FAILED",
            DeviceError::ReprintMismatch { .. } => "PRINT_REPRINT_MISMATCH",
            DeviceError::InvalidConfig(_) => "DEVICE_INVALID_CONFIG",
            DeviceError::Io { .. } => "DEVICE_IO",
        }
    }

    /// True when the device has gone away (unplugged, switched off) and a reconnect loop
    /// should take over, rather than an error to show.
    pub fn is_disconnect(&self) -> bool {
        matches!(self, DeviceError::NotConnected { .. })
    }

    /// Maps an IO error from opening or using `path` into the right variant, so that
    /// "permission denied" always carries the fix and a vanished device reads as unplugged.
    pub fn from_io(what: &str, path: &std::path::Path, err: &std::io::Error) -> DeviceError {
        use std::io::ErrorKind as K;
        match err.kind() {
            K::PermissionDenied => DeviceError::PermissionDenied {
                path: path.to_path_buf(),
                hint: permission_hint(path),
            },
            K::NotFound
            | K::BrokenPipe
            | K::ConnectionReset
            | K::ConnectionAborted
            | K::NotConnected
            | K::UnexpectedEof => DeviceError::NotConnected {
                what: what.to_string(),
                detail: err.to_string(),
            },
            K::TimedOut | K::WouldBlock => DeviceError::Timeout {
                what: what.to_string(),
            },
            _ if is_gone_errno(err) => DeviceError::NotConnected {
                what: what.to_string(),
                detail: err.to_string(),
            },
            _ => DeviceError::Io {
                what: what.to_string(),
                detail: err.to_string(),
            },
        }
    }
}

/// EIO (5) and ENODEV (19) and ENXIO (6) are what Linux returns from a tty or hidraw
/// whose device was unplugged or whose pseudo-terminal master closed.
fn is_gone_errno(err: &std::io::Error) -> bool {
    matches!(err.raw_os_error(), Some(5) | Some(6) | Some(19))
}

/// The advice for a permission problem depends on the kind of device file.
pub fn permission_hint(path: &std::path::Path) -> String {
    let name = path.to_string_lossy();
    if name.contains("hidraw") {
        "USB scales need Tally's udev rule: copy 70-tally-scales.rules (shipped with Tally) to \
         /etc/udev/rules.d/, run `sudo udevadm control --reload && sudo udevadm trigger`, then \
         unplug the scale and plug it back in."
            .to_string()
    } else if name.contains("/dev/usb/lp") {
        "USB printers belong to the \"lp\" group: run `sudo usermod -aG lp $USER` and log in again."
            .to_string()
    } else {
        "Serial devices belong to the \"dialout\" group: run `sudo usermod -aG dialout $USER` \
         and log in again."
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn permission_denied_on_hidraw_tells_about_the_udev_rule() {
        let err = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = DeviceError::from_io("scale", Path::new("/dev/hidraw3"), &err);
        assert_eq!(e.code(), "DEVICE_PERMISSION_DENIED");
        assert!(e.to_string().contains("70-tally-scales.rules"), "{e}");
    }

    #[test]
    fn permission_denied_on_a_tty_tells_about_dialout() {
        let err = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = DeviceError::from_io("scale", Path::new("/dev/ttyUSB0"), &err);
        assert!(e.to_string().contains("dialout"), "{e}");
    }

    #[test]
    fn eio_from_an_unplugged_tty_is_a_disconnect_not_an_error() {
        let err = std::io::Error::from_raw_os_error(5);
        let e = DeviceError::from_io("scale", Path::new("/dev/ttyUSB0"), &err);
        assert!(e.is_disconnect());
        assert_eq!(e.code(), "DEVICE_NOT_CONNECTED");
    }
}
