//! The 6-byte data report of USB HID point-of-sale scales (usage page 0x8D).
//!
//! byte 0 report id (0x03, some models 0x04), 1 status, 2 unit, 3 exponent (i8),
//! 4..6 weight (u16 little-endian). weight = raw × 10^exponent in the unit.

use rust_decimal::Decimal;

use crate::error::DeviceError;
use crate::reading::{ScaleReading, ScaleStatus};
use crate::weight::{MassUnit, Weight};

/// Length of the data report including the report id.
pub const REPORT_LEN: usize = 6;

/// Known scale ids (vendor, product); discovery also accepts any device on usage page 0x8D.
pub const KNOWN_SCALES: &[(u16, u16, &str)] = &[
    (0x0922, 0x8003, "DYMO M10/M25"),
    (0x0922, 0x8004, "DYMO M10/M25"),
    (0x0922, 0x8009, "DYMO S180"),
    (0x1446, 0x6a73, "Stamps.com 510"),
    (0x0eb8, 0xf000, "Mettler Toledo"),
    (0x0b67, 0x555e, "Fairbanks"),
];

/// The HID usage page for scales.
pub const SCALE_USAGE_PAGE: u16 = 0x8D;

/// Parses one data report. Any byte sequence gives a value or an error, never a panic.
pub fn parse_report(report: &[u8]) -> Result<ScaleReading, DeviceError> {
    let bad = |detail: String| DeviceError::Protocol {
        what: "USB scale".into(),
        detail,
    };
    let [id, status, unit, exp, lo, hi] = report else {
        return Err(bad(format!(
            "report of {} bytes, expected {REPORT_LEN}",
            report.len()
        )));
    };
    if *id != 0x03 && *id != 0x04 {
        return Err(bad(format!("report id {id:#04x} is not a weight report")));
    }
    let status = match status {
        1 => ScaleStatus::Fault,
        2 => ScaleStatus::StableZero,
        3 => ScaleStatus::InMotion,
        4 => ScaleStatus::Stable,
        5 => ScaleStatus::UnderZero,
        6 => ScaleStatus::OverCapacity,
        7 => ScaleStatus::NeedsCalibration,
        8 => ScaleStatus::NeedsRezero,
        other => return Err(bad(format!("unknown status {other}"))),
    };
    let raw = u16::from_le_bytes([*lo, *hi]);
    // Fault and calibration reports carry no meaningful weight or unit.
    if matches!(
        status,
        ScaleStatus::Fault | ScaleStatus::NeedsCalibration | ScaleStatus::OverCapacity
    ) {
        return Ok(ScaleReading::status_only(status));
    }
    let unit = hid_unit(*unit)?;
    let value = scaled(raw, *exp as i8)
        .ok_or_else(|| bad(format!("exponent {} out of range", *exp as i8)))?;
    let weight = Weight::from_unit(value, unit)?;
    // The report's weight field is unsigned; under zero is signalled by status 5 with the
    // magnitude, which we keep negative so it can never pass as a recordable weight.
    let weight = if status == ScaleStatus::UnderZero {
        Weight::from_grams(-weight.grams())
    } else {
        weight
    };
    Ok(ScaleReading::with_weight(status, weight))
}

/// raw × 10^exp as an exact decimal, or None if it does not fit.
fn scaled(raw: u16, exp: i8) -> Option<Decimal> {
    let raw = Decimal::from(raw);
    if exp <= 0 {
        let scale = u32::from(exp.unsigned_abs());
        if scale > 28 {
            return if raw.is_zero() {
                Some(Decimal::ZERO)
            } else {
                None
            };
        }
        let mut d = raw;
        d.set_scale(scale).ok()?;
        Some(d)
    } else {
        let mut d = raw;
        for _ in 0..exp {
            d = d.checked_mul(Decimal::TEN)?;
        }
        Some(d)
    }
}

fn hid_unit(code: u8) -> Result<MassUnit, DeviceError> {
    Ok(match code {
        1 => MassUnit::Milligram,
        2 => MassUnit::Gram,
        3 => MassUnit::Kilogram,
        4 => MassUnit::Carat,
        6 => MassUnit::Grain,
        7 => MassUnit::Pennyweight,
        8 => MassUnit::MetricTon,
        10 => MassUnit::TroyOunce,
        11 => MassUnit::Ounce,
        12 => MassUnit::Pound,
        // Tael and "avoir ton" have several national definitions; guessing would be wrong.
        5 => {
            return Err(DeviceError::UnsupportedUnit {
                unit: "tael".into(),
            })
        }
        9 => return Err(DeviceError::UnsupportedUnit { unit: "ton".into() }),
        other => {
            return Err(DeviceError::UnsupportedUnit {
                unit: format!("unit code {other}"),
            })
        }
    })
}

/// Drops the first report after a device is opened, which can be stale.
#[derive(Debug, Default)]
pub struct StaleReportFilter {
    seen_first: bool,
}

impl StaleReportFilter {
    /// A filter for a freshly opened device.
    pub fn new() -> StaleReportFilter {
        StaleReportFilter::default()
    }

    /// Returns the report unless it is the first one since opening.
    pub fn accept<'a>(&mut self, report: &'a [u8]) -> Option<&'a [u8]> {
        if std::mem::replace(&mut self.seen_first, true) {
            Some(report)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    // Shaped as a DYMO M25 (0922:8004) sends them: 1234 g stable, unit grams, exponent 0.
    const DYMO_1234_G: [u8; 6] = [0x03, 0x04, 0x02, 0x00, 0xd2, 0x04];
    // DYMO in ounces mode: 0x9a = 154 × 10^-1 oz = 15.4 oz, in motion.
    const DYMO_15_4_OZ_MOVING: [u8; 6] = [0x03, 0x03, 0x0b, 0xff, 0x9a, 0x00];
    // Empty platter.
    const DYMO_EMPTY: [u8; 6] = [0x03, 0x02, 0x02, 0x00, 0x00, 0x00];

    #[test]
    fn stable_grams_report_reads_exactly() {
        let r = parse_report(&DYMO_1234_G).unwrap();
        assert_eq!(r.status, ScaleStatus::Stable);
        assert_eq!(r.weight.unwrap().grams(), dec!(1234));
    }

    #[test]
    fn ounces_with_negative_exponent_convert_exactly() {
        let r = parse_report(&DYMO_15_4_OZ_MOVING).unwrap();
        assert_eq!(r.status, ScaleStatus::InMotion);
        assert_eq!(r.weight.unwrap().grams(), dec!(436.582656125));
    }

    #[test]
    fn pounds_convert_exactly() {
        // 2.50 lb: raw 250, exponent -2, unit 12.
        let r = parse_report(&[0x03, 0x04, 12, 0xfe, 250, 0]).unwrap();
        assert_eq!(r.weight.unwrap().grams(), dec!(1133.980925));
    }

    #[test]
    fn empty_scale_is_stable_zero() {
        let r = parse_report(&DYMO_EMPTY).unwrap();
        assert_eq!(r.status, ScaleStatus::StableZero);
        assert!(r.status.is_recordable());
    }

    #[test]
    fn under_zero_weight_is_negative() {
        let r = parse_report(&[0x03, 0x05, 0x02, 0x00, 10, 0]).unwrap();
        assert_eq!(r.status, ScaleStatus::UnderZero);
        assert_eq!(r.weight.unwrap().grams(), dec!(-10));
    }

    #[test]
    fn overweight_has_no_weight() {
        let r = parse_report(&[0x03, 0x06, 0x02, 0x00, 0xff, 0xff]).unwrap();
        assert_eq!(r.status, ScaleStatus::OverCapacity);
        assert_eq!(r.weight, None);
    }

    #[test]
    fn a_scale_that_needs_zeroing_or_calibration_or_reports_a_fault_is_never_recordable() {
        for (status, want) in [
            (8, ScaleStatus::NeedsRezero),
            (7, ScaleStatus::NeedsCalibration),
            (1, ScaleStatus::Fault),
        ] {
            let r = parse_report(&[0x03, status, 0x02, 0x00, 0x10, 0x00]).unwrap();
            assert_eq!(r.status, want);
            assert!(
                !r.status.is_recordable(),
                "{want:?} must not record a box weight"
            );
        }
        assert!(
            parse_report(&[0x03, 9, 0x02, 0x00, 0, 0]).is_err(),
            "unknown status"
        );
    }

    #[test]
    fn report_id_4_is_accepted() {
        assert!(parse_report(&[0x04, 0x04, 0x02, 0x00, 1, 0]).is_ok());
    }

    #[test]
    fn tael_is_refused_rather_than_guessed() {
        let e = parse_report(&[0x03, 0x04, 5, 0x00, 1, 0]).unwrap_err();
        assert_eq!(e.code(), "SCALE_UNSUPPORTED_UNIT");
    }

    #[test]
    fn short_and_foreign_reports_are_errors() {
        assert!(parse_report(&[0x03, 0x04]).is_err());
        assert!(parse_report(&[0x01, 0x04, 2, 0, 1, 0]).is_err());
        assert!(parse_report(&[0x03, 0x09, 2, 0, 1, 0]).is_err());
    }

    #[test]
    fn huge_exponents_are_errors_not_panics() {
        assert!(parse_report(&[0x03, 0x04, 2, 127, 0xff, 0xff]).is_err());
        assert!(parse_report(&[0x03, 0x04, 2, 0x80, 0xff, 0xff]).is_err());
    }

    #[test]
    fn the_first_report_after_opening_is_discarded() {
        let mut f = StaleReportFilter::new();
        assert!(f.accept(&DYMO_1234_G).is_none());
        assert!(f.accept(&DYMO_1234_G).is_some());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_bytes_parse_without_panic(data in proptest::collection::vec(any::<u8>(), 0..12)) {
            let _ = parse_report(&data);
        }

        #[test]
        fn any_six_byte_report_parses_without_panic(id in 3u8..5, st in any::<u8>(), unit in any::<u8>(), exp in any::<u8>(), lo in any::<u8>(), hi in any::<u8>()) {
            let _ = parse_report(&[id, st, unit, exp, lo, hi]);
        }
    }
}
