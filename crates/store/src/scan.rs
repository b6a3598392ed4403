//! Scan events: append-only (triggers refuse UPDATE and DELETE). An undo is a new
//! event with the opposite delta that names the event it undoes; each event can be
//! undone once.

use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Actor;
use crate::consignment::{ensure_open, load, load_line_for_product};
use crate::error::{Result, StoreError};
use crate::outbox::MutationRef;
use crate::sql::{ms, opt_id, RowExt};
use crate::store::{Store, Tx};

/// What a scan counts towards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanPurpose {
    /// Packing a transfer or return.
    Pack,
    /// Counting goods in while receiving.
    Receive,
    /// Stocktake counting.
    Count,
}

impl ScanPurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pack => "pack",
            Self::Receive => "receive",
            Self::Count => "count",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pack, Self::Receive, Self::Count]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// Where an event was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanOrigin {
    /// At this station (has an outbox mutation).
    Local,
    /// At another station, pulled from the hub.
    Remote,
}

impl ScanOrigin {
    fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Remote => "remote",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Local, Self::Remote]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// A scan as the packing or receiving screen reports it (product already resolved).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInput {
    /// Consignment scanned into.
    pub consignment_id: Uuid,
    /// Product the code resolved to.
    pub product_id: Uuid,
    /// Open box, when packing into boxes.
    pub box_id: Option<Uuid>,
    /// Pack, receive or count.
    pub purpose: ScanPurpose,
    /// Units: +1 for a scan, +n for a quantity key or GS1 count; never 0.
    pub delta: i64,
    /// Exactly what the scanner sent.
    pub raw_code: String,
    /// Scanner id.
    pub device_id: String,
    /// Signed-in staff member.
    pub staff_id: Uuid,
}

/// One stored scan event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanEvent {
    /// UUIDv7.
    pub id: Uuid,
    /// Consignment.
    pub consignment_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// Box.
    pub box_id: Option<Uuid>,
    /// Purpose.
    pub purpose: ScanPurpose,
    /// Units added (negative for an undo).
    pub delta: i64,
    /// Raw scanner input.
    pub raw_code: String,
    /// Scanner id.
    pub device_id: String,
    /// Who scanned.
    pub staff_id: Uuid,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The event this one undoes.
    pub undoes: Option<Uuid>,
    /// Outbox mutation (local events only).
    pub mutation_id: Option<Uuid>,
    /// Local or pulled.
    pub origin: ScanOrigin,
}

/// What the screen gets back once the scan is durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanAck {
    /// The stored event.
    pub event_id: Uuid,
    /// Its outbox mutation.
    pub mutation: MutationRef,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Product.
    pub product_id: Uuid,
    /// The line's total for this purpose after this event (all stations' events here).
    pub line_total: i64,
    /// The line's expected quantity; `None` when the product is not on the consignment.
    pub expected_qty: Option<Decimal>,
}

const COLUMNS: &str = "id, consignment_id, product_id, box_id, purpose, delta, raw_code, device_id,
     staff_id, at, undoes, mutation_id, origin";

fn event(r: &rusqlite::Row<'_>) -> Result<ScanEvent> {
    Ok(ScanEvent {
        id: r.uuid("id")?,
        consignment_id: r.uuid("consignment_id")?,
        product_id: r.uuid("product_id")?,
        box_id: r.opt_uuid("box_id")?,
        purpose: r.enumeration("purpose", ScanPurpose::parse)?,
        delta: r.int("delta")?,
        raw_code: r.text("raw_code")?,
        device_id: r.text("device_id")?,
        staff_id: r.uuid("staff_id")?,
        at: r.time("at")?,
        undoes: r.opt_uuid("undoes")?,
        mutation_id: r.opt_uuid("mutation_id")?,
        origin: r.enumeration("origin", ScanOrigin::parse)?,
    })
}

fn load_event(c: &Connection, id: Uuid) -> Result<ScanEvent> {
    let mut stmt = c.prepare_cached(&format!("SELECT {COLUMNS} FROM scan_events WHERE id = ?1"))?;
    let mut rows = stmt.query([id.to_string()])?;
    match rows.next()? {
        Some(r) => event(r),
        None => Err(StoreError::not_found("scan", id)),
    }
}

/// Cancels this station's events of a discarded mutation: each one not yet undone
/// gets an opposite event that names it, made here only (no mutation, never pushed;
/// the hub never had the original). Returns how many were cancelled.
pub(crate) fn compensate_events(
    c: &Connection,
    mutation_id: Uuid,
    staff_id: Option<Uuid>,
    at: OffsetDateTime,
) -> Result<usize> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM scan_events e
         WHERE e.mutation_id = ?1 AND e.origin = 'local'
           AND NOT EXISTS (SELECT 1 FROM scan_events u WHERE u.undoes = e.id)"
    ))?;
    let mut rows = stmt.query([mutation_id.to_string()])?;
    let mut originals = Vec::new();
    while let Some(r) = rows.next()? {
        originals.push(event(r)?);
    }
    for orig in &originals {
        insert_event(
            c,
            &ScanEvent {
                id: Uuid::now_v7(),
                delta: -orig.delta,
                staff_id: staff_id.unwrap_or(orig.staff_id),
                at,
                undoes: Some(orig.id),
                mutation_id: None,
                origin: ScanOrigin::Local,
                ..orig.clone()
            },
        )?;
    }
    Ok(originals.len())
}

/// Inserts an event row as given; `OR IGNORE` makes pulled duplicates harmless.
pub(crate) fn insert_event(c: &Connection, e: &ScanEvent) -> Result<usize> {
    Ok(c.prepare_cached(
        "INSERT OR IGNORE INTO scan_events (id, consignment_id, product_id, box_id, purpose,
            delta, raw_code, device_id, staff_id, at, undoes, mutation_id, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        e.id.to_string(),
        e.consignment_id.to_string(),
        e.product_id.to_string(),
        opt_id(e.box_id),
        e.purpose.as_str(),
        e.delta,
        e.raw_code,
        e.device_id,
        e.staff_id.to_string(),
        ms(e.at),
        opt_id(e.undoes),
        opt_id(e.mutation_id),
        e.origin.as_str()
    ])?)
}

fn line_total(
    c: &Connection,
    consignment_id: Uuid,
    product_id: Uuid,
    purpose: ScanPurpose,
) -> Result<i64> {
    Ok(c.prepare_cached(
        "SELECT COALESCE(SUM(delta), 0) FROM scan_events
         WHERE consignment_id = ?1 AND product_id = ?2 AND purpose = ?3",
    )?
    .query_row(
        params![
            consignment_id.to_string(),
            product_id.to_string(),
            purpose.as_str()
        ],
        |r| r.get(0),
    )?)
}

impl Tx<'_> {
    fn check_box(&self, box_id: Uuid, consignment_id: Uuid) -> Result<()> {
        let row: Option<(String, Option<i64>)> = self
            .conn()
            .prepare_cached("SELECT consignment_id, closed_at FROM boxes WHERE id = ?1")?
            .query_row([box_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            None => Err(StoreError::not_found("box", box_id)),
            Some((c, _)) if c != consignment_id.to_string() => Err(StoreError::bad_input(
                "box",
                "that box belongs to another consignment",
            )),
            Some((_, Some(_))) => Err(StoreError::bad_input(
                "box",
                "that box is closed; open a new box",
            )),
            Some(_) => Ok(()),
        }
    }

    fn write_scan(&mut self, e: ScanEvent, action: &str) -> Result<ScanAck> {
        let m = self.enqueue(action, Some(e.consignment_id), &e)?;
        let e = ScanEvent {
            mutation_id: Some(m.mutation_id),
            ..e
        };
        insert_event(self.conn(), &e)?;
        self.touch(e.consignment_id)?;
        self.audit(
            action,
            "scan_event",
            &e.id.to_string(),
            None::<&()>,
            Some(&e),
            Some(m.mutation_id),
        )?;
        let line_total = line_total(self.conn(), e.consignment_id, e.product_id, e.purpose)?;
        let expected_qty = load_line_for_product(self.conn(), e.consignment_id, e.product_id)?
            .filter(|l| !l.deleted)
            .map(|l| l.expected_qty);
        Ok(ScanAck {
            event_id: e.id,
            mutation: m,
            at: e.at,
            product_id: e.product_id,
            line_total,
            expected_qty,
        })
    }

    /// Records one scan (row + outbox + audit). A product not on the consignment is
    /// still recorded (the UI flags it: `expected_qty` is `None`).
    pub fn record_scan(&mut self, input: ScanInput) -> Result<ScanAck> {
        if input.delta == 0 {
            return Err(StoreError::bad_input(
                "delta",
                "a scan must add or remove units",
            ));
        }
        if input.raw_code.is_empty() || input.device_id.is_empty() {
            return Err(StoreError::bad_input(
                "scan",
                "raw code and device id are required",
            ));
        }
        let h = load(self.conn(), input.consignment_id)?;
        ensure_open(&h)?;
        let exists: Option<i64> = self
            .conn()
            .prepare_cached("SELECT 1 FROM products WHERE id = ?1")?
            .query_row([input.product_id.to_string()], |r| r.get(0))
            .optional()?;
        exists.ok_or_else(|| StoreError::not_found("product", input.product_id))?;
        if let Some(b) = input.box_id {
            self.check_box(b, input.consignment_id)?;
        }
        let e = ScanEvent {
            id: Uuid::now_v7(),
            consignment_id: input.consignment_id,
            product_id: input.product_id,
            box_id: input.box_id,
            purpose: input.purpose,
            delta: input.delta,
            raw_code: input.raw_code,
            device_id: input.device_id,
            staff_id: input.staff_id,
            at: self.now(),
            undoes: None,
            mutation_id: None,
            origin: ScanOrigin::Local,
        };
        self.write_scan(e, "scan.recorded")
    }

    /// Undoes one event by adding its opposite. An undo cannot be undone, and an event
    /// is undone at most once.
    pub fn undo_scan(&mut self, event_id: Uuid, device_id: &str) -> Result<ScanAck> {
        let staff_id = self.staff_id()?;
        let orig = load_event(self.conn(), event_id)?;
        if orig.undoes.is_some() {
            return Err(StoreError::bad_input(
                "scan",
                "an undo cannot itself be undone",
            ));
        }
        let already: Option<i64> = self
            .conn()
            .query_row(
                "SELECT 1 FROM scan_events WHERE undoes = ?1",
                [event_id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if already.is_some() {
            return Err(StoreError::bad_input(
                "scan",
                "that scan was already undone",
            ));
        }
        let h = load(self.conn(), orig.consignment_id)?;
        ensure_open(&h)?;
        let e = ScanEvent {
            id: Uuid::now_v7(),
            delta: -orig.delta,
            device_id: device_id.to_string(),
            staff_id,
            at: self.now(),
            undoes: Some(orig.id),
            mutation_id: None,
            origin: ScanOrigin::Local,
            ..orig
        };
        self.write_scan(e, "scan.undone")
    }
}

impl Store {
    /// Records one scan as one durable action; returns once it is on disk.
    pub fn record_scan(&self, input: ScanInput) -> Result<ScanAck> {
        let actor = Actor::Staff(input.staff_id);
        self.transact(&actor, |t| t.record_scan(input))
    }

    /// Undoes the newest not-yet-undone scan this device made into `consignment_id`.
    pub fn undo_last_scan(
        &self,
        staff_id: Uuid,
        consignment_id: Uuid,
        device_id: &str,
    ) -> Result<ScanAck> {
        self.transact(&Actor::Staff(staff_id), |t| {
            let last: Option<String> = t
                .conn()
                .query_row(
                    "SELECT e.id FROM scan_events e
                     WHERE e.consignment_id = ?1 AND e.device_id = ?2 AND e.origin = 'local'
                       AND e.undoes IS NULL
                       AND NOT EXISTS (SELECT 1 FROM scan_events u WHERE u.undoes = e.id)
                     ORDER BY e.at DESC, e.id DESC LIMIT 1",
                    params![consignment_id.to_string(), device_id],
                    |r| r.get(0),
                )
                .optional()?;
            let last = last.ok_or_else(|| {
                StoreError::bad_input("scan", "there is no scan to undo on this consignment")
            })?;
            t.undo_scan(crate::sql::parse_uuid(&last)?, device_id)
        })
    }

    /// Every scan event of a consignment, oldest first.
    pub fn scan_events(&self, consignment_id: Uuid) -> Result<Vec<ScanEvent>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM scan_events WHERE consignment_id = ?1 ORDER BY at, id"
            ))?;
            let mut rows = stmt.query([consignment_id.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(event(r)?);
            }
            Ok(out)
        })
    }

    /// One scan event.
    pub fn scan_event(&self, id: Uuid) -> Result<ScanEvent> {
        self.read(|c| load_event(c, id))
    }
}
