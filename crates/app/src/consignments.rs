//! The outlet's open consignments, as the first screen lists them.

use serde::Serialize;
use tally_domain::{ConsignmentKind, ConsignmentStatus};

/// Which way a consignment moves relative to this outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
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
    /// Total expected units, as a decimal string.
    pub units: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}
