//! `GET /sync/pull?protocol=1&cursor=N&limit=M`: rows changed since a cursor, paged.

use serde::{Deserialize, Serialize};

use super::reference_block::{ReferenceBlock, ReferenceNumbers};
use super::rows::*;

/// Largest page the hub serves; bigger `limit`s are clamped.
pub const MAX_PULL_LIMIT: u32 = 1000;
/// Page size when `limit` is absent.
pub const DEFAULT_PULL_LIMIT: u32 = 200;

/// Query string of a pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullQuery {
    /// Protocol version; must equal the hub's.
    pub protocol: u32,
    /// Last cursor the outlet applied (0 for everything).
    #[serde(default)]
    pub cursor: u64,
    /// Page size.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Reference numbers the station has not used yet (absent: it does not say, and
    /// gets no block).
    #[serde(default)]
    pub refs_left: Option<u64>,
    /// The last number of the highest block the station holds (0 for none).
    #[serde(default)]
    pub refs_highest: Option<u32>,
    /// Changes the station has not got to the hub yet (for the admin dashboard).
    #[serde(default)]
    pub waiting: Option<u64>,
    /// Changes the hub refused that wait for a person at the station.
    #[serde(default)]
    pub attention: Option<u64>,
}

impl PullQuery {
    /// What the station reported of its own queue: (waiting, needing a person).
    pub fn backlog(&self) -> Option<(u64, u64)> {
        self.waiting.map(|w| (w, self.attention.unwrap_or(0)))
    }

    /// What the station reported about its reference numbers, if it did.
    pub fn references(&self) -> Option<ReferenceNumbers> {
        self.refs_left.map(|left| ReferenceNumbers {
            left,
            highest: self.refs_highest.unwrap_or(0),
        })
    }
}

/// One changed row, at its current state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entity", content = "row", rename_all = "snake_case")]
pub enum Row {
    /// A catalog product.
    Product(ProductRow),
    /// A supplier.
    Supplier(SupplierRow),
    /// An outlet.
    Outlet(OutletRow),
    /// A staff member.
    Staff(StaffRow),
    /// A consignment with lines, totals, boxes and approvals.
    Consignment(Box<ConsignmentRow>),
    /// A scan event (append-only).
    ScanEvent(ScanEventRow),
    /// Stock facts of a product at the station's own outlet (reorder suggestions).
    Stock(StockRow),
}

/// A change: its position in the hub's change log and the row now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Position in the hub's change log (strictly increasing).
    pub seq: u64,
    /// The row as it is now (a later change of the same row moves it later).
    #[serde(flatten)]
    pub row: Row,
}

/// A page of changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Protocol version.
    pub protocol: u32,
    /// Changes in seq order.
    pub changes: Vec<Change>,
    /// Cursor to send next time (apply the page first).
    pub next_cursor: u64,
    /// More pages wait.
    pub has_more: bool,
    /// A block of reference numbers for this station: it ran low, or the block issued
    /// before has not reached it yet (the same block again, never a second one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_block: Option<ReferenceBlock>,
    /// The chain's rules in force at the hub (approval tiers, receiving variances), on
    /// the last page of a pull, so every station picks the tier the hub will check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<ChainPolicies>,
    /// Where the freight of this outlet's consignments is (sent or received), on the
    /// last page of a pull: the hub polls the carriers after booking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub freight_tracking: Option<Vec<FreightTracking>>,
}

/// A consignment's latest carrier booking and where it is, as the hub last heard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreightTracking {
    /// The consignment.
    pub consignment_id: uuid::Uuid,
    /// The carrier's booking id (consignment id or connote).
    pub booking_id: String,
    /// Who delivers.
    pub carrier_name: String,
    /// `booked`, `in_transit`, `delivered`, `cancelled` or `other`.
    pub state: String,
    /// The carrier's own words.
    pub carrier_status: Option<String>,
    /// When the state last changed (RFC 3339).
    pub changed_at: Option<String>,
    /// Tracking numbers of this consignment's cancelled labels: no box may show them
    /// (the station clears them from its boxes, also when an older push re-set them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancelled_tracking_numbers: Vec<String>,
}

/// The rules the hub enforces that a station must apply the same way offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainPolicies {
    /// Purchase-order approval tiers.
    pub approval: tally_domain::ApprovalPolicy,
    /// Receiving variance rules.
    pub variance: tally_domain::VariancePolicy,
    /// Reorder suggestion settings and supplier lead times (absent from an older hub).
    #[serde(default)]
    pub reorder: ReorderPolicy,
}

/// How reorder suggestions are computed: the sales window for the velocity, safety and
/// cover days, and each supplier's lead time (the hub's TOML, `[policies.reorder]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReorderPolicy {
    /// Days of sales the velocity is taken over.
    pub window_days: u32,
    /// Extra days of sales kept as safety stock.
    pub safety_days: u32,
    /// Days of cover an order should bring after delivery.
    pub cover_days: u32,
    /// Lead time of a supplier not listed in `lead_time_days`.
    pub default_lead_time_days: u32,
    /// Days from ordering to delivery, by supplier (Lightspeed supplier id).
    pub lead_time_days: std::collections::BTreeMap<String, u32>,
}

impl Default for ReorderPolicy {
    fn default() -> Self {
        Self {
            window_days: 30,
            safety_days: 2,
            cover_days: 14,
            default_lead_time_days: 7,
            lead_time_days: std::collections::BTreeMap::new(),
        }
    }
}

impl ReorderPolicy {
    /// A supplier's lead time: its own, else the default.
    pub fn lead_time(&self, supplier_id: &str) -> u32 {
        self.lead_time_days
            .get(supplier_id)
            .copied()
            .unwrap_or(self.default_lead_time_days)
    }
}

/// Query string of `GET /sync/consignment`: one consignment as the hub has it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotQuery {
    /// Protocol version; must equal the hub's.
    pub protocol: u32,
    /// The consignment.
    pub id: uuid::Uuid,
}

/// One consignment with every scan event, so a station can replace its own view
/// (after it discarded a change the hub refused).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotResponse {
    /// Protocol version.
    pub protocol: u32,
    /// The consignment; `None` when the hub never accepted it (or this station's
    /// outlet is not part of it).
    pub consignment: Option<ConsignmentRow>,
    /// All its scan events, oldest first.
    pub scan_events: Vec<ScanEventRow>,
}

impl SnapshotResponse {
    /// The snapshot as changes, in the shape a pull page has.
    pub fn changes(&self) -> Vec<Change> {
        let head = self
            .consignment
            .iter()
            .map(|c| Row::Consignment(Box::new(c.clone())));
        let events = self.scan_events.iter().cloned().map(Row::ScanEvent);
        head.chain(events)
            .map(|row| Change { seq: 0, row })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_names_its_entity() {
        let c = Change {
            seq: 7,
            row: Row::Outlet(OutletRow {
                id: "o1".into(),
                name: "Ponsonby".into(),
                deleted: false,
            }),
        };
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["entity"], "outlet");
        assert_eq!(json["row"]["name"], "Ponsonby");
        assert_eq!(serde_json::from_value::<Change>(json).unwrap(), c);
    }
}
