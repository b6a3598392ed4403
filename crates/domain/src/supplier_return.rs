//! Supplier returns: why each item goes back, the supplier's return authorisation
//! number, and the credit the supplier owes for it (expected from the lines, credited
//! by credit notes, the rest outstanding).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::consignment::ConsignmentStatus;
use crate::error::DomainError;
use crate::money::Money;

/// Longest return authorisation or credit note number kept (suppliers' numbers are short).
pub const MAX_DOCUMENT_NUMBER: usize = 64;

/// Why an item goes back to the supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReturnReason {
    /// Arrived damaged.
    Damaged,
    /// Not what was ordered.
    WrongItem,
    /// Past its date.
    Expired,
    /// Does not work.
    Faulty,
    /// More than ordered.
    OverSupplied,
    /// Anything else (a note is required).
    Other,
}

impl ReturnReason {
    /// Every reason, in the order the UI lists them.
    pub const ALL: [ReturnReason; 6] = [
        Self::Damaged,
        Self::WrongItem,
        Self::Expired,
        Self::Faulty,
        Self::OverSupplied,
        Self::Other,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Damaged => "damaged",
            Self::WrongItem => "wrong_item",
            Self::Expired => "expired",
            Self::Faulty => "faulty",
            Self::OverSupplied => "over_supplied",
            Self::Other => "other",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The words staff use.
    pub fn label(self) -> &'static str {
        match self {
            Self::Damaged => "Damaged",
            Self::WrongItem => "Wrong item",
            Self::Expired => "Expired",
            Self::Faulty => "Faulty",
            Self::OverSupplied => "Over-supplied",
            Self::Other => "Other",
        }
    }
}

fn clean(n: Option<&str>) -> Option<&str> {
    n.map(str::trim).filter(|n| !n.is_empty())
}

/// A line's reason with its note: `other` needs a note. Returns the trimmed note.
pub fn check_return_line(
    reason: ReturnReason,
    note: Option<&str>,
) -> Result<Option<String>, DomainError> {
    let note = clean(note);
    if reason == ReturnReason::Other && note.is_none() {
        return Err(DomainError::ReturnNoteRequired);
    }
    Ok(note.map(str::to_string))
}

/// A supplier's document number (return authorisation, credit note): trimmed, at most
/// [`MAX_DOCUMENT_NUMBER`] characters, no control characters. Empty means none.
pub fn document_number(
    what: &'static str,
    raw: Option<&str>,
) -> Result<Option<String>, DomainError> {
    let Some(n) = clean(raw) else {
        return Ok(None);
    };
    if n.chars().count() > MAX_DOCUMENT_NUMBER || n.chars().any(char::is_control) {
        return Err(DomainError::DocumentNumberInvalid { what });
    }
    Ok(Some(n.to_string()))
}

/// A supplier credit as recorded against a return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditInput<'a> {
    /// Amount credited, excl. GST.
    pub amount: Money,
    /// The supplier's credit note number.
    pub credit_note_number: Option<&'a str>,
}

/// Checks a credit before it is recorded: the return is not cancelled, the amount is
/// above zero and the credit note number is given. Returns the cleaned number.
/// Crediting more than expected is allowed (the supplier's note is what it is) and
/// shows as over-credited in [`credit_position`].
pub fn check_credit(status: ConsignmentStatus, c: &CreditInput<'_>) -> Result<String, DomainError> {
    if status == ConsignmentStatus::Cancelled {
        return Err(DomainError::CreditOnCancelledReturn);
    }
    if c.amount.amount() <= Decimal::ZERO {
        return Err(DomainError::CreditNotPositive);
    }
    document_number("credit note number", c.credit_note_number)?
        .ok_or(DomainError::CreditNoteNumberRequired)
}

/// Where a return's credit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditPosition {
    /// Expected from the lines (cost × quantity), excl. GST.
    pub expected: Money,
    /// Credited so far by credit notes.
    pub credited: Money,
    /// Still owed (never below zero).
    pub outstanding: Money,
    /// Credited more than expected: worth a look.
    pub over_credited: bool,
}

/// The position of a return's credit from what is expected and the credits recorded.
pub fn credit_position(expected: Money, credits: &[Money]) -> CreditPosition {
    let credited: Money = credits.iter().copied().sum();
    let left = expected - credited;
    CreditPosition {
        expected,
        credited,
        outstanding: if left.is_negative() {
            Money::new(Decimal::ZERO)
        } else {
            left
        },
        over_credited: left.is_negative(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_needs_a_note_and_notes_are_trimmed() {
        assert_eq!(
            check_return_line(ReturnReason::Other, Some("  "))
                .unwrap_err()
                .code(),
            "RETURN_NOTE_REQUIRED"
        );
        assert_eq!(
            check_return_line(ReturnReason::Damaged, Some(" crushed ")).unwrap(),
            Some("crushed".into())
        );
        assert_eq!(check_return_line(ReturnReason::Faulty, None).unwrap(), None);
    }

    #[test]
    fn document_numbers_are_trimmed_bounded_and_printable() {
        assert_eq!(
            document_number("x", Some(" RA-1 ")).unwrap(),
            Some("RA-1".into())
        );
        assert_eq!(document_number("x", Some("   ")).unwrap(), None);
        let long = "9".repeat(MAX_DOCUMENT_NUMBER + 1);
        assert_eq!(
            document_number("x", Some(&long)).unwrap_err().code(),
            "DOCUMENT_NUMBER_INVALID"
        );
        assert!(document_number("x", Some("RA\u{7}1")).is_err());
    }

    #[test]
    fn a_credit_is_positive_has_a_note_number_and_not_on_a_cancelled_return() {
        let ok = CreditInput {
            amount: Money::dollars(10),
            credit_note_number: Some(" CN-7 "),
        };
        assert_eq!(check_credit(ConsignmentStatus::Sent, &ok).unwrap(), "CN-7");
        let neg = CreditInput {
            amount: Money::dollars(-1),
            ..ok.clone()
        };
        assert_eq!(
            check_credit(ConsignmentStatus::Sent, &neg)
                .unwrap_err()
                .code(),
            "CREDIT_NOT_POSITIVE"
        );
        let zero = CreditInput {
            amount: Money::dollars(0),
            ..ok.clone()
        };
        assert!(check_credit(ConsignmentStatus::Sent, &zero).is_err());
        let nameless = CreditInput {
            credit_note_number: None,
            ..ok.clone()
        };
        assert_eq!(
            check_credit(ConsignmentStatus::Sent, &nameless)
                .unwrap_err()
                .code(),
            "CREDIT_NOTE_NUMBER_REQUIRED"
        );
        assert_eq!(
            check_credit(ConsignmentStatus::Cancelled, &ok)
                .unwrap_err()
                .code(),
            "CREDIT_ON_CANCELLED_RETURN"
        );
    }

    #[test]
    fn outstanding_is_what_is_left_and_over_credit_is_flagged_not_refused() {
        let p = credit_position(Money::dollars(100), &[Money::dollars(30)]);
        assert_eq!(p.credited, Money::dollars(30));
        assert_eq!(p.outstanding, Money::dollars(70));
        assert!(!p.over_credited);
        let p = credit_position(
            Money::dollars(100),
            &[Money::dollars(60), Money::dollars(50)],
        );
        assert_eq!(p.outstanding, Money::dollars(0));
        assert!(p.over_credited);
        let p = credit_position(Money::dollars(100), &[Money::dollars(100)]);
        assert_eq!(p.outstanding, Money::dollars(0));
        assert!(!p.over_credited);
    }
}
