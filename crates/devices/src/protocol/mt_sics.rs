//! Mettler Toledo MT-SICS: ASCII commands and replies, one per line (CR LF).
//!
//! A reply is `<command> <status> [<payload>]`, e.g. `S S     1.234 kg`, `S D    -0.12 kg`,
//! `Z A`, `I4 A "0123456789"`, or a bare error `ES` / `ET` / `EL`.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::DeviceError;
use crate::reading::{ScaleReading, ScaleStatus};
use crate::weight::{MassUnit, Weight};

/// The three errors any command can get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SicsError {
    /// `ES`: the scale did not recognise the command.
    Syntax,
    /// `ET`: the command arrived damaged (parity, break).
    Transmission,
    /// `EL`: the command cannot be carried out (logical error).
    Logical,
}

/// What a reply says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SicsBody {
    /// A weight (`S S`, `S D`, `T S`, `TA A`...).
    Weight {
        /// `S` (stable) or `A` status; false for `D` (dynamic, in motion).
        stable: bool,
        /// The value converted to grams.
        weight: Weight,
        /// The unit the scale printed.
        unit: MassUnit,
    },
    /// Done (`A`, or `ZI D`/`ZI S`), with a quoted text if there was one (`I2`, `I4`).
    Done(Option<String>),
    /// `I`: cannot be done now (e.g. never stable within the scale's timeout).
    NotPossible,
    /// `+`: over capacity or above the allowed range.
    Overload,
    /// `-`: under zero or below the allowed range.
    Underload,
    /// `ES`, `ET`, `EL`.
    Error(SicsError),
}

/// One parsed reply line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SicsReply {
    /// The command the reply belongs to (`S`, `Z`, `T`, `I4`...); empty for `ES`/`ET`/`EL`.
    pub command: String,
    /// What it says.
    pub body: SicsBody,
}

impl SicsReply {
    /// The reading this reply stands for, when it is a reply to a weighing command.
    pub fn to_reading(&self) -> Option<ScaleReading> {
        if self.command != "S" {
            return None;
        }
        Some(match &self.body {
            SicsBody::Weight { stable, weight, .. } => {
                let status = match (stable, weight.grams().is_zero(), weight.is_negative()) {
                    (false, _, _) => ScaleStatus::InMotion,
                    (true, true, _) => ScaleStatus::StableZero,
                    (true, false, true) => ScaleStatus::UnderZero,
                    (true, false, false) => ScaleStatus::Stable,
                };
                ScaleReading::with_weight(status, *weight)
            }
            SicsBody::Overload => ScaleReading::status_only(ScaleStatus::OverCapacity),
            SicsBody::Underload => ScaleReading::status_only(ScaleStatus::UnderZero),
            SicsBody::NotPossible => ScaleReading::status_only(ScaleStatus::NotReady),
            SicsBody::Done(_) | SicsBody::Error(_) => return None,
        })
    }
}

fn bad(detail: impl Into<String>) -> DeviceError {
    DeviceError::Protocol {
        what: "MT-SICS scale".into(),
        detail: detail.into(),
    }
}

/// Parses one reply line (terminator already removed). Never panics.
pub fn parse_line(line: &[u8]) -> Result<SicsReply, DeviceError> {
    let text = std::str::from_utf8(line).map_err(|_| bad("reply is not text"))?;
    let text = text.trim_matches(|c: char| c == ' ' || c == '\r' || c == '\n');
    let err = |e| SicsReply {
        command: String::new(),
        body: SicsBody::Error(e),
    };
    match text {
        "ES" => return Ok(err(SicsError::Syntax)),
        "ET" => return Ok(err(SicsError::Transmission)),
        "EL" => return Ok(err(SicsError::Logical)),
        _ => {}
    }
    let (command, rest) = split_token(text).ok_or_else(|| bad("empty reply"))?;
    if !command
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '@')
        || command.len() > 8
    {
        return Err(bad(format!("{text:?} does not start with a command")));
    }
    let (status, payload) =
        split_token(rest).ok_or_else(|| bad(format!("{text:?} has no status")))?;
    let body = match status {
        "S" | "D" | "A" => parse_payload(status, payload)?,
        "I" => SicsBody::NotPossible,
        "+" => SicsBody::Overload,
        "-" => SicsBody::Underload,
        other => return Err(bad(format!("unknown status {other:?} in {text:?}"))),
    };
    Ok(SicsReply {
        command: command.to_string(),
        body,
    })
}

fn parse_payload(status: &str, payload: &str) -> Result<SicsBody, DeviceError> {
    let payload = payload.trim();
    if payload.is_empty() {
        return Ok(SicsBody::Done(None));
    }
    if let Some(quoted) = payload.strip_prefix('"') {
        let inner = quoted
            .strip_suffix('"')
            .ok_or_else(|| bad(format!("unterminated text {payload:?}")))?;
        return Ok(SicsBody::Done(Some(inner.to_string())));
    }
    let mut parts = payload.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad(format!("expected \"<value> <unit>\", got {payload:?}")));
    };
    let value = parse_value(value)?;
    let unit = MassUnit::from_symbol(unit).ok_or_else(|| DeviceError::UnsupportedUnit {
        unit: unit.to_string(),
    })?;
    Ok(SicsBody::Weight {
        stable: status != "D",
        weight: Weight::from_unit(value, unit)?,
        unit,
    })
}

fn parse_value(s: &str) -> Result<Decimal, DeviceError> {
    // Decimal::from_str accepts underscores; a scale never sends them, so insist on digits.
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty()
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        || digits.chars().filter(|&c| c == '.').count() > 1
    {
        return Err(bad(format!("{s:?} is not a number")));
    }
    Decimal::from_str(s).map_err(|_| bad(format!("{s:?} is not a number")))
}

fn split_token(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches(' ');
    if s.is_empty() {
        return None;
    }
    match s.find(' ') {
        Some(i) => Some((&s[..i], &s[i + 1..])),
        None => Some((s, "")),
    }
}

/// Commands the driver sends (each followed by CR LF on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SicsCommand {
    /// Stable weight.
    StableWeight,
    /// Weight now, stable or not.
    WeightImmediately,
    /// Weight now, repeated until another command.
    WeightRepeat,
    /// Zero when stable.
    Zero,
    /// Zero immediately.
    ZeroImmediately,
    /// Tare.
    Tare,
    /// Clear tare.
    ClearTare,
    /// Reset.
    Reset,
    /// Model and capacity.
    Model,
    /// Serial number.
    SerialNumber,
}

impl SicsCommand {
    /// The bytes on the wire, terminator included.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            SicsCommand::StableWeight => b"S\r\n",
            SicsCommand::WeightImmediately => b"SI\r\n",
            SicsCommand::WeightRepeat => b"SIR\r\n",
            SicsCommand::Zero => b"Z\r\n",
            SicsCommand::ZeroImmediately => b"ZI\r\n",
            SicsCommand::Tare => b"T\r\n",
            SicsCommand::ClearTare => b"TAC\r\n",
            SicsCommand::Reset => b"@\r\n",
            SicsCommand::Model => b"I2\r\n",
            SicsCommand::SerialNumber => b"I4\r\n",
        }
    }

    /// The command name its reply starts with.
    pub fn reply_name(self) -> &'static str {
        match self {
            SicsCommand::StableWeight
            | SicsCommand::WeightImmediately
            | SicsCommand::WeightRepeat => "S",
            SicsCommand::Zero => "Z",
            SicsCommand::ZeroImmediately => "ZI",
            SicsCommand::Tare => "T",
            SicsCommand::ClearTare => "TAC",
            SicsCommand::Reset | SicsCommand::SerialNumber => "I4",
            SicsCommand::Model => "I2",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn reading(line: &str) -> ScaleReading {
        parse_line(line.as_bytes()).unwrap().to_reading().unwrap()
    }

    #[test]
    fn stable_weight_in_kilograms() {
        let r = reading("S S      1.234 kg");
        assert_eq!(r.status, ScaleStatus::Stable);
        assert_eq!(r.weight.unwrap().grams(), dec!(1234));
    }

    #[test]
    fn dynamic_weight_is_in_motion() {
        assert_eq!(reading("S D    0.500 kg").status, ScaleStatus::InMotion);
    }

    #[test]
    fn negative_stable_value_is_under_zero() {
        let r = reading("S S    -0.12 kg");
        assert_eq!(r.status, ScaleStatus::UnderZero);
        assert_eq!(r.weight.unwrap().grams(), dec!(-120));
    }

    #[test]
    fn zero_reading_is_stable_zero() {
        assert_eq!(reading("S S      0.000 kg").status, ScaleStatus::StableZero);
    }

    #[test]
    fn pounds_and_grams_convert() {
        assert_eq!(
            reading("S S 2.5 lb").weight.unwrap().grams(),
            dec!(1133.980925)
        );
        assert_eq!(
            reading("S S   812.4 g").weight.unwrap().grams(),
            dec!(812.4)
        );
    }

    #[test]
    fn overload_underload_and_not_possible() {
        assert_eq!(reading("S +").status, ScaleStatus::OverCapacity);
        assert_eq!(reading("S -").status, ScaleStatus::UnderZero);
        assert_eq!(reading("S I").status, ScaleStatus::NotReady);
    }

    #[test]
    fn zero_and_tare_replies() {
        let z = parse_line(b"Z A").unwrap();
        assert_eq!((z.command.as_str(), z.body), ("Z", SicsBody::Done(None)));
        assert_eq!(parse_line(b"Z I").unwrap().body, SicsBody::NotPossible);
        assert_eq!(parse_line(b"Z +").unwrap().body, SicsBody::Overload);
        let t = parse_line(b"T S    0.150 kg").unwrap();
        assert_eq!(t.command, "T");
        assert!(matches!(t.body, SicsBody::Weight { stable: true, .. }));
        assert!(t.to_reading().is_none(), "a tare reply is not a reading");
        assert_eq!(parse_line(b"T I").unwrap().body, SicsBody::NotPossible);
        assert_eq!(parse_line(b"ZI D").unwrap().body, SicsBody::Done(None));
    }

    #[test]
    fn identification_replies_keep_the_text() {
        let r = parse_line(br#"I4 A "0123456789""#).unwrap();
        assert_eq!(r.command, "I4");
        assert_eq!(r.body, SicsBody::Done(Some("0123456789".into())));
        let r = parse_line(br#"I2 A "PBA220 15kg 0.001 kg""#).unwrap();
        assert_eq!(r.body, SicsBody::Done(Some("PBA220 15kg 0.001 kg".into())));
    }

    #[test]
    fn bare_errors() {
        assert_eq!(
            parse_line(b"ES").unwrap().body,
            SicsBody::Error(SicsError::Syntax)
        );
        assert_eq!(
            parse_line(b"ET").unwrap().body,
            SicsBody::Error(SicsError::Transmission)
        );
        assert_eq!(
            parse_line(b"EL").unwrap().body,
            SicsBody::Error(SicsError::Logical)
        );
    }

    #[test]
    fn garbage_is_an_error() {
        for g in [
            &b""[..],
            b"\xff\xfe",
            b"S",
            b"S S",
            b"S S abc kg",
            b"S S 1.0",
            b"S S 1.0 furlong",
            b"S Q 1 g",
            b"S S 1_0 g",
            b"S S 1.2.3 g",
        ] {
            let r = parse_line(g);
            let is_weight = matches!(
                r,
                Ok(SicsReply {
                    body: SicsBody::Weight { .. },
                    ..
                })
            );
            assert!(!is_weight, "{:?} gave {:?}", String::from_utf8_lossy(g), r);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_bytes_parse_without_panic(data in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_line(&data).map(|r| r.to_reading());
        }

        #[test]
        fn sics_shaped_text_parses_without_panic(s in "[SZTID@ ]{0,3}[SDAI+-]? {0,4}-?[0-9.]{0,8} ?(g|kg|lb|oz|x)?") {
            let _ = parse_line(s.as_bytes()).map(|r| r.to_reading());
        }
    }
}
