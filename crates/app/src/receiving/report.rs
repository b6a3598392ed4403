//! The printable receiving report: gathers the lines, reasons, photos, sessions and
//! signatures from the store and the evidence files, has `tally-labels` draw the PDF,
//! and saves it under the data directory's `reports/`.

use std::path::{Path, PathBuf};

use tally_domain::{assess_line, ConsignmentKind, ConsignmentStatus, VarianceReason};
use tally_labels::{
    Party, ReceivingReport, ReportImage, ReportLine, ReportSession, ReportSignature,
};
use time::{OffsetDateTime, UtcOffset};

use crate::app::parse_id;
use crate::error::AppError;
use crate::receiving::photo;
use crate::receiving::progress::line_no;
use crate::receiving::view::ReportFile;
use crate::App;

/// Longest edge of a photo thumbnail in the PDF, in pixels (about 34 mm at 180 dpi).
const PHOTO_PX: u32 = 240;
/// Longest edge of a signature in the PDF, in pixels.
const SIGNATURE_PX: u32 = 600;

fn reason_words(r: VarianceReason) -> &'static str {
    match r {
        VarianceReason::Short => "Short",
        VarianceReason::Over => "Over",
        VarianceReason::Damaged => "Damaged",
        VarianceReason::WrongItem => "Wrong item",
        VarianceReason::Expired => "Expired",
        VarianceReason::Other => "Other",
    }
}

fn kind_words(k: ConsignmentKind) -> &'static str {
    match k {
        ConsignmentKind::PurchaseOrder => "Purchase order",
        ConsignmentKind::OutletTransfer => "Transfer",
        ConsignmentKind::SupplierReturn => "Supplier return",
        ConsignmentKind::Stocktake => "Stocktake",
    }
}

fn status_words(s: ConsignmentStatus) -> String {
    let name = s.as_str().replace('_', " ");
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// "25 Nov 2026 14:02" in the station's offset.
fn when(t: OffsetDateTime, offset: UtcOffset) -> String {
    let f = time::macros::format_description!(
        "[day padding:none] [month repr:short] [year] [hour]:[minute]"
    );
    t.to_offset(offset).format(&f).unwrap_or_default()
}

fn rgb(bytes: &[u8], edge: u32) -> Result<ReportImage, AppError> {
    let (width, height, rgb) = photo::rgb_pixels(bytes, edge)?;
    Ok(ReportImage { width, height, rgb })
}

fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl App {
    /// Draws the receiving report of a consignment and saves it as a PDF in `dir`
    /// (default: the data directory's `reports/`). `utc_offset_minutes` is the station's
    /// offset from UTC (the webview knows it), so times print as staff read them.
    pub fn receiving_report(
        &self,
        consignment_id: &str,
        utc_offset_minutes: i32,
        dir: Option<&Path>,
    ) -> Result<ReportFile, AppError> {
        self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let offset =
            UtcOffset::from_whole_seconds(utc_offset_minutes.clamp(-18 * 60, 18 * 60) * 60)
                .unwrap_or(UtcOffset::UTC);
        let snap = self.receiving_snapshot(id)?;
        let view = self.receiving_view_of(&snap);
        let vp = self.receiving_policy().variance;
        let evidence = self.evidence()?;
        let c = &snap.consignment;

        let mut lines = Vec::with_capacity(snap.lines.len());
        for (i, p) in snap.lines.iter().enumerate() {
            let a = assess_line(&p.domain_line(line_no(i)), &vp);
            let photos = p
                .photos
                .iter()
                .map(|h| rgb(&evidence.get(h)?, PHOTO_PX))
                .collect::<Result<Vec<_>, AppError>>()?;
            lines.push(ReportLine {
                line_no: line_no(i),
                sku: p.sku.clone(),
                name: p.name.clone(),
                unexpected: !p.on_consignment,
                expected: p.expected,
                received: p.received,
                damaged: p.damaged,
                value: a.variance_value.round_cents().to_string(),
                reason: p.reason.map(|r| reason_words(r).to_string()),
                note: p.note.clone(),
                flagged: a.over_receipt_flagged,
                photos,
            });
        }

        let mut sessions = Vec::with_capacity(snap.sessions.len());
        for (n, s) in snap.sessions.iter().enumerate() {
            let staff = |id| {
                self.store()
                    .staff_member(id)
                    .map(|m| m.name)
                    .unwrap_or_else(|_| id.to_string())
            };
            let units: rust_decimal::Decimal = snap
                .session_lines
                .get(&s.id)
                .map(|ls| ls.iter().map(|l| l.received_qty).sum())
                .unwrap_or_default();
            let span = match s.closed_at {
                Some(end)
                    if end.to_offset(offset).date() == s.started_at.to_offset(offset).date() =>
                {
                    let f = time::macros::format_description!("[hour]:[minute]");
                    let to = end.to_offset(offset).format(&f).unwrap_or_default();
                    format!("{} to {to}", when(s.started_at, offset))
                }
                Some(end) => format!("{} to {}", when(s.started_at, offset), when(end, offset)),
                None => format!("{} (still open)", when(s.started_at, offset)),
            };
            let strokes = s.signature_strokes.as_ref();
            let name_in = |who: &str| {
                strokes.and_then(|v| v.get(who)?.get("signer_name")?.as_str().map(str::to_string))
            };
            let mut signatures = Vec::new();
            if let Some(h) = &s.signature_png {
                let who = name_in("receiver")
                    .or_else(|| s.signed_by.map(staff))
                    .unwrap_or_default();
                signatures.push(ReportSignature {
                    caption: format!(
                        "Received by {who}, {}",
                        s.closed_at.map(|t| when(t, offset)).unwrap_or_default()
                    ),
                    image: rgb(&evidence.get(h)?, SIGNATURE_PX)?,
                });
            }
            if let Some(h) = &s.driver_signature_png {
                signatures.push(ReportSignature {
                    caption: format!("Driver: {}", name_in("driver").unwrap_or_default()),
                    image: rgb(&evidence.get(h)?, SIGNATURE_PX)?,
                });
            }
            sessions.push(ReportSession {
                summary: format!(
                    "Session {}: {span}, by {}, {} units{}",
                    n + 1,
                    staff(s.started_by),
                    units.normalize(),
                    s.note
                        .as_deref()
                        .map(|t| format!(" ({t})"))
                        .unwrap_or_default()
                ),
                signatures,
            });
        }

        let sign_off = self
            .store()
            .audit_entries_for("consignment", &id.to_string())?
            .into_iter()
            .rev()
            .find(|a| a.action == "receipt.assessed")
            .and_then(|a| a.after)
            .and_then(|after| {
                let kind = after.get("sign_off")?.as_str()?.to_string();
                let value = after.get("variance_value")?.as_str()?.to_string();
                let by = after
                    .get("signed_off_by")
                    .and_then(|v| v.as_str())
                    .and_then(|s| uuid::Uuid::parse_str(s).ok())
                    .and_then(|m| self.store().staff_member(m).ok())
                    .map(|m| m.name);
                Some(match (kind.as_str(), by) {
                    ("manager_signed_off", Some(by)) => {
                        format!("Variance worth {value} signed off by {by} with their PIN.")
                    }
                    ("on_review_list", _) => {
                        format!("Variance worth {value} is on the manager's review list.")
                    }
                    _ => format!("Variance worth {value}: within the limit, no sign-off needed."),
                })
            });

        let station = self.station_info()?;
        let report = ReceivingReport {
            consignment_ref: c.reference.clone(),
            subtitle: format!("{} · {}", kind_words(c.kind), status_words(c.status)),
            from: Party::new(&view.counterpart, &[]),
            to: Party::new(&station.outlet.name, &[]),
            printed: format!(
                "{} at {}",
                when(OffsetDateTime::now_utc(), offset),
                station.station_name
            ),
            summary: format!(
                "{} lines: {} expected, {} received; variance worth {}",
                view.lines.len(),
                view.totals.expected,
                view.totals.received,
                view.totals.variance_value
            ),
            sign_off,
            lines,
            sessions,
        };
        let (pdf, pages) = report
            .to_pdf()
            .map_err(|e| AppError::new(e.code(), format!("The report could not be drawn: {e}")))?;
        let dir: PathBuf = dir.map_or_else(|| self.data_dir().join("reports"), Path::to_path_buf);
        std::fs::create_dir_all(&dir).map_err(|e| {
            AppError::new(
                "REPORT_UNWRITABLE",
                format!("Cannot create {}: {e}", dir.display()),
            )
        })?;
        let stamp = time::macros::format_description!("[year][month][day]-[hour][minute][second]");
        let path = dir.join(format!(
            "{}-receiving-{}.pdf",
            file_safe(&c.reference),
            OffsetDateTime::now_utc()
                .to_offset(offset)
                .format(&stamp)
                .unwrap_or_default()
        ));
        std::fs::write(&path, &pdf).map_err(|e| {
            AppError::new(
                "REPORT_UNWRITABLE",
                format!("Cannot save {}: {e}", path.display()),
            )
        })?;
        tracing::info!(consignment_id = %id, path = %path.display(), pages, "receiving report saved");
        Ok(ReportFile {
            path: path.display().to_string(),
            bytes: u32::try_from(pdf.len()).unwrap_or(u32::MAX),
            pages,
        })
    }
}
