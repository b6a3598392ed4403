//! GS1 element strings (GS1-128, GS1 DataMatrix, GS1 QR, DataBar): application
//! identifiers followed by their data, variable-length fields ended by FNC1, which a
//! scanner sends as GS (0x1D) or a configured substitute character.
//!
//! Structure is parsed for any AI (lengths from the GS1 predefined-length table); the
//! AIs Tally uses are also validated: 00 SSCC, 01/02 GTIN (check digit), 10 batch,
//! 11/13/15/16/17 dates (DD = 00 means the month's last day), 21 serial, 30/37 count,
//! 310n net weight.

use rust_decimal::Decimal;
use time::{Date, Month};

use super::gtin::{has_valid_check_digit, Gtin};
use super::sscc::Sscc;
use crate::error::DomainError;

/// The ASCII group separator a scanner sends for FNC1.
pub const GS: char = '\u{1d}';

/// Longest element string accepted (GS1 limits symbols to 48 data characters for
/// GS1-128; DataMatrix can carry more, so leave room).
const MAX_INPUT: usize = 512;

/// One application identifier and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs1Element {
    /// The AI digits, e.g. "01", "3103".
    pub ai: String,
    /// The data, as encoded.
    pub value: String,
}

/// A parsed element string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Gs1Data {
    /// Elements in the order they were encoded.
    pub elements: Vec<Gs1Element>,
}

/// A GS1 date (YYMMDD); `day` 0 means the last day of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gs1Date {
    /// Two-digit year.
    pub yy: u8,
    /// Month 1–12.
    pub month: u8,
    /// Day 0–31; 0 = end of month.
    pub day: u8,
}

impl Gs1Date {
    fn parse(value: &str) -> Result<Self, String> {
        if value.len() != 6 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("\"{value}\" is not a date (YYMMDD)"));
        }
        let n = |range: std::ops::Range<usize>| {
            value[range]
                .parse::<u8>()
                .map_err(|_| "not a date".to_owned())
        };
        let date = Self {
            yy: n(0..2)?,
            month: n(2..4)?,
            day: n(4..6)?,
        };
        if !(1..=12).contains(&date.month) || date.day > 31 {
            return Err(format!("\"{value}\" is not a valid date (YYMMDD)"));
        }
        Ok(date)
    }

    /// The calendar date, with the century chosen as GS1 specifies (a two-digit year
    /// within 49 years back to 50 years ahead of `today`) and day 00 read as the last
    /// day of the month.
    pub fn resolve(&self, today: Date) -> Result<Date, DomainError> {
        let this_year = today.year();
        let century = this_year - this_year.rem_euclid(100);
        let diff = i32::from(self.yy) - this_year.rem_euclid(100);
        let year = century
            + i32::from(self.yy)
            + match diff {
                51..=99 => -100,
                -99..=-50 => 100,
                _ => 0,
            };
        let invalid = || DomainError::InvalidGs1 {
            problem: format!(
                "{:02}{:02}{:02} is not a real date",
                self.yy, self.month, self.day
            ),
        };
        let month = Month::try_from(self.month).map_err(|_| invalid())?;
        let day = if self.day == 0 {
            time::util::days_in_month(month, year)
        } else {
            self.day
        };
        Date::from_calendar_date(year, month, day).map_err(|_| invalid())
    }
}

/// How many digits an AI has, from its first two digits (GS1 General Specifications).
fn ai_length(prefix: &str) -> Option<usize> {
    let n: u8 = prefix.parse().ok()?;
    match n {
        0..=22 | 30 | 37 | 90..=99 => Some(2),
        23..=25 | 40..=42 => Some(3),
        31..=36 | 39 | 43 | 70..=72 | 80..=82 => Some(4),
        _ => None,
    }
}

/// Data length of AIs whose length is predefined (no FNC1 needed after them).
fn predefined_length(ai: &str) -> Option<usize> {
    let n: u8 = ai.get(..2)?.parse().ok()?;
    match n {
        0 => Some(18),
        1..=3 => Some(14),
        4 => Some(16),
        11..=19 => Some(6),
        20 => Some(2),
        31..=36 => Some(6),
        41 => Some(13),
        _ => None,
    }
}

/// Longest data allowed for the variable-length AIs Tally knows; 90 for any other.
fn max_variable_length(ai: &str) -> usize {
    match ai {
        "10" | "21" | "22" => 20,
        "30" | "37" => 8,
        "240" | "241" | "400" | "401" => 30,
        _ => 90,
    }
}

fn is_fixed(ai: &str) -> bool {
    predefined_length(ai).is_some()
}

fn problem(text: impl Into<String>) -> DomainError {
    DomainError::InvalidGs1 {
        problem: text.into(),
    }
}

/// Checks the data of the AIs Tally relies on.
fn validate(ai: &str, value: &str) -> Result<(), DomainError> {
    let numeric = value.bytes().all(|b| b.is_ascii_digit());
    match ai {
        "00" | "01" | "02" => {
            if !numeric {
                return Err(problem(format!("AI {ai} must be digits")));
            }
            if !has_valid_check_digit(value) {
                return Err(DomainError::BadCheckDigit {
                    code: value.to_owned(),
                });
            }
        }
        "11" | "13" | "15" | "16" | "17" => {
            if !numeric {
                return Err(problem(format!("AI {ai} must be a date YYMMDD")));
            }
            Gs1Date::parse(value).map_err(problem)?;
        }
        "30" | "37" if !numeric || value.is_empty() => {
            return Err(problem(format!("AI {ai} must be a count in digits")));
        }
        _ if ai.starts_with("31") || ai.starts_with("32") || ai.starts_with("33") => {
            if !numeric {
                return Err(problem(format!("AI {ai} must be digits")));
            }
            if ai.as_bytes().get(3).is_none_or(|d| *d > b'6') {
                return Err(problem(format!("AI {ai} has more than 6 decimals")));
            }
        }
        _ => {}
    }
    // GS1 data is printable ASCII (character sets 82 and 39).
    if value.is_empty() || !value.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(problem(format!("AI {ai} has empty or unprintable data")));
    }
    Ok(())
}

/// Parses an element string. Leading FNC1/GS characters are ignored; `separator` is
/// accepted as well as GS (for keyboard wedges that cannot type GS). Also accepts the
/// printed form with brackets, `(01)09501101020917(17)250131`.
pub fn parse_element_string(input: &str, separator: Option<char>) -> Result<Gs1Data, DomainError> {
    if input.len() > MAX_INPUT {
        return Err(problem("it is too long"));
    }
    let is_sep = |c: char| c == GS || Some(c) == separator;
    let data = input.trim_start_matches(is_sep);
    if data.starts_with('(') {
        return parse_bracketed(data);
    }
    if !data.is_ascii() {
        return Err(problem("it holds characters a GS1 barcode cannot"));
    }
    let mut elements = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let prefix = rest
            .get(..2)
            .ok_or_else(|| problem("it ends in the middle of an AI"))?;
        let ai_len = ai_length(prefix).ok_or_else(|| {
            problem(format!(
                "\"{prefix}\" is not a known application identifier"
            ))
        })?;
        let ai = rest
            .get(..ai_len)
            .filter(|ai| ai.bytes().all(|b| b.is_ascii_digit()));
        let ai = ai.ok_or_else(|| problem("it ends in the middle of an AI"))?;
        rest = &rest[ai_len..];
        let value = if let Some(len) = predefined_length(ai) {
            let value = rest
                .get(..len)
                .filter(|v| !v.contains(is_sep))
                .ok_or_else(|| problem(format!("AI {ai} needs {len} characters")))?;
            rest = &rest[len..];
            value
        } else {
            let end = rest.find(is_sep).unwrap_or(rest.len());
            let value = &rest[..end];
            if value.len() > max_variable_length(ai) {
                return Err(problem(format!(
                    "AI {ai} is longer than {} characters (missing separator?)",
                    max_variable_length(ai)
                )));
            }
            rest = &rest[end..];
            value
        };
        validate(ai, value)?;
        elements.push(Gs1Element {
            ai: ai.to_owned(),
            value: value.to_owned(),
        });
        // A separator after a field ends it; some encoders also put one after fixed fields.
        rest = rest.strip_prefix(is_sep).unwrap_or(rest);
    }
    if elements.is_empty() {
        return Err(problem("it holds no data"));
    }
    Ok(Gs1Data { elements })
}

fn parse_bracketed(data: &str) -> Result<Gs1Data, DomainError> {
    let mut elements = Vec::new();
    for part in data.split('(').skip(1) {
        let (ai, value) = part
            .split_once(')')
            .ok_or_else(|| problem("a bracket is not closed"))?;
        let known = ai.len() >= 2
            && ai.bytes().all(|b| b.is_ascii_digit())
            && ai_length(&ai[..2]) == Some(ai.len());
        if !known {
            return Err(problem(format!(
                "\"{ai}\" is not a known application identifier"
            )));
        }
        let expected = predefined_length(ai);
        if expected.is_some_and(|len| len != value.len()) {
            return Err(problem(format!("AI {ai} has the wrong length")));
        }
        if expected.is_none() && value.len() > max_variable_length(ai) {
            return Err(problem(format!("AI {ai} is too long")));
        }
        validate(ai, value)?;
        elements.push(Gs1Element {
            ai: ai.to_owned(),
            value: value.to_owned(),
        });
    }
    if elements.is_empty() {
        return Err(problem("it holds no data"));
    }
    Ok(Gs1Data { elements })
}

impl Gs1Data {
    /// The data of the first element with this AI.
    pub fn get(&self, ai: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.ai == ai)
            .map(|e| e.value.as_str())
    }

    /// AI 01: the product's GTIN-14.
    pub fn gtin(&self) -> Option<Gtin> {
        self.get("01").and_then(|v| Gtin::parse(v).ok())
    }

    /// AI 00: the carton's SSCC.
    pub fn sscc(&self) -> Option<Sscc> {
        self.get("00").and_then(|v| Sscc::parse(v).ok())
    }

    /// AI 10: batch or lot.
    pub fn batch(&self) -> Option<&str> {
        self.get("10")
    }

    /// AI 21: serial number.
    pub fn serial(&self) -> Option<&str> {
        self.get("21")
    }

    /// AI 17: expiry date (resolve with `Gs1Date::resolve`).
    pub fn expiry(&self) -> Option<Gs1Date> {
        self.get("17").and_then(|v| Gs1Date::parse(v).ok())
    }

    /// AI 37 (count of trade items in a logistic unit), else AI 30 (variable count).
    pub fn count(&self) -> Option<u32> {
        self.get("37")
            .or_else(|| self.get("30"))
            .and_then(|v| v.parse().ok())
    }

    /// AI 310n: net weight in kilograms, n decimals.
    pub fn net_weight_kg(&self) -> Option<Decimal> {
        let element = self.elements.iter().find(|e| {
            e.ai.len() == 4 && e.ai.starts_with("310") && e.ai.as_bytes()[3].is_ascii_digit()
        })?;
        let scale = u32::from(element.ai.as_bytes()[3] - b'0');
        let raw: i64 = element.value.parse().ok()?;
        Some(Decimal::new(raw, scale))
    }

    /// The element string as a scanner sends it, variable fields ended by `separator`
    /// except the last.
    pub fn to_element_string(&self, separator: char) -> String {
        let mut out = String::new();
        for (i, e) in self.elements.iter().enumerate() {
            out.push_str(&e.ai);
            out.push_str(&e.value);
            if !is_fixed(&e.ai) && i + 1 < self.elements.len() {
                out.push(separator);
            }
        }
        out
    }

    /// The printed form, `(01)09501101020917(10)ABC`.
    pub fn to_human_readable(&self) -> String {
        self.elements
            .iter()
            .map(|e| format!("({}){}", e.ai, e.value))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn parse(s: &str) -> Result<Gs1Data, DomainError> {
        parse_element_string(s, None)
    }

    #[test]
    fn gtin_expiry_batch_with_gs_separator() {
        let data = parse("\u{1d}01095011010209171725123110ABC123\u{1d}21SN9").unwrap();
        assert_eq!(data.gtin().unwrap().as_str(), "09501101020917");
        assert_eq!(
            data.expiry(),
            Some(Gs1Date {
                yy: 25,
                month: 12,
                day: 31
            })
        );
        assert_eq!(data.batch(), Some("ABC123"));
        assert_eq!(data.serial(), Some("SN9"));
    }

    #[test]
    fn sscc_alone() {
        let data = parse("00106141411234567897").unwrap();
        assert_eq!(data.sscc().unwrap().as_str(), "106141411234567897");
    }

    #[test]
    fn count_and_net_weight() {
        let data = parse("0109501101020917\u{1d}3712\u{1d}3103001250").unwrap();
        assert_eq!(data.count(), Some(12));
        assert_eq!(data.net_weight_kg(), Some(Decimal::new(1250, 3)));
    }

    #[test]
    fn a_configured_substitute_separator_works_like_gs() {
        let data = parse_element_string("10LOT7#0109501101020917", Some('#')).unwrap();
        assert_eq!(data.batch(), Some("LOT7"));
        assert!(data.gtin().is_some());
        // Without the substitute configured, '#' is data and the batch runs on.
        assert!(parse("10LOT7#0109501101020917").is_err());
    }

    #[test]
    fn a_separator_after_a_fixed_field_is_tolerated() {
        let data = parse("0109501101020917\u{1d}10X").unwrap();
        assert_eq!(data.batch(), Some("X"));
    }

    #[test]
    fn bracketed_printed_form_parses() {
        let data = parse("(01)09501101020917(17)250100(10)A1").unwrap();
        assert_eq!(
            data.expiry(),
            Some(Gs1Date {
                yy: 25,
                month: 1,
                day: 0
            })
        );
        assert_eq!(data.batch(), Some("A1"));
        assert_eq!(
            data.to_human_readable(),
            "(01)09501101020917(17)250100(10)A1"
        );
    }

    #[test]
    fn a_wrong_gtin_check_digit_is_refused() {
        assert_eq!(
            parse("0109501101020918").unwrap_err().code(),
            "BAD_CHECK_DIGIT"
        );
    }

    #[test]
    fn malformed_strings_are_refused() {
        for bad in [
            "",
            "\u{1d}",
            "01",
            "010950110102091",
            "17251332",
            "1725123",
            "3712AB",
            "10ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "9",
            "(01)123",
            "(01",
            "(5)x",
            "10é",
            "10\u{7}",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(
                matches!(err.code(), "INVALID_GS1" | "BAD_CHECK_DIGIT"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn expiry_day_zero_is_the_last_day_of_the_month() {
        let today = date!(2025 - 06 - 01);
        assert_eq!(
            Gs1Date {
                yy: 25,
                month: 2,
                day: 0
            }
            .resolve(today),
            Ok(date!(2025 - 02 - 28))
        );
        assert_eq!(
            Gs1Date {
                yy: 24,
                month: 2,
                day: 0
            }
            .resolve(today),
            Ok(date!(2024 - 02 - 29))
        );
        assert_eq!(
            Gs1Date {
                yy: 25,
                month: 12,
                day: 0
            }
            .resolve(today),
            Ok(date!(2025 - 12 - 31))
        );
    }

    #[test]
    fn expiry_century_follows_the_gs1_window() {
        let today = date!(2025 - 06 - 01);
        assert_eq!(
            Gs1Date {
                yy: 75,
                month: 1,
                day: 1
            }
            .resolve(today),
            Ok(date!(2075 - 01 - 01))
        );
        assert_eq!(
            Gs1Date {
                yy: 76,
                month: 1,
                day: 1
            }
            .resolve(today),
            Ok(date!(1976 - 01 - 01))
        );
        let late = date!(2095 - 01 - 01);
        assert_eq!(
            Gs1Date {
                yy: 2,
                month: 1,
                day: 1
            }
            .resolve(late),
            Ok(date!(2102 - 01 - 01))
        );
    }

    #[test]
    fn an_impossible_day_is_refused_when_resolved() {
        let today = date!(2025 - 06 - 01);
        assert_eq!(
            Gs1Date {
                yy: 25,
                month: 2,
                day: 30
            }
            .resolve(today)
            .unwrap_err()
            .code(),
            "INVALID_GS1"
        );
    }

    #[test]
    fn element_string_round_trips_with_separators_only_where_needed() {
        let data = parse("10LOT\u{1d}0109501101020917172512313712").unwrap();
        assert_eq!(
            data.to_element_string(GS),
            "10LOT\u{1d}0109501101020917172512313712"
        );
    }

    #[test]
    fn accessors_tolerate_hand_built_data() {
        let data = Gs1Data {
            elements: vec![
                Gs1Element {
                    ai: "17".into(),
                    value: "1".into(),
                },
                Gs1Element {
                    ai: "310x".into(),
                    value: "12".into(),
                },
                Gs1Element {
                    ai: "01".into(),
                    value: "abc".into(),
                },
                Gs1Element {
                    ai: "37".into(),
                    value: "99999999999".into(),
                },
            ],
        };
        assert_eq!(data.expiry(), None);
        assert_eq!(data.net_weight_kg(), None);
        assert_eq!(data.gtin(), None);
        assert_eq!(data.count(), None);
        let odd = Gs1Data {
            elements: vec![
                Gs1Element {
                    ai: "é".into(),
                    value: "x".into(),
                },
                Gs1Element {
                    ai: String::new(),
                    value: String::new(),
                },
            ],
        };
        assert_eq!(odd.to_element_string(GS), "éx\u{1d}");
    }

    fn element() -> impl Strategy<Value = Gs1Element> {
        let gtin = "[0-9]{13}".prop_map(|body| {
            let check = crate::barcode::gtin::gs1_check_digit(&body).unwrap();
            ("01".to_owned(), format!("{body}{check}"))
        });
        let sscc = "[0-9]{17}".prop_map(|body| {
            let check = crate::barcode::gtin::gs1_check_digit(&body).unwrap();
            ("00".to_owned(), format!("{body}{check}"))
        });
        let expiry = (0u8..100, 1u8..13, 0u8..29)
            .prop_map(|(y, m, d)| ("17".to_owned(), format!("{y:02}{m:02}{d:02}")));
        let batch = "[!\"%&'*+,./0-9:;<=>?A-Z_a-z-]{1,20}".prop_map(|v| ("10".to_owned(), v));
        let serial = "[A-Za-z0-9]{1,20}".prop_map(|v| ("21".to_owned(), v));
        let count = "[0-9]{1,8}".prop_map(|v| ("37".to_owned(), v));
        let weight = (0u8..6, "[0-9]{6}").prop_map(|(n, v)| (format!("310{n}"), v));
        prop_oneof![gtin, sscc, expiry, batch, serial, count, weight]
            .prop_map(|(ai, value)| Gs1Element { ai, value })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_support::cases(256)))]

        #[test]
        fn parsing_never_panics(s in "\\PC{0,60}") {
            let _ = parse(&s);
            let _ = parse_element_string(&s, Some('#'));
        }

        #[test]
        fn parsing_never_panics_on_gs1_like_input(s in "[0-9\u{1d}()A-Z#]{0,60}") {
            let _ = parse(&s);
            let _ = parse_element_string(&s, Some('#'));
        }

        #[test]
        fn element_strings_round_trip(elements in prop::collection::vec(element(), 1..6)) {
            let data = Gs1Data { elements };
            let encoded = data.to_element_string(GS);
            prop_assert_eq!(parse(&encoded)?, data.clone());
            let substituted = data.to_element_string('^');
            prop_assert_eq!(parse_element_string(&substituted, Some('^'))?, data.clone());
            prop_assert_eq!(parse(&data.to_human_readable())?, data);
        }

        #[test]
        fn resolved_dates_never_panic(yy in 0u8..100, month in 0u8..20, day in 0u8..40, year in 1900i32..2200) {
            let today = Date::from_calendar_date(year, Month::June, 1).unwrap();
            let _ = Gs1Date { yy, month, day }.resolve(today);
        }
    }
}
