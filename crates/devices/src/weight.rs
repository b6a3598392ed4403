//! An exact mass in grams and the units scales report in.

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::{Deserialize, Serialize};

use crate::error::DeviceError;

/// A mass, held exactly in grams as a decimal (never a float, so conversions do not drift).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Weight {
    grams: Decimal,
}

impl Weight {
    /// Zero grams.
    pub const ZERO: Weight = Weight {
        grams: Decimal::ZERO,
    };

    /// A weight of exactly `grams` grams.
    pub fn from_grams(grams: Decimal) -> Weight {
        Weight {
            grams: grams.normalize(),
        }
    }

    /// Converts `value` in `unit` to grams exactly; fails only on decimal overflow.
    pub fn from_unit(value: Decimal, unit: MassUnit) -> Result<Weight, DeviceError> {
        value
            .checked_mul(unit.grams_per_unit())
            .map(Weight::from_grams)
            .ok_or_else(|| DeviceError::InvalidWeight {
                detail: format!("the weight {value} {} is too large", unit.symbol()),
            })
    }

    /// The weight in grams, exact.
    pub fn grams(&self) -> Decimal {
        self.grams
    }

    /// The weight in kilograms, exact.
    pub fn kilograms(&self) -> Decimal {
        (self.grams / dec!(1000)).normalize()
    }

    /// The weight in whole milligrams, rounded half away from zero (for storage as an integer).
    /// Saturates at the `i64` range, which no real parcel approaches.
    pub fn milligrams_rounded(&self) -> i64 {
        let mg = (self.grams * dec!(1000))
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        i64::try_from(mg).unwrap_or(if mg.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
    }

    /// True for a weight below zero (a scale reading under zero).
    pub fn is_negative(&self) -> bool {
        self.grams.is_sign_negative() && !self.grams.is_zero()
    }
}

impl std::fmt::Display for Weight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.grams.abs() >= dec!(1000) {
            write!(f, "{} kg", self.kilograms().round_dp(3))
        } else {
            write!(f, "{} g", self.grams.round_dp(1).normalize())
        }
    }
}

/// Units a scale may report, with their exact definitions in grams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MassUnit {
    /// Milligram.
    Milligram,
    /// Gram.
    Gram,
    /// Kilogram.
    Kilogram,
    /// Metric carat, 0.2 g.
    Carat,
    /// Grain, 64.79891 mg.
    Grain,
    /// Pennyweight, 24 grains.
    Pennyweight,
    /// Metric ton, 1,000,000 g.
    MetricTon,
    /// Troy ounce, 31.1034768 g.
    TroyOunce,
    /// Avoirdupois ounce, 28.349523125 g.
    Ounce,
    /// Avoirdupois pound, 453.59237 g.
    Pound,
}

impl MassUnit {
    /// Grams in one of this unit, exactly (international definitions).
    pub fn grams_per_unit(self) -> Decimal {
        match self {
            MassUnit::Milligram => dec!(0.001),
            MassUnit::Gram => dec!(1),
            MassUnit::Kilogram => dec!(1000),
            MassUnit::Carat => dec!(0.2),
            MassUnit::Grain => dec!(0.06479891),
            MassUnit::Pennyweight => dec!(1.55517384),
            MassUnit::MetricTon => dec!(1000000),
            MassUnit::TroyOunce => dec!(31.1034768),
            MassUnit::Ounce => dec!(28.349523125),
            MassUnit::Pound => dec!(453.59237),
        }
    }

    /// The usual symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            MassUnit::Milligram => "mg",
            MassUnit::Gram => "g",
            MassUnit::Kilogram => "kg",
            MassUnit::Carat => "ct",
            MassUnit::Grain => "GN",
            MassUnit::Pennyweight => "dwt",
            MassUnit::MetricTon => "t",
            MassUnit::TroyOunce => "ozt",
            MassUnit::Ounce => "oz",
            MassUnit::Pound => "lb",
        }
    }

    /// Parses a unit symbol as MT-SICS and most scales print it.
    pub fn from_symbol(s: &str) -> Option<MassUnit> {
        Some(match s {
            "mg" => MassUnit::Milligram,
            "g" => MassUnit::Gram,
            "kg" => MassUnit::Kilogram,
            "ct" => MassUnit::Carat,
            "GN" | "gr" => MassUnit::Grain,
            "dwt" => MassUnit::Pennyweight,
            "t" => MassUnit::MetricTon,
            "ozt" => MassUnit::TroyOunce,
            "oz" => MassUnit::Ounce,
            "lb" => MassUnit::Pound,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pound_is_exactly_453_59237_grams() {
        let w = Weight::from_unit(dec!(1), MassUnit::Pound).unwrap();
        assert_eq!(w.grams(), dec!(453.59237));
    }

    #[test]
    fn ounces_convert_without_float_drift() {
        // 0.1 oz steps added 10,000 times would drift as f64; here each is exact.
        let w = Weight::from_unit(dec!(123.4), MassUnit::Ounce).unwrap();
        assert_eq!(w.grams(), dec!(3498.3311536250));
        assert_eq!(w.milligrams_rounded(), 3_498_331);
    }

    #[test]
    fn weights_compare_equal_whatever_the_trailing_zeros() {
        assert_eq!(
            Weight::from_grams(dec!(1200.00)),
            Weight::from_unit(dec!(1.2), MassUnit::Kilogram).unwrap()
        );
    }

    #[test]
    fn display_uses_kilograms_from_one_kilogram() {
        assert_eq!(Weight::from_grams(dec!(1234.5)).to_string(), "1.234 kg");
        assert_eq!(Weight::from_grams(dec!(250)).to_string(), "250 g");
    }
}
