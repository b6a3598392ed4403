//! Supplier returns' own data: the authorisation number, line reasons and credits,
//! checked with the domain and kept with the return (`SupplierReturnRow`).

use tally_domain::{ConsignmentStatus, CreditInput, DomainError, Money};
use tally_sync::{
    ReturnAuthorisationSet, ReturnLineReasonRow, ReturnLineReasonSet, SupplierCreditRecorded,
    SupplierCreditRow,
};
use uuid::Uuid;

use super::{line_of, own_consignment, refuse, touch, Applied, ApplyResult, Ctx, K};
use crate::rules::{self, Refusal};
use crate::store::{ConsignmentHeader, HubTx, SagaPriority};

/// The return, at an outlet that is party to it, not cancelled.
fn open_return(tx: &mut dyn HubTx, ctx: &Ctx<'_>, id: Uuid) -> ApplyResult<ConsignmentHeader> {
    let h = own_consignment(tx, ctx, id, false)?;
    if h.kind != K::SupplierReturn {
        return refuse(
            "NOT_A_SUPPLIER_RETURN",
            format!(
                "{} is a {}, not a supplier return",
                h.reference,
                h.kind.label()
            ),
        );
    }
    Ok(h)
}

fn not_cancelled(h: &ConsignmentHeader) -> ApplyResult<()> {
    if h.status == ConsignmentStatus::Cancelled {
        return Err(Refusal::from(DomainError::ConsignmentClosed {
            kind: h.kind,
            status: h.status,
        })
        .into());
    }
    Ok(())
}

pub(super) fn authorisation_set(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    m: &ReturnAuthorisationSet,
) -> ApplyResult<Applied> {
    let mut h = open_return(tx, ctx, m.consignment_id)?;
    not_cancelled(&h)?;
    let number = rules::document_number("return authorisation number", m.number.as_deref())
        .map_err(Refusal::from)?;
    let mut row = tx.supplier_return(h.id)?.unwrap_or_default();
    row.authorisation_number = number;
    tx.put_supplier_return(h.id, &row)?;
    touch(tx, &mut h, ctx.now)?;
    // Lightspeed shows the number in the RETURN consignment's name.
    tx.mark_saga_dirty(h.id, SagaPriority::Edit, ctx.now)?;
    Ok(Applied)
}

pub(super) fn reason_set(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    m: &ReturnLineReasonSet,
) -> ApplyResult<Applied> {
    let mut h = open_return(tx, ctx, m.consignment_id)?;
    rules::check_line_change(h.kind, h.status, rules::LineChange::Lines).map_err(Refusal::from)?;
    line_of(tx, &h, &m.product_id)?;
    let note = rules::check_return_line(m.reason, m.note.as_deref()).map_err(Refusal::from)?;
    let mut row = tx.supplier_return(h.id)?.unwrap_or_default();
    row.reasons.retain(|r| r.product_id != m.product_id);
    row.reasons.push(ReturnLineReasonRow {
        product_id: m.product_id.clone(),
        reason: m.reason,
        note,
    });
    row.reasons.sort_by(|a, b| a.product_id.cmp(&b.product_id));
    tx.put_supplier_return(h.id, &row)?;
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}

pub(super) fn credit_recorded(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    m: &SupplierCreditRecorded,
    recorded_at: time::OffsetDateTime,
) -> ApplyResult<Applied> {
    let mut h = open_return(tx, ctx, m.consignment_id)?;
    let number = rules::check_credit(
        h.status,
        &CreditInput {
            amount: Money::new(m.amount),
            credit_note_number: Some(&m.credit_note_number),
        },
    )
    .map_err(Refusal::from)?;
    let mut row = tx.supplier_return(h.id)?.unwrap_or_default();
    if row.credits.iter().any(|k| k.id == m.credit_id) {
        return Ok(Applied);
    }
    row.credits.push(SupplierCreditRow {
        id: m.credit_id,
        amount: m.amount,
        credit_note_number: number,
        credited_on: m.credited_on,
        recorded_by: ctx.actor.id.clone(),
        recorded_at,
    });
    tx.put_supplier_return(h.id, &row)?;
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}
