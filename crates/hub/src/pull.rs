//! Serving pulls: rows changed since a cursor that the device's outlet may see.

use tally_domain::ConsignmentKind;
use tally_sync::protocol::pull::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT};
use tally_sync::{Change, ConsignmentRow, PullResponse, Row, SnapshotResponse, PROTOCOL_VERSION};
use uuid::Uuid;

use crate::rules;
use std::collections::HashSet;

use crate::store::{read_with, DeviceRecord, Entity, HubStore, HubTx, SagaState, StoreResult};

/// Most change-log entries examined for one page, so a device that sees little
/// of a busy log still gets a quick answer (it continues from `next_cursor`).
const SCAN_BUDGET_PAGES: u32 = 10;

/// A page of changes after `cursor` visible to `device`.
pub fn pull(
    store: &dyn HubStore,
    device: &DeviceRecord,
    cursor: u64,
    limit: Option<u32>,
) -> StoreResult<PullResponse> {
    let limit = limit.unwrap_or(DEFAULT_PULL_LIMIT).clamp(1, MAX_PULL_LIMIT);
    read_with(store, |tx| {
        let mut changes = Vec::new();
        let mut next = cursor;
        let mut examined = 0u32;
        let budget = limit.saturating_mul(SCAN_BUDGET_PAGES);
        loop {
            let batch = tx.changes_after(next, limit)?;
            let exhausted = (batch.len() as u32) < limit;
            for entry in batch {
                examined += 1;
                next = entry.seq;
                if let Some(row) = visible_row(tx, device, entry.entity, &entry.entity_id)? {
                    changes.push(Change {
                        seq: entry.seq,
                        row,
                    });
                    if changes.len() as u32 >= limit {
                        // Whether more follow is only known by looking; say yes and
                        // let the next (possibly empty) page settle it.
                        return finish(tx, device, changes, next, true);
                    }
                }
            }
            if exhausted {
                return finish(tx, device, changes, next, false);
            }
            if examined >= budget {
                return finish(tx, device, changes, next, true);
            }
        }
    })
}

/// The page, made to stand on its own: a station applies a page in one transaction
/// whose references must hold. The change log keeps each row once, at its latest
/// change, so a row that a consignment or a scan refers to may have moved past this
/// page (a product Lightspeed changed after the transfer was made, a consignment
/// changed after its scans). Such rows come with this page as well; they come again
/// at their own place in the log, which a station applies as the same row.
fn finish(
    tx: &mut dyn HubTx,
    device: &DeviceRecord,
    mut changes: Vec<Change>,
    next_cursor: u64,
    has_more: bool,
) -> StoreResult<PullResponse> {
    let mut sent: HashSet<(Entity, String)> = changes.iter().map(|c| row_key(&c.row)).collect();
    // Consignments first: their rows name more products, outlets and the supplier.
    let scanned: Vec<(Entity, String)> = changes
        .iter()
        .filter_map(|c| match &c.row {
            Row::ScanEvent(e) => Some((Entity::Consignment, e.consignment_id.to_string())),
            _ => None,
        })
        .collect();
    add_later_rows(tx, device, &mut changes, &mut sent, next_cursor, scanned)?;
    let mut referenced: Vec<(Entity, String)> = Vec::new();
    for c in &changes {
        match &c.row {
            Row::Consignment(c) => {
                let outlets = [&c.source_outlet_id, &c.destination_outlet_id];
                let outlets = outlets.into_iter().flatten();
                referenced.extend(outlets.map(|o| (Entity::Outlet, o.clone())));
                referenced.extend(c.supplier_id.iter().map(|s| (Entity::Supplier, s.clone())));
                let products = c
                    .lines
                    .iter()
                    .map(|l| (Entity::Product, l.product_id.clone()));
                referenced.extend(products);
            }
            Row::ScanEvent(e) => referenced.push((Entity::Product, e.product_id.clone())),
            Row::Staff(s) => {
                referenced.extend(s.outlet_id.iter().map(|o| (Entity::Outlet, o.clone())))
            }
            _ => {}
        }
    }
    // The station applies a page's rows kind by kind (outlets, suppliers, products,
    // then consignments), so where they sit in the list does not matter.
    add_later_rows(tx, device, &mut changes, &mut sent, next_cursor, referenced)?;
    Ok(page(changes, next_cursor, has_more))
}

/// Adds the rows named in `wanted` that the station has not had yet and would only get
/// after this page (their latest change lies beyond `next_cursor`).
fn add_later_rows(
    tx: &mut dyn HubTx,
    device: &DeviceRecord,
    changes: &mut Vec<Change>,
    sent: &mut HashSet<(Entity, String)>,
    next_cursor: u64,
    wanted: Vec<(Entity, String)>,
) -> StoreResult<()> {
    for (entity, id) in wanted {
        if !sent.insert((entity, id.clone())) {
            continue;
        }
        let Some(seq) = tx.change_seq(entity, &id)?.filter(|s| *s > next_cursor) else {
            continue;
        };
        if let Some(row) = visible_row(tx, device, entity, &id)? {
            changes.push(Change { seq, row });
        }
    }
    Ok(())
}

fn row_key(row: &Row) -> (Entity, String) {
    match row {
        Row::Product(p) => (Entity::Product, p.id.clone()),
        Row::Supplier(s) => (Entity::Supplier, s.id.clone()),
        Row::Outlet(o) => (Entity::Outlet, o.id.clone()),
        Row::Staff(s) => (Entity::Staff, s.id.clone()),
        Row::Consignment(c) => (Entity::Consignment, c.id.to_string()),
        Row::ScanEvent(e) => (Entity::ScanEvent, e.id.to_string()),
        Row::Stock(s) => (
            Entity::Stock,
            crate::store::StockLevel::key(&s.outlet_id, &s.product_id),
        ),
    }
}

fn page(changes: Vec<Change>, next_cursor: u64, has_more: bool) -> PullResponse {
    PullResponse {
        protocol: PROTOCOL_VERSION,
        changes,
        next_cursor,
        has_more,
        reference_block: None,
        policies: None,
        freight_tracking: None,
    }
}

fn visible_row(
    tx: &mut dyn HubTx,
    device: &DeviceRecord,
    entity: Entity,
    id: &str,
) -> StoreResult<Option<Row>> {
    Ok(match entity {
        Entity::Product => tx.product(id)?.map(Row::Product),
        Entity::Supplier => tx.supplier(id)?.map(Row::Supplier),
        Entity::Outlet => tx.outlet(id)?.map(Row::Outlet),
        Entity::Staff => tx.staff(id)?.and_then(|s| {
            let here = s.outlet_id.as_deref() == Some(device.outlet_id.as_str());
            (here || rules::is_chain_role(s.role)).then_some(Row::Staff(s))
        }),
        Entity::ScanEvent => {
            let Ok(eid) = Uuid::parse_str(id) else {
                return Ok(None);
            };
            match tx.scan_event(eid)? {
                Some(e) => tx
                    .consignment(e.consignment_id)?
                    .filter(|h| h.involves(&device.outlet_id))
                    .map(|_| Row::ScanEvent(e)),
                None => None,
            }
        }
        Entity::Consignment => {
            let Ok(cid) = Uuid::parse_str(id) else {
                return Ok(None);
            };
            consignment_row(tx, cid)?
                .filter(|c| visible(c, device))
                .map(|c| Row::Consignment(Box::new(c)))
        }
        // Stock facts go only to the outlet's own stations.
        Entity::Stock => match crate::store::StockLevel::parse_key(id) {
            Some((outlet, product)) if outlet == device.outlet_id => {
                crate::stock::stock_row(tx, outlet, product, time::OffsetDateTime::now_utc())?
                    .map(Row::Stock)
            }
            _ => None,
        },
    })
}

/// Whether a station may see a consignment: its outlet's, and every purchase order of
/// the chain (chain roles, who sign in at any station, approve any outlet's orders; the
/// station's own lists still show only its outlet's).
fn visible(c: &ConsignmentRow, device: &DeviceRecord) -> bool {
    let here = Some(device.outlet_id.as_str());
    c.source_outlet_id.as_deref() == here
        || c.destination_outlet_id.as_deref() == here
        || c.kind == tally_domain::ConsignmentKind::PurchaseOrder
}

/// One consignment with all its scan events, when `device`'s outlet is part of it.
pub fn snapshot(
    store: &dyn HubStore,
    device: &DeviceRecord,
    id: Uuid,
) -> StoreResult<SnapshotResponse> {
    read_with(store, |tx| {
        let Some(c) = consignment_row(tx, id)?.filter(|c| visible(c, device)) else {
            return Ok(SnapshotResponse {
                protocol: PROTOCOL_VERSION,
                consignment: None,
                scan_events: Vec::new(),
            });
        };
        let mut scan_events = Vec::new();
        for event in tx.scan_event_ids(id)? {
            scan_events.extend(tx.scan_event(event)?);
        }
        Ok(SnapshotResponse {
            protocol: PROTOCOL_VERSION,
            consignment: Some(c),
            scan_events,
        })
    })
}

/// How far Lightspeed is with a consignment: `pending`, `refused`, `not_sent`, or
/// `done` when there is something at Lightspeed that matches (a draft may have nothing).
pub fn lightspeed_state(
    tx: &mut dyn HubTx,
    id: Uuid,
    at_lightspeed: bool,
) -> StoreResult<Option<String>> {
    Ok(tx.saga(id)?.and_then(|s| {
        match s.state {
            SagaState::Pending => Some("pending"),
            SagaState::Dead => Some("refused"),
            SagaState::Done if s.last_error.is_some() => Some("not_sent"),
            SagaState::Done => at_lightspeed.then_some("done"),
        }
        .map(str::to_string)
    }))
}

/// A consignment with its lines, boxes and approvals as the hub has it now.
pub fn consignment_row(tx: &mut dyn HubTx, id: Uuid) -> StoreResult<Option<ConsignmentRow>> {
    let Some(h) = tx.consignment(id)? else {
        return Ok(None);
    };
    let lightspeed_state = lightspeed_state(tx, id, h.lightspeed_id.is_some())?;
    let supplier_return = match h.kind {
        ConsignmentKind::SupplierReturn => tx.supplier_return(id)?,
        _ => None,
    };
    // Timelines are shown for orders and returns; scans come as scan events.
    let history = match h.kind {
        ConsignmentKind::PurchaseOrder | ConsignmentKind::SupplierReturn => tx
            .history(id)?
            .into_iter()
            .filter(|e| e.kind != "scan_recorded")
            .collect(),
        _ => Vec::new(),
    };
    Ok(Some(ConsignmentRow {
        supplier_return,
        history,
        lightspeed_state,
        lines: tx.lines(id)?,
        boxes: tx.boxes(id)?,
        approvals: tx.approvals(id)?,
        removed_lines: tx.removed_lines(id)?,
        id: h.id,
        kind: h.kind,
        status: h.status,
        reference: h.reference,
        source_outlet_id: h.source_outlet_id,
        destination_outlet_id: h.destination_outlet_id,
        supplier_id: h.supplier_id,
        lightspeed_id: h.lightspeed_id,
        version: h.version,
        created_by: h.created_by,
        last_edited_by: h.last_edited_by,
        created_at: h.created_at,
        updated_at: h.updated_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::store::write_with;
    use crate::testing::*;

    fn all_pages(
        f: &Fixture,
        device: &DeviceRecord,
        mut cursor: u64,
        limit: u32,
    ) -> (Vec<Change>, u64, usize) {
        let mut out = Vec::new();
        let mut pages = 0;
        loop {
            let page = pull(&*f.store, device, cursor, Some(limit)).unwrap();
            pages += 1;
            assert!(page.next_cursor >= cursor, "the cursor never moves back");
            cursor = page.next_cursor;
            out.extend(page.changes);
            if !page.has_more {
                return (out, cursor, pages);
            }
        }
    }

    #[test]
    fn pull_pages_through_everything_then_only_what_changed() {
        let f = Fixture::new();
        let (rows, cursor, pages) = all_pages(&f, &f.dev_a1, 0, 5);
        // 2 outlets, 1 supplier, 5 products, 3 staff of outlet A, 1 director.
        assert_eq!(rows.len(), 12);
        assert!(pages >= 3);
        assert!(rows.windows(2).all(|w| w[0].seq < w[1].seq));
        let (none, same, _) = all_pages(&f, &f.dev_a1, cursor, 5);
        assert!(none.is_empty());
        assert_eq!(same, cursor);

        let mut p = match &rows
            .iter()
            .find(|c| matches!(c.row, Row::Product(_)))
            .unwrap()
            .row
        {
            Row::Product(p) => p.clone(),
            _ => unreachable!(),
        };
        p.name = "Renamed".into();
        write_with(&*f.store, |tx| catalog::put_product(tx, &p)).unwrap();
        let (changed, _, _) = all_pages(&f, &f.dev_a1, cursor, 5);
        assert_eq!(changed.len(), 1);
        assert!(matches!(&changed[0].row, Row::Product(q) if q.name == "Renamed"));
    }

    #[test]
    fn a_snapshot_is_the_whole_consignment_with_its_scans_for_stations_that_may_see_it() {
        let mut f = Fixture::new();
        let t = Uuid::now_v7();
        let po = Uuid::now_v7();
        let a1 = f.dev_a1.clone();
        f.push(
            &a1,
            STAFF_A,
            vec![
                transfer(t, &[(1, 2), (2, 1)]),
                purchase_order(po, &[(0, 1)]),
                go(
                    t,
                    tally_domain::ConsignmentStatus::Draft,
                    tally_domain::ConsignmentStatus::Packing,
                ),
                pack(t, 1, 1, &a1),
                pack(t, 2, 1, &a1),
            ],
        );
        let snap = snapshot(&*f.store, &a1, t).unwrap();
        let c = snap.consignment.as_ref().expect("A sends it");
        assert_eq!(c.lines.len(), 2);
        assert_eq!(snap.scan_events.len(), 2);
        assert!(snap.scan_events.iter().all(|e| e.consignment_id == t));
        assert_eq!(snap.changes().len(), 3, "the header and two scans");

        // B receives the transfer and may see it, and the chain's orders; an id nobody
        // knows is simply absent.
        assert!(snapshot(&*f.store, &f.dev_b, t)
            .unwrap()
            .consignment
            .is_some());
        assert!(snapshot(&*f.store, &f.dev_b, po)
            .unwrap()
            .consignment
            .is_some());
        let unknown = snapshot(&*f.store, &a1, Uuid::now_v7()).unwrap();
        assert!(unknown.consignment.is_none() && unknown.changes().is_empty());
    }

    #[test]
    fn an_outlet_sees_its_own_consignments_the_chains_orders_and_its_staff() {
        let mut f = Fixture::new();
        let po = Uuid::now_v7();
        let t = Uuid::now_v7();
        let a1 = f.dev_a1.clone();
        f.push(
            &a1,
            STAFF_A,
            vec![purchase_order(po, &[(0, 1)]), transfer(t, &[(1, 2)])],
        );
        let ids = |rows: &[Change]| -> Vec<String> {
            rows.iter()
                .filter_map(|c| match &c.row {
                    Row::Consignment(c) => Some(c.id.to_string()),
                    Row::Staff(s) => Some(s.id.clone()),
                    _ => None,
                })
                .collect()
        };
        let (b_rows, _, _) = all_pages(&f, &f.dev_b, 0, 100);
        let b = ids(&b_rows);
        assert!(b.contains(&t.to_string()), "B receives the transfer");
        assert!(
            b.contains(&po.to_string()),
            "purchase orders are chain-wide: a director at B approves A's"
        );
        assert!(b.contains(&STAFF_B.to_string()) && b.contains(&DIRECTOR.to_string()));
        assert!(!b.contains(&STAFF_A.to_string()));
        let (a_rows, _, _) = all_pages(&f, &f.dev_a1, 0, 100);
        assert!(ids(&a_rows).contains(&po.to_string()));
    }

    #[test]
    fn a_consignment_row_carries_line_totals() {
        let mut f = Fixture::new();
        let t = Uuid::now_v7();
        let a1 = f.dev_a1.clone();
        f.push(
            &a1,
            STAFF_A,
            vec![
                transfer(t, &[(1, 2)]),
                go(
                    t,
                    tally_domain::ConsignmentStatus::Draft,
                    tally_domain::ConsignmentStatus::Packing,
                ),
                pack(t, 1, 2, &a1),
            ],
        );
        let (rows, _, _) = all_pages(&f, &f.dev_b, 0, 100);
        let c = rows
            .iter()
            .find_map(|c| match &c.row {
                Row::Consignment(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(c.lines[0].packed_qty, rust_decimal::Decimal::from(2));
        assert_eq!(c.version, 3);
    }
}

#[cfg(test)]
mod scan_event_tests {
    use super::*;
    use crate::testing::*;
    use tally_domain::ConsignmentStatus as S;

    #[test]
    fn other_stations_scan_events_are_pulled_so_counts_agree() {
        let mut f = Fixture::new();
        let t = Uuid::now_v7();
        let (a1, a2) = (f.dev_a1.clone(), f.dev_a2.clone());
        f.push(
            &a1,
            STAFF_A,
            vec![transfer(t, &[(0, 3)]), go(t, S::Draft, S::Packing)],
        );
        f.push(&a1, STAFF_A, vec![pack(t, 0, 2, &a1)]);
        let page = pull(&*f.store, &a2, 0, Some(100)).unwrap();
        let events: Vec<_> = page
            .changes
            .iter()
            .filter_map(|c| match &c.row {
                Row::ScanEvent(e) => Some(e.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].delta, rust_decimal::Decimal::from(2));
        assert_eq!(events[0].device_id, a1.id);
        let other_outlet = pull(&*f.store, &f.dev_b.clone(), 0, Some(100)).unwrap();
        assert!(
            other_outlet
                .changes
                .iter()
                .any(|c| matches!(c.row, Row::ScanEvent(_))),
            "the receiving outlet sees the transfer's events too"
        );
    }
}

#[cfg(test)]
mod removed_line_tests {
    use super::*;
    use crate::testing::*;
    use tally_sync::{LineRemoved, Mutation};

    #[test]
    fn a_removed_line_is_pulled_as_removed_so_other_stations_drop_it() {
        let mut f = Fixture::new();
        let t = Uuid::now_v7();
        let a1 = f.dev_a1.clone();
        f.push(&a1, STAFF_A, vec![transfer(t, &[(0, 3), (1, 1)])]);
        let line_id = f.consignment(t).lines[1].line_id;
        let out = f.push(
            &a1,
            STAFF_A,
            vec![Mutation::LineRemoved(LineRemoved {
                consignment_id: t,
                product_id: product(1),
            })],
        );
        assert_eq!(out[0], tally_sync::MutationOutcome::Applied);
        let page = pull(&*f.store, &f.dev_a2.clone(), 0, Some(100)).unwrap();
        let c = page
            .changes
            .iter()
            .find_map(|c| match &c.row {
                Row::Consignment(c) => Some(c.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(c.lines.len(), 1);
        assert_eq!(c.removed_lines.len(), 1);
        assert_eq!(c.removed_lines[0].line_id, line_id);
    }
}
