//! What the purchasing screens show and send: view types crossing to the UI (generated
//! TypeScript via specta) and the inputs they send back. Money and quantities cross as
//! exact decimal strings; `MoneyView::shown` is the amount as staff read it.

use serde::{Deserialize, Serialize};
use tally_domain::{ConsignmentStatus, Money, Quantity, Role, Totals};

/// An amount: exact value (two decimals, as sent to Lightspeed) and as shown ("$1,234.50").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MoneyView {
    /// Rounded to cents, e.g. `1234.50`.
    pub value: String,
    /// As staff read it, e.g. `$1,234.50`.
    pub shown: String,
}

impl From<Money> for MoneyView {
    fn from(m: Money) -> Self {
        Self {
            value: m.to_wire(),
            shown: m.to_string(),
        }
    }
}

/// Totals of an order or return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TotalsView {
    /// Sum of lines excluding GST.
    pub excl_gst: MoneyView,
    /// GST (15 %) on that sum.
    pub gst: MoneyView,
    /// Including GST.
    pub incl_gst: MoneyView,
    /// Units over all lines.
    pub units: String,
}

impl From<Totals> for TotalsView {
    fn from(t: Totals) -> Self {
        Self {
            excl_gst: t.excl_gst.into(),
            gst: t.gst.into(),
            incl_gst: t.incl_gst.into(),
            units: t.units.to_string(),
        }
    }
}

/// A supplier to pick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SupplierCard {
    /// Supplier id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Short code, if any.
    pub code: Option<String>,
}

/// Someone named on a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PersonView {
    /// Staff id (empty when unknown).
    pub id: String,
    /// Name as shown.
    pub name: String,
    /// Role, when known.
    pub role: Option<Role>,
}

/// A product found by a search, for adding to an order or return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ProductChoice {
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// The supplier's code.
    pub supplier_code: Option<String>,
    /// Supplier price excl. GST, when known.
    pub supply_price: Option<MoneyView>,
    /// True when this product's main supplier is the order's supplier.
    pub from_this_supplier: bool,
    /// False for a product no longer sold.
    pub active: bool,
}

/// One line of a purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PoLineView {
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units ordered.
    pub quantity: String,
    /// Unit cost excl. GST (`None`: no cost yet; the order cannot be submitted).
    pub unit_cost: Option<MoneyView>,
    /// Quantity × cost, excl. GST.
    pub line_total: MoneyView,
    /// Received so far over all deliveries.
    pub received: String,
    /// Of those, damaged.
    pub damaged: String,
    /// Still to come (ordered − received, never below zero).
    pub remaining: String,
}

/// Where a PO stands against its approval tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ApprovalStateView {
    /// Tier of the current total.
    pub tier: u8,
    /// Why this tier, in words ("$6,000.00 excl. GST is above $5,000.00: tier 3 needs a director or higher").
    pub reason: String,
    /// Who the tier needs, in words.
    pub needs: String,
    /// Distinct approvers needed.
    pub needed: u32,
    /// Valid approvals so far (this round).
    pub have: u32,
    /// Approver slots still open, in words.
    pub missing: Vec<String>,
    /// Every slot filled.
    pub satisfied: bool,
    /// When it was last submitted (RFC 3339).
    pub submitted_at: Option<String>,
    /// Waiting longer than the chain allows.
    pub overdue: bool,
    /// Who an overdue approval may be escalated to, in words.
    pub escalate_to: Option<String>,
    /// The hub escalated this submission (it waited longer than the chain allows).
    pub escalated: Option<EscalationView>,
    /// Every decision so far, oldest first.
    pub decisions: Vec<DecisionView>,
}

/// An approval the hub escalated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct EscalationView {
    /// The role it went to.
    pub to_role: Role,
    /// Why, in words.
    pub why: String,
    /// When (RFC 3339).
    pub at: String,
}

/// One recorded decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DecisionView {
    /// When (RFC 3339).
    pub at: String,
    /// Who decided.
    pub approver: PersonView,
    /// `approve`, `request_changes` or `reject`.
    pub decision: String,
    /// Tier at the time.
    pub tier: u8,
    /// Rejection reason in words.
    pub reason: Option<String>,
    /// Comment or note.
    pub comment: Option<String>,
}

/// Delivery progress of a sent order (partial deliveries keep it open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DeliveryView {
    /// Units ordered.
    pub ordered: String,
    /// Units received over all deliveries.
    pub received: String,
    /// Units still to come.
    pub remaining: String,
    /// Receive sessions so far.
    pub deliveries: u32,
    /// Something arrived and something is still to come.
    pub partial: bool,
}

/// The PDF saved when the order was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SentDocumentView {
    /// File on this station.
    pub path: String,
    /// SHA-256 of the file (as audited).
    pub sha256: String,
    /// Address it was to be e-mailed to, if any.
    pub email_to: Option<String>,
}

/// A purchase order with everything its screens show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PurchaseOrderView {
    /// Consignment id.
    pub id: String,
    /// Reference (`TR-PUR-...`).
    pub reference: String,
    /// CIS status.
    pub status: ConsignmentStatus,
    /// The supplier.
    pub supplier: SupplierCard,
    /// The ordering (receiving) outlet's name.
    pub outlet: String,
    /// Who drafted it.
    pub created_by: PersonView,
    /// Who last changed its lines.
    pub last_edited_by: PersonView,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// Lines, by product name.
    pub lines: Vec<PoLineView>,
    /// Totals excl./incl. GST.
    pub totals: TotalsView,
    /// Approval tier and progress.
    pub approval: ApprovalStateView,
    /// Delivery progress, once sent.
    pub delivery: Option<DeliveryView>,
    /// The PDF, once sent.
    pub document: Option<SentDocumentView>,
    /// Lines may be changed now.
    pub can_edit: bool,
    /// May be submitted for approval now.
    pub can_submit: bool,
    /// May be sent to the supplier now.
    pub can_send: bool,
    /// Lightspeed's id, once the hub created it there.
    pub lightspeed_id: Option<String>,
}

/// What a scan into an order did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PoScanOutcome {
    /// The order after the scan.
    pub order: PurchaseOrderView,
    /// The product the code named.
    pub product_id: String,
    /// Its name.
    pub name: String,
    /// Units now on its line.
    pub quantity: String,
}

/// A line edit from the PO editor (absolute values; quantity 0 removes the line).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
pub struct PoLineEdit {
    /// Product id.
    pub product_id: String,
    /// Units (decimal string).
    pub quantity: String,
    /// Unit cost excl. GST (decimal string).
    pub unit_cost: String,
}

/// What an approver decides, from the PIN dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Approve.
    Approve,
    /// Back to draft with a comment.
    RequestChanges,
    /// Cancel with a reason.
    Reject,
}

/// A decision signed with the approver's PIN (the approver may not be the person signed in).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
pub struct DecisionInput {
    /// The order.
    pub order_id: String,
    /// The approver.
    pub approver_id: String,
    /// Their PIN (checked, never stored or logged).
    pub pin: String,
    /// What they decided.
    pub decision: DecisionKind,
    /// Comment (required for request changes; the note for a rejection).
    pub comment: Option<String>,
    /// Rejection reason code (see `reject_reasons`).
    pub reason: Option<String>,
}

/// A rejection reason to choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReasonChoice {
    /// Stable code.
    pub code: String,
    /// Words.
    pub label: String,
    /// A note is required with it.
    pub needs_note: bool,
}

/// One order waiting in an approver's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ApprovalQueueItem {
    /// Order id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Ordering outlet.
    pub outlet: String,
    /// Supplier.
    pub supplier: SupplierCard,
    /// Who drafted it.
    pub created_by: PersonView,
    /// Totals.
    pub totals: TotalsView,
    /// Lines.
    pub line_count: u32,
    /// Tier, reason and progress.
    pub approval: ApprovalStateView,
    /// The supplier's recent orders.
    pub supplier_history: SupplierHistoryView,
}

/// A supplier's recent orders and how their deliveries went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SupplierHistoryView {
    /// Most recent first (at most 10).
    pub orders: Vec<SupplierOrderSummary>,
    /// Of the delivered orders, how many arrived short or damaged.
    pub delivered_with_variance: u32,
    /// Delivered (partly or fully) orders counted.
    pub delivered: u32,
}

/// One past order of a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SupplierOrderSummary {
    /// Order id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Status.
    pub status: ConsignmentStatus,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Total excl. GST.
    pub total_excl: MoneyView,
    /// Units ordered.
    pub ordered: String,
    /// Units received.
    pub received: String,
    /// Received − ordered (negative: short), once something arrived.
    pub variance_units: Option<String>,
    /// Variance at cost, once something arrived.
    pub variance_value: Option<MoneyView>,
    /// Units received damaged.
    pub damaged: String,
}

/// Sending an approved order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, specta::Type)]
pub struct SendOrderInput {
    /// The order.
    pub order_id: String,
    /// Supplier address to e-mail the PDF to (None: save only).
    pub email_to: Option<String>,
}

/// What happened to the e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum EmailOutcome {
    /// Handed to the relay.
    Sent {
        /// Recipient.
        to: String,
    },
    /// Not e-mailed: no address was given.
    NotRequested,
    /// Not e-mailed: no SMTP relay is configured at this station.
    NotConfigured,
    /// The relay refused or could not be reached; the order is sent and saved.
    Failed {
        /// Stable code.
        code: String,
        /// What went wrong.
        message: String,
    },
}

/// The result of sending an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SendOutcome {
    /// The order, now sent.
    pub order: PurchaseOrderView,
    /// The saved PDF.
    pub pdf_path: String,
    /// The e-mail.
    pub email: EmailOutcome,
}

/// One entry of a consignment's timeline (from the hash-chained audit log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TimelineEntry {
    /// Audit entry id (strictly increasing).
    pub seq: u32,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub who: PersonView,
    /// Stable action code, e.g. `consignment.status_set`.
    pub action: String,
    /// What happened, in words.
    pub summary: String,
    /// Fields before and after.
    pub changes: Vec<FieldChange>,
    /// The outlet whose station made the change (`None`: this station).
    pub station: Option<String>,
    /// Made here and not yet applied by the hub (other stations do not see it yet).
    pub not_yet_synced: bool,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FieldChange {
    /// Field name in words.
    pub field: String,
    /// Before (None: not set).
    pub before: Option<String>,
    /// After (None: removed).
    pub after: Option<String>,
}

/// Formats a quantity without trailing zeros.
pub(crate) fn qty(q: Quantity) -> String {
    q.to_string()
}
