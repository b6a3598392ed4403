//! Receiving variance: received against expected per line, the reasons, and when a
//! reason, a photo, a manager's sign-off or the receiver's signature is required
//! (DOMAIN.md, "Receiving").

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::money::{Money, Quantity};
use crate::role::Role;

/// Why a line's received count differs from what was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceReason {
    /// Fewer arrived.
    Short,
    /// More arrived.
    Over,
    /// Arrived damaged (photo required by default).
    Damaged,
    /// A different product arrived.
    WrongItem,
    /// Arrived past its date.
    Expired,
    /// Anything else; needs a note.
    Other,
}

impl VarianceReason {
    /// Every reason, in the order the UI lists them.
    pub const ALL: [VarianceReason; 6] = [
        Self::Short,
        Self::Over,
        Self::Damaged,
        Self::WrongItem,
        Self::Expired,
        Self::Other,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Short => "short",
            Self::Over => "over",
            Self::Damaged => "damaged",
            Self::WrongItem => "wrong_item",
            Self::Expired => "expired",
            Self::Other => "other",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What happens when a receipt's variance is worth more than the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOffMode {
    /// A store manager (or higher) enters their PIN to close.
    ManagerPin,
    /// Never block receiving: the receipt closes and goes to a manager's review list.
    ReviewList,
}

/// A chain's receiving rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariancePolicy {
    /// Damaged units need at least one photo.
    pub damage_photo_required: bool,
    /// Variance worth more than this at cost needs a sign-off.
    pub sign_off_threshold: Money,
    /// How the sign-off happens.
    pub sign_off_mode: SignOffMode,
    /// Over-receipts above this share of the expected quantity are flagged (0.05 = 5 %).
    pub over_receipt_flag_ratio: Decimal,
    /// A confirmation with the staff PIN may replace the receiver's signature.
    pub pin_confirmation_allowed: bool,
}

impl Default for VariancePolicy {
    fn default() -> Self {
        Self {
            damage_photo_required: true,
            sign_off_threshold: Money::dollars(200),
            sign_off_mode: SignOffMode::ManagerPin,
            over_receipt_flag_ratio: Decimal::new(5, 2),
            pin_confirmation_allowed: false,
        }
    }
}

/// One line as counted at the receiving station (all sessions added up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedLine {
    /// Line number shown to staff.
    pub line_no: u32,
    /// Quantity expected (sent or ordered).
    pub expected: Quantity,
    /// Quantity received, damaged units included.
    pub received: Quantity,
    /// Of the received, how many are damaged.
    pub damaged: Quantity,
    /// Unit cost excluding GST.
    pub unit_cost_excl: Money,
    /// Chosen reason, if any.
    pub reason: Option<VarianceReason>,
    /// Free-text note.
    pub note: Option<String>,
    /// Photos attached to this line.
    pub photos: u32,
}

/// The rules' view of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAssessment {
    /// Line number.
    pub line_no: u32,
    /// received − expected.
    pub variance: Quantity,
    /// (|variance| + damaged) × unit cost: what the difference is worth.
    pub variance_value: Money,
    /// A reason must be chosen.
    pub reason_required: bool,
    /// A photo must be attached.
    pub photo_required: bool,
    /// Over-receipt above the flag ratio: flagged for audit.
    pub over_receipt_flagged: bool,
    /// Units that go into sellable stock: received − damaged.
    pub stock_added: Quantity,
}

/// received − expected.
pub fn line_variance(expected: Quantity, received: Quantity) -> Quantity {
    received - expected
}

/// Units added to sellable stock: damaged units go to a return or a write-off instead.
pub fn stock_added(received: Quantity, damaged: Quantity) -> Quantity {
    (received - damaged).max_zero()
}

/// Evaluates a line without refusing anything (for live display while counting).
pub fn assess_line(line: &ReceivedLine, policy: &VariancePolicy) -> LineAssessment {
    let variance = line_variance(line.expected, line.received);
    let damaged = line.damaged.max_zero();
    let over_receipt_flagged = variance.is_positive()
        && (!line.expected.is_positive()
            || variance.value() > line.expected.value() * policy.over_receipt_flag_ratio);
    LineAssessment {
        line_no: line.line_no,
        variance,
        variance_value: (variance.abs() + damaged) * line.unit_cost_excl.abs(),
        reason_required: !variance.is_zero() || damaged.is_positive(),
        photo_required: policy.damage_photo_required && damaged.is_positive(),
        over_receipt_flagged,
        stock_added: stock_added(line.received, damaged),
    }
}

fn signed(q: Quantity) -> String {
    if q.is_positive() {
        format!("+{q}")
    } else {
        q.to_string()
    }
}

/// Checks a line is complete enough to close: sane counts, a reason where there is a
/// difference, a reason that matches the counts, a note for `other`, photos of damage.
pub fn check_line(
    line: &ReceivedLine,
    policy: &VariancePolicy,
) -> Result<LineAssessment, DomainError> {
    let n = line.line_no;
    if line.received.is_negative() {
        return Err(DomainError::NegativeQuantity {
            field: "Received quantity",
        });
    }
    if line.damaged.is_negative() {
        return Err(DomainError::NegativeQuantity {
            field: "Damaged quantity",
        });
    }
    if line.damaged > line.received {
        return Err(DomainError::DamagedExceedsReceived { line: n });
    }
    let a = assess_line(line, policy);
    match line.reason {
        None if a.reason_required => {
            return Err(DomainError::VarianceReasonRequired {
                line: n,
                variance: signed(a.variance),
            })
        }
        Some(reason) => {
            let fits = match reason {
                VarianceReason::Short => a.variance.is_negative(),
                VarianceReason::Over => a.variance.is_positive(),
                VarianceReason::Damaged => line.damaged.is_positive(),
                VarianceReason::WrongItem | VarianceReason::Expired | VarianceReason::Other => true,
            };
            if !fits {
                return Err(DomainError::VarianceReasonMismatch {
                    line: n,
                    reason: reason.as_str(),
                    variance: signed(a.variance),
                });
            }
            let blank = line.note.as_deref().is_none_or(|t| t.trim().is_empty());
            if reason == VarianceReason::Other && blank {
                return Err(DomainError::VarianceNoteRequired { line: n });
            }
        }
        None => {}
    }
    if a.photo_required && line.photos == 0 {
        return Err(DomainError::DamagePhotoRequired { line: n });
    }
    Ok(a)
}

/// Who confirmed the receipt at closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CloseEvidence {
    /// The receiver signed the pad.
    pub receiver_signed: bool,
    /// The receiver ticked the confirmation and entered their PIN.
    pub receiver_confirmed_with_pin: bool,
    /// A manager entered their PIN; their role.
    pub manager_sign_off: Option<Role>,
}

/// Whether the receipt needed a sign-off, and which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOff {
    /// Under the threshold.
    NotNeeded,
    /// A manager signed off with their PIN.
    ManagerSignedOff,
    /// Closed without blocking; put on the manager's review list.
    OnReviewList,
}

/// The rules' view of a whole receipt at closing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptAssessment {
    /// Each line.
    pub lines: Vec<LineAssessment>,
    /// Sum of the lines' variance values at cost.
    pub variance_value: Money,
    /// How the value was handled.
    pub sign_off: SignOff,
    /// Line numbers flagged for audit (over-receipts above the ratio).
    pub flagged_lines: Vec<u32>,
    /// Units added to sellable stock in total.
    pub stock_added: Quantity,
}

/// Checks a receipt can close: every line passes `check_line`, the receiver signed (or
/// confirmed with a PIN where allowed), and a variance worth more than the threshold has
/// a store manager's sign-off or, in review-list mode, is put on the review list.
pub fn check_receipt_close(
    lines: &[ReceivedLine],
    policy: &VariancePolicy,
    evidence: &CloseEvidence,
) -> Result<ReceiptAssessment, DomainError> {
    let assessed = lines
        .iter()
        .map(|line| check_line(line, policy))
        .collect::<Result<Vec<_>, _>>()?;
    let confirmed = evidence.receiver_signed
        || (policy.pin_confirmation_allowed && evidence.receiver_confirmed_with_pin);
    if !confirmed {
        return Err(DomainError::ReceiverSignatureRequired);
    }
    let variance_value: Money = assessed.iter().map(|a| a.variance_value).sum();
    let sign_off = if variance_value <= policy.sign_off_threshold {
        SignOff::NotNeeded
    } else {
        match (policy.sign_off_mode, evidence.manager_sign_off) {
            (SignOffMode::ReviewList, _) => SignOff::OnReviewList,
            (SignOffMode::ManagerPin, None) => {
                return Err(DomainError::ManagerSignOffRequired {
                    value: variance_value.round_cents(),
                    threshold: policy.sign_off_threshold,
                })
            }
            (SignOffMode::ManagerPin, Some(role)) if !role.is_at_least(Role::StoreManager) => {
                return Err(DomainError::SignOffRoleTooLow { role })
            }
            (SignOffMode::ManagerPin, Some(_)) => SignOff::ManagerSignedOff,
        }
    };
    Ok(ReceiptAssessment {
        flagged_lines: assessed
            .iter()
            .filter(|a| a.over_receipt_flagged)
            .map(|a| a.line_no)
            .collect(),
        stock_added: assessed.iter().map(|a| a.stock_added).sum(),
        variance_value,
        sign_off,
        lines: assessed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64) -> Quantity {
        Quantity::units(n)
    }

    fn line(expected: i64, received: i64) -> ReceivedLine {
        ReceivedLine {
            line_no: 1,
            expected: q(expected),
            received: q(received),
            damaged: Quantity::ZERO,
            unit_cost_excl: Money::dollars(10),
            reason: None,
            note: None,
            photos: 0,
        }
    }

    fn with_reason(mut l: ReceivedLine, reason: VarianceReason) -> ReceivedLine {
        l.reason = Some(reason);
        l
    }

    fn signed() -> CloseEvidence {
        CloseEvidence {
            receiver_signed: true,
            ..Default::default()
        }
    }

    fn code(l: &ReceivedLine) -> &'static str {
        check_line(l, &VariancePolicy::default())
            .unwrap_err()
            .code()
    }

    #[test]
    fn variance_is_received_minus_expected() {
        assert_eq!(line_variance(q(10), q(7)), q(-3));
        assert_eq!(line_variance(q(10), q(12)), q(2));
    }

    #[test]
    fn a_line_received_as_expected_needs_nothing() {
        let a = check_line(&line(10, 10), &VariancePolicy::default()).unwrap();
        assert!(!a.reason_required && !a.photo_required && !a.over_receipt_flagged);
        assert_eq!(a.variance_value, Money::ZERO);
    }

    #[test]
    fn a_difference_needs_a_reason() {
        let err = check_line(&line(10, 7), &VariancePolicy::default()).unwrap_err();
        assert_eq!(err.code(), "VARIANCE_REASON_REQUIRED");
        assert!(err.to_string().contains("-3"), "{err}");
        assert_eq!(code(&line(10, 12)), "VARIANCE_REASON_REQUIRED");
        assert!(check_line(
            &with_reason(line(10, 7), VarianceReason::Short),
            &VariancePolicy::default()
        )
        .is_ok());
    }

    #[test]
    fn a_reason_must_match_the_counts() {
        assert_eq!(
            code(&with_reason(line(10, 12), VarianceReason::Short)),
            "VARIANCE_REASON_MISMATCH"
        );
        assert_eq!(
            code(&with_reason(line(10, 7), VarianceReason::Over)),
            "VARIANCE_REASON_MISMATCH"
        );
        assert_eq!(
            code(&with_reason(line(10, 7), VarianceReason::Damaged)),
            "VARIANCE_REASON_MISMATCH"
        );
    }

    #[test]
    fn other_needs_a_note() {
        let l = with_reason(line(10, 7), VarianceReason::Other);
        assert_eq!(code(&l), "VARIANCE_NOTE_REQUIRED");
        let mut noted = l.clone();
        noted.note = Some("   ".into());
        assert_eq!(code(&noted), "VARIANCE_NOTE_REQUIRED");
        noted.note = Some("box left at depot".into());
        assert!(check_line(&noted, &VariancePolicy::default()).is_ok());
    }

    #[test]
    fn damaged_units_need_a_reason_and_a_photo() {
        let mut l = line(10, 10);
        l.damaged = q(2);
        assert_eq!(code(&l), "VARIANCE_REASON_REQUIRED");
        l.reason = Some(VarianceReason::Damaged);
        assert_eq!(code(&l), "DAMAGE_PHOTO_REQUIRED");
        l.photos = 1;
        assert!(check_line(&l, &VariancePolicy::default()).is_ok());
    }

    #[test]
    fn damage_photo_can_be_switched_off_per_chain() {
        let policy = VariancePolicy {
            damage_photo_required: false,
            ..Default::default()
        };
        let mut l = with_reason(line(10, 10), VarianceReason::Damaged);
        l.damaged = q(2);
        assert!(check_line(&l, &policy).is_ok());
    }

    #[test]
    fn stock_added_is_received_minus_damaged() {
        let mut l = with_reason(line(10, 10), VarianceReason::Damaged);
        l.damaged = q(3);
        l.photos = 1;
        assert_eq!(
            check_line(&l, &VariancePolicy::default())
                .unwrap()
                .stock_added,
            q(7)
        );
        assert_eq!(stock_added(q(2), q(5)), Quantity::ZERO);
    }

    #[test]
    fn more_damaged_than_received_is_refused() {
        let mut l = with_reason(line(10, 2), VarianceReason::Damaged);
        l.damaged = q(3);
        assert_eq!(code(&l), "DAMAGED_EXCEEDS_RECEIVED");
    }

    #[test]
    fn negative_counts_are_refused() {
        assert_eq!(code(&line(10, -1)), "NEGATIVE_QUANTITY");
    }

    #[test]
    fn over_receipts_above_five_percent_are_flagged() {
        let policy = VariancePolicy::default();
        assert!(!assess_line(&line(100, 105), &policy).over_receipt_flagged);
        assert!(assess_line(&line(100, 106), &policy).over_receipt_flagged);
        assert!(assess_line(&line(0, 1), &policy).over_receipt_flagged);
        assert!(!assess_line(&line(100, 90), &policy).over_receipt_flagged);
    }

    #[test]
    fn variance_value_counts_differences_and_damage_at_cost() {
        let mut l = line(10, 8);
        l.damaged = q(1);
        // |−2| + 1 damaged = 3 units × $10.
        assert_eq!(
            assess_line(&l, &VariancePolicy::default()).variance_value,
            Money::dollars(30)
        );
    }

    #[test]
    fn closing_needs_the_receivers_signature() {
        let lines = [line(10, 10)];
        let policy = VariancePolicy::default();
        let none = CloseEvidence::default();
        assert_eq!(
            check_receipt_close(&lines, &policy, &none)
                .unwrap_err()
                .code(),
            "RECEIVER_SIGNATURE_REQUIRED"
        );
        assert!(check_receipt_close(&lines, &policy, &signed()).is_ok());
    }

    #[test]
    fn pin_confirmation_replaces_the_signature_only_where_configured() {
        let lines = [line(10, 10)];
        let pin = CloseEvidence {
            receiver_confirmed_with_pin: true,
            ..Default::default()
        };
        assert!(check_receipt_close(&lines, &VariancePolicy::default(), &pin).is_err());
        let policy = VariancePolicy {
            pin_confirmation_allowed: true,
            ..Default::default()
        };
        assert!(check_receipt_close(&lines, &policy, &pin).is_ok());
    }

    #[test]
    fn variance_over_two_hundred_dollars_needs_a_managers_pin() {
        let policy = VariancePolicy::default();
        // 21 short × $10 = $210.
        let lines = [with_reason(line(30, 9), VarianceReason::Short)];
        let err = check_receipt_close(&lines, &policy, &signed()).unwrap_err();
        assert_eq!(err.code(), "MANAGER_SIGN_OFF_REQUIRED");
        assert!(err.to_string().contains("$210.00"), "{err}");
        let staff = CloseEvidence {
            manager_sign_off: Some(Role::Staff),
            ..signed()
        };
        assert_eq!(
            check_receipt_close(&lines, &policy, &staff)
                .unwrap_err()
                .code(),
            "SIGN_OFF_ROLE_TOO_LOW"
        );
        let manager = CloseEvidence {
            manager_sign_off: Some(Role::StoreManager),
            ..signed()
        };
        assert_eq!(
            check_receipt_close(&lines, &policy, &manager)
                .unwrap()
                .sign_off,
            SignOff::ManagerSignedOff
        );
    }

    #[test]
    fn exactly_two_hundred_dollars_needs_no_sign_off() {
        let lines = [with_reason(line(30, 10), VarianceReason::Short)];
        let a = check_receipt_close(&lines, &VariancePolicy::default(), &signed()).unwrap();
        assert_eq!(a.variance_value, Money::dollars(200));
        assert_eq!(a.sign_off, SignOff::NotNeeded);
    }

    #[test]
    fn review_list_mode_never_blocks_receiving() {
        let policy = VariancePolicy {
            sign_off_mode: SignOffMode::ReviewList,
            ..Default::default()
        };
        let lines = [with_reason(line(100, 0), VarianceReason::Short)];
        let a = check_receipt_close(&lines, &policy, &signed()).unwrap();
        assert_eq!(a.sign_off, SignOff::OnReviewList);
    }

    #[test]
    fn receipt_lists_flagged_lines_and_total_stock_added() {
        let mut over = with_reason(line(10, 12), VarianceReason::Over);
        over.line_no = 2;
        let lines = [line(5, 5), over];
        let a = check_receipt_close(&lines, &VariancePolicy::default(), &signed()).unwrap();
        assert_eq!(a.flagged_lines, vec![2]);
        assert_eq!(a.stock_added, q(17));
    }

    #[test]
    fn the_first_bad_line_stops_the_close() {
        let lines = [line(5, 5), line(5, 4)];
        assert_eq!(
            check_receipt_close(&lines, &VariancePolicy::default(), &signed())
                .unwrap_err()
                .code(),
            "VARIANCE_REASON_REQUIRED"
        );
    }
}
