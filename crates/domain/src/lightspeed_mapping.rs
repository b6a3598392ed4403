//! CIS <-> Lightspeed: which Lightspeed type and status each CIS kind and status is,
//! Lightspeed's own transition rules per type (LIGHTSPEED.md), the Lightspeed change a
//! CIS transition implies, and how an inbound Lightspeed status is applied (never
//! backwards). All functions are total: every input gets an answer or a typed refusal.

use crate::consignment::{ConsignmentKind, ConsignmentStatus};
use crate::error::DomainError;
use crate::lightspeed::{LsConsignmentStatus, LsConsignmentType};
use crate::status_machine::{is_closed, statuses};

use ConsignmentStatus as S;
use LsConsignmentStatus as Ls;
use LsConsignmentType as T;

/// The Lightspeed type of a CIS kind.
pub fn ls_type(kind: ConsignmentKind) -> LsConsignmentType {
    match kind {
        ConsignmentKind::PurchaseOrder => T::Supplier,
        ConsignmentKind::OutletTransfer => T::Outlet,
        ConsignmentKind::SupplierReturn => T::Return,
        ConsignmentKind::Stocktake => T::Stocktake,
    }
}

/// The CIS kind of a Lightspeed type.
pub fn kind_for_ls_type(ls_type: LsConsignmentType) -> ConsignmentKind {
    match ls_type {
        T::Supplier => ConsignmentKind::PurchaseOrder,
        T::Outlet => ConsignmentKind::OutletTransfer,
        T::Return => ConsignmentKind::SupplierReturn,
        T::Stocktake => ConsignmentKind::Stocktake,
    }
}

/// The Lightspeed status a consignment of `kind` in CIS `status` has once pushed.
/// A purchase order being received is DISPATCHED (Lightspeed moves it there itself as
/// soon as a received count is set); transfers have no DISPATCHED.
pub fn ls_status_for(
    kind: ConsignmentKind,
    status: ConsignmentStatus,
) -> Result<LsConsignmentStatus, DomainError> {
    use ConsignmentKind as K;
    let mapped = match (kind, status) {
        (_, S::Cancelled) => Some(Ls::Cancelled),
        (K::PurchaseOrder, S::Draft | S::PendingApproval | S::Approved) => Some(Ls::Open),
        (K::PurchaseOrder, S::Sent) => Some(Ls::Sent),
        (K::PurchaseOrder, S::InTransit | S::Receiving) => Some(Ls::Dispatched),
        (K::PurchaseOrder, S::Received) => Some(Ls::Received),
        (K::OutletTransfer, S::Draft | S::Packing | S::Packed) => Some(Ls::Open),
        (K::OutletTransfer, S::Sent | S::InTransit | S::Receiving) => Some(Ls::Sent),
        (K::OutletTransfer, S::Received) => Some(Ls::Received),
        (K::SupplierReturn, S::Draft | S::Packing | S::Packed) => Some(Ls::Open),
        (K::SupplierReturn, S::Sent) => Some(Ls::Sent),
        (K::Stocktake, S::Scheduled) => Some(Ls::StocktakeScheduled),
        (K::Stocktake, S::Counting) => Some(Ls::StocktakeInProgress),
        (K::Stocktake, S::Review) => Some(Ls::StocktakeInProgressProcessed),
        (K::Stocktake, S::Complete) => Some(Ls::StocktakeComplete),
        _ => None,
    };
    mapped.ok_or(DomainError::StatusNotInKind { kind, status })
}

/// What the hub's worker must do in Lightspeed for one CIS transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LsAction {
    /// `PUT /consignments/{id}` with `status = to`; the consignment is expected in `from`.
    SetStatus {
        /// Status Lightspeed should have now.
        from: LsConsignmentStatus,
        /// Status to set.
        to: LsConsignmentStatus,
    },
    /// Cancelling an empty consignment: Lightspeed refuses status changes without lines,
    /// so delete it (nothing to do when it was never pushed).
    DeleteIfExists,
}

impl LsAction {
    /// True when a re-read shows Lightspeed already in the target state (a retried step,
    /// or Lightspeed's own SENT -> DISPATCHED on a received count): skip the call.
    pub fn already_applied(&self, current: Option<LsConsignmentStatus>) -> bool {
        match self {
            Self::SetStatus { to, .. } => current == Some(*to),
            Self::DeleteIfExists => current.is_none(),
        }
    }

    /// Human words for the generated transitions table.
    pub fn describe(&self) -> String {
        match self {
            Self::SetStatus { from, to } => format!("{} → {}", from.as_str(), to.as_str()),
            Self::DeleteIfExists => "delete (empty consignment)".to_owned(),
        }
    }
}

/// The Lightspeed change implied by the CIS transition `from` -> `to` of `kind`, given
/// the consignment's line count. `None` when Lightspeed's status does not change.
pub fn ls_effect(
    kind: ConsignmentKind,
    from: ConsignmentStatus,
    to: ConsignmentStatus,
    line_count: u32,
) -> Result<Option<LsAction>, DomainError> {
    let ls_from = ls_status_for(kind, from)?;
    let ls_to = ls_status_for(kind, to)?;
    if to == S::Cancelled && line_count == 0 {
        return Ok(Some(LsAction::DeleteIfExists));
    }
    if ls_from == ls_to {
        return Ok(None);
    }
    Ok(Some(LsAction::SetStatus {
        from: ls_from,
        to: ls_to,
    }))
}

/// The statuses Lightspeed uses for a type.
pub fn ls_statuses(ls_type: LsConsignmentType) -> &'static [LsConsignmentStatus] {
    match ls_type {
        T::Supplier => &[
            Ls::Open,
            Ls::Sent,
            Ls::Dispatched,
            Ls::Received,
            Ls::Cancelled,
        ],
        T::Outlet => &[Ls::Open, Ls::Sent, Ls::Received, Ls::Cancelled],
        T::Return => &[Ls::Open, Ls::Sent, Ls::Cancelled],
        T::Stocktake => &[
            Ls::StocktakeScheduled,
            Ls::StocktakeInProgress,
            Ls::StocktakeInProgressProcessed,
            Ls::StocktakeComplete,
            Ls::Cancelled,
            Ls::Closed,
        ],
    }
}

/// The status changes Lightspeed allows from `from` for a type.
pub fn ls_allowed_next(
    ls_type: LsConsignmentType,
    from: LsConsignmentStatus,
) -> &'static [LsConsignmentStatus] {
    match (ls_type, from) {
        (T::Supplier, Ls::Open) => &[Ls::Sent, Ls::Cancelled],
        (T::Supplier, Ls::Sent) => &[Ls::Dispatched, Ls::Cancelled],
        (T::Supplier, Ls::Dispatched) => &[Ls::Received, Ls::Cancelled],
        (T::Outlet, Ls::Open) => &[Ls::Sent, Ls::Cancelled],
        (T::Outlet, Ls::Sent) => &[Ls::Received, Ls::Cancelled],
        // UNCERTAIN in LIGHTSPEED.md ("OPEN -> SENT, or CANCELLED"): read as CANCELLED
        // from OPEN only, the stricter reading.
        (T::Return, Ls::Open) => &[Ls::Sent, Ls::Cancelled],
        (T::Stocktake, Ls::StocktakeScheduled) => {
            &[Ls::StocktakeInProgress, Ls::Cancelled, Ls::Closed]
        }
        (T::Stocktake, Ls::StocktakeInProgress) => {
            &[Ls::StocktakeInProgressProcessed, Ls::Cancelled, Ls::Closed]
        }
        (T::Stocktake, Ls::StocktakeInProgressProcessed) => {
            &[Ls::StocktakeComplete, Ls::Cancelled, Ls::Closed]
        }
        _ => &[],
    }
}

/// Line facts Lightspeed checks on a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LsLines {
    /// Lines on the consignment.
    pub line_count: u32,
    /// Lines with a non-zero received count.
    pub lines_with_received: u32,
}

/// Lightspeed's rule for a status change: legal for the type, at least one line, and
/// RECEIVED only with a non-zero received count. The fake server enforces the same.
pub fn ls_check_transition(
    ls_type: LsConsignmentType,
    from: LsConsignmentStatus,
    to: LsConsignmentStatus,
    lines: &LsLines,
) -> Result<(), DomainError> {
    for status in [from, to] {
        if !ls_statuses(ls_type).contains(&status) {
            return Err(DomainError::LsStatusNotForType { ls_type, status });
        }
    }
    if !ls_allowed_next(ls_type, from).contains(&to) {
        return Err(DomainError::LsIllegalTransition { ls_type, from, to });
    }
    if lines.line_count == 0 {
        return Err(DomainError::LsNoLines);
    }
    if to == Ls::Received && lines.lines_with_received == 0 {
        return Err(DomainError::LsNothingReceived);
    }
    Ok(())
}

/// The status Tally creates a consignment of this type in (then adds lines, then moves it).
pub fn ls_create_status(ls_type: LsConsignmentType) -> LsConsignmentStatus {
    match ls_type {
        T::Stocktake => Ls::StocktakeScheduled,
        _ => Ls::Open,
    }
}

/// Whether Lightspeed accepts creating a consignment of this type directly in `status`.
/// SUPPLIER cannot be created DISPATCHED or RECEIVED; for the others only the create
/// status is assumed safe.
pub fn ls_can_create_as(ls_type: LsConsignmentType, status: LsConsignmentStatus) -> bool {
    match ls_type {
        T::Supplier => matches!(status, Ls::Open | Ls::Sent),
        _ => status == ls_create_status(ls_type),
    }
}

/// The status Lightspeed shows after a received count is set on a line: SUPPLIER moves
/// SENT -> DISPATCHED by itself.
pub fn ls_status_after_received_count(
    ls_type: LsConsignmentType,
    status: LsConsignmentStatus,
) -> LsConsignmentStatus {
    match (ls_type, status) {
        (T::Supplier, Ls::Sent) => Ls::Dispatched,
        _ => status,
    }
}

/// Whether Lightspeed lets lines be added or deleted in this status.
pub fn ls_lines_editable(status: LsConsignmentStatus) -> bool {
    !matches!(
        status,
        Ls::Received | Ls::StocktakeComplete | Ls::Cancelled | Ls::Closed
    )
}

/// Progress of a non-terminal-cancel Lightspeed status along its type's path.
fn ls_rank(status: LsConsignmentStatus) -> Option<u8> {
    match status {
        Ls::Open | Ls::StocktakeScheduled => Some(0),
        Ls::Sent | Ls::StocktakeInProgress => Some(1),
        Ls::Dispatched | Ls::StocktakeInProgressProcessed => Some(2),
        Ls::Received | Ls::StocktakeComplete => Some(3),
        Ls::Cancelled | Ls::Closed => None,
    }
}

/// The CIS status an inbound Lightspeed status moves a consignment to, when it is ahead.
fn cis_for_inbound(kind: ConsignmentKind, ls: LsConsignmentStatus) -> ConsignmentStatus {
    match ls {
        Ls::Open => crate::status_machine::initial_status(kind),
        Ls::Sent => S::Sent,
        Ls::Dispatched => S::InTransit,
        Ls::Received => S::Received,
        Ls::Cancelled | Ls::Closed => S::Cancelled,
        Ls::StocktakeScheduled => S::Scheduled,
        Ls::StocktakeInProgress => S::Counting,
        Ls::StocktakeInProgressProcessed => S::Review,
        Ls::StocktakeComplete => S::Complete,
    }
}

/// Applies a Lightspeed status seen by the poller or a webhook to a consignment in CIS
/// status `current`: `Ok(Some(s))` moves it forward to `s`, `Ok(None)` means it already
/// agrees, and `Err(InboundWouldMoveBackwards)` refuses an older status (RECEIVED ->
/// SENT replayed by a retry) so the hub reports it instead of applying it.
///
/// The hub should not call this while its own outbox still holds a status change for the
/// consignment: Lightspeed then lags behind Tally on purpose.
pub fn inbound_status(
    kind: ConsignmentKind,
    current: ConsignmentStatus,
    inbound: LsConsignmentStatus,
) -> Result<Option<ConsignmentStatus>, DomainError> {
    let ty = ls_type(kind);
    if !ls_statuses(ty).contains(&inbound) {
        return Err(DomainError::LsStatusNotForType {
            ls_type: ty,
            status: inbound,
        });
    }
    let current_ls = ls_status_for(kind, current)?;
    let backwards = DomainError::InboundWouldMoveBackwards {
        kind,
        current,
        ls_status: inbound,
    };
    match (ls_rank(current_ls), ls_rank(inbound)) {
        // Tally cancelled: only a cancel agrees.
        (None, None) => Ok(None),
        (None, Some(_)) => Err(backwards),
        // Lightspeed cancelled: follow unless Tally already finished the consignment.
        (Some(_), None) if is_closed(kind, current) => Err(backwards),
        (Some(_), None) => Ok(Some(S::Cancelled)),
        (Some(mine), Some(theirs)) if theirs < mine => Err(backwards),
        (Some(mine), Some(theirs)) if theirs == mine => Ok(None),
        (Some(_), Some(_)) => {
            let next = cis_for_inbound(kind, inbound);
            debug_assert!(statuses(kind).contains(&next));
            Ok(Some(next))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Quantity;
    use crate::status_machine::{
        allowed_next, check_transition, initial_status, TransitionContext,
    };
    use proptest::prelude::*;
    use ConsignmentKind as K;

    #[test]
    fn kinds_map_to_their_lightspeed_types_and_back() {
        assert_eq!(ls_type(K::PurchaseOrder), T::Supplier);
        assert_eq!(ls_type(K::OutletTransfer), T::Outlet);
        assert_eq!(ls_type(K::SupplierReturn), T::Return);
        assert_eq!(ls_type(K::Stocktake), T::Stocktake);
        for kind in K::ALL {
            assert_eq!(kind_for_ls_type(ls_type(kind)), kind);
        }
    }

    #[test]
    fn every_cis_status_of_a_kind_maps_to_a_status_of_its_lightspeed_type() {
        for kind in K::ALL {
            for status in ConsignmentStatus::ALL {
                let mapped = ls_status_for(kind, status);
                if statuses(kind).contains(&status) {
                    let ls = mapped.unwrap();
                    assert!(
                        ls_statuses(ls_type(kind)).contains(&ls),
                        "{kind:?} {status:?}"
                    );
                } else {
                    assert_eq!(mapped.unwrap_err().code(), "STATUS_NOT_IN_KIND");
                }
            }
        }
    }

    #[test]
    fn mapping_table_matches_architecture_md() {
        assert_eq!(
            ls_status_for(K::PurchaseOrder, S::PendingApproval),
            Ok(Ls::Open)
        );
        assert_eq!(
            ls_status_for(K::PurchaseOrder, S::InTransit),
            Ok(Ls::Dispatched)
        );
        assert_eq!(
            ls_status_for(K::PurchaseOrder, S::Receiving),
            Ok(Ls::Dispatched)
        );
        assert_eq!(ls_status_for(K::OutletTransfer, S::Packed), Ok(Ls::Open));
        assert_eq!(ls_status_for(K::OutletTransfer, S::InTransit), Ok(Ls::Sent));
        assert_eq!(ls_status_for(K::OutletTransfer, S::Receiving), Ok(Ls::Sent));
        assert_eq!(ls_status_for(K::SupplierReturn, S::Sent), Ok(Ls::Sent));
        assert_eq!(
            ls_status_for(K::Stocktake, S::Review),
            Ok(Ls::StocktakeInProgressProcessed)
        );
    }

    #[test]
    fn transfers_never_use_dispatched() {
        assert!(!ls_statuses(T::Outlet).contains(&Ls::Dispatched));
        let lines = LsLines {
            line_count: 1,
            lines_with_received: 1,
        };
        assert_eq!(
            ls_check_transition(T::Outlet, Ls::Sent, Ls::Dispatched, &lines)
                .unwrap_err()
                .code(),
            "LS_STATUS_NOT_FOR_TYPE"
        );
    }

    #[test]
    fn lightspeed_rules_per_type() {
        let lines = LsLines {
            line_count: 1,
            lines_with_received: 1,
        };
        let ok = |t, f, to| ls_check_transition(t, f, to, &lines).is_ok();
        assert!(ok(T::Supplier, Ls::Open, Ls::Sent));
        assert!(ok(T::Supplier, Ls::Sent, Ls::Dispatched));
        assert!(ok(T::Supplier, Ls::Dispatched, Ls::Received));
        assert!(!ok(T::Supplier, Ls::Open, Ls::Received));
        assert!(ok(T::Supplier, Ls::Dispatched, Ls::Cancelled));
        assert!(!ok(T::Supplier, Ls::Received, Ls::Cancelled));
        assert!(ok(T::Outlet, Ls::Sent, Ls::Received));
        assert!(ok(T::Outlet, Ls::Sent, Ls::Cancelled));
        assert!(!ok(T::Outlet, Ls::Received, Ls::Sent));
        assert!(ok(T::Return, Ls::Open, Ls::Sent));
        assert!(ok(T::Return, Ls::Open, Ls::Cancelled));
        assert!(!ok(T::Return, Ls::Sent, Ls::Cancelled));
        assert!(!ok(T::Return, Ls::Sent, Ls::Received));
        assert!(ok(
            T::Stocktake,
            Ls::StocktakeScheduled,
            Ls::StocktakeInProgress
        ));
        assert!(ok(
            T::Stocktake,
            Ls::StocktakeInProgressProcessed,
            Ls::Closed
        ));
        assert!(!ok(T::Stocktake, Ls::StocktakeComplete, Ls::Cancelled));
        assert!(!ok(
            T::Stocktake,
            Ls::StocktakeScheduled,
            Ls::StocktakeComplete
        ));
    }

    #[test]
    fn lightspeed_refuses_status_changes_without_lines() {
        let none = LsLines::default();
        assert_eq!(
            ls_check_transition(T::Outlet, Ls::Open, Ls::Sent, &none)
                .unwrap_err()
                .code(),
            "LS_NO_LINES"
        );
    }

    #[test]
    fn lightspeed_refuses_received_without_a_received_count() {
        let lines = LsLines {
            line_count: 3,
            lines_with_received: 0,
        };
        assert_eq!(
            ls_check_transition(T::Outlet, Ls::Sent, Ls::Received, &lines)
                .unwrap_err()
                .code(),
            "LS_NOTHING_RECEIVED"
        );
    }

    #[test]
    fn supplier_moves_to_dispatched_on_a_received_count() {
        assert_eq!(
            ls_status_after_received_count(T::Supplier, Ls::Sent),
            Ls::Dispatched
        );
        assert_eq!(
            ls_status_after_received_count(T::Outlet, Ls::Sent),
            Ls::Sent
        );
        assert_eq!(
            ls_status_after_received_count(T::Supplier, Ls::Dispatched),
            Ls::Dispatched
        );
    }

    #[test]
    fn auto_dispatch_makes_the_start_receiving_call_a_no_op() {
        let t = check_transition(
            K::PurchaseOrder,
            S::Sent,
            S::Receiving,
            &TransitionContext {
                line_count: 1,
                ..Default::default()
            },
        )
        .unwrap();
        let action = t.lightspeed.unwrap();
        assert!(action.already_applied(Some(ls_status_after_received_count(T::Supplier, Ls::Sent))));
        assert!(!action.already_applied(Some(Ls::Sent)));
        assert!(LsAction::DeleteIfExists.already_applied(None));
    }

    #[test]
    fn supplier_cannot_be_created_dispatched_or_received() {
        assert!(ls_can_create_as(T::Supplier, Ls::Open));
        assert!(!ls_can_create_as(T::Supplier, Ls::Dispatched));
        assert!(!ls_can_create_as(T::Supplier, Ls::Received));
        assert!(ls_can_create_as(T::Stocktake, Ls::StocktakeScheduled));
        assert!(!ls_can_create_as(T::Outlet, Ls::Received));
        for t in LsConsignmentType::ALL {
            assert!(ls_can_create_as(t, ls_create_status(t)));
        }
    }

    #[test]
    fn lines_are_frozen_once_received_complete_or_cancelled() {
        assert!(ls_lines_editable(Ls::Open));
        assert!(ls_lines_editable(Ls::Dispatched));
        assert!(!ls_lines_editable(Ls::Received));
        assert!(!ls_lines_editable(Ls::StocktakeComplete));
        assert!(!ls_lines_editable(Ls::Cancelled));
    }

    #[test]
    fn inbound_received_then_sent_is_refused_and_reported() {
        let moved = inbound_status(K::OutletTransfer, S::Sent, Ls::Received).unwrap();
        assert_eq!(moved, Some(S::Received));
        let err = inbound_status(K::OutletTransfer, S::Received, Ls::Sent).unwrap_err();
        assert_eq!(err.code(), "INBOUND_WOULD_MOVE_BACKWARDS");
        assert!(
            err.to_string().contains("older status was ignored"),
            "{err}"
        );
    }

    #[test]
    fn inbound_that_agrees_changes_nothing() {
        assert_eq!(
            inbound_status(K::OutletTransfer, S::Receiving, Ls::Sent),
            Ok(None)
        );
        assert_eq!(
            inbound_status(K::OutletTransfer, S::Packed, Ls::Open),
            Ok(None)
        );
        assert_eq!(
            inbound_status(K::PurchaseOrder, S::Receiving, Ls::Dispatched),
            Ok(None)
        );
        assert_eq!(
            inbound_status(K::Stocktake, S::Cancelled, Ls::Closed),
            Ok(None)
        );
    }

    #[test]
    fn inbound_ahead_moves_forward() {
        assert_eq!(
            inbound_status(K::PurchaseOrder, S::Sent, Ls::Dispatched),
            Ok(Some(S::InTransit))
        );
        assert_eq!(
            inbound_status(K::PurchaseOrder, S::Approved, Ls::Sent),
            Ok(Some(S::Sent))
        );
        assert_eq!(
            inbound_status(K::Stocktake, S::Counting, Ls::StocktakeComplete),
            Ok(Some(S::Complete))
        );
        assert_eq!(
            inbound_status(K::Stocktake, S::Review, Ls::Closed),
            Ok(Some(S::Cancelled))
        );
    }

    #[test]
    fn inbound_cancel_after_received_is_refused() {
        assert_eq!(
            inbound_status(K::PurchaseOrder, S::Received, Ls::Cancelled)
                .unwrap_err()
                .code(),
            "INBOUND_WOULD_MOVE_BACKWARDS"
        );
        assert_eq!(
            inbound_status(K::OutletTransfer, S::Cancelled, Ls::Sent)
                .unwrap_err()
                .code(),
            "INBOUND_WOULD_MOVE_BACKWARDS"
        );
    }

    #[test]
    fn inbound_status_foreign_to_the_type_is_refused() {
        assert_eq!(
            inbound_status(K::OutletTransfer, S::Sent, Ls::Dispatched)
                .unwrap_err()
                .code(),
            "LS_STATUS_NOT_FOR_TYPE"
        );
        assert_eq!(
            inbound_status(K::SupplierReturn, S::Sent, Ls::Received)
                .unwrap_err()
                .code(),
            "LS_STATUS_NOT_FOR_TYPE"
        );
    }

    fn index(kind: K, status: S) -> usize {
        statuses(kind).iter().position(|s| *s == status).unwrap()
    }

    #[test]
    fn inbound_never_moves_backwards_for_any_pair() {
        for kind in K::ALL {
            for current in statuses(kind).iter().copied() {
                for ls in LsConsignmentStatus::ALL {
                    match inbound_status(kind, current, ls) {
                        Ok(Some(next)) => {
                            assert!(!is_closed(kind, current), "{kind:?} {current:?} {ls:?}");
                            assert!(
                                index(kind, next) > index(kind, current),
                                "{kind:?} {current:?} {ls:?}"
                            );
                            let next_ls = ls_status_for(kind, next).unwrap();
                            assert!(next_ls == ls || (ls == Ls::Closed && next == S::Cancelled));
                        }
                        Ok(None) => {
                            let cur_ls = ls_status_for(kind, current).unwrap();
                            assert!(cur_ls == ls || (ls == Ls::Closed && current == S::Cancelled));
                        }
                        Err(e) => assert!(matches!(
                            e.code(),
                            "INBOUND_WOULD_MOVE_BACKWARDS" | "LS_STATUS_NOT_FOR_TYPE"
                        )),
                    }
                }
            }
        }
    }

    fn kind_strategy() -> impl Strategy<Value = K> {
        prop::sample::select(K::ALL.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_support::cases(256)))]

        /// Walks random accepted CIS paths and plays each implied Lightspeed change on a
        /// simulated Lightspeed consignment, which must accept every one.
        #[test]
        fn every_cis_transition_implies_only_legal_lightspeed_transitions(
            kind in kind_strategy(),
            steps in prop::collection::vec((any::<u8>(), 0u32..3, any::<bool>(), any::<bool>()), 1..20),
        ) {
            let ty = ls_type(kind);
            let mut cis = initial_status(kind);
            let mut ls = Some(ls_status_for(kind, cis).unwrap());
            for (pick, line_count, received, approved) in steps {
                let next = allowed_next(kind, cis);
                if next.is_empty() {
                    break;
                }
                let to = next[pick as usize % next.len()];
                let qty = |b: bool| if b { Quantity::ONE } else { Quantity::ZERO };
                let ctx = TransitionContext {
                    line_count,
                    total_packed: qty(line_count > 0),
                    total_received: qty(received),
                    total_counted: qty(received),
                    approval_satisfied: approved,
                    ..Default::default()
                };
                let Ok(t) = check_transition(kind, cis, to, &ctx) else { continue };
                match t.lightspeed {
                    Some(LsAction::SetStatus { from, to: ls_to }) => {
                        prop_assert_eq!(ls, Some(from));
                        let lines = LsLines {
                            line_count,
                            lines_with_received: u32::from(received),
                        };
                        prop_assert_eq!(ls_check_transition(ty, from, ls_to, &lines), Ok(()));
                        ls = Some(ls_to);
                    }
                    Some(LsAction::DeleteIfExists) => {
                        prop_assert_eq!(t.to, S::Cancelled);
                        ls = None;
                    }
                    None => {}
                }
                cis = t.to;
                if let Some(ls) = ls {
                    prop_assert_eq!(ls, ls_status_for(kind, cis).unwrap());
                }
            }
        }

        /// Plays a random legal Lightspeed history, then feeds Tally its statuses in a
        /// random order with replays: Tally's status never goes back, and once the latest
        /// status arrives Tally agrees with Lightspeed.
        #[test]
        fn inbound_replays_never_move_a_consignment_backwards(
            kind in kind_strategy(),
            walk in prop::collection::vec(any::<u8>(), 0..8),
            observations in prop::collection::vec(any::<u8>(), 0..12),
        ) {
            let ty = ls_type(kind);
            let mut history = vec![ls_status_for(kind, initial_status(kind)).unwrap()];
            for pick in walk {
                let next = ls_allowed_next(ty, *history.last().unwrap());
                if next.is_empty() {
                    break;
                }
                history.push(next[pick as usize % next.len()]);
            }
            let mut cis = initial_status(kind);
            let seen = observations.iter().map(|p| history[*p as usize % history.len()]);
            for ls in seen.chain(std::iter::once(*history.last().unwrap())) {
                match inbound_status(kind, cis, ls) {
                    Ok(Some(next)) => {
                        prop_assert!(index(kind, next) > index(kind, cis));
                        cis = next;
                    }
                    Ok(None) => {}
                    Err(e) => prop_assert_eq!(e.code(), "INBOUND_WOULD_MOVE_BACKWARDS"),
                }
            }
            let last = *history.last().unwrap();
            let agreed = ls_status_for(kind, cis).unwrap();
            prop_assert!(agreed == last || (last == Ls::Closed && agreed == Ls::Cancelled));
        }
    }
}
