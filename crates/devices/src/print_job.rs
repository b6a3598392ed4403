//! The record of a print job, so the app can store it and reprint exactly the same bytes.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::DeviceError;
use crate::printer::{PrintFormat, PrintOutcome, Printer};

/// One job sent to a printer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintJob {
    /// Job id (UUIDv7, sortable by time).
    pub id: Uuid,
    /// The printer's configured name.
    pub printer: String,
    /// ZPL or PDF.
    pub format: PrintFormat,
    /// SHA-256 of the bytes, hex; a reprint must match it.
    pub sha256: String,
    /// Size of the job in bytes.
    pub len: usize,
    /// When it was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The job this one reprints, if any.
    pub reprint_of: Option<Uuid>,
    /// What the printer path reported (file written, CUPS request id).
    pub outcome: PrintOutcome,
}

/// Hex SHA-256 of a job's bytes.
pub fn job_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Sends a job and returns its record. A printer that can report its status is asked first,
/// so "out of labels" is said before the job vanishes into a stopped printer.
pub fn print(
    printer: &mut dyn Printer,
    format: PrintFormat,
    bytes: &[u8],
) -> Result<PrintJob, DeviceError> {
    send_job(printer, format, bytes, None)
}

/// Sends the stored bytes of `original` again, after checking they are the same bytes.
pub fn reprint(
    printer: &mut dyn Printer,
    original: &PrintJob,
    bytes: &[u8],
) -> Result<PrintJob, DeviceError> {
    if job_hash(bytes) != original.sha256 {
        return Err(DeviceError::ReprintMismatch {
            job: original.id.to_string(),
        });
    }
    send_job(printer, original.format, bytes, Some(original.id))
}

fn send_job(
    printer: &mut dyn Printer,
    format: PrintFormat,
    bytes: &[u8],
    reprint_of: Option<Uuid>,
) -> Result<PrintJob, DeviceError> {
    if !printer.accepts(format) {
        return Err(DeviceError::InvalidConfig(format!(
            "printer {} does not take {format:?} jobs",
            printer.name()
        )));
    }
    if let Some(status) = printer.status()? {
        if !status.is_ready() {
            return Err(DeviceError::PrinterNotReady {
                printer: printer.name().to_string(),
                problem: status.problems().join(", "),
            });
        }
    }
    let outcome = printer.send(format, bytes)?;
    let job = PrintJob {
        id: Uuid::now_v7(),
        printer: printer.name().to_string(),
        format,
        sha256: job_hash(bytes),
        len: bytes.len(),
        at: OffsetDateTime::now_utc(),
        reprint_of,
        outcome,
    };
    tracing::info!(job_id = %job.id, printer = %job.printer, format = ?format, len = job.len, "print job sent");
    Ok(job)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::zebra_host_status::PrinterStatus;

    struct Memory {
        jobs: Vec<Vec<u8>>,
        status: Option<PrinterStatus>,
    }

    impl Printer for Memory {
        fn name(&self) -> &str {
            "mem"
        }
        fn accepts(&self, format: PrintFormat) -> bool {
            format == PrintFormat::Zpl
        }
        fn send(&mut self, _: PrintFormat, bytes: &[u8]) -> Result<PrintOutcome, DeviceError> {
            self.jobs.push(bytes.to_vec());
            Ok(PrintOutcome::default())
        }
        fn status(&mut self) -> Result<Option<PrinterStatus>, DeviceError> {
            Ok(self.status.clone())
        }
    }

    #[test]
    fn a_job_records_the_hash_of_its_bytes() {
        let mut p = Memory {
            jobs: vec![],
            status: None,
        };
        let job = print(&mut p, PrintFormat::Zpl, b"^XA^XZ").unwrap();
        assert_eq!(job.sha256, job_hash(b"^XA^XZ"));
        assert_eq!(job.len, 6);
        assert_eq!(p.jobs, vec![b"^XA^XZ".to_vec()]);
    }

    #[test]
    fn reprint_sends_the_same_bytes_and_links_the_original() {
        let mut p = Memory {
            jobs: vec![],
            status: None,
        };
        let job = print(&mut p, PrintFormat::Zpl, b"^XA^XZ").unwrap();
        let again = reprint(&mut p, &job, b"^XA^XZ").unwrap();
        assert_eq!(again.reprint_of, Some(job.id));
        assert_eq!(p.jobs.len(), 2);
    }

    #[test]
    fn reprint_of_different_bytes_is_refused() {
        let mut p = Memory {
            jobs: vec![],
            status: None,
        };
        let job = print(&mut p, PrintFormat::Zpl, b"^XA^XZ").unwrap();
        let e = reprint(&mut p, &job, b"^XA^FDx^FS^XZ").unwrap_err();
        assert_eq!(e.code(), "PRINT_REPRINT_MISMATCH");
        assert_eq!(p.jobs.len(), 1);
    }

    #[test]
    fn a_printer_out_of_paper_gets_no_job() {
        let mut p = Memory {
            jobs: vec![],
            status: Some(PrinterStatus {
                paper_out: true,
                ..Default::default()
            }),
        };
        let e = print(&mut p, PrintFormat::Zpl, b"^XA^XZ").unwrap_err();
        assert_eq!(e.code(), "PRINTER_NOT_READY");
        assert!(e.to_string().contains("out of labels"));
        assert!(p.jobs.is_empty());
    }

    #[test]
    fn a_format_the_printer_does_not_take_is_refused() {
        let mut p = Memory {
            jobs: vec![],
            status: None,
        };
        assert!(print(&mut p, PrintFormat::Pdf, b"%PDF").is_err());
    }
}
