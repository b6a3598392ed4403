//! Serial line settings (baud, data bits, parity, stop bits) and opening a port with them.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serialport::SerialPort;

use crate::error::{permission_hint, DeviceError};

/// Parity as the scale or scanner is configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parity {
    /// No parity bit.
    None,
    /// Even parity.
    Even,
    /// Odd parity.
    Odd,
}

/// How to talk to a serial device. Defaults to 9600 8N1 (MT-SICS and most scanners).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerialSettings {
    /// Bits per second.
    pub baud: u32,
    /// 7 or 8.
    pub data_bits: u8,
    /// Parity.
    pub parity: Parity,
    /// 1 or 2.
    pub stop_bits: u8,
}

impl Default for SerialSettings {
    fn default() -> Self {
        SerialSettings {
            baud: 9600,
            data_bits: 8,
            parity: Parity::None,
            stop_bits: 1,
        }
    }
}

impl SerialSettings {
    /// 9600 7E1, the Toledo 8217 default.
    pub fn toledo_8217() -> SerialSettings {
        SerialSettings {
            baud: 9600,
            data_bits: 7,
            parity: Parity::Even,
            stop_bits: 1,
        }
    }

    /// Checks the values a serial port can actually take.
    pub fn validate(&self) -> Result<(), DeviceError> {
        if !(300..=921_600).contains(&self.baud) {
            return Err(DeviceError::InvalidConfig(format!(
                "baud rate {} is outside 300–921600",
                self.baud
            )));
        }
        if !(5..=8).contains(&self.data_bits) {
            return Err(DeviceError::InvalidConfig(format!(
                "{} data bits; use 7 or 8",
                self.data_bits
            )));
        }
        if !(1..=2).contains(&self.stop_bits) {
            return Err(DeviceError::InvalidConfig(format!(
                "{} stop bits; use 1 or 2",
                self.stop_bits
            )));
        }
        Ok(())
    }
}

/// Opens `path` with `settings`; a read waits at most `timeout`.
pub fn open_port(
    path: &Path,
    settings: &SerialSettings,
    timeout: Duration,
) -> Result<Box<dyn SerialPort>, DeviceError> {
    settings.validate()?;
    let data_bits = match settings.data_bits {
        5 => serialport::DataBits::Five,
        6 => serialport::DataBits::Six,
        7 => serialport::DataBits::Seven,
        _ => serialport::DataBits::Eight,
    };
    let parity = match settings.parity {
        Parity::None => serialport::Parity::None,
        Parity::Even => serialport::Parity::Even,
        Parity::Odd => serialport::Parity::Odd,
    };
    let stop_bits = if settings.stop_bits == 2 {
        serialport::StopBits::Two
    } else {
        serialport::StopBits::One
    };
    let path_str = path.to_string_lossy();
    serialport::new(path_str.as_ref(), settings.baud)
        .data_bits(data_bits)
        .parity(parity)
        .stop_bits(stop_bits)
        .flow_control(serialport::FlowControl::None)
        .timeout(timeout)
        .open()
        .map_err(|e| serial_error(path, e))
}

/// Maps a serialport error for `path`, keeping the path for the permission hint.
pub fn serial_error(path: &Path, e: serialport::Error) -> DeviceError {
    let what = format!("serial device {}", path.display());
    match e.kind() {
        serialport::ErrorKind::Io(std::io::ErrorKind::PermissionDenied) => {
            DeviceError::PermissionDenied {
                path: path.to_path_buf(),
                hint: permission_hint(path),
            }
        }
        serialport::ErrorKind::Io(kind) => {
            DeviceError::from_io(&what, path, &std::io::Error::new(kind, e.description))
        }
        serialport::ErrorKind::NoDevice => DeviceError::NotConnected {
            what,
            detail: e.description,
        },
        serialport::ErrorKind::InvalidInput => DeviceError::InvalidConfig(e.description),
        // Opening a path that is gone often surfaces as an unknown errno (ENXIO, EIO).
        serialport::ErrorKind::Unknown => DeviceError::NotConnected {
            what,
            detail: e.description,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_9600_8n1() {
        let s = SerialSettings::default();
        assert_eq!(
            (s.baud, s.data_bits, s.parity, s.stop_bits),
            (9600, 8, Parity::None, 1)
        );
        assert!(s.validate().is_ok());
    }

    #[test]
    fn nonsense_settings_are_refused() {
        let s = SerialSettings {
            data_bits: 9,
            ..Default::default()
        };
        assert_eq!(s.validate().unwrap_err().code(), "DEVICE_INVALID_CONFIG");
        let s = SerialSettings {
            baud: 0,
            ..Default::default()
        };
        assert!(s.validate().is_err());
    }

    #[test]
    fn opening_a_missing_port_is_not_connected() {
        let e = open_port(
            Path::new("/dev/tally-no-such-port"),
            &SerialSettings::default(),
            Duration::from_millis(10),
        )
        .unwrap_err();
        assert!(e.is_disconnect(), "{e:?}");
    }
}
