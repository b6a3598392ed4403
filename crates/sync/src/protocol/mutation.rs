//! The outlet actions pushed to the hub, one variant per kind.
//!
//! On the wire a mutation is `{"kind": "...", "payload": {...}}` inside its
//! envelope. Quantities are decimal strings; ids made at the outlet are UUIDv7;
//! ids that come from Lightspeed (products, outlets, suppliers) are strings.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::{ConsignmentKind, ConsignmentStatus};
pub use tally_domain::{Decision, RejectReason, ReturnReason, VarianceReason};
use time::OffsetDateTime;
use uuid::Uuid;

/// One outlet action, tagged by `kind` with its `payload`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum Mutation {
    /// A consignment of any kind was created at the outlet, with its first lines.
    ConsignmentCreated(ConsignmentCreated),
    /// A line's expected quantity (and cost) was set to an absolute value.
    LineSet(LineSet),
    /// A line was removed.
    LineRemoved(LineRemoved),
    /// Someone asked to move the consignment from one status to another.
    StatusTransitionRequested(StatusTransitionRequested),
    /// A scan (or undo, or quantity key) changed a count by a delta.
    ScanRecorded(ScanRecorded),
    /// A box (parcel) was opened for packing.
    BoxOpened(BoxOpened),
    /// A box was closed with its weight.
    BoxClosed(BoxClosed),
    /// A box's weight, dimensions or tracking number changed (no state change).
    BoxUpdated(BoxUpdated),
    /// A receive session counted quantities (partial receipts add up).
    ReceiptSessionRecorded(ReceiptSessionRecorded),
    /// A receive session was signed and closed (the consignment stays receiving).
    ReceiptSessionClosed(ReceiptSessionClosed),
    /// Receiving was closed with final quantities and a signature.
    ReceiptClosed(ReceiptClosed),
    /// An approver decided on a purchase order.
    ApprovalDecided(ApprovalDecided),
    /// A line is being sent short, with a reason.
    ShortShipRecorded(ShortShipRecorded),
    /// A supplier return's authorisation number was set (or cleared).
    ReturnAuthorisationSet(ReturnAuthorisationSet),
    /// Why one product of a supplier return goes back.
    ReturnLineReasonSet(ReturnLineReasonSet),
    /// The supplier credited (part of) a return.
    SupplierCreditRecorded(SupplierCreditRecorded),
}

impl Mutation {
    /// The wire name of this mutation's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ConsignmentCreated(_) => "consignment_created",
            Self::LineSet(_) => "line_set",
            Self::LineRemoved(_) => "line_removed",
            Self::StatusTransitionRequested(_) => "status_transition_requested",
            Self::ScanRecorded(_) => "scan_recorded",
            Self::BoxOpened(_) => "box_opened",
            Self::BoxClosed(_) => "box_closed",
            Self::BoxUpdated(_) => "box_updated",
            Self::ReceiptSessionRecorded(_) => "receipt_session_recorded",
            Self::ReceiptSessionClosed(_) => "receipt_session_closed",
            Self::ReceiptClosed(_) => "receipt_closed",
            Self::ApprovalDecided(_) => "approval_decided",
            Self::ShortShipRecorded(_) => "short_ship_recorded",
            Self::ReturnAuthorisationSet(_) => "return_authorisation_set",
            Self::ReturnLineReasonSet(_) => "return_line_reason_set",
            Self::SupplierCreditRecorded(_) => "supplier_credit_recorded",
        }
    }

    /// The consignment this mutation acts on (every kind acts on exactly one).
    pub fn consignment_id(&self) -> Uuid {
        match self {
            Self::ConsignmentCreated(m) => m.consignment_id,
            Self::LineSet(m) => m.consignment_id,
            Self::LineRemoved(m) => m.consignment_id,
            Self::StatusTransitionRequested(m) => m.consignment_id,
            Self::ScanRecorded(m) => m.consignment_id,
            Self::BoxOpened(m) => m.consignment_id,
            Self::BoxClosed(m) => m.consignment_id,
            Self::BoxUpdated(m) => m.consignment_id,
            Self::ReceiptSessionRecorded(m) => m.consignment_id,
            Self::ReceiptSessionClosed(m) => m.consignment_id,
            Self::ReceiptClosed(m) => m.consignment_id,
            Self::ApprovalDecided(m) => m.consignment_id,
            Self::ShortShipRecorded(m) => m.consignment_id,
            Self::ReturnAuthorisationSet(m) => m.consignment_id,
            Self::ReturnLineReasonSet(m) => m.consignment_id,
            Self::SupplierCreditRecorded(m) => m.consignment_id,
        }
    }
}

/// A line as first drafted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineDraft {
    /// The station's id for the line (kept by the hub so every station agrees).
    #[serde(default)]
    pub line_id: Option<Uuid>,
    /// Lightspeed product id.
    pub product_id: String,
    /// Quantity expected to move.
    pub expected_qty: Decimal,
    /// Unit cost excl. GST at order time (purchase orders); `None` when not known.
    #[serde(default)]
    pub unit_cost: Option<Decimal>,
}

/// `consignment_created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsignmentCreated {
    /// UUIDv7 made at the outlet.
    pub consignment_id: Uuid,
    /// What the consignment moves.
    pub kind: ConsignmentKind,
    /// Human reference (`TR-...`), unique per station block.
    pub reference: String,
    /// Sending outlet (transfers, returns, stocktakes).
    #[serde(default)]
    pub source_outlet_id: Option<String>,
    /// Receiving outlet (purchase orders, transfers).
    #[serde(default)]
    pub destination_outlet_id: Option<String>,
    /// Supplier (purchase orders, returns).
    #[serde(default)]
    pub supplier_id: Option<String>,
    /// Status it was created in (normally `draft`, `scheduled` for stocktakes).
    pub status: ConsignmentStatus,
    /// Lines at creation.
    #[serde(default)]
    pub lines: Vec<LineDraft>,
}

/// `line_set`: absolute expected quantity for one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineSet {
    /// The consignment.
    pub consignment_id: Uuid,
    /// The station's id for the line, when it made a new one.
    #[serde(default)]
    pub line_id: Option<Uuid>,
    /// Lightspeed product id.
    pub product_id: String,
    /// New expected quantity (absolute).
    pub expected_qty: Decimal,
    /// New unit cost, if it changed.
    #[serde(default)]
    pub unit_cost: Option<Decimal>,
}

/// `line_removed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineRemoved {
    /// The consignment.
    pub consignment_id: Uuid,
    /// Lightspeed product id of the line removed.
    pub product_id: String,
}

/// `status_transition_requested`: `from` is the status the station saw, so a
/// change someone else made first is detected rather than overwritten.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusTransitionRequested {
    /// The consignment.
    pub consignment_id: Uuid,
    /// Status the station believed it was in.
    pub from: ConsignmentStatus,
    /// Status asked for.
    pub to: ConsignmentStatus,
    /// Why (required by some transitions, e.g. cancel).
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a scan counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanPurpose {
    /// Packing an outgoing consignment (adds to `packed`).
    Pack,
    /// Counting a stocktake (adds to `counted`).
    Count,
    /// Counting goods in while receiving (kept as evidence; receipt lines carry
    /// the received quantities).
    Receive,
}

/// `scan_recorded`: one append-only scan event. Counts are sums of deltas, so two
/// stations scanning into the same consignment merge without loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanRecorded {
    /// UUIDv7 of the event; the hub ignores an event id it has seen.
    pub event_id: Uuid,
    /// The consignment.
    pub consignment_id: Uuid,
    /// What the scan counts.
    pub purpose: ScanPurpose,
    /// Resolved Lightspeed product id.
    pub product_id: String,
    /// Box the unit went into (packing).
    #[serde(default)]
    pub box_id: Option<Uuid>,
    /// +1 for a scan, -1 for an undo, +n for a quantity key or GS1 count.
    pub delta: Decimal,
    /// The raw code read, for the audit.
    #[serde(default)]
    pub raw_code: Option<String>,
    /// Station device that scanned.
    pub device_id: String,
    /// When it was scanned (station clock).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Staff id who scanned.
    pub by: String,
    /// Reason given when this scan packs more than expected.
    #[serde(default)]
    pub over_pack_reason: Option<String>,
    /// The event this one undoes (an undo is a negative event).
    #[serde(default)]
    pub undoes: Option<Uuid>,
}

/// `box_opened`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxOpened {
    /// The consignment.
    pub consignment_id: Uuid,
    /// UUIDv7 of the box.
    pub box_id: Uuid,
    /// Box number within the consignment (1, 2, ...), shown on the label.
    pub number: u32,
    /// Container type code (e.g. `carton_m`, `satchel_a4`).
    pub container: String,
}

/// Where a box weight came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum WeightSource {
    /// A stable reading from a scale.
    Scale {
        /// The scale's id.
        scale_id: String,
    },
    /// Typed in at a station without a scale.
    Typed,
}

/// Box outer dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionsMm {
    /// Length in millimetres.
    pub length: u32,
    /// Width in millimetres.
    pub width: u32,
    /// Height in millimetres.
    pub height: u32,
}

/// `box_closed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxClosed {
    /// The consignment.
    pub consignment_id: Uuid,
    /// The box.
    pub box_id: Uuid,
    /// Gross weight in grams.
    pub weight_grams: u32,
    /// Scale or typed.
    pub weight_source: WeightSource,
    /// Outer dimensions, when measured.
    #[serde(default)]
    pub dimensions: Option<DimensionsMm>,
    /// Carrier tracking number, when a label was booked.
    #[serde(default)]
    pub tracking_number: Option<String>,
}

/// `box_updated`: fields of a box changed; absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxUpdated {
    /// The consignment.
    pub consignment_id: Uuid,
    /// The box.
    pub box_id: Uuid,
    /// New gross weight in grams.
    #[serde(default)]
    pub weight_grams: Option<u32>,
    /// Where the weight came from.
    #[serde(default)]
    pub weight_source: Option<WeightSource>,
    /// New outer dimensions.
    #[serde(default)]
    pub dimensions: Option<DimensionsMm>,
    /// Carrier tracking number.
    #[serde(default)]
    pub tracking_number: Option<String>,
}

/// Quantities counted for one product in a receive session: absolute within the
/// session (a recount replaces it); sessions add up on the consignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    /// Lightspeed product id.
    pub product_id: String,
    /// Units counted in this session (including damaged ones).
    pub received: Decimal,
    /// Of those, units damaged.
    #[serde(default)]
    pub damaged: Decimal,
}

/// A variance explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VarianceNote {
    /// Lightspeed product id.
    pub product_id: String,
    /// Why.
    pub reason: VarianceReason,
    /// Free text (required for `other`).
    #[serde(default)]
    pub note: Option<String>,
}

/// A content-addressed evidence file (photo, signature image).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// SHA-256 of the file, lowercase hex; also its file name.
    pub sha256: String,
    /// `photo`, `signature`, ...
    pub kind: String,
    /// The line a photo shows (damage evidence).
    #[serde(default)]
    pub product_id: Option<String>,
}

/// `receipt_session_recorded`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptSessionRecorded {
    /// The consignment.
    pub consignment_id: Uuid,
    /// UUIDv7 of the session.
    pub session_id: Uuid,
    /// Quantities counted in this session.
    pub lines: Vec<ReceivedLine>,
    /// Reasons for variances.
    #[serde(default)]
    pub variances: Vec<VarianceNote>,
    /// Photos and other evidence.
    #[serde(default)]
    pub evidence: Vec<EvidenceRef>,
}

/// `receipt_session_closed`: a receive session signed and closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptSessionClosed {
    /// The consignment.
    pub consignment_id: Uuid,
    /// The session.
    pub session_id: Uuid,
    /// Staff id of the receiver who signed.
    pub signed_by: String,
    /// The receiver's signature image.
    #[serde(default)]
    pub signature: Option<EvidenceRef>,
    /// The driver's signature image, if they signed.
    #[serde(default)]
    pub driver_signature: Option<EvidenceRef>,
}

/// `receipt_closed`: receiving is finished.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptClosed {
    /// The consignment.
    pub consignment_id: Uuid,
    /// The receiver's signature image, if signed.
    #[serde(default)]
    pub signature: Option<EvidenceRef>,
    /// Staff id of a manager who confirmed with a PIN (large variance).
    #[serde(default)]
    pub confirmed_by: Option<String>,
    /// The station checked the PIN(s) involved.
    pub pin_verified: bool,
}

/// `approval_decided`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalDecided {
    /// The purchase order.
    pub consignment_id: Uuid,
    /// UUIDv7 of the decision.
    pub approval_id: Uuid,
    /// What was decided (with its comment or note).
    #[serde(flatten)]
    pub decision: Decision,
    /// Staff id of the approver.
    pub by: String,
    /// The station verified the approver's PIN.
    pub pin_verified: bool,
}

/// `short_ship_recorded`: a line leaves with fewer units than expected, on purpose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortShipRecorded {
    /// The consignment.
    pub consignment_id: Uuid,
    /// Lightspeed product id.
    pub product_id: String,
    /// Why it is short.
    pub reason: String,
}

/// `return_authorisation_set`: the supplier's return authorisation (RA) number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnAuthorisationSet {
    /// The supplier return.
    pub consignment_id: Uuid,
    /// The number (`None` clears it).
    #[serde(default)]
    pub number: Option<String>,
}

/// `return_line_reason_set`: why one product goes back (absolute: replaces the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineReasonSet {
    /// The supplier return.
    pub consignment_id: Uuid,
    /// Lightspeed product id of the line.
    pub product_id: String,
    /// Why.
    pub reason: ReturnReason,
    /// Note (required for `other`).
    #[serde(default)]
    pub note: Option<String>,
}

/// `supplier_credit_recorded`: a credit note from the supplier against a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierCreditRecorded {
    /// The supplier return.
    pub consignment_id: Uuid,
    /// UUIDv7 of the credit (the hub ignores one it has).
    pub credit_id: Uuid,
    /// Amount credited, excl. GST.
    pub amount: Decimal,
    /// The supplier's credit note number.
    pub credit_note_number: String,
    /// Date on the credit note.
    #[serde(with = "crate::protocol::iso_date")]
    pub credited_on: time::Date,
}
