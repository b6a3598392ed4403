//! The domain's error type. Every error has a stable code the UI can switch on
//! and a message a person at the bench understands.

use crate::consignment::{ConsignmentKind, ConsignmentStatus};
use crate::lightspeed::{LsConsignmentStatus, LsConsignmentType};
use crate::money::Money;
use crate::role::Role;

/// A stable, machine-readable error code (`SCREAMING_SNAKE`), never reworded.
pub type ErrorCode = &'static str;

/// A broken business rule. Returned before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    // ---- status machines -------------------------------------------------------
    /// The requested status change is not allowed for this kind and status.
    /// Fields hold the stable `as_str` names.
    #[error("{}", illegal_transition_message(kind, from, to))]
    IllegalTransition {
        kind: &'static str,
        from: &'static str,
        to: &'static str,
    },
    /// The status does not exist for this kind (a stocktake is never `approved`).
    #[error("A {kind} has no status \"{}\".", status.label())]
    StatusNotInKind {
        kind: ConsignmentKind,
        status: ConsignmentStatus,
    },
    /// Sending, submitting or starting a count with no lines.
    #[error("This {kind} has no lines yet. Add at least one product before {action}.")]
    NoLines {
        kind: ConsignmentKind,
        action: &'static str,
    },
    /// Closing the packing of a consignment with nothing packed.
    #[error(
        "Nothing has been packed for this {kind} yet. Scan at least one item before {action}."
    )]
    NothingPacked {
        kind: ConsignmentKind,
        action: &'static str,
    },
    /// Boxes still open when the consignment is marked packed.
    #[error("{open} box(es) are still open. Close and label every box before marking this {kind} packed.")]
    BoxesStillOpen { kind: ConsignmentKind, open: u32 },
    /// Receiving something that has not been sent.
    #[error("This {kind} has not been sent yet, so it cannot be received.")]
    NotSentYet { kind: ConsignmentKind },
    /// Closing a receipt with nothing received.
    #[error("Nothing has been received on this {kind} yet. Count at least one item before closing the receipt (or cancel it if nothing will arrive).")]
    NothingReceived { kind: ConsignmentKind },
    /// Finishing a count with nothing counted.
    #[error("Nothing has been counted in this stocktake yet. Count at least one product before sending it to review.")]
    NothingCounted,
    /// Completing a stocktake with lines flagged for recount.
    #[error("{pending} line(s) are waiting for a recount. Recount them before completing the stocktake.")]
    RecountsPending { pending: u32 },
    /// Sending a purchase order that lacks a valid approval.
    #[error("This purchase order does not have the approvals its tier needs yet, so it cannot be {action}.")]
    ApprovalRequired { action: &'static str },
    /// Outgoing transfer blocked while the sending outlet counts its stock.
    #[error("This outlet is in the middle of a stocktake count. Outgoing {kind}s wait until the count is finished.")]
    StocktakeCountInProgress { kind: ConsignmentKind },
    /// Cancelling where the kind does not allow it.
    #[error("A {kind} that is {} can no longer be cancelled.{}", status.label(), cancel_hint(*kind, *status))]
    CancelNotAllowed {
        kind: ConsignmentKind,
        status: ConsignmentStatus,
    },
    /// Any change to a closed consignment.
    #[error("This {kind} is {} and closed; it can no longer change.", status.label())]
    ConsignmentClosed {
        kind: ConsignmentKind,
        status: ConsignmentStatus,
    },
    /// A line edit that this status does not allow.
    #[error("{} cannot be changed while this {kind} is {}.", change_label(change), status.label())]
    LineChangeNotAllowed {
        kind: ConsignmentKind,
        status: ConsignmentStatus,
        change: &'static str,
    },

    // ---- Lightspeed mapping ----------------------------------------------------
    /// A Lightspeed type/status pair that Lightspeed itself does not have.
    #[error("Lightspeed {} consignments have no status {}.", ls_type.as_str(), status.as_str())]
    LsStatusNotForType {
        ls_type: LsConsignmentType,
        status: LsConsignmentStatus,
    },
    /// A status change Lightspeed forbids for this type.
    #[error("Lightspeed does not allow a {} consignment to go from {} to {}.", ls_type.as_str(), from.as_str(), to.as_str())]
    LsIllegalTransition {
        ls_type: LsConsignmentType,
        from: LsConsignmentStatus,
        to: LsConsignmentStatus,
    },
    /// Lightspeed refuses status changes on a consignment without lines.
    #[error("Lightspeed refuses a status change on a consignment with no lines.")]
    LsNoLines,
    /// Lightspeed refuses RECEIVED without a non-zero received count.
    #[error("Lightspeed needs at least one line with a received count before a consignment can be received.")]
    LsNothingReceived,
    /// An inbound Lightspeed status that would move a consignment backwards. Refused and reported.
    #[error("Lightspeed reports this {kind} as {}, but Tally already has it as {}. The older status was ignored and reported.", ls_status.as_str(), current.label())]
    InboundWouldMoveBackwards {
        kind: ConsignmentKind,
        current: ConsignmentStatus,
        ls_status: LsConsignmentStatus,
    },
    /// A status name from the old PHP system that has no meaning here.
    #[error("The old system's status \"{name}\" is not known for a {kind}; the record needs a person to look at it.")]
    UnknownLegacyStatus { kind: ConsignmentKind, name: String },

    // ---- money and quantities --------------------------------------------------
    /// Not a decimal number.
    #[error("\"{input}\" is not a number.")]
    InvalidNumber { input: String },
    /// A number too large to be a real amount or quantity.
    #[error("\"{input}\" is too large to be a real amount or quantity.")]
    NumberOutOfRange { input: String },
    /// A quantity that must not be negative.
    #[error("{field} cannot be negative.")]
    NegativeQuantity { field: &'static str },

    // ---- approval --------------------------------------------------------------
    /// A tier table with gaps, overlaps or no open top.
    #[error("The approval tiers are not set up correctly: {problem}.")]
    InvalidApprovalTiers { problem: String },
    /// The order is not waiting for a decision.
    #[error("This purchase order is {}, not waiting for approval.", status.label())]
    NotAwaitingApproval { status: ConsignmentStatus },
    /// Approving one's own order.
    #[error("You created or last edited this order, so someone else has to approve it.")]
    OwnOrder,
    /// The role may not approve this tier.
    #[error("A {} cannot approve a tier {tier} order ({total} excl. GST). It needs: {needs}.", role_label(*role))]
    RoleCannotApprove {
        role: Role,
        tier: u8,
        total: Money,
        needs: String,
    },
    /// The same person approving twice.
    #[error("You have already approved this order; it needs a different approver.")]
    AlreadyApproved,
    /// Every approver slot of the tier is already taken.
    #[error("This order already has all the approvals its tier needs.")]
    ApprovalAlreadyComplete,
    /// Requesting changes without saying which.
    #[error("Say what needs to change: a comment is required when requesting changes.")]
    CommentRequired,
    /// Rejecting with reason `other` and no note.
    #[error("Add a note explaining why the order is rejected.")]
    RejectNoteRequired,

    // ---- receiving variance ----------------------------------------------------
    /// A line with a variance or damage and no reason.
    #[error(
        "Line {line}: choose a reason for the difference ({variance} against what was expected)."
    )]
    VarianceReasonRequired { line: u32, variance: String },
    /// Reason `other` without a note.
    #[error("Line {line}: add a note explaining the difference.")]
    VarianceNoteRequired { line: u32 },
    /// A reason that contradicts the counts (short when more arrived).
    #[error("Line {line}: \"{reason}\" does not match the count ({variance} against what was expected).")]
    VarianceReasonMismatch {
        line: u32,
        reason: &'static str,
        variance: String,
    },
    /// Damaged units without the photo the chain requires.
    #[error("Line {line}: take a photo of the damaged items before closing.")]
    DamagePhotoRequired { line: u32 },
    /// More damaged than received.
    #[error("Line {line}: more items are marked damaged than were received.")]
    DamagedExceedsReceived { line: u32 },
    /// The receipt's variance needs a manager's sign-off.
    #[error("The differences on this receipt are worth {value} at cost, over the {threshold} limit. A store manager needs to enter their PIN to close it.")]
    ManagerSignOffRequired { value: Money, threshold: Money },
    /// The sign-off came from someone without the role.
    #[error("A {} cannot sign off this receipt; it needs a store manager or higher.", role_label(*role))]
    SignOffRoleTooLow { role: Role },
    /// Closing a receipt without the receiver's signature or confirmation.
    #[error(
        "The receiver has to sign (or confirm with their PIN) before the receipt can be closed."
    )]
    ReceiverSignatureRequired,

    // ---- barcodes --------------------------------------------------------------
    /// A barcode that is not 8, 12, 13 or 14 digits.
    #[error("\"{code}\" is not a product barcode (expected 8, 12, 13 or 14 digits).")]
    InvalidGtin { code: String },
    /// A barcode whose check digit is wrong: a misread or a typo.
    #[error("The barcode \"{code}\" has a wrong check digit. Scan it again or type it carefully.")]
    BadCheckDigit { code: String },
    /// A GS1 element string that cannot be read.
    #[error("The GS1 barcode could not be read: {problem}.")]
    InvalidGs1 { problem: String },
    /// The scanner sent nothing but whitespace or control characters.
    #[error("The scanner sent nothing readable. Scan again.")]
    EmptyScan,
    /// An SSCC that cannot be built from the inputs.
    #[error("Cannot make a carton number (SSCC): {problem}.")]
    InvalidSscc { problem: String },

    // ---- references ------------------------------------------------------------
    /// Text that is not in the `TR-KKK-YYYYMM-NNNNNN-CC` form.
    #[error("\"{input}\" is not a Tally reference (expected TR-XXX-YYYYMM-NNNNNN-CC).")]
    InvalidReference { input: String },
    /// A reference whose check digits do not match: a typo.
    #[error("The reference \"{input}\" has a typo: its check digits do not match.")]
    ReferenceCheckFailed { input: String },
    /// A sequence or date outside what a reference can hold.
    #[error("Cannot make a reference: {problem}.")]
    ReferenceOutOfRange { problem: String },

    // ---- supplier returns ------------------------------------------------------
    /// A return line with reason `other` and no note.
    #[error("Add a note saying why this item goes back.")]
    ReturnNoteRequired,
    /// A return authorisation or credit note number that cannot be kept.
    #[error("The {what} is too long or has characters that cannot be printed (at most 64).")]
    DocumentNumberInvalid { what: &'static str },
    /// A credit of zero or less.
    #[error("A supplier credit must be more than $0.00.")]
    CreditNotPositive,
    /// A credit without the supplier's credit note number.
    #[error("Enter the supplier's credit note number.")]
    CreditNoteNumberRequired,
    /// A credit against a cancelled return.
    #[error("This return was cancelled; no credit can be recorded against it.")]
    CreditOnCancelledReturn,
}

impl DomainError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::IllegalTransition { .. } => "ILLEGAL_TRANSITION",
            Self::StatusNotInKind { .. } => "STATUS_NOT_IN_KIND",
            Self::NoLines { .. } => "NO_LINES",
            Self::NothingPacked { .. } => "NOTHING_PACKED",
            Self::BoxesStillOpen { .. } => "BOXES_STILL_OPEN",
            Self::NotSentYet { .. } => "NOT_SENT_YET",
            Self::NothingReceived { .. } => "NOTHING_RECEIVED",
            Self::NothingCounted => "NOTHING_COUNTED",
            Self::RecountsPending { .. } => "RECOUNTS_PENDING",
            Self::ApprovalRequired { .. } => "APPROVAL_REQUIRED",
            Self::StocktakeCountInProgress { .. } => "STOCKTAKE_COUNT_IN_PROGRESS",
            Self::CancelNotAllowed { .. } => "CANCEL_NOT_ALLOWED",
            Self::ConsignmentClosed { .. } => "CONSIGNMENT_CLOSED",
            Self::LineChangeNotAllowed { .. } => "LINE_CHANGE_NOT_ALLOWED",
            Self::LsStatusNotForType { .. } => "LS_STATUS_NOT_FOR_TYPE",
            Self::LsIllegalTransition { .. } => "LS_ILLEGAL_TRANSITION",
            Self::LsNoLines => "LS_NO_LINES",
            Self::LsNothingReceived => "LS_NOTHING_RECEIVED",
            Self::InboundWouldMoveBackwards { .. } => "INBOUND_WOULD_MOVE_BACKWARDS",
            Self::UnknownLegacyStatus { .. } => "UNKNOWN_LEGACY_STATUS",
            Self::InvalidNumber { .. } => "INVALID_NUMBER",
            Self::NumberOutOfRange { .. } => "NUMBER_OUT_OF_RANGE",
            Self::NegativeQuantity { .. } => "NEGATIVE_QUANTITY",
            Self::InvalidApprovalTiers { .. } => "INVALID_APPROVAL_TIERS",
            Self::NotAwaitingApproval { .. } => "NOT_AWAITING_APPROVAL",
            Self::OwnOrder => "OWN_ORDER",
            Self::RoleCannotApprove { .. } => "ROLE_CANNOT_APPROVE",
            Self::AlreadyApproved => "ALREADY_APPROVED",
            Self::ApprovalAlreadyComplete => "APPROVAL_ALREADY_COMPLETE",
            Self::CommentRequired => "COMMENT_REQUIRED",
            Self::RejectNoteRequired => "REJECT_NOTE_REQUIRED",
            Self::VarianceReasonRequired { .. } => "VARIANCE_REASON_REQUIRED",
            Self::VarianceNoteRequired { .. } => "VARIANCE_NOTE_REQUIRED",
            Self::VarianceReasonMismatch { .. } => "VARIANCE_REASON_MISMATCH",
            Self::DamagePhotoRequired { .. } => "DAMAGE_PHOTO_REQUIRED",
            Self::DamagedExceedsReceived { .. } => "DAMAGED_EXCEEDS_RECEIVED",
            Self::ManagerSignOffRequired { .. } => "MANAGER_SIGN_OFF_REQUIRED",
            Self::SignOffRoleTooLow { .. } => "SIGN_OFF_ROLE_TOO_LOW",
            Self::ReceiverSignatureRequired => "RECEIVER_SIGNATURE_REQUIRED",
            Self::InvalidGtin { .. } => "INVALID_GTIN",
            Self::BadCheckDigit { .. } => "BAD_CHECK_DIGIT",
            Self::InvalidGs1 { .. } => "INVALID_GS1",
            Self::InvalidSscc { .. } => "INVALID_SSCC",
            Self::EmptyScan => "EMPTY_SCAN",
            Self::InvalidReference { .. } => "INVALID_REFERENCE",
            Self::ReferenceCheckFailed { .. } => "REFERENCE_CHECK_FAILED",
            Self::ReferenceOutOfRange { .. } => "REFERENCE_OUT_OF_RANGE",
            Self::ReturnNoteRequired => "RETURN_NOTE_REQUIRED",
            Self::DocumentNumberInvalid { .. } => "DOCUMENT_NUMBER_INVALID",
            Self::CreditNotPositive => "CREDIT_NOT_POSITIVE",
            Self::CreditNoteNumberRequired => "CREDIT_NOTE_NUMBER_REQUIRED",
            Self::CreditOnCancelledReturn => "CREDIT_ON_CANCELLED_RETURN",
        }
    }

    /// The transition error for `kind`/`from`/`to`, with stable names in its fields.
    pub fn illegal_transition(
        kind: ConsignmentKind,
        from: ConsignmentStatus,
        to: ConsignmentStatus,
    ) -> Self {
        Self::IllegalTransition {
            kind: kind.as_str(),
            from: from.as_str(),
            to: to.as_str(),
        }
    }
}

fn illegal_transition_message(kind: &str, from: &str, to: &str) -> String {
    let kind = ConsignmentKind::parse(kind).map_or(kind, |k| k.label());
    let from = ConsignmentStatus::parse(from).map_or(from, |s| s.label());
    let to = ConsignmentStatus::parse(to).map_or(to, |s| s.label());
    format!("A {kind} that is {from} cannot be moved to \"{to}\".")
}

fn cancel_hint(kind: ConsignmentKind, status: ConsignmentStatus) -> &'static str {
    match (kind, status) {
        (_, ConsignmentStatus::Receiving) => {
            " Receiving has started: close the receipt with what arrived instead."
        }
        (ConsignmentKind::SupplierReturn, ConsignmentStatus::Sent) => {
            " It has gone to the supplier: ask them for a credit instead."
        }
        _ => "",
    }
}

fn change_label(change: &str) -> &str {
    match change {
        "lines" => "Products and expected quantities",
        "packed" => "Packed quantities",
        "received" => "Received quantities",
        "counted" => "Counted quantities",
        other => other,
    }
}

fn role_label(role: Role) -> &'static str {
    role.label()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn illegal_transition_keeps_stable_names_and_reads_like_a_sentence() {
        let err = DomainError::illegal_transition(
            ConsignmentKind::OutletTransfer,
            ConsignmentStatus::Draft,
            ConsignmentStatus::Received,
        );
        assert_eq!(err.code(), "ILLEGAL_TRANSITION");
        assert_eq!(
            err,
            DomainError::IllegalTransition {
                kind: "outlet_transfer",
                from: "draft",
                to: "received"
            }
        );
        assert_eq!(
            err.to_string(),
            "A transfer that is draft cannot be moved to \"received\"."
        );
    }

    #[test]
    fn no_lines_message_tells_what_to_do() {
        let err = DomainError::NoLines {
            kind: ConsignmentKind::OutletTransfer,
            action: "sending",
        };
        assert_eq!(
            err.to_string(),
            "This transfer has no lines yet. Add at least one product before sending."
        );
    }

    /// One value of every variant; the match below fails to compile when a variant is
    /// added without a sample here.
    fn one_of_each() -> Vec<DomainError> {
        use ConsignmentKind as K;
        use ConsignmentStatus as S;
        use LsConsignmentStatus as Ls;
        let kind = K::OutletTransfer;
        let all = vec![
            DomainError::illegal_transition(kind, S::Draft, S::Received),
            DomainError::StatusNotInKind {
                kind,
                status: S::Approved,
            },
            DomainError::NoLines {
                kind,
                action: "sending",
            },
            DomainError::NothingPacked {
                kind,
                action: "sending",
            },
            DomainError::BoxesStillOpen { kind, open: 2 },
            DomainError::NotSentYet { kind },
            DomainError::NothingReceived { kind },
            DomainError::NothingCounted,
            DomainError::RecountsPending { pending: 1 },
            DomainError::ApprovalRequired { action: "sent" },
            DomainError::StocktakeCountInProgress { kind },
            DomainError::CancelNotAllowed {
                kind,
                status: S::Receiving,
            },
            DomainError::ConsignmentClosed {
                kind,
                status: S::Received,
            },
            DomainError::LineChangeNotAllowed {
                kind,
                status: S::Sent,
                change: "lines",
            },
            DomainError::LsStatusNotForType {
                ls_type: LsConsignmentType::Outlet,
                status: Ls::Dispatched,
            },
            DomainError::LsIllegalTransition {
                ls_type: LsConsignmentType::Outlet,
                from: Ls::Received,
                to: Ls::Sent,
            },
            DomainError::LsNoLines,
            DomainError::LsNothingReceived,
            DomainError::InboundWouldMoveBackwards {
                kind,
                current: S::Received,
                ls_status: Ls::Sent,
            },
            DomainError::UnknownLegacyStatus {
                kind,
                name: "STOCK".into(),
            },
            DomainError::InvalidNumber { input: "x".into() },
            DomainError::NumberOutOfRange {
                input: "1e30".into(),
            },
            DomainError::NegativeQuantity {
                field: "Received quantity",
            },
            DomainError::InvalidApprovalTiers {
                problem: "there are no tiers".into(),
            },
            DomainError::NotAwaitingApproval { status: S::Draft },
            DomainError::OwnOrder,
            DomainError::RoleCannotApprove {
                role: Role::Staff,
                tier: 1,
                total: Money::dollars(10),
                needs: "store manager or higher".into(),
            },
            DomainError::AlreadyApproved,
            DomainError::ApprovalAlreadyComplete,
            DomainError::CommentRequired,
            DomainError::RejectNoteRequired,
            DomainError::VarianceReasonRequired {
                line: 1,
                variance: "-2".into(),
            },
            DomainError::VarianceNoteRequired { line: 1 },
            DomainError::VarianceReasonMismatch {
                line: 1,
                reason: "short",
                variance: "+2".into(),
            },
            DomainError::DamagePhotoRequired { line: 1 },
            DomainError::DamagedExceedsReceived { line: 1 },
            DomainError::ManagerSignOffRequired {
                value: Money::dollars(250),
                threshold: Money::dollars(200),
            },
            DomainError::SignOffRoleTooLow { role: Role::Staff },
            DomainError::ReceiverSignatureRequired,
            DomainError::InvalidGtin { code: "123".into() },
            DomainError::BadCheckDigit {
                code: "4006381333932".into(),
            },
            DomainError::InvalidGs1 {
                problem: "it holds no data".into(),
            },
            DomainError::EmptyScan,
            DomainError::InvalidSscc {
                problem: "an SSCC is exactly 18 digits".into(),
            },
            DomainError::InvalidReference { input: "TR".into() },
            DomainError::ReferenceCheckFailed {
                input: "TR-TRF-202503-000124-00".into(),
            },
            DomainError::ReferenceOutOfRange {
                problem: "the month must be between 1 and 12".into(),
            },
            DomainError::ReturnNoteRequired,
            DomainError::DocumentNumberInvalid {
                what: "return authorisation number",
            },
            DomainError::CreditNotPositive,
            DomainError::CreditNoteNumberRequired,
            DomainError::CreditOnCancelledReturn,
        ];
        for err in &all {
            // Exhaustiveness guard: adding a variant breaks this match until sampled above.
            match err {
                DomainError::IllegalTransition { .. }
                | DomainError::StatusNotInKind { .. }
                | DomainError::NoLines { .. }
                | DomainError::NothingPacked { .. }
                | DomainError::BoxesStillOpen { .. }
                | DomainError::NotSentYet { .. }
                | DomainError::NothingReceived { .. }
                | DomainError::NothingCounted
                | DomainError::RecountsPending { .. }
                | DomainError::ApprovalRequired { .. }
                | DomainError::StocktakeCountInProgress { .. }
                | DomainError::CancelNotAllowed { .. }
                | DomainError::ConsignmentClosed { .. }
                | DomainError::LineChangeNotAllowed { .. }
                | DomainError::LsStatusNotForType { .. }
                | DomainError::LsIllegalTransition { .. }
                | DomainError::LsNoLines
                | DomainError::LsNothingReceived
                | DomainError::InboundWouldMoveBackwards { .. }
                | DomainError::UnknownLegacyStatus { .. }
                | DomainError::InvalidNumber { .. }
                | DomainError::NumberOutOfRange { .. }
                | DomainError::NegativeQuantity { .. }
                | DomainError::InvalidApprovalTiers { .. }
                | DomainError::NotAwaitingApproval { .. }
                | DomainError::OwnOrder
                | DomainError::RoleCannotApprove { .. }
                | DomainError::AlreadyApproved
                | DomainError::ApprovalAlreadyComplete
                | DomainError::CommentRequired
                | DomainError::RejectNoteRequired
                | DomainError::VarianceReasonRequired { .. }
                | DomainError::VarianceNoteRequired { .. }
                | DomainError::VarianceReasonMismatch { .. }
                | DomainError::DamagePhotoRequired { .. }
                | DomainError::DamagedExceedsReceived { .. }
                | DomainError::ManagerSignOffRequired { .. }
                | DomainError::SignOffRoleTooLow { .. }
                | DomainError::ReceiverSignatureRequired
                | DomainError::InvalidGtin { .. }
                | DomainError::BadCheckDigit { .. }
                | DomainError::InvalidGs1 { .. }
                | DomainError::EmptyScan
                | DomainError::InvalidSscc { .. }
                | DomainError::InvalidReference { .. }
                | DomainError::ReferenceCheckFailed { .. }
                | DomainError::ReferenceOutOfRange { .. }
                | DomainError::ReturnNoteRequired
                | DomainError::DocumentNumberInvalid { .. }
                | DomainError::CreditNotPositive
                | DomainError::CreditNoteNumberRequired
                | DomainError::CreditOnCancelledReturn => {}
            }
        }
        all
    }

    #[test]
    fn every_code_is_unique_and_screaming_snake() {
        let errors = one_of_each();
        let mut codes: Vec<&str> = errors.iter().map(DomainError::code).collect();
        for code in &codes {
            assert!(
                code.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{code}"
            );
        }
        let count = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), count, "duplicate error code");
    }

    #[test]
    fn every_message_is_a_sentence_without_internal_names() {
        for err in one_of_each() {
            let message = err.to_string();
            assert!(
                message
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '"'),
                "{message}"
            );
            assert!(message.ends_with('.'), "{message}");
            assert!(
                !message.contains("outlet_transfer") && !message.contains("Some("),
                "{message}"
            );
        }
    }
}
