//! The settings screen's tests: zero and tare the scale, wait for a test scan, print a test
//! label and a test page, ask a label printer how it is.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tally_devices::{DeviceError, DeviceManager, PrintFormat};
use tally_labels::{BoxBarcode, BoxLabel, Dpi, LabelSize, Party};

use super::choices::capitalise;
use super::updates::ScanView;
use crate::error::AppError;
use crate::App;

/// Longest a test scan waits for a barcode.
const MAX_SCAN_WAIT: Duration = Duration::from_secs(30);

/// Which printer a test or status is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum PrinterRole {
    /// The box label printer.
    Label,
    /// The A4 document printer.
    Document,
}

/// What a test print did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TestPrintResult {
    /// The printer's name.
    pub printer: String,
    /// "ZPL" or "PDF".
    pub format: String,
    /// Bytes sent.
    pub bytes: u32,
    /// The file written, for a printer that saves to a folder.
    pub saved_to: Option<String>,
    /// What to tell the user.
    pub message: String,
}

/// A printer's answer to "how are you?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PrinterStatusView {
    /// The printer's name.
    pub printer: String,
    /// The printer can report its status (Zebra `~HS` over the network).
    pub offered: bool,
    /// Nothing stops it printing.
    pub ready: bool,
    /// What stops it ("out of labels", "print head open").
    pub problems: Vec<String>,
    /// One line for the screen.
    pub summary: String,
}

/// A device error for the screen: its stable code and a sentence.
fn device_error(e: DeviceError) -> AppError {
    AppError::new(e.code(), format!("{}.", capitalise(&e.to_string())))
}

fn no_devices(code: &str, what: &str) -> AppError {
    AppError::new(
        code,
        format!("No {what} is chosen for this station. Choose one on the Devices screen and save."),
    )
}

/// A test label on the chosen stock: fixed text and a Code 128 barcode that must scan.
fn test_label(station: &str, size: LabelSize, dpi: Dpi) -> BoxLabel {
    let stock = match size {
        LabelSize::FourBySixInch => "4x6 in",
        LabelSize::Mm100x150 => "100x150 mm",
    };
    BoxLabel {
        from: Party::new("Tally test print", &[]),
        to: Party::new(station, &[]),
        consignment_ref: "TALLY-TEST".into(),
        box_number: 1,
        box_count: 1,
        weight_kg: None,
        barcode: BoxBarcode::Code128("TALLY-TEST".into()),
        qr: "TALLY-TEST".into(),
        note: Some(format!("{stock} at {} dpi", dpi.dots_per_inch())),
    }
}

impl App {
    fn chosen_devices(&self) -> Result<Arc<DeviceManager>, AppError> {
        self.devices()
            .ok_or_else(|| no_devices("NO_DEVICES", "device"))
    }

    fn scale_manager(&self) -> Result<Arc<DeviceManager>, AppError> {
        let d = self
            .chosen_devices()
            .map_err(|_| no_devices("NO_SCALE", "scale"))?;
        if d.scale().is_none() {
            return Err(no_devices("NO_SCALE", "scale"));
        }
        Ok(d)
    }

    /// Zeroes the chosen scale (empty it first).
    pub fn zero_scale(&self) -> Result<(), AppError> {
        self.scale_manager()?.zero_scale().map_err(device_error)
    }

    /// Tares the chosen scale with what is on it (an empty box).
    pub fn tare_scale(&self) -> Result<(), AppError> {
        self.scale_manager()?.tare_scale().map_err(device_error)
    }

    /// Clears the chosen scale's tare.
    pub fn clear_scale_tare(&self) -> Result<(), AppError> {
        let d = self.scale_manager()?;
        let w = d.scale().ok_or_else(|| no_devices("NO_SCALE", "scale"))?;
        w.clear_tare().map_err(device_error)
    }

    /// Waits up to `wait_ms` for the next code the chosen serial scanner reads.
    pub fn test_scan(&self, wait_ms: u32) -> Result<ScanView, AppError> {
        let d = self
            .chosen_devices()
            .map_err(|_| no_devices("NO_SCANNER", "serial scanner"))?;
        let scanner = d
            .scanners()
            .first()
            .ok_or_else(|| no_devices("NO_SCANNER", "serial scanner"))?;
        let wait = Duration::from_millis(u64::from(wait_ms)).min(MAX_SCAN_WAIT);
        match scanner.next_scan(wait) {
            Some(scan) => Ok(scan.into()),
            None if !scanner.state().connected => Err(AppError::new(
                "DEVICE_NOT_CONNECTED",
                "The scanner is not connected. Check its cable and the port chosen for it.",
            )),
            None => Err(AppError::new(
                "NO_SCAN_RECEIVED",
                format!(
                    "Nothing was scanned in {} s. Scan a barcode while the test runs; if the scanner beeps but nothing shows, check its baud rate.",
                    wait.as_secs().max(1)
                ),
            )),
        }
    }

    /// Prints a test label on the label printer, drawn for the chosen label stock.
    pub fn test_print_label(&self) -> Result<TestPrintResult, AppError> {
        let d = self
            .chosen_devices()
            .map_err(|_| no_devices("NO_LABEL_PRINTER", "label printer"))?;
        let name = d
            .config()
            .label_printer
            .clone()
            .ok_or_else(|| no_devices("NO_LABEL_PRINTER", "label printer"))?;
        let format = d
            .config()
            .printer(&name)
            .map(|p| p.preferred_format())
            .ok_or_else(|| no_devices("NO_LABEL_PRINTER", "label printer"))?;
        let stock = self.label_stock();
        let label = test_label(self.station_name(), stock.size, stock.dpi);
        let drawn = match format {
            PrintFormat::Zpl => label.to_zpl(stock.size, stock.dpi).map(String::into_bytes),
            PrintFormat::Pdf => label.to_pdf(stock.size),
        }
        .map_err(|e| AppError::new(e.code(), format!("The test label could not be drawn: {e}")))?;
        let job = d.print(&name, format, &drawn).map_err(device_error)?;
        tracing::info!(printer = %name, bytes = job.len, "test label printed");
        Ok(result(&name, format, &job))
    }

    /// Prints an A4 test page on the document printer.
    pub fn test_print_page(&self) -> Result<TestPrintResult, AppError> {
        let d = self
            .chosen_devices()
            .map_err(|_| no_devices("NO_DOCUMENT_PRINTER", "document printer"))?;
        let name = d
            .config()
            .document_printer
            .clone()
            .ok_or_else(|| no_devices("NO_DOCUMENT_PRINTER", "document printer"))?;
        let page = tally_labels::test_page_pdf();
        let job = d
            .print(&name, PrintFormat::Pdf, &page)
            .map_err(device_error)?;
        tracing::info!(printer = %name, bytes = job.len, "test page printed");
        Ok(result(&name, PrintFormat::Pdf, &job))
    }

    /// Asks a printer how it is (paper, head, pause), where it can say.
    pub fn printer_status(&self, role: PrinterRole) -> Result<PrinterStatusView, AppError> {
        let (code, what) = match role {
            PrinterRole::Label => ("NO_LABEL_PRINTER", "label printer"),
            PrinterRole::Document => ("NO_DOCUMENT_PRINTER", "document printer"),
        };
        let d = self.chosen_devices().map_err(|_| no_devices(code, what))?;
        let name = match role {
            PrinterRole::Label => d.config().label_printer.clone(),
            PrinterRole::Document => d.config().document_printer.clone(),
        }
        .ok_or_else(|| no_devices(code, what))?;
        let status = d.printer_status(&name).map_err(device_error)?;
        Ok(match status {
            None => PrinterStatusView {
                summary: "This printer cannot report its status; print a test to check it.".into(),
                printer: name,
                offered: false,
                ready: false,
                problems: Vec::new(),
            },
            Some(s) => {
                let problems: Vec<String> = s.problems().into_iter().map(String::from).collect();
                PrinterStatusView {
                    summary: if problems.is_empty() {
                        "Ready to print.".into()
                    } else {
                        format!("Cannot print: {}.", problems.join(", "))
                    },
                    printer: name,
                    offered: true,
                    ready: problems.is_empty(),
                    problems,
                }
            }
        })
    }
}

fn result(name: &str, format: PrintFormat, job: &tally_devices::PrintJob) -> TestPrintResult {
    let saved_to = job.outcome.output.as_ref().map(|p| p.display().to_string());
    let format = match format {
        PrintFormat::Zpl => "ZPL",
        PrintFormat::Pdf => "PDF",
    };
    TestPrintResult {
        message: match &saved_to {
            Some(p) => format!("Saved the test {format} to {p}."),
            None => format!("Sent the test print to {name}."),
        },
        printer: name.to_string(),
        format: format.into(),
        bytes: u32::try_from(job.len).unwrap_or(u32::MAX),
        saved_to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_label_draws_on_every_stock() {
        for size in LabelSize::ALL {
            for dpi in Dpi::ALL {
                let zpl = test_label("Bench 1", size, dpi).to_zpl(size, dpi).unwrap();
                assert!(zpl.starts_with("^XA"), "{zpl}");
                assert!(
                    zpl.contains(&format!("^PW{}", size.width_dots(dpi))),
                    "{zpl}"
                );
            }
            assert!(test_label("Bench 1", size, Dpi::D203).to_pdf(size).is_ok());
        }
    }
}
