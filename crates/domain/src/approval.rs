//! Purchase-order approval: tiers by order total excluding GST, who may approve which
//! tier, decisions and the record each decision leaves (DOMAIN.md, "Purchase-order
//! approval"). Tiers are data; the defaults and the old system's five-tier preset are
//! two values of the same type.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::consignment::ConsignmentStatus;
use crate::error::DomainError;
use crate::money::Money;
use crate::role::Role;

/// A staff member's stable id (as stored; the domain only compares them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StaffId(pub String);

impl StaffId {
    /// Wraps an id.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }
}

/// One approver a tier needs: a role, and whether higher roles may stand in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproverSlot {
    /// The role named by the tier.
    pub role: Role,
    /// `true`: this role or higher ("store manager or higher"). `false`: the tier names
    /// the role explicitly and only that role fills the slot (the financial controller
    /// signs money; a director does not sign in their place).
    pub or_higher: bool,
}

impl ApproverSlot {
    /// This role or any higher one.
    pub const fn at_least(role: Role) -> Self {
        Self {
            role,
            or_higher: true,
        }
    }

    /// Exactly this role.
    pub const fn exactly(role: Role) -> Self {
        Self {
            role,
            or_higher: false,
        }
    }

    /// Whether a person with `role` may fill this slot.
    pub fn accepts(&self, role: Role) -> bool {
        if self.or_higher {
            role.is_at_least(self.role)
        } else {
            role == self.role
        }
    }

    fn describe(&self) -> String {
        if self.or_higher {
            format!("{} or higher", self.role.label())
        } else {
            self.role.label().to_owned()
        }
    }
}

/// One approval tier: a range of the order total excluding GST and the approvers needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalTier {
    /// Tier number shown to staff, increasing with the total.
    pub number: u8,
    /// Lowest total in this tier (inclusive).
    pub min_total: Money,
    /// Total where the next tier starts (exclusive); `None` for the top tier.
    pub max_total: Option<Money>,
    /// One slot per distinct approver needed; empty means no approval needed.
    pub approvers: Vec<ApproverSlot>,
}

impl ApprovalTier {
    /// How many distinct people must approve.
    pub fn approvers_needed(&self) -> usize {
        self.approvers.len()
    }

    /// Whether a (cent-rounded) total falls in this tier.
    pub fn contains(&self, total: Money) -> bool {
        total >= self.min_total && self.max_total.is_none_or(|max| total < max)
    }

    /// Who this tier needs, in words ("ops manager or higher and financial controller").
    pub fn describe_approvers(&self) -> String {
        describe_slots(self.approvers.iter())
    }
}

fn describe_slots<'a>(slots: impl Iterator<Item = &'a ApproverSlot>) -> String {
    let words: Vec<String> = slots.map(ApproverSlot::describe).collect();
    if words.is_empty() {
        "no approval".to_owned()
    } else {
        words.join(" and ")
    }
}

/// Why an order was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    OverBudget,
    MissingInformation,
    WrongSupplier,
    Duplicate,
    QuantityIssue,
    TimingIssue,
    NeedsClarification,
    /// Needs a note.
    Other,
}

impl RejectReason {
    /// Every reason, in the order the UI lists them.
    pub const ALL: [RejectReason; 8] = [
        Self::OverBudget,
        Self::MissingInformation,
        Self::WrongSupplier,
        Self::Duplicate,
        Self::QuantityIssue,
        Self::TimingIssue,
        Self::NeedsClarification,
        Self::Other,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OverBudget => "over_budget",
            Self::MissingInformation => "missing_information",
            Self::WrongSupplier => "wrong_supplier",
            Self::Duplicate => "duplicate",
            Self::QuantityIssue => "quantity_issue",
            Self::TimingIssue => "timing_issue",
            Self::NeedsClarification => "needs_clarification",
            Self::Other => "other",
        }
    }

    /// The words shown in the list.
    pub fn label(self) -> &'static str {
        match self {
            Self::OverBudget => "Over budget",
            Self::MissingInformation => "Missing information",
            Self::WrongSupplier => "Wrong supplier",
            Self::Duplicate => "Duplicate order",
            Self::QuantityIssue => "Quantity issue",
            Self::TimingIssue => "Timing issue",
            Self::NeedsClarification => "Needs clarification",
            Self::Other => "Other",
        }
    }
}

/// An approver's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// Approve, with an optional comment.
    Approve { comment: Option<String> },
    /// Send back to draft; the comment says what to change.
    RequestChanges { comment: String },
    /// Cancel the order; `note` is required for `Other`.
    Reject {
        reason: RejectReason,
        note: Option<String>,
    },
}

/// The durable record of one decision: who, when, at which tier, and what they said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    /// Who decided.
    pub approver: StaffId,
    /// Their role when deciding (after delegation).
    pub role: Role,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub decided_at: OffsetDateTime,
    /// The order's tier at the time.
    pub tier: u8,
    /// The order total (excl. GST) the decision was made on.
    pub total_excl: Money,
    /// What they decided.
    pub decision: Decision,
    /// True when the chain switch let a manager approve their own order (audited).
    pub own_order: bool,
}

impl ApprovalRecord {
    /// The comment or note, if any.
    pub fn comment(&self) -> Option<&str> {
        match &self.decision {
            Decision::Approve { comment } => comment.as_deref(),
            Decision::RequestChanges { comment } => Some(comment),
            Decision::Reject { note, .. } => note.as_deref(),
        }
    }

    fn is_approval(&self) -> bool {
        matches!(self.decision, Decision::Approve { .. })
    }
}

/// The person deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    /// Their id.
    pub staff: StaffId,
    /// Their effective role (see `effective_role` for delegations).
    pub role: Role,
}

/// What the approval rules need to know about an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderForApproval<'a> {
    /// Its CIS status.
    pub status: ConsignmentStatus,
    /// Current total excluding GST, exact.
    pub total_excl: Money,
    /// Who created it.
    pub created_by: &'a StaffId,
    /// Who last edited it.
    pub last_edited_by: &'a StaffId,
    /// Decisions of the current approval round (since it was last submitted).
    pub approvals: &'a [ApprovalRecord],
}

/// Where an order stands against its tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalProgress {
    /// The tier of the current total.
    pub tier: u8,
    /// Distinct approvers the tier needs.
    pub needed: usize,
    /// Valid approvals that fill a slot.
    pub have: usize,
    /// True when every slot is filled.
    pub satisfied: bool,
    /// Slots still open.
    pub missing: Vec<ApproverSlot>,
}

/// What a decision does to the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionOutcome {
    /// The record to store.
    pub record: ApprovalRecord,
    /// The order's status afterwards.
    pub new_status: ConsignmentStatus,
}

/// What an edit of an approved order does to its approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOutcome {
    /// The tier stayed or went down: approval kept; the edit is audited.
    KeepApproval,
    /// The total moved into a higher tier: back to `pending_approval`.
    NeedsReapproval { new_tier: u8 },
}

/// A period during which someone acts with another person's approval role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// Who delegates.
    pub from: StaffId,
    /// The role delegated.
    pub role: Role,
    /// Who receives it.
    pub to: StaffId,
    /// Start (inclusive).
    #[serde(with = "time::serde::rfc3339")]
    pub starts_at: OffsetDateTime,
    /// End (exclusive).
    #[serde(with = "time::serde::rfc3339")]
    pub ends_at: OffsetDateTime,
}

/// The role `staff` acts with at `now`: their own or the highest delegated to them.
pub fn effective_role(
    staff: &StaffId,
    own_role: Role,
    delegations: &[Delegation],
    now: OffsetDateTime,
) -> Role {
    delegations
        .iter()
        .filter(|d| &d.to == staff && d.starts_at <= now && now < d.ends_at)
        .map(|d| d.role)
        .fold(
            own_role,
            |best, role| {
                if role.is_at_least(best) {
                    role
                } else {
                    best
                }
            },
        )
}

/// A chain's approval rules. Deserialising validates the tiers like `ApprovalPolicy::new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedPolicy")]
pub struct ApprovalPolicy {
    tiers: Vec<ApprovalTier>,
    /// Chain switch: a manager may approve their own order within their tier (audited).
    pub allow_own_orders_within_tier: bool,
    /// After this long waiting, an approval shows as overdue.
    pub overdue_after: Duration,
}

/// The stored shape of a policy, before its tiers are checked.
#[derive(Deserialize)]
struct UncheckedPolicy {
    tiers: Vec<ApprovalTier>,
    allow_own_orders_within_tier: bool,
    overdue_after: Duration,
}

impl TryFrom<UncheckedPolicy> for ApprovalPolicy {
    type Error = DomainError;
    fn try_from(raw: UncheckedPolicy) -> Result<Self, DomainError> {
        Self::new(
            raw.tiers,
            raw.allow_own_orders_within_tier,
            raw.overdue_after,
        )
    }
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        Self::default_three_tier()
    }
}

impl ApprovalPolicy {
    /// A policy from a tier table, checked: tiers start at $0, touch without gaps or
    /// overlaps, rise in number, the last is open-ended, and `admin` approves nothing.
    pub fn new(
        tiers: Vec<ApprovalTier>,
        allow_own_orders_within_tier: bool,
        overdue_after: Duration,
    ) -> Result<Self, DomainError> {
        validate_tiers(&tiers).map_err(|problem| DomainError::InvalidApprovalTiers {
            problem: problem.to_owned(),
        })?;
        Ok(Self {
            tiers,
            allow_own_orders_within_tier,
            overdue_after,
        })
    }

    /// The chain's defaults: up to $2,000.00 store manager, to $5,000.00 ops manager,
    /// above that director (each "or higher").
    pub fn default_three_tier() -> Self {
        let tiers = vec![
            tier(
                1,
                0,
                Some(200_001),
                &[ApproverSlot::at_least(Role::StoreManager)],
            ),
            tier(
                2,
                200_001,
                Some(500_001),
                &[ApproverSlot::at_least(Role::OpsManager)],
            ),
            tier(3, 500_001, None, &[ApproverSlot::at_least(Role::Director)]),
        ];
        Self::new(tiers, false, Duration::hours(24)).expect("default tiers are valid")
    }

    /// The old system's five tiers: under $500 none; to $2,000 store or area manager; to
    /// $5,000 area manager; to $10,000 ops manager and financial controller (two people,
    /// both named); from $10,000 director.
    pub fn legacy_five_tier() -> Self {
        let tiers = vec![
            tier(1, 0, Some(50_000), &[]),
            tier(
                2,
                50_000,
                Some(200_000),
                &[ApproverSlot::at_least(Role::StoreManager)],
            ),
            tier(
                3,
                200_000,
                Some(500_000),
                &[ApproverSlot::at_least(Role::AreaManager)],
            ),
            tier(
                4,
                500_000,
                Some(1_000_000),
                &[
                    ApproverSlot::exactly(Role::OpsManager),
                    ApproverSlot::exactly(Role::FinancialController),
                ],
            ),
            tier(
                5,
                1_000_000,
                None,
                &[ApproverSlot::at_least(Role::Director)],
            ),
        ];
        Self::new(tiers, false, Duration::hours(24)).expect("legacy tiers are valid")
    }

    /// The tiers, lowest first.
    pub fn tiers(&self) -> &[ApprovalTier] {
        &self.tiers
    }

    /// The tier of an order total excluding GST, judged on the total rounded to cents
    /// (what staff see). Negative totals (credits) fall in the first tier.
    pub fn tier_for(&self, total_excl: Money) -> &ApprovalTier {
        let total = total_excl.round_cents();
        self.tiers
            .iter()
            .find(|t| t.contains(total))
            .unwrap_or(&self.tiers[0])
    }

    /// The tier above `number`, for escalating an overdue approval.
    pub fn escalation_tier(&self, number: u8) -> Option<&ApprovalTier> {
        self.tiers.iter().find(|t| t.number > number)
    }

    /// Who an overdue approval at tier `number` is escalated to: the role above the
    /// highest role the tier names (never `admin`, which configures, not approves).
    pub fn escalation_role(&self, number: u8) -> Option<Role> {
        let tier = self.tiers.iter().find(|t| t.number == number)?;
        let top = tier.approvers.iter().map(|s| s.role).max()?;
        Role::ALL
            .into_iter()
            .skip_while(|r| *r != top)
            .nth(1)
            .filter(|r| *r != Role::Admin)
    }

    /// True when an approval submitted at `submitted_at` has waited too long.
    pub fn is_overdue(&self, submitted_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        now - submitted_at > self.overdue_after
    }

    /// What editing an order approved at tier `approved_tier` to `new_total` does.
    pub fn edit_outcome(&self, approved_tier: u8, new_total_excl: Money) -> EditOutcome {
        let new_tier = self.tier_for(new_total_excl).number;
        if new_tier > approved_tier {
            EditOutcome::NeedsReapproval { new_tier }
        } else {
            EditOutcome::KeepApproval
        }
    }

    /// Where the order stands: approvals count when given at this tier or a higher one,
    /// so raising the total into a higher tier needs approval again.
    pub fn progress(&self, order: &OrderForApproval<'_>) -> ApprovalProgress {
        let tier = self.tier_for(order.total_excl);
        let people = valid_approvers(order.approvals, tier.number);
        let assignment = assign(&tier.approvers, &people);
        let missing: Vec<ApproverSlot> = tier
            .approvers
            .iter()
            .zip(&assignment)
            .filter(|(_, who)| who.is_none())
            .map(|(slot, _)| *slot)
            .collect();
        ApprovalProgress {
            tier: tier.number,
            needed: tier.approvers_needed(),
            have: tier.approvers_needed() - missing.len(),
            satisfied: missing.is_empty(),
            missing,
        }
    }

    /// Whether `approver` may approve `order` now. `Ok(true)` when the approval is of
    /// the approver's own order under the chain switch (the caller audits it).
    pub fn can_approve(
        &self,
        approver: &Approver,
        order: &OrderForApproval<'_>,
    ) -> Result<bool, DomainError> {
        let own_order = self.check_authority(approver, order)?;
        let tier = self.tier_for(order.total_excl);
        let mut people = valid_approvers(order.approvals, tier.number);
        if people.iter().any(|(staff, _)| *staff == &approver.staff) {
            return Err(DomainError::AlreadyApproved);
        }
        let before = filled(&assign(&tier.approvers, &people));
        if before == tier.approvers_needed() {
            return Err(DomainError::ApprovalAlreadyComplete);
        }
        people.push((&approver.staff, approver.role));
        let after = assign(&tier.approvers, &people);
        if filled(&after) == before {
            let open = tier
                .approvers
                .iter()
                .zip(&after)
                .filter(|(_, w)| w.is_none());
            return Err(DomainError::RoleCannotApprove {
                role: approver.role,
                tier: tier.number,
                total: order.total_excl.round_cents(),
                needs: describe_slots(open.map(|(slot, _)| slot)),
            });
        }
        Ok(own_order)
    }

    /// Applies a decision: checks who may make it and what it must say, and returns the
    /// record to store and the order's next status.
    pub fn decide(
        &self,
        approver: &Approver,
        order: &OrderForApproval<'_>,
        decision: Decision,
        now: OffsetDateTime,
    ) -> Result<DecisionOutcome, DomainError> {
        let tier = self.tier_for(order.total_excl).number;
        let (own_order, new_status) = match &decision {
            Decision::Approve { .. } => {
                let own = self.can_approve(approver, order)?;
                (own, ConsignmentStatus::PendingApproval)
            }
            Decision::RequestChanges { comment } => {
                let own = self.check_authority(approver, order)?;
                if comment.trim().is_empty() {
                    return Err(DomainError::CommentRequired);
                }
                (own, ConsignmentStatus::Draft)
            }
            Decision::Reject { reason, note } => {
                let own = self.check_authority(approver, order)?;
                let blank = note.as_deref().is_none_or(|n| n.trim().is_empty());
                if *reason == RejectReason::Other && blank {
                    return Err(DomainError::RejectNoteRequired);
                }
                (own, ConsignmentStatus::Cancelled)
            }
        };
        let record = ApprovalRecord {
            approver: approver.staff.clone(),
            role: approver.role,
            decided_at: now,
            tier,
            total_excl: order.total_excl,
            decision,
            own_order,
        };
        let new_status = if record.is_approval() {
            let mut approvals = order.approvals.to_vec();
            approvals.push(record.clone());
            let after = OrderForApproval {
                approvals: &approvals,
                ..*order
            };
            if self.progress(&after).satisfied {
                ConsignmentStatus::Approved
            } else {
                new_status
            }
        } else {
            new_status
        };
        Ok(DecisionOutcome { record, new_status })
    }

    /// Status, own-order and role checks shared by every decision. Returns whether this
    /// is the approver's own order allowed by the chain switch.
    fn check_authority(
        &self,
        approver: &Approver,
        order: &OrderForApproval<'_>,
    ) -> Result<bool, DomainError> {
        if order.status != ConsignmentStatus::PendingApproval {
            return Err(DomainError::NotAwaitingApproval {
                status: order.status,
            });
        }
        let tier = self.tier_for(order.total_excl);
        let fits = tier
            .approvers
            .iter()
            .any(|slot| slot.accepts(approver.role));
        if !fits {
            return Err(DomainError::RoleCannotApprove {
                role: approver.role,
                tier: tier.number,
                total: order.total_excl.round_cents(),
                needs: tier.describe_approvers(),
            });
        }
        let own = &approver.staff == order.created_by || &approver.staff == order.last_edited_by;
        if own && !self.allow_own_orders_within_tier {
            return Err(DomainError::OwnOrder);
        }
        Ok(own)
    }
}

fn tier(
    number: u8,
    min_cents: i64,
    max_cents: Option<i64>,
    slots: &[ApproverSlot],
) -> ApprovalTier {
    ApprovalTier {
        number,
        min_total: Money::from_cents(min_cents),
        max_total: max_cents.map(Money::from_cents),
        approvers: slots.to_vec(),
    }
}

fn validate_tiers(tiers: &[ApprovalTier]) -> Result<(), &'static str> {
    let first = tiers.first().ok_or("there are no tiers")?;
    if first.min_total != Money::ZERO {
        return Err("the first tier must start at $0.00");
    }
    for pair in tiers.windows(2) {
        let (low, high) = (&pair[0], &pair[1]);
        if high.number <= low.number {
            return Err("tier numbers must rise with the total");
        }
        match low.max_total {
            None => return Err("only the last tier may be open-ended"),
            Some(max) if max != high.min_total => {
                return Err("each tier must start where the one below ends (no gap, no overlap)")
            }
            Some(_) => {}
        }
    }
    for t in tiers {
        if t.max_total.is_some_and(|max| max <= t.min_total) {
            return Err("a tier's maximum must be above its minimum");
        }
        if t.approvers.iter().any(|slot| slot.role == Role::Admin) {
            return Err("admin configures; it cannot be an approver");
        }
    }
    if tiers.last().is_some_and(|t| t.max_total.is_some()) {
        return Err("the last tier must have no maximum");
    }
    Ok(())
}

/// Distinct people with an approval valid for `tier`: given at that tier or higher.
fn valid_approvers(approvals: &[ApprovalRecord], tier: u8) -> Vec<(&StaffId, Role)> {
    let mut people: Vec<(&StaffId, Role)> = Vec::new();
    for record in approvals
        .iter()
        .filter(|r| r.is_approval() && r.tier >= tier)
    {
        if !people.iter().any(|(staff, _)| *staff == &record.approver) {
            people.push((&record.approver, record.role));
        }
    }
    people
}

/// Assigns people to slots, one person per slot (maximum bipartite matching, Kuhn's
/// algorithm; tiers have a handful of slots). Returns each slot's person index.
fn assign(slots: &[ApproverSlot], people: &[(&StaffId, Role)]) -> Vec<Option<usize>> {
    fn try_person(
        person: usize,
        slots: &[ApproverSlot],
        people: &[(&StaffId, Role)],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for (slot_index, slot) in slots.iter().enumerate() {
            if seen[slot_index] || !slot.accepts(people[person].1) {
                continue;
            }
            seen[slot_index] = true;
            let free = match owner[slot_index] {
                None => true,
                Some(other) => try_person(other, slots, people, seen, owner),
            };
            if free {
                owner[slot_index] = Some(person);
                return true;
            }
        }
        false
    }
    let mut owner = vec![None; slots.len()];
    for person in 0..people.len() {
        let mut seen = vec![false; slots.len()];
        try_person(person, slots, people, &mut seen, &mut owner);
    }
    owner
}

fn filled(assignment: &[Option<usize>]) -> usize {
    assignment.iter().filter(|o| o.is_some()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-03-10 09:00 UTC);

    fn staff(id: &str) -> StaffId {
        StaffId::new(id)
    }

    fn approver(id: &str, role: Role) -> Approver {
        Approver {
            staff: staff(id),
            role,
        }
    }

    fn approved_by(id: &str, role: Role, tier: u8) -> ApprovalRecord {
        ApprovalRecord {
            approver: staff(id),
            role,
            decided_at: NOW,
            tier,
            total_excl: Money::ZERO,
            decision: Decision::Approve { comment: None },
            own_order: false,
        }
    }

    struct Order {
        total: Money,
        created_by: StaffId,
        edited_by: StaffId,
        approvals: Vec<ApprovalRecord>,
        status: ConsignmentStatus,
    }

    impl Order {
        fn new(total: &str) -> Self {
            Self {
                total: Money::parse(total).unwrap(),
                created_by: staff("creator"),
                edited_by: staff("creator"),
                approvals: Vec::new(),
                status: ConsignmentStatus::PendingApproval,
            }
        }
        fn view(&self) -> OrderForApproval<'_> {
            OrderForApproval {
                status: self.status,
                total_excl: self.total,
                created_by: &self.created_by,
                last_edited_by: &self.edited_by,
                approvals: &self.approvals,
            }
        }
    }

    #[test]
    fn default_tiers_split_at_two_and_five_thousand() {
        let p = ApprovalPolicy::default_three_tier();
        let t = |s: &str| p.tier_for(Money::parse(s).unwrap()).number;
        assert_eq!(t("0"), 1);
        assert_eq!(t("2000.00"), 1);
        assert_eq!(t("2000.01"), 2);
        assert_eq!(t("5000.00"), 2);
        assert_eq!(t("5000.01"), 3);
        assert_eq!(t("1000000"), 3);
        assert_eq!(t("-50"), 1);
    }

    #[test]
    fn tier_is_judged_on_the_total_rounded_to_cents() {
        let p = ApprovalPolicy::default_three_tier();
        assert_eq!(p.tier_for(Money::parse("2000.004").unwrap()).number, 1);
        assert_eq!(p.tier_for(Money::parse("2000.005").unwrap()).number, 2);
    }

    #[test]
    fn legacy_preset_has_five_tiers_and_a_free_first_one() {
        let p = ApprovalPolicy::legacy_five_tier();
        let t = |s: &str| p.tier_for(Money::parse(s).unwrap());
        assert_eq!(t("499.99").number, 1);
        assert_eq!(t("499.99").approvers_needed(), 0);
        assert_eq!(t("500").number, 2);
        assert_eq!(t("2000").number, 3);
        assert_eq!(t("5000").number, 4);
        assert_eq!(t("5000").approvers_needed(), 2);
        assert_eq!(t("10000").number, 5);
    }

    #[test]
    fn a_no_approval_tier_is_satisfied_at_once() {
        let p = ApprovalPolicy::legacy_five_tier();
        let order = Order::new("100");
        assert!(p.progress(&order.view()).satisfied);
    }

    #[test]
    fn tier_tables_with_gaps_or_overlaps_are_refused() {
        let bad = |tiers: Vec<ApprovalTier>| {
            ApprovalPolicy::new(tiers, false, Duration::hours(24))
                .unwrap_err()
                .code()
        };
        let slot = [ApproverSlot::at_least(Role::StoreManager)];
        assert_eq!(bad(vec![]), "INVALID_APPROVAL_TIERS");
        assert_eq!(
            bad(vec![tier(1, 100, None, &slot)]),
            "INVALID_APPROVAL_TIERS"
        );
        assert_eq!(
            bad(vec![
                tier(1, 0, Some(1000), &slot),
                tier(2, 1001, None, &slot)
            ]),
            "INVALID_APPROVAL_TIERS"
        );
        assert_eq!(
            bad(vec![
                tier(1, 0, Some(1000), &slot),
                tier(2, 900, None, &slot)
            ]),
            "INVALID_APPROVAL_TIERS"
        );
        assert_eq!(
            bad(vec![tier(1, 0, Some(1000), &slot)]),
            "INVALID_APPROVAL_TIERS"
        );
        assert_eq!(
            bad(vec![
                tier(2, 0, Some(1000), &slot),
                tier(1, 1000, None, &slot)
            ]),
            "INVALID_APPROVAL_TIERS"
        );
        assert_eq!(
            bad(vec![tier(
                1,
                0,
                None,
                &[ApproverSlot::at_least(Role::Admin)]
            )]),
            "INVALID_APPROVAL_TIERS"
        );
        assert!(
            ApprovalPolicy::new(vec![tier(1, 0, None, &slot)], false, Duration::hours(1)).is_ok()
        );
    }

    #[test]
    fn store_manager_approves_tier_one() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("1500");
        assert_eq!(
            p.can_approve(&approver("sm", Role::StoreManager), &order.view()),
            Ok(false)
        );
    }

    #[test]
    fn staff_cannot_approve() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("10");
        let err = p
            .can_approve(&approver("s", Role::Staff), &order.view())
            .unwrap_err();
        assert_eq!(err.code(), "ROLE_CANNOT_APPROVE");
        assert!(err.to_string().contains("store manager or higher"), "{err}");
    }

    #[test]
    fn lower_role_cannot_approve_a_higher_tier() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("3000");
        let err = p
            .can_approve(&approver("sm", Role::StoreManager), &order.view())
            .unwrap_err();
        assert_eq!(err.code(), "ROLE_CANNOT_APPROVE");
        assert_eq!(
            p.can_approve(&approver("am", Role::AreaManager), &order.view())
                .unwrap_err()
                .code(),
            "ROLE_CANNOT_APPROVE"
        );
    }

    #[test]
    fn higher_roles_may_approve_lower_tiers() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("100");
        for role in [
            Role::AreaManager,
            Role::OpsManager,
            Role::FinancialController,
            Role::Director,
        ] {
            assert!(
                p.can_approve(&approver("x", role), &order.view()).is_ok(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn admin_approves_nothing() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("100");
        assert!(p
            .can_approve(&approver("a", Role::Admin), &order.view())
            .is_err());
    }

    #[test]
    fn a_tier_that_names_a_role_explicitly_takes_only_that_role() {
        let p = ApprovalPolicy::legacy_five_tier();
        let mut order = Order::new("7000");
        // A director outranks both, but tier 4 names ops manager and financial controller.
        assert_eq!(
            p.can_approve(&approver("d", Role::Director), &order.view())
                .unwrap_err()
                .code(),
            "ROLE_CANNOT_APPROVE"
        );
        assert!(p
            .can_approve(&approver("ops", Role::OpsManager), &order.view())
            .is_ok());
        order
            .approvals
            .push(approved_by("ops", Role::OpsManager, 4));
        // A second ops manager cannot fill the financial controller's place.
        let err = p
            .can_approve(&approver("ops2", Role::OpsManager), &order.view())
            .unwrap_err();
        assert_eq!(err.code(), "ROLE_CANNOT_APPROVE");
        assert!(err.to_string().contains("financial controller"), "{err}");
        assert!(p
            .can_approve(&approver("fc", Role::FinancialController), &order.view())
            .is_ok());
    }

    #[test]
    fn two_approver_tier_needs_two_distinct_people() {
        let p = ApprovalPolicy::legacy_five_tier();
        let mut order = Order::new("7000");
        order
            .approvals
            .push(approved_by("ops", Role::OpsManager, 4));
        let progress = p.progress(&order.view());
        assert_eq!(
            (progress.needed, progress.have, progress.satisfied),
            (2, 1, false)
        );
        assert_eq!(
            progress.missing,
            vec![ApproverSlot::exactly(Role::FinancialController)]
        );
        order
            .approvals
            .push(approved_by("fc", Role::FinancialController, 4));
        assert!(p.progress(&order.view()).satisfied);
    }

    #[test]
    fn the_same_person_cannot_approve_twice() {
        let p = ApprovalPolicy::legacy_five_tier();
        let mut order = Order::new("7000");
        order
            .approvals
            .push(approved_by("ops", Role::OpsManager, 4));
        assert_eq!(
            p.can_approve(&approver("ops", Role::OpsManager), &order.view())
                .unwrap_err()
                .code(),
            "ALREADY_APPROVED"
        );
    }

    #[test]
    fn approving_a_fully_approved_order_is_refused() {
        let p = ApprovalPolicy::default_three_tier();
        let mut order = Order::new("100");
        order
            .approvals
            .push(approved_by("sm", Role::StoreManager, 1));
        assert_eq!(
            p.can_approve(&approver("sm2", Role::StoreManager), &order.view())
                .unwrap_err()
                .code(),
            "APPROVAL_ALREADY_COMPLETE"
        );
    }

    #[test]
    fn nobody_approves_an_order_they_created_or_last_edited() {
        let p = ApprovalPolicy::default_three_tier();
        let mut order = Order::new("100");
        order.created_by = staff("sm");
        assert_eq!(
            p.can_approve(&approver("sm", Role::StoreManager), &order.view())
                .unwrap_err()
                .code(),
            "OWN_ORDER"
        );
        let mut order = Order::new("100");
        order.edited_by = staff("sm");
        assert_eq!(
            p.can_approve(&approver("sm", Role::StoreManager), &order.view())
                .unwrap_err()
                .code(),
            "OWN_ORDER"
        );
    }

    #[test]
    fn chain_switch_allows_own_orders_within_the_tier_and_flags_them() {
        let mut p = ApprovalPolicy::default_three_tier();
        p.allow_own_orders_within_tier = true;
        let mut order = Order::new("100");
        order.created_by = staff("sm");
        assert_eq!(
            p.can_approve(&approver("sm", Role::StoreManager), &order.view()),
            Ok(true)
        );
        let outcome = p
            .decide(
                &approver("sm", Role::StoreManager),
                &order.view(),
                Decision::Approve { comment: None },
                NOW,
            )
            .unwrap();
        assert!(outcome.record.own_order);
        // Still only within their tier.
        let mut big = Order::new("3000");
        big.created_by = staff("sm");
        assert_eq!(
            p.can_approve(&approver("sm", Role::StoreManager), &big.view())
                .unwrap_err()
                .code(),
            "ROLE_CANNOT_APPROVE"
        );
    }

    #[test]
    fn raising_the_total_into_a_higher_tier_needs_approval_again() {
        let p = ApprovalPolicy::default_three_tier();
        let mut order = Order::new("1500");
        order
            .approvals
            .push(approved_by("sm", Role::StoreManager, 1));
        assert!(p.progress(&order.view()).satisfied);
        order.total = Money::dollars(2500);
        assert!(!p.progress(&order.view()).satisfied);
        assert_eq!(
            p.edit_outcome(1, Money::dollars(2500)),
            EditOutcome::NeedsReapproval { new_tier: 2 }
        );
    }

    #[test]
    fn lowering_or_keeping_the_tier_keeps_the_approval() {
        let p = ApprovalPolicy::default_three_tier();
        let mut order = Order::new("3000");
        order
            .approvals
            .push(approved_by("ops", Role::OpsManager, 2));
        order.total = Money::dollars(1000);
        assert!(p.progress(&order.view()).satisfied);
        assert_eq!(
            p.edit_outcome(2, Money::dollars(1000)),
            EditOutcome::KeepApproval
        );
        assert_eq!(
            p.edit_outcome(2, Money::dollars(4000)),
            EditOutcome::KeepApproval
        );
    }

    #[test]
    fn approval_records_who_when_tier_and_comment() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("2500");
        let outcome = p
            .decide(
                &approver("ops", Role::OpsManager),
                &order.view(),
                Decision::Approve {
                    comment: Some("ok for spring".into()),
                },
                NOW,
            )
            .unwrap();
        assert_eq!(outcome.new_status, ConsignmentStatus::Approved);
        let r = &outcome.record;
        assert_eq!(
            (r.approver.0.as_str(), r.role, r.decided_at, r.tier),
            ("ops", Role::OpsManager, NOW, 2)
        );
        assert_eq!(r.comment(), Some("ok for spring"));
        assert_eq!(r.total_excl, Money::dollars(2500));
    }

    #[test]
    fn first_of_two_approvals_keeps_the_order_pending() {
        let p = ApprovalPolicy::legacy_five_tier();
        let order = Order::new("7000");
        let outcome = p
            .decide(
                &approver("ops", Role::OpsManager),
                &order.view(),
                Decision::Approve { comment: None },
                NOW,
            )
            .unwrap();
        assert_eq!(outcome.new_status, ConsignmentStatus::PendingApproval);
    }

    #[test]
    fn request_changes_needs_a_comment_and_goes_back_to_draft() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("100");
        let sm = approver("sm", Role::StoreManager);
        let blank = Decision::RequestChanges {
            comment: "  ".into(),
        };
        assert_eq!(
            p.decide(&sm, &order.view(), blank, NOW).unwrap_err().code(),
            "COMMENT_REQUIRED"
        );
        let outcome = p
            .decide(
                &sm,
                &order.view(),
                Decision::RequestChanges {
                    comment: "fewer mugs".into(),
                },
                NOW,
            )
            .unwrap();
        assert_eq!(outcome.new_status, ConsignmentStatus::Draft);
    }

    #[test]
    fn reject_cancels_and_other_needs_a_note() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("100");
        let sm = approver("sm", Role::StoreManager);
        let other = Decision::Reject {
            reason: RejectReason::Other,
            note: None,
        };
        assert_eq!(
            p.decide(&sm, &order.view(), other, NOW).unwrap_err().code(),
            "REJECT_NOTE_REQUIRED"
        );
        let dup = Decision::Reject {
            reason: RejectReason::Duplicate,
            note: None,
        };
        assert_eq!(
            p.decide(&sm, &order.view(), dup, NOW).unwrap().new_status,
            ConsignmentStatus::Cancelled
        );
    }

    #[test]
    fn only_an_eligible_approver_may_reject() {
        let p = ApprovalPolicy::default_three_tier();
        let order = Order::new("100");
        let dup = Decision::Reject {
            reason: RejectReason::Duplicate,
            note: None,
        };
        assert_eq!(
            p.decide(&approver("s", Role::Staff), &order.view(), dup, NOW)
                .unwrap_err()
                .code(),
            "ROLE_CANNOT_APPROVE"
        );
    }

    #[test]
    fn decisions_need_an_order_waiting_for_approval() {
        let p = ApprovalPolicy::default_three_tier();
        let mut order = Order::new("100");
        order.status = ConsignmentStatus::Draft;
        assert_eq!(
            p.can_approve(&approver("sm", Role::StoreManager), &order.view())
                .unwrap_err()
                .code(),
            "NOT_AWAITING_APPROVAL"
        );
    }

    #[test]
    fn an_overdue_approval_escalates_to_the_role_above_the_tiers_highest() {
        let p = ApprovalPolicy::default_three_tier();
        assert_eq!(p.escalation_role(1), Some(Role::AreaManager));
        assert_eq!(p.escalation_role(2), Some(Role::FinancialController));
        // Nobody sits above a director but the admin, who does not approve.
        assert_eq!(p.escalation_role(3), None);
        assert_eq!(p.escalation_role(9), None);
    }

    #[test]
    fn an_approval_waiting_over_a_day_is_overdue_and_escalates_to_the_next_tier() {
        let p = ApprovalPolicy::default_three_tier();
        assert!(!p.is_overdue(NOW, NOW + Duration::hours(24)));
        assert!(p.is_overdue(NOW, NOW + Duration::hours(25)));
        assert_eq!(p.escalation_tier(1).map(|t| t.number), Some(2));
        assert!(p.escalation_tier(3).is_none());
    }

    #[test]
    fn delegation_lends_a_role_only_for_its_period() {
        let d = Delegation {
            from: staff("dir"),
            role: Role::Director,
            to: staff("ops"),
            starts_at: NOW,
            ends_at: NOW + Duration::days(7),
        };
        let ops = staff("ops");
        let ds = std::slice::from_ref(&d);
        assert_eq!(
            effective_role(&ops, Role::OpsManager, ds, NOW + Duration::days(1)),
            Role::Director
        );
        assert_eq!(
            effective_role(&ops, Role::OpsManager, ds, NOW + Duration::days(7)),
            Role::OpsManager
        );
        assert_eq!(
            effective_role(&staff("other"), Role::Staff, &[d], NOW),
            Role::Staff
        );
    }

    #[test]
    fn policies_round_trip_through_json_and_bad_ones_are_refused() {
        let p = ApprovalPolicy::legacy_five_tier();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<ApprovalPolicy>(&json).unwrap(), p);
        let empty =
            r#"{"tiers":[],"allow_own_orders_within_tier":false,"overdue_after":[86400,0]}"#;
        assert!(serde_json::from_str::<ApprovalPolicy>(empty).is_err());
    }

    #[test]
    fn records_round_trip_through_json() {
        let r = approved_by("ops", Role::OpsManager, 2);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<ApprovalRecord>(&json).unwrap(), r);
    }
}
