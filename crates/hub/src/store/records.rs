//! Records the hub stores beyond the wire rows.

use tally_domain::{ConsignmentKind, ConsignmentStatus};
use tally_sync::MutationOutcome;
use time::OffsetDateTime;
use uuid::Uuid;

/// An enrolled station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// Device id (the sync `client_id`).
    pub id: String,
    /// The outlet it belongs to; it may act only for this outlet.
    pub outlet_id: String,
    /// Station name (e.g. "packing bench 1").
    pub station: String,
    /// Highest seq answered.
    pub last_seq: u64,
    /// Token no longer accepted.
    pub revoked: bool,
    /// When enrolled.
    pub enrolled_at: OffsetDateTime,
    /// Last push or pull.
    pub last_seen_at: Option<OffsetDateTime>,
}

/// The answer given to one mutation, kept so replays get the same answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedOutcome {
    /// Mutation id.
    pub mutation_id: Uuid,
    /// Device that pushed it.
    pub device_id: String,
    /// Its seq.
    pub seq: u64,
    /// Its kind.
    pub kind: String,
    /// Consignment it acted on.
    pub consignment_id: Option<Uuid>,
    /// `Applied` or `Rejected` (never `Duplicate`).
    pub outcome: MutationOutcome,
    /// When answered.
    pub at: OffsetDateTime,
}

/// A consignment without its lines, boxes and approvals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsignmentHeader {
    /// UUIDv7.
    pub id: Uuid,
    /// Kind.
    pub kind: ConsignmentKind,
    /// CIS status.
    pub status: ConsignmentStatus,
    /// Human reference.
    pub reference: String,
    /// Sending outlet.
    pub source_outlet_id: Option<String>,
    /// Receiving outlet.
    pub destination_outlet_id: Option<String>,
    /// Supplier.
    pub supplier_id: Option<String>,
    /// Lightspeed id, once known.
    pub lightspeed_id: Option<String>,
    /// Incremented on every change.
    pub version: u64,
    /// Creator's staff id.
    pub created_by: String,
    /// Last line editor's staff id.
    pub last_edited_by: Option<String>,
    /// Created (station clock).
    pub created_at: OffsetDateTime,
    /// Last change at the hub.
    pub updated_at: OffsetDateTime,
}

impl ConsignmentHeader {
    /// Whether an outlet is a party to this consignment.
    pub fn involves(&self, outlet_id: &str) -> bool {
        self.source_outlet_id.as_deref() == Some(outlet_id)
            || self.destination_outlet_id.as_deref() == Some(outlet_id)
    }
}

/// Kinds of rows in the pull change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    /// Catalog product.
    Product,
    /// Supplier.
    Supplier,
    /// Outlet.
    Outlet,
    /// Staff member.
    Staff,
    /// Consignment (with lines, boxes, approvals).
    Consignment,
    /// Scan event (append-only).
    ScanEvent,
    /// Stock facts of a product at an outlet (id `outlet_id:product_id`).
    Stock,
}

impl Entity {
    /// Stable stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Supplier => "supplier",
            Self::Outlet => "outlet",
            Self::Staff => "staff",
            Self::Consignment => "consignment",
            Self::ScanEvent => "scan_event",
            Self::Stock => "stock",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Product,
            Self::Supplier,
            Self::Outlet,
            Self::Staff,
            Self::Consignment,
            Self::ScanEvent,
            Self::Stock,
        ]
        .into_iter()
        .find(|e| e.as_str() == s)
    }
}

/// One entry of the pull change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEntry {
    /// Position.
    pub seq: u64,
    /// What changed.
    pub entity: Entity,
    /// Its id.
    pub entity_id: String,
}

/// How urgent a saga is; lower runs first. Receives and sends before the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SagaPriority {
    /// Receipts and status changes (stock moves, people wait on them).
    Movement = 0,
    /// Creating consignments and editing lines.
    Edit = 1,
}

impl SagaPriority {
    /// Stored number.
    pub fn as_i64(self) -> i64 {
        self as i64
    }

    /// Reads the stored number (unknown values are the least urgent).
    pub fn from_i64(v: i64) -> Self {
        if v == 0 {
            Self::Movement
        } else {
            Self::Edit
        }
    }
}

/// Whether a saga is still being worked or parked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SagaState {
    /// Waiting for (or between) attempts.
    Pending,
    /// Parked in the dead-letter list after Lightspeed refused a step.
    Dead,
    /// Lightspeed matches the hub.
    Done,
}

impl SagaState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Dead => "dead",
            Self::Done => "done",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "dead" => Some(Self::Dead),
            "done" => Some(Self::Done),
            _ => None,
        }
    }
}

/// Bookkeeping of one consignment's Lightspeed saga.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SagaRecord {
    /// The consignment.
    pub consignment_id: Uuid,
    /// Generation of hub state to reach.
    pub wanted_gen: u64,
    /// Generation Lightspeed is known to match.
    pub done_gen: u64,
    /// Urgency.
    pub priority: SagaPriority,
    /// Pending, dead or done.
    pub state: SagaState,
    /// Attempts since the last success.
    pub attempts: u32,
    /// Not before.
    pub next_at: OffsetDateTime,
    /// A create was sent once: search by reference before creating again.
    pub create_attempted: bool,
    /// A bulk line add was attempted once; never again.
    pub bulk_attempted: bool,
    /// Last failure, for the admin page.
    pub last_error: Option<String>,
    /// Lightspeed's response body when parked.
    pub dead_body: Option<String>,
    /// Last change.
    pub updated_at: OffsetDateTime,
}

/// A Lightspeed change the poller refused to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundConflict {
    /// Lightspeed id.
    pub lightspeed_id: String,
    /// Tally's consignment.
    pub consignment_id: Uuid,
    /// Tally's status.
    pub hub_status: ConsignmentStatus,
    /// What Lightspeed says.
    pub ls_status: tally_domain::LsConsignmentStatus,
    /// Stable code (e.g. `INBOUND_WOULD_MOVE_BACKWARDS`).
    pub code: String,
    /// Why, for a person.
    pub message: String,
    /// When seen.
    pub at: OffsetDateTime,
}

/// Stock of a product at an outlet as the poller last read it from Lightspeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    /// Outlet (Lightspeed id).
    pub outlet_id: String,
    /// Product (Lightspeed id).
    pub product_id: String,
    /// Units on hand.
    pub on_hand: rust_decimal::Decimal,
    /// The outlet's reorder point, when set.
    pub reorder_point: Option<rust_decimal::Decimal>,
    /// Lightspeed's own restock amount, when set.
    pub reorder_amount: Option<rust_decimal::Decimal>,
    /// When the hub applied it.
    pub updated_at: OffsetDateTime,
}

impl StockLevel {
    /// The change-log id of an outlet's product.
    pub fn key(outlet_id: &str, product_id: &str) -> String {
        format!("{outlet_id}:{product_id}")
    }

    /// The outlet and product of a change-log id.
    pub fn parse_key(key: &str) -> Option<(&str, &str)> {
        key.split_once(':')
    }
}

/// One line of a completed sale, as units of a product sold at an outlet on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    /// Outlet (Lightspeed id).
    pub outlet_id: String,
    /// Product (Lightspeed id).
    pub product_id: String,
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Units (negative for a refund).
    pub units: rust_decimal::Decimal,
}
