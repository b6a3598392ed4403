//! Consignments and their lines.
//!
//! Packed and received quantities are derived, never stored as counters: packed is the
//! sum of a line's `pack` scan events, received the sum of its receipt lines over all
//! receive sessions. Two stations scanning into one transfer therefore merge by
//! adding events, and an undo is just another event.

use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::{ConsignmentKind, ConsignmentStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Actor;
use crate::error::{Result, StoreError};
use crate::sql::{ms, opt_dec, opt_id, RowExt};
use crate::store::{Store, Tx};

/// Outbox kind and audit action of a status change a person asked for.
pub const STATUS_SET: &str = "consignment.status_set";
/// Outbox kind of a status change that follows from a decision recorded in the same
/// action (see [`Tx::set_consignment_status_by_decision`]).
pub const STATUS_BY_DECISION: &str = "consignment.status_by_decision";

/// A consignment header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consignment {
    /// UUIDv7, made where it was created.
    pub id: Uuid,
    /// Purchase order, transfer, return or stocktake.
    pub kind: ConsignmentKind,
    /// CIS status.
    pub status: ConsignmentStatus,
    /// Sending outlet (transfers, returns, stocktakes).
    pub source_outlet_id: Option<Uuid>,
    /// Receiving outlet (purchase orders, transfers, stocktakes).
    pub destination_outlet_id: Option<Uuid>,
    /// Supplier (purchase orders, returns).
    pub supplier_id: Option<Uuid>,
    /// Human reference (`TR-...`).
    pub reference: String,
    /// Lightspeed consignment id, once the hub knows it.
    pub lightspeed_id: Option<String>,
    /// Bumped by every change here and at the hub; a pull only moves it forward.
    pub version: i64,
    /// Staff member who created it.
    pub created_by: Option<Uuid>,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A consignment line (expected quantity and cost; progress is derived).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsignmentLine {
    /// Line id (UUIDv7).
    pub id: Uuid,
    /// Its consignment.
    pub consignment_id: Uuid,
    /// The product.
    pub product_id: Uuid,
    /// Quantity expected (ordered / to send).
    pub expected_qty: Decimal,
    /// Unit cost excl. GST at the time of the order.
    pub unit_cost: Option<Decimal>,
    /// Removed from the consignment.
    pub deleted: bool,
    /// Line version.
    pub version: i64,
    /// Created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A line with its derived progress, for the packing and receiving screens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineProgress {
    /// The line.
    pub line: ConsignmentLine,
    /// Product SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Sum of `pack` scan events.
    pub packed: i64,
    /// Sum of received quantities over all receipts.
    pub received: Decimal,
    /// Sum of damaged quantities over all receipts.
    pub damaged: Decimal,
}

/// What a new consignment needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConsignment {
    /// Kind.
    pub kind: ConsignmentKind,
    /// Initial status (the domain decides which).
    pub status: ConsignmentStatus,
    /// Sending outlet.
    pub source_outlet_id: Option<Uuid>,
    /// Receiving outlet.
    pub destination_outlet_id: Option<Uuid>,
    /// Supplier.
    pub supplier_id: Option<Uuid>,
    /// Human reference (made by the domain from `Tx::next_reference_number`).
    pub reference: String,
}

/// Which way a consignment moves relative to this outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Coming to this outlet.
    Incoming,
    /// Leaving this outlet.
    Outgoing,
    /// Stays here (stocktake).
    Local,
}

/// A row of the first screen's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenConsignment {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: ConsignmentKind,
    /// Status.
    pub status: ConsignmentStatus,
    /// Incoming, outgoing or local.
    pub direction: Direction,
    /// Human reference.
    pub reference: String,
    /// The other party: the other outlet or the supplier.
    pub counterpart_name: Option<String>,
    /// Lines not deleted.
    pub line_count: u32,
    /// Last change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// How far Lightspeed is, as the hub last said (`pending`, `done`, `refused`,
    /// `not_sent`); `None` before the hub has said anything.
    pub lightspeed_state: Option<String>,
    /// Where its freight is, as the hub last said (`booked`, `in_transit`, `delivered`,
    /// `cancelled`); `None` when nothing was booked.
    pub freight_state: Option<String>,
}

const HEADER_COLUMNS: &str =
    "id, kind, status, source_outlet_id, destination_outlet_id, supplier_id,
     reference, lightspeed_id, version, created_by, created_at, updated_at";

fn header(r: &rusqlite::Row<'_>) -> Result<Consignment> {
    Ok(Consignment {
        id: r.uuid("id")?,
        kind: r.enumeration("kind", ConsignmentKind::parse)?,
        status: r.enumeration("status", ConsignmentStatus::parse)?,
        source_outlet_id: r.opt_uuid("source_outlet_id")?,
        destination_outlet_id: r.opt_uuid("destination_outlet_id")?,
        supplier_id: r.opt_uuid("supplier_id")?,
        reference: r.text("reference")?,
        lightspeed_id: r.opt_text("lightspeed_id")?,
        version: r.int("version")?,
        created_by: r.opt_uuid("created_by")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

const LINE_COLUMNS: &str = "l.id, l.consignment_id, l.product_id, l.expected_qty, l.unit_cost,
     l.deleted, l.version, l.created_at, l.updated_at";

fn line(r: &rusqlite::Row<'_>) -> Result<ConsignmentLine> {
    Ok(ConsignmentLine {
        id: r.uuid("id")?,
        consignment_id: r.uuid("consignment_id")?,
        product_id: r.uuid("product_id")?,
        expected_qty: r.decimal("expected_qty")?,
        unit_cost: r.opt_decimal("unit_cost")?,
        deleted: r.flag("deleted")?,
        version: r.int("version")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

pub(crate) fn load(c: &Connection, id: Uuid) -> Result<Consignment> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {HEADER_COLUMNS} FROM consignments WHERE id = ?1"
    ))?;
    let mut rows = stmt.query([id.to_string()])?;
    match rows.next()? {
        Some(r) => header(r),
        None => Err(StoreError::not_found("consignment", id)),
    }
}

pub(crate) fn load_line_for_product(
    c: &Connection,
    consignment_id: Uuid,
    product_id: Uuid,
) -> Result<Option<ConsignmentLine>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {LINE_COLUMNS} FROM consignment_lines l
         WHERE l.consignment_id = ?1 AND l.product_id = ?2"
    ))?;
    let mut rows = stmt.query([consignment_id.to_string(), product_id.to_string()])?;
    rows.next()?.map(line).transpose()
}

/// Writes a header as given (insert or replace by id).
pub(crate) fn write_header(c: &Connection, h: &Consignment) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO consignments (id, kind, status, source_outlet_id, destination_outlet_id,
            supplier_id, reference, lightspeed_id, version, created_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, status = excluded.status,
            source_outlet_id = excluded.source_outlet_id,
            destination_outlet_id = excluded.destination_outlet_id,
            supplier_id = excluded.supplier_id, reference = excluded.reference,
            lightspeed_id = excluded.lightspeed_id, version = excluded.version,
            created_by = excluded.created_by, created_at = excluded.created_at,
            updated_at = excluded.updated_at",
    )?
    .execute(params![
        h.id.to_string(),
        h.kind.as_str(),
        h.status.as_str(),
        opt_id(h.source_outlet_id),
        opt_id(h.destination_outlet_id),
        opt_id(h.supplier_id),
        h.reference,
        h.lightspeed_id,
        h.version,
        opt_id(h.created_by),
        ms(h.created_at),
        ms(h.updated_at)
    ])?;
    Ok(())
}

/// Writes a line as given (insert or replace by id).
pub(crate) fn write_line(c: &Connection, l: &ConsignmentLine) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO consignment_lines (id, consignment_id, product_id, expected_qty, unit_cost,
            deleted, version, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET consignment_id = excluded.consignment_id,
            product_id = excluded.product_id, expected_qty = excluded.expected_qty,
            unit_cost = excluded.unit_cost, deleted = excluded.deleted,
            version = excluded.version, updated_at = excluded.updated_at",
    )?
    .execute(params![
        l.id.to_string(),
        l.consignment_id.to_string(),
        l.product_id.to_string(),
        l.expected_qty.to_string(),
        opt_dec(l.unit_cost),
        l.deleted,
        l.version,
        ms(l.created_at),
        ms(l.updated_at)
    ])?;
    Ok(())
}

/// Refuses changes to a consignment in a terminal status.
pub(crate) fn ensure_open(h: &Consignment) -> Result<()> {
    if h.status.is_terminal() {
        return Err(StoreError::bad_input(
            "consignment",
            format!(
                "{} is {} and can no longer change",
                h.reference,
                h.status.as_str()
            ),
        ));
    }
    Ok(())
}

fn ensure_product(c: &Connection, product_id: Uuid) -> Result<()> {
    let n: i64 = c.query_row(
        "SELECT COUNT(*) FROM products WHERE id = ?1",
        [product_id.to_string()],
        |r| r.get(0),
    )?;
    if n == 0 {
        return Err(StoreError::not_found("product", product_id));
    }
    Ok(())
}

impl Tx<'_> {
    /// Creates a consignment (version 1) made at this station.
    pub fn create_consignment(&mut self, new: NewConsignment) -> Result<Consignment> {
        if new.reference.trim().is_empty() {
            return Err(StoreError::bad_input(
                "reference",
                "a consignment needs a reference",
            ));
        }
        let now = self.now();
        let h = Consignment {
            id: Uuid::now_v7(),
            kind: new.kind,
            status: new.status,
            source_outlet_id: new.source_outlet_id,
            destination_outlet_id: new.destination_outlet_id,
            supplier_id: new.supplier_id,
            reference: new.reference,
            lightspeed_id: None,
            version: 1,
            created_by: self.staff_id().ok(),
            created_at: now,
            updated_at: now,
        };
        write_header(self.conn(), &h)?;
        self.record(
            "consignment.created",
            "consignment",
            h.id,
            Some(h.id),
            None,
            &h,
        )?;
        Ok(h)
    }

    /// Changes the status. `expected_version` guards against a stale screen; the caller
    /// has already checked the transition with `tally-domain`.
    pub fn set_consignment_status(
        &mut self,
        id: Uuid,
        expected_version: i64,
        to: ConsignmentStatus,
    ) -> Result<Consignment> {
        self.write_status(STATUS_SET, id, expected_version, to)
    }

    /// Changes the status as the consequence of a decision recorded in the same action
    /// (an approval decision moves a purchase order). Audited like any status change
    /// (`consignment.status_set`), but queued as `consignment.status_by_decision`: the
    /// hub derives this status from the decision with its own policy, so the sync
    /// keeps it local instead of asking the hub for the same move a second time.
    pub fn set_consignment_status_by_decision(
        &mut self,
        id: Uuid,
        expected_version: i64,
        to: ConsignmentStatus,
    ) -> Result<Consignment> {
        self.write_status(STATUS_BY_DECISION, id, expected_version, to)
    }

    fn write_status(
        &mut self,
        outbox_kind: &str,
        id: Uuid,
        expected_version: i64,
        to: ConsignmentStatus,
    ) -> Result<Consignment> {
        let before = load(self.conn(), id)?;
        if before.version != expected_version {
            return Err(StoreError::VersionConflict {
                entity: "consignment",
                id: id.to_string(),
                expected: expected_version,
                actual: before.version,
            });
        }
        let after = Consignment {
            status: to,
            version: before.version + 1,
            updated_at: self.now(),
            ..before.clone()
        };
        write_header(self.conn(), &after)?;
        let m = self.enqueue(outbox_kind, Some(id), &after)?;
        // One audit action for every status change, whatever the sync does with it.
        self.audit(
            STATUS_SET,
            "consignment",
            &id.to_string(),
            Some(&before),
            Some(&after),
            Some(m.mutation_id),
        )?;
        Ok(after)
    }

    /// Adds a line or changes its expected quantity and cost (one line per product).
    pub fn set_line(
        &mut self,
        consignment_id: Uuid,
        product_id: Uuid,
        expected_qty: Decimal,
        unit_cost: Option<Decimal>,
    ) -> Result<ConsignmentLine> {
        if expected_qty.is_sign_negative() {
            return Err(StoreError::bad_input("expected_qty", "cannot be negative"));
        }
        let h = load(self.conn(), consignment_id)?;
        ensure_open(&h)?;
        ensure_product(self.conn(), product_id)?;
        let now = self.now();
        let before = load_line_for_product(self.conn(), consignment_id, product_id)?;
        let after = match &before {
            Some(b) => ConsignmentLine {
                expected_qty,
                unit_cost,
                deleted: false,
                version: b.version + 1,
                updated_at: now,
                ..b.clone()
            },
            None => ConsignmentLine {
                id: Uuid::now_v7(),
                consignment_id,
                product_id,
                expected_qty,
                unit_cost,
                deleted: false,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        };
        write_line(self.conn(), &after)?;
        self.touch(consignment_id)?;
        self.record(
            "consignment.line_set",
            "consignment_line",
            after.id,
            Some(consignment_id),
            before.as_ref(),
            &after,
        )?;
        Ok(after)
    }

    /// Removes a line (kept as deleted so its history and events stay valid).
    pub fn remove_line(
        &mut self,
        consignment_id: Uuid,
        product_id: Uuid,
    ) -> Result<ConsignmentLine> {
        let h = load(self.conn(), consignment_id)?;
        ensure_open(&h)?;
        let before = load_line_for_product(self.conn(), consignment_id, product_id)?
            .ok_or_else(|| StoreError::not_found("consignment line", product_id))?;
        let after = ConsignmentLine {
            deleted: true,
            version: before.version + 1,
            updated_at: self.now(),
            ..before.clone()
        };
        write_line(self.conn(), &after)?;
        self.touch(consignment_id)?;
        self.record(
            "consignment.line_removed",
            "consignment_line",
            after.id,
            Some(consignment_id),
            Some(&before),
            &after,
        )?;
        Ok(after)
    }

    /// Marks the header as changed (the list sorts by it).
    pub(crate) fn touch(&mut self, consignment_id: Uuid) -> Result<()> {
        self.conn().execute(
            "UPDATE consignments SET updated_at = ?2 WHERE id = ?1",
            params![consignment_id.to_string(), ms(self.now())],
        )?;
        Ok(())
    }
}

impl Store {
    /// Creates a consignment as one action.
    pub fn create_consignment(&self, actor: &Actor, new: NewConsignment) -> Result<Consignment> {
        self.transact(actor, |t| t.create_consignment(new))
    }

    /// Changes a consignment's status as one action (see `Tx::set_consignment_status`).
    pub fn set_consignment_status(
        &self,
        actor: &Actor,
        id: Uuid,
        expected_version: i64,
        to: ConsignmentStatus,
    ) -> Result<Consignment> {
        self.transact(actor, |t| {
            t.set_consignment_status(id, expected_version, to)
        })
    }

    /// Sets a line as one action.
    pub fn set_line(
        &self,
        actor: &Actor,
        consignment_id: Uuid,
        product_id: Uuid,
        expected_qty: Decimal,
        unit_cost: Option<Decimal>,
    ) -> Result<ConsignmentLine> {
        self.transact(actor, |t| {
            t.set_line(consignment_id, product_id, expected_qty, unit_cost)
        })
    }

    /// One consignment header.
    pub fn consignment(&self, id: Uuid) -> Result<Consignment> {
        self.read(|c| load(c, id))
    }

    /// A consignment's live lines with derived packed/received quantities, by product name.
    pub fn consignment_lines(&self, consignment_id: Uuid) -> Result<Vec<LineProgress>> {
        self.read(|c| {
            load(c, consignment_id)?;
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {LINE_COLUMNS}, p.sku, p.name,
                    (SELECT COALESCE(SUM(e.delta), 0) FROM scan_events e
                      WHERE e.consignment_id = l.consignment_id AND e.product_id = l.product_id
                        AND e.purpose = 'pack') AS packed
                 FROM consignment_lines l JOIN products p ON p.id = l.product_id
                 WHERE l.consignment_id = ?1 AND l.deleted = 0
                 ORDER BY p.name, p.sku"
            ))?;
            let mut rows = stmt.query([consignment_id.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(LineProgress {
                    line: line(r)?,
                    sku: r.text("sku")?,
                    name: r.text("name")?,
                    packed: r.int("packed")?,
                    received: Decimal::ZERO,
                    damaged: Decimal::ZERO,
                });
            }
            drop(rows);
            // Decimal sums in Rust: SQLite would add TEXT decimals as floating point.
            let mut rl = c.prepare_cached(
                "SELECT rl.product_id, rl.received_qty, rl.damaged_qty FROM receipt_lines rl
                 JOIN receipts r ON r.id = rl.receipt_id WHERE r.consignment_id = ?1",
            )?;
            let mut rows = rl.query([consignment_id.to_string()])?;
            while let Some(r) = rows.next()? {
                let product = r.uuid("product_id")?;
                if let Some(p) = out.iter_mut().find(|p| p.line.product_id == product) {
                    p.received += r.decimal("received_qty")?;
                    p.damaged += r.decimal("damaged_qty")?;
                }
            }
            Ok(out)
        })
    }

    /// Open (non-terminal) consignments into or out of `outlet_id`, newest change first.
    pub fn list_open_consignments(&self, outlet_id: Uuid) -> Result<Vec<OpenConsignment>> {
        let terminal: Vec<&str> = ConsignmentStatus::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .map(|s| s.as_str())
            .collect();
        let terminal_json = serde_json::to_string(&terminal)?;
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT c.id, c.kind, c.status, c.reference, c.updated_at,
                        c.source_outlet_id, c.destination_outlet_id,
                        so.name AS source_name, d.name AS destination_name, s.name AS supplier_name,
                        (SELECT COUNT(*) FROM consignment_lines l
                          WHERE l.consignment_id = c.id AND l.deleted = 0) AS line_count,
                        CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.consignment_id = c.id
                                           AND o.state IN ('pending', 'in_flight'))
                             THEN 'pending' ELSE ls.state END AS lightspeed_state,
                        fr.state AS freight_state
                 FROM consignments c
                 LEFT JOIN consignment_lightspeed ls ON ls.consignment_id = c.id
                 LEFT JOIN consignment_freight fr ON fr.consignment_id = c.id
                 LEFT JOIN outlets so ON so.id = c.source_outlet_id
                 LEFT JOIN outlets d ON d.id = c.destination_outlet_id
                 LEFT JOIN suppliers s ON s.id = c.supplier_id
                 WHERE (c.source_outlet_id = ?1 OR c.destination_outlet_id = ?1)
                   AND c.status NOT IN (SELECT value FROM json_each(?2))
                 ORDER BY c.updated_at DESC",
            )?;
            let me = outlet_id.to_string();
            let mut rows = stmt.query(params![me, terminal_json])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let src = r.opt_uuid("source_outlet_id")?;
                let dst = r.opt_uuid("destination_outlet_id")?;
                let direction = match (src == Some(outlet_id), dst == Some(outlet_id)) {
                    (true, true) => Direction::Local,
                    (true, false) => Direction::Outgoing,
                    _ => Direction::Incoming,
                };
                let supplier = r.opt_text("supplier_name")?;
                let counterpart_name = match direction {
                    Direction::Local => None,
                    Direction::Outgoing => r.opt_text("destination_name")?.or(supplier),
                    Direction::Incoming => r.opt_text("source_name")?.or(supplier),
                };
                out.push(OpenConsignment {
                    id: r.uuid("id")?,
                    kind: r.enumeration("kind", ConsignmentKind::parse)?,
                    status: r.enumeration("status", ConsignmentStatus::parse)?,
                    direction,
                    reference: r.text("reference")?,
                    counterpart_name,
                    line_count: r.int("line_count")? as u32,
                    updated_at: r.time("updated_at")?,
                    lightspeed_state: r.opt_text("lightspeed_state")?,
                    freight_state: r.opt_text("freight_state")?,
                });
            }
            Ok(out)
        })
    }
}
