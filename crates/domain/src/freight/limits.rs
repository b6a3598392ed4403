//! What each carrier accepts per parcel.

use serde::{Deserialize, Serialize};

use super::container::CarrierFamily;
use super::error::FreightRuleError;
use super::measure::{Dimensions, Grams};

/// Per-parcel limits of one carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierLimits {
    pub max_weight: Grams,
    pub max_longest_side_mm: u32,
    /// Maximum length + width + height.
    pub max_sum_of_sides_mm: u64,
}

impl CarrierLimits {
    /// NZ Post: 30 kg, longest side 150 cm, L+W+H 300 cm.
    pub const NZ_POST: CarrierLimits = CarrierLimits {
        max_weight: Grams(30_000),
        max_longest_side_mm: 1_500,
        max_sum_of_sides_mm: 3_000,
    };
    /// NZ Couriers / GoSweetSpot: 50 kg, longest side 200 cm, L+W+H 300 cm.
    pub const NZ_COURIERS: CarrierLimits = CarrierLimits {
        max_weight: Grams(50_000),
        max_longest_side_mm: 2_000,
        max_sum_of_sides_mm: 3_000,
    };

    /// The default limits of a carrier family.
    pub fn of(family: CarrierFamily) -> CarrierLimits {
        match family {
            CarrierFamily::NzPost => Self::NZ_POST,
            CarrierFamily::NzCouriers => Self::NZ_COURIERS,
        }
    }

    /// Checks one parcel (gross weight, outer size) against these limits.
    pub fn check(
        &self,
        carrier: &str,
        weight: Grams,
        outer: Dimensions,
    ) -> Result<(), FreightRuleError> {
        if weight > self.max_weight {
            return Err(FreightRuleError::OverWeightLimit {
                carrier: carrier.to_owned(),
                kg: weight.kg().normalize().to_string(),
                max_kg: self.max_weight.kg().normalize().to_string(),
            });
        }
        if outer.longest_mm() > self.max_longest_side_mm {
            return Err(FreightRuleError::OverLengthLimit {
                carrier: carrier.to_owned(),
                cm: outer.longest_mm().div_ceil(10),
                max_cm: self.max_longest_side_mm / 10,
            });
        }
        if outer.sum_of_sides_mm() > self.max_sum_of_sides_mm {
            return Err(FreightRuleError::OverGirthLimit {
                carrier: carrier.to_owned(),
                cm: outer.sum_of_sides_mm().div_ceil(10),
                max_cm: self.max_sum_of_sides_mm / 10,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nz_post_refuses_over_thirty_kilograms_but_nz_couriers_takes_it() {
        let size = Dimensions::mm(500, 400, 300);
        let e = CarrierLimits::NZ_POST
            .check("NZ Post", Grams(30_001), size)
            .unwrap_err();
        assert_eq!(e.code(), "FREIGHT_OVER_WEIGHT_LIMIT");
        assert!(CarrierLimits::NZ_COURIERS
            .check("NZ Couriers", Grams(30_001), size)
            .is_ok());
        assert!(CarrierLimits::NZ_COURIERS
            .check("NZ Couriers", Grams(50_001), size)
            .is_err());
    }

    #[test]
    fn longest_side_and_sum_of_sides_are_limited() {
        let long = Dimensions::mm(1_600, 100, 100);
        assert_eq!(
            CarrierLimits::NZ_POST
                .check("NZ Post", Grams(1000), long)
                .unwrap_err()
                .code(),
            "FREIGHT_OVER_LENGTH_LIMIT"
        );
        assert!(CarrierLimits::NZ_COURIERS
            .check("NZ Couriers", Grams(1000), long)
            .is_ok());
        let bulky = Dimensions::mm(1_400, 1_000, 700);
        assert_eq!(
            CarrierLimits::NZ_COURIERS
                .check("NZ Couriers", Grams(1000), bulky)
                .unwrap_err()
                .code(),
            "FREIGHT_OVER_GIRTH_LIMIT"
        );
    }
}
