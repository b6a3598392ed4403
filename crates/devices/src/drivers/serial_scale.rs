//! Serial scales speaking MT-SICS or the Toledo 8217 protocol.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serialport::SerialPort;

use crate::error::DeviceError;
use crate::protocol::line_buffer::LineBuffer;
use crate::protocol::mt_sics::{self, SicsBody, SicsCommand, SicsError, SicsReply};
use crate::protocol::toledo_8217::{self, FrameBuffer};
use crate::reading::ScaleReading;
use crate::scale::Scale;
use crate::serial::{open_port, SerialSettings};
use crate::weight::MassUnit;

/// Which protocol a serial scale speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "protocol", rename_all = "snake_case")]
pub enum SerialScaleProtocol {
    /// Mettler Toledo MT-SICS (units come with each reply).
    MtSics,
    /// Toledo 8217; the unit is set on the scale and must be set here to match.
    Toledo8217 {
        /// kg or lb, as configured on the scale.
        unit: MassUnit,
    },
}

/// How long to wait for one reply. Scales answer in tens of milliseconds; a second is generous
/// and is also the "not this protocol" limit for probing.
pub const REPLY_TIMEOUT: Duration = Duration::from_millis(1000);
/// Zero and tare wait for the scale to settle, so they get longer.
const COMMAND_TIMEOUT: Duration = Duration::from_millis(3000);
/// Granularity of the port's blocking reads.
const READ_SLICE: Duration = Duration::from_millis(50);

/// A scale on a serial port.
pub struct SerialScale {
    port: Box<dyn SerialPort>,
    path: PathBuf,
    protocol: SerialScaleProtocol,
    lines: LineBuffer,
    frames: FrameBuffer,
    reply_timeout: Duration,
}

impl SerialScale {
    /// Opens the port with the given settings and protocol.
    pub fn open(
        path: &Path,
        settings: &SerialSettings,
        protocol: SerialScaleProtocol,
    ) -> Result<SerialScale, DeviceError> {
        let port = open_port(path, settings, READ_SLICE)?;
        Ok(SerialScale {
            port,
            path: path.to_path_buf(),
            protocol,
            lines: LineBuffer::new(),
            frames: FrameBuffer::new(),
            reply_timeout: REPLY_TIMEOUT,
        })
    }

    /// Sets how long a poll waits for its reply.
    pub fn set_reply_timeout(&mut self, timeout: Duration) {
        self.reply_timeout = timeout;
    }

    /// The protocol in use.
    pub fn protocol(&self) -> SerialScaleProtocol {
        self.protocol
    }

    fn what(&self) -> String {
        format!("scale on {}", self.path.display())
    }

    fn io_err(&self, e: &std::io::Error) -> DeviceError {
        DeviceError::from_io(&self.what(), &self.path, e)
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), DeviceError> {
        // A reply to an earlier, timed-out command must not be taken for this one.
        let _ = self.port.clear(serialport::ClearBuffer::Input);
        self.lines.clear();
        self.frames.clear();
        self.port
            .write_all(bytes)
            .and_then(|_| self.port.flush())
            .map_err(|e| self.io_err(&e))
    }

    /// Reads until `accept` returns a value or the deadline passes. Garbage is skipped.
    fn read_until<T>(
        &mut self,
        timeout: Duration,
        mut accept: impl FnMut(Vec<u8>) -> Option<Result<T, DeviceError>>,
    ) -> Result<T, DeviceError> {
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 256];
        loop {
            let n = match self.port.read(&mut buf) {
                Ok(0) => {
                    return Err(DeviceError::NotConnected {
                        what: self.what(),
                        detail: "end of stream".into(),
                    })
                }
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => 0,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => 0,
                Err(e) => return Err(self.io_err(&e)),
            };
            let units = match self.protocol {
                SerialScaleProtocol::MtSics => self.lines.push(&buf[..n]),
                SerialScaleProtocol::Toledo8217 { .. } => self.frames.push(&buf[..n]),
            };
            for unit in units {
                if let Some(result) = accept(unit) {
                    return result;
                }
            }
            if Instant::now() >= deadline {
                return Err(DeviceError::Timeout { what: self.what() });
            }
        }
    }

    /// Sends an MT-SICS command and returns its reply (or a bare error reply).
    fn sics(&mut self, cmd: SicsCommand, timeout: Duration) -> Result<SicsReply, DeviceError> {
        self.write(cmd.bytes())?;
        self.read_until(timeout, |line| match mt_sics::parse_line(&line) {
            Ok(r) if r.command == cmd.reply_name() || r.command.is_empty() => Some(Ok(r)),
            // Other commands' replies (a late SIR stream line) and garbage are skipped.
            Ok(_) => None,
            Err(e) => {
                tracing::debug!(error = %e, "skipping unreadable scale line");
                None
            }
        })
    }

    fn sics_action(&mut self, cmd: SicsCommand, action: &str) -> Result<(), DeviceError> {
        let reply = self.sics(cmd, COMMAND_TIMEOUT)?;
        match reply.body {
            SicsBody::Done(_) | SicsBody::Weight { .. } => Ok(()),
            SicsBody::NotPossible => Err(refused(action, "the weight is not steady")),
            SicsBody::Overload => Err(refused(action, "the load is above the allowed range")),
            SicsBody::Underload => Err(refused(action, "the load is below the allowed range")),
            SicsBody::Error(SicsError::Syntax) => Err(DeviceError::Unsupported {
                action: action.into(),
            }),
            SicsBody::Error(e) => Err(refused(action, &format!("scale error {e:?}"))),
        }
    }

    fn toledo_read(&mut self, unit: MassUnit) -> Result<ScaleReading, DeviceError> {
        self.write(toledo_8217::command::WEIGHT)?;
        let timeout = self.reply_timeout;
        self.read_until(timeout, |body| {
            match toledo_8217::parse_body(&body).and_then(|f| f.to_reading(unit)) {
                Ok(r) => Some(Ok(r)),
                Err(e) => {
                    tracing::debug!(error = %e, "skipping unreadable 8217 frame");
                    None
                }
            }
        })
    }

    /// MT-SICS identification (`I2`): model and capacity, if the scale answers it.
    pub fn model(&mut self) -> Result<Option<String>, DeviceError> {
        if self.protocol != SerialScaleProtocol::MtSics {
            return Ok(None);
        }
        match self.sics(SicsCommand::Model, self.reply_timeout)?.body {
            SicsBody::Done(text) => Ok(text),
            _ => Ok(None),
        }
    }
}

fn refused(action: &str, detail: &str) -> DeviceError {
    DeviceError::CommandRefused {
        action: action.into(),
        detail: detail.into(),
    }
}

impl Scale for SerialScale {
    fn describe(&self) -> String {
        let proto = match self.protocol {
            SerialScaleProtocol::MtSics => "MT-SICS".to_string(),
            SerialScaleProtocol::Toledo8217 { unit } => format!("8217, {}", unit.symbol()),
        };
        format!("serial scale on {} ({proto})", self.path.display())
    }

    fn read(&mut self) -> Result<ScaleReading, DeviceError> {
        match self.protocol {
            SerialScaleProtocol::MtSics => {
                let timeout = self.reply_timeout;
                let reply = self.sics(SicsCommand::WeightImmediately, timeout)?;
                reply.to_reading().ok_or_else(|| DeviceError::Protocol {
                    what: self.what(),
                    detail: format!("unexpected reply {:?} to SI", reply.body),
                })
            }
            SerialScaleProtocol::Toledo8217 { unit } => self.toledo_read(unit),
        }
    }

    fn zero(&mut self) -> Result<(), DeviceError> {
        match self.protocol {
            SerialScaleProtocol::MtSics => self.sics_action(SicsCommand::Zero, "zero"),
            // 8217 has no reply to Z; the next reading shows whether it worked.
            SerialScaleProtocol::Toledo8217 { .. } => self.write(toledo_8217::command::ZERO),
        }
    }

    fn tare(&mut self) -> Result<(), DeviceError> {
        match self.protocol {
            SerialScaleProtocol::MtSics => self.sics_action(SicsCommand::Tare, "tare"),
            SerialScaleProtocol::Toledo8217 { .. } => self.write(toledo_8217::command::TARE),
        }
    }

    fn clear_tare(&mut self) -> Result<(), DeviceError> {
        match self.protocol {
            SerialScaleProtocol::MtSics => {
                self.sics_action(SicsCommand::ClearTare, "clear the tare")
            }
            SerialScaleProtocol::Toledo8217 { .. } => self.write(toledo_8217::command::CLEAR_TARE),
        }
    }
}

/// Finds out which protocol the scale on `path` speaks: MT-SICS at `sics` settings, then 8217
/// at `toledo` settings; each gets `timeout` to answer ([`REPLY_TIMEOUT`], one second, is the
/// documented limit). The 8217 unit cannot be detected (it is set on the scale), so
/// `toledo_unit` is used.
pub fn probe(
    path: &Path,
    sics: &SerialSettings,
    toledo: &SerialSettings,
    toledo_unit: MassUnit,
    timeout: Duration,
) -> Result<(SerialScaleProtocol, SerialSettings), DeviceError> {
    {
        let mut scale = SerialScale::open(path, sics, SerialScaleProtocol::MtSics)?;
        // Any well-formed MT-SICS reply, even ES, identifies the protocol.
        scale.write(SicsCommand::WeightImmediately.bytes())?;
        let found = scale.read_until(timeout, |line| {
            mt_sics::parse_line(&line).ok().map(|_| Ok(()))
        });
        match found {
            Ok(()) => return Ok((SerialScaleProtocol::MtSics, *sics)),
            Err(DeviceError::Timeout { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let protocol = SerialScaleProtocol::Toledo8217 { unit: toledo_unit };
    let mut scale = SerialScale::open(path, toledo, protocol)?;
    scale.write(toledo_8217::command::WEIGHT)?;
    let found = scale.read_until(timeout, |body| {
        toledo_8217::parse_body(&body).ok().map(|_| Ok(()))
    });
    match found {
        Ok(()) => Ok((protocol, *toledo)),
        Err(DeviceError::Timeout { .. }) => Err(DeviceError::Protocol {
            what: format!("device on {}", path.display()),
            detail:
                "it answered neither MT-SICS nor 8217; check its baud rate and protocol setting"
                    .into(),
        }),
        Err(e) => Err(e),
    }
}
