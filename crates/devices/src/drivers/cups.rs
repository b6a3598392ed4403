//! Printing through CUPS with `lp`: PDFs to office printers, or raw ZPL to a raw queue.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::error::DeviceError;
use crate::printer::{PrintFormat, PrintOutcome, Printer};

/// A CUPS queue.
pub struct CupsPrinter {
    name: String,
    queue: String,
    format: PrintFormat,
    lp: PathBuf,
}

impl CupsPrinter {
    /// A queue that takes `format` (PDF for office printers, ZPL for a raw label queue).
    pub fn new(name: &str, queue: &str, format: PrintFormat) -> CupsPrinter {
        CupsPrinter {
            name: name.to_string(),
            queue: queue.to_string(),
            format,
            lp: PathBuf::from("lp"),
        }
    }

    /// Uses another `lp` program (tests substitute a script).
    pub fn with_lp_program(mut self, lp: &Path) -> CupsPrinter {
        self.lp = lp.to_path_buf();
        self
    }

    fn failed(&self, detail: String) -> DeviceError {
        DeviceError::PrintSystem {
            queue: self.queue.clone(),
            detail,
        }
    }
}

impl Printer for CupsPrinter {
    fn name(&self) -> &str {
        &self.name
    }

    fn accepts(&self, format: PrintFormat) -> bool {
        format == self.format
    }

    fn send(&mut self, format: PrintFormat, bytes: &[u8]) -> Result<PrintOutcome, DeviceError> {
        if self.queue.is_empty() || self.queue.starts_with('-') {
            return Err(DeviceError::InvalidConfig(format!(
                "{:?} is not a print queue name",
                self.queue
            )));
        }
        let mut cmd = Command::new(&self.lp);
        cmd.arg("-d").arg(&self.queue).arg("-t").arg("Tally");
        if format == PrintFormat::Zpl {
            cmd.arg("-o").arg("raw");
        }
        // The job goes in on stdin, so no temporary file is left behind.
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    self.failed("the CUPS `lp` command is not installed".into())
                }
                _ => self.failed(e.to_string()),
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(bytes)
                .map_err(|e| self.failed(e.to_string()))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| self.failed(e.to_string()))?;
        if !out.status.success() {
            let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
            return Err(self.failed(if msg.is_empty() {
                format!("lp exited with {}", out.status)
            } else {
                msg
            }));
        }
        Ok(PrintOutcome {
            output: None,
            system_id: request_id(&String::from_utf8_lossy(&out.stdout)),
        })
    }
}

/// Pulls `Q-12` out of `request id is Q-12 (1 file(s))`.
fn request_id(stdout: &str) -> Option<String> {
    let rest = stdout.split("request id is ").nth(1)?;
    rest.split_whitespace().next().map(str::to_string)
}

/// Lists CUPS queues (`lpstat -p`); empty when CUPS is absent.
pub fn list_queues() -> Vec<String> {
    let Ok(out) = Command::new("lpstat")
        .arg("-p")
        .stderr(Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    parse_lpstat(&String::from_utf8_lossy(&out.stdout))
}

fn parse_lpstat(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("printer "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A stand-in `lp` that records its arguments and stdin.
    fn fake_lp(dir: &Path, exit: i32) -> PathBuf {
        let script = dir.join("lp");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"$@\" > {dir}/args\ncat > {dir}/job\necho 'request id is Labels-7 (1 file(s))'\necho 'lp: nope' >&2\nexit {exit}\n",
                dir = dir.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        script
    }

    #[test]
    fn a_pdf_goes_to_the_queue_on_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = CupsPrinter::new("office", "Office_A4", PrintFormat::Pdf)
            .with_lp_program(&fake_lp(dir.path(), 0));
        let out = p.send(PrintFormat::Pdf, b"%PDF-1.7 fake").unwrap();
        assert_eq!(out.system_id.as_deref(), Some("Labels-7"));
        assert_eq!(
            std::fs::read(dir.path().join("job")).unwrap(),
            b"%PDF-1.7 fake"
        );
        let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
        assert_eq!(args.trim(), "-d Office_A4 -t Tally");
    }

    #[test]
    fn zpl_goes_raw() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = CupsPrinter::new("zebra", "Zebra", PrintFormat::Zpl)
            .with_lp_program(&fake_lp(dir.path(), 0));
        p.send(PrintFormat::Zpl, b"^XA^XZ").unwrap();
        let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
        assert!(args.contains("-o raw"), "{args}");
    }

    #[test]
    fn lp_failure_carries_its_message() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = CupsPrinter::new("office", "Office", PrintFormat::Pdf)
            .with_lp_program(&fake_lp(dir.path(), 1));
        let e = p.send(PrintFormat::Pdf, b"%PDF").unwrap_err();
        assert_eq!(e.code(), "PRINT_SYSTEM_FAILED");
        assert!(e.to_string().contains("lp: nope"));
    }

    #[test]
    fn missing_lp_says_cups_is_not_installed() {
        let mut p = CupsPrinter::new("office", "Office", PrintFormat::Pdf)
            .with_lp_program(Path::new("/nonexistent/lp"));
        assert!(p
            .send(PrintFormat::Pdf, b"%PDF")
            .unwrap_err()
            .to_string()
            .contains("not installed"));
    }

    #[test]
    fn a_queue_name_cannot_smuggle_an_option() {
        let mut p = CupsPrinter::new("x", "-oevil", PrintFormat::Pdf);
        assert_eq!(
            p.send(PrintFormat::Pdf, b"%PDF").unwrap_err().code(),
            "DEVICE_INVALID_CONFIG"
        );
    }

    #[test]
    fn lpstat_output_lists_queue_names() {
        let text = "printer Office_A4 is idle.  enabled since Mon\nprinter Zebra_ZD420 disabled since Tue -\n\treason unknown\n";
        assert_eq!(parse_lpstat(text), vec!["Office_A4", "Zebra_ZD420"]);
    }
}
