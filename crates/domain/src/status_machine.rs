//! The CIS status machine of each consignment kind, with the guards every transition
//! must pass. The table here is the single source: the UI lists `allowed_next`, the
//! outlet and the hub call `check_transition` before writing, and `docs/transitions.md`
//! is generated from it.

use crate::consignment::{ConsignmentKind, ConsignmentStatus};
use crate::error::DomainError;
use crate::lightspeed_mapping::{ls_effect, LsAction};
use crate::money::Quantity;

use ConsignmentStatus as S;

/// A condition a transition checks against the consignment's current facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Guard {
    /// At least one line (Lightspeed also refuses status changes without lines).
    HasLines,
    /// Something packed in total.
    SomethingPacked,
    /// No box left open.
    BoxesClosed,
    /// The order's tier approvals are complete and still valid for its total.
    ApprovalSatisfied,
    /// Something received in total.
    SomethingReceived,
    /// Something counted in total.
    SomethingCounted,
    /// No stocktake line waits for a recount.
    NoRecountsPending,
    /// The sending outlet is not counting a stocktake.
    OutletNotCounting,
}

impl Guard {
    /// A short description for the generated transitions table.
    pub fn describe(self) -> &'static str {
        match self {
            Self::HasLines => "has lines",
            Self::SomethingPacked => "packed > 0",
            Self::BoxesClosed => "no open box",
            Self::ApprovalSatisfied => "approvals complete for its tier",
            Self::SomethingReceived => "received > 0",
            Self::SomethingCounted => "counted > 0",
            Self::NoRecountsPending => "no recount pending",
            Self::OutletNotCounting => "outlet not counting a stocktake",
        }
    }
}

/// One allowed transition of a kind's machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Status before.
    pub from: ConsignmentStatus,
    /// Status after.
    pub to: ConsignmentStatus,
    /// What staff do, as a button would say it ("send").
    pub action: &'static str,
    /// The action inside a sentence ("sending"), for error messages.
    gerund: &'static str,
    /// Conditions checked, in order; the first that fails is the error.
    pub guards: &'static [Guard],
}

const fn edge(
    from: ConsignmentStatus,
    to: ConsignmentStatus,
    action: &'static str,
    gerund: &'static str,
    guards: &'static [Guard],
) -> Edge {
    Edge {
        from,
        to,
        action,
        gerund,
        guards,
    }
}

use Guard as G;

#[rustfmt::skip]
const PURCHASE_ORDER_EDGES: &[Edge] = &[
    edge(S::Draft, S::PendingApproval, "submit for approval", "submitting it for approval", &[G::HasLines]),
    edge(S::Draft, S::Approved, "approve (tier needs no approver)", "approving it", &[G::HasLines, G::ApprovalSatisfied]),
    edge(S::PendingApproval, S::Approved, "approve", "approving it", &[G::HasLines, G::ApprovalSatisfied]),
    edge(S::PendingApproval, S::Draft, "request changes", "requesting changes", &[]),
    edge(S::PendingApproval, S::Cancelled, "reject", "rejecting it", &[]),
    edge(S::Approved, S::PendingApproval, "ask again for approval (total moved to a higher tier)", "asking again for approval", &[]),
    edge(S::Approved, S::Sent, "send to supplier", "sending", &[G::HasLines, G::ApprovalSatisfied]),
    edge(S::Sent, S::InTransit, "supplier dispatched", "marking it dispatched", &[G::HasLines]),
    edge(S::Sent, S::Receiving, "start receiving", "receiving", &[G::HasLines]),
    edge(S::InTransit, S::Receiving, "start receiving", "receiving", &[G::HasLines]),
    edge(S::Receiving, S::Received, "close receipt", "closing the receipt", &[G::HasLines, G::SomethingReceived]),
    edge(S::Draft, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Approved, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Sent, S::Cancelled, "cancel (supplier will not deliver)", "cancelling", &[]),
    edge(S::InTransit, S::Cancelled, "cancel (lost in transit)", "cancelling", &[]),
];

#[rustfmt::skip]
const OUTLET_TRANSFER_EDGES: &[Edge] = &[
    edge(S::Draft, S::Packing, "start packing", "packing", &[G::OutletNotCounting]),
    edge(S::Packing, S::Packed, "finish packing", "marking it packed", &[G::HasLines, G::SomethingPacked, G::BoxesClosed]),
    edge(S::Packed, S::Packing, "reopen packing", "reopening it", &[]),
    edge(S::Packed, S::Sent, "hand over", "sending", &[G::HasLines, G::SomethingPacked, G::OutletNotCounting]),
    edge(S::Sent, S::InTransit, "carrier collected", "marking it in transit", &[G::HasLines]),
    edge(S::Sent, S::Receiving, "start receiving", "receiving", &[G::HasLines]),
    edge(S::InTransit, S::Receiving, "start receiving", "receiving", &[G::HasLines]),
    edge(S::Receiving, S::Received, "close receipt", "closing the receipt", &[G::HasLines, G::SomethingReceived]),
    edge(S::Draft, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Packing, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Packed, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Sent, S::Cancelled, "cancel (not going ahead)", "cancelling", &[]),
    edge(S::InTransit, S::Cancelled, "cancel (lost in transit)", "cancelling", &[]),
];

// Lightspeed's RETURN type only knows OPEN -> SENT (or CANCELLED from OPEN), and Tally
// never receives at the supplier's end: a return is closed once it is sent.
#[rustfmt::skip]
const SUPPLIER_RETURN_EDGES: &[Edge] = &[
    edge(S::Draft, S::Packing, "start packing", "packing", &[G::OutletNotCounting]),
    edge(S::Packing, S::Packed, "finish packing", "marking it packed", &[G::HasLines, G::SomethingPacked, G::BoxesClosed]),
    edge(S::Packed, S::Packing, "reopen packing", "reopening it", &[]),
    edge(S::Packed, S::Sent, "hand to supplier", "sending", &[G::HasLines, G::SomethingPacked, G::OutletNotCounting]),
    edge(S::Draft, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Packing, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Packed, S::Cancelled, "cancel", "cancelling", &[]),
];

// Recounts happen inside `review` (counts are events): Lightspeed has no way back from
// IN_PROGRESS_PROCESSED to IN_PROGRESS, so neither does Tally.
#[rustfmt::skip]
const STOCKTAKE_EDGES: &[Edge] = &[
    edge(S::Scheduled, S::Counting, "start counting", "starting the count", &[G::HasLines]),
    edge(S::Counting, S::Review, "finish counting", "finishing the count", &[G::HasLines, G::SomethingCounted]),
    edge(S::Review, S::Complete, "complete", "completing it", &[G::HasLines, G::NoRecountsPending]),
    edge(S::Scheduled, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Counting, S::Cancelled, "cancel", "cancelling", &[]),
    edge(S::Review, S::Cancelled, "cancel", "cancelling", &[]),
];

/// Every allowed transition of `kind`, guards included.
pub fn edges(kind: ConsignmentKind) -> &'static [Edge] {
    match kind {
        ConsignmentKind::PurchaseOrder => PURCHASE_ORDER_EDGES,
        ConsignmentKind::OutletTransfer => OUTLET_TRANSFER_EDGES,
        ConsignmentKind::SupplierReturn => SUPPLIER_RETURN_EDGES,
        ConsignmentKind::Stocktake => STOCKTAKE_EDGES,
    }
}

/// The statuses `kind` uses, in the order a consignment moves through them
/// (`cancelled` last). Later means further along.
pub fn statuses(kind: ConsignmentKind) -> &'static [ConsignmentStatus] {
    match kind {
        ConsignmentKind::PurchaseOrder => &[
            S::Draft,
            S::PendingApproval,
            S::Approved,
            S::Sent,
            S::InTransit,
            S::Receiving,
            S::Received,
            S::Cancelled,
        ],
        ConsignmentKind::OutletTransfer => &[
            S::Draft,
            S::Packing,
            S::Packed,
            S::Sent,
            S::InTransit,
            S::Receiving,
            S::Received,
            S::Cancelled,
        ],
        ConsignmentKind::SupplierReturn => {
            &[S::Draft, S::Packing, S::Packed, S::Sent, S::Cancelled]
        }
        ConsignmentKind::Stocktake => &[
            S::Scheduled,
            S::Counting,
            S::Review,
            S::Complete,
            S::Cancelled,
        ],
    }
}

/// The status a new consignment of `kind` starts in.
pub fn initial_status(kind: ConsignmentKind) -> ConsignmentStatus {
    match kind {
        ConsignmentKind::Stocktake => S::Scheduled,
        _ => S::Draft,
    }
}

/// True when a consignment of `kind` in `status` is finished: no transition, no line edit.
/// A supplier return is closed once sent.
pub fn is_closed(kind: ConsignmentKind, status: ConsignmentStatus) -> bool {
    status.is_terminal() || (kind == ConsignmentKind::SupplierReturn && status == S::Sent)
}

/// The statuses the UI may offer from `from` (guards not evaluated), in table order.
pub fn allowed_next(kind: ConsignmentKind, from: ConsignmentStatus) -> Vec<ConsignmentStatus> {
    edges(kind)
        .iter()
        .filter(|e| e.from == from)
        .map(|e| e.to)
        .collect()
}

/// What the guards look at. Fill what you know; `Default` is an empty consignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransitionContext {
    /// Number of lines on the consignment.
    pub line_count: u32,
    /// Sum of packed quantities.
    pub total_packed: Quantity,
    /// Sum of received quantities over all receipt sessions.
    pub total_received: Quantity,
    /// Sum of counted quantities (stocktake).
    pub total_counted: Quantity,
    /// Boxes not yet closed.
    pub open_boxes: u32,
    /// The PO's approvals are complete and valid for its current total
    /// (see `approval::ApprovalPolicy::progress`). Ignored for other kinds.
    pub approval_satisfied: bool,
    /// Stocktake lines flagged for a recount and not yet recounted.
    pub recounts_pending: u32,
    /// The sending outlet has a stocktake in `counting`.
    pub outlet_counting: bool,
}

/// An accepted transition and what it implies for Lightspeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The consignment's kind.
    pub kind: ConsignmentKind,
    /// Status before.
    pub from: ConsignmentStatus,
    /// Status after.
    pub to: ConsignmentStatus,
    /// What staff did ("send").
    pub action: &'static str,
    /// The Lightspeed change the hub's worker must make, if any.
    pub lightspeed: Option<LsAction>,
}

/// Checks a status change and returns what it implies, or the rule it breaks.
pub fn check_transition(
    kind: ConsignmentKind,
    from: ConsignmentStatus,
    to: ConsignmentStatus,
    ctx: &TransitionContext,
) -> Result<Transition, DomainError> {
    for status in [from, to] {
        if !statuses(kind).contains(&status) {
            return Err(DomainError::StatusNotInKind { kind, status });
        }
    }
    if is_closed(kind, from) {
        return Err(DomainError::ConsignmentClosed { kind, status: from });
    }
    let Some(edge) = edges(kind).iter().find(|e| e.from == from && e.to == to) else {
        return Err(missing_edge_error(kind, from, to));
    };
    for guard in edge.guards {
        check_guard(kind, edge, *guard, ctx)?;
    }
    Ok(Transition {
        kind,
        from,
        to,
        action: edge.action,
        lightspeed: ls_effect(kind, from, to, ctx.line_count)?,
    })
}

fn missing_edge_error(
    kind: ConsignmentKind,
    from: ConsignmentStatus,
    to: ConsignmentStatus,
) -> DomainError {
    let before_sent = |s: ConsignmentStatus| {
        matches!(
            s,
            S::Draft | S::PendingApproval | S::Approved | S::Packing | S::Packed
        )
    };
    if to == S::Cancelled {
        DomainError::CancelNotAllowed { kind, status: from }
    } else if matches!(to, S::Receiving | S::Received) && before_sent(from) {
        DomainError::NotSentYet { kind }
    } else {
        DomainError::illegal_transition(kind, from, to)
    }
}

fn check_guard(
    kind: ConsignmentKind,
    edge: &Edge,
    guard: Guard,
    ctx: &TransitionContext,
) -> Result<(), DomainError> {
    let action = edge.gerund;
    let ok = match guard {
        G::HasLines => ctx.line_count > 0,
        G::SomethingPacked => ctx.total_packed.is_positive(),
        G::BoxesClosed => ctx.open_boxes == 0,
        G::ApprovalSatisfied => ctx.approval_satisfied,
        G::SomethingReceived => ctx.total_received.is_positive(),
        G::SomethingCounted => ctx.total_counted.is_positive(),
        G::NoRecountsPending => ctx.recounts_pending == 0,
        G::OutletNotCounting => !ctx.outlet_counting,
    };
    if ok {
        return Ok(());
    }
    Err(match guard {
        G::HasLines => DomainError::NoLines { kind, action },
        G::SomethingPacked => DomainError::NothingPacked { kind, action },
        G::BoxesClosed => DomainError::BoxesStillOpen {
            kind,
            open: ctx.open_boxes,
        },
        G::ApprovalSatisfied => DomainError::ApprovalRequired {
            action: if edge.to == S::Sent {
                "sent"
            } else {
                "marked approved"
            },
        },
        G::SomethingReceived => DomainError::NothingReceived { kind },
        G::SomethingCounted => DomainError::NothingCounted,
        G::NoRecountsPending => DomainError::RecountsPending {
            pending: ctx.recounts_pending,
        },
        G::OutletNotCounting => DomainError::StocktakeCountInProgress { kind },
    })
}

/// Which part of a line an edit touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineChange {
    /// Adding or removing products, expected quantities, unit costs.
    Lines,
    /// Packed quantities (scan events while packing).
    Packed,
    /// Received quantities (receipt sessions).
    Received,
    /// Counted quantities (stocktake).
    Counted,
}

impl LineChange {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lines => "lines",
            Self::Packed => "packed",
            Self::Received => "received",
            Self::Counted => "counted",
        }
    }
}

/// Refuses any line edit on a closed consignment (received, cancelled, complete, or a
/// sent supplier return).
pub fn check_line_edit(
    kind: ConsignmentKind,
    status: ConsignmentStatus,
) -> Result<(), DomainError> {
    if !statuses(kind).contains(&status) {
        return Err(DomainError::StatusNotInKind { kind, status });
    }
    if is_closed(kind, status) {
        return Err(DomainError::ConsignmentClosed { kind, status });
    }
    Ok(())
}

/// Checks one kind of line edit against the status: products change only before the
/// goods leave, packed counts only while packing, received counts only while receiving,
/// counted quantities while counting or recounting in review.
pub fn check_line_change(
    kind: ConsignmentKind,
    status: ConsignmentStatus,
    change: LineChange,
) -> Result<(), DomainError> {
    check_line_edit(kind, status)?;
    use ConsignmentKind as K;
    let allowed = match (kind, change) {
        (K::PurchaseOrder, LineChange::Lines) => {
            matches!(status, S::Draft | S::PendingApproval | S::Approved)
        }
        (K::OutletTransfer | K::SupplierReturn, LineChange::Lines) => {
            matches!(status, S::Draft | S::Packing)
        }
        (K::OutletTransfer | K::SupplierReturn, LineChange::Packed) => status == S::Packing,
        (K::PurchaseOrder | K::OutletTransfer, LineChange::Received) => status == S::Receiving,
        (K::Stocktake, LineChange::Lines) => matches!(status, S::Scheduled | S::Counting),
        (K::Stocktake, LineChange::Counted) => matches!(status, S::Counting | S::Review),
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(DomainError::LineChangeNotAllowed {
            kind,
            status,
            change: change.as_str(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lightspeed::LsConsignmentStatus as Ls;
    use ConsignmentKind as K;

    /// A context that passes every guard.
    fn ready() -> TransitionContext {
        TransitionContext {
            line_count: 2,
            total_packed: Quantity::units(3),
            total_received: Quantity::units(3),
            total_counted: Quantity::units(3),
            open_boxes: 0,
            approval_satisfied: true,
            recounts_pending: 0,
            outlet_counting: false,
        }
    }

    fn code(kind: K, from: S, to: S, ctx: TransitionContext) -> &'static str {
        check_transition(kind, from, to, &ctx).unwrap_err().code()
    }

    fn walk(kind: K, path: &[S]) {
        for pair in path.windows(2) {
            check_transition(kind, pair[0], pair[1], &ready())
                .unwrap_or_else(|e| panic!("{kind:?} {:?}->{:?}: {e}", pair[0], pair[1]));
        }
    }

    #[test]
    fn purchase_order_happy_path_is_allowed() {
        walk(
            K::PurchaseOrder,
            &[
                S::Draft,
                S::PendingApproval,
                S::Approved,
                S::Sent,
                S::InTransit,
                S::Receiving,
                S::Received,
            ],
        );
        walk(K::PurchaseOrder, &[S::Sent, S::Receiving]);
    }

    #[test]
    fn transfer_happy_path_is_allowed() {
        walk(
            K::OutletTransfer,
            &[
                S::Draft,
                S::Packing,
                S::Packed,
                S::Sent,
                S::InTransit,
                S::Receiving,
                S::Received,
            ],
        );
    }

    #[test]
    fn return_happy_path_ends_at_sent() {
        walk(
            K::SupplierReturn,
            &[S::Draft, S::Packing, S::Packed, S::Sent],
        );
        assert!(is_closed(K::SupplierReturn, S::Sent));
        assert!(allowed_next(K::SupplierReturn, S::Sent).is_empty());
        assert_eq!(
            code(K::SupplierReturn, S::Sent, S::Receiving, ready()),
            "STATUS_NOT_IN_KIND"
        );
    }

    #[test]
    fn stocktake_goes_scheduled_counting_review_complete() {
        walk(
            K::Stocktake,
            &[S::Scheduled, S::Counting, S::Review, S::Complete],
        );
        assert_eq!(
            code(K::Stocktake, S::Scheduled, S::Review, ready()),
            "ILLEGAL_TRANSITION"
        );
        assert_eq!(
            code(K::Stocktake, S::Review, S::Counting, ready()),
            "ILLEGAL_TRANSITION"
        );
    }

    #[test]
    fn sending_an_empty_transfer_is_refused() {
        let ctx = TransitionContext {
            line_count: 0,
            ..ready()
        };
        let err = check_transition(K::OutletTransfer, S::Packed, S::Sent, &ctx).unwrap_err();
        assert_eq!(err.code(), "NO_LINES");
        assert_eq!(
            err.to_string(),
            "This transfer has no lines yet. Add at least one product before sending."
        );
        assert_eq!(code(K::SupplierReturn, S::Packed, S::Sent, ctx), "NO_LINES");
        assert_eq!(
            code(K::PurchaseOrder, S::Approved, S::Sent, ctx),
            "NO_LINES"
        );
    }

    #[test]
    fn submitting_an_empty_order_for_approval_is_refused() {
        let ctx = TransitionContext {
            line_count: 0,
            ..ready()
        };
        assert_eq!(
            code(K::PurchaseOrder, S::Draft, S::PendingApproval, ctx),
            "NO_LINES"
        );
    }

    #[test]
    fn sending_with_nothing_packed_is_refused() {
        let ctx = TransitionContext {
            total_packed: Quantity::ZERO,
            ..ready()
        };
        assert_eq!(
            code(K::OutletTransfer, S::Packed, S::Sent, ctx),
            "NOTHING_PACKED"
        );
        assert_eq!(
            code(K::OutletTransfer, S::Packing, S::Packed, ctx),
            "NOTHING_PACKED"
        );
    }

    #[test]
    fn marking_packed_with_an_open_box_is_refused() {
        let ctx = TransitionContext {
            open_boxes: 1,
            ..ready()
        };
        assert_eq!(
            code(K::OutletTransfer, S::Packing, S::Packed, ctx),
            "BOXES_STILL_OPEN"
        );
        assert_eq!(
            code(K::SupplierReturn, S::Packing, S::Packed, ctx),
            "BOXES_STILL_OPEN"
        );
    }

    #[test]
    fn packed_is_not_sent_so_packing_cannot_skip_to_sent() {
        assert_eq!(
            code(K::OutletTransfer, S::Packing, S::Sent, ready()),
            "ILLEGAL_TRANSITION"
        );
    }

    #[test]
    fn receiving_before_sent_is_refused() {
        for from in [S::Draft, S::Packing, S::Packed] {
            assert_eq!(
                code(K::OutletTransfer, from, S::Receiving, ready()),
                "NOT_SENT_YET"
            );
            assert_eq!(
                code(K::OutletTransfer, from, S::Received, ready()),
                "NOT_SENT_YET"
            );
        }
        assert_eq!(
            code(K::PurchaseOrder, S::Approved, S::Receiving, ready()),
            "NOT_SENT_YET"
        );
    }

    #[test]
    fn closing_a_receive_with_nothing_received_is_refused() {
        let ctx = TransitionContext {
            total_received: Quantity::ZERO,
            ..ready()
        };
        assert_eq!(
            code(K::OutletTransfer, S::Receiving, S::Received, ctx),
            "NOTHING_RECEIVED"
        );
        assert_eq!(
            code(K::PurchaseOrder, S::Receiving, S::Received, ctx),
            "NOTHING_RECEIVED"
        );
    }

    #[test]
    fn received_needs_a_receive_session_first() {
        assert_eq!(
            code(K::OutletTransfer, S::Sent, S::Received, ready()),
            "ILLEGAL_TRANSITION"
        );
    }

    #[test]
    fn sending_an_order_without_valid_approval_is_refused() {
        let ctx = TransitionContext {
            approval_satisfied: false,
            ..ready()
        };
        assert_eq!(
            code(K::PurchaseOrder, S::Approved, S::Sent, ctx),
            "APPROVAL_REQUIRED"
        );
        assert_eq!(
            code(K::PurchaseOrder, S::PendingApproval, S::Approved, ctx),
            "APPROVAL_REQUIRED"
        );
    }

    #[test]
    fn an_order_in_a_no_approval_tier_may_go_straight_to_approved() {
        walk(K::PurchaseOrder, &[S::Draft, S::Approved]);
        let ctx = TransitionContext {
            approval_satisfied: false,
            ..ready()
        };
        assert_eq!(
            code(K::PurchaseOrder, S::Draft, S::Approved, ctx),
            "APPROVAL_REQUIRED"
        );
    }

    #[test]
    fn an_order_cannot_be_sent_from_draft() {
        assert_eq!(
            code(K::PurchaseOrder, S::Draft, S::Sent, ready()),
            "ILLEGAL_TRANSITION"
        );
    }

    #[test]
    fn request_changes_and_reapproval_edges_exist() {
        walk(K::PurchaseOrder, &[S::PendingApproval, S::Draft]);
        walk(K::PurchaseOrder, &[S::Approved, S::PendingApproval]);
        walk(K::PurchaseOrder, &[S::PendingApproval, S::Cancelled]);
    }

    #[test]
    fn cancellation_is_allowed_only_where_the_kind_allows_it() {
        let cancellable = |kind: K| -> Vec<S> {
            statuses(kind)
                .iter()
                .copied()
                .filter(|s| check_transition(kind, *s, S::Cancelled, &ready()).is_ok())
                .collect()
        };
        assert_eq!(
            cancellable(K::PurchaseOrder),
            [
                S::Draft,
                S::PendingApproval,
                S::Approved,
                S::Sent,
                S::InTransit
            ]
        );
        assert_eq!(
            cancellable(K::OutletTransfer),
            [S::Draft, S::Packing, S::Packed, S::Sent, S::InTransit]
        );
        assert_eq!(
            cancellable(K::SupplierReturn),
            [S::Draft, S::Packing, S::Packed]
        );
        assert_eq!(
            cancellable(K::Stocktake),
            [S::Scheduled, S::Counting, S::Review]
        );
    }

    #[test]
    fn cancelling_once_receiving_started_is_refused_with_a_hint() {
        let err =
            check_transition(K::OutletTransfer, S::Receiving, S::Cancelled, &ready()).unwrap_err();
        assert_eq!(err.code(), "CANCEL_NOT_ALLOWED");
        assert!(err.to_string().contains("close the receipt"), "{err}");
        assert_eq!(
            code(K::PurchaseOrder, S::Receiving, S::Cancelled, ready()),
            "CANCEL_NOT_ALLOWED"
        );
    }

    #[test]
    fn closed_consignments_cannot_move() {
        for kind in K::ALL {
            for status in statuses(kind)
                .iter()
                .copied()
                .filter(|s| is_closed(kind, *s))
            {
                for to in statuses(kind) {
                    assert_eq!(code(kind, status, *to, ready()), "CONSIGNMENT_CLOSED");
                }
                assert!(allowed_next(kind, status).is_empty());
            }
        }
    }

    #[test]
    fn a_status_from_another_kind_is_refused() {
        assert_eq!(
            code(K::Stocktake, S::Scheduled, S::Approved, ready()),
            "STATUS_NOT_IN_KIND"
        );
        assert_eq!(
            code(K::OutletTransfer, S::PendingApproval, S::Approved, ready()),
            "STATUS_NOT_IN_KIND"
        );
        assert_eq!(
            code(K::PurchaseOrder, S::Packing, S::Packed, ready()),
            "STATUS_NOT_IN_KIND"
        );
    }

    #[test]
    fn staying_in_the_same_status_is_not_a_transition() {
        assert_eq!(
            code(K::OutletTransfer, S::Packing, S::Packing, ready()),
            "ILLEGAL_TRANSITION"
        );
    }

    #[test]
    fn stocktake_needs_lines_to_start_and_counts_to_finish() {
        let empty = TransitionContext {
            line_count: 0,
            ..ready()
        };
        assert_eq!(
            code(K::Stocktake, S::Scheduled, S::Counting, empty),
            "NO_LINES"
        );
        let uncounted = TransitionContext {
            total_counted: Quantity::ZERO,
            ..ready()
        };
        assert_eq!(
            code(K::Stocktake, S::Counting, S::Review, uncounted),
            "NOTHING_COUNTED"
        );
    }

    #[test]
    fn stocktake_cannot_complete_with_recounts_pending() {
        let ctx = TransitionContext {
            recounts_pending: 2,
            ..ready()
        };
        let err = check_transition(K::Stocktake, S::Review, S::Complete, &ctx).unwrap_err();
        assert_eq!(err.code(), "RECOUNTS_PENDING");
        assert!(err.to_string().starts_with("2 line(s)"));
    }

    #[test]
    fn outgoing_transfers_wait_while_the_outlet_counts() {
        let ctx = TransitionContext {
            outlet_counting: true,
            ..ready()
        };
        assert_eq!(
            code(K::OutletTransfer, S::Draft, S::Packing, ctx),
            "STOCKTAKE_COUNT_IN_PROGRESS"
        );
        assert_eq!(
            code(K::OutletTransfer, S::Packed, S::Sent, ctx),
            "STOCKTAKE_COUNT_IN_PROGRESS"
        );
        assert_eq!(
            code(K::SupplierReturn, S::Packed, S::Sent, ctx),
            "STOCKTAKE_COUNT_IN_PROGRESS"
        );
        // Receiving into the outlet is not outgoing.
        assert!(check_transition(K::OutletTransfer, S::Sent, S::Receiving, &ctx).is_ok());
    }

    #[test]
    fn transitions_carry_their_lightspeed_effect() {
        let t = check_transition(K::OutletTransfer, S::Packed, S::Sent, &ready()).unwrap();
        assert_eq!(
            t.lightspeed,
            Some(LsAction::SetStatus {
                from: Ls::Open,
                to: Ls::Sent
            })
        );
        let t = check_transition(K::OutletTransfer, S::Draft, S::Packing, &ready()).unwrap();
        assert_eq!(t.lightspeed, None);
        let t = check_transition(K::PurchaseOrder, S::Sent, S::Receiving, &ready()).unwrap();
        assert_eq!(
            t.lightspeed,
            Some(LsAction::SetStatus {
                from: Ls::Sent,
                to: Ls::Dispatched
            })
        );
        let t = check_transition(K::Stocktake, S::Review, S::Complete, &ready()).unwrap();
        assert_eq!(
            t.lightspeed,
            Some(LsAction::SetStatus {
                from: Ls::StocktakeInProgressProcessed,
                to: Ls::StocktakeComplete
            })
        );
    }

    #[test]
    fn cancelling_an_empty_consignment_deletes_it_in_lightspeed() {
        let empty = TransitionContext::default();
        let t = check_transition(K::OutletTransfer, S::Draft, S::Cancelled, &empty).unwrap();
        assert_eq!(t.lightspeed, Some(LsAction::DeleteIfExists));
        let t = check_transition(K::OutletTransfer, S::Draft, S::Cancelled, &ready()).unwrap();
        assert_eq!(
            t.lightspeed,
            Some(LsAction::SetStatus {
                from: Ls::Open,
                to: Ls::Cancelled
            })
        );
    }

    #[test]
    fn allowed_next_lists_the_ui_choices() {
        assert_eq!(
            allowed_next(K::OutletTransfer, S::Packed),
            [S::Packing, S::Sent, S::Cancelled]
        );
        assert_eq!(
            allowed_next(K::PurchaseOrder, S::PendingApproval),
            [S::Approved, S::Draft, S::Cancelled]
        );
        assert_eq!(
            allowed_next(K::Stocktake, S::Counting),
            [S::Review, S::Cancelled]
        );
        assert!(allowed_next(K::Stocktake, S::Draft).is_empty());
    }

    #[test]
    fn every_edge_uses_statuses_of_its_kind() {
        for kind in K::ALL {
            for e in edges(kind) {
                assert!(statuses(kind).contains(&e.from), "{kind:?} {:?}", e.from);
                assert!(statuses(kind).contains(&e.to), "{kind:?} {:?}", e.to);
                assert!(!is_closed(kind, e.from));
            }
            assert!(statuses(kind).contains(&initial_status(kind)));
        }
    }

    #[test]
    fn every_edge_that_changes_lightspeed_status_requires_lines() {
        for kind in K::ALL {
            for e in edges(kind) {
                let effect = ls_effect(kind, e.from, e.to, 1).unwrap();
                if e.to != S::Cancelled && effect.is_some() {
                    assert!(
                        e.guards.contains(&G::HasLines),
                        "{kind:?} {:?}->{:?}",
                        e.from,
                        e.to
                    );
                }
            }
        }
    }

    #[test]
    fn every_status_is_reachable_and_every_open_status_can_finish() {
        for kind in K::ALL {
            let mut reached = vec![initial_status(kind)];
            let mut i = 0;
            while i < reached.len() {
                for next in allowed_next(kind, reached[i]) {
                    if !reached.contains(&next) {
                        reached.push(next);
                    }
                }
                i += 1;
            }
            for status in statuses(kind) {
                assert!(reached.contains(status), "{kind:?} {status:?} unreachable");
                if !is_closed(kind, *status) {
                    assert!(
                        !allowed_next(kind, *status).is_empty(),
                        "{kind:?} {status:?} stuck"
                    );
                }
            }
        }
    }

    #[test]
    fn line_edits_after_close_are_refused() {
        assert_eq!(
            check_line_edit(K::OutletTransfer, S::Received)
                .unwrap_err()
                .code(),
            "CONSIGNMENT_CLOSED"
        );
        assert_eq!(
            check_line_edit(K::Stocktake, S::Complete)
                .unwrap_err()
                .code(),
            "CONSIGNMENT_CLOSED"
        );
        assert_eq!(
            check_line_edit(K::PurchaseOrder, S::Cancelled)
                .unwrap_err()
                .code(),
            "CONSIGNMENT_CLOSED"
        );
        assert_eq!(
            check_line_edit(K::SupplierReturn, S::Sent)
                .unwrap_err()
                .code(),
            "CONSIGNMENT_CLOSED"
        );
        assert!(check_line_edit(K::OutletTransfer, S::Receiving).is_ok());
        assert_eq!(
            check_line_change(K::OutletTransfer, S::Received, LineChange::Received)
                .unwrap_err()
                .code(),
            "CONSIGNMENT_CLOSED"
        );
    }

    #[test]
    fn line_changes_follow_the_stage_of_the_consignment() {
        let ok = |k, s, c| check_line_change(k, s, c).is_ok();
        assert!(ok(K::PurchaseOrder, S::Approved, LineChange::Lines));
        assert!(!ok(K::PurchaseOrder, S::Sent, LineChange::Lines));
        assert!(ok(K::PurchaseOrder, S::Receiving, LineChange::Received));
        assert!(!ok(K::PurchaseOrder, S::Sent, LineChange::Received));
        assert!(!ok(K::PurchaseOrder, S::Draft, LineChange::Packed));
        assert!(ok(K::OutletTransfer, S::Packing, LineChange::Packed));
        assert!(ok(K::OutletTransfer, S::Packing, LineChange::Lines));
        assert!(!ok(K::OutletTransfer, S::Packed, LineChange::Packed));
        assert!(!ok(K::OutletTransfer, S::Sent, LineChange::Lines));
        assert!(!ok(K::SupplierReturn, S::Packed, LineChange::Received));
        assert!(ok(K::Stocktake, S::Review, LineChange::Counted));
        assert!(!ok(K::Stocktake, S::Scheduled, LineChange::Counted));
        assert!(!ok(K::Stocktake, S::Review, LineChange::Lines));
        let err = check_line_change(K::OutletTransfer, S::Sent, LineChange::Lines).unwrap_err();
        assert_eq!(err.code(), "LINE_CHANGE_NOT_ALLOWED");
        assert_eq!(
            err.to_string(),
            "Products and expected quantities cannot be changed while this transfer is sent."
        );
    }
}
