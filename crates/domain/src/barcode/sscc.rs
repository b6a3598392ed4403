//! SSCC-18 carton numbers: extension digit + GS1 company prefix + serial reference +
//! check digit. Printed on box labels as GS1-128 `(00)`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::gtin::{gs1_check_digit, has_valid_check_digit};
use crate::error::DomainError;

/// A Serial Shipping Container Code, 18 digits with a verified check digit. In serde,
/// the digits as a string, checked with [`Sscc::parse`] when read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sscc(String);

impl Sscc {
    /// Parses 18 digits with a correct check digit.
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        let invalid = |problem: &str| DomainError::InvalidSscc {
            problem: problem.to_owned(),
        };
        if code.len() != 18 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("an SSCC is exactly 18 digits"));
        }
        if !has_valid_check_digit(code) {
            return Err(DomainError::BadCheckDigit {
                code: code.to_owned(),
            });
        }
        Ok(Self(code.to_owned()))
    }

    /// Makes the SSCC for one carton: `extension` (0–9), the chain's GS1 company prefix
    /// (6–12 digits) and a serial reference that fits the remaining 16 − prefix digits.
    pub fn generate(
        extension: u8,
        company_prefix: &str,
        serial_reference: u64,
    ) -> Result<Self, DomainError> {
        let invalid = |problem: String| DomainError::InvalidSscc { problem };
        if extension > 9 {
            return Err(invalid("the extension digit must be 0 to 9".to_owned()));
        }
        let prefix_ok = (6..=12).contains(&company_prefix.len())
            && company_prefix.bytes().all(|b| b.is_ascii_digit());
        if !prefix_ok {
            return Err(invalid(
                "the GS1 company prefix must be 6 to 12 digits".to_owned(),
            ));
        }
        let serial_digits = 16 - company_prefix.len();
        let limit = 10u64.pow(serial_digits as u32);
        if serial_reference >= limit {
            return Err(invalid(format!(
                "the serial reference must be below {limit} with this company prefix"
            )));
        }
        let body = format!("{extension}{company_prefix}{serial_reference:0serial_digits$}");
        let check = gs1_check_digit(&body).ok_or_else(|| invalid("not digits".to_owned()))?;
        Ok(Self(format!("{body}{check}")))
    }

    /// The 18 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The GS1 element string with AI 00, as encoded in GS1-128 (after FNC1).
    pub fn element_string(&self) -> String {
        format!("00{}", self.0)
    }

    /// The text printed under the barcode: `(00) 093123450000000016`.
    pub fn human_readable(&self) -> String {
        format!("(00) {}", self.0)
    }
}

impl fmt::Display for Sscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Sscc {
    type Error = DomainError;
    fn try_from(code: String) -> Result<Self, DomainError> {
        Self::parse(&code)
    }
}

impl From<Sscc> for String {
    fn from(sscc: Sscc) -> Self {
        sscc.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn generates_the_gs1_example() {
        // GS1 General Specifications example: extension 1, prefix 0614141, serial 123456789.
        let sscc = Sscc::generate(1, "0614141", 123_456_789).unwrap();
        assert_eq!(sscc.as_str(), "106141411234567897");
        assert_eq!(sscc.element_string(), "00106141411234567897");
        assert_eq!(sscc.human_readable(), "(00) 106141411234567897");
    }

    #[test]
    fn serial_is_zero_padded_to_fill_eighteen_digits() {
        let sscc = Sscc::generate(0, "9421234", 1).unwrap();
        assert_eq!(sscc.as_str().len(), 18);
        assert!(sscc.as_str().starts_with("0942123400000000"));
        assert!(Sscc::parse(sscc.as_str()).is_ok());
    }

    #[test]
    fn inputs_that_do_not_fit_are_refused() {
        assert_eq!(
            Sscc::generate(10, "9421234", 1).unwrap_err().code(),
            "INVALID_SSCC"
        );
        assert_eq!(
            Sscc::generate(0, "12345", 1).unwrap_err().code(),
            "INVALID_SSCC"
        );
        assert_eq!(
            Sscc::generate(0, "94212a4", 1).unwrap_err().code(),
            "INVALID_SSCC"
        );
        // Seven-digit prefix leaves nine serial digits.
        assert!(Sscc::generate(0, "9421234", 999_999_999).is_ok());
        assert_eq!(
            Sscc::generate(0, "9421234", 1_000_000_000)
                .unwrap_err()
                .code(),
            "INVALID_SSCC"
        );
    }

    #[test]
    fn a_wrong_check_digit_is_refused() {
        assert_eq!(
            Sscc::parse("106141411234567898").unwrap_err().code(),
            "BAD_CHECK_DIGIT"
        );
        assert_eq!(
            Sscc::parse("30614141123456789").unwrap_err().code(),
            "INVALID_SSCC"
        );
    }

    #[test]
    fn serde_carries_the_digits_and_checks_them_when_read() {
        let sscc = Sscc::generate(1, "0614141", 123_456_789).unwrap();
        let json = serde_json::to_string(&sscc).unwrap();
        assert_eq!(json, "\"106141411234567897\"");
        assert_eq!(serde_json::from_str::<Sscc>(&json).unwrap(), sscc);
        let bad = serde_json::from_str::<Sscc>("\"106141411234567898\"").unwrap_err();
        assert!(bad.to_string().contains("106141411234567898"), "{bad}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_support::cases(256)))]

        #[test]
        fn generated_ssccs_parse_back(ext in 0u8..10, prefix in "[0-9]{6,12}", serial in any::<u64>()) {
            let limit = 10u64.pow(16 - prefix.len() as u32);
            let sscc = Sscc::generate(ext, &prefix, serial % limit).unwrap();
            prop_assert_eq!(Sscc::parse(sscc.as_str()).unwrap(), sscc);
        }
    }
}
