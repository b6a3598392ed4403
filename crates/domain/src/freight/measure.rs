//! Weights and sizes as exact integers.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A weight in whole grams.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Grams(pub u32);

impl Grams {
    /// From kilograms (e.g. a scale reading), rounded to the nearest gram; `None` if negative or absurd.
    pub fn from_kg(kg: Decimal) -> Option<Grams> {
        (kg * Decimal::ONE_THOUSAND)
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .to_u32()
            .map(Grams)
    }

    /// The weight in kilograms, exact.
    pub fn kg(self) -> Decimal {
        Decimal::new(i64::from(self.0), 3)
    }
}

/// Outer (for an item) or inner (for a container) size in millimetres, in any order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dimensions {
    pub length_mm: u32,
    pub width_mm: u32,
    pub height_mm: u32,
}

impl Dimensions {
    /// A size from three sides in millimetres.
    pub const fn mm(length_mm: u32, width_mm: u32, height_mm: u32) -> Self {
        Self {
            length_mm,
            width_mm,
            height_mm,
        }
    }

    /// Volume in cubic millimetres.
    pub fn volume_mm3(&self) -> u64 {
        u64::from(self.length_mm) * u64::from(self.width_mm) * u64::from(self.height_mm)
    }

    /// The sides, largest first (an item may be turned any way to fit).
    pub fn sorted_desc(&self) -> [u32; 3] {
        let mut s = [self.length_mm, self.width_mm, self.height_mm];
        s.sort_unstable_by(|a, b| b.cmp(a));
        s
    }

    /// The longest side in millimetres.
    pub fn longest_mm(&self) -> u32 {
        self.sorted_desc()[0]
    }

    /// Length + width + height in millimetres (the carriers' "girth" limit).
    pub fn sum_of_sides_mm(&self) -> u64 {
        u64::from(self.length_mm) + u64::from(self.width_mm) + u64::from(self.height_mm)
    }

    /// Whether an item of this size fits inside `inner`, turned any way.
    pub fn fits_inside(&self, inner: &Dimensions) -> bool {
        let a = self.sorted_desc();
        let b = inner.sorted_desc();
        a[0] <= b[0] && a[1] <= b[1] && a[2] <= b[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kilograms_round_to_the_nearest_gram() {
        assert_eq!(Grams::from_kg(Decimal::new(12345, 4)), Some(Grams(1235)));
        assert_eq!(Grams::from_kg(Decimal::new(-1, 0)), None);
        assert_eq!(Grams(1500).kg(), Decimal::new(15, 1));
    }

    #[test]
    fn an_item_may_be_turned_to_fit() {
        let satchel = Dimensions::mm(220, 310, 40);
        assert!(Dimensions::mm(30, 200, 300).fits_inside(&satchel));
        assert!(!Dimensions::mm(50, 200, 300).fits_inside(&satchel));
    }
}
