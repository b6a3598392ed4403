//! The hub's record of carrier bookings (`freight_booking`, migration V4): what a
//! retry finds before anything is booked again, and what the freight report reads.
//! Its own connection to the hub's SQLite file, like the edges' store.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use rust_decimal::Decimal;
use tally_domain::freight::BookingRecord;
use tally_freight::Booking;
use time::OffsetDateTime;

use crate::store::StoreResult;
use crate::HubError;

/// One booking as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The box-set reference it was booked under.
    pub reference: String,
    pub consignment_ref: String,
    pub device_id: String,
    pub booking: Booking,
    /// The report's view of it (carrier, route, boxes, units, cost).
    pub record: BookingRecord,
    pub booked_at: OffsetDateTime,
}

/// The `freight_booking` table.
pub struct FreightLedger {
    conn: Mutex<Connection>,
}

type Raw = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
    i64,
    bool,
);

const COLUMNS: &str =
    "reference, consignment_id, consignment_ref, device_id, carrier_name, service, \
     origin, destination, carrier, boxes, units, cost_excl_gst, booking_json, booked_ms, cancelled";

fn entry(raw: Raw) -> StoreResult<LedgerEntry> {
    let (
        reference,
        consignment_id,
        consignment_ref,
        device_id,
        carrier_name,
        service,
        origin,
        destination,
        _carrier,
        boxes,
        units,
        cost,
        booking_json,
        booked_ms,
        cancelled,
    ) = raw;
    let booking: Booking = serde_json::from_str(&booking_json)
        .map_err(|e| HubError::Corrupt(format!("freight booking {reference}: {e}")))?;
    let cost_excl_gst = Decimal::from_str(&cost)
        .map_err(|e| HubError::Corrupt(format!("freight cost {cost:?}: {e}")))?;
    Ok(LedgerEntry {
        record: BookingRecord {
            consignment_id,
            carrier: carrier_name,
            service,
            origin,
            destination,
            boxes: u32::try_from(boxes).unwrap_or(0),
            units: u32::try_from(units).unwrap_or(0),
            cost_excl_gst,
            cancelled,
        },
        reference,
        consignment_ref,
        device_id,
        booking,
        booked_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(booked_ms) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
    })
}

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
        r.get(14)?,
    ))
}

impl FreightLedger {
    /// Opens the table in the hub's database at `path` (migrated by the hub store).
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.query_row("SELECT count(*) FROM freight_booking", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| HubError::Migration(format!("freight table missing: {e}")))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> StoreResult<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| HubError::Storage("freight ledger lock poisoned".into()))
    }

    /// The booking made for this box set, if any.
    pub fn find(&self, reference: &str) -> StoreResult<Option<LedgerEntry>> {
        let conn = self.conn()?;
        let raw = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM freight_booking WHERE reference = ?1"),
                [reference],
                raw,
            )
            .optional()?;
        raw.map(entry).transpose()
    }

    /// Records a booking; a second record of the same box set keeps the first.
    /// Returns whether this call inserted it.
    pub fn record(&self, e: &LedgerEntry, carrier: &str) -> StoreResult<bool> {
        let booking_json = serde_json::to_string(&e.booking)
            .map_err(|err| HubError::Storage(format!("freight booking: {err}")))?;
        let booked_ms = i64::try_from(e.booked_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
        let r = &e.record;
        let n = self.conn()?.execute(
            "INSERT OR IGNORE INTO freight_booking (reference, consignment_id, consignment_ref, device_id, carrier_name, service, origin, destination, carrier, boxes, units, cost_excl_gst, booking_json, booked_ms, cancelled)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
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
                booked_ms,
                r.cancelled,
            ],
        )?;
        Ok(n == 1)
    }

    /// Every booking, oldest first.
    pub fn all(&self) -> StoreResult<Vec<LedgerEntry>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM freight_booking ORDER BY booked_ms, reference"
        ))?;
        let rows = stmt.query_map([], raw)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(entry).collect()
    }

    /// Bookings of one consignment.
    pub fn for_consignment(&self, consignment_id: &str) -> StoreResult<Vec<LedgerEntry>> {
        Ok(self
            .all()?
            .into_iter()
            .filter(|e| e.record.consignment_id == consignment_id)
            .collect())
    }
}
