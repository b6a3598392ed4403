//! Serving pulls: rows changed since a cursor that the device's outlet may see.

use tally_sync::protocol::pull::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT};
use tally_sync::{Change, ConsignmentRow, PullResponse, Row, PROTOCOL_VERSION};
use uuid::Uuid;

use crate::rules;
use crate::store::{read_with, DeviceRecord, Entity, HubStore, HubTx, StoreResult};

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
                        return Ok(page(changes, next, true));
                    }
                }
            }
            if exhausted {
                return Ok(page(changes, next, false));
            }
            if examined >= budget {
                return Ok(page(changes, next, true));
            }
        }
    })
}

fn page(changes: Vec<Change>, next_cursor: u64, has_more: bool) -> PullResponse {
    PullResponse {
        protocol: PROTOCOL_VERSION,
        changes,
        next_cursor,
        has_more,
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
        Entity::Consignment => {
            let Ok(cid) = Uuid::parse_str(id) else {
                return Ok(None);
            };
            consignment_row(tx, cid)?
                .filter(|c| {
                    c.source_outlet_id.as_deref() == Some(device.outlet_id.as_str())
                        || c.destination_outlet_id.as_deref() == Some(device.outlet_id.as_str())
                })
                .map(|c| Row::Consignment(Box::new(c)))
        }
    })
}

/// A consignment with its lines, boxes and approvals as the hub has it now.
pub fn consignment_row(tx: &mut dyn HubTx, id: Uuid) -> StoreResult<Option<ConsignmentRow>> {
    let Some(h) = tx.consignment(id)? else {
        return Ok(None);
    };
    Ok(Some(ConsignmentRow {
        lines: tx.lines(id)?,
        boxes: tx.boxes(id)?,
        approvals: tx.approvals(id)?,
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
