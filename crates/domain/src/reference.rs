//! Human-readable consignment references, `TR-<kind>-<YYYYMM>-<NNNNNN>-<CC>`, with an
//! ISO 7064 mod 97-10 check over the digits so a mistyped reference is caught (any single
//! wrong digit and any swap of two adjacent digits).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::consignment::ConsignmentKind;
use crate::error::DomainError;

/// Largest sequence number a reference holds (six digits).
pub const MAX_SEQUENCE: u32 = 999_999;

/// The three letters of a kind in a reference.
pub fn kind_code(kind: ConsignmentKind) -> &'static str {
    match kind {
        ConsignmentKind::PurchaseOrder => "PUR",
        ConsignmentKind::OutletTransfer => "TRF",
        ConsignmentKind::SupplierReturn => "RTN",
        ConsignmentKind::Stocktake => "STK",
    }
}

/// The kind of a three-letter code.
pub fn kind_from_code(code: &str) -> Option<ConsignmentKind> {
    ConsignmentKind::ALL
        .into_iter()
        .find(|k| kind_code(*k) == code)
}

/// ISO 7064 mod 97-10 check digits (two digits, 02..=98) for a string of ASCII digits.
pub fn mod97_check(digits: &str) -> u8 {
    let remainder = mod97(digits.bytes().chain(*b"00"));
    // remainder < 97, so this is 2..=98.
    (98 - remainder) as u8
}

fn mod97(digits: impl Iterator<Item = u8>) -> u32 {
    digits.fold(0u32, |acc, d| (acc * 10 + u32::from(d - b'0')) % 97)
}

/// A consignment's human reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConsignmentReference {
    kind: ConsignmentKind,
    year: u16,
    month: u8,
    sequence: u32,
}

impl ConsignmentReference {
    /// A reference for `kind`, made in `year`/`month`, with a station-issued `sequence`
    /// (1..=999999).
    pub fn new(
        kind: ConsignmentKind,
        year: u16,
        month: u8,
        sequence: u32,
    ) -> Result<Self, DomainError> {
        let out_of_range = |problem: &str| DomainError::ReferenceOutOfRange {
            problem: problem.to_owned(),
        };
        if !(2000..=9999).contains(&year) {
            return Err(out_of_range("the year must be between 2000 and 9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(out_of_range("the month must be between 1 and 12"));
        }
        if !(1..=MAX_SEQUENCE).contains(&sequence) {
            return Err(out_of_range(
                "the sequence number must be between 1 and 999999",
            ));
        }
        Ok(Self {
            kind,
            year,
            month,
            sequence,
        })
    }

    /// A reference dated `date` (the caller's clock, passed in).
    pub fn for_date(
        kind: ConsignmentKind,
        date: time::Date,
        sequence: u32,
    ) -> Result<Self, DomainError> {
        let year = u16::try_from(date.year()).map_err(|_| DomainError::ReferenceOutOfRange {
            problem: "the year must be between 2000 and 9999".to_owned(),
        })?;
        Self::new(kind, year, u8::from(date.month()), sequence)
    }

    /// The kind.
    pub fn kind(&self) -> ConsignmentKind {
        self.kind
    }

    /// Year made.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// Month made (1..=12).
    pub fn month(&self) -> u8 {
        self.month
    }

    /// Station-issued sequence number.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    fn digits(&self) -> String {
        format!("{:04}{:02}{:06}", self.year, self.month, self.sequence)
    }

    /// The two check digits.
    pub fn check_digits(&self) -> u8 {
        mod97_check(&self.digits())
    }

    /// Parses and verifies a reference (case and surrounding spaces ignored).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let shown: String = input.chars().take(40).collect();
        let invalid = || DomainError::InvalidReference {
            input: shown.clone(),
        };
        let upper = input.trim().to_ascii_uppercase();
        let parts: Vec<&str> = upper.split('-').collect();
        let [tr, code, date, seq, check] = parts.as_slice() else {
            return Err(invalid());
        };
        let all_digits =
            |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if *tr != "TR" || !all_digits(date, 6) || !all_digits(seq, 6) || !all_digits(check, 2) {
            return Err(invalid());
        }
        let kind = kind_from_code(code).ok_or_else(invalid)?;
        let digits = format!("{date}{seq}{check}");
        if mod97(digits.bytes()) != 1 {
            return Err(DomainError::ReferenceCheckFailed { input: shown });
        }
        let number = |s: &str| s.parse::<u32>().map_err(|_| invalid());
        let year = u16::try_from(number(&date[..4])?).map_err(|_| invalid())?;
        let month = u8::try_from(number(&date[4..])?).map_err(|_| invalid())?;
        Self::new(kind, year, month, number(seq)?).map_err(|_| invalid())
    }
}

impl fmt::Display for ConsignmentReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TR-{}-{:04}{:02}-{:06}-{:02}",
            kind_code(self.kind),
            self.year,
            self.month,
            self.sequence,
            self.check_digits()
        )
    }
}

impl FromStr for ConsignmentReference {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for ConsignmentReference {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ConsignmentReference {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A block of sequence numbers given to one station, so stations offline never issue
/// the same reference. Half-open: `next..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequenceBlock {
    next: u32,
    end: u32,
}

impl SequenceBlock {
    /// `len` numbers starting at `start`, within 1..=999999.
    pub fn new(start: u32, len: u32) -> Result<Self, DomainError> {
        let end = start.checked_add(len);
        match end {
            Some(end) if start >= 1 && end <= MAX_SEQUENCE + 1 => Ok(Self { next: start, end }),
            _ => Err(DomainError::ReferenceOutOfRange {
                problem: "the sequence block must lie within 1..999999".to_owned(),
            }),
        }
    }

    /// Takes the next number; `None` when the block is used up (ask the hub for another).
    pub fn take(&mut self) -> Option<u32> {
        (self.next < self.end).then(|| {
            self.next += 1;
            self.next - 1
        })
    }

    /// Numbers left.
    pub fn remaining(&self) -> u32 {
        self.end - self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ConsignmentKind as K;

    #[test]
    fn reference_has_the_documented_shape() {
        let r = ConsignmentReference::new(K::OutletTransfer, 2025, 3, 123).unwrap();
        let text = r.to_string();
        assert!(text.starts_with("TR-TRF-202503-000123-"), "{text}");
        assert_eq!(text.len(), "TR-TRF-202503-000123-00".len());
    }

    #[test]
    fn check_digits_follow_iso_7064_mod_97_10() {
        // Verification rule: the digits with the check appended are 1 modulo 97.
        let r = ConsignmentReference::new(K::PurchaseOrder, 2024, 11, 42).unwrap();
        let all = format!("{}{:02}", r.digits(), r.check_digits());
        assert_eq!(all.parse::<u128>().unwrap() % 97, 1);
        // Known value: 202401000001 → 98 − (20240100000100 mod 97).
        assert_eq!(
            mod97_check("202401000001"),
            (98 - (20_240_100_000_100u64 % 97)) as u8
        );
    }

    #[test]
    fn parse_round_trips_and_ignores_case_and_spaces() {
        let r = ConsignmentReference::new(K::Stocktake, 2026, 12, 999_999).unwrap();
        assert_eq!(ConsignmentReference::parse(&r.to_string()), Ok(r));
        let lower = format!("  {}  ", r.to_string().to_lowercase());
        assert_eq!(ConsignmentReference::parse(&lower), Ok(r));
    }

    #[test]
    fn a_mistyped_digit_is_caught() {
        let r = ConsignmentReference::new(K::OutletTransfer, 2025, 3, 123).unwrap();
        let typo = r.to_string().replace("000123", "000124");
        assert_eq!(
            ConsignmentReference::parse(&typo).unwrap_err().code(),
            "REFERENCE_CHECK_FAILED"
        );
    }

    #[test]
    fn malformed_text_is_not_a_reference() {
        for bad in [
            "",
            "TR",
            "TR-XXX-202503-000123-00",
            "XX-TRF-202503-000123-00",
            "TR-TRF-2025-000123-00",
            "TR-TRF-202503-123-00",
            "TR-TRF-202503-000123-0A",
            "TR-TRF-202503-000123-00-1",
        ] {
            assert_eq!(
                ConsignmentReference::parse(bad).unwrap_err().code(),
                "INVALID_REFERENCE",
                "{bad}"
            );
        }
    }

    #[test]
    fn out_of_range_parts_are_refused() {
        assert!(ConsignmentReference::new(K::Stocktake, 2025, 13, 1).is_err());
        assert!(ConsignmentReference::new(K::Stocktake, 2025, 1, 0).is_err());
        assert!(ConsignmentReference::new(K::Stocktake, 2025, 1, 1_000_000).is_err());
        assert!(ConsignmentReference::new(K::Stocktake, 1999, 1, 1).is_err());
        // A month 00 that happens to pass the check is still refused.
        let digits = "202500000001";
        let forged = format!("TR-STK-202500-000001-{:02}", mod97_check(digits));
        assert_eq!(
            ConsignmentReference::parse(&forged).unwrap_err().code(),
            "INVALID_REFERENCE"
        );
    }

    #[test]
    fn for_date_takes_year_and_month() {
        let date = time::macros::date!(2025 - 07 - 31);
        let r = ConsignmentReference::for_date(K::SupplierReturn, date, 5).unwrap();
        assert_eq!(
            (r.year(), r.month(), r.sequence(), r.kind()),
            (2025, 7, 5, K::SupplierReturn)
        );
        assert!(r.to_string().starts_with("TR-RTN-202507-000005-"));
    }

    #[test]
    fn serde_uses_the_text_form_and_verifies_it() {
        let r = ConsignmentReference::new(K::PurchaseOrder, 2025, 1, 7).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, format!("\"{r}\""));
        assert_eq!(
            serde_json::from_str::<ConsignmentReference>(&json).unwrap(),
            r
        );
        let wrong = format!(
            "\"TR-PUR-202501-000007-{:02}\"",
            (r.check_digits() + 1) % 100
        );
        assert!(serde_json::from_str::<ConsignmentReference>(&wrong).is_err());
    }

    #[test]
    fn sequence_blocks_hand_out_each_number_once() {
        let mut block = SequenceBlock::new(100, 3).unwrap();
        assert_eq!(block.remaining(), 3);
        assert_eq!(
            (block.take(), block.take(), block.take(), block.take()),
            (Some(100), Some(101), Some(102), None)
        );
        assert!(SequenceBlock::new(0, 1).is_err());
        assert!(SequenceBlock::new(999_999, 2).is_err());
        assert!(SequenceBlock::new(u32::MAX, 2).is_err());
        assert!(SequenceBlock::new(999_999, 1).is_ok());
    }

    fn reference() -> impl Strategy<Value = ConsignmentReference> {
        (
            prop::sample::select(K::ALL.to_vec()),
            2000u16..=9999,
            1u8..=12,
            1u32..=MAX_SEQUENCE,
        )
            .prop_map(|(k, y, m, s)| ConsignmentReference::new(k, y, m, s).unwrap())
    }

    /// Byte positions of the digits in `TR-KKK-YYYYMM-NNNNNN-CC`.
    fn digit_positions() -> Vec<usize> {
        (7..13).chain(14..20).chain(21..23).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_support::cases(256)))]

        #[test]
        fn every_reference_round_trips(r in reference()) {
            prop_assert_eq!(ConsignmentReference::parse(&r.to_string()), Ok(r));
        }

        #[test]
        fn any_single_wrong_digit_is_caught(r in reference(), pos in 0usize..14, delta in 1u8..10) {
            let mut bytes = r.to_string().into_bytes();
            let i = digit_positions()[pos];
            bytes[i] = b'0' + (bytes[i] - b'0' + delta) % 10;
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(ConsignmentReference::parse(&typo).is_err());
        }

        #[test]
        fn any_swap_of_adjacent_differing_digits_is_caught(r in reference(), pos in 0usize..13) {
            let positions = digit_positions();
            let (a, b) = (positions[pos], positions[pos + 1]);
            prop_assume!(b == a + 1);
            let mut bytes = r.to_string().into_bytes();
            prop_assume!(bytes[a] != bytes[b]);
            bytes.swap(a, b);
            let typo = String::from_utf8(bytes).unwrap();
            prop_assert!(ConsignmentReference::parse(&typo).is_err());
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,30}") {
            let _ = ConsignmentReference::parse(&s);
        }
    }
}
