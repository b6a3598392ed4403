//! One consignment's saga: bring Lightspeed up to the hub's state, with every
//! step safe to repeat after a crash, a lost response or a retry.
//!
//! - Create: the consignment's marker (`tally:<uuid>`) goes in Lightspeed's
//!   `reference`. Once a create has been sent, every later attempt SEARCHES for the
//!   marker before creating again. The remote id is stored the moment it is known.
//! - Lines: read Lightspeed's lines, then write only the differences with absolute
//!   PUTs (or single adds / deletes). A fresh consignment's lines may go in ONE bulk
//!   call, marked attempted before it is sent and never repeated (bulk adds).
//! - Status: read the remote status first and walk forward one legal step at a
//!   time; a remote status ahead of the hub's is never moved back (dead letter).

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, LsConsignmentStatus as L};
use tally_sync::LineRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::port::{LightspeedPort, LsConsignment, LsFailure, LsLine, NewLsConsignment};
use crate::rules::{self, Refusal};
use crate::store::{read_with, write_with, ConsignmentHeader, HubStore, HubTx, SagaRecord};
use crate::HubError;

/// Lightspeed's limit for one bulk call.
pub const BULK_LIMIT: usize = 500;

/// Why a saga attempt stopped.
#[derive(Debug, thiserror::Error)]
pub enum SagaError {
    /// Lightspeed failed or refused.
    #[error(transparent)]
    Lightspeed(#[from] LsFailure),
    /// Lightspeed is ahead of the hub; moving it back is refused.
    #[error("{}", .0.message)]
    Backwards(Refusal),
    /// The hub's own store failed.
    #[error(transparent)]
    Store(#[from] HubError),
}

/// The marker stamped in Lightspeed's `reference`.
pub fn marker(consignment_id: Uuid) -> String {
    format!("tally:{consignment_id}")
}

/// The display name in Lightspeed: the human reference, and a supplier return's
/// authorisation number after it (the supplier's staff look for it; `reference`
/// keeps only the marker).
pub fn ls_name(reference: &str, authorisation: Option<&str>) -> String {
    match authorisation {
        Some(ra) => format!("{reference} RA {ra}"),
        None => reference.to_string(),
    }
}

/// What the saga reads of the hub's state for one attempt.
type Snapshot = (ConsignmentHeader, Vec<LineRow>, SagaRecord, Option<String>);

async fn db<R: Send + 'static>(
    store: &Arc<dyn HubStore>,
    f: impl FnOnce(&mut dyn HubTx) -> Result<R, HubError> + Send + 'static,
) -> Result<R, HubError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || write_with(&*store, f))
        .await
        .map_err(|e| HubError::Task(e.to_string()))?
}

async fn snapshot(store: &Arc<dyn HubStore>, id: Uuid) -> Result<Option<Snapshot>, HubError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        read_with(&*store, |tx| {
            let (Some(h), Some(s)) = (tx.consignment(id)?, tx.saga(id)?) else {
                return Ok(None);
            };
            let ra = tx.supplier_return(id)?.and_then(|r| r.authorisation_number);
            Ok(Some((h, tx.lines(id)?, s, ra)))
        })
    })
    .await
    .map_err(|e| HubError::Task(e.to_string()))?
}

/// The lines Lightspeed should hold for the hub's state, by product id.
pub fn desired_remote_lines(
    kind: ConsignmentKind,
    status: ConsignmentStatus,
    lines: &[LineRow],
) -> BTreeMap<String, LsLine> {
    let sent = !matches!(
        status,
        ConsignmentStatus::Draft
            | ConsignmentStatus::PendingApproval
            | ConsignmentStatus::Approved
            | ConsignmentStatus::Packing
            | ConsignmentStatus::Packed
    );
    lines
        .iter()
        .map(|l| {
            let count = match kind {
                // What leaves is what was packed (short lines carry a reason).
                ConsignmentKind::OutletTransfer | ConsignmentKind::SupplierReturn if sent => {
                    l.packed_qty
                }
                ConsignmentKind::Stocktake => l.counted_qty,
                _ => l.expected_qty,
            };
            (
                l.product_id.clone(),
                LsLine {
                    product_id: l.product_id.clone(),
                    count,
                    // Damaged units never become sellable stock.
                    received: l.received_qty - l.damaged_qty,
                    cost: l.unit_cost,
                },
            )
        })
        .collect()
}

fn lines_editable(status: L) -> bool {
    // Counts change only before the goods leave; received counts are set separately.
    matches!(
        status,
        L::Open | L::StocktakeScheduled | L::StocktakeInProgress
    ) && tally_domain::lightspeed_mapping::ls_lines_editable(status)
}

/// What one attempt achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SagaProgress {
    /// Lightspeed matches the generation the attempt started from.
    Synced {
        /// That generation.
        generation: u64,
    },
    /// Nothing to do (the consignment or saga is gone).
    Nothing,
}

/// Runs one attempt of a consignment's saga.
pub async fn run_saga<P: LightspeedPort>(
    store: &Arc<dyn HubStore>,
    port: &P,
    id: Uuid,
) -> Result<SagaProgress, SagaError> {
    let Some((h, lines, saga, authorisation)) = snapshot(store, id).await? else {
        return Ok(SagaProgress::Nothing);
    };
    let generation = saga.wanted_gen;
    let ls_type = rules::ls_type(h.kind);
    let want = rules::ls_target(h.kind, h.status).map_err(SagaError::Backwards)?;
    let reference = marker(id);

    // 1. The remote consignment: known, found by marker, or created.
    let mut fresh = false;
    let mut remote: Option<LsConsignment> = None;
    let remote_id = match h.lightspeed_id.clone() {
        Some(rid) => rid,
        None => {
            let found = if saga.create_attempted {
                port.find_consignment_by_reference(&reference).await?
            } else {
                None
            };
            let c = match found {
                Some(c) => c,
                None if h.status == ConsignmentStatus::Cancelled => {
                    // Cancelled before Lightspeed ever saw it: nothing to push.
                    return Ok(SagaProgress::Synced { generation });
                }
                None => {
                    db(store, move |tx| {
                        set_flag(tx, id, |s| s.create_attempted = true)
                    })
                    .await?;
                    let (outlet_id, source_outlet_id) = match h.kind {
                        ConsignmentKind::OutletTransfer => {
                            (h.destination_outlet_id.clone(), h.source_outlet_id.clone())
                        }
                        ConsignmentKind::PurchaseOrder => (h.destination_outlet_id.clone(), None),
                        _ => (h.source_outlet_id.clone(), None),
                    };
                    let new = NewLsConsignment {
                        kind: ls_type,
                        status: if ls_type == tally_domain::LsConsignmentType::Stocktake {
                            L::StocktakeScheduled
                        } else {
                            L::Open
                        },
                        name: ls_name(&h.reference, authorisation.as_deref()),
                        reference: reference.clone(),
                        outlet_id: outlet_id.unwrap_or_default(),
                        source_outlet_id,
                        supplier_id: h.supplier_id.clone(),
                    };
                    let c = port.create_consignment(&new).await?;
                    fresh = true;
                    c
                }
            };
            let rid = c.id.clone();
            let stored = rid.clone();
            db(store, move |tx| {
                if let Some(mut h) = tx.consignment(id)? {
                    h.lightspeed_id = Some(stored);
                    tx.update_consignment(&h)?;
                    tx.record_change(crate::store::Entity::Consignment, &id.to_string())?;
                }
                Ok(())
            })
            .await?;
            tracing::info!(consignment_id = %id, lightspeed_id = %rid, fresh, "remote consignment known");
            remote = Some(c);
            rid
        }
    };

    // 2. Re-read the remote state before deciding anything.
    let mut remote = match remote {
        Some(c) => c,
        None => match port.consignment(&remote_id).await {
            Ok(c) => c,
            // Deleted by an earlier attempt whose answer was lost (see below).
            Err(LsFailure::Rejected { status: 404, .. }) if want == L::Cancelled => {
                return Ok(SagaProgress::Synced { generation });
            }
            Err(e) => return Err(e.into()),
        },
    };
    rules::ls_next_step(ls_type, remote.status, want).map_err(SagaError::Backwards)?;
    let desired = desired_remote_lines(h.kind, h.status, &lines);

    // A return's authorisation number may come after Lightspeed has the consignment.
    let name = ls_name(&h.reference, authorisation.as_deref());
    if h.kind == ConsignmentKind::SupplierReturn
        && want != L::Cancelled
        && remote.name.as_deref() != Some(name.as_str())
    {
        remote = port.set_name(&remote_id, &name).await?;
    }

    // 3. Lines, while Lightspeed still accepts line changes.
    let mut known_lines: Option<Vec<LsLine>> = None;
    if want != L::Cancelled && lines_editable(remote.status) {
        let bulk_allowed = !saga.bulk_attempted && desired.values().any(|l| !l.count.is_zero());
        // A consignment this attempt created is known to be empty; one found by its
        // marker is read first and bulk-filled only if still empty.
        let mut current = if fresh {
            Vec::new()
        } else {
            port.lines(&remote_id).await?
        };
        if bulk_allowed && current.is_empty() {
            db(store, move |tx| {
                set_flag(tx, id, |s| s.bulk_attempted = true)
            })
            .await?;
            let batch: Vec<LsLine> = desired
                .values()
                .filter(|l| !l.count.is_zero())
                .take(BULK_LIMIT)
                .cloned()
                .collect();
            port.bulk_add_lines(&remote_id, &batch).await?;
            // Never trust a write: read back and correct below.
            current = port.lines(&remote_id).await?;
        } else if fresh {
            current = port.lines(&remote_id).await?;
        }
        known_lines = Some(reconcile_counts(port, &remote_id, &desired, current).await?);
    }

    // An empty consignment cannot be cancelled in Lightspeed (no status change
    // without lines): it is deleted instead, as nothing ever moved on it.
    if want == L::Cancelled && lines_editable(remote.status) {
        let current = match known_lines.take() {
            Some(l) => l,
            None => port.lines(&remote_id).await?,
        };
        if current.is_empty() {
            match port.delete_consignment(&remote_id).await {
                // Already gone (a delete whose answer was lost).
                Ok(()) | Err(LsFailure::Rejected { status: 404, .. }) => {}
                Err(e) => return Err(e.into()),
            }
            tracing::info!(consignment_id = %id, lightspeed_id = %remote_id, "empty cancelled consignment deleted in Lightspeed");
            return Ok(SagaProgress::Synced { generation });
        }
        known_lines = Some(current);
    }

    // 4. Status, one forward step at a time; received quantities before RECEIVED.
    while let Some(next) =
        rules::ls_next_step(ls_type, remote.status, want).map_err(SagaError::Backwards)?
    {
        if next == L::Received || (next == L::Dispatched && want == L::Received) {
            let current = match known_lines.take() {
                Some(l) => l,
                None => port.lines(&remote_id).await?,
            };
            let (now_lines, wrote) =
                reconcile_received(port, &remote_id, &desired, current).await?;
            known_lines = Some(now_lines);
            if wrote
                && remote.status == L::Sent
                && ls_type == tally_domain::LsConsignmentType::Supplier
            {
                // Lightspeed moves a SENT order to DISPATCHED by itself on receipt.
                remote = port.consignment(&remote_id).await?;
                continue;
            }
        }
        remote = port.set_status(&remote_id, next).await?;
    }
    Ok(SagaProgress::Synced { generation })
}

fn set_flag(tx: &mut dyn HubTx, id: Uuid, f: impl FnOnce(&mut SagaRecord)) -> Result<(), HubError> {
    if let Some(mut s) = tx.saga(id)? {
        f(&mut s);
        s.updated_at = OffsetDateTime::now_utc();
        tx.update_saga(&s)?;
    }
    Ok(())
}

/// Makes Lightspeed's line counts equal the desired ones; returns the lines as
/// they now are.
async fn reconcile_counts<P: LightspeedPort>(
    port: &P,
    remote_id: &str,
    desired: &BTreeMap<String, LsLine>,
    current: Vec<LsLine>,
) -> Result<Vec<LsLine>, SagaError> {
    let mut by_product: BTreeMap<String, LsLine> = current
        .into_iter()
        .map(|l| (l.product_id.clone(), l))
        .collect();
    for (pid, want) in desired {
        match by_product.get(pid) {
            Some(have) if have.count == want.count => {}
            Some(have) => {
                let line = LsLine {
                    count: want.count,
                    ..have.clone()
                };
                port.put_line(remote_id, &line).await?;
                by_product.insert(pid.clone(), line);
            }
            None if want.count.is_zero() => {}
            None => {
                let line = LsLine {
                    received: Decimal::ZERO,
                    ..want.clone()
                };
                port.add_line(remote_id, &line).await?;
                by_product.insert(pid.clone(), line);
            }
        }
    }
    let extra: Vec<String> = by_product
        .keys()
        .filter(|p| !desired.contains_key(*p))
        .cloned()
        .collect();
    for pid in extra {
        port.delete_line(remote_id, &pid).await?;
        by_product.remove(&pid);
    }
    Ok(by_product.into_values().collect())
}

/// Sets received quantities with absolute PUTs; returns the lines as they now
/// are and whether anything was written.
async fn reconcile_received<P: LightspeedPort>(
    port: &P,
    remote_id: &str,
    desired: &BTreeMap<String, LsLine>,
    current: Vec<LsLine>,
) -> Result<(Vec<LsLine>, bool), SagaError> {
    let mut wrote = false;
    let mut out = Vec::with_capacity(current.len());
    for have in current {
        match desired.get(&have.product_id) {
            Some(want) if have.received != want.received => {
                let line = LsLine {
                    received: want.received,
                    ..have
                };
                port.put_line(remote_id, &line).await?;
                wrote = true;
                out.push(line);
            }
            _ => out.push(have),
        }
    }
    Ok((out, wrote))
}
