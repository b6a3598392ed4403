//! What the approval rules and the screens need to know about one order, read from the
//! store once: header, lines, totals, decisions of the current round, who created and who
//! last edited it, and its audit entries.

use std::collections::HashMap;

use rust_decimal::Decimal;
use tally_domain::{
    consignment_totals, ApprovalPolicy, ApprovalRecord, ConsignmentKind, ConsignmentStatus,
    Decision, LineAmount, Money, OrderForApproval, Quantity, RejectReason, Role, StaffId, Totals,
    TransitionContext,
};
use tally_store::{Approval, ApprovalDecision, AuditEntry, Consignment, LineProgress};
use time::OffsetDateTime;
use uuid::Uuid;

use super::marks;
use super::staff_of_actor;
use crate::error::AppError;
use crate::App;

/// One order as the rules see it.
pub(crate) struct OrderFacts {
    pub header: Consignment,
    pub lines: Vec<LineProgress>,
    pub totals: Totals,
    /// Some line has no unit cost.
    pub cost_missing: bool,
    /// Every decision, oldest first.
    pub approvals: Vec<Approval>,
    /// The decisions of the current round as the domain's records.
    pub round: Vec<ApprovalRecord>,
    pub created_by: StaffId,
    pub last_edited_by: StaffId,
    /// The order's own audit entries, oldest first.
    pub audit: Vec<AuditEntry>,
}

/// A line's money: quantity at its unit cost (no cost counts as zero).
pub(crate) fn line_amount(l: &LineProgress) -> LineAmount {
    LineAmount {
        quantity: Quantity::new(l.line.expected_qty),
        unit_cost_excl: Money::new(l.line.unit_cost.unwrap_or(Decimal::ZERO)),
    }
}

/// Totals of store lines.
pub(crate) fn totals_of(lines: &[LineProgress]) -> Totals {
    let amounts: Vec<LineAmount> = lines.iter().map(line_amount).collect();
    consignment_totals(&amounts)
}

fn record_of(a: &Approval, role: Role) -> ApprovalRecord {
    let decision = match a.decision {
        ApprovalDecision::Approve => Decision::Approve {
            comment: a.comment.clone(),
        },
        ApprovalDecision::RequestChanges => Decision::RequestChanges {
            comment: a.comment.clone().unwrap_or_default(),
        },
        ApprovalDecision::Reject => Decision::Reject {
            reason: a
                .reason
                .as_deref()
                .and_then(reject_reason)
                .unwrap_or(RejectReason::Other),
            note: a.comment.clone(),
        },
    };
    ApprovalRecord {
        approver: StaffId::new(a.decided_by.to_string()),
        role,
        decided_at: a.decided_at,
        tier: a.tier,
        total_excl: Money::ZERO,
        decision,
        own_order: false,
    }
}

/// A rejection reason by its stable code.
pub(crate) fn reject_reason(code: &str) -> Option<RejectReason> {
    RejectReason::ALL.into_iter().find(|r| r.as_str() == code)
}

/// The decisions after the last one that sent the order back or cancelled it (the hub
/// counts rounds the same way).
fn current_round(records: Vec<ApprovalRecord>) -> Vec<ApprovalRecord> {
    let start = records
        .iter()
        .rposition(|r| !matches!(r.decision, Decision::Approve { .. }))
        .map_or(0, |i| i + 1);
    records.into_iter().skip(start).collect()
}

impl OrderFacts {
    /// The order as the approval rules take it.
    pub fn order(&self) -> OrderForApproval<'_> {
        OrderForApproval {
            status: self.header.status,
            total_excl: self.totals.excl_gst,
            created_by: &self.created_by,
            last_edited_by: &self.last_edited_by,
            approvals: &self.round,
        }
    }

    /// The highest tier an approval of the current round was given at (0: none).
    pub fn approved_tier(&self) -> u8 {
        self.round
            .iter()
            .filter(|r| matches!(r.decision, Decision::Approve { .. }))
            .map(|r| r.tier)
            .max()
            .unwrap_or(0)
    }

    /// When the order was last submitted (or sent back for approval), if known here.
    pub fn submitted_at(&self) -> Option<OffsetDateTime> {
        let from_audit = self
            .audit
            .iter()
            .filter(|e| e.action == "consignment.status_set")
            .filter(|e| {
                e.after
                    .as_ref()
                    .and_then(|a| a.get("status"))
                    .and_then(|s| s.as_str())
                    == Some(ConsignmentStatus::PendingApproval.as_str())
            })
            .map(|e| e.at)
            .next_back();
        // An order pulled from another station has no local history: its last change
        // is the best guess.
        from_audit.or((self.header.status == ConsignmentStatus::PendingApproval)
            .then_some(self.header.updated_at))
    }

    /// What the transition guards look at.
    pub fn transition_context(&self, policy: &ApprovalPolicy) -> TransitionContext {
        TransitionContext {
            line_count: u32::try_from(self.lines.len()).unwrap_or(u32::MAX),
            total_received: Quantity::new(self.lines.iter().map(|l| l.received).sum()),
            approval_satisfied: policy.progress(&self.order()).satisfied,
            ..TransitionContext::default()
        }
    }
}

impl App {
    /// Loads one consignment's facts, refusing one of another kind.
    pub(crate) fn order_facts(
        &self,
        id: Uuid,
        kind: ConsignmentKind,
    ) -> Result<OrderFacts, AppError> {
        let store = self.store();
        let header = store.consignment(id)?;
        if header.kind != kind {
            return Err(AppError::new(
                "WRONG_KIND",
                format!(
                    "{} is a {}, not a {}.",
                    header.reference,
                    header.kind.label(),
                    kind.label()
                ),
            ));
        }
        let lines = store.consignment_lines(id)?;
        let totals = totals_of(&lines);
        let cost_missing = lines.iter().any(|l| l.line.unit_cost.is_none());
        let approvals = store.approvals_for(id)?;
        let mut roles: HashMap<Uuid, Role> = HashMap::new();
        let mut records = Vec::with_capacity(approvals.len());
        for a in &approvals {
            let role = match roles.get(&a.decided_by) {
                Some(r) => *r,
                None => {
                    // Someone no longer known here cannot fill a slot.
                    let r = store
                        .staff_member(a.decided_by)
                        .map(|m| m.role)
                        .unwrap_or(Role::Staff);
                    roles.insert(a.decided_by, r);
                    r
                }
            };
            records.push(record_of(a, role));
        }
        let audit = store.audit_entries_for("consignment", &id.to_string())?;
        let created_by = StaffId::new(header.created_by.map(|u| u.to_string()).unwrap_or_default());
        let last_edited_by = audit
            .iter()
            .rev()
            .find(|e| e.action == marks::LINE_CHANGED)
            .and_then(|e| staff_of_actor(&e.actor))
            .map(|u| StaffId::new(u.to_string()))
            .unwrap_or_else(|| created_by.clone());
        Ok(OrderFacts {
            header,
            lines,
            totals,
            cost_missing,
            approvals,
            round: current_round(records),
            created_by,
            last_edited_by,
            audit,
        })
    }
}
