//! Between the outlet store's shapes and the protocol's: an outbox entry (the
//! store's action name and the row it wrote) becomes a protocol mutation, and a
//! pulled page becomes the store's `PulledChanges`.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use tally_domain::{Decision, RejectReason, VarianceReason};
use tally_store::{
    Approval, ApprovalDecision, Consignment, ConsignmentLine, HubHistoryEntry, OutboxEntry, Parcel,
    PulledChanges, PulledConsignment, Receipt, ReceiptLine, ReturnDetails, ScanEvent, ScanOrigin,
    Store, Weight,
};
use uuid::Uuid;

use crate::protocol::mutation::*;
use crate::protocol::pull::{Change, Row};
use crate::protocol::push::{Actor, MutationEnvelope};
use crate::SyncError;

/// What to do with one outbox entry.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    /// Push it.
    Push(Box<MutationEnvelope>),
    /// Nothing the hub keeps (e.g. a label reprint): mark it done locally.
    LocalOnly,
}

fn payload<T: DeserializeOwned>(e: &OutboxEntry) -> Result<T, SyncError> {
    serde_json::from_value(e.payload.clone())
        .map_err(|err| SyncError::Untranslatable(format!("{} payload: {err}", e.kind)))
}

/// The staff member and the row before, from the audit entry written with the mutation.
fn audit_of(
    store: &Store,
    entity_type: &str,
    entity_id: Uuid,
    mutation_id: Uuid,
) -> Result<(Option<Uuid>, Option<serde_json::Value>), SyncError> {
    let entry = store
        .audit_entries_for(entity_type, &entity_id.to_string())?
        .into_iter()
        .find(|a| a.mutation_id == Some(mutation_id));
    Ok(match entry {
        Some(a) => (
            a.actor
                .strip_prefix("staff:")
                .and_then(|s| Uuid::parse_str(s).ok()),
            a.before,
        ),
        None => (None, None),
    })
}

fn evidence(hash: &impl ToString, kind: &str, product_id: Option<String>) -> EvidenceRef {
    EvidenceRef {
        sha256: hash.to_string(),
        kind: kind.to_string(),
        product_id,
    }
}

fn weight_parts(w: &Weight) -> (u32, WeightSource) {
    match w {
        Weight::Scale {
            grams, scale_id, ..
        } => (
            *grams,
            WeightSource::Scale {
                scale_id: scale_id.clone(),
            },
        ),
        Weight::Typed { grams } => (*grams, WeightSource::Typed),
    }
}

fn dims(d: &tally_store::Dimensions) -> DimensionsMm {
    DimensionsMm {
        length: d.length_mm,
        width: d.width_mm,
        height: d.height_mm,
    }
}

/// The packing bench's record of a line sent short (outbox kind
/// `packing.short_shipped`, written with the send); the rest of it is for the slip.
#[derive(Debug, serde::Deserialize)]
struct ShortShipped {
    consignment_id: Uuid,
    product_id: String,
    reason: String,
    #[serde(default)]
    note: Option<String>,
}

/// Turns one outbox entry into what to send.
pub fn outgoing(store: &Store, e: &OutboxEntry) -> Result<Outgoing, SyncError> {
    let unknown_actor = || SyncError::Untranslatable(format!("{} has no staff member", e.kind));
    let (mutation, staff): (Mutation, Option<Uuid>) = match e.kind.as_str() {
        "consignment.created" => {
            let c: Consignment = payload(e)?;
            (
                Mutation::ConsignmentCreated(ConsignmentCreated {
                    consignment_id: c.id,
                    kind: c.kind,
                    reference: c.reference,
                    source_outlet_id: c.source_outlet_id.map(|u| u.to_string()),
                    destination_outlet_id: c.destination_outlet_id.map(|u| u.to_string()),
                    supplier_id: c.supplier_id.map(|u| u.to_string()),
                    status: c.status,
                    lines: vec![],
                }),
                c.created_by,
            )
        }
        "consignment.status_set" => {
            let c: Consignment = payload(e)?;
            let (staff, before) = audit_of(store, "consignment", c.id, e.mutation_id)?;
            let from = before
                .and_then(|b| serde_json::from_value::<Consignment>(b).ok())
                .map(|b| b.status)
                .ok_or_else(|| {
                    SyncError::Untranslatable("status change without its previous status".into())
                })?;
            (
                Mutation::StatusTransitionRequested(StatusTransitionRequested {
                    consignment_id: c.id,
                    from,
                    to: c.status,
                    reason: None,
                }),
                staff,
            )
        }
        "consignment.line_set" | "consignment.line_removed" => {
            let l: ConsignmentLine = payload(e)?;
            let (staff, _) = audit_of(store, "consignment_line", l.id, e.mutation_id)?;
            let m = if e.kind == "consignment.line_removed" || l.deleted {
                Mutation::LineRemoved(LineRemoved {
                    consignment_id: l.consignment_id,
                    product_id: l.product_id.to_string(),
                })
            } else {
                Mutation::LineSet(LineSet {
                    consignment_id: l.consignment_id,
                    line_id: Some(l.id),
                    product_id: l.product_id.to_string(),
                    expected_qty: l.expected_qty,
                    unit_cost: l.unit_cost,
                })
            };
            (m, staff)
        }
        "scan.recorded" | "scan.undone" => {
            let s: ScanEvent = payload(e)?;
            let purpose = match s.purpose {
                tally_store::ScanPurpose::Pack => ScanPurpose::Pack,
                tally_store::ScanPurpose::Count => ScanPurpose::Count,
                tally_store::ScanPurpose::Receive => ScanPurpose::Receive,
            };
            (
                Mutation::ScanRecorded(ScanRecorded {
                    event_id: s.id,
                    consignment_id: s.consignment_id,
                    purpose,
                    product_id: s.product_id.to_string(),
                    box_id: s.box_id,
                    delta: Decimal::from(s.delta),
                    raw_code: Some(s.raw_code).filter(|c| !c.is_empty()),
                    device_id: s.device_id,
                    at: s.at,
                    by: s.staff_id.to_string(),
                    // The station asked for confirmation before recording it.
                    over_pack_reason: Some("confirmed at the station".into()),
                    undoes: s.undoes,
                }),
                Some(s.staff_id),
            )
        }
        "box.opened" => {
            let p: Parcel = payload(e)?;
            (
                Mutation::BoxOpened(BoxOpened {
                    consignment_id: p.consignment_id,
                    box_id: p.id,
                    number: p.number,
                    container: p.container_type,
                }),
                p.created_by,
            )
        }
        "box.closed" => {
            let p: Parcel = payload(e)?;
            let (staff, _) = audit_of(store, "box", p.id, e.mutation_id)?;
            let (grams, source) = p
                .weight
                .as_ref()
                .map(weight_parts)
                .unwrap_or((0, WeightSource::Typed));
            (
                Mutation::BoxClosed(BoxClosed {
                    consignment_id: p.consignment_id,
                    box_id: p.id,
                    weight_grams: grams,
                    weight_source: source,
                    dimensions: p.dimensions.as_ref().map(dims),
                    tracking_number: p.tracking_number,
                }),
                staff,
            )
        }
        "box.weighed" | "box.dimensions_set" | "box.tracking_set" => {
            let p: Parcel = payload(e)?;
            let (staff, _) = audit_of(store, "box", p.id, e.mutation_id)?;
            let weight = p.weight.as_ref().map(weight_parts);
            (
                Mutation::BoxUpdated(BoxUpdated {
                    consignment_id: p.consignment_id,
                    box_id: p.id,
                    weight_grams: weight.as_ref().map(|w| w.0),
                    weight_source: weight.map(|w| w.1),
                    dimensions: p.dimensions.as_ref().map(dims),
                    tracking_number: p.tracking_number,
                }),
                staff,
            )
        }
        "packing.short_shipped" => {
            let s: ShortShipped = payload(e)?;
            // Audited against the line (or the product when the line is gone).
            let product = Uuid::parse_str(&s.product_id).map_err(|_| {
                SyncError::Untranslatable(format!("short line product {}", s.product_id))
            })?;
            let line = store
                .consignment_lines(s.consignment_id)?
                .into_iter()
                .find(|l| l.line.product_id == product)
                .map_or(product, |l| l.line.id);
            let (staff, _) = audit_of(store, "consignment_line", line, e.mutation_id)?;
            let reason = match s.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                Some(note) => format!("{}: {note}", s.reason),
                None => s.reason,
            };
            (
                Mutation::ShortShipRecorded(ShortShipRecorded {
                    consignment_id: s.consignment_id,
                    product_id: s.product_id,
                    reason,
                }),
                staff,
            )
        }
        "box.label_printed" | "staff.pin_set" => return Ok(Outgoing::LocalOnly),
        // A status moved by an approval decision (same action as `approval.recorded`).
        // By the domain's rules the status is a consequence of the decision, not an act
        // of its own: `ApprovalPolicy::decide` gives the new status from the decision
        // and the order, and the hub runs it again with the chain's policy when it
        // applies `ApprovalDecided`. Sending the move too would ask the hub for a
        // transition it has already made (refused `ALREADY_APPROVED`, a false "needs
        // attention"), and where the hub's policy disagrees (a second approver still
        // needed) it would be a second refusal for one act. So it stays local; the
        // pull brings back the status the hub derived. The hub does not accept a
        // same-status move as a no-op instead: a station that asks for a move another
        // station already made lost that race and must be told (`ALREADY_<STATUS>`).
        tally_store::consignment::STATUS_BY_DECISION => return Ok(Outgoing::LocalOnly),
        "receipt.started" => {
            let r: Receipt = payload(e)?;
            (
                Mutation::ReceiptSessionRecorded(ReceiptSessionRecorded {
                    consignment_id: r.consignment_id,
                    session_id: r.id,
                    lines: vec![],
                    variances: vec![],
                    evidence: vec![],
                }),
                Some(r.started_by),
            )
        }
        "receipt.line_recorded" => {
            let l: ReceiptLine = payload(e)?;
            let consignment_id = e.consignment_id.ok_or_else(|| {
                SyncError::Untranslatable("receipt line without consignment".into())
            })?;
            let product_id = l.product_id.to_string();
            let variances = l
                .variance_reason
                .and_then(|v| VarianceReason::parse(v.as_str()))
                .map(|reason| VarianceNote {
                    product_id: product_id.clone(),
                    reason,
                    note: l.note.clone(),
                })
                .into_iter()
                .collect();
            (
                Mutation::ReceiptSessionRecorded(ReceiptSessionRecorded {
                    consignment_id,
                    session_id: l.receipt_id,
                    lines: vec![ReceivedLine {
                        product_id: product_id.clone(),
                        received: l.received_qty,
                        damaged: l.damaged_qty,
                    }],
                    variances,
                    evidence: l
                        .photos
                        .iter()
                        .map(|h| evidence(h, "photo", Some(product_id.clone())))
                        .collect(),
                }),
                Some(l.recorded_by),
            )
        }
        "receipt.closed" => {
            let r: Receipt = payload(e)?;
            let signer = r.signed_by.unwrap_or(r.started_by);
            (
                Mutation::ReceiptSessionClosed(ReceiptSessionClosed {
                    consignment_id: r.consignment_id,
                    session_id: r.id,
                    signed_by: signer.to_string(),
                    signature: r
                        .signature_png
                        .as_ref()
                        .map(|h| evidence(h, "signature", None)),
                    driver_signature: r
                        .driver_signature_png
                        .as_ref()
                        .map(|h| evidence(h, "signature", None)),
                }),
                Some(signer),
            )
        }
        "approval.recorded" => {
            let a: Approval = payload(e)?;
            let decision = match a.decision {
                ApprovalDecision::Approve => Decision::Approve { comment: a.comment },
                ApprovalDecision::RequestChanges => Decision::RequestChanges {
                    comment: a.comment.unwrap_or_default(),
                },
                ApprovalDecision::Reject => Decision::Reject {
                    reason: a
                        .reason
                        .as_deref()
                        .and_then(|r| serde_json::from_value(serde_json::json!(r)).ok())
                        .unwrap_or(RejectReason::Other),
                    note: a.comment,
                },
            };
            (
                Mutation::ApprovalDecided(ApprovalDecided {
                    consignment_id: a.consignment_id,
                    approval_id: a.id,
                    decision,
                    by: a.decided_by.to_string(),
                    // The store records an approval only after the approver's PIN.
                    pin_verified: true,
                }),
                Some(a.decided_by),
            )
        }
        tally_store::supplier_return::AUTHORISATION_SET => {
            let a: tally_store::ReturnAuthorisation = payload(e)?;
            let (staff, _) = audit_of(store, "consignment", a.consignment_id, e.mutation_id)?;
            (
                Mutation::ReturnAuthorisationSet(ReturnAuthorisationSet {
                    consignment_id: a.consignment_id,
                    number: a.number,
                }),
                staff,
            )
        }
        tally_store::supplier_return::REASON_SET => {
            let r: tally_store::ReturnLineReason = payload(e)?;
            let (staff, _) = audit_of(store, "consignment", r.consignment_id, e.mutation_id)?;
            (
                Mutation::ReturnLineReasonSet(ReturnLineReasonSet {
                    consignment_id: r.consignment_id,
                    product_id: r.product_id.to_string(),
                    reason: r.reason,
                    note: r.note,
                }),
                staff,
            )
        }
        tally_store::supplier_return::CREDIT_RECORDED => {
            let k: tally_store::SupplierCredit = payload(e)?;
            (
                Mutation::SupplierCreditRecorded(SupplierCreditRecorded {
                    consignment_id: k.consignment_id,
                    credit_id: k.id,
                    amount: k.amount,
                    credit_note_number: k.credit_note_number,
                    credited_on: k.credited_on,
                }),
                Some(k.recorded_by),
            )
        }
        other => {
            return Err(SyncError::Untranslatable(format!(
                "the hub does not know changes of kind {other}"
            )))
        }
    };
    let staff = staff.ok_or_else(unknown_actor)?;
    Ok(Outgoing::Push(Box::new(MutationEnvelope {
        seq: u64::try_from(e.seq).unwrap_or(0),
        mutation_id: e.mutation_id,
        created_at: e.created_at,
        actor: Actor {
            staff_id: staff.to_string(),
        },
        mutation,
    })))
}

fn parse_id(what: &str, id: &str) -> Option<Uuid> {
    let parsed = Uuid::parse_str(id).ok();
    if parsed.is_none() {
        tracing::warn!(what, id, "pulled id is not a UUID; row skipped");
    }
    parsed
}

/// A box as the hub sends it, in the store's shape. A hub weight is final: it was
/// stable (or typed) when the box closed, or the hub would have refused it.
fn pulled_box(
    consignment_id: Uuid,
    at: time::OffsetDateTime,
    b: &crate::protocol::rows::BoxRow,
) -> tally_store::Parcel {
    use crate::protocol::mutation::WeightSource as W;
    let weight = match (b.weight_grams, &b.weight_source) {
        (Some(grams), Some(W::Scale { scale_id })) => Some(tally_store::Weight::Scale {
            grams,
            scale_id: scale_id.clone(),
            stable: true,
        }),
        (Some(grams), _) => Some(tally_store::Weight::Typed { grams }),
        (None, _) => None,
    };
    tally_store::Parcel {
        id: b.id,
        consignment_id,
        number: b.number,
        container_type: b.container.clone(),
        weight,
        dimensions: b.dimensions.map(|d| tally_store::Dimensions {
            length_mm: d.length,
            width_mm: d.width,
            height_mm: d.height,
        }),
        label_printed_at: None,
        label_evidence: None,
        tracking_number: b.tracking_number.clone(),
        closed_at: b.closed.then_some(at),
        created_by: None,
        created_at: at,
        updated_at: at,
    }
}

/// A return's details as the hub sends them, in the store's shape.
fn pulled_return(id: Uuid, r: &crate::protocol::rows::SupplierReturnRow) -> ReturnDetails {
    ReturnDetails {
        consignment_id: id,
        authorisation_number: r.authorisation_number.clone(),
        reasons: r
            .reasons
            .iter()
            .filter_map(|x| {
                Some(tally_store::ReturnLineReason {
                    consignment_id: id,
                    product_id: parse_id("product", &x.product_id)?,
                    reason: x.reason,
                    note: x.note.clone(),
                })
            })
            .collect(),
        credits: r
            .credits
            .iter()
            .filter_map(|k| {
                Some(tally_store::SupplierCredit {
                    id: k.id,
                    consignment_id: id,
                    amount: k.amount,
                    credit_note_number: k.credit_note_number.clone(),
                    credited_on: k.credited_on,
                    recorded_by: parse_id("staff", &k.recorded_by)?,
                    recorded_at: k.recorded_at,
                })
            })
            .collect(),
    }
}

fn pulled_history(id: Uuid, h: &crate::protocol::rows::HistoryRow) -> Option<HubHistoryEntry> {
    Some(HubHistoryEntry {
        consignment_id: id,
        mutation_id: h.mutation_id,
        applied_at: h.applied_at,
        entry: serde_json::to_value(h).ok()?,
    })
}

/// The store's view of one pulled page. Catalog rows carry the change position
/// as their version, so a replayed page never moves a row back.
pub fn incoming(changes: &[Change]) -> PulledChanges {
    let mut out = PulledChanges::default();
    for change in changes {
        let version = i64::try_from(change.seq).unwrap_or(i64::MAX);
        match &change.row {
            Row::Outlet(o) => {
                if let Some(id) = parse_id("outlet", &o.id) {
                    out.outlets.push(tally_store::Outlet {
                        id,
                        name: o.name.clone(),
                        code: None,
                        lightspeed_id: Some(o.id.clone()),
                        active: !o.deleted,
                        version,
                    });
                }
            }
            Row::Supplier(s) => {
                if let Some(id) = parse_id("supplier", &s.id) {
                    out.suppliers.push(tally_store::Supplier {
                        id,
                        name: s.name.clone(),
                        code: None,
                        lightspeed_id: Some(s.id.clone()),
                        active: !s.deleted,
                        version,
                    });
                }
            }
            Row::Staff(s) => {
                if let Some(id) = parse_id("staff", &s.id) {
                    out.staff.push(tally_store::StaffRecord {
                        id,
                        outlet_id: s.outlet_id.as_deref().and_then(|o| parse_id("outlet", o)),
                        name: s.name.clone(),
                        role: s.role,
                        pin_hash: Some(s.pin_hash.clone()),
                        active: s.active,
                        version,
                    });
                }
            }
            Row::Product(p) => {
                if let Some(id) = parse_id("product", &p.id) {
                    out.products.push(tally_store::Product {
                        id,
                        sku: p.sku.clone(),
                        name: p.name.clone(),
                        supplier_id: p
                            .supplier_id
                            .as_deref()
                            .and_then(|s| parse_id("supplier", s)),
                        supplier_code: p.supplier_code.clone(),
                        supply_price: p.supply_price,
                        price: None,
                        weight_grams: None,
                        dimensions: None,
                        active: p.active,
                        deleted: p.deleted,
                        lightspeed_id: Some(p.id.clone()),
                        version,
                        barcodes: p.codes.iter().map(|c| c.code.clone()).collect(),
                    });
                }
            }
            Row::Consignment(c) => {
                let version = i64::try_from(c.version).unwrap_or(i64::MAX);
                let outlet = |o: &Option<String>| o.as_deref().and_then(|o| parse_id("outlet", o));
                let consignment = Consignment {
                    id: c.id,
                    kind: c.kind,
                    status: c.status,
                    source_outlet_id: outlet(&c.source_outlet_id),
                    destination_outlet_id: outlet(&c.destination_outlet_id),
                    supplier_id: c
                        .supplier_id
                        .as_deref()
                        .and_then(|s| parse_id("supplier", s)),
                    reference: c.reference.clone(),
                    lightspeed_id: c.lightspeed_id.clone(),
                    version,
                    created_by: Uuid::parse_str(&c.created_by).ok(),
                    created_at: c.created_at,
                    updated_at: c.updated_at,
                };
                let live = c.lines.iter().filter_map(|l| {
                    Some(ConsignmentLine {
                        id: l.line_id,
                        consignment_id: c.id,
                        product_id: parse_id("product", &l.product_id)?,
                        expected_qty: l.expected_qty,
                        unit_cost: l.unit_cost,
                        deleted: false,
                        version,
                        created_at: c.created_at,
                        updated_at: c.updated_at,
                    })
                });
                let removed = c.removed_lines.iter().filter_map(|l| {
                    Some(ConsignmentLine {
                        id: l.line_id,
                        consignment_id: c.id,
                        product_id: parse_id("product", &l.product_id)?,
                        expected_qty: Decimal::ZERO,
                        unit_cost: None,
                        deleted: true,
                        version,
                        created_at: c.created_at,
                        updated_at: c.updated_at,
                    })
                });
                let lines = live.chain(removed).collect();
                if let Some(r) = &c.supplier_return {
                    out.supplier_returns.push(pulled_return(c.id, r));
                }
                out.history
                    .extend(c.history.iter().filter_map(|h| pulled_history(c.id, h)));
                let boxes = c
                    .boxes
                    .iter()
                    .map(|b| pulled_box(c.id, c.updated_at, b))
                    .collect();
                out.consignments.push(PulledConsignment {
                    consignment,
                    lines,
                    boxes,
                });
            }
            Row::Stock(s) => {
                let (Some(outlet_id), Some(product_id)) = (
                    parse_id("outlet", &s.outlet_id),
                    parse_id("product", &s.product_id),
                ) else {
                    continue;
                };
                out.stock.push(tally_store::StockFacts {
                    outlet_id,
                    product_id,
                    on_hand: s.on_hand,
                    reorder_point: s.reorder_point,
                    reorder_amount: s.reorder_amount,
                    daily_sales: s
                        .daily_sales
                        .iter()
                        .map(|d| (d.day.clone(), d.units))
                        .collect(),
                    version,
                    hub_updated_at: s.updated_at,
                });
            }
            Row::ScanEvent(s) => {
                let (Some(product_id), Some(staff_id)) = (
                    parse_id("product", &s.product_id),
                    parse_id("staff", &s.staff_id),
                ) else {
                    continue;
                };
                let Some(delta) = s.delta.to_i64() else {
                    continue;
                };
                out.scan_events.push(ScanEvent {
                    id: s.id,
                    consignment_id: s.consignment_id,
                    product_id,
                    box_id: s.box_id,
                    purpose: match s.purpose {
                        ScanPurpose::Pack => tally_store::ScanPurpose::Pack,
                        ScanPurpose::Count => tally_store::ScanPurpose::Count,
                        ScanPurpose::Receive => tally_store::ScanPurpose::Receive,
                    },
                    delta,
                    raw_code: s.raw_code.clone().unwrap_or_default(),
                    device_id: s.device_id.clone(),
                    staff_id,
                    at: s.at,
                    undoes: s.undoes,
                    mutation_id: None,
                    origin: ScanOrigin::Remote,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
    use tally_store::{ApprovalInput, BoxChange, NewConsignment};

    struct Station {
        _dir: tempfile::TempDir,
        store: Store,
        outlet: Uuid,
        other: Uuid,
        supplier: Uuid,
        staff: Uuid,
    }

    fn station() -> Station {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("s.db")).unwrap();
        let (outlet, other, supplier) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let staff = Uuid::now_v7();
        let o = |id, name: &str| tally_store::Outlet {
            id,
            name: name.into(),
            code: None,
            lightspeed_id: None,
            active: true,
            version: 1,
        };
        store
            .apply_pulled(
                &PulledChanges {
                    outlets: vec![o(outlet, "Ponsonby"), o(other, "Newmarket")],
                    suppliers: vec![tally_store::Supplier {
                        id: supplier,
                        name: "Vapour Co".into(),
                        code: None,
                        lightspeed_id: None,
                        active: true,
                        version: 1,
                    }],
                    ..PulledChanges::default()
                },
                1,
            )
            .unwrap();
        store.init_station(Uuid::now_v7(), outlet, "bench").unwrap();
        Station {
            _dir: dir,
            store,
            outlet,
            other,
            supplier,
            staff,
        }
    }

    fn pushed(store: &Store) -> Vec<Mutation> {
        store
            .next_pending(100)
            .unwrap()
            .iter()
            .filter_map(|e| match outgoing(store, e).unwrap() {
                Outgoing::Push(env) => Some(env.mutation),
                Outgoing::LocalOnly => None,
            })
            .collect()
    }

    fn consignment(s: &Station, kind: ConsignmentKind) -> Uuid {
        let (source, dest, supplier) = match kind {
            ConsignmentKind::PurchaseOrder => (None, Some(s.outlet), Some(s.supplier)),
            _ => (Some(s.outlet), Some(s.other), None),
        };
        s.store
            .create_consignment(
                &tally_store::Actor::Staff(s.staff),
                NewConsignment {
                    kind,
                    status: ConsignmentStatus::Draft,
                    source_outlet_id: source,
                    destination_outlet_id: dest,
                    supplier_id: supplier,
                    reference: "TR-TEST".into(),
                },
            )
            .map(|c| c.id)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_status_change_carries_the_status_it_came_from() {
        let s = station();
        let id = consignment(&s, ConsignmentKind::OutletTransfer);
        let c = s.store.consignment(id).unwrap();
        s.store
            .set_consignment_status(
                &tally_store::Actor::Staff(s.staff),
                id,
                c.version,
                ConsignmentStatus::Packing,
            )
            .unwrap();
        let ms = pushed(&s.store);
        assert!(matches!(ms[0], Mutation::ConsignmentCreated(_)));
        match &ms[1] {
            Mutation::StatusTransitionRequested(t) => {
                assert_eq!(t.from, ConsignmentStatus::Draft);
                assert_eq!(t.to, ConsignmentStatus::Packing);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn boxes_translate_to_open_update_and_close() {
        let s = station();
        let id = consignment(&s, ConsignmentKind::OutletTransfer);
        let actor = tally_store::Actor::Staff(s.staff);
        let b = s.store.open_box(&actor, id, "carton_m").unwrap();
        s.store
            .update_box(
                &actor,
                b.id,
                BoxChange::Weigh {
                    weight: Weight::Typed { grams: 1200 },
                },
            )
            .unwrap();
        s.store.update_box(&actor, b.id, BoxChange::Close).unwrap();
        let ms = pushed(&s.store);
        assert!(matches!(&ms[1], Mutation::BoxOpened(o) if o.container == "carton_m"));
        assert!(matches!(&ms[2], Mutation::BoxUpdated(u) if u.weight_grams == Some(1200)));
        assert!(
            matches!(&ms[3], Mutation::BoxClosed(c) if c.weight_grams == 1200
            && c.weight_source == WeightSource::Typed)
        );
    }

    #[test]
    fn an_approval_becomes_a_decision_with_the_pin_checked() {
        let s = station();
        let id = consignment(&s, ConsignmentKind::PurchaseOrder);
        s.store
            .record_approval(
                &tally_store::Actor::Staff(s.staff),
                ApprovalInput {
                    consignment_id: id,
                    tier: 1,
                    required_role: Role::StoreManager,
                    decision: ApprovalDecision::Reject,
                    reason: Some("over_budget".into()),
                    comment: None,
                },
            )
            .unwrap();
        let ms = pushed(&s.store);
        match &ms[1] {
            Mutation::ApprovalDecided(a) => {
                assert_eq!(
                    a.decision,
                    Decision::Reject {
                        reason: RejectReason::OverBudget,
                        note: None
                    }
                );
                assert_eq!(a.by, s.staff.to_string());
                assert!(a.pin_verified);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_status_moved_by_a_decision_stays_local_and_the_decision_is_pushed() {
        let s = station();
        let id = consignment(&s, ConsignmentKind::PurchaseOrder);
        let actor = tally_store::Actor::Staff(s.staff);
        let c = s.store.consignment(id).unwrap();
        s.store
            .set_consignment_status(&actor, id, c.version, ConsignmentStatus::PendingApproval)
            .unwrap();
        let c = s.store.consignment(id).unwrap();
        s.store
            .transact(&actor, |t| {
                t.record_approval(ApprovalInput {
                    consignment_id: id,
                    tier: 1,
                    required_role: Role::StoreManager,
                    decision: ApprovalDecision::Approve,
                    reason: None,
                    comment: None,
                })?;
                t.set_consignment_status_by_decision(id, c.version, ConsignmentStatus::Approved)
            })
            .unwrap();
        let entries = s.store.next_pending(100).unwrap();
        let by_decision = entries
            .iter()
            .find(|e| e.kind == tally_store::consignment::STATUS_BY_DECISION)
            .expect("the move is queued with its own kind");
        assert_eq!(
            outgoing(&s.store, by_decision).unwrap(),
            Outgoing::LocalOnly
        );
        let ms = pushed(&s.store);
        assert_eq!(ms.len(), 3, "{ms:?}");
        assert!(matches!(&ms[1], Mutation::StatusTransitionRequested(t)
            if t.to == ConsignmentStatus::PendingApproval));
        assert!(matches!(&ms[2], Mutation::ApprovalDecided(_)));
        // Audited like any status change.
        let audit = s
            .store
            .audit_entries_for("consignment", &id.to_string())
            .unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.action == tally_store::consignment::STATUS_SET)
                .count(),
            2
        );
    }

    #[test]
    fn a_line_sent_short_reaches_the_hub_with_its_reason_and_packer() {
        let s = station();
        let id = consignment(&s, ConsignmentKind::OutletTransfer);
        let actor = tally_store::Actor::Staff(s.staff);
        let product = Uuid::now_v7();
        s.store
            .apply_pulled(
                &PulledChanges {
                    products: vec![tally_store::Product {
                        id: product,
                        sku: "SKU-1".into(),
                        name: "Mint 50 ml".into(),
                        supplier_id: None,
                        supplier_code: None,
                        supply_price: None,
                        price: None,
                        weight_grams: None,
                        dimensions: None,
                        active: true,
                        deleted: false,
                        lightspeed_id: None,
                        version: 1,
                        barcodes: vec![],
                    }],
                    ..PulledChanges::default()
                },
                2,
            )
            .unwrap();
        let line = s
            .store
            .set_line(&actor, id, product, rust_decimal::Decimal::from(3), None)
            .unwrap();
        // As the bench writes it when sending (crates/app, packing::send).
        let short = serde_json::json!({
            "consignment_id": id, "product_id": product.to_string(),
            "reason": "out_of_stock", "note": null, "expected": 3, "packed": 1,
        });
        s.store
            .transact(&actor, |t| {
                let m = t.enqueue("packing.short_shipped", Some(id), &short)?;
                t.audit(
                    "packing.short_shipped",
                    "consignment_line",
                    &line.id.to_string(),
                    None::<&()>,
                    Some(&short),
                    Some(m.mutation_id),
                )
            })
            .unwrap();
        let entries = s.store.next_pending(100).unwrap();
        let e = entries
            .iter()
            .find(|e| e.kind == "packing.short_shipped")
            .unwrap();
        let Outgoing::Push(env) = outgoing(&s.store, e).unwrap() else {
            panic!("a short line is the hub's business");
        };
        assert_eq!(env.actor.staff_id, s.staff.to_string());
        assert_eq!(
            env.mutation,
            Mutation::ShortShipRecorded(ShortShipRecorded {
                consignment_id: id,
                product_id: product.to_string(),
                reason: "out_of_stock".into(),
            })
        );
    }

    #[test]
    fn an_unknown_kind_is_untranslatable_not_dropped() {
        let s = station();
        consignment(&s, ConsignmentKind::OutletTransfer);
        let mut e = s.store.next_pending(1).unwrap().remove(0);
        e.kind = "teleport.started".into();
        let err = outgoing(&s.store, &e).unwrap_err();
        assert_eq!(err.code(), "UNTRANSLATABLE_CHANGE");
    }
}
