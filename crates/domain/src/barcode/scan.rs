//! `parse_scan`: from the raw characters a scanner sent to what they mean. The store
//! resolves the result to a product (GTIN first, then SKU, then supplier code).

use super::aim::{strip_aim, Symbology};
use super::gs1::{parse_element_string, Gs1Data, GS};
use super::gtin::{has_valid_check_digit, Gtin};
use crate::error::DomainError;
use crate::money::Quantity;
use crate::reference::ConsignmentReference;

/// How a station's scanner is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanConfig {
    /// The character a keyboard-wedge scanner sends instead of GS (FNC1), if any.
    /// Only honoured inside GS1 data, so it may also appear in SKUs.
    pub gs_substitute: Option<char>,
    /// Without an AIM prefix, read digits that start with AI 00/01/02 and form a valid
    /// element string as GS1 data (scanners with AIM identifiers off).
    pub detect_gs1_without_aim: bool,
}

impl Default for ScanConfig {
    fn default() -> Self {
        Self {
            gs_substitute: None,
            detect_gs1_without_aim: true,
        }
    }
}

/// What a scan means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannedCode {
    /// A product barcode (EAN-13, EAN-8, UPC-A, GTIN-14).
    Gtin(Gtin),
    /// GS1 data: a product with batch/expiry/count, or a carton's SSCC.
    Gs1(Gs1Data),
    /// A Tally consignment reference (from a packing slip or label).
    Reference(ConsignmentReference),
    /// Anything else: look it up as a SKU, then as a supplier code.
    Text(String),
    /// Recognisably a barcode but unreadable (wrong check digit on an EAN, broken GS1).
    Rejected {
        /// What was scanned, trimmed.
        raw: String,
        /// Why it was refused.
        error: DomainError,
    },
}

impl ScannedCode {
    /// The product's GTIN: the code itself, or GS1 AI 01.
    pub fn gtin(&self) -> Option<Gtin> {
        match self {
            Self::Gtin(gtin) => Some(gtin.clone()),
            Self::Gs1(data) => data.gtin(),
            _ => None,
        }
    }

    /// Units this scan adds: the GS1 count (AI 37 or 30) when present, else one.
    pub fn units(&self) -> Quantity {
        match self {
            Self::Gs1(data) => data
                .count()
                .map_or(Quantity::ONE, |n| Quantity::units(i64::from(n))),
            _ => Quantity::ONE,
        }
    }
}

fn is_trimmable(c: char) -> bool {
    matches!(c, ' ' | '\r' | '\n' | '\t' | '\0')
}

/// Reads a raw scan. Never panics; the result is always one of the variants.
pub fn parse_scan(raw: &str, config: &ScanConfig) -> ScannedCode {
    let trimmed = raw.trim_matches(is_trimmable);
    let (symbology, data) = strip_aim(trimmed);
    let rejected = |error: DomainError| ScannedCode::Rejected {
        raw: trimmed.chars().take(200).collect(),
        error,
    };
    if data.trim_matches(|c| is_trimmable(c) || c == GS).is_empty() {
        return rejected(DomainError::EmptyScan);
    }
    let gs1 = |data: &str| parse_element_string(data, config.gs_substitute);
    match symbology {
        Some(s) if s.is_ean_upc() => match Gtin::parse(data) {
            Ok(gtin) => ScannedCode::Gtin(gtin),
            Err(error) => rejected(error),
        },
        Some(s) if s.is_gs1() => match gs1(data) {
            Ok(parsed) => ScannedCode::Gs1(parsed),
            Err(error) => rejected(error),
        },
        _ => without_gs1_symbology(data, symbology, config, &rejected),
    }
}

fn without_gs1_symbology(
    data: &str,
    symbology: Option<Symbology>,
    config: &ScanConfig,
    rejected: &dyn Fn(DomainError) -> ScannedCode,
) -> ScannedCode {
    let gs1 = |data: &str| parse_element_string(data, config.gs_substitute);
    // A leading FNC1 means GS1 whatever the symbology says.
    let leads_with_fnc1 =
        data.starts_with(GS) || config.gs_substitute.is_some_and(|c| data.starts_with(c));
    if leads_with_fnc1 {
        return gs1(data).map_or_else(rejected, ScannedCode::Gs1);
    }
    let digits = data.bytes().all(|b| b.is_ascii_digit());
    if digits && matches!(data.len(), 8 | 12 | 13 | 14) && has_valid_check_digit(data) {
        if let Ok(gtin) = Gtin::parse(data) {
            return ScannedCode::Gtin(gtin);
        }
    }
    if symbology.is_none() && config.detect_gs1_without_aim {
        let looks_gs1 =
            data.len() >= 16 && ["00", "01", "02"].iter().any(|ai| data.starts_with(ai));
        let bracketed = data.starts_with('(');
        if looks_gs1 || bracketed {
            if let Ok(parsed) = gs1(data) {
                return ScannedCode::Gs1(parsed);
            }
        }
    }
    if data.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("TR-")) {
        return ConsignmentReference::parse(data).map_or_else(rejected, ScannedCode::Reference);
    }
    ScannedCode::Text(data.chars().filter(|c| *c != GS).take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consignment::ConsignmentKind;
    use proptest::prelude::*;

    fn scan(raw: &str) -> ScannedCode {
        parse_scan(raw, &ScanConfig::default())
    }

    #[test]
    fn plain_ean13_with_enter_is_a_gtin() {
        assert_eq!(
            scan("4006381333931\r\n").gtin().unwrap().as_str(),
            "4006381333931"
        );
    }

    #[test]
    fn aim_e0_upc_a_as_thirteen_digits_is_a_gtin() {
        let code = scan("]E00036000291452");
        assert_eq!(code.gtin().unwrap().upc_a(), Some("036000291452"));
    }

    #[test]
    fn aim_e4_ean8_is_a_gtin() {
        assert_eq!(scan("]E496385074").gtin().unwrap().as_str(), "96385074");
    }

    #[test]
    fn aim_ean_with_bad_check_digit_is_rejected_not_looked_up() {
        match scan("]E04006381333932") {
            ScannedCode::Rejected { error, .. } => assert_eq!(error.code(), "BAD_CHECK_DIGIT"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gs1_128_with_count_gives_gtin_and_units() {
        let code = scan("]C1010950110102091710LOT1\u{1d}3712");
        assert_eq!(code.gtin().unwrap().as_str(), "09501101020917");
        assert_eq!(code.units(), Quantity::units(12));
    }

    #[test]
    fn gs1_datamatrix_with_substitute_separator() {
        let config = ScanConfig {
            gs_substitute: Some('~'),
            ..Default::default()
        };
        let code = parse_scan("]d201095011010209171725123110B7~21S1", &config);
        match code {
            ScannedCode::Gs1(data) => {
                assert_eq!(data.batch(), Some("B7"));
                assert_eq!(data.serial(), Some("S1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn broken_gs1_is_rejected() {
        assert!(matches!(scan("]C101123"), ScannedCode::Rejected { .. }));
    }

    #[test]
    fn gs1_without_aim_is_detected() {
        let code = scan("00106141411234567897");
        match code {
            ScannedCode::Gs1(data) => {
                assert_eq!(data.sscc().unwrap().as_str(), "106141411234567897")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            scan("\u{1d}0109501101020917"),
            ScannedCode::Gs1(_)
        ));
        assert!(matches!(scan("(01)09501101020917"), ScannedCode::Gs1(_)));
    }

    #[test]
    fn gs1_detection_can_be_switched_off() {
        let config = ScanConfig {
            detect_gs1_without_aim: false,
            ..Default::default()
        };
        assert_eq!(
            parse_scan("00106141411234567897", &config),
            ScannedCode::Text("00106141411234567897".into())
        );
    }

    #[test]
    fn numeric_sku_with_wrong_check_digit_falls_back_to_text() {
        assert_eq!(scan("12345678"), ScannedCode::Text("12345678".into()));
    }

    #[test]
    fn sku_and_supplier_codes_are_text() {
        assert_eq!(
            scan("  VAPE-KIT-01 \n"),
            ScannedCode::Text("VAPE-KIT-01".into())
        );
        assert_eq!(scan("]C0ABC123"), ScannedCode::Text("ABC123".into()));
        assert_eq!(scan("]Q1https://example.test/p/1").units(), Quantity::ONE);
    }

    #[test]
    fn substitute_separator_is_plain_text_outside_gs1() {
        let config = ScanConfig {
            gs_substitute: Some('#'),
            ..Default::default()
        };
        assert_eq!(
            parse_scan("]C0AB#12", &config),
            ScannedCode::Text("AB#12".into())
        );
    }

    #[test]
    fn tally_reference_is_recognised_and_checked() {
        let r = ConsignmentReference::new(ConsignmentKind::OutletTransfer, 2025, 3, 12).unwrap();
        assert_eq!(scan(&r.to_string()), ScannedCode::Reference(r));
        let typo = r.to_string().replace("000012", "000021");
        assert!(matches!(scan(&typo), ScannedCode::Rejected { .. }));
    }

    #[test]
    fn empty_scans_are_rejected() {
        for raw in ["", "\r\n", "]E0", "\u{1d}\u{1d}"] {
            match scan(raw) {
                ScannedCode::Rejected { error, .. } => {
                    assert_eq!(error.code(), "EMPTY_SCAN", "{raw:?}")
                }
                other => panic!("{raw:?}: {other:?}"),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_support::cases(256)))]

        #[test]
        fn parse_scan_never_panics(s in "\\PC{0,80}") {
            let _ = parse_scan(&s, &ScanConfig::default());
            let _ = parse_scan(&s, &ScanConfig { gs_substitute: Some('#'), detect_gs1_without_aim: true });
        }

        #[test]
        fn parse_scan_never_panics_on_scanner_like_input(s in "(\\][A-Za-z][0-9])?[0-9\u{1d}()A-Z#\r\n-]{0,60}") {
            let _ = parse_scan(&s, &ScanConfig { gs_substitute: Some('#'), detect_gs1_without_aim: true });
        }

        #[test]
        fn valid_gtins_always_scan_as_themselves(body in "[0-9]{12}") {
            let gtin = Gtin::with_check_digit(&body).unwrap();
            prop_assert_eq!(scan(&format!("]E0{gtin}")), ScannedCode::Gtin(gtin.clone()));
            prop_assert_eq!(scan(&format!("{gtin}\r")), ScannedCode::Gtin(gtin));
        }
    }
}
