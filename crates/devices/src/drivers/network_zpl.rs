//! Zebra-compatible label printers on the network: raw ZPL on TCP port 9100, `~HS` for status.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::error::DeviceError;
use crate::printer::{PrintFormat, PrintOutcome, Printer};
use crate::protocol::zebra_host_status::{self, PrinterStatus};

/// The raw printing port.
pub const RAW_PORT: u16 = 9100;
const TIMEOUT: Duration = Duration::from_secs(3);

/// A ZPL printer reached over TCP.
pub struct NetworkZplPrinter {
    name: String,
    host: String,
    port: u16,
    timeout: Duration,
}

impl NetworkZplPrinter {
    /// A printer at `host:port` (port is 9100 on every Zebra unless changed).
    pub fn new(name: &str, host: &str, port: u16) -> NetworkZplPrinter {
        NetworkZplPrinter {
            name: name.to_string(),
            host: host.to_string(),
            port,
            timeout: TIMEOUT,
        }
    }

    /// Sets the connect/read/write timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> NetworkZplPrinter {
        self.timeout = timeout;
        self
    }

    fn what(&self) -> String {
        format!("printer {} at {}:{}", self.name, self.host, self.port)
    }

    fn io_err(&self, e: &std::io::Error) -> DeviceError {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::ConnectionRefused
            | K::HostUnreachable
            | K::NetworkUnreachable
            | K::AddrNotAvailable => DeviceError::NotConnected {
                what: self.what(),
                detail: e.to_string(),
            },
            K::TimedOut | K::WouldBlock => DeviceError::Timeout { what: self.what() },
            _ => DeviceError::Io {
                what: self.what(),
                detail: e.to_string(),
            },
        }
    }

    fn connect(&self) -> Result<TcpStream, DeviceError> {
        let addrs: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| DeviceError::NotConnected {
                what: self.what(),
                detail: e.to_string(),
            })?
            .collect();
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(s) => {
                    s.set_read_timeout(Some(self.timeout))
                        .map_err(|e| self.io_err(&e))?;
                    s.set_write_timeout(Some(self.timeout))
                        .map_err(|e| self.io_err(&e))?;
                    return Ok(s);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e) => self.io_err(&e),
            None => DeviceError::NotConnected {
                what: self.what(),
                detail: "no address".into(),
            },
        })
    }
}

impl Printer for NetworkZplPrinter {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, format: PrintFormat) -> bool {
        format == PrintFormat::Zpl
    }

    fn send(&mut self, _format: PrintFormat, bytes: &[u8]) -> Result<PrintOutcome, DeviceError> {
        let mut s = self.connect()?;
        s.write_all(bytes)
            .and_then(|_| s.flush())
            .map_err(|e| self.io_err(&e))?;
        // Closing our side tells the printer the job is complete.
        let _ = s.shutdown(Shutdown::Write);
        Ok(PrintOutcome::default())
    }

    fn status(&mut self) -> Result<Option<PrinterStatus>, DeviceError> {
        let mut s = self.connect()?;
        s.write_all(zebra_host_status::QUERY)
            .map_err(|e| self.io_err(&e))?;
        let deadline = Instant::now() + self.timeout;
        let mut reply = Vec::new();
        let mut buf = [0u8; 256];
        while !zebra_host_status::is_complete(&reply) {
            if Instant::now() >= deadline || reply.len() > 4096 {
                return Err(DeviceError::Timeout { what: self.what() });
            }
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => reply.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_err(&e)),
            }
        }
        let _ = s.shutdown(Shutdown::Both);
        zebra_host_status::parse_host_status(&reply).map(Some)
    }
}
