//! The printer trait every printer driver implements.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::DeviceError;
use crate::protocol::zebra_host_status::PrinterStatus;

/// What the bytes of a job are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrintFormat {
    /// ZPL II for Zebra-compatible label printers.
    Zpl,
    /// PDF for office printers (through CUPS) or a file.
    Pdf,
}

/// What the printer path did with a job.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintOutcome {
    /// The file written, when the "printer" saves to a file.
    pub output: Option<PathBuf>,
    /// The print system's id for the job (CUPS request id), when there is one.
    pub system_id: Option<String>,
}

/// A printer. Jobs are raw bytes in one of the formats it accepts.
pub trait Printer: Send {
    /// The configured name (stable id for jobs and reprints).
    fn name(&self) -> &str;

    /// True if the printer takes this format.
    fn accepts(&self, format: PrintFormat) -> bool;

    /// Sends the bytes.
    fn send(&mut self, format: PrintFormat, bytes: &[u8]) -> Result<PrintOutcome, DeviceError>;

    /// Asks the printer how it is, when the connection allows (Zebra `~HS` over the network).
    /// `Ok(None)` means this printer cannot say.
    fn status(&mut self) -> Result<Option<PrinterStatus>, DeviceError> {
        Ok(None)
    }
}
