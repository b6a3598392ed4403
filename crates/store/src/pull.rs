//! Applying data pulled from the hub: catalog, staff, consignments (versioned) and
//! other stations' scan events, together with the new pull cursor in ONE transaction,
//! so a crash never leaves the cursor ahead of the data.
//!
//! Pulled rows are not audited here (the hub audits them) and make no outbox rows.
//! Versioned rows only move forward: a row older than the stored one is ignored, so a
//! replayed or reordered page is harmless.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::catalog::{upsert_outlet, upsert_product, upsert_supplier, Outlet, Product, Supplier};
use crate::consignment::{write_header, write_line, Consignment, ConsignmentLine};
use crate::error::{Result, StoreError};
use crate::parcel::{write_pulled_parcel, Parcel};
use crate::scan::{insert_event, ScanEvent, ScanOrigin};
use crate::sql::{ms, now};
use crate::staff::{upsert_staff, StaffRecord};
use crate::store::{meta_get, meta_set, meta_set_time, Store};
use crate::supplier_return::{write_history, write_pulled_details, HubHistoryEntry, ReturnDetails};

const CURSOR_KEY: &str = "pull_cursor";

/// A consignment with its lines as the hub sends it. Lines absent from `lines` are
/// left alone; the hub sends removed lines with `deleted = true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledConsignment {
    /// Header.
    pub consignment: Consignment,
    /// Changed lines.
    pub lines: Vec<ConsignmentLine>,
    /// Its boxes as the hub knows them (scan events may point at them).
    #[serde(default)]
    pub boxes: Vec<Parcel>,
}

/// One page of changes from `GET /sync/pull`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledChanges {
    /// Outlets.
    pub outlets: Vec<Outlet>,
    /// Suppliers.
    pub suppliers: Vec<Supplier>,
    /// Staff (with PIN hashes).
    pub staff: Vec<StaffRecord>,
    /// Products with their barcodes.
    pub products: Vec<Product>,
    /// Consignments with changed lines.
    pub consignments: Vec<PulledConsignment>,
    /// Other stations' scan events (own events come back too and are ignored).
    pub scan_events: Vec<ScanEvent>,
    /// Supplier returns' authorisation numbers, reasons and credits (applied like their
    /// consignment: not while this station has changes to it on their way).
    #[serde(default)]
    pub supplier_returns: Vec<ReturnDetails>,
    /// The hub's history of consignments (for timelines).
    #[serde(default)]
    pub history: Vec<HubHistoryEntry>,
    /// Stock facts of this station's outlet.
    #[serde(default)]
    pub stock: Vec<crate::stock::StockFacts>,
}

/// What a pull changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullReport {
    /// Consignment headers written (newer than ours).
    pub consignments_applied: u64,
    /// Consignment headers skipped (ours was newer or equal... see `apply_pulled`).
    pub consignments_skipped: u64,
    /// Scan events added.
    pub scan_events_added: u64,
}

impl Store {
    /// The cursor to send with the next pull (`None` before the first).
    pub fn pull_cursor(&self) -> Result<Option<i64>> {
        self.read(|c| {
            meta_get(c, CURSOR_KEY)?
                .map(|s| {
                    s.parse::<i64>()
                        .map_err(|_| StoreError::decode(format!("pull cursor '{s}'")))
                })
                .transpose()
        })
    }

    /// Applies one page of pulled changes and stores `cursor`, all in one transaction.
    /// A consignment header is replaced when the pulled version is >= ours (the hub is
    /// the authority; our own pending change comes back with a higher version once the
    /// hub has applied it). Lines are upserted by id under the same rule.
    pub fn apply_pulled(&self, changes: &PulledChanges, cursor: i64) -> Result<PullReport> {
        let at = now();
        let stamp = ms(at);
        self.write_local(|tx| {
            let mut report = PullReport::default();
            for o in &changes.outlets {
                upsert_outlet(tx, o, stamp)?;
            }
            for s in &changes.suppliers {
                upsert_supplier(tx, s, stamp)?;
            }
            for s in &changes.staff {
                upsert_staff(tx, s, stamp)?;
            }
            for p in &changes.products {
                upsert_pulled_product(tx, p, stamp)?;
            }
            link_suppliers_that_arrived(tx)?;
            for s in &changes.stock {
                crate::stock::write_stock(tx, s, stamp)?;
            }
            for pc in &changes.consignments {
                write_consignment(tx, pc, Replace::IfNewer, &mut report)?;
            }
            for d in &changes.supplier_returns {
                if !has_pending_changes(tx, d.consignment_id)? {
                    write_pulled_details(tx, d)?;
                }
            }
            write_history(tx, &changes.history)?;
            report.scan_events_added += insert_remote_events(tx, &changes.scan_events)?;
            meta_set(tx, CURSOR_KEY, &cursor.to_string())?;
            meta_set_time(tx, "last_sync_at", at)?;
            Ok(report)
        })
    }
}

/// A pulled product keeps its supplier in `supplier_ref` whatever happens; the
/// `supplier_id` link (a foreign key) is set only once that supplier is here, so a
/// supplier that comes in a later page never fails this one.
fn upsert_pulled_product(tx: &rusqlite::Transaction<'_>, p: &Product, at: i64) -> Result<()> {
    let known = match p.supplier_id {
        Some(s) => tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM suppliers WHERE id = ?1)")?
            .query_row([s.to_string()], |r| r.get::<_, bool>(0))?,
        None => true,
    };
    let row = Product {
        supplier_id: p.supplier_id.filter(|_| known),
        ..p.clone()
    };
    upsert_product(tx, &row, at)?;
    tx.execute(
        "UPDATE products SET supplier_ref = ?2 WHERE id = ?1 AND version = ?3",
        params![
            p.id.to_string(),
            p.supplier_id.map(|s| s.to_string()),
            p.version
        ],
    )?;
    Ok(())
}

/// Links products to suppliers that reached this station after them.
fn link_suppliers_that_arrived(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    tx.execute(
        "UPDATE products SET supplier_id = supplier_ref
         WHERE supplier_id IS NULL AND supplier_ref IN (SELECT id FROM suppliers)",
        [],
    )?;
    Ok(())
}

/// What a refresh of one consignment did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refreshed {
    /// The hub's view replaced ours.
    Replaced,
    /// The hub never accepted the consignment: it is cancelled here.
    NotAtHub,
    /// Other changes of the consignment are still queued or refused and undecided;
    /// the refresh waits for them.
    Waiting,
}

impl Store {
    /// Records how far Lightspeed is with these consignments, as the hub said
    /// (`pending`, `done`, `refused`, `not_sent`); unknown words are ignored.
    pub fn set_lightspeed_states(&self, states: &[(uuid::Uuid, String)]) -> Result<()> {
        if states.is_empty() {
            return Ok(());
        }
        let at = ms(now());
        self.write_local(|tx| {
            for (id, state) in states {
                if !matches!(state.as_str(), "pending" | "done" | "refused" | "not_sent") {
                    continue;
                }
                tx.execute(
                    "INSERT INTO consignment_lightspeed (consignment_id, state, updated_at)
                     VALUES (?1, ?2, ?3)
                     ON CONFLICT (consignment_id) DO UPDATE SET state = excluded.state,
                         updated_at = excluded.updated_at",
                    params![id.to_string(), state, at],
                )?;
            }
            Ok(())
        })
    }

    /// How far Lightspeed is with a consignment, if the hub has said.
    pub fn lightspeed_state(&self, id: uuid::Uuid) -> Result<Option<String>> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT state FROM consignment_lightspeed WHERE consignment_id = ?1",
            )?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?)
        })
    }

    /// Consignments to replace with the hub's view, oldest request first.
    pub fn consignments_to_refresh(&self) -> Result<Vec<uuid::Uuid>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT consignment_id FROM consignment_refresh ORDER BY requested_at, consignment_id",
            )?;
            let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
            ids.map(|id| crate::sql::parse_uuid(&id?)).collect()
        })
    }

    /// Of those, the ones with no change left unanswered or undecided: ready now.
    pub fn consignments_ready_to_refresh(&self) -> Result<Vec<uuid::Uuid>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT r.consignment_id FROM consignment_refresh r
                 WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.consignment_id = r.consignment_id
                                    AND o.state IN ('pending', 'in_flight', 'needs_attention'))
                 ORDER BY r.requested_at, r.consignment_id",
            )?;
            let ids = stmt.query_map([], |r| r.get::<_, String>(0))?;
            ids.map(|id| crate::sql::parse_uuid(&id?)).collect()
        })
    }

    /// Replaces the station's view of consignment `id` with the hub's (`changes` as
    /// `GET /sync/consignment` answered), in one transaction that also drops the
    /// request. Waits while the consignment has changes the hub has not answered or
    /// that a person has not decided on yet.
    pub fn refresh_consignment(
        &self,
        id: uuid::Uuid,
        changes: &PulledChanges,
    ) -> Result<Refreshed> {
        self.write_local(|tx| {
            if has_unsettled_changes(tx, id)? {
                return Ok(Refreshed::Waiting);
            }
            let outcome = match changes.consignments.iter().find(|pc| pc.consignment.id == id) {
                Some(pc) => {
                    write_consignment(tx, pc, Replace::Always, &mut PullReport::default())?;
                    insert_remote_events(tx, &changes.scan_events)?;
                    for d in changes.supplier_returns.iter().filter(|d| d.consignment_id == id) {
                        write_pulled_details(tx, d)?;
                    }
                    write_history(tx, &changes.history)?;
                    Refreshed::Replaced
                }
                None => {
                    tx.execute(
                        "UPDATE consignments SET status = 'cancelled', updated_at = ?2 WHERE id = ?1",
                        params![id.to_string(), ms(now())],
                    )?;
                    Refreshed::NotAtHub
                }
            };
            tx.execute(
                "DELETE FROM consignment_refresh WHERE consignment_id = ?1",
                [id.to_string()],
            )?;
            Ok(outcome)
        })
    }
}

/// Whether the consignment has changes queued, on their way, or refused and undecided.
fn has_unsettled_changes(c: &rusqlite::Connection, id: uuid::Uuid) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE consignment_id = ?1
                         AND state IN ('pending', 'in_flight', 'needs_attention'))",
    )?
    .query_row([id.to_string()], |r| r.get(0))?)
}

/// How a pulled consignment meets the station's own view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replace {
    /// A regular pull: only newer versions replace ours, lines and boxes are upserted.
    IfNewer,
    /// A refresh after a discarded change: the hub's view replaces ours whatever the
    /// versions; lines and empty boxes the hub does not have are removed.
    Always,
}

fn write_consignment(
    tx: &rusqlite::Transaction<'_>,
    pc: &PulledConsignment,
    mode: Replace,
    report: &mut PullReport,
) -> Result<()> {
    let id = pc.consignment.id;
    // Our own changes still waiting to reach the hub win over the hub's older view:
    // the hub's version numbers are its own, so a hub-side change (a Lightspeed id, a
    // saga step) can carry a higher version than our local edit and would otherwise
    // undo it on screen until the push lands. The hub's state comes back once it has
    // applied (or refused) the change.
    if has_pending_changes(tx, id)? {
        // Boxes other stations opened are still needed by their scan events.
        for b in &pc.boxes {
            if b.consignment_id == id && !box_exists(tx, b.id)? {
                write_pulled_parcel(tx, b)?;
            }
        }
        // The cursor moves past this view. If our changes turn out to be ones the hub
        // already had (an answer lost on the way), the hub changes nothing and would
        // never send it again: fetch its whole view once they are all answered.
        request_refresh(tx, id, now())?;
        report.consignments_skipped += 1;
        return Ok(());
    }
    let ours: Option<i64> = tx
        .query_row(
            "SELECT version FROM consignments WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    if mode == Replace::IfNewer && ours.is_some_and(|v| v > pc.consignment.version) {
        report.consignments_skipped += 1;
        return Ok(());
    }
    write_header(tx, &pc.consignment)?;
    report.consignments_applied += 1;
    for l in &pc.lines {
        if l.consignment_id != id {
            return Err(StoreError::bad_input(
                "pulled line",
                format!("line {} is not part of consignment {id}", l.id),
            ));
        }
        let ours: Option<i64> = tx
            .query_row(
                "SELECT version FROM consignment_lines WHERE id = ?1",
                [l.id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        if mode == Replace::Always || ours.is_none_or(|v| v <= l.version) {
            write_line(tx, l)?;
        }
    }
    for b in &pc.boxes {
        if b.consignment_id != id {
            return Err(StoreError::bad_input(
                "pulled box",
                format!("box {} is not part of consignment {id}", b.id),
            ));
        }
        write_pulled_parcel(tx, b)?;
    }
    if mode == Replace::Always {
        drop_what_the_hub_lacks(tx, pc)?;
    }
    Ok(())
}

/// Lines the hub does not have are marked deleted; boxes it does not have go when no
/// scan event points at them (a box with scans stays, its scans compensated).
fn drop_what_the_hub_lacks(tx: &rusqlite::Transaction<'_>, pc: &PulledConsignment) -> Result<()> {
    let id = pc.consignment.id.to_string();
    let keep_lines: Vec<String> = pc.lines.iter().map(|l| l.id.to_string()).collect();
    let keep_boxes: Vec<String> = pc.boxes.iter().map(|b| b.id.to_string()).collect();
    let lines = serde_json::to_string(&keep_lines)?;
    let boxes = serde_json::to_string(&keep_boxes)?;
    tx.execute(
        "UPDATE consignment_lines SET deleted = 1
         WHERE consignment_id = ?1 AND deleted = 0
           AND id NOT IN (SELECT value FROM json_each(?2))",
        params![id, lines],
    )?;
    tx.execute(
        "DELETE FROM boxes
         WHERE consignment_id = ?1 AND id NOT IN (SELECT value FROM json_each(?2))
           AND NOT EXISTS (SELECT 1 FROM scan_events e WHERE e.box_id = boxes.id)",
        params![id, boxes],
    )?;
    Ok(())
}

fn insert_remote_events(tx: &rusqlite::Transaction<'_>, events: &[ScanEvent]) -> Result<u64> {
    let mut added = 0;
    for e in events {
        let remote = ScanEvent {
            origin: ScanOrigin::Remote,
            mutation_id: None,
            ..e.clone()
        };
        added += insert_event(tx, &remote)? as u64;
    }
    Ok(added)
}

/// Whether this station has changes to the consignment not yet answered by the hub.
/// Queues consignment `id` to be replaced by the hub's view (see `refresh_consignment`).
pub(crate) fn request_refresh(
    c: &rusqlite::Connection,
    id: uuid::Uuid,
    at: time::OffsetDateTime,
) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO consignment_refresh (consignment_id, requested_at)
         VALUES (?1, ?2) ON CONFLICT (consignment_id) DO NOTHING",
    )?
    .execute(params![id.to_string(), ms(at)])?;
    Ok(())
}

fn has_pending_changes(c: &rusqlite::Connection, id: uuid::Uuid) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE consignment_id = ?1
                         AND state IN ('pending', 'in_flight'))",
    )?
    .query_row([id.to_string()], |r| r.get(0))?)
}

/// Whether a box is already in the store.
fn box_exists(c: &rusqlite::Connection, id: uuid::Uuid) -> Result<bool> {
    Ok(
        c.prepare_cached("SELECT EXISTS (SELECT 1 FROM boxes WHERE id = ?1)")?
            .query_row([id.to_string()], |r| r.get(0))?,
    )
}
