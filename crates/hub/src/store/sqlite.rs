//! The SQLite backend: WAL, `synchronous=FULL`, one writer connection and one
//! reader connection, migrations embedded from `crates/hub/migrations/`.

use std::path::Path;
use std::str::FromStr;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_sync::{
    ApprovalRow, BoxRow, HistoryRow, LineRow, MutationOutcome, OutletRow, ProductCode, ProductRow,
    ReferenceBlock, RemovedLine, ScanEventRow, ScanPurpose, ScanRecorded, StaffRow,
    SupplierReturnRow, SupplierRow, VarianceReason,
};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    ChangeEntry, ConsignmentHeader, DeviceRecord, Entity, HubStore, HubTx, InboundConflict,
    LoggedOutcome, SagaPriority, SagaRecord, SagaState, SaleLine, StockLevel, StoreResult,
};
use crate::HubError;

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// The hub's SQLite database.
pub struct SqliteHubStore {
    writer: Mutex<Connection>,
    reader: Mutex<Connection>,
}

impl SqliteHubStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        embedded::migrations::runner()
            .run(&mut writer)
            .map_err(|e| HubError::Migration(e.to_string()))?;
        let reader = Connection::open(path)?;
        configure(&reader)?;
        Ok(Self {
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
        })
    }
}

fn configure(conn: &Connection) -> StoreResult<()> {
    // WAL + FULL: a committed push survives power loss before it is acknowledged.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl HubStore for SqliteHubStore {
    fn write(&self, f: &mut dyn FnMut(&mut dyn HubTx) -> StoreResult<()>) -> StoreResult<()> {
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| HubError::Storage("writer lock poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut stx = SqliteTx {
            conn: &tx,
            depth: 0,
        };
        f(&mut stx)?;
        tx.commit()?;
        Ok(())
    }

    fn read(&self, f: &mut dyn FnMut(&mut dyn HubTx) -> StoreResult<()>) -> StoreResult<()> {
        let mut conn = self
            .reader
            .lock()
            .map_err(|_| HubError::Storage("reader lock poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let mut stx = SqliteTx {
            conn: &tx,
            depth: 0,
        };
        f(&mut stx)?;
        // Read-only: nothing to keep.
        tx.rollback()?;
        Ok(())
    }
}

struct SqliteTx<'a> {
    conn: &'a Connection,
    depth: u32,
}

fn ts(t: OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

fn parse_ts(s: &str) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| HubError::Corrupt(format!("time {s:?}: {e}")))
}

fn dec(s: &str) -> StoreResult<Decimal> {
    Decimal::from_str(s).map_err(|e| HubError::Corrupt(format!("decimal {s:?}: {e}")))
}

fn opt_dec(s: Option<String>) -> StoreResult<Option<Decimal>> {
    s.map(|s| dec(&s)).transpose()
}

fn uuid(s: &str) -> StoreResult<Uuid> {
    Uuid::parse_str(s).map_err(|e| HubError::Corrupt(format!("uuid {s:?}: {e}")))
}

fn json<T: serde::de::DeserializeOwned>(s: &str) -> StoreResult<T> {
    serde_json::from_str(s).map_err(|e| HubError::Corrupt(format!("json {s:?}: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| HubError::Storage(e.to_string()))
}

fn u64_col(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn device_from_row(r: &Row<'_>) -> rusqlite::Result<(DeviceRecordRaw,)> {
    Ok((DeviceRecordRaw {
        id: r.get(0)?,
        outlet_id: r.get(1)?,
        station: r.get(2)?,
        last_seq: r.get(3)?,
        revoked: r.get(4)?,
        enrolled_at: r.get(5)?,
        last_seen_at: r.get(6)?,
    },))
}

struct DeviceRecordRaw {
    id: String,
    outlet_id: String,
    station: String,
    last_seq: i64,
    revoked: bool,
    enrolled_at: String,
    last_seen_at: Option<String>,
}

impl DeviceRecordRaw {
    fn into_record(self) -> StoreResult<DeviceRecord> {
        Ok(DeviceRecord {
            id: self.id,
            outlet_id: self.outlet_id,
            station: self.station,
            last_seq: u64_col(self.last_seq),
            revoked: self.revoked,
            enrolled_at: parse_ts(&self.enrolled_at)?,
            last_seen_at: self.last_seen_at.as_deref().map(parse_ts).transpose()?,
        })
    }
}

const DEVICE_COLS: &str = "id, outlet_id, station, last_seq, revoked, enrolled_at, last_seen_at";
const CONSIGNMENT_COLS: &str = "id, kind, status, reference, source_outlet_id, destination_outlet_id, supplier_id, lightspeed_id, version, created_by, last_edited_by, created_at, updated_at";
const LINE_COLS: &str = "line_id, product_id, expected_qty, unit_cost, packed_qty, received_qty, damaged_qty, counted_qty, short_reason, variance_reason, variance_note, photos";
const SAGA_COLS: &str = "consignment_id, wanted_gen, done_gen, priority, state, attempts, next_at_ms, create_attempted, bulk_attempted, last_error, dead_body, updated_at";

type RawHeader = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    String,
    Option<String>,
    String,
    String,
);

// The raw_* readers take a row's columns in their `*_COLS` order into a tuple
// (rusqlite's `TryFrom<&Row>` for tuples); the typed conversions follow each.
fn raw_header(r: &Row<'_>) -> rusqlite::Result<RawHeader> {
    r.try_into()
}

fn header(raw: RawHeader) -> StoreResult<ConsignmentHeader> {
    Ok(ConsignmentHeader {
        id: uuid(&raw.0)?,
        kind: ConsignmentKind::parse(&raw.1)
            .ok_or_else(|| HubError::Corrupt(format!("kind {:?}", raw.1)))?,
        status: ConsignmentStatus::parse(&raw.2)
            .ok_or_else(|| HubError::Corrupt(format!("status {:?}", raw.2)))?,
        reference: raw.3,
        source_outlet_id: raw.4,
        destination_outlet_id: raw.5,
        supplier_id: raw.6,
        lightspeed_id: raw.7,
        version: u64_col(raw.8),
        created_by: raw.9,
        last_edited_by: raw.10,
        created_at: parse_ts(&raw.11)?,
        updated_at: parse_ts(&raw.12)?,
    })
}

type RawLine = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    u32,
);

fn raw_line(r: &Row<'_>) -> rusqlite::Result<RawLine> {
    r.try_into()
}

fn line(raw: RawLine) -> StoreResult<LineRow> {
    Ok(LineRow {
        line_id: uuid(&raw.0)?,
        product_id: raw.1,
        expected_qty: dec(&raw.2)?,
        unit_cost: opt_dec(raw.3)?,
        packed_qty: dec(&raw.4)?,
        received_qty: dec(&raw.5)?,
        damaged_qty: dec(&raw.6)?,
        counted_qty: dec(&raw.7)?,
        short_reason: raw.8,
        variance_reason: raw
            .9
            .as_deref()
            .map(|r| {
                VarianceReason::parse(r)
                    .ok_or_else(|| HubError::Corrupt(format!("variance reason {r:?}")))
            })
            .transpose()?,
        variance_note: raw.10,
        photos: raw.11,
    })
}

type RawSaga = (
    String,
    i64,
    i64,
    i64,
    String,
    i64,
    i64,
    bool,
    bool,
    Option<String>,
    Option<String>,
    String,
);

fn raw_saga(r: &Row<'_>) -> rusqlite::Result<RawSaga> {
    r.try_into()
}

fn saga(raw: RawSaga) -> StoreResult<SagaRecord> {
    Ok(SagaRecord {
        consignment_id: uuid(&raw.0)?,
        wanted_gen: u64_col(raw.1),
        done_gen: u64_col(raw.2),
        priority: SagaPriority::from_i64(raw.3),
        state: SagaState::parse(&raw.4)
            .ok_or_else(|| HubError::Corrupt(format!("saga state {:?}", raw.4)))?,
        attempts: u32::try_from(raw.5).unwrap_or(u32::MAX),
        next_at: from_ms(raw.6),
        create_attempted: raw.7,
        bulk_attempted: raw.8,
        last_error: raw.9,
        dead_body: raw.10,
        updated_at: parse_ts(&raw.11)?,
    })
}

fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn from_ms(v: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl SqliteTx<'_> {
    fn exec(&self, sql: &str, p: impl rusqlite::Params) -> StoreResult<usize> {
        Ok(self.conn.prepare_cached(sql)?.execute(p)?)
    }
}

impl HubTx for SqliteTx<'_> {
    fn begin_unit(&mut self) -> StoreResult<()> {
        self.depth += 1;
        self.conn.execute_batch("SAVEPOINT unit")?;
        Ok(())
    }

    fn commit_unit(&mut self) -> StoreResult<()> {
        self.depth = self.depth.saturating_sub(1);
        self.conn.execute_batch("RELEASE unit")?;
        Ok(())
    }

    fn rollback_unit(&mut self) -> StoreResult<()> {
        self.depth = self.depth.saturating_sub(1);
        self.conn.execute_batch("ROLLBACK TO unit; RELEASE unit")?;
        Ok(())
    }

    fn insert_device(&mut self, d: &DeviceRecord, token_sha256: &str) -> StoreResult<()> {
        self.exec(
            "INSERT INTO device (id, outlet_id, station, token_sha256, last_seq, revoked, enrolled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![d.id, d.outlet_id, d.station, token_sha256, i64_of(d.last_seq), d.revoked, ts(d.enrolled_at)],
        )?;
        Ok(())
    }

    fn device_by_token(&mut self, token_sha256: &str) -> StoreResult<Option<DeviceRecord>> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {DEVICE_COLS} FROM device WHERE token_sha256 = ?1"
            ))?
            .query_row([token_sha256], device_from_row)
            .optional()?;
        raw.map(|(r,)| r.into_record()).transpose()
    }

    fn device(&mut self, id: &str) -> StoreResult<Option<DeviceRecord>> {
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {DEVICE_COLS} FROM device WHERE id = ?1"))?
            .query_row([id], device_from_row)
            .optional()?;
        raw.map(|(r,)| r.into_record()).transpose()
    }

    fn devices(&mut self) -> StoreResult<Vec<DeviceRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {DEVICE_COLS} FROM device ORDER BY id"))?;
        let rows = stmt.query_map([], device_from_row)?;
        rows.map(|r| r?.0.into_record()).collect()
    }

    fn set_device_last_seq(&mut self, id: &str, seq: u64) -> StoreResult<()> {
        self.exec(
            "UPDATE device SET last_seq = MAX(last_seq, ?2) WHERE id = ?1",
            params![id, i64_of(seq)],
        )?;
        Ok(())
    }

    fn set_device_revoked(&mut self, id: &str, revoked: bool) -> StoreResult<()> {
        let n = self.exec(
            "UPDATE device SET revoked = ?2 WHERE id = ?1",
            params![id, revoked],
        )?;
        if n == 0 {
            return Err(HubError::NotFound {
                what: "device",
                id: id.into(),
            });
        }
        Ok(())
    }

    fn touch_device(&mut self, id: &str, at: OffsetDateTime) -> StoreResult<()> {
        self.exec(
            "UPDATE device SET last_seen_at = ?2 WHERE id = ?1",
            params![id, ts(at)],
        )?;
        Ok(())
    }

    fn set_device_backlog(
        &mut self,
        id: &str,
        waiting: u64,
        attention: u64,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.exec(
            "INSERT INTO device_backlog (device_id, waiting, attention, reported_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (device_id) DO UPDATE SET waiting = excluded.waiting,
                 attention = excluded.attention, reported_at = excluded.reported_at",
            params![id, i64_of(waiting), i64_of(attention), ts(at)],
        )?;
        Ok(())
    }

    fn device_backlog(&mut self, id: &str) -> StoreResult<Option<(u64, u64)>> {
        let row: Option<(i64, i64)> = self
            .conn
            .prepare_cached("SELECT waiting, attention FROM device_backlog WHERE device_id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(row.map(|(w, a)| (w.max(0) as u64, a.max(0) as u64)))
    }

    fn highest_reference_issued(&mut self) -> StoreResult<u32> {
        let top: i64 = self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(last), 0) FROM reference_block")?
            .query_row([], |r| r.get(0))?;
        u32::try_from(top).map_err(|_| HubError::Corrupt(format!("reference block end {top}")))
    }

    fn latest_reference_block(&mut self, device_id: &str) -> StoreResult<Option<ReferenceBlock>> {
        let row: Option<(i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT first, last FROM reference_block WHERE device_id = ?1
                 ORDER BY first DESC LIMIT 1",
            )?
            .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(first, last)| {
            let n = |v: i64| {
                u32::try_from(v).map_err(|_| HubError::Corrupt(format!("reference number {v}")))
            };
            Ok(ReferenceBlock {
                first: n(first)?,
                last: n(last)?,
            })
        })
        .transpose()
    }

    fn insert_reference_block(
        &mut self,
        device_id: &str,
        block: ReferenceBlock,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let overlapping: i64 = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM reference_block WHERE first <= ?2 AND last >= ?1",
            )?
            .query_row(params![block.first, block.last], |r| r.get(0))?;
        if overlapping > 0 {
            return Err(HubError::Storage(format!(
                "reference block {}..={} overlaps one already issued",
                block.first, block.last
            )));
        }
        self.exec(
            "INSERT INTO reference_block (first, last, device_id, issued_at) VALUES (?1, ?2, ?3, ?4)",
            params![block.first, block.last, device_id, ts(at)],
        )?;
        Ok(())
    }

    fn logged_outcome(&mut self, mutation_id: Uuid) -> StoreResult<Option<LoggedOutcome>> {
        let raw = self
            .conn
            .prepare_cached(
                "SELECT device_id, seq, kind, consignment_id, outcome, code, message, at FROM mutation_log WHERE mutation_id = ?1",
            )?
            .query_row([mutation_id.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })
            .optional()?;
        let Some((device_id, seq, kind, cid, outcome, code, message, at)) = raw else {
            return Ok(None);
        };
        let outcome = match outcome.as_str() {
            "applied" => MutationOutcome::Applied,
            "rejected" => MutationOutcome::Rejected {
                code: code.unwrap_or_default(),
                message: message.unwrap_or_default(),
            },
            other => return Err(HubError::Corrupt(format!("outcome {other:?}"))),
        };
        Ok(Some(LoggedOutcome {
            mutation_id,
            device_id,
            seq: u64_col(seq),
            kind,
            consignment_id: cid.as_deref().map(uuid).transpose()?,
            outcome,
            at: parse_ts(&at)?,
        }))
    }

    fn log_outcome(&mut self, e: &LoggedOutcome) -> StoreResult<()> {
        let (outcome, code, message) = match &e.outcome {
            MutationOutcome::Applied | MutationOutcome::Duplicate => ("applied", None, None),
            MutationOutcome::Rejected { code, message } => {
                ("rejected", Some(code.as_str()), Some(message.as_str()))
            }
        };
        self.exec(
            "INSERT INTO mutation_log (mutation_id, device_id, seq, kind, consignment_id, outcome, code, message, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                e.mutation_id.to_string(),
                e.device_id,
                i64_of(e.seq),
                e.kind,
                e.consignment_id.map(|c| c.to_string()),
                outcome,
                code,
                message,
                ts(e.at)
            ],
        )?;
        Ok(())
    }

    fn seq_answered(&mut self, device_id: &str, seq: u64) -> StoreResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM mutation_log WHERE device_id = ?1 AND seq = ?2")?
            .exists(params![device_id, i64_of(seq)])?)
    }

    fn upsert_outlet(&mut self, row: &OutletRow) -> StoreResult<()> {
        self.exec(
            "INSERT INTO outlet (id, name, deleted) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET name = excluded.name, deleted = excluded.deleted",
            params![row.id, row.name, row.deleted],
        )?;
        Ok(())
    }

    fn outlet(&mut self, id: &str) -> StoreResult<Option<OutletRow>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name, deleted FROM outlet WHERE id = ?1")?
            .query_row([id], |r| {
                Ok(OutletRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    deleted: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn upsert_supplier(&mut self, row: &SupplierRow) -> StoreResult<()> {
        self.exec(
            "INSERT INTO supplier (id, name, deleted) VALUES (?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET name = excluded.name, deleted = excluded.deleted",
            params![row.id, row.name, row.deleted],
        )?;
        Ok(())
    }

    fn supplier(&mut self, id: &str) -> StoreResult<Option<SupplierRow>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name, deleted FROM supplier WHERE id = ?1")?
            .query_row([id], |r| {
                Ok(SupplierRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    deleted: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn upsert_product(&mut self, p: &ProductRow) -> StoreResult<()> {
        self.exec(
            "INSERT INTO product (id, sku, name, variant_name, supplier_code, supply_price, active, codes_json, deleted, supplier_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT(id) DO UPDATE SET sku = excluded.sku, name = excluded.name, variant_name = excluded.variant_name, supplier_code = excluded.supplier_code, supply_price = excluded.supply_price, active = excluded.active, codes_json = excluded.codes_json, deleted = excluded.deleted, supplier_id = excluded.supplier_id",
            params![
                p.id,
                p.sku,
                p.name,
                p.variant_name,
                p.supplier_code,
                p.supply_price.map(|d| d.to_string()),
                p.active,
                to_json(&p.codes)?,
                p.deleted,
                p.supplier_id
            ],
        )?;
        Ok(())
    }

    fn product(&mut self, id: &str) -> StoreResult<Option<ProductRow>> {
        let raw = self
            .conn
            .prepare_cached("SELECT id, sku, name, variant_name, supplier_code, supply_price, active, codes_json, deleted, supplier_id FROM product WHERE id = ?1")?
            .query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, bool>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, bool>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ))
            })
            .optional()?;
        let Some(raw) = raw else { return Ok(None) };
        let codes: Vec<ProductCode> = json(&raw.7)?;
        Ok(Some(ProductRow {
            id: raw.0,
            sku: raw.1,
            name: raw.2,
            variant_name: raw.3,
            supplier_id: raw.9,
            supplier_code: raw.4,
            supply_price: opt_dec(raw.5)?,
            active: raw.6,
            codes,
            deleted: raw.8,
        }))
    }

    fn product_count(&mut self) -> StoreResult<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM product")?
            .query_row([], |r| r.get(0))?;
        Ok(u64_col(n))
    }

    fn upsert_staff(&mut self, s: &StaffRow) -> StoreResult<()> {
        self.exec(
            "INSERT INTO staff (id, name, role, outlet_id, pin_hash, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role, outlet_id = excluded.outlet_id, pin_hash = excluded.pin_hash, active = excluded.active",
            params![s.id, s.name, s.role.as_str(), s.outlet_id, s.pin_hash, s.active],
        )?;
        Ok(())
    }

    fn staff(&mut self, id: &str) -> StoreResult<Option<StaffRow>> {
        let raw = self
            .conn
            .prepare_cached(
                "SELECT id, name, role, outlet_id, pin_hash, active FROM staff WHERE id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            })
            .optional()?;
        let Some(raw) = raw else { return Ok(None) };
        Ok(Some(StaffRow {
            id: raw.0,
            name: raw.1,
            role: Role::parse(&raw.2)
                .ok_or_else(|| HubError::Corrupt(format!("role {:?}", raw.2)))?,
            outlet_id: raw.3,
            pin_hash: raw.4,
            active: raw.5,
        }))
    }

    fn consignment(&mut self, id: Uuid) -> StoreResult<Option<ConsignmentHeader>> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {CONSIGNMENT_COLS} FROM consignment WHERE id = ?1"
            ))?
            .query_row([id.to_string()], raw_header)
            .optional()?;
        raw.map(header).transpose()
    }

    fn insert_consignment(&mut self, h: &ConsignmentHeader) -> StoreResult<()> {
        self.exec(
            &format!("INSERT INTO consignment ({CONSIGNMENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
            params![
                h.id.to_string(),
                h.kind.as_str(),
                h.status.as_str(),
                h.reference,
                h.source_outlet_id,
                h.destination_outlet_id,
                h.supplier_id,
                h.lightspeed_id,
                i64_of(h.version),
                h.created_by,
                h.last_edited_by,
                ts(h.created_at),
                ts(h.updated_at)
            ],
        )?;
        Ok(())
    }

    fn update_consignment(&mut self, h: &ConsignmentHeader) -> StoreResult<()> {
        self.exec(
            "UPDATE consignment SET kind = ?2, status = ?3, reference = ?4, source_outlet_id = ?5, destination_outlet_id = ?6, supplier_id = ?7, lightspeed_id = ?8, version = ?9, created_by = ?10, last_edited_by = ?11, created_at = ?12, updated_at = ?13 WHERE id = ?1",
            params![
                h.id.to_string(),
                h.kind.as_str(),
                h.status.as_str(),
                h.reference,
                h.source_outlet_id,
                h.destination_outlet_id,
                h.supplier_id,
                h.lightspeed_id,
                i64_of(h.version),
                h.created_by,
                h.last_edited_by,
                ts(h.created_at),
                ts(h.updated_at)
            ],
        )?;
        Ok(())
    }

    fn consignment_ids(&mut self) -> StoreResult<Vec<Uuid>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM consignment ORDER BY id")?;
        let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
        ids.map(|r| uuid(&r?)).collect()
    }

    fn consignment_by_lightspeed_id(&mut self, ls_id: &str) -> StoreResult<Option<Uuid>> {
        let id: Option<String> = self
            .conn
            .prepare_cached("SELECT id FROM consignment WHERE lightspeed_id = ?1")?
            .query_row([ls_id], |r| r.get(0))
            .optional()?;
        id.as_deref().map(uuid).transpose()
    }

    fn lines(&mut self, consignment: Uuid) -> StoreResult<Vec<LineRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {LINE_COLS} FROM consignment_line WHERE consignment_id = ?1 ORDER BY product_id"
        ))?;
        let rows = stmt.query_map([consignment.to_string()], raw_line)?;
        rows.map(|r| line(r?)).collect()
    }

    fn line(&mut self, consignment: Uuid, product_id: &str) -> StoreResult<Option<LineRow>> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {LINE_COLS} FROM consignment_line WHERE consignment_id = ?1 AND product_id = ?2"
            ))?
            .query_row(params![consignment.to_string(), product_id], raw_line)
            .optional()?;
        raw.map(line).transpose()
    }

    fn upsert_line(&mut self, consignment: Uuid, l: &LineRow) -> StoreResult<()> {
        self.exec(
            "INSERT INTO consignment_line (consignment_id, product_id, expected_qty, unit_cost, packed_qty, received_qty, damaged_qty, counted_qty, short_reason, variance_reason, variance_note, photos, line_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT(consignment_id, product_id) DO UPDATE SET expected_qty = excluded.expected_qty, unit_cost = excluded.unit_cost, packed_qty = excluded.packed_qty, received_qty = excluded.received_qty, damaged_qty = excluded.damaged_qty, counted_qty = excluded.counted_qty, short_reason = excluded.short_reason, variance_reason = excluded.variance_reason, variance_note = excluded.variance_note, photos = excluded.photos",
            params![
                consignment.to_string(),
                l.product_id,
                l.expected_qty.to_string(),
                l.unit_cost.map(|d| d.to_string()),
                l.packed_qty.to_string(),
                l.received_qty.to_string(),
                l.damaged_qty.to_string(),
                l.counted_qty.to_string(),
                l.short_reason,
                l.variance_reason.map(|r| r.as_str()),
                l.variance_note,
                l.photos,
                l.line_id.to_string()
            ],
        )?;
        Ok(())
    }

    fn delete_line(&mut self, consignment: Uuid, product_id: &str) -> StoreResult<()> {
        // Remember the line's id: stations that pulled it must drop it too.
        self.exec(
            "INSERT OR IGNORE INTO removed_line (line_id, consignment_id, product_id)
             SELECT line_id, consignment_id, product_id FROM consignment_line WHERE consignment_id = ?1 AND product_id = ?2",
            params![consignment.to_string(), product_id],
        )?;
        self.exec(
            "DELETE FROM consignment_line WHERE consignment_id = ?1 AND product_id = ?2",
            params![consignment.to_string(), product_id],
        )?;
        Ok(())
    }

    fn removed_lines(&mut self, consignment: Uuid) -> StoreResult<Vec<RemovedLine>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT line_id, product_id FROM removed_line WHERE consignment_id = ?1 ORDER BY line_id",
        )?;
        let rows = stmt.query_map([consignment.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|r| {
            let (id, product_id) = r?;
            Ok(RemovedLine {
                line_id: uuid(&id)?,
                product_id,
            })
        })
        .collect()
    }

    fn insert_scan_event(&mut self, e: &ScanRecorded) -> StoreResult<bool> {
        let purpose = match e.purpose {
            ScanPurpose::Pack => "pack",
            ScanPurpose::Count => "count",
            ScanPurpose::Receive => "receive",
        };
        let n = self.exec(
            "INSERT OR IGNORE INTO scan_event (id, consignment_id, product_id, purpose, box_id, delta, raw_code, device_id, at, by_staff, undoes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                e.event_id.to_string(),
                e.consignment_id.to_string(),
                e.product_id,
                purpose,
                e.box_id.map(|b| b.to_string()),
                e.delta.to_string(),
                e.raw_code,
                e.device_id,
                ts(e.at),
                e.by,
                e.undoes.map(|u| u.to_string())
            ],
        )?;
        Ok(n == 1)
    }

    fn boxes(&mut self, consignment: Uuid) -> StoreResult<Vec<BoxRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, number, container, closed, weight_grams, weight_source, dimensions, tracking_number FROM parcel WHERE consignment_id = ?1 ORDER BY number, id",
        )?;
        let rows = stmt.query_map([consignment.to_string()], raw_box)?;
        rows.map(|r| parcel_row(r?)).collect()
    }

    fn parcel(&mut self, box_id: Uuid) -> StoreResult<Option<(Uuid, BoxRow)>> {
        let raw = self
            .conn
            .prepare_cached(
                "SELECT id, number, container, closed, weight_grams, weight_source, dimensions, tracking_number, consignment_id FROM parcel WHERE id = ?1",
            )?
            .query_row([box_id.to_string()], |r| Ok((raw_box(r)?, r.get::<_, String>(8)?)))
            .optional()?;
        let Some((raw, cid)) = raw else {
            return Ok(None);
        };
        Ok(Some((uuid(&cid)?, parcel_row(raw)?)))
    }

    fn upsert_box(&mut self, consignment: Uuid, b: &BoxRow) -> StoreResult<()> {
        self.exec(
            "INSERT INTO parcel (id, consignment_id, number, container, closed, weight_grams, weight_source, dimensions, tracking_number) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(id) DO UPDATE SET number = excluded.number, container = excluded.container, closed = excluded.closed, weight_grams = excluded.weight_grams, weight_source = excluded.weight_source, dimensions = excluded.dimensions, tracking_number = excluded.tracking_number",
            params![
                b.id.to_string(),
                consignment.to_string(),
                b.number,
                b.container,
                b.closed,
                b.weight_grams,
                b.weight_source.as_ref().map(to_json).transpose()?,
                b.dimensions.as_ref().map(to_json).transpose()?,
                b.tracking_number
            ],
        )?;
        Ok(())
    }

    fn ensure_receipt_session(
        &mut self,
        consignment: Uuid,
        session: Uuid,
        by: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.exec(
            "INSERT OR IGNORE INTO receipt_session (id, consignment_id, by_staff, at) VALUES (?1, ?2, ?3, ?4)",
            params![session.to_string(), consignment.to_string(), by, ts(at)],
        )?;
        let closed: Option<String> = self
            .conn
            .prepare_cached("SELECT closed_at FROM receipt_session WHERE id = ?1")?
            .query_row([session.to_string()], |r| r.get(0))?;
        Ok(closed.is_some())
    }

    fn receipt_line(
        &mut self,
        session: Uuid,
        product_id: &str,
    ) -> StoreResult<Option<(Decimal, Decimal)>> {
        let raw: Option<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT received_qty, damaged_qty FROM receipt_line WHERE session_id = ?1 AND product_id = ?2",
            )?
            .query_row(params![session.to_string(), product_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        raw.map(|(r, d)| Ok((dec(&r)?, dec(&d)?))).transpose()
    }

    fn put_receipt_line(
        &mut self,
        consignment: Uuid,
        session: Uuid,
        product_id: &str,
        received: Decimal,
        damaged: Decimal,
    ) -> StoreResult<()> {
        self.exec(
            "INSERT INTO receipt_line (session_id, consignment_id, product_id, received_qty, damaged_qty) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(session_id, product_id) DO UPDATE SET received_qty = excluded.received_qty, damaged_qty = excluded.damaged_qty",
            params![
                session.to_string(),
                consignment.to_string(),
                product_id,
                received.to_string(),
                damaged.to_string()
            ],
        )?;
        Ok(())
    }

    fn close_receipt_session(
        &mut self,
        session: Uuid,
        signed_by: &str,
        signature: Option<&str>,
        driver_signature: Option<&str>,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.exec(
            "UPDATE receipt_session SET closed_at = ?2, signed_by = ?3, signature = ?4, driver_signature = ?5 WHERE id = ?1",
            params![session.to_string(), ts(at), signed_by, signature, driver_signature],
        )?;
        Ok(())
    }

    fn receipt_signed(&mut self, consignment: Uuid) -> StoreResult<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM receipt_session WHERE consignment_id = ?1 AND closed_at IS NOT NULL AND signature IS NOT NULL LIMIT 1",
            )?
            .query_row([consignment.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn scan_event_ids(&mut self, consignment: Uuid) -> StoreResult<Vec<Uuid>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM scan_event WHERE consignment_id = ?1 ORDER BY at, id",
        )?;
        let ids = stmt.query_map([consignment.to_string()], |r| r.get::<_, String>(0))?;
        ids.map(|r| uuid(&r?)).collect()
    }

    fn scan_event(&mut self, id: Uuid) -> StoreResult<Option<ScanEventRow>> {
        let raw = self
            .conn
            .prepare_cached(
                "SELECT consignment_id, product_id, purpose, box_id, delta, raw_code, device_id, at, by_staff, undoes FROM scan_event WHERE id = ?1",
            )?
            .query_row([id.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                ))
            })
            .optional()?;
        let Some(r) = raw else { return Ok(None) };
        let purpose = match r.2.as_str() {
            "pack" => ScanPurpose::Pack,
            "count" => ScanPurpose::Count,
            "receive" => ScanPurpose::Receive,
            other => return Err(HubError::Corrupt(format!("scan purpose {other:?}"))),
        };
        Ok(Some(ScanEventRow {
            id,
            consignment_id: uuid(&r.0)?,
            product_id: r.1,
            box_id: r.3.as_deref().map(uuid).transpose()?,
            purpose,
            delta: dec(&r.4)?,
            raw_code: r.5,
            device_id: r.6,
            staff_id: r.8,
            at: parse_ts(&r.7)?,
            undoes: r.9.as_deref().map(uuid).transpose()?,
        }))
    }

    fn insert_approval(&mut self, consignment: Uuid, a: &ApprovalRow) -> StoreResult<bool> {
        let n = self.exec(
            "INSERT OR IGNORE INTO approval (id, consignment_id, record_json) VALUES (?1, ?2, ?3)",
            params![
                a.id.to_string(),
                consignment.to_string(),
                to_json(&a.record)?
            ],
        )?;
        Ok(n == 1)
    }

    fn approvals(&mut self, consignment: Uuid) -> StoreResult<Vec<ApprovalRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, record_json FROM approval WHERE consignment_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([consignment.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|r| {
            let (id, record) = r?;
            Ok(ApprovalRow {
                id: uuid(&id)?,
                record: json(&record)?,
            })
        })
        .collect()
    }

    fn supplier_return(&mut self, consignment: Uuid) -> StoreResult<Option<SupplierReturnRow>> {
        self.conn
            .prepare_cached("SELECT row_json FROM supplier_return WHERE consignment_id = ?1")?
            .query_row([consignment.to_string()], |r| r.get::<_, String>(0))
            .optional()?
            .map(|s| json(&s))
            .transpose()
    }

    fn put_supplier_return(
        &mut self,
        consignment: Uuid,
        row: &SupplierReturnRow,
    ) -> StoreResult<()> {
        self.exec(
            "INSERT INTO supplier_return (consignment_id, row_json) VALUES (?1, ?2)
             ON CONFLICT (consignment_id) DO UPDATE SET row_json = excluded.row_json",
            params![consignment.to_string(), to_json(row)?],
        )?;
        Ok(())
    }

    fn insert_history(&mut self, consignment: Uuid, row: &HistoryRow) -> StoreResult<()> {
        self.exec(
            "INSERT OR IGNORE INTO consignment_history (consignment_id, mutation_id, kind, row_json)
             VALUES (?1, ?2, ?3, ?4)",
            params![
                consignment.to_string(),
                row.mutation_id.to_string(),
                row.kind,
                to_json(row)?
            ],
        )?;
        Ok(())
    }

    fn history(&mut self, consignment: Uuid) -> StoreResult<Vec<HistoryRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT row_json FROM consignment_history WHERE consignment_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([consignment.to_string()], |r| r.get::<_, String>(0))?;
        rows.map(|r| json(&r?)).collect()
    }

    fn stocktake_counting(&mut self, outlet_id: &str) -> StoreResult<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM consignment WHERE kind = 'stocktake' AND status = 'counting' AND source_outlet_id = ?1 LIMIT 1",
            )?
            .query_row([outlet_id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn record_change(&mut self, entity: Entity, id: &str) -> StoreResult<()> {
        self.exec(
            "DELETE FROM change_log WHERE entity = ?1 AND entity_id = ?2",
            params![entity.as_str(), id],
        )?;
        self.exec(
            "INSERT INTO change_log (entity, entity_id) VALUES (?1, ?2)",
            params![entity.as_str(), id],
        )?;
        Ok(())
    }

    fn changes_after(&mut self, cursor: u64, limit: u32) -> StoreResult<Vec<ChangeEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, entity, entity_id FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![i64_of(cursor), limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        rows.map(|r| {
            let (seq, entity, entity_id) = r?;
            Ok(ChangeEntry {
                seq: u64_col(seq),
                entity: Entity::parse(&entity)
                    .ok_or_else(|| HubError::Corrupt(format!("entity {entity:?}")))?,
                entity_id,
            })
        })
        .collect()
    }

    fn change_seq(&mut self, entity: Entity, id: &str) -> StoreResult<Option<u64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT seq FROM change_log WHERE entity = ?1 AND entity_id = ?2")?
            .query_row(params![entity.as_str(), id], |r| r.get::<_, i64>(0))
            .optional()?
            .map(u64_col))
    }

    fn mark_saga_dirty(
        &mut self,
        consignment: Uuid,
        priority: SagaPriority,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        // A dead saga stays dead (an operator decides); new work still bumps its
        // generation so a retry brings Lightspeed all the way up to date.
        self.exec(
            "INSERT INTO ls_saga (consignment_id, wanted_gen, done_gen, priority, state, attempts, next_at_ms, updated_at) VALUES (?1, 1, 0, ?2, 'pending', 0, ?3, ?4)
             ON CONFLICT(consignment_id) DO UPDATE SET wanted_gen = wanted_gen + 1, priority = MIN(priority, excluded.priority),
               state = CASE WHEN state = 'dead' THEN 'dead' ELSE 'pending' END,
               next_at_ms = CASE WHEN state = 'done' THEN excluded.next_at_ms ELSE next_at_ms END,
               updated_at = excluded.updated_at",
            params![consignment.to_string(), priority.as_i64(), ms(now), ts(now)],
        )?;
        Ok(())
    }

    fn saga(&mut self, consignment: Uuid) -> StoreResult<Option<SagaRecord>> {
        let raw = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SAGA_COLS} FROM ls_saga WHERE consignment_id = ?1"
            ))?
            .query_row([consignment.to_string()], raw_saga)
            .optional()?;
        raw.map(saga).transpose()
    }

    fn update_saga(&mut self, s: &SagaRecord) -> StoreResult<()> {
        self.exec(
            "UPDATE ls_saga SET wanted_gen = ?2, done_gen = ?3, priority = ?4, state = ?5, attempts = ?6, next_at_ms = ?7, create_attempted = ?8, bulk_attempted = ?9, last_error = ?10, dead_body = ?11, updated_at = ?12 WHERE consignment_id = ?1",
            params![
                s.consignment_id.to_string(),
                i64_of(s.wanted_gen),
                i64_of(s.done_gen),
                s.priority.as_i64(),
                s.state.as_str(),
                s.attempts,
                ms(s.next_at),
                s.create_attempted,
                s.bulk_attempted,
                s.last_error,
                s.dead_body,
                ts(s.updated_at)
            ],
        )?;
        Ok(())
    }

    fn due_sagas(&mut self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<SagaRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SAGA_COLS} FROM ls_saga WHERE state = 'pending' AND next_at_ms <= ?1 ORDER BY priority, next_at_ms LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![ms(now), limit], raw_saga)?;
        rows.map(|r| saga(r?)).collect()
    }

    fn sagas_in_state(&mut self, state: SagaState) -> StoreResult<Vec<SagaRecord>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SAGA_COLS} FROM ls_saga WHERE state = ?1 ORDER BY updated_at"
        ))?;
        let rows = stmt.query_map([state.as_str()], raw_saga)?;
        rows.map(|r| saga(r?)).collect()
    }

    fn poll_cursor(&mut self, name: &str) -> StoreResult<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT version FROM poll_cursor WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?)
    }

    fn set_poll_cursor(&mut self, name: &str, version: i64) -> StoreResult<()> {
        self.exec(
            "INSERT INTO poll_cursor (name, version) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET version = excluded.version",
            params![name, version],
        )?;
        Ok(())
    }

    fn record_inbound_conflict(&mut self, c: &InboundConflict) -> StoreResult<()> {
        self.exec(
            "INSERT INTO inbound_conflict (lightspeed_id, consignment_id, hub_status, ls_status, code, message, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                c.lightspeed_id,
                c.consignment_id.to_string(),
                c.hub_status.as_str(),
                c.ls_status.as_str(),
                c.code,
                c.message,
                ts(c.at)
            ],
        )?;
        Ok(())
    }

    fn inbound_conflicts(&mut self) -> StoreResult<Vec<InboundConflict>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT lightspeed_id, consignment_id, hub_status, ls_status, code, message, at FROM inbound_conflict ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        rows.map(|r| {
            let (lid, cid, hs, ls, code, message, at) = r?;
            Ok(InboundConflict {
                lightspeed_id: lid,
                consignment_id: uuid(&cid)?,
                hub_status: ConsignmentStatus::parse(&hs)
                    .ok_or_else(|| HubError::Corrupt(format!("status {hs:?}")))?,
                ls_status: tally_domain::LsConsignmentStatus::parse(&ls)
                    .ok_or_else(|| HubError::Corrupt(format!("ls status {ls:?}")))?,
                code,
                message,
                at: parse_ts(&at)?,
            })
        })
        .collect()
    }

    fn upsert_stock_level(&mut self, row: &StockLevel) -> StoreResult<()> {
        self.exec(
            "INSERT INTO stock_level (outlet_id, product_id, on_hand, reorder_point, reorder_amount, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(outlet_id, product_id) DO UPDATE SET on_hand = excluded.on_hand, reorder_point = excluded.reorder_point, reorder_amount = excluded.reorder_amount, updated_at = excluded.updated_at",
            params![
                row.outlet_id,
                row.product_id,
                row.on_hand.to_string(),
                row.reorder_point.map(|d| d.to_string()),
                row.reorder_amount.map(|d| d.to_string()),
                ts(row.updated_at)
            ],
        )?;
        Ok(())
    }

    fn stock_level(
        &mut self,
        outlet_id: &str,
        product_id: &str,
    ) -> StoreResult<Option<StockLevel>> {
        let raw = self
            .conn
            .prepare_cached("SELECT on_hand, reorder_point, reorder_amount, updated_at FROM stock_level WHERE outlet_id = ?1 AND product_id = ?2")?
            .query_row(params![outlet_id, product_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .optional()?;
        let Some((on_hand, point, amount, at)) = raw else {
            return Ok(None);
        };
        Ok(Some(StockLevel {
            outlet_id: outlet_id.to_string(),
            product_id: product_id.to_string(),
            on_hand: dec(&on_hand)?,
            reorder_point: opt_dec(point)?,
            reorder_amount: opt_dec(amount)?,
            updated_at: parse_ts(&at)?,
        }))
    }

    fn replace_sale_lines(
        &mut self,
        sale_id: &str,
        lines: &[SaleLine],
    ) -> StoreResult<Vec<(String, String)>> {
        let mut touched: Vec<(String, String)> = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT outlet_id, product_id FROM sale_line WHERE sale_id = ?1",
            )?
            .query_map([sale_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        self.exec("DELETE FROM sale_line WHERE sale_id = ?1", [sale_id])?;
        for (n, l) in lines.iter().enumerate() {
            self.exec(
                "INSERT INTO sale_line (sale_id, line_no, outlet_id, product_id, day, units) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![sale_id, n as i64, l.outlet_id, l.product_id, l.day, l.units.to_string()],
            )?;
            touched.push((l.outlet_id.clone(), l.product_id.clone()));
        }
        touched.sort();
        touched.dedup();
        Ok(touched)
    }

    fn daily_sales(
        &mut self,
        outlet_id: &str,
        product_id: &str,
        since: &str,
    ) -> StoreResult<Vec<(String, Decimal)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT day, units FROM sale_line WHERE outlet_id = ?1 AND product_id = ?2 AND day >= ?3 ORDER BY day",
        )?;
        let rows = stmt.query_map(params![outlet_id, product_id, since], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out: Vec<(String, Decimal)> = Vec::new();
        for r in rows {
            let (day, units) = r?;
            let units = dec(&units)?;
            match out.last_mut() {
                Some((d, u)) if *d == day => *u += units,
                _ => out.push((day, units)),
            }
        }
        Ok(out)
    }

    fn prune_sales_before(&mut self, day: &str) -> StoreResult<()> {
        self.exec("DELETE FROM sale_line WHERE day < ?1", [day])?;
        Ok(())
    }
}

type RawBox = (
    String,
    u32,
    String,
    bool,
    Option<u32>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn raw_box(r: &Row<'_>) -> rusqlite::Result<RawBox> {
    r.try_into()
}

fn parcel_row(raw: RawBox) -> StoreResult<BoxRow> {
    Ok(BoxRow {
        id: uuid(&raw.0)?,
        number: raw.1,
        container: raw.2,
        closed: raw.3,
        weight_grams: raw.4,
        weight_source: raw.5.as_deref().map(json).transpose()?,
        dimensions: raw.6.as_deref().map(json).transpose()?,
        tracking_number: raw.7,
    })
}
