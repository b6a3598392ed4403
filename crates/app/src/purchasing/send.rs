//! Sending an approved order: the status moves to `sent` (checked by the domain; the hub's
//! saga then creates the SUPPLIER consignment in Lightspeed), the PDF is saved with its
//! hash in the same action's audit entry, and it is e-mailed when a relay is configured.
//!
//! The e-mail goes after the action is committed: an order is never e-mailed without
//! being marked sent. A failed e-mail leaves the order sent and the PDF saved; it can be
//! e-mailed again.

use std::path::{Path, PathBuf};

use serde_json::json;
use tally_domain::{check_transition, ConsignmentKind, ConsignmentStatus, Money};
use tally_labels::{Party, PurchaseOrderDocument, PurchaseOrderLine};
use tally_store::ContentHash;
use time::macros::format_description;
use time::OffsetDateTime;
use uuid::Uuid;

use super::facts::OrderFacts;
use super::mail::{self, PdfMail};
use super::views::{EmailOutcome, SendOrderInput, SendOutcome};
use super::{marks, parse_id};
use crate::error::AppError;
use crate::App;

const PO: ConsignmentKind = ConsignmentKind::PurchaseOrder;

fn pdf_error(e: tally_labels::LabelError) -> AppError {
    AppError::new(
        e.code(),
        format!("The purchase order PDF could not be made: {e}"),
    )
}

fn io_error(path: &Path, e: std::io::Error) -> AppError {
    AppError::new(
        "PO_PDF_UNWRITABLE",
        format!("Cannot save the purchase order to {}: {e}", path.display()),
    )
}

/// Writes `bytes` to `path` through a temporary file, so a crash never leaves half a PDF.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let tmp = path.with_extension("pdf.part");
    std::fs::write(&tmp, bytes).map_err(|e| io_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
}

impl App {
    fn documents_dir(&self) -> Result<PathBuf, AppError> {
        let dir = match self.purchasing_settings().documents_dir {
            Some(d) => d,
            None => self
                .store()
                .path()
                .and_then(Path::parent)
                .map(|d| d.join("purchase-orders"))
                .ok_or_else(|| {
                    AppError::new(
                        "PO_DIR_UNSET",
                        "There is no folder for purchase-order PDFs (set TALLY_PO_DIR).",
                    )
                })?,
        };
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        Ok(dir)
    }

    /// The purchase order as the supplier gets it.
    fn order_document(&self, f: &OrderFacts) -> Result<PurchaseOrderDocument, AppError> {
        let h = &f.header;
        let supplier = self.supplier_card(h.supplier_id)?;
        let mut supplier_lines = Vec::new();
        if let Some(code) = &supplier.code {
            supplier_lines.push(format!("Supplier code {code}"));
        }
        let mut lines = Vec::with_capacity(f.lines.len());
        for l in &f.lines {
            let p = self.store().product(l.line.product_id)?;
            lines.push(PurchaseOrderLine {
                sku: l.sku.clone(),
                supplier_code: p.supplier_code,
                name: l.name.clone(),
                quantity: l.line.expected_qty,
                unit_cost_excl: Money::new(l.line.unit_cost.unwrap_or_default()),
            });
        }
        let date_format = format_description!(
            "[weekday repr:short] [day padding:none] [month repr:short] [year]"
        );
        let approved_by = f
            .approvals
            .iter()
            .rev()
            .find(|a| a.decision == tally_store::ApprovalDecision::Approve)
            .map(|a| {
                let who = self.person(Some(a.decided_by));
                let role = who
                    .role
                    .map(|r| format!(" ({})", r.label()))
                    .unwrap_or_default();
                let when = a.decided_at.date().format(&date_format).unwrap_or_default();
                format!("{}{role}, {when}", who.name)
            });
        Ok(PurchaseOrderDocument {
            reference: h.reference.clone(),
            date: OffsetDateTime::now_utc()
                .date()
                .format(&date_format)
                .unwrap_or_default(),
            supplier: Party {
                name: supplier.name,
                lines: supplier_lines,
            },
            deliver_to: Party {
                name: self.outlet_name(h.destination_outlet_id)?,
                lines: Vec::new(),
            },
            ordered_by: self.person(h.created_by).name,
            approved_by,
            lines,
            notes: None,
        })
    }

    /// Sends an approved order: status `sent`, PDF saved (and e-mailed when a relay is
    /// configured and an address given).
    pub fn send_purchase_order(&self, input: SendOrderInput) -> Result<SendOutcome, AppError> {
        let actor = self.actor()?;
        let id = parse_id("purchase order", &input.order_id)?;
        let settings = self.purchasing_settings();
        let email_to = input
            .email_to
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(mail::mailbox)
            .transpose()?;
        let f = self.order_facts(id, PO)?;
        check_transition(
            PO,
            f.header.status,
            ConsignmentStatus::Sent,
            &f.transition_context(&settings.policy),
        )?;
        let pdf = self.order_document(&f)?.to_pdf().map_err(pdf_error)?;
        let path = self
            .documents_dir()?
            .join(format!("{}.pdf", f.header.reference));
        write_atomically(&path, &pdf)?;
        let sha256 = ContentHash::of(&pdf);
        let note = json!({
            "pdf_path": path.display().to_string(),
            "pdf_sha256": sha256.as_str(),
            "email_to": email_to.as_ref().map(|m| m.to_string()),
            "total_excl_gst": f.totals.excl_gst,
        });
        let version = f.header.version;
        self.store().transact(&actor, |t| {
            t.set_consignment_status(id, version, ConsignmentStatus::Sent)?;
            t.audit(
                marks::SENT,
                "consignment",
                &id.to_string(),
                Some(&json!({ "status": ConsignmentStatus::Approved })),
                Some(&note),
                None,
            )?;
            Ok(())
        })?;
        tracing::info!(consignment_id = %id, pdf = %path.display(), "purchase order sent");
        let email = match email_to {
            None => EmailOutcome::NotRequested,
            Some(to) => self.email_order(id, &f.header.reference, &to, pdf),
        };
        Ok(SendOutcome {
            order: self.purchase_order_view(id)?,
            pdf_path: path.display().to_string(),
            email,
        })
    }

    /// E-mails the saved PDF of a sent order (again) to `email_to`.
    pub fn email_purchase_order(
        &self,
        order_id: &str,
        email_to: &str,
    ) -> Result<EmailOutcome, AppError> {
        self.actor()?;
        let id = parse_id("purchase order", order_id)?;
        let to = mail::mailbox(email_to)?;
        let f = self.order_facts(id, PO)?;
        let path = f
            .audit
            .iter()
            .rev()
            .find(|e| e.action == marks::SENT)
            .and_then(|e| {
                e.after
                    .as_ref()?
                    .get("pdf_path")?
                    .as_str()
                    .map(PathBuf::from)
            })
            .ok_or_else(|| {
                AppError::new(
                    "NOT_SENT_YET",
                    "This order has not been sent yet; send it first.",
                )
            })?;
        let pdf = std::fs::read(&path).map_err(|e| io_error(&path, e))?;
        Ok(self.email_order(id, &f.header.reference, &to, pdf))
    }

    fn email_order(
        &self,
        id: Uuid,
        reference: &str,
        to: &lettre::message::Mailbox,
        pdf: Vec<u8>,
    ) -> EmailOutcome {
        let Some(smtp) = self.purchasing_settings().smtp else {
            return EmailOutcome::NotConfigured;
        };
        let outlet = self
            .store()
            .station()
            .ok()
            .flatten()
            .map(|s| s.outlet_name)
            .unwrap_or_default();
        let result = mail::send(
            &smtp,
            PdfMail {
                to,
                subject: format!("Purchase order {reference}"),
                body: format!(
                    "Kia ora,\n\nPlease find attached purchase order {reference} from {outlet}.\nPlease quote the reference on your invoice and delivery docket.\n\nNgā mihi\n"
                ),
                file_name: format!("{reference}.pdf"),
                pdf,
            },
        );
        match result {
            Ok(()) => {
                tracing::info!(consignment_id = %id, "purchase order e-mailed");
                EmailOutcome::Sent { to: to.to_string() }
            }
            Err(e) => EmailOutcome::Failed {
                code: e.code,
                message: e.message,
            },
        }
    }
}
