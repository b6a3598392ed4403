//! Purchase-order approval decisions. The domain decides whether a decision is allowed
//! (tier, role, not one's own order); the store records it with its audit entry.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use tally_domain::Role;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Actor;
use crate::consignment::load;
use crate::error::{Result, StoreError};
use crate::sql::{ms, RowExt};
use crate::store::{Store, Tx};

/// What the approver decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalDecision {
    /// Approved.
    Approve,
    /// Back to draft with a comment.
    RequestChanges,
    /// Rejected (cancelled) with a reason.
    Reject,
}

impl ApprovalDecision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::RequestChanges => "request_changes",
            Self::Reject => "reject",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approve, Self::RequestChanges, Self::Reject]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalInput {
    /// The purchase order.
    pub consignment_id: Uuid,
    /// Tier that applied.
    pub tier: u8,
    /// Role the tier required.
    pub required_role: Role,
    /// Decision.
    pub decision: ApprovalDecision,
    /// Rejection reason code (domain's list).
    pub reason: Option<String>,
    /// Comment (required by the domain for "request changes").
    pub comment: Option<String>,
}

/// A stored decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// UUIDv7.
    pub id: Uuid,
    /// The purchase order.
    pub consignment_id: Uuid,
    /// Tier.
    pub tier: u8,
    /// Required role.
    pub required_role: Role,
    /// Decision.
    pub decision: ApprovalDecision,
    /// Reason.
    pub reason: Option<String>,
    /// Comment.
    pub comment: Option<String>,
    /// Who decided.
    pub decided_by: Uuid,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
}

impl Tx<'_> {
    /// Records an approval decision by the signed-in staff member.
    pub fn record_approval(&mut self, input: ApprovalInput) -> Result<Approval> {
        let decided_by = self.staff_id()?;
        load(self.conn(), input.consignment_id)?;
        let a = Approval {
            id: Uuid::now_v7(),
            consignment_id: input.consignment_id,
            tier: input.tier,
            required_role: input.required_role,
            decision: input.decision,
            reason: input.reason,
            comment: input.comment,
            decided_by,
            decided_at: self.now(),
        };
        self.conn().execute(
            "INSERT INTO approvals (id, consignment_id, tier, required_role, decision, reason,
                comment, decided_by, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                a.id.to_string(),
                a.consignment_id.to_string(),
                a.tier,
                a.required_role.as_str(),
                a.decision.as_str(),
                a.reason,
                a.comment,
                a.decided_by.to_string(),
                ms(a.decided_at)
            ],
        )?;
        self.touch(a.consignment_id)?;
        self.record(
            "approval.recorded",
            "approval",
            a.id,
            Some(a.consignment_id),
            None,
            &a,
        )?;
        Ok(a)
    }
}

impl Store {
    /// Records an approval decision as one action.
    pub fn record_approval(&self, actor: &Actor, input: ApprovalInput) -> Result<Approval> {
        self.transact(actor, |t| t.record_approval(input))
    }

    /// The decisions on a purchase order, oldest first.
    pub fn approvals_for(&self, consignment_id: Uuid) -> Result<Vec<Approval>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, consignment_id, tier, required_role, decision, reason, comment,
                        decided_by, decided_at
                 FROM approvals WHERE consignment_id = ?1 ORDER BY decided_at, id",
            )?;
            let mut rows = stmt.query([consignment_id.to_string()])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(Approval {
                    id: r.uuid("id")?,
                    consignment_id: r.uuid("consignment_id")?,
                    tier: u8::try_from(r.int("tier")?)
                        .map_err(|_| StoreError::decode("approval tier"))?,
                    required_role: r.enumeration("required_role", Role::parse)?,
                    decision: r.enumeration("decision", ApprovalDecision::parse)?,
                    reason: r.opt_text("reason")?,
                    comment: r.opt_text("comment")?,
                    decided_by: r.uuid("decided_by")?,
                    decided_at: r.time("decided_at")?,
                });
            }
            Ok(out)
        })
    }
}
