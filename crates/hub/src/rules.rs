//! The one seam where the hub asks the domain whether an outlet action is allowed.
//!
//! PROVISIONAL: `crates/domain` is growing the status machines, approval tiers and
//! receiving rules on another branch. Until it lands, the checks below hold the
//! minimum the hub needs; when it lands each function here becomes a one-line call
//! into `tally_domain` (same signature), so the outlet and hub share one rule book.

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};

use ConsignmentKind as K;
use ConsignmentStatus as S;

/// A refused action: stable code and a message for the person at the bench.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Stable SCREAMING_SNAKE code.
    pub code: &'static str,
    /// Human message.
    pub message: String,
}

impl Refusal {
    /// A refusal.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Rule result.
pub type RuleResult = Result<(), Refusal>;

/// Whether `kind` may move `from` -> `to` in the CIS machine (ARCHITECTURE.md, Statuses).
pub fn check_transition(kind: ConsignmentKind, from: S, to: S) -> RuleResult {
    let ok = match kind {
        K::PurchaseOrder => matches!(
            (from, to),
            (S::Draft, S::PendingApproval)
                | (S::Draft, S::Approved)
                | (S::PendingApproval, S::Draft)
                | (S::PendingApproval, S::Approved)
                | (S::Approved, S::Sent)
                | (S::Sent, S::InTransit)
                | (S::Sent | S::InTransit, S::Receiving)
                | (S::Receiving, S::Received)
                | (
                    S::Draft | S::PendingApproval | S::Approved | S::Sent | S::InTransit,
                    S::Cancelled
                )
        ),
        K::OutletTransfer => matches!(
            (from, to),
            (S::Draft, S::Packing)
                | (S::Packing, S::Packed)
                | (S::Packed, S::Packing)
                | (S::Packed, S::Sent)
                | (S::Sent, S::InTransit)
                | (S::Sent | S::InTransit, S::Receiving)
                | (S::Receiving, S::Received)
                | (S::Draft | S::Packing | S::Packed | S::Sent, S::Cancelled)
        ),
        K::SupplierReturn => matches!(
            (from, to),
            (S::Draft, S::Packing)
                | (S::Packing, S::Packed)
                | (S::Packed, S::Packing)
                | (S::Packed, S::Sent)
                | (S::Draft | S::Packing | S::Packed, S::Cancelled)
        ),
        K::Stocktake => matches!(
            (from, to),
            (S::Scheduled, S::Counting)
                | (S::Counting, S::Review)
                | (S::Review, S::Counting)
                | (S::Review, S::Complete)
                | (S::Scheduled | S::Counting | S::Review, S::Cancelled)
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(Refusal::new(
            "ILLEGAL_TRANSITION",
            format!(
                "a {} cannot go from {} to {}",
                kind.as_str().replace('_', " "),
                from.as_str(),
                to.as_str()
            ),
        ))
    }
}

/// The status a new consignment of `kind` must start in.
pub fn initial_status(kind: ConsignmentKind) -> S {
    match kind {
        K::Stocktake => S::Scheduled,
        _ => S::Draft,
    }
}

/// Whether lines may be added, changed or removed in `status`.
pub fn check_lines_editable(status: S) -> RuleResult {
    if matches!(
        status,
        S::Draft | S::PendingApproval | S::Approved | S::Packing | S::Scheduled
    ) {
        Ok(())
    } else {
        Err(Refusal::new(
            "LINES_LOCKED",
            format!(
                "lines cannot change once the consignment is {}",
                status.as_str()
            ),
        ))
    }
}

/// Whether a packing scan may be recorded in `status`.
pub fn check_packing_open(status: S) -> RuleResult {
    if matches!(status, S::Draft | S::Approved | S::Packing | S::Packed) {
        Ok(())
    } else {
        Err(already(status))
    }
}

/// Whether a stocktake count may be recorded in `status`.
pub fn check_counting_open(status: S) -> RuleResult {
    if status == S::Counting {
        Ok(())
    } else {
        Err(Refusal::new(
            "NOT_COUNTING",
            format!(
                "counts are taken only while counting; it is {}",
                status.as_str()
            ),
        ))
    }
}

/// Whether receiving may record quantities in `status`.
pub fn check_receiving_open(status: S) -> RuleResult {
    if matches!(status, S::Sent | S::InTransit | S::Receiving) {
        Ok(())
    } else if status.is_terminal() {
        Err(already(status))
    } else {
        Err(Refusal::new(
            "NOT_SENT_YET",
            format!("it cannot be received while it is {}", status.as_str()),
        ))
    }
}

/// A quantity must not be negative.
pub fn check_non_negative(what: &str, q: Decimal) -> RuleResult {
    if q.is_sign_negative() && !q.is_zero() {
        Err(Refusal::new(
            "NEGATIVE_QUANTITY",
            format!("{what} cannot be below zero"),
        ))
    } else {
        Ok(())
    }
}

/// Damaged units are part of the units received.
pub fn check_damaged_within_received(received: Decimal, damaged: Decimal) -> RuleResult {
    if damaged > received {
        Err(Refusal::new(
            "DAMAGED_MORE_THAN_RECEIVED",
            "more units are marked damaged than were received",
        ))
    } else {
        Ok(())
    }
}

/// Whether `role` may decide on a purchase order. The tier table is the domain's;
/// until it lands, a store manager or higher decides (never `admin`).
pub fn check_approver(
    role: Role,
    approver_id: &str,
    created_by: &str,
    last_edited_by: Option<&str>,
) -> RuleResult {
    if role == Role::Admin || role < Role::StoreManager {
        return Err(Refusal::new(
            "ROLE_CANNOT_APPROVE",
            format!(
                "a {} cannot approve orders",
                role.as_str().replace('_', " ")
            ),
        ));
    }
    if approver_id == created_by || Some(approver_id) == last_edited_by {
        return Err(Refusal::new(
            "OWN_ORDER",
            "nobody approves an order they created or last edited",
        ));
    }
    Ok(())
}

/// Receiving can close only with something received (Lightspeed refuses otherwise).
pub fn check_receipt_closable(any_received: bool) -> RuleResult {
    if any_received {
        Ok(())
    } else {
        Err(Refusal::new(
            "NOTHING_RECEIVED",
            "nothing has been received yet; count at least one line before closing",
        ))
    }
}

/// Roles that may act for any outlet (DOMAIN.md, People and roles).
pub fn is_chain_role(role: Role) -> bool {
    matches!(
        role,
        Role::AreaManager | Role::OpsManager | Role::FinancialController | Role::Director
    )
}

/// The refusal for an action that lost a race: someone else already moved the
/// consignment to `status`.
pub fn already(status: S) -> Refusal {
    let code = match status {
        S::Draft => "ALREADY_DRAFT",
        S::PendingApproval => "ALREADY_PENDING_APPROVAL",
        S::Approved => "ALREADY_APPROVED",
        S::Packing => "ALREADY_PACKING",
        S::Packed => "ALREADY_PACKED",
        S::Sent => "ALREADY_SENT",
        S::InTransit => "ALREADY_IN_TRANSIT",
        S::Receiving => "ALREADY_RECEIVING",
        S::Received => "ALREADY_RECEIVED",
        S::Cancelled => "ALREADY_CANCELLED",
        S::Scheduled => "ALREADY_SCHEDULED",
        S::Counting => "ALREADY_COUNTING",
        S::Review => "ALREADY_IN_REVIEW",
        S::Complete => "ALREADY_COMPLETE",
    };
    Refusal::new(
        code,
        format!("another station already moved it to {}", status.as_str()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_received_transfer_never_goes_back_to_sent() {
        assert_eq!(
            check_transition(K::OutletTransfer, S::Received, S::Sent)
                .unwrap_err()
                .code,
            "ILLEGAL_TRANSITION"
        );
    }

    #[test]
    fn a_return_has_no_receiving() {
        assert!(check_transition(K::SupplierReturn, S::Sent, S::Receiving).is_err());
        assert!(check_transition(K::SupplierReturn, S::Packed, S::Sent).is_ok());
    }

    #[test]
    fn lines_lock_once_sent() {
        assert!(check_lines_editable(S::Packing).is_ok());
        assert_eq!(
            check_lines_editable(S::Sent).unwrap_err().code,
            "LINES_LOCKED"
        );
    }

    #[test]
    fn nobody_approves_their_own_order() {
        let e = check_approver(Role::Director, "s1", "s1", None).unwrap_err();
        assert_eq!(e.code, "OWN_ORDER");
        assert!(check_approver(Role::Staff, "s2", "s1", None).is_err());
        assert!(check_approver(Role::StoreManager, "s2", "s1", None).is_ok());
    }
}

// -- CIS <-> Lightspeed mapping (PROVISIONAL, see the module comment) ----------

use tally_domain::{LsConsignmentStatus as L, LsConsignmentType as T};

/// Lightspeed's type for a CIS kind.
pub fn ls_type(kind: ConsignmentKind) -> T {
    match kind {
        K::PurchaseOrder => T::Supplier,
        K::OutletTransfer => T::Outlet,
        K::SupplierReturn => T::Return,
        K::Stocktake => T::Stocktake,
    }
}

/// The Lightspeed status a CIS status is pushed as (a total function).
pub fn ls_status_for(kind: ConsignmentKind, status: S) -> L {
    match (kind, status) {
        (K::Stocktake, S::Scheduled) => L::StocktakeScheduled,
        (K::Stocktake, S::Counting) => L::StocktakeInProgress,
        (K::Stocktake, S::Review) => L::StocktakeInProgressProcessed,
        (K::Stocktake, S::Complete) => L::StocktakeComplete,
        (_, S::Cancelled) => L::Cancelled,
        (K::Stocktake, _) => L::StocktakeScheduled,
        (_, S::Draft | S::PendingApproval | S::Approved | S::Packing | S::Packed) => L::Open,
        (K::PurchaseOrder, S::InTransit | S::Receiving) => L::Dispatched,
        // A return ends at SENT in Lightspeed.
        (K::SupplierReturn, _) if status != S::Draft => L::Sent,
        (_, S::Sent | S::InTransit | S::Receiving) => L::Sent,
        (_, S::Received) => L::Received,
        (_, S::Scheduled | S::Counting | S::Review | S::Complete) => L::Open,
    }
}

/// Lightspeed's forward order of statuses for a type (CANCELLED handled apart).
fn ls_order(kind: T) -> &'static [L] {
    match kind {
        T::Supplier => &[L::Open, L::Sent, L::Dispatched, L::Received],
        T::Outlet => &[L::Open, L::Sent, L::Received],
        T::Return => &[L::Open, L::Sent],
        T::Stocktake => &[
            L::StocktakeScheduled,
            L::StocktakeInProgress,
            L::StocktakeInProgressProcessed,
            L::StocktakeComplete,
        ],
    }
}

/// Whether Lightspeed lets `kind` be cancelled from `from`.
fn ls_cancellable(kind: T, from: L) -> bool {
    match kind {
        T::Supplier => from != L::Received,
        T::Outlet => matches!(from, L::Open | L::Sent),
        T::Return => from == L::Open,
        T::Stocktake => from != L::StocktakeComplete,
    }
}

/// The next Lightspeed status on the way from `from` to `to`, never backwards:
/// `Ok(None)` when already there, a `BACKWARDS` refusal when `to` is behind.
pub fn ls_next_step(kind: T, from: L, to: L) -> Result<Option<L>, Refusal> {
    if from == to {
        return Ok(None);
    }
    let backwards = || {
        Refusal::new(
            "LIGHTSPEED_AHEAD",
            format!(
                "Lightspeed has it as {} and Tally wants {}; Tally never moves a status backwards",
                from.as_str(),
                to.as_str()
            ),
        )
    };
    if to == L::Cancelled {
        return if ls_cancellable(kind, from) {
            Ok(Some(L::Cancelled))
        } else {
            Err(backwards())
        };
    }
    let order = ls_order(kind);
    let (Some(i), Some(j)) = (
        order.iter().position(|s| *s == from),
        order.iter().position(|s| *s == to),
    ) else {
        return Err(backwards());
    };
    if j < i {
        return Err(backwards());
    }
    Ok(Some(order[i + 1]))
}

#[cfg(test)]
mod ls_tests {
    use super::*;

    #[test]
    fn a_received_remote_is_never_sent_back() {
        assert_eq!(
            ls_next_step(T::Outlet, L::Received, L::Sent)
                .unwrap_err()
                .code,
            "LIGHTSPEED_AHEAD"
        );
        assert!(ls_next_step(T::Outlet, L::Received, L::Cancelled).is_err());
    }

    #[test]
    fn a_purchase_order_walks_through_dispatched() {
        assert_eq!(
            ls_next_step(T::Supplier, L::Sent, L::Received).unwrap(),
            Some(L::Dispatched)
        );
        assert_eq!(
            ls_next_step(T::Outlet, L::Open, L::Received).unwrap(),
            Some(L::Sent)
        );
        assert_eq!(ls_next_step(T::Outlet, L::Sent, L::Sent).unwrap(), None);
    }

    #[test]
    fn every_cis_status_maps_to_a_status_of_the_kinds_type() {
        for kind in ConsignmentKind::ALL {
            for s in ConsignmentStatus::ALL {
                let l = ls_status_for(kind, s);
                assert!(
                    l == L::Cancelled || ls_order(ls_type(kind)).contains(&l),
                    "{kind:?} {s:?} -> {l:?}"
                );
            }
        }
    }
}
