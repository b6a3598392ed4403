//! A "printer" that saves the job as a file the user can open, print or email.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::error::DeviceError;
use crate::printer::{PrintFormat, PrintOutcome, Printer};

/// Saves jobs into a folder.
pub struct FilePrinter {
    name: String,
    dir: PathBuf,
}

impl FilePrinter {
    /// Saves into `dir` (created if missing).
    pub fn new(name: &str, dir: &Path) -> FilePrinter {
        FilePrinter {
            name: name.to_string(),
            dir: dir.to_path_buf(),
        }
    }
}

impl Printer for FilePrinter {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, _format: PrintFormat) -> bool {
        true
    }

    fn send(&mut self, format: PrintFormat, bytes: &[u8]) -> Result<PrintOutcome, DeviceError> {
        let io = |e: std::io::Error| DeviceError::Io {
            what: format!("folder {}", self.dir.display()),
            detail: e.to_string(),
        };
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        let now = OffsetDateTime::now_utc();
        let ext = match format {
            PrintFormat::Pdf => "pdf",
            PrintFormat::Zpl => "zpl",
        };
        let stem = format!(
            "tally-{:04}{:02}{:02}-{:02}{:02}{:02}-{}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            &crate::print_job::job_hash(bytes)[..8]
        );
        let path = self.dir.join(format!("{stem}.{ext}"));
        // Write then rename, so a half-written file never sits under the final name.
        let tmp = self.dir.join(format!(".{stem}.{ext}.part"));
        std::fs::write(&tmp, bytes).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(PrintOutcome {
            output: Some(path),
            system_id: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_saved_where_the_outcome_says() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = FilePrinter::new("save", &dir.path().join("labels"));
        let out = p.send(PrintFormat::Pdf, b"%PDF-1.7").unwrap();
        let path = out.output.unwrap();
        assert_eq!(path.extension().unwrap(), "pdf");
        assert_eq!(std::fs::read(path).unwrap(), b"%PDF-1.7");
    }
}
