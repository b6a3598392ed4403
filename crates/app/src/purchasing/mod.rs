//! Purchase orders and supplier returns.
//!
//! A purchase order is drafted for a supplier at this outlet (lines by scan, search or a
//! reorder suggestion; every edit is its own store action), submitted for approval (the
//! domain picks the tier and the roles), decided by an approver who signs with their PIN
//! (not necessarily the person signed in), and sent: the station saves (and e-mails) the
//! PDF, and the hub's saga creates the SUPPLIER consignment in Lightspeed. A supplier
//! return is made from a receipt's damaged or wrong items, or from scratch, and goes to
//! the packing bench.
//!
//! Invariants:
//! - Every rule comes from `tally_domain` (tiers, decisions, transitions, line-change
//!   stages) and is checked before anything is written; the hub checks it again.
//! - Every change is one store action (row + outbox mutation + audit entry). Facts the
//!   store has no column for (why a tier applies, the PDF sent, the consignment a
//!   return was made from) are extra audit entries written in the same
//!   transaction as the action they belong to, AFTER the store's own entry, so the sync
//!   layer's lookup of an action's audit entry still finds the store's.
//! - An order whose lines lack a unit cost cannot be submitted: its total (and so its
//!   tier) would be understated.

mod approval;
mod approver_pin;
mod facts;
mod history;
mod mail;
mod order;
pub mod reorder;
mod returns;
mod send;
pub mod settings;
mod timeline;
pub mod views;

use std::sync::{Mutex, RwLock};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

pub use returns::{
    CreditPositionView, CreditView, NewSupplierReturn, ReturnCandidate, ReturnLineInput,
    ReturnLineView, ReturnReason, ReturnSource, SupplierCreditInput, SupplierReturnSummary,
    SupplierReturnView,
};
pub use settings::{PurchasingSettings, SmtpSecurity, SmtpSettings};

use crate::error::AppError;

/// Extra audit entries this feature writes (see the module invariants).
pub(crate) mod marks {
    /// On the PO: a line changed (product, quantity and cost before/after; order totals).
    pub const LINE_CHANGED: &str = "purchase_order.line_changed";
    /// On the PO: submitted, with its tier and the reason for it.
    pub const SUBMITTED: &str = "purchase_order.submitted";
    /// On the PO: an approver's decision and the status it led to. The status change
    /// written with it is the decision's effect, not a separate request.
    pub const DECIDED: &str = "purchase_order.decided";
    /// On the PO: an edit raised the total into a higher tier; back to pending approval.
    pub const REAPPROVAL_REQUIRED: &str = "purchase_order.reapproval_required";
    /// On the PO: edited after approval within its tier; the approval stands.
    pub const EDITED_AFTER_APPROVAL: &str = "purchase_order.edited_after_approval";
    /// On the PO: sent to the supplier, with the PDF's file and hash.
    pub const SENT: &str = "purchase_order.sent";
    /// On the supplier: a PO was created for them (the station's index of a supplier's orders).
    pub const SUPPLIER_ORDER: &str = "purchase_order.created_for_supplier";
    /// On the supplier: a return was created for them.
    pub const SUPPLIER_RETURN: &str = "supplier_return.created_for_supplier";
    /// On the return: made from a consignment's receipts.
    pub const RETURN_SOURCE: &str = "supplier_return.source";
}

/// The feature's state inside `App`: settings and the approver-PIN guard.
pub(crate) struct PurchasingState {
    settings: RwLock<PurchasingSettings>,
    pins: Mutex<approver_pin::PinGuard>,
}

impl PurchasingState {
    /// State with the given settings.
    pub(crate) fn new(settings: PurchasingSettings) -> Self {
        Self {
            settings: RwLock::new(settings),
            pins: Mutex::new(approver_pin::PinGuard::default()),
        }
    }

    fn settings(&self) -> PurchasingSettings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl crate::App {
    /// Replaces the purchasing settings (approval tiers, PDF folder, SMTP relay).
    pub fn set_purchasing_settings(&self, settings: PurchasingSettings) {
        *self
            .purchasing
            .settings
            .write()
            .unwrap_or_else(|p| p.into_inner()) = settings;
    }

    /// The purchasing settings in force.
    pub fn purchasing_settings(&self) -> PurchasingSettings {
        self.purchasing.settings()
    }
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn parse_id(what: &str, s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s.trim())
        .map_err(|_| AppError::new("BAD_ID", format!("That {what} id is not valid: {s}")))
}

/// The staff id in an audit `actor` (`staff:<uuid>`).
pub(crate) fn staff_of_actor(actor: &str) -> Option<Uuid> {
    actor
        .strip_prefix("staff:")
        .and_then(|s| Uuid::parse_str(s).ok())
}
