//! The outlet's open consignments, as the first screen lists them.

use serde::Serialize;
use tally_domain::{ConsignmentKind, ConsignmentStatus};
use tally_store::OpenConsignment;
use time::format_description::well_known::Rfc3339;

/// Which way a consignment moves relative to this outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Arriving here (a PO, a transfer from another outlet).
    Incoming,
    /// Leaving here (a transfer out, a supplier return).
    Outgoing,
    /// Stays here (a stocktake).
    Internal,
}

/// One row of the open-consignments list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ConsignmentRow {
    /// Consignment id (UUIDv7).
    pub id: String,
    /// Human reference, e.g. `TR-OUT-202611-000123-45`.
    pub reference: String,
    /// Kind.
    pub kind: ConsignmentKind,
    /// CIS status.
    pub status: ConsignmentStatus,
    /// Incoming, outgoing or internal to this outlet.
    pub direction: Direction,
    /// The other party: an outlet or supplier name.
    pub counterpart: String,
    /// Number of lines.
    pub line_count: u32,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// How far Lightspeed is: `pending`, `done`, `refused`, `not_sent`; `None` before
    /// the hub has anything to send.
    pub lightspeed: Option<String>,
    /// Where its freight is: `booked`, `in_transit`, `delivered`, `cancelled`; `None`
    /// when nothing was booked (or the hub has not said yet).
    pub freight: Option<String>,
}

impl ConsignmentRow {
    /// Builds a row from the store's view of an open consignment.
    pub fn from_store(c: OpenConsignment) -> Self {
        Self {
            id: c.id.to_string(),
            reference: c.reference,
            kind: c.kind,
            status: c.status,
            direction: match c.direction {
                tally_store::Direction::Incoming => Direction::Incoming,
                tally_store::Direction::Outgoing => Direction::Outgoing,
                tally_store::Direction::Local => Direction::Internal,
            },
            counterpart: c.counterpart_name.unwrap_or_else(|| "—".into()),
            line_count: c.line_count,
            updated_at: c.updated_at.format(&Rfc3339).unwrap_or_default(),
            lightspeed: c.lightspeed_state,
            freight: c.freight_state,
        }
    }
}

/// One line of a consignment with its progress, as detail screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct LineView {
    /// Line id.
    pub line_id: String,
    /// Product id.
    pub product_id: String,
    /// Product SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Expected quantity (decimal string).
    pub expected: String,
    /// Packed units (from scan events).
    pub packed: String,
    /// Received quantity over all receipts (decimal string).
    pub received: String,
    /// Damaged quantity over all receipts (decimal string).
    pub damaged: String,
}

/// A consignment with its lines and the statuses it may move to next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ConsignmentDetail {
    /// The header, as the list shows it.
    pub header: ConsignmentRow,
    /// Lines with progress.
    pub lines: Vec<LineView>,
    /// Statuses the domain allows next (guards are checked when asked).
    pub allowed_next: Vec<ConsignmentStatus>,
}

impl LineView {
    /// Builds a line view from the store's line progress.
    pub fn from_store(p: tally_store::LineProgress) -> Self {
        Self {
            line_id: p.line.id.to_string(),
            product_id: p.line.product_id.to_string(),
            sku: p.sku,
            name: p.name,
            expected: p.line.expected_qty.normalize().to_string(),
            packed: p.packed.to_string(),
            received: p.received.normalize().to_string(),
            damaged: p.damaged.normalize().to_string(),
        }
    }
}
