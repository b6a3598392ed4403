//! Expected against measured box weight (DOMAIN.md, Packing): expected = tare + Σ product
//! weights; a difference above max(10 %, 200 g) warns.
//!
//! This is a business rule and belongs in `tally-domain`; it sits here until the domain
//! crate is free to take it (move it as is: it is pure).

use serde::Serialize;

/// The relative part of the tolerance, in percent of the expected weight.
pub const TOLERANCE_PERCENT: u32 = 10;
/// The absolute floor of the tolerance, in grams.
pub const TOLERANCE_FLOOR_G: u32 = 200;
/// Unit weight assumed for a product whose weight is unknown (FREIGHT.md), flagged.
pub const UNKNOWN_UNIT_WEIGHT_G: u32 = 100;

/// The outcome of comparing a box's measured weight with what it should weigh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct WeightCheck {
    /// Tare plus the goods' weights, grams.
    pub expected_g: u32,
    /// What the scale (or the person) said, grams.
    pub measured_g: u32,
    /// Measured minus expected, grams (negative: lighter than expected).
    pub difference_g: i32,
    /// The allowed difference: max(10 % of expected, 200 g).
    pub tolerance_g: u32,
    /// True when the difference is beyond the tolerance.
    pub warn: bool,
    /// Units whose weight is not in the catalog (counted at 100 g each).
    pub guessed_units: u32,
    /// What to tell the packer.
    pub message: String,
}

/// The allowed difference for an expected weight.
pub fn tolerance_g(expected_g: u32) -> u32 {
    // Round the percentage up so the tolerance is never tighter than the rule says.
    let pct = (u64::from(expected_g) * u64::from(TOLERANCE_PERCENT)).div_ceil(100);
    u32::try_from(pct)
        .unwrap_or(u32::MAX)
        .max(TOLERANCE_FLOOR_G)
}

/// Compares measured with expected. `guessed_units` is said in the message, because a
/// warning on a box of unweighed products means less.
pub fn check_weight(expected_g: u32, measured_g: u32, guessed_units: u32) -> WeightCheck {
    let difference = i64::from(measured_g) - i64::from(expected_g);
    let tolerance = tolerance_g(expected_g);
    let warn = difference.unsigned_abs() > u64::from(tolerance);
    let kg = |g: u32| format!("{:.2} kg", f64::from(g) / 1000.0);
    let mut message = if warn {
        let (way, fix) = if difference > 0 {
            ("heavier", "Check for an extra item that was not scanned")
        } else {
            ("lighter", "Check for a scanned item that is not in the box")
        };
        format!(
            "The box weighs {} but should weigh about {} ({} g {way}). {fix}, or close it anyway if the catalog weights are wrong.",
            kg(measured_g),
            kg(expected_g),
            difference.unsigned_abs()
        )
    } else {
        format!(
            "Weight {} matches the expected {}.",
            kg(measured_g),
            kg(expected_g)
        )
    };
    if guessed_units > 0 {
        message.push_str(&format!(
            " {guessed_units} unit(s) have no catalog weight and were counted at {UNKNOWN_UNIT_WEIGHT_G} g."
        ));
    }
    WeightCheck {
        expected_g,
        measured_g,
        difference_g: i32::try_from(difference).unwrap_or(if difference < 0 {
            i32::MIN
        } else {
            i32::MAX
        }),
        tolerance_g: tolerance,
        warn,
        guessed_units,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_boxes_get_the_200_gram_floor() {
        assert_eq!(tolerance_g(500), 200);
        assert_eq!(tolerance_g(2_000), 200);
        assert_eq!(tolerance_g(0), 200);
    }

    #[test]
    fn heavy_boxes_get_ten_percent() {
        assert_eq!(tolerance_g(5_000), 500);
        assert_eq!(tolerance_g(2_001), 201, "rounded up, never tighter");
    }

    #[test]
    fn a_difference_within_tolerance_does_not_warn() {
        let c = check_weight(3_000, 3_290, 0);
        assert!(!c.warn, "{c:?}");
        assert_eq!(c.tolerance_g, 300);
        assert_eq!(c.difference_g, 290);
        let c = check_weight(3_000, 3_300, 0);
        assert!(!c.warn, "exactly at the tolerance is fine");
    }

    #[test]
    fn a_difference_beyond_tolerance_warns_and_says_which_way() {
        let heavy = check_weight(3_000, 3_301, 0);
        assert!(heavy.warn);
        assert!(heavy.message.contains("heavier"), "{}", heavy.message);
        let light = check_weight(1_000, 700, 0);
        assert!(light.warn);
        assert_eq!(light.difference_g, -300);
        assert!(light.message.contains("lighter"), "{}", light.message);
    }

    #[test]
    fn guessed_weights_are_said() {
        let c = check_weight(1_000, 1_000, 3);
        assert!(c.message.contains("3 unit(s) have no catalog weight"));
    }

    #[test]
    fn absurd_weights_do_not_overflow() {
        let c = check_weight(u32::MAX, 0, 0);
        assert!(c.warn);
        assert_eq!(c.difference_g, i32::MIN);
    }
}
