//! GTIN-8/12/13/14 (EAN-8, UPC-A, EAN-13, GTIN-14) with their mod-10 check digit.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::error::DomainError;

/// The GS1 mod-10 check digit for `body` (all digits but the check): from the right,
/// weights 3, 1, 3, 1…; check = (10 − sum mod 10) mod 10. `None` unless `body` is
/// non-empty ASCII digits. Used by GTINs and SSCCs alike.
pub fn gs1_check_digit(body: &str) -> Option<u8> {
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// True when `code` is digits whose last digit is the right check digit.
pub fn has_valid_check_digit(code: &str) -> bool {
    code.len() >= 2
        && code.bytes().all(|b| b.is_ascii_digit())
        && gs1_check_digit(&code[..code.len() - 1]) == Some(code.as_bytes()[code.len() - 1] - b'0')
}

/// Which length of GTIN a code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GtinFormat {
    /// EAN-8.
    Gtin8,
    /// UPC-A.
    Gtin12,
    /// EAN-13 (UPC-A read by an EAN scanner arrives as 13 digits with a leading 0).
    Gtin13,
    /// GTIN-14 (cartons, GS1 AI 01).
    Gtin14,
}

/// A product barcode with a verified check digit, kept as scanned. Two GTINs are equal
/// when their GTIN-14 forms are (UPC-A `036000291452` equals EAN-13 `0036000291452`).
/// In serde, the digits as a string, checked with [`Gtin::parse`] when read.
#[derive(Debug, Clone, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gtin(String);

impl Gtin {
    /// Parses 8, 12, 13 or 14 digits with a correct check digit.
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        let shown = || code.chars().take(40).collect::<String>();
        let digits_only = code.bytes().all(|b| b.is_ascii_digit());
        if !digits_only || !matches!(code.len(), 8 | 12 | 13 | 14) {
            return Err(DomainError::InvalidGtin { code: shown() });
        }
        if !has_valid_check_digit(code) {
            return Err(DomainError::BadCheckDigit { code: shown() });
        }
        Ok(Self(code.to_owned()))
    }

    /// Builds a GTIN from its digits without the check digit (7, 11, 12 or 13 digits).
    pub fn with_check_digit(body: &str) -> Result<Self, DomainError> {
        let check = gs1_check_digit(body).ok_or_else(|| DomainError::InvalidGtin {
            code: body.chars().take(40).collect(),
        })?;
        Self::parse(&format!("{body}{check}"))
    }

    /// The digits as scanned.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The length class.
    pub fn format(&self) -> GtinFormat {
        match self.0.len() {
            8 => GtinFormat::Gtin8,
            12 => GtinFormat::Gtin12,
            13 => GtinFormat::Gtin13,
            _ => GtinFormat::Gtin14,
        }
    }

    /// Zero-padded to 14 digits: the key to look products up by.
    pub fn to_gtin14(&self) -> String {
        format!("{:0>14}", self.0)
    }

    /// The UPC-A form, when this is a UPC-A or an EAN-13 with a leading 0.
    pub fn upc_a(&self) -> Option<&str> {
        match self.format() {
            GtinFormat::Gtin12 => Some(&self.0),
            GtinFormat::Gtin13 if self.0.starts_with('0') => Some(&self.0[1..]),
            _ => None,
        }
    }

    /// The check digit.
    pub fn check_digit(&self) -> u8 {
        self.0.as_bytes()[self.0.len() - 1] - b'0'
    }
}

impl PartialEq for Gtin {
    fn eq(&self, other: &Self) -> bool {
        self.to_gtin14() == other.to_gtin14()
    }
}

impl Hash for Gtin {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.to_gtin14().hash(state);
    }
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Gtin {
    type Error = DomainError;
    fn try_from(code: String) -> Result<Self, DomainError> {
        Self::parse(&code)
    }
}

impl From<Gtin> for String {
    fn from(gtin: Gtin) -> Self {
        gtin.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes_have_valid_check_digits() {
        // EAN-13, UPC-A, EAN-8 and GTIN-14 examples from GS1 material.
        for code in [
            "4006381333931",
            "036000291452",
            "96385074",
            "10012345000017",
            "9501101020917",
            "5901234123457",
            "9400000000016",
        ] {
            assert!(Gtin::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn check_digit_is_computed_with_weights_three_and_one_from_the_right() {
        assert_eq!(gs1_check_digit("400638133393"), Some(1));
        assert_eq!(gs1_check_digit("03600029145"), Some(2));
        assert_eq!(gs1_check_digit("9638507"), Some(4));
        assert_eq!(gs1_check_digit(""), None);
        assert_eq!(gs1_check_digit("12a"), None);
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        let err = Gtin::parse("4006381333932").unwrap_err();
        assert_eq!(err.code(), "BAD_CHECK_DIGIT");
        assert_eq!(
            Gtin::parse("5901234123458").unwrap_err().code(),
            "BAD_CHECK_DIGIT"
        );
        assert_eq!(
            Gtin::parse("59012341234a7").unwrap_err().code(),
            "INVALID_GTIN"
        );
    }

    #[test]
    fn wrong_lengths_and_letters_are_not_gtins() {
        for code in [
            "",
            "1234567",
            "123456789",
            "40063813339311",
            "400638133393A",
            "400638133393 ",
            "١٢٣٤٥٦٧٨",
        ] {
            let err = Gtin::parse(code).unwrap_err();
            assert!(
                matches!(err.code(), "INVALID_GTIN" | "BAD_CHECK_DIGIT"),
                "{code}"
            );
        }
        assert_eq!(
            Gtin::parse("40063813339311").unwrap_err().code(),
            "BAD_CHECK_DIGIT"
        );
        assert_eq!(Gtin::parse("123456789").unwrap_err().code(), "INVALID_GTIN");
    }

    #[test]
    fn upc_a_read_as_thirteen_digits_is_the_same_product() {
        let upc = Gtin::parse("036000291452").unwrap();
        let ean = Gtin::parse("0036000291452").unwrap();
        assert_eq!(upc, ean);
        assert_eq!(ean.upc_a(), Some("036000291452"));
        assert_eq!(upc.upc_a(), Some("036000291452"));
        assert_eq!(ean.format(), GtinFormat::Gtin13);
        assert_eq!(ean.to_gtin14(), "00036000291452");
        assert_eq!(Gtin::parse("4006381333931").unwrap().upc_a(), None);
    }

    #[test]
    fn with_check_digit_completes_a_body() {
        assert_eq!(
            Gtin::with_check_digit("400638133393").unwrap().as_str(),
            "4006381333931"
        );
        assert_eq!(
            Gtin::with_check_digit("940000000001").unwrap().as_str(),
            "9400000000016"
        );
        assert!(Gtin::with_check_digit("12345").is_err());
    }

    #[test]
    fn serde_carries_the_digits_as_scanned_and_checks_them_when_read() {
        let upc = Gtin::parse("036000291452").unwrap();
        assert_eq!(serde_json::to_string(&upc).unwrap(), "\"036000291452\"");
        let back: Gtin = serde_json::from_str("\"036000291452\"").unwrap();
        assert_eq!(back.as_str(), "036000291452");
        let bad = serde_json::from_str::<Gtin>("\"4006381333932\"").unwrap_err();
        assert!(bad.to_string().contains("4006381333932"), "{bad}");
        assert!(serde_json::from_str::<Gtin>("4006381333931").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_support::cases(256)))]

        #[test]
        fn a_single_wrong_digit_is_always_caught(body in "[0-9]{12}", pos in 0usize..13, delta in 1u8..10) {
            let gtin = Gtin::with_check_digit(&body).unwrap();
            let mut bytes = gtin.as_str().as_bytes().to_vec();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            prop_assert!(Gtin::parse(std::str::from_utf8(&bytes).unwrap()).is_err());
        }

        #[test]
        fn gtins_round_trip_through_gtin14(body in "[0-9]{7}|[0-9]{11}|[0-9]{12}|[0-9]{13}") {
            let gtin = Gtin::with_check_digit(&body).unwrap();
            let padded = Gtin::parse(&gtin.to_gtin14()).unwrap();
            prop_assert_eq!(padded, gtin);
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,20}") {
            let _ = Gtin::parse(&s);
            let _ = gs1_check_digit(&s);
            let _ = has_valid_check_digit(&s);
        }
    }
}
