//! What the receiving screen shows and sends: view types shared with the UI (generated
//! TypeScript via specta). Quantities and money travel as decimal strings.

use serde::{Deserialize, Serialize};
use tally_domain::{ConsignmentKind, ConsignmentStatus, SignOffMode, VarianceReason};

use crate::consignments::Direction;
use crate::receiving::signature::SignatureInput;

/// A variance reason as the UI names it (the domain's `VarianceReason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Fewer arrived.
    Short,
    /// More arrived.
    Over,
    /// Arrived damaged.
    Damaged,
    /// A different product arrived.
    WrongItem,
    /// Past its date.
    Expired,
    /// Anything else (note required).
    Other,
}

impl From<ReasonCode> for VarianceReason {
    fn from(r: ReasonCode) -> Self {
        match r {
            ReasonCode::Short => Self::Short,
            ReasonCode::Over => Self::Over,
            ReasonCode::Damaged => Self::Damaged,
            ReasonCode::WrongItem => Self::WrongItem,
            ReasonCode::Expired => Self::Expired,
            ReasonCode::Other => Self::Other,
        }
    }
}

impl From<VarianceReason> for ReasonCode {
    fn from(r: VarianceReason) -> Self {
        match r {
            VarianceReason::Short => Self::Short,
            VarianceReason::Over => Self::Over,
            VarianceReason::Damaged => Self::Damaged,
            VarianceReason::WrongItem => Self::WrongItem,
            VarianceReason::Expired => Self::Expired,
            VarianceReason::Other => Self::Other,
        }
    }
}

/// How a large variance is handled (the domain's `SignOffMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SignOffRule {
    /// A store manager enters their PIN to close.
    ManagerPin,
    /// The receipt closes and goes to a manager's review list.
    ReviewList,
}

impl From<SignOffMode> for SignOffRule {
    fn from(m: SignOffMode) -> Self {
        match m {
            SignOffMode::ManagerPin => Self::ManagerPin,
            SignOffMode::ReviewList => Self::ReviewList,
        }
    }
}

/// The receiving rules the screen needs to guide staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PolicyView {
    /// Damaged units need a photo.
    pub damage_photo_required: bool,
    /// Variance worth more than this at cost needs a sign-off (e.g. `200`).
    pub sign_off_threshold: String,
    /// How the sign-off happens.
    pub sign_off_rule: SignOffRule,
    /// A staff PIN confirmation may replace the receiver's signature.
    pub pin_confirmation_allowed: bool,
    /// Largest photo accepted, in bytes.
    pub max_photo_bytes: u32,
}

/// One product being received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReceivingLine {
    /// Line number as the domain's messages name it ("Line 3: ...").
    pub line_no: u32,
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// False for an item that arrived but is not on the consignment.
    pub on_consignment: bool,
    /// Quantity to receive: ordered (purchase order) or sent (transfer).
    pub expected: String,
    /// Received in earlier sessions.
    pub received_before: String,
    /// Counted in the open session.
    pub this_session: String,
    /// Received over all sessions.
    pub received: String,
    /// Damaged over all sessions.
    pub damaged: String,
    /// Damaged in the open session.
    pub damaged_this_session: String,
    /// received − expected, signed (`-2`, `+1`, `0`).
    pub variance: String,
    /// What the difference and damage are worth at cost, e.g. `$30.00`.
    pub variance_value: String,
    /// The reason given (latest session that gave one).
    pub reason: Option<ReasonCode>,
    /// Note with the reason.
    pub note: Option<String>,
    /// Photos (evidence hashes), oldest first.
    pub photos: Vec<String>,
    /// A reason must be chosen before the receipt can close.
    pub reason_required: bool,
    /// A photo must be added before the receipt can close.
    pub photo_required: bool,
    /// Over-receipt above the audit threshold.
    pub over_flagged: bool,
    /// What still stops this line from closing, in words (None when it is ready).
    pub problem: Option<String>,
    /// Received exactly as expected, nothing damaged.
    pub complete: bool,
}

/// A receive session, open or closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SessionView {
    /// Session (receipt) id.
    pub id: String,
    /// Who started it.
    pub started_by: String,
    /// When (RFC 3339).
    pub started_at: String,
    /// When it was closed (RFC 3339), if it is.
    pub closed_at: Option<String>,
    /// Who signed for it.
    pub signed_by: Option<String>,
    /// Evidence hash of the receiver's signature image.
    pub signature: Option<String>,
    /// Evidence hash of the driver's signature image.
    pub driver_signature: Option<String>,
    /// Units counted in it.
    pub units: String,
}

/// Totals across the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReceivingTotals {
    /// Units expected.
    pub expected: String,
    /// Units received over all sessions.
    pub received: String,
    /// Units counted in the open session.
    pub this_session: String,
    /// Lines that differ from what was expected (or have damage).
    pub lines_with_variance: u32,
    /// The variance worth at cost, e.g. `$210.00`.
    pub variance_value: String,
    /// Closing needs a manager's PIN (value over the threshold, manager-PIN mode).
    pub needs_manager_sign_off: bool,
    /// Closing will put the receipt on the manager's review list.
    pub goes_to_review_list: bool,
}

/// The receiving screen's state for one consignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReceivingView {
    /// Consignment id.
    pub consignment_id: String,
    /// Human reference.
    pub reference: String,
    /// Purchase order or transfer.
    pub kind: ConsignmentKind,
    /// CIS status.
    pub status: ConsignmentStatus,
    /// Always incoming here; kept for the header.
    pub direction: Direction,
    /// Supplier or sending outlet.
    pub counterpart: String,
    /// The open session at this station, if any.
    pub open_session: Option<SessionView>,
    /// Every session, oldest first.
    pub sessions: Vec<SessionView>,
    /// Lines (consignment lines first, then unexpected items).
    pub lines: Vec<ReceivingLine>,
    /// Totals.
    pub totals: ReceivingTotals,
    /// The rules in force.
    pub policy: PolicyView,
    /// The receipt is closed (status received).
    pub closed: bool,
}

/// What a scan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ScanResultKind {
    /// One more unit (or a GS1 count) counted on its line.
    Counted,
    /// The line now has exactly what was expected.
    LineComplete,
    /// The line now has more than expected.
    Over,
    /// The product is not on this consignment: ask whether to add it as unexpected.
    NotOnConsignment,
    /// The consignment's own reference (a packing slip or box label): nothing counted.
    ReferenceConfirmed,
}

/// The answer to a scan, once it is durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReceiveScan {
    /// What happened.
    pub kind: ScanResultKind,
    /// Product id (none for a reference).
    pub product_id: Option<String>,
    /// Product name or the reference, for the feedback banner.
    pub label: String,
    /// Units this scan added (GS1 count or 1; 0 when nothing was counted).
    pub units: String,
    /// A short sentence for the banner.
    pub message: String,
    /// The screen after the scan.
    pub view: ReceivingView,
}

/// A photo just stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct PhotoAdded {
    /// Evidence hash (SHA-256 hex).
    pub hash: String,
    /// A small JPEG as a `data:` URL for the thumbnail strip.
    pub thumbnail: String,
    /// Stored size in bytes (after stripping metadata and downscaling).
    pub bytes: u32,
    /// The screen after the photo was attached.
    pub view: ReceivingView,
}

/// A manager's PIN sign-off for a large variance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct ManagerSignOffInput {
    /// The manager's staff id.
    pub staff_id: String,
    /// Their PIN (checked against the store, never stored).
    pub pin: String,
}

/// Finishing the open session: signatures and, for the last session, closing the receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct FinishSessionInput {
    /// The receiver's signature (required unless PIN confirmation is allowed and given).
    pub signature: Option<SignatureInput>,
    /// The driver's signature, optional.
    pub driver_signature: Option<SignatureInput>,
    /// The receiver's own PIN, where the chain allows it instead of a signature.
    pub confirm_pin: Option<String>,
    /// True: everything has arrived, close the receipt. False: more is coming.
    pub close_receipt: bool,
    /// A manager's sign-off, when the variance needs one.
    pub manager: Option<ManagerSignOffInput>,
    /// Free note on the session.
    pub note: Option<String>,
}

/// How a large variance was handled at closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SignOffResult {
    /// The variance was within the threshold.
    NotNeeded,
    /// A manager signed off with their PIN.
    ManagerSignedOff,
    /// Closed and put on the manager's review list.
    OnReviewList,
}

/// What finishing a session did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct SessionFinished {
    /// The receipt is now closed (status received).
    pub receipt_closed: bool,
    /// Sign-off outcome (only when the receipt closed).
    pub sign_off: Option<SignOffResult>,
    /// Lines flagged for audit (over-receipts above the threshold), by line number.
    pub flagged_lines: Vec<u32>,
    /// Units that went into sellable stock (received − damaged), when closed.
    pub stock_added: Option<String>,
    /// Evidence hash of the receiver's signature image.
    pub signature: Option<String>,
    /// The screen afterwards.
    pub view: ReceivingView,
}

/// A receiving report written to disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReportFile {
    /// Where the PDF was saved.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u32,
    /// Pages in it.
    pub pages: u32,
}

/// A product found by name, SKU or code (to add an unexpected item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ProductOption {
    /// Product id.
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Already a line of this consignment (count it there instead).
    pub on_consignment: bool,
}
