//! Box labels and packing slips: drawn with `tally-labels`, sent to the bench's label or
//! document printer (ZPL or PDF, as the printer takes), or saved as a PDF file when the
//! bench has no printer. The printed bytes are kept as evidence (by content hash) and
//! the print job is audited, so a reprint sends exactly the same bytes.

use rust_decimal::Decimal;
use tally_devices::config::PrinterConfig;
use tally_devices::{print_job, PrintFormat, PrintJob};
use tally_labels::{BoxBarcode, BoxLabel, PackingSlip, Party};
use tally_store::{BoxChange, ContentHash};
use uuid::Uuid;

use super::context::PackCtx;
use super::error::{device_error, label_error, PackingError};
use super::views::{BoxView, BoxWeight, PrintResult};
use crate::error::AppError;
use crate::App;

/// Audit action under which a box label's print job is kept (entity: the box).
pub(crate) const LABEL_JOB_ACTION: &str = "packing.label_print_job";
/// The name print jobs carry when saved to a file at a bench without that printer.
const SAVED_LABELS: &str = "Saved labels (PDF)";
const SAVED_SLIPS: &str = "Saved packing slips (PDF)";

/// Where a document goes.
pub(crate) enum Target {
    /// A configured printer, by name, and the format it takes.
    Printer(String, PrintFormat),
    /// No printer: save a PDF into this folder.
    Folder(&'static str, std::path::PathBuf),
}

impl Target {
    fn format(&self) -> PrintFormat {
        match self {
            Self::Printer(_, f) => *f,
            Self::Folder(..) => PrintFormat::Pdf,
        }
    }
}

/// Whose name goes on a label.
fn party(name: &str) -> Party {
    Party::new(name, &[])
}

impl App {
    pub(crate) fn target(&self, printer: Option<String>, folder: (&'static str, &str)) -> Target {
        let devices = self.devices();
        let configured = printer.and_then(|name| {
            devices
                .as_ref()
                .and_then(|d| {
                    d.config()
                        .printer(&name)
                        .map(PrinterConfig::preferred_format)
                })
                .map(|f| (name, f))
        });
        match configured {
            Some((name, f)) => Target::Printer(name, f),
            None => Target::Folder(folder.0, self.config().data_dir.join(folder.1)),
        }
    }

    pub(crate) fn send_to(&self, target: &Target, bytes: &[u8]) -> Result<PrintJob, AppError> {
        match target {
            Target::Printer(name, format) => {
                let d = self.devices().ok_or_else(|| {
                    AppError::new(
                        "DEVICE_NOT_CONNECTED",
                        "The bench's devices are not started.",
                    )
                })?;
                d.print(name, *format, bytes).map_err(device_error)
            }
            Target::Folder(name, dir) => {
                let mut p = PrinterConfig::File {
                    name: (*name).to_string(),
                    dir: dir.clone(),
                }
                .open();
                print_job::print(p.as_mut(), PrintFormat::Pdf, bytes).map_err(device_error)
            }
        }
    }

    fn box_label(&self, ctx: &PackCtx, b: &BoxView) -> Result<BoxLabel, AppError> {
        let from = self.station()?.outlet_name;
        let to = self.destination_name(ctx)?;
        let count = self.store().boxes(ctx.id())?.len() as u32;
        let grams = b.weight.as_ref().map(|w| match w {
            BoxWeight::Scale { grams, .. } | BoxWeight::Typed { grams } => *grams,
        });
        let reference = ctx.header.reference.clone();
        Ok(BoxLabel {
            from: party(&from),
            to: party(&to),
            consignment_ref: reference.clone(),
            box_number: b.number,
            // Boxes opened so far: a later box makes this one's "of n" low; reprint it then.
            box_count: count.max(b.number),
            weight_kg: grams.map(|g| Decimal::new(i64::from(g), 3)),
            barcode: BoxBarcode::Code128(reference.clone()),
            qr: format!("{reference} BOX {}", b.number),
            note: None,
        })
    }

    /// Draws, prints (or saves) and records a closed box's label. Never fails the
    /// close: a problem comes back in the result, with the fix.
    pub(crate) fn print_box_label(&self, ctx: &PackCtx, b: &BoxView) -> PrintResult {
        match self.try_print_box_label(ctx, b) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(consignment_id = %ctx.id(), box_id = %b.box_id, code = %e.code, "box label not printed");
                PrintResult {
                    done: false,
                    printer: None,
                    file: None,
                    problem: Some(format!(
                        "{} Reprint the label with F6 once fixed.",
                        e.message
                    )),
                }
            }
        }
    }

    fn try_print_box_label(&self, ctx: &PackCtx, b: &BoxView) -> Result<PrintResult, AppError> {
        let label = self.box_label(ctx, b)?;
        let bench = self.bench_info();
        let target = self.target(bench.label_printer, (SAVED_LABELS, "labels"));
        let bytes = match target.format() {
            PrintFormat::Zpl => label
                .to_zpl(self.label_stock().size, self.label_stock().dpi)
                .map_err(label_error)?
                .into_bytes(),
            PrintFormat::Pdf => label.to_pdf(self.label_stock().size).map_err(label_error)?,
        };
        let hash = self.evidence()?.put(&bytes)?;
        let job = self.send_to(&target, &bytes)?;
        self.record_label_job(ctx, b, hash, &job)?;
        Ok(print_result(&job))
    }

    fn record_label_job(
        &self,
        ctx: &PackCtx,
        b: &BoxView,
        hash: ContentHash,
        job: &PrintJob,
    ) -> Result<(), AppError> {
        let box_id = Uuid::parse_str(&b.box_id)
            .map_err(|_| AppError::new("BAD_ID", "That box id is not valid."))?;
        self.store().transact(&ctx.actor, |t| {
            t.update_box(box_id, BoxChange::LabelPrinted { label: Some(hash) })?;
            t.audit(
                LABEL_JOB_ACTION,
                "box",
                &b.box_id,
                None::<&()>,
                Some(job),
                None,
            )?;
            Ok(())
        })?;
        Ok(())
    }

    /// Prints a box's label again: the same bytes as last time, to the same printer.
    /// Without `box_id`, the newest box whose label was printed.
    pub fn reprint_box_label(
        &self,
        consignment_id: &str,
        box_id: Option<&str>,
    ) -> Result<PrintResult, AppError> {
        let ctx = self.pack_ctx(consignment_id)?;
        let boxes = self.box_views(&ctx)?;
        let b =
            match box_id {
                Some(id) => boxes
                    .iter()
                    .find(|b| b.box_id == id)
                    .ok_or(PackingError::BoxElsewhere)?,
                None => boxes.iter().rev().find(|b| b.label_printed).ok_or(
                    PackingError::NoLabelYet {
                        number: boxes.last().map_or(1, |b| b.number),
                    },
                )?,
            };
        let last_job = self
            .store()
            .audit_entries_for("box", &b.box_id)?
            .into_iter()
            .rev()
            .find(|a| a.action == LABEL_JOB_ACTION)
            .and_then(|a| a.after)
            .and_then(|v| serde_json::from_value::<PrintJob>(v).ok())
            .ok_or(PackingError::NoLabelYet { number: b.number })?;
        let hash = ContentHash::parse(&last_job.sha256)?;
        let bytes = self.evidence()?.get(&hash)?;
        let job = if last_job.printer == SAVED_LABELS {
            let mut p = PrinterConfig::File {
                name: SAVED_LABELS.to_string(),
                dir: self.config().data_dir.join("labels"),
            }
            .open();
            print_job::reprint(p.as_mut(), &last_job, &bytes).map_err(device_error)?
        } else {
            let d = self.devices().ok_or_else(|| {
                AppError::new(
                    "DEVICE_NOT_CONNECTED",
                    format!(
                        "The printer {} is not set up at this bench any more.",
                        last_job.printer
                    ),
                )
            })?;
            d.reprint(&last_job, &bytes).map_err(device_error)?
        };
        self.record_label_job(&ctx, b, hash, &job)?;
        tracing::info!(consignment_id = %ctx.id(), box_id = %b.box_id, job_id = %job.id, "box label reprinted");
        Ok(print_result(&job))
    }

    /// Draws the packing slip and keeps its bytes as evidence (before the send commits).
    pub(crate) fn render_slip(
        &self,
        slip: &PackingSlip,
    ) -> Result<(Vec<u8>, ContentHash), AppError> {
        let bench = self.bench_info();
        let target = self.target(bench.document_printer, (SAVED_SLIPS, "slips"));
        let bytes = match target.format() {
            PrintFormat::Zpl => slip
                .to_zpl(self.label_stock().size, self.label_stock().dpi)
                .map_err(label_error)?
                .into_bytes(),
            PrintFormat::Pdf => slip.to_pdf().map_err(label_error)?,
        };
        let hash = self.evidence()?.put(&bytes)?;
        Ok((bytes, hash))
    }

    /// Prints (or saves) a rendered slip; a problem comes back in the result.
    pub(crate) fn print_slip(&self, bytes: &[u8]) -> PrintResult {
        let bench = self.bench_info();
        let target = self.target(bench.document_printer, (SAVED_SLIPS, "slips"));
        match self.send_to(&target, bytes) {
            Ok(job) => print_result(&job),
            Err(e) => PrintResult {
                done: false,
                printer: None,
                file: None,
                problem: Some(format!("The packing slip was not printed: {}", e.message)),
            },
        }
    }

    /// The packing slip's printed words for the parties.
    pub(crate) fn slip_parties(&self, ctx: &PackCtx) -> Result<(Party, Party), AppError> {
        Ok((
            party(&self.station()?.outlet_name),
            party(&self.destination_name(ctx)?),
        ))
    }
}

pub(crate) fn print_result(job: &PrintJob) -> PrintResult {
    let file = job.outcome.output.as_ref().map(|p| p.display().to_string());
    PrintResult {
        done: true,
        printer: file.is_none().then(|| job.printer.clone()),
        file,
        problem: None,
    }
}
