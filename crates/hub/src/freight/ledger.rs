//! The hub's record of carrier bookings (`freight_booking`, migrations V4 and V6): what
//! a retry finds before anything is booked again, what the freight report reads, each
//! booking's tracking state (polled from the carrier) and its cancellation, with the
//! audit of who cancelled, when and why (`freight_audit`). Its own connection to the
//! hub's SQLite file, like the edges' store.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::Serialize;
use tally_domain::freight::BookingRecord;
use tally_freight::Booking;
use time::OffsetDateTime;

use crate::store::StoreResult;
use crate::HubError;

/// One booking as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// The box-set reference it was booked under.
    pub reference: String,
    pub consignment_ref: String,
    pub device_id: String,
    pub booking: Booking,
    /// The report's view of it (carrier, route, boxes, units, cost).
    pub record: BookingRecord,
    #[serde(with = "time::serde::rfc3339")]
    pub booked_at: OffsetDateTime,
    /// Sending and receiving outlet ids (absent on bookings made before V6).
    pub origin_outlet_id: Option<String>,
    pub destination_outlet_id: Option<String>,
    /// `booked`, `in_transit`, `delivered`, `cancelled` or `other`.
    pub tracking_state: String,
    /// The carrier's own words at the last poll.
    pub carrier_status: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub tracking_changed_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub cancelled_at: Option<OffsetDateTime>,
}

/// One audited action on a booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreightAudit {
    pub at: OffsetDateTime,
    pub action: String,
    pub reference: String,
    pub consignment_id: String,
    pub device_id: String,
    pub person: String,
    pub reason: String,
    /// The ledger entry before and after, as JSON.
    pub before: String,
    pub after: String,
}

/// The `freight_booking` and `freight_audit` tables.
pub struct FreightLedger {
    conn: Mutex<Connection>,
}

const COLUMNS: &str =
    "reference, consignment_id, consignment_ref, device_id, carrier_name, service, \
     origin, destination, boxes, units, cost_excl_gst, booking_json, booked_ms, cancelled, \
     origin_outlet_id, destination_outlet_id, tracking_state, carrier_status, \
     tracking_changed_ms, cancelled_ms";

fn time_of(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Milliseconds since the epoch.
pub(crate) fn ms_of(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

/// A row as read; decoded by [`entry`] outside rusqlite's callback.
struct Raw {
    reference: String,
    consignment_id: String,
    consignment_ref: String,
    device_id: String,
    carrier_name: String,
    service: String,
    origin: String,
    destination: String,
    boxes: i64,
    units: i64,
    cost: String,
    booking_json: String,
    booked_ms: i64,
    cancelled: bool,
    origin_outlet_id: Option<String>,
    destination_outlet_id: Option<String>,
    tracking_state: String,
    carrier_status: Option<String>,
    tracking_changed_ms: Option<i64>,
    cancelled_ms: Option<i64>,
}

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        reference: r.get(0)?,
        consignment_id: r.get(1)?,
        consignment_ref: r.get(2)?,
        device_id: r.get(3)?,
        carrier_name: r.get(4)?,
        service: r.get(5)?,
        origin: r.get(6)?,
        destination: r.get(7)?,
        boxes: r.get(8)?,
        units: r.get(9)?,
        cost: r.get(10)?,
        booking_json: r.get(11)?,
        booked_ms: r.get(12)?,
        cancelled: r.get(13)?,
        origin_outlet_id: r.get(14)?,
        destination_outlet_id: r.get(15)?,
        tracking_state: r.get(16)?,
        carrier_status: r.get(17)?,
        tracking_changed_ms: r.get(18)?,
        cancelled_ms: r.get(19)?,
    })
}

fn entry(r: Raw) -> StoreResult<LedgerEntry> {
    let booking: Booking = serde_json::from_str(&r.booking_json)
        .map_err(|e| HubError::Corrupt(format!("freight booking {}: {e}", r.reference)))?;
    let cost_excl_gst = Decimal::from_str(&r.cost)
        .map_err(|e| HubError::Corrupt(format!("freight cost {:?}: {e}", r.cost)))?;
    Ok(LedgerEntry {
        record: BookingRecord {
            consignment_id: r.consignment_id,
            carrier: r.carrier_name,
            service: r.service,
            origin: r.origin,
            destination: r.destination,
            boxes: u32::try_from(r.boxes).unwrap_or(0),
            units: u32::try_from(r.units).unwrap_or(0),
            cost_excl_gst,
            cancelled: r.cancelled,
        },
        reference: r.reference,
        consignment_ref: r.consignment_ref,
        device_id: r.device_id,
        booking,
        booked_at: time_of(r.booked_ms),
        origin_outlet_id: r.origin_outlet_id,
        destination_outlet_id: r.destination_outlet_id,
        tracking_state: r.tracking_state,
        carrier_status: r.carrier_status,
        tracking_changed_at: r.tracking_changed_ms.map(time_of),
        cancelled_at: r.cancelled_ms.map(time_of),
    })
}

fn query(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> StoreResult<Vec<LedgerEntry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM freight_booking {filter} ORDER BY booked_ms, reference"
    ))?;
    let rows = stmt.query_map(args, raw)?.collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(entry).collect()
}

impl FreightLedger {
    /// Opens the table in the hub's database at `path` (migrated by the hub store).
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.query_row("SELECT count(*) FROM freight_audit", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| HubError::Migration(format!("freight tables missing: {e}")))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> StoreResult<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| HubError::Storage("freight ledger lock poisoned".into()))
    }

    /// The booking made under this reference, if any.
    pub fn find(&self, reference: &str) -> StoreResult<Option<LedgerEntry>> {
        Ok(
            query(&*self.conn()?, "WHERE reference = ?1", &[&reference])?
                .into_iter()
                .next(),
        )
    }

    /// Records a booking; a second record of the same box set keeps the first.
    /// Returns whether this call inserted it.
    pub fn record(&self, e: &LedgerEntry, carrier: &str) -> StoreResult<bool> {
        let booking_json = serde_json::to_string(&e.booking)
            .map_err(|err| HubError::Storage(format!("freight booking: {err}")))?;
        let r = &e.record;
        let n = self.conn()?.execute(
            "INSERT OR IGNORE INTO freight_booking (reference, consignment_id, consignment_ref, device_id, carrier_name, service, origin, destination, carrier, boxes, units, cost_excl_gst, booking_json, booked_ms, cancelled, origin_outlet_id, destination_outlet_id, tracking_state, tracking_changed_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?14)",
            params![
                e.reference,
                r.consignment_id,
                e.consignment_ref,
                e.device_id,
                r.carrier,
                r.service,
                r.origin,
                r.destination,
                carrier,
                i64::from(r.boxes),
                i64::from(r.units),
                r.cost_excl_gst.to_string(),
                booking_json,
                ms_of(e.booked_at),
                r.cancelled,
                e.origin_outlet_id,
                e.destination_outlet_id,
                e.tracking_state,
            ],
        )?;
        Ok(n == 1)
    }

    /// Every booking, oldest first.
    pub fn all(&self) -> StoreResult<Vec<LedgerEntry>> {
        query(&*self.conn()?, "", &[])
    }

    /// Bookings of one consignment, oldest first (cancelled ones too).
    pub fn for_consignment(&self, consignment_id: &str) -> StoreResult<Vec<LedgerEntry>> {
        query(
            &*self.conn()?,
            "WHERE consignment_id = ?1",
            &[&consignment_id],
        )
    }

    /// How many bookings under `base` (the box-set reference) or its rebookings
    /// (`base-R<n>`) were cancelled: a new booking of the same boxes takes the next n.
    pub fn cancelled_under(&self, base: &str) -> StoreResult<u32> {
        let n: i64 = self.conn()?.query_row(
            "SELECT count(*) FROM freight_booking WHERE cancelled = 1
               AND (reference = ?1 OR substr(reference, 1, length(?1) + 2) = ?1 || '-R')",
            [base],
            |r| r.get(0),
        )?;
        Ok(u32::try_from(n).unwrap_or(0))
    }

    /// Marks a booking cancelled and records the audit, in one transaction. Returns the
    /// entry after, or `None` when it was already cancelled (nothing changes then).
    pub fn cancel(
        &self,
        reference: &str,
        at: OffsetDateTime,
        audit: impl FnOnce(&LedgerEntry, &LedgerEntry) -> FreightAudit,
    ) -> StoreResult<Option<LedgerEntry>> {
        let mut conn = self.conn()?;
        // IMMEDIATE: the write lock is taken (waiting out other writers) before the read,
        // so a write by the sync API in between cannot fail the upgrade.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let Some(before) = query(&tx, "WHERE reference = ?1", &[&reference])?
            .into_iter()
            .next()
        else {
            return Err(HubError::Storage(format!("no freight booking {reference}")));
        };
        if before.record.cancelled {
            return Ok(None);
        }
        let at_ms = ms_of(at);
        tx.execute(
            "UPDATE freight_booking SET cancelled = 1, cancelled_ms = ?2,
                 tracking_state = 'cancelled', tracking_changed_ms = ?2
             WHERE reference = ?1",
            params![reference, at_ms],
        )?;
        let after = query(&tx, "WHERE reference = ?1", &[&reference])?
            .into_iter()
            .next()
            .ok_or_else(|| HubError::Storage(format!("freight booking {reference} vanished")))?;
        let a = audit(&before, &after);
        tx.execute(
            "INSERT INTO freight_audit (at_ms, action, reference, consignment_id, device_id, person, reason, before_json, after_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                ms_of(a.at),
                a.action,
                a.reference,
                a.consignment_id,
                a.device_id,
                a.person,
                a.reason,
                a.before,
                a.after
            ],
        )?;
        tx.commit()?;
        Ok(Some(after))
    }

    /// The audit of a consignment's bookings, oldest first.
    pub fn audit_for(&self, consignment_id: &str) -> StoreResult<Vec<FreightAudit>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(
            "SELECT at_ms, action, reference, consignment_id, device_id, person, reason, before_json, after_json
             FROM freight_audit WHERE consignment_id = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([consignment_id], |r| {
                Ok(FreightAudit {
                    at: time_of(r.get(0)?),
                    action: r.get(1)?,
                    reference: r.get(2)?,
                    consignment_id: r.get(3)?,
                    device_id: r.get(4)?,
                    person: r.get(5)?,
                    reason: r.get(6)?,
                    before: r.get(7)?,
                    after: r.get(8)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Live bookings (not cancelled, not delivered) whose tracking was last asked for
    /// before `checked_before`, least recently asked first, at most `limit`.
    pub fn due_for_tracking(
        &self,
        checked_before: OffsetDateTime,
        limit: u32,
    ) -> StoreResult<Vec<LedgerEntry>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM freight_booking
             WHERE cancelled = 0 AND tracking_state NOT IN ('delivered', 'cancelled')
               AND coalesce(tracking_checked_ms, 0) < ?1
             ORDER BY coalesce(tracking_checked_ms, 0), booked_ms LIMIT ?2"
        ))?;
        let rows = stmt
            .query_map(params![ms_of(checked_before), i64::from(limit)], raw)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(entry).collect()
    }

    /// Stores a poll's answer; returns whether the state changed.
    pub fn set_tracking(
        &self,
        reference: &str,
        state: &str,
        carrier_status: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let at_ms = ms_of(at);
        let changed = self.conn()?.execute(
            "UPDATE freight_booking SET
                 tracking_changed_ms = CASE WHEN tracking_state = ?2 THEN tracking_changed_ms ELSE ?4 END,
                 tracking_state = ?2, carrier_status = ?3, tracking_checked_ms = ?4
             WHERE reference = ?1 AND cancelled = 0 AND tracking_state <> ?2",
            params![reference, state, carrier_status, at_ms],
        )?;
        if changed == 0 {
            self.conn()?.execute(
                "UPDATE freight_booking SET carrier_status = ?2, tracking_checked_ms = ?3 WHERE reference = ?1",
                params![reference, carrier_status, at_ms],
            )?;
        }
        Ok(changed == 1)
    }

    /// Notes a poll that got no answer (so the next poll asks others first).
    pub fn tracking_asked(&self, reference: &str, at: OffsetDateTime) -> StoreResult<()> {
        self.conn()?.execute(
            "UPDATE freight_booking SET tracking_checked_ms = ?2 WHERE reference = ?1",
            params![reference, ms_of(at)],
        )?;
        Ok(())
    }

    /// The latest booking of each consignment `outlet_id` sends or receives, booked
    /// after `since` or still on its way: what the outlet's stations show; with the
    /// tracking numbers of that consignment's cancelled labels (in the same window).
    pub fn latest_for_outlet(
        &self,
        outlet_id: &str,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<(LedgerEntry, Vec<String>)>> {
        let all = query(
            &*self.conn()?,
            "WHERE (origin_outlet_id = ?1 OR destination_outlet_id = ?1)
               AND (booked_ms >= ?2 OR tracking_state NOT IN ('delivered', 'cancelled'))",
            &[&outlet_id, &ms_of(since)],
        )?;
        // Oldest first, so a later booking of the same consignment replaces an earlier one.
        let mut latest: std::collections::BTreeMap<String, (LedgerEntry, Vec<String>)> =
            std::collections::BTreeMap::new();
        for e in all {
            let slot = latest
                .entry(e.record.consignment_id.clone())
                .or_insert_with(|| (e.clone(), Vec::new()));
            if e.record.cancelled {
                slot.1
                    .extend(e.booking.parcels.iter().map(|p| p.tracking_number.clone()));
            }
            slot.0 = e;
        }
        // A live label's numbers are never struck, even if a carrier reused one.
        for (e, cancelled) in latest.values_mut() {
            if !e.record.cancelled {
                cancelled.retain(|n| e.booking.parcels.iter().all(|p| &p.tracking_number != n));
            }
        }
        Ok(latest.into_values().collect())
    }
}
