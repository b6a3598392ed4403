//! Rows the hub sends down on pull: the outlet's read model of the chain.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use time::OffsetDateTime;
use uuid::Uuid;

use super::mutation::{DimensionsMm, ReturnReason, ScanPurpose, VarianceReason, WeightSource};
use tally_domain::ApprovalRecord;

/// A barcode or other code of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCode {
    /// `EAN`, `UPC`, `ISBN`, `CUSTOM`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The code as printed.
    pub code: String,
}

/// A catalog product (from Lightspeed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    /// Lightspeed id.
    pub id: String,
    /// SKU (may be scanned too).
    pub sku: String,
    /// Name.
    pub name: String,
    /// Variant name, if any.
    #[serde(default)]
    pub variant_name: Option<String>,
    /// Main supplier (Lightspeed id), when Lightspeed has one.
    #[serde(default)]
    pub supplier_id: Option<String>,
    /// Supplier's code.
    #[serde(default)]
    pub supplier_code: Option<String>,
    /// Supply price excl. GST.
    #[serde(default)]
    pub supply_price: Option<Decimal>,
    /// Sellable.
    pub active: bool,
    /// Barcodes.
    #[serde(default)]
    pub codes: Vec<ProductCode>,
    /// Deleted in Lightspeed: remove locally.
    #[serde(default)]
    pub deleted: bool,
}

/// Stock facts of one product at one outlet, as the hub's poller last read them from
/// Lightspeed: on hand and the outlet's reorder settings (inventory), and units sold per
/// day (sales). Sent only to the stations of that outlet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockRow {
    /// Outlet (Lightspeed id).
    pub outlet_id: String,
    /// Product (Lightspeed id).
    pub product_id: String,
    /// Units on hand (negative when sales ran ahead of receiving).
    pub on_hand: Decimal,
    /// The outlet's reorder point, when set in Lightspeed.
    #[serde(default)]
    pub reorder_point: Option<Decimal>,
    /// What Lightspeed's own restock would order, when set.
    #[serde(default)]
    pub reorder_amount: Option<Decimal>,
    /// Units sold per UTC day over the hub's sales window, days without sales left out,
    /// oldest first. The station sums the days inside its window, so it slides by itself.
    #[serde(default)]
    pub daily_sales: Vec<DailySales>,
    /// When the hub applied the newest of these facts.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Units of a product sold at an outlet on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailySales {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Units sold (refunds subtracted).
    pub units: Decimal,
}

/// A supplier (from Lightspeed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierRow {
    /// Lightspeed id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Deleted in Lightspeed.
    #[serde(default)]
    pub deleted: bool,
}

/// An outlet (from Lightspeed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutletRow {
    /// Lightspeed id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Deleted in Lightspeed.
    #[serde(default)]
    pub deleted: bool,
}

/// A staff member (issued by the hub). Carries the PIN's slow hash, never the PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRow {
    /// Hub-issued id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Home outlet (`None` for chain roles).
    #[serde(default)]
    pub outlet_id: Option<String>,
    /// Argon2 PHC string of the PIN.
    pub pin_hash: String,
    /// May sign in.
    pub active: bool,
}

/// One line of a consignment, with totals derived from events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineRow {
    /// Line id (the creating station's, or the hub's).
    pub line_id: Uuid,
    /// Lightspeed product id.
    pub product_id: String,
    /// Expected quantity.
    pub expected_qty: Decimal,
    /// Unit cost excl. GST.
    #[serde(default)]
    pub unit_cost: Option<Decimal>,
    /// Sum of packing scan deltas from every station.
    pub packed_qty: Decimal,
    /// Sum of receive sessions.
    pub received_qty: Decimal,
    /// Of received, damaged.
    pub damaged_qty: Decimal,
    /// Sum of stocktake count deltas.
    pub counted_qty: Decimal,
    /// Reason the line was sent short, if it was.
    #[serde(default)]
    pub short_reason: Option<String>,
    /// Why the received quantity differs (latest session that said).
    #[serde(default)]
    pub variance_reason: Option<VarianceReason>,
    /// Note for the variance.
    #[serde(default)]
    pub variance_note: Option<String>,
    /// Photos attached to this line while receiving.
    #[serde(default)]
    pub photos: u32,
}

/// A box (parcel).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxRow {
    /// UUIDv7.
    pub id: Uuid,
    /// Number within the consignment.
    pub number: u32,
    /// Container type code.
    pub container: String,
    /// Closed (weighed).
    pub closed: bool,
    /// Gross weight, once closed.
    #[serde(default)]
    pub weight_grams: Option<u32>,
    /// Scale or typed.
    #[serde(default)]
    pub weight_source: Option<WeightSource>,
    /// Outer dimensions.
    #[serde(default)]
    pub dimensions: Option<DimensionsMm>,
    /// Carrier tracking number.
    #[serde(default)]
    pub tracking_number: Option<String>,
}

/// An approval decision on a purchase order, as the domain records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRow {
    /// UUIDv7 (from the station).
    pub id: Uuid,
    /// Who, role, tier, total, decision, when.
    pub record: ApprovalRecord,
}

/// A consignment with its lines, boxes and approvals, as the hub has it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsignmentRow {
    /// UUIDv7.
    pub id: Uuid,
    /// Kind.
    pub kind: ConsignmentKind,
    /// CIS status.
    pub status: ConsignmentStatus,
    /// Human reference.
    pub reference: String,
    /// Sending outlet.
    #[serde(default)]
    pub source_outlet_id: Option<String>,
    /// Receiving outlet.
    #[serde(default)]
    pub destination_outlet_id: Option<String>,
    /// Supplier.
    #[serde(default)]
    pub supplier_id: Option<String>,
    /// Lightspeed id once pushed.
    #[serde(default)]
    pub lightspeed_id: Option<String>,
    /// Incremented on every change at the hub.
    pub version: u64,
    /// Staff id of the creator.
    pub created_by: String,
    /// Staff id of the last editor of lines.
    #[serde(default)]
    pub last_edited_by: Option<String>,
    /// Created (station clock).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change at the hub.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Lines.
    pub lines: Vec<LineRow>,
    /// Boxes.
    pub boxes: Vec<BoxRow>,
    /// Approval decisions, oldest first.
    pub approvals: Vec<ApprovalRow>,
    /// Lines removed since they were created (stations drop them).
    #[serde(default)]
    pub removed_lines: Vec<RemovedLine>,
    /// How far Lightspeed is: `pending` (the hub is still sending), `done` (Lightspeed
    /// matches the hub), `refused` (parked in the hub's dead-letter list) or `not_sent`
    /// (an operator gave up on it); absent before the hub has anything to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lightspeed_state: Option<String>,
    /// A supplier return's authorisation number, line reasons and credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_return: Option<SupplierReturnRow>,
    /// Every change the hub applied to it, oldest first, from every station (purchase
    /// orders and supplier returns; scans are left out, they come as scan events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryRow>,
}

/// What a supplier return carries beyond its lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierReturnRow {
    /// The supplier's return authorisation number.
    #[serde(default)]
    pub authorisation_number: Option<String>,
    /// Why each product goes back.
    #[serde(default)]
    pub reasons: Vec<ReturnLineReasonRow>,
    /// Credit notes recorded, oldest first.
    #[serde(default)]
    pub credits: Vec<SupplierCreditRow>,
}

/// Why one product of a return goes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineReasonRow {
    /// Lightspeed product id.
    pub product_id: String,
    /// Why.
    pub reason: ReturnReason,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A supplier credit against a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierCreditRow {
    /// Its id (from the station that recorded it).
    pub id: Uuid,
    /// Amount, excl. GST.
    pub amount: Decimal,
    /// The supplier's credit note number.
    pub credit_note_number: String,
    /// Date on the credit note.
    #[serde(with = "crate::protocol::iso_date")]
    pub credited_on: time::Date,
    /// Staff id who recorded it.
    pub recorded_by: String,
    /// When it was recorded (station clock).
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

/// In an order's history: its last submission for approval, and the hub's escalation
/// of that submission if it has been escalated (a resubmission waits afresh).
pub fn last_submission(history: &[HistoryRow]) -> Option<(&HistoryRow, Option<&HistoryRow>)> {
    let at = history.iter().rposition(|h| {
        h.status_after == Some(ConsignmentStatus::PendingApproval)
            && h.status_before != Some(ConsignmentStatus::PendingApproval)
    })?;
    let escalated = history[at..].iter().rev().find(|h| h.kind == "escalated");
    Some((&history[at], escalated))
}

/// One change the hub applied to a consignment: who, when, from which station, and
/// the consignment's status before and after, with the change itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// The mutation's id (the station's outbox id; the hub's own changes get a new one).
    pub mutation_id: Uuid,
    /// Mutation kind (`line_set`, `approval_decided`, ...; `escalated` for the hub's own).
    pub kind: String,
    /// Staff id who did it (`None` for the hub itself).
    #[serde(default)]
    pub staff_id: Option<String>,
    /// Their name, as the hub knows it.
    #[serde(default)]
    pub staff_name: Option<String>,
    /// Device id of the station it came from (`None` for the hub itself).
    #[serde(default)]
    pub device_id: Option<String>,
    /// The station's outlet.
    #[serde(default)]
    pub outlet_id: Option<String>,
    /// When it was done (station clock).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// When the hub applied it.
    #[serde(with = "time::serde::rfc3339")]
    pub applied_at: OffsetDateTime,
    /// Status before.
    pub status_before: Option<ConsignmentStatus>,
    /// Status after.
    pub status_after: Option<ConsignmentStatus>,
    /// The change's payload as pushed (or the hub's own details).
    pub payload: serde_json::Value,
}

/// A line that was removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedLine {
    /// Its id.
    pub line_id: Uuid,
    /// Its product.
    pub product_id: String,
}

/// A scan event (every station's), so stations derive the same counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanEventRow {
    /// Event id.
    pub id: Uuid,
    /// The consignment.
    pub consignment_id: Uuid,
    /// Product.
    pub product_id: String,
    /// Box, when packing.
    #[serde(default)]
    pub box_id: Option<Uuid>,
    /// What it counts.
    pub purpose: ScanPurpose,
    /// Signed units.
    pub delta: Decimal,
    /// Raw code read.
    #[serde(default)]
    pub raw_code: Option<String>,
    /// Device that scanned.
    pub device_id: String,
    /// Staff id.
    pub staff_id: String,
    /// When (station clock).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The event it undoes.
    #[serde(default)]
    pub undoes: Option<Uuid>,
}
