//! Submitting an order for approval and deciding on it: the domain picks the tier and the
//! roles; the approver signs with their PIN (they may not be the person signed in); the
//! decision and its effect on the status are one store action, recorded offline and
//! validated again by the hub. The approver's queue lists the orders waiting, with the
//! reason for their tier and the supplier's recent history.

use std::collections::HashMap;

use serde_json::json;
use tally_domain::{
    check_transition, ApprovalPolicy, ApprovalTier, Approver, ConsignmentKind, ConsignmentStatus,
    Decision, Money, RejectReason, Role, StaffId,
};
use tally_store::{Actor, ApprovalDecision, ApprovalInput};
use time::OffsetDateTime;
use uuid::Uuid;

use super::facts::{reject_reason, OrderFacts};
use super::views::{
    ApprovalQueueItem, ApprovalStateView, DecisionInput, DecisionKind, DecisionView,
    EscalationView, PurchaseOrderView, ReasonChoice, SupplierHistoryView,
};
use super::{marks, parse_id, rfc3339};
use crate::error::AppError;
use crate::App;

const PO: ConsignmentKind = ConsignmentKind::PurchaseOrder;

/// Why a total falls in its tier, in words staff read:
/// "$6,000.00 excl. GST is above $5,000.00, so it is tier 3: it needs director or higher."
pub(crate) fn tier_reason(tier: &ApprovalTier, total_excl: Money) -> String {
    let cent = Money::from_cents(1);
    let range = match tier.max_total {
        None if tier.min_total == Money::ZERO => "any amount".to_string(),
        None => format!("above {}", tier.min_total - cent),
        Some(max) if tier.min_total == Money::ZERO => format!("up to {}", max - cent),
        Some(max) => format!("between {} and {}", tier.min_total, max - cent),
    };
    let needs = if tier.approvers.is_empty() {
        "no approval is needed".to_string()
    } else {
        format!("it needs {}", tier.describe_approvers())
    };
    format!(
        "{} excl. GST is {range}, so it is tier {}: {needs}.",
        total_excl.round_cents(),
        tier.number
    )
}

fn decision_code(d: ApprovalDecision) -> &'static str {
    d.as_str()
}

impl App {
    /// Where an order stands against its tier, for every screen that shows it.
    pub(crate) fn approval_state(
        &self,
        policy: &ApprovalPolicy,
        f: &OrderFacts,
        now: OffsetDateTime,
    ) -> ApprovalStateView {
        let tier = policy.tier_for(f.totals.excl_gst);
        let progress = policy.progress(&f.order());
        let waiting = f.header.status == ConsignmentStatus::PendingApproval;
        let submitted_at = f.submitted_at();
        let overdue = waiting && submitted_at.is_some_and(|s| policy.is_overdue(s, now));
        let escalate_to = overdue
            .then(|| policy.escalation_tier(tier.number))
            .flatten()
            .map(|t| format!("tier {}: {}", t.number, t.describe_approvers()));
        let escalated = if waiting {
            self.hub_escalation(f.header.id)
        } else {
            None
        };
        let decisions = f
            .approvals
            .iter()
            .map(|a| DecisionView {
                at: rfc3339(a.decided_at),
                approver: self.person(Some(a.decided_by)),
                decision: decision_code(a.decision).to_string(),
                tier: a.tier,
                reason: a
                    .reason
                    .as_deref()
                    .and_then(reject_reason)
                    .map(|r| r.label().to_string()),
                comment: a.comment.clone(),
            })
            .collect();
        ApprovalStateView {
            tier: tier.number,
            reason: tier_reason(tier, f.totals.excl_gst),
            needs: tier.describe_approvers(),
            needed: u32::try_from(progress.needed).unwrap_or(u32::MAX),
            have: u32::try_from(progress.have).unwrap_or(u32::MAX),
            missing: progress
                .missing
                .iter()
                .map(|s| {
                    ApprovalTier {
                        approvers: vec![*s],
                        ..tier.clone()
                    }
                    .describe_approvers()
                })
                .collect(),
            satisfied: progress.satisfied,
            submitted_at: submitted_at.filter(|_| waiting).map(rfc3339),
            overdue,
            escalate_to,
            escalated,
            decisions,
        }
    }

    /// The hub's escalation of the order's current submission, from its pulled history.
    fn hub_escalation(&self, id: Uuid) -> Option<EscalationView> {
        let history: Vec<tally_sync::HistoryRow> = self
            .store()
            .hub_history(id)
            .ok()?
            .into_iter()
            .filter_map(|h| serde_json::from_value(h.entry).ok())
            .collect();
        let (_, escalated) = tally_sync::last_submission(&history)?;
        let e = escalated?;
        Some(EscalationView {
            to_role: e.payload["to_role"].as_str().and_then(Role::parse)?,
            why: e.payload["why"].as_str().unwrap_or_default().to_string(),
            at: rfc3339(e.applied_at),
        })
    }

    /// Submits a draft for approval; a total in a tier that needs nobody is approved at once.
    pub fn submit_purchase_order(&self, id: &str) -> Result<PurchaseOrderView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("purchase order", id)?;
        let settings = self.purchasing_settings();
        let policy = &settings.policy;
        let f = self.order_facts(id, PO)?;
        if f.cost_missing {
            return Err(AppError::new(
                "COST_MISSING",
                "Some lines have no unit cost. Enter every cost before submitting, so the order goes to the right approver.",
            ));
        }
        let tier = policy.tier_for(f.totals.excl_gst);
        let to = if tier.approvers.is_empty() {
            ConsignmentStatus::Approved
        } else {
            ConsignmentStatus::PendingApproval
        };
        check_transition(PO, f.header.status, to, &f.transition_context(policy))?;
        let note = json!({
            "tier": tier.number,
            "total_excl_gst": f.totals.excl_gst,
            "needs": tier.describe_approvers(),
            "reason": tier_reason(tier, f.totals.excl_gst),
        });
        let (version, from) = (f.header.version, f.header.status);
        self.store().transact(&actor, |t| {
            t.set_consignment_status(id, version, to)?;
            t.audit(
                marks::SUBMITTED,
                "consignment",
                &id.to_string(),
                Some(&json!({ "status": from })),
                Some(&note),
                None,
            )?;
            Ok(())
        })?;
        tracing::info!(consignment_id = %id, tier = tier.number, "purchase order submitted");
        self.purchase_order_view(id)
    }

    /// Records an approver's decision, signed with their PIN. The approver is the actor of
    /// the stored decision even when someone else is signed in at this station.
    pub fn decide_purchase_order(
        &self,
        input: DecisionInput,
    ) -> Result<PurchaseOrderView, AppError> {
        let signed_in = self.actor()?;
        let id = parse_id("purchase order", &input.order_id)?;
        let approver_id = parse_id("staff", &input.approver_id)?;
        let settings = self.purchasing_settings();
        let policy = &settings.policy;
        let f = self.order_facts(id, PO)?;
        let member =
            self.verify_approver(approver_id, &input.pin, f.header.destination_outlet_id)?;
        let comment = input
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        let decision = match input.decision {
            DecisionKind::Approve => Decision::Approve { comment },
            DecisionKind::RequestChanges => Decision::RequestChanges {
                comment: comment.unwrap_or_default(),
            },
            DecisionKind::Reject => {
                let code = input.reason.as_deref().unwrap_or_default();
                let reason = reject_reason(code).ok_or_else(|| {
                    AppError::new(
                        "REJECT_REASON_REQUIRED",
                        "Choose why the order is rejected.",
                    )
                })?;
                Decision::Reject {
                    reason,
                    note: comment,
                }
            }
        };
        let approver = Approver {
            staff: StaffId::new(approver_id.to_string()),
            role: member.role,
        };
        let now = OffsetDateTime::now_utc();
        let outcome = policy.decide(&approver, &f.order(), decision, now)?;
        let from = f.header.status;
        let changes_status = outcome.new_status != from;
        if changes_status {
            let mut ctx = f.transition_context(policy);
            ctx.approval_satisfied = outcome.new_status == ConsignmentStatus::Approved;
            check_transition(PO, from, outcome.new_status, &ctx)?;
        }
        let tier = policy.tier_for(f.totals.excl_gst);
        let required_role = tier
            .approvers
            .iter()
            .find(|s| s.accepts(member.role))
            .map(|s| s.role)
            .unwrap_or(member.role);
        let (stored, reason, note) = match &outcome.record.decision {
            Decision::Approve { comment } => (ApprovalDecision::Approve, None, comment.clone()),
            Decision::RequestChanges { comment } => (
                ApprovalDecision::RequestChanges,
                None,
                Some(comment.clone()),
            ),
            Decision::Reject { reason, note } => (
                ApprovalDecision::Reject,
                Some(reason.as_str().to_string()),
                note.clone(),
            ),
        };
        let input = ApprovalInput {
            consignment_id: id,
            tier: outcome.record.tier,
            required_role,
            decision: stored,
            reason,
            comment: note,
        };
        let signed_in_by = match &signed_in {
            Actor::Staff(s) => Some(*s),
            Actor::System(_) => None,
        };
        let (version, new_status, total) =
            (f.header.version, outcome.new_status, f.totals.excl_gst);
        let own_order = outcome.record.own_order;
        self.store().transact(&Actor::Staff(approver_id), |t| {
            let a = t.record_approval(input)?;
            if changes_status {
                // The status follows from the decision: the hub derives it again from
                // the decision, so it is not sent as a move of its own.
                t.set_consignment_status_by_decision(id, version, new_status)?;
            }
            let note = json!({
                "approval_id": a.id,
                "decision": stored.as_str(),
                "tier": a.tier,
                "total_excl_gst": total,
                "approver_role": member.role,
                "status": new_status,
                "status_changed_by_decision": changes_status,
                "own_order": own_order,
                "signed_in_at_station": signed_in_by,
            });
            t.audit(
                marks::DECIDED,
                "consignment",
                &id.to_string(),
                Some(&json!({ "status": from })),
                Some(&note),
                None,
            )?;
            Ok(())
        })?;
        tracing::info!(consignment_id = %id, approver = %approver_id, decision = stored.as_str(),
            status = new_status.as_str(), "purchase order decision recorded");
        self.purchase_order_view(id)
    }

    /// Orders waiting for approval: this outlet's, or every outlet's for chain roles.
    /// Overdue ones first, then the longest waiting.
    pub fn approval_queue(&self) -> Result<Vec<ApprovalQueueItem>, AppError> {
        let session = self
            .current_session()
            .ok_or_else(|| AppError::new("NOT_SIGNED_IN", "Sign in with your PIN first."))?;
        let here = self.store().station_outlet()?;
        let outlets: Vec<Uuid> = if session.staff.role.is_at_least(Role::AreaManager) {
            self.store().outlets()?.into_iter().map(|o| o.id).collect()
        } else {
            vec![here]
        };
        let settings = self.purchasing_settings();
        let now = OffsetDateTime::now_utc();
        let mut seen = std::collections::HashSet::new();
        let mut histories: HashMap<Uuid, SupplierHistoryView> = HashMap::new();
        let mut items = Vec::new();
        for outlet in outlets {
            for c in self.store().list_open_consignments(outlet)? {
                if c.kind != PO
                    || c.status != ConsignmentStatus::PendingApproval
                    || !seen.insert(c.id)
                {
                    continue;
                }
                let f = self.order_facts(c.id, PO)?;
                let supplier_history = match f.header.supplier_id {
                    Some(s) => match histories.get(&s) {
                        Some(h) => h.clone(),
                        None => {
                            let h = self.supplier_history_for(s)?;
                            histories.insert(s, h.clone());
                            h
                        }
                    },
                    None => SupplierHistoryView {
                        orders: vec![],
                        delivered_with_variance: 0,
                        delivered: 0,
                    },
                };
                let mut history = supplier_history;
                history.orders.retain(|o| o.id != c.id.to_string());
                items.push((
                    f.submitted_at(),
                    ApprovalQueueItem {
                        id: c.id.to_string(),
                        reference: f.header.reference.clone(),
                        outlet: self.outlet_name(f.header.destination_outlet_id)?,
                        supplier: self.supplier_card(f.header.supplier_id)?,
                        created_by: self.person(f.header.created_by),
                        totals: f.totals.into(),
                        line_count: u32::try_from(f.lines.len()).unwrap_or(u32::MAX),
                        approval: self.approval_state(&settings.policy, &f, now),
                        supplier_history: history,
                    },
                ));
            }
        }
        // Escalated to the signed-in person's role first, then overdue, then oldest.
        let mine = |i: &ApprovalQueueItem| {
            i.approval
                .escalated
                .as_ref()
                .is_some_and(|e| e.to_role == session.staff.role)
        };
        items.sort_by(|(a_at, a), (b_at, b)| {
            mine(b)
                .cmp(&mine(a))
                .then(b.approval.overdue.cmp(&a.approval.overdue))
                .then(a_at.cmp(b_at))
        });
        Ok(items.into_iter().map(|(_, i)| i).collect())
    }

    /// The reasons an approver may give for rejecting an order.
    pub fn reject_reasons(&self) -> Vec<ReasonChoice> {
        RejectReason::ALL
            .into_iter()
            .map(|r| ReasonChoice {
                code: r.as_str().to_string(),
                label: r.label().to_string(),
                needs_note: r == RejectReason::Other,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tier_reason_names_the_range_and_who_is_needed() {
        let p = ApprovalPolicy::default_three_tier();
        let six_k = Money::dollars(6000);
        assert_eq!(
            tier_reason(p.tier_for(six_k), six_k),
            "$6,000.00 excl. GST is above $5,000.00, so it is tier 3: it needs director or higher."
        );
        let small = Money::parse("150.5").unwrap();
        assert_eq!(
            tier_reason(p.tier_for(small), small),
            "$150.50 excl. GST is up to $2,000.00, so it is tier 1: it needs store manager or higher."
        );
        let mid = Money::dollars(3000);
        assert!(tier_reason(p.tier_for(mid), mid).contains("between $2,000.01 and $5,000.00"));
    }

    #[test]
    fn a_tier_without_approvers_says_none_is_needed() {
        let p = ApprovalPolicy::legacy_five_tier();
        let t = Money::dollars(100);
        assert!(tier_reason(p.tier_for(t), t).ends_with("no approval is needed."));
        let t = Money::dollars(7000);
        assert!(
            tier_reason(p.tier_for(t), t).contains("operations manager and financial controller"),
            "{}",
            tier_reason(p.tier_for(t), t)
        );
    }
}
