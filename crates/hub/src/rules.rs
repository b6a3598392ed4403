//! The one seam where the hub asks the domain whether an outlet action is allowed,
//! and turns a broken rule into a refusal (stable code + message) for the outlet.
//! Business rules live in `tally_domain`; what is here is hub-only: outlet
//! boundaries, race-loser codes, and walking Lightspeed statuses forward.

use std::collections::VecDeque;

use tally_domain::{
    ls_allowed_next, ConsignmentKind, ConsignmentStatus, DomainError, LsConsignmentStatus as L,
    LsConsignmentType as T, Role,
};

use ConsignmentStatus as S;

pub use tally_domain::{
    check_credit, check_line_change, check_return_line, check_transition, document_number,
    initial_status, ls_status_for, ls_type, LineChange, TransitionContext,
};

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

impl From<DomainError> for Refusal {
    fn from(e: DomainError) -> Self {
        Self {
            code: e.code(),
            message: e.to_string(),
        }
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

/// The next Lightspeed status on the way from `from` to `to` along the moves
/// Lightspeed allows: `Ok(None)` when already there, `LIGHTSPEED_AHEAD` when `to`
/// cannot be reached (it is behind, or Lightspeed closed it): never backwards.
pub fn ls_next_step(kind: T, from: L, to: L) -> Result<Option<L>, Refusal> {
    if from == to {
        return Ok(None);
    }
    // Shortest forward path; CANCELLED/CLOSED only as the destination.
    let mut queue = VecDeque::from([(from, None::<L>)]);
    let mut seen = vec![from];
    while let Some((at, first)) = queue.pop_front() {
        for &next in ls_allowed_next(kind, at) {
            if seen.contains(&next) {
                continue;
            }
            let first = first.or(Some(next));
            if next == to {
                return Ok(first);
            }
            if !matches!(next, L::Cancelled | L::Closed) {
                seen.push(next);
                queue.push_back((next, first));
            }
        }
    }
    Err(Refusal::new(
        "LIGHTSPEED_AHEAD",
        format!(
            "Lightspeed has it as {} and Tally wants {}; Tally never moves a status backwards",
            from.as_str(),
            to.as_str()
        ),
    ))
}

/// A CIS kind + status as the Lightspeed status to push (a refusal for a status the
/// kind does not use, which the hub never stores).
pub fn ls_target(kind: ConsignmentKind, status: S) -> Result<L, Refusal> {
    ls_status_for(kind, status).map_err(Refusal::from)
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            ls_next_step(T::Outlet, L::Sent, L::Cancelled).unwrap(),
            Some(L::Cancelled)
        );
    }

    #[test]
    fn a_domain_error_keeps_its_code() {
        let e = check_transition(
            ConsignmentKind::OutletTransfer,
            S::Received,
            S::Sent,
            &TransitionContext::default(),
        )
        .unwrap_err();
        let r = Refusal::from(e);
        assert_eq!(r.code, "CONSIGNMENT_CLOSED");
    }
}
