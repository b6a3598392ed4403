//! Applying one mutation to the hub's state after checking it with the rules.
//! Every check runs before the first write of the mutation.

mod returns;

use rust_decimal::Decimal;
use tally_domain::{
    check_receipt_close, ApprovalRecord, Approver, CloseEvidence, ConsignmentKind,
    ConsignmentStatus, Decision, EditOutcome, Money, OrderForApproval, Quantity, StaffId,
};
use tally_sync::{
    ApprovalDecided, ApprovalRow, BoxClosed, BoxOpened, BoxRow, BoxUpdated, ConsignmentCreated,
    LineRemoved, LineRow, LineSet, Mutation, MutationEnvelope, ReceiptClosed, ReceiptSessionClosed,
    ReceiptSessionRecorded, ScanPurpose, ScanRecorded, ShortShipRecorded, StaffRow,
    StatusTransitionRequested,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::Policies;
use crate::rules::{self, LineChange, Refusal, TransitionContext};
use crate::store::{ConsignmentHeader, DeviceRecord, Entity, HubTx, SagaPriority};
use crate::HubError;

use ConsignmentKind as K;
use ConsignmentStatus as S;

/// Why a mutation was not applied.
#[derive(Debug)]
pub(crate) enum ApplyError {
    /// A rule refused it.
    Refused(Refusal),
    /// The store failed (the whole push fails and the outlet retries).
    Store(HubError),
}

impl From<Refusal> for ApplyError {
    fn from(r: Refusal) -> Self {
        Self::Refused(r)
    }
}

impl From<HubError> for ApplyError {
    fn from(e: HubError) -> Self {
        Self::Store(e)
    }
}

type ApplyResult<T> = Result<T, ApplyError>;

/// Marker that a mutation was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied;

fn refuse<T>(code: &'static str, message: impl Into<String>) -> ApplyResult<T> {
    Err(ApplyError::Refused(Refusal::new(code, message)))
}

struct Ctx<'a> {
    device: &'a DeviceRecord,
    actor: StaffRow,
    now: OffsetDateTime,
    policies: &'a Policies,
}

/// Checks and applies one mutation inside the caller's unit.
pub(crate) fn apply_one(
    tx: &mut dyn HubTx,
    device: &DeviceRecord,
    env: &MutationEnvelope,
    now: OffsetDateTime,
    policies: &Policies,
) -> ApplyResult<Applied> {
    let actor = active_staff(tx, &env.actor.staff_id)?;
    if !rules::is_chain_role(actor.role) && actor.outlet_id.as_deref() != Some(&device.outlet_id) {
        return refuse(
            "STAFF_NOT_AT_OUTLET",
            format!("{} does not work at this outlet", actor.name),
        );
    }
    let ctx = Ctx {
        device,
        actor,
        now,
        policies,
    };
    match &env.mutation {
        Mutation::ConsignmentCreated(m) => created(tx, &ctx, m, env.created_at),
        Mutation::LineSet(m) => line_set(tx, &ctx, m),
        Mutation::LineRemoved(m) => line_removed(tx, &ctx, m),
        Mutation::StatusTransitionRequested(m) => transition(tx, &ctx, m),
        Mutation::ScanRecorded(m) => scan(tx, &ctx, m),
        Mutation::BoxOpened(m) => box_opened(tx, &ctx, m),
        Mutation::BoxClosed(m) => box_closed(tx, &ctx, m),
        Mutation::BoxUpdated(m) => box_updated(tx, &ctx, m),
        Mutation::ReceiptSessionClosed(m) => receipt_session_closed(tx, &ctx, m),
        Mutation::ReceiptSessionRecorded(m) => receipt_session(tx, &ctx, m),
        Mutation::ReceiptClosed(m) => receipt_closed(tx, &ctx, m),
        Mutation::ApprovalDecided(m) => approval(tx, &ctx, m),
        Mutation::ShortShipRecorded(m) => short_ship(tx, &ctx, m),
        Mutation::ReturnAuthorisationSet(m) => returns::authorisation_set(tx, &ctx, m),
        Mutation::ReturnLineReasonSet(m) => returns::reason_set(tx, &ctx, m),
        Mutation::SupplierCreditRecorded(m) => {
            returns::credit_recorded(tx, &ctx, m, env.created_at)
        }
    }
}

fn active_staff(tx: &mut dyn HubTx, id: &str) -> ApplyResult<StaffRow> {
    match tx.staff(id)? {
        Some(s) if s.active => Ok(s),
        Some(s) => refuse(
            "STAFF_INACTIVE",
            format!("{} can no longer sign in", s.name),
        ),
        None => refuse(
            "UNKNOWN_STAFF",
            format!("staff member {id} is not known to the hub"),
        ),
    }
}

/// Loads a consignment the device's outlet is a party to. Chain roles may act on
/// any outlet's consignment when `chain_roles_may` is set (approvals).
fn own_consignment(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    id: Uuid,
    chain_roles_may: bool,
) -> ApplyResult<ConsignmentHeader> {
    let Some(h) = tx.consignment(id)? else {
        return refuse(
            "CONSIGNMENT_NOT_FOUND",
            format!("consignment {id} is not known to the hub"),
        );
    };
    let chain_may = chain_roles_may && rules::is_chain_role(ctx.actor.role);
    if !(h.involves(&ctx.device.outlet_id) || chain_may) {
        return refuse(
            "FOREIGN_OUTLET",
            format!("{} belongs to other outlets", h.reference),
        );
    }
    Ok(h)
}

/// Bumps the version, stores the header and logs the change for pull.
fn touch(tx: &mut dyn HubTx, h: &mut ConsignmentHeader, now: OffsetDateTime) -> ApplyResult<()> {
    h.version += 1;
    h.updated_at = now;
    tx.update_consignment(h)?;
    tx.record_change(Entity::Consignment, &h.id.to_string())?;
    Ok(())
}

fn known_product(tx: &mut dyn HubTx, id: &str) -> ApplyResult<()> {
    match tx.product(id)? {
        Some(p) if !p.deleted => Ok(()),
        _ => refuse(
            "UNKNOWN_PRODUCT",
            format!("product {id} is not in the catalog"),
        ),
    }
}

fn known_outlet(tx: &mut dyn HubTx, id: &Option<String>, what: &str) -> ApplyResult<()> {
    if let Some(id) = id {
        match tx.outlet(id)? {
            Some(o) if !o.deleted => {}
            _ => return refuse("UNKNOWN_OUTLET", format!("{what} outlet {id} is not known")),
        }
    }
    Ok(())
}

fn line_of(tx: &mut dyn HubTx, h: &ConsignmentHeader, product_id: &str) -> ApplyResult<LineRow> {
    tx.line(h.id, product_id)?.map_or_else(
        || {
            refuse(
                "LINE_NOT_FOUND",
                format!("{} has no line for product {product_id}", h.reference),
            )
        },
        Ok,
    )
}

fn new_line(
    line_id: Option<Uuid>,
    product_id: &str,
    expected: Decimal,
    unit_cost: Option<Decimal>,
) -> LineRow {
    LineRow {
        line_id: line_id.unwrap_or_else(Uuid::now_v7),
        product_id: product_id.to_string(),
        expected_qty: expected,
        unit_cost,
        packed_qty: Decimal::ZERO,
        received_qty: Decimal::ZERO,
        damaged_qty: Decimal::ZERO,
        counted_qty: Decimal::ZERO,
        short_reason: None,
        variance_reason: None,
        variance_note: None,
        photos: 0,
    }
}

/// The unit cost of a line: given by the station, else the supplier price now.
fn unit_cost_or_supply(
    tx: &mut dyn HubTx,
    product_id: &str,
    given: Option<Decimal>,
) -> ApplyResult<Option<Decimal>> {
    if given.is_some() {
        return Ok(given);
    }
    Ok(tx.product(product_id)?.and_then(|p| p.supply_price))
}

/// Order total excl. GST from expected quantities and unit costs.
fn order_total(lines: &[LineRow]) -> Money {
    lines
        .iter()
        .map(|l| Money::new(l.expected_qty * l.unit_cost.unwrap_or_default()))
        .sum()
}

/// Approval records of the current round: those after the last decision that
/// sent the order back (request changes) or cancelled it.
fn current_round(approvals: &[ApprovalRow]) -> Vec<ApprovalRecord> {
    let start = approvals
        .iter()
        .rposition(|a| !matches!(a.record.decision, Decision::Approve { .. }))
        .map_or(0, |i| i + 1);
    approvals[start..]
        .iter()
        .map(|a| a.record.clone())
        .collect()
}

/// What the domain's guards need to know about a consignment now.
fn transition_context(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    h: &ConsignmentHeader,
    lines: &[LineRow],
) -> ApplyResult<TransitionContext> {
    let sum = |f: fn(&LineRow) -> Decimal| Quantity::new(lines.iter().map(f).sum());
    let open_boxes = tx.boxes(h.id)?.iter().filter(|b| !b.closed).count();
    let outlet_counting = match (&h.source_outlet_id, h.kind) {
        (Some(o), ConsignmentKind::OutletTransfer | ConsignmentKind::SupplierReturn) => {
            tx.stocktake_counting(o)?
        }
        _ => false,
    };
    let approval_satisfied = if h.kind == ConsignmentKind::PurchaseOrder {
        let approvals = current_round(&tx.approvals(h.id)?);
        let created_by = StaffId::new(h.created_by.clone());
        let last_edited_by = StaffId::new(
            h.last_edited_by
                .clone()
                .unwrap_or_else(|| h.created_by.clone()),
        );
        ctx.policies
            .approval
            .progress(&OrderForApproval {
                status: h.status,
                total_excl: order_total(lines),
                created_by: &created_by,
                last_edited_by: &last_edited_by,
                approvals: &approvals,
            })
            .satisfied
    } else {
        false
    };
    Ok(TransitionContext {
        line_count: u32::try_from(lines.len()).unwrap_or(u32::MAX),
        total_packed: sum(|l| l.packed_qty),
        total_received: sum(|l| l.received_qty),
        total_counted: sum(|l| l.counted_qty),
        open_boxes: u32::try_from(open_boxes).unwrap_or(u32::MAX),
        approval_satisfied,
        recounts_pending: 0,
        outlet_counting,
    })
}

/// Checks `from -> to` with the domain's machine and guards.
fn check_move(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    h: &ConsignmentHeader,
    to: ConsignmentStatus,
) -> ApplyResult<()> {
    let lines = tx.lines(h.id)?;
    let tctx = transition_context(tx, ctx, h, &lines)?;
    rules::check_transition(h.kind, h.status, to, &tctx).map_err(Refusal::from)?;
    Ok(())
}

/// After a line edit of an approved order: a total in a higher tier needs approval again.
fn reapproval_after_edit(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    h: &mut ConsignmentHeader,
) -> ApplyResult<()> {
    if h.kind != ConsignmentKind::PurchaseOrder || h.status != S::Approved {
        return Ok(());
    }
    let approved_tier = current_round(&tx.approvals(h.id)?)
        .iter()
        .map(|r| r.tier)
        .max()
        .unwrap_or(0);
    let total = order_total(&tx.lines(h.id)?);
    if let EditOutcome::NeedsReapproval { .. } =
        ctx.policies.approval.edit_outcome(approved_tier, total)
    {
        check_move(tx, ctx, h, S::PendingApproval)?;
        h.status = S::PendingApproval;
        tx.mark_saga_dirty(h.id, SagaPriority::Movement, ctx.now)?;
    }
    Ok(())
}

fn created(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    m: &ConsignmentCreated,
    created_at: OffsetDateTime,
) -> ApplyResult<Applied> {
    if tx.consignment(m.consignment_id)?.is_some() {
        return refuse(
            "CONSIGNMENT_EXISTS",
            format!("consignment {} already exists", m.consignment_id),
        );
    }
    let outlet = Some(ctx.device.outlet_id.clone());
    let (acting_side, parties_ok) = match m.kind {
        K::PurchaseOrder => (
            &m.destination_outlet_id,
            m.supplier_id.is_some() && m.source_outlet_id.is_none(),
        ),
        K::OutletTransfer => (
            &m.source_outlet_id,
            m.destination_outlet_id.is_some() && m.destination_outlet_id != m.source_outlet_id,
        ),
        K::SupplierReturn => (
            &m.source_outlet_id,
            m.supplier_id.is_some() && m.destination_outlet_id.is_none(),
        ),
        K::Stocktake => (
            &m.source_outlet_id,
            m.supplier_id.is_none()
                && (m.destination_outlet_id.is_none()
                    || m.destination_outlet_id == m.source_outlet_id),
        ),
    };
    if !parties_ok || acting_side.is_none() {
        return refuse(
            "INVALID_PARTIES",
            format!(
                "a {} needs {}",
                m.kind.as_str().replace('_', " "),
                match m.kind {
                    K::PurchaseOrder => "a supplier and a receiving outlet",
                    K::OutletTransfer => "two different outlets",
                    K::SupplierReturn => "a sending outlet and a supplier",
                    K::Stocktake => "one outlet",
                }
            ),
        );
    }
    if *acting_side != outlet {
        return refuse(
            "FOREIGN_OUTLET",
            "a station can only create consignments for its own outlet",
        );
    }
    known_outlet(tx, &m.source_outlet_id, "sending")?;
    known_outlet(tx, &m.destination_outlet_id, "receiving")?;
    if let Some(sid) = &m.supplier_id {
        match tx.supplier(sid)? {
            Some(s) if !s.deleted => {}
            _ => return refuse("UNKNOWN_SUPPLIER", format!("supplier {sid} is not known")),
        }
    }
    let initial = rules::initial_status(m.kind);
    if m.status != initial {
        return refuse(
            "INVALID_INITIAL_STATUS",
            format!(
                "a new {} starts as {}",
                m.kind.as_str().replace('_', " "),
                initial.as_str()
            ),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for l in &m.lines {
        if !seen.insert(l.product_id.as_str()) {
            return refuse(
                "DUPLICATE_LINE",
                format!("product {} is listed twice", l.product_id),
            );
        }
        check_non_negative("expected quantity", l.expected_qty)?;
        known_product(tx, &l.product_id)?;
    }
    let header = ConsignmentHeader {
        id: m.consignment_id,
        kind: m.kind,
        status: initial,
        reference: m.reference.clone(),
        source_outlet_id: m.source_outlet_id.clone(),
        destination_outlet_id: m.destination_outlet_id.clone(),
        supplier_id: m.supplier_id.clone(),
        lightspeed_id: None,
        version: 1,
        created_by: ctx.actor.id.clone(),
        last_edited_by: None,
        created_at,
        updated_at: ctx.now,
    };
    tx.insert_consignment(&header)?;
    for l in &m.lines {
        let cost = unit_cost_or_supply(tx, &l.product_id, l.unit_cost)?;
        tx.upsert_line(
            m.consignment_id,
            &new_line(l.line_id, &l.product_id, l.expected_qty, cost),
        )?;
    }
    tx.record_change(Entity::Consignment, &header.id.to_string())?;
    tx.mark_saga_dirty(header.id, SagaPriority::Edit, ctx.now)?;
    Ok(Applied)
}

fn line_set(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &LineSet) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    rules::check_line_change(h.kind, h.status, LineChange::Lines).map_err(Refusal::from)?;
    check_non_negative("expected quantity", m.expected_qty)?;
    known_product(tx, &m.product_id)?;
    let line = match tx.line(h.id, &m.product_id)? {
        Some(mut l) => {
            l.expected_qty = m.expected_qty;
            if m.unit_cost.is_some() {
                l.unit_cost = m.unit_cost;
            }
            l
        }
        None => {
            let cost = unit_cost_or_supply(tx, &m.product_id, m.unit_cost)?;
            new_line(m.line_id, &m.product_id, m.expected_qty, cost)
        }
    };
    tx.upsert_line(h.id, &line)?;
    h.last_edited_by = Some(ctx.actor.id.clone());
    reapproval_after_edit(tx, ctx, &mut h)?;
    touch(tx, &mut h, ctx.now)?;
    tx.mark_saga_dirty(h.id, SagaPriority::Edit, ctx.now)?;
    Ok(Applied)
}

fn line_removed(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &LineRemoved) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    rules::check_line_change(h.kind, h.status, LineChange::Lines).map_err(Refusal::from)?;
    let line = line_of(tx, &h, &m.product_id)?;
    if !line.packed_qty.is_zero() || !line.counted_qty.is_zero() {
        return refuse(
            "LINE_HAS_UNITS",
            "units of this product are already packed or counted; take them out first",
        );
    }
    tx.delete_line(h.id, &m.product_id)?;
    h.last_edited_by = Some(ctx.actor.id.clone());
    reapproval_after_edit(tx, ctx, &mut h)?;
    touch(tx, &mut h, ctx.now)?;
    tx.mark_saga_dirty(h.id, SagaPriority::Edit, ctx.now)?;
    Ok(Applied)
}

fn check_non_negative(what: &'static str, q: Decimal) -> ApplyResult<()> {
    if q < Decimal::ZERO {
        return refuse("NEGATIVE_QUANTITY", format!("{what} cannot be below zero"));
    }
    Ok(())
}

fn transition(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    m: &StatusTransitionRequested,
) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    if h.status != m.from {
        // Someone else moved it first: the later station loses and is told where it is.
        return Err(rules::already(h.status).into());
    }
    if m.to == S::Received {
        // Closing from a station that signed its receive sessions.
        let evidence = CloseEvidence {
            receiver_signed: tx.receipt_signed(h.id)?,
            ..CloseEvidence::default()
        };
        check_close(tx, ctx, &h, &evidence)?;
    }
    check_move(tx, ctx, &h, m.to)?;
    if m.to == S::Sent && matches!(h.kind, K::OutletTransfer | K::SupplierReturn) {
        // Sent short on purpose needs a reason per line (DOMAIN.md, Packing).
        if let Some(l) = tx
            .lines(h.id)?
            .into_iter()
            .find(|l| l.packed_qty < l.expected_qty && l.short_reason.is_none())
        {
            return refuse(
                "SHORT_WITHOUT_REASON",
                format!(
                    "product {} is packed short ({} of {}); give a reason to send it short",
                    l.product_id, l.packed_qty, l.expected_qty
                ),
            );
        }
    }
    h.status = m.to;
    touch(tx, &mut h, ctx.now)?;
    tx.mark_saga_dirty(h.id, SagaPriority::Movement, ctx.now)?;
    Ok(Applied)
}

/// Packing stage check: past packing, the loser of a race is told where it went.
fn check_packing(h: &ConsignmentHeader) -> ApplyResult<()> {
    if !matches!(h.kind, K::OutletTransfer | K::SupplierReturn) {
        return refuse("NOT_PACKED_HERE", "only transfers and returns are packed");
    }
    if !matches!(h.status, S::Draft | S::Packing) {
        return Err(rules::already(h.status).into());
    }
    rules::check_line_change(h.kind, h.status, LineChange::Packed).map_err(Refusal::from)?;
    Ok(())
}

fn scan(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &ScanRecorded) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    match m.purpose {
        ScanPurpose::Pack => check_packing(&h)?,
        ScanPurpose::Receive => {
            check_receiver(ctx, &h)?;
            if !matches!(h.status, S::Sent | S::InTransit | S::Receiving) {
                return Err(rules::already(h.status).into());
            }
            // Evidence only: received quantities come from receipt lines.
            if tx.insert_scan_event(m)? {
                tx.record_change(Entity::ScanEvent, &m.event_id.to_string())?;
            }
            return Ok(Applied);
        }
        ScanPurpose::Count => {
            if h.kind != K::Stocktake {
                return refuse("NOT_A_STOCKTAKE", "counts belong to stocktakes");
            }
            rules::check_line_change(h.kind, h.status, LineChange::Counted)
                .map_err(Refusal::from)?;
        }
    }
    if m.delta.is_zero() {
        return refuse("ZERO_SCAN", "a scan must change the count");
    }
    let mut line = match (m.purpose, tx.line(h.id, &m.product_id)?) {
        (_, Some(l)) => l,
        // A stocktake counts whatever is on the shelf.
        (ScanPurpose::Count, None) => {
            known_product(tx, &m.product_id)?;
            new_line(None, &m.product_id, Decimal::ZERO, None)
        }
        (_, None) => {
            return refuse(
                "LINE_NOT_FOUND",
                format!("{} has no line for product {}", h.reference, m.product_id),
            )
        }
    };
    if let Some(box_id) = m.box_id {
        match tx.parcel(box_id)? {
            Some((cid, b)) if cid == h.id => {
                if b.closed && m.delta.is_sign_positive() {
                    return refuse("BOX_CLOSED", format!("box {} is closed", b.number));
                }
            }
            _ => return refuse("BOX_NOT_FOUND", "that box is not part of this consignment"),
        }
    }
    if !tx.insert_scan_event(m)? {
        // The same event arrived under another mutation id: already counted.
        return Ok(Applied);
    }
    tx.record_change(Entity::ScanEvent, &m.event_id.to_string())?;
    let total = match m.purpose {
        ScanPurpose::Count => &mut line.counted_qty,
        _ => &mut line.packed_qty,
    };
    let new_total = *total + m.delta;
    check_non_negative("the count", new_total)?;
    if m.purpose == ScanPurpose::Pack
        && m.delta.is_sign_positive()
        && new_total > line.expected_qty
        && m.over_pack_reason
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        return refuse(
            "OVER_PACK_NEEDS_REASON",
            format!(
                "packing {new_total} of {} expected needs a reason",
                line.expected_qty
            ),
        );
    }
    *total = new_total;
    tx.upsert_line(h.id, &line)?;
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}

fn box_opened(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &BoxOpened) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    check_packing(&h)?;
    if tx.parcel(m.box_id)?.is_some() {
        return refuse("BOX_EXISTS", "that box is already open");
    }
    tx.upsert_box(
        h.id,
        &BoxRow {
            id: m.box_id,
            number: m.number,
            container: m.container.clone(),
            closed: false,
            weight_grams: None,
            weight_source: None,
            dimensions: None,
            tracking_number: None,
        },
    )?;
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}

fn box_closed(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &BoxClosed) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    check_packing(&h)?;
    let Some((cid, mut b)) = tx.parcel(m.box_id)? else {
        return refuse("BOX_NOT_FOUND", "that box was never opened");
    };
    if cid != h.id {
        return refuse("BOX_NOT_FOUND", "that box is not part of this consignment");
    }
    if b.closed {
        return refuse(
            "BOX_ALREADY_CLOSED",
            format!("box {} is already closed", b.number),
        );
    }
    if m.weight_grams == 0 {
        return refuse("WEIGHT_REQUIRED", "weigh the box before closing it");
    }
    b.closed = true;
    b.weight_grams = Some(m.weight_grams);
    b.weight_source = Some(m.weight_source.clone());
    b.dimensions = m.dimensions;
    b.tracking_number = m.tracking_number.clone();
    tx.upsert_box(h.id, &b)?;
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}

fn box_updated(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &BoxUpdated) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    if h.status.is_terminal() {
        return Err(rules::already(h.status).into());
    }
    let Some((cid, mut b)) = tx.parcel(m.box_id)? else {
        return refuse("BOX_NOT_FOUND", "that box was never opened");
    };
    if cid != h.id {
        return refuse("BOX_NOT_FOUND", "that box is not part of this consignment");
    }
    if m.weight_grams == Some(0) {
        return refuse("WEIGHT_REQUIRED", "a weight must be more than zero");
    }
    if let Some(w) = m.weight_grams {
        b.weight_grams = Some(w);
        b.weight_source = m.weight_source.clone().or(b.weight_source);
    }
    if m.dimensions.is_some() {
        b.dimensions = m.dimensions;
    }
    if m.tracking_number.is_some() {
        b.tracking_number = m.tracking_number.clone();
    }
    tx.upsert_box(h.id, &b)?;
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}

fn check_receiver(ctx: &Ctx<'_>, h: &ConsignmentHeader) -> ApplyResult<()> {
    if h.destination_outlet_id.as_deref() != Some(&ctx.device.outlet_id) {
        return refuse("NOT_THE_RECEIVER", "only the receiving outlet receives");
    }
    Ok(())
}

fn receipt_session(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    m: &ReceiptSessionRecorded,
) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    check_receiver(ctx, &h)?;
    if h.status.is_terminal() {
        return Err(rules::already(h.status).into());
    }
    if matches!(h.status, S::Sent | S::InTransit) {
        // The first count starts receiving.
        check_move(tx, ctx, &h, S::Receiving)?;
        h.status = S::Receiving;
    }
    rules::check_line_change(h.kind, h.status, LineChange::Received).map_err(Refusal::from)?;
    // Check everything before writing anything.
    let mut updated: Vec<LineRow> = Vec::with_capacity(m.lines.len());
    let mut counts = Vec::with_capacity(m.lines.len());
    for r in &m.lines {
        check_non_negative("received quantity", r.received)?;
        check_non_negative("damaged quantity", r.damaged)?;
        if r.damaged > r.received {
            return refuse(
                "DAMAGED_EXCEEDS_RECEIVED",
                "more units are marked damaged than were received",
            );
        }
        let mut line = line_of(tx, &h, &r.product_id)?;
        // Absolute within the session: replace this session's earlier count.
        let (was_received, was_damaged) = tx
            .receipt_line(m.session_id, &r.product_id)?
            .unwrap_or((Decimal::ZERO, Decimal::ZERO));
        line.received_qty += r.received - was_received;
        line.damaged_qty += r.damaged - was_damaged;
        updated.push(line);
        counts.push(r);
    }
    for v in &m.variances {
        let line = match updated.iter_mut().find(|l| l.product_id == v.product_id) {
            Some(l) => l,
            None => {
                updated.push(line_of(tx, &h, &v.product_id)?);
                updated.last_mut().expect("just pushed")
            }
        };
        line.variance_reason = Some(v.reason);
        line.variance_note = v.note.clone();
    }
    for e in m.evidence.iter().filter(|e| e.kind == "photo") {
        let Some(pid) = &e.product_id else { continue };
        if let Some(l) = updated.iter_mut().find(|l| &l.product_id == pid) {
            l.photos += 1;
        } else {
            let mut l = line_of(tx, &h, pid)?;
            l.photos += 1;
            updated.push(l);
        }
    }
    if tx.ensure_receipt_session(h.id, m.session_id, &ctx.actor.id, ctx.now)? {
        return refuse("SESSION_CLOSED", "this receive session is already closed");
    }
    for r in counts {
        tx.put_receipt_line(h.id, m.session_id, &r.product_id, r.received, r.damaged)?;
    }
    for line in &updated {
        tx.upsert_line(h.id, line)?;
    }
    touch(tx, &mut h, ctx.now)?;
    tx.mark_saga_dirty(h.id, SagaPriority::Movement, ctx.now)?;
    Ok(Applied)
}

fn receipt_session_closed(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    m: &ReceiptSessionClosed,
) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    check_receiver(ctx, &h)?;
    if h.status.is_terminal() {
        return Err(rules::already(h.status).into());
    }
    let signer = active_staff(tx, &m.signed_by)?;
    if tx.ensure_receipt_session(h.id, m.session_id, &ctx.actor.id, ctx.now)? {
        return refuse("SESSION_CLOSED", "this receive session is already closed");
    }
    tx.close_receipt_session(
        m.session_id,
        &signer.id,
        m.signature.as_ref().map(|s| s.sha256.as_str()),
        m.driver_signature.as_ref().map(|s| s.sha256.as_str()),
        ctx.now,
    )?;
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}

/// The domain's receipt-close check over the hub's lines.
fn check_close(
    tx: &mut dyn HubTx,
    ctx: &Ctx<'_>,
    h: &ConsignmentHeader,
    evidence: &CloseEvidence,
) -> ApplyResult<()> {
    let lines = tx.lines(h.id)?;
    // What was sent is what was packed for a transfer, what was ordered for an order.
    let received: Vec<tally_domain::ReceivedLine> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| tally_domain::ReceivedLine {
            line_no: u32::try_from(i + 1).unwrap_or(u32::MAX),
            expected: Quantity::new(if h.kind == K::OutletTransfer {
                l.packed_qty
            } else {
                l.expected_qty
            }),
            received: Quantity::new(l.received_qty),
            damaged: Quantity::new(l.damaged_qty),
            unit_cost_excl: Money::new(l.unit_cost.unwrap_or_default()),
            reason: l.variance_reason,
            note: l.variance_note.clone(),
            photos: l.photos,
        })
        .collect();
    check_receipt_close(&received, &ctx.policies.variance, evidence).map_err(Refusal::from)?;
    Ok(())
}

fn receipt_closed(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &ReceiptClosed) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    check_receiver(ctx, &h)?;
    if h.status.is_terminal() {
        return Err(rules::already(h.status).into());
    }
    let manager_sign_off = match &m.confirmed_by {
        Some(id) => Some(active_staff(tx, id)?.role),
        None => None,
    };
    if (m.signature.is_none() || manager_sign_off.is_some()) && !m.pin_verified {
        return refuse(
            "PIN_REQUIRED",
            "the PIN confirmation was not checked at the station",
        );
    }
    let evidence = CloseEvidence {
        receiver_signed: m.signature.is_some() || tx.receipt_signed(h.id)?,
        receiver_confirmed_with_pin: m.signature.is_none() && m.pin_verified,
        manager_sign_off,
    };
    check_close(tx, ctx, &h, &evidence)?;
    check_move(tx, ctx, &h, S::Received)?;
    h.status = S::Received;
    touch(tx, &mut h, ctx.now)?;
    tx.mark_saga_dirty(h.id, SagaPriority::Movement, ctx.now)?;
    Ok(Applied)
}

fn approval(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &ApprovalDecided) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, true)?;
    if h.kind != K::PurchaseOrder {
        return refuse("NOT_A_PURCHASE_ORDER", "only purchase orders are approved");
    }
    if h.status != S::PendingApproval {
        return Err(rules::already(h.status).into());
    }
    if !m.pin_verified {
        return refuse("PIN_REQUIRED", "the approver confirms with their PIN");
    }
    if m.by != ctx.actor.id {
        return refuse(
            "APPROVER_NOT_SIGNED_IN",
            "the approver must be the person signed in",
        );
    }
    let lines = tx.lines(h.id)?;
    let approvals = tx.approvals(h.id)?;
    if approvals.iter().any(|a| a.id == m.approval_id) {
        return refuse("APPROVAL_EXISTS", "this decision was already recorded");
    }
    let round = current_round(&approvals);
    let created_by = StaffId::new(h.created_by.clone());
    let last_edited_by = StaffId::new(
        h.last_edited_by
            .clone()
            .unwrap_or_else(|| h.created_by.clone()),
    );
    let outcome = ctx
        .policies
        .approval
        .decide(
            &Approver {
                staff: StaffId::new(ctx.actor.id.clone()),
                role: ctx.actor.role,
            },
            &OrderForApproval {
                status: h.status,
                total_excl: order_total(&lines),
                created_by: &created_by,
                last_edited_by: &last_edited_by,
                approvals: &round,
            },
            m.decision.clone(),
            ctx.now,
        )
        .map_err(Refusal::from)?;
    tx.insert_approval(
        h.id,
        &ApprovalRow {
            id: m.approval_id,
            record: outcome.record,
        },
    )?;
    if outcome.new_status != h.status {
        check_move(tx, ctx, &h, outcome.new_status)?;
        h.status = outcome.new_status;
        tx.mark_saga_dirty(h.id, SagaPriority::Movement, ctx.now)?;
    }
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}

fn short_ship(tx: &mut dyn HubTx, ctx: &Ctx<'_>, m: &ShortShipRecorded) -> ApplyResult<Applied> {
    let mut h = own_consignment(tx, ctx, m.consignment_id, false)?;
    if !matches!(h.kind, K::OutletTransfer | K::SupplierReturn) {
        return refuse(
            "NOT_PACKED_HERE",
            "only transfers and returns are sent short",
        );
    }
    if !matches!(h.status, S::Packing | S::Packed) {
        return Err(rules::already(h.status).into());
    }
    if m.reason.trim().is_empty() {
        return refuse("REASON_REQUIRED", "say why it is sent short");
    }
    let mut line = line_of(tx, &h, &m.product_id)?;
    line.short_reason = Some(m.reason.clone());
    tx.upsert_line(h.id, &line)?;
    touch(tx, &mut h, ctx.now)?;
    Ok(Applied)
}
