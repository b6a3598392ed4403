//! Applying data pulled from the hub: catalog, staff, consignments (versioned) and
//! other stations' scan events, together with the new pull cursor in ONE transaction,
//! so a crash never leaves the cursor ahead of the data.
//!
//! Pulled rows are not audited here (the hub audits them) and make no outbox rows.
//! Versioned rows only move forward: a row older than the stored one is ignored, so a
//! replayed or reordered page is harmless.

use serde::{Deserialize, Serialize};

use crate::catalog::{upsert_outlet, upsert_product, upsert_supplier, Outlet, Product, Supplier};
use crate::consignment::{write_header, write_line, Consignment, ConsignmentLine};
use crate::error::{Result, StoreError};
use crate::parcel::{write_parcel, Parcel};
use crate::scan::{insert_event, ScanEvent, ScanOrigin};
use crate::sql::{ms, now};
use crate::staff::{upsert_staff, StaffRecord};
use crate::store::{meta_get, meta_set, meta_set_time, Store};

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
                upsert_product(tx, p, stamp)?;
            }
            for pc in &changes.consignments {
                let ours: Option<i64> = {
                    use rusqlite::OptionalExtension;
                    tx.query_row(
                        "SELECT version FROM consignments WHERE id = ?1",
                        [pc.consignment.id.to_string()],
                        |r| r.get(0),
                    )
                    .optional()?
                };
                // Our own changes still waiting to reach the hub win over the hub's older
                // view: the hub's version numbers are its own, so a hub-side change (a
                // Lightspeed id, a saga step) can carry a higher version than our local
                // edit and would otherwise undo it on screen until the push lands. The
                // hub's state comes back once it has applied (or refused) the change.
                let pending = has_pending_changes(tx, pc.consignment.id)?;
                if pending {
                    // Boxes other stations opened are still needed by their scan events.
                    for b in &pc.boxes {
                        if b.consignment_id == pc.consignment.id && !box_exists(tx, b.id)? {
                            write_parcel(tx, b)?;
                        }
                    }
                    report.consignments_skipped += 1;
                    continue;
                }
                if ours.is_some_and(|v| v > pc.consignment.version) {
                    report.consignments_skipped += 1;
                    continue;
                }
                write_header(tx, &pc.consignment)?;
                report.consignments_applied += 1;
                for l in &pc.lines {
                    if l.consignment_id != pc.consignment.id {
                        return Err(StoreError::bad_input(
                            "pulled line",
                            format!(
                                "line {} is not part of consignment {}",
                                l.id, pc.consignment.id
                            ),
                        ));
                    }
                    let ours: Option<i64> = {
                        use rusqlite::OptionalExtension;
                        tx.query_row(
                            "SELECT version FROM consignment_lines WHERE id = ?1",
                            [l.id.to_string()],
                            |r| r.get(0),
                        )
                        .optional()?
                    };
                    if ours.is_none_or(|v| v <= l.version) {
                        write_line(tx, l)?;
                    }
                }
                for b in &pc.boxes {
                    if b.consignment_id != pc.consignment.id {
                        return Err(StoreError::bad_input(
                            "pulled box",
                            format!(
                                "box {} is not part of consignment {}",
                                b.id, pc.consignment.id
                            ),
                        ));
                    }
                    write_parcel(tx, b)?;
                }
            }
            for e in &changes.scan_events {
                let remote = ScanEvent {
                    origin: ScanOrigin::Remote,
                    mutation_id: None,
                    ..e.clone()
                };
                report.scan_events_added += insert_event(tx, &remote)? as u64;
            }
            meta_set(tx, CURSOR_KEY, &cursor.to_string())?;
            meta_set_time(tx, "last_sync_at", at)?;
            Ok(report)
        })
    }
}

/// Whether this station has changes to the consignment not yet answered by the hub.
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
