//! Chargeable weight: carriers charge the greater of dead and cubic weight.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::measure::{Dimensions, Grams};

/// Which of the two weights the carrier charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeBasis {
    Dead,
    Cubic,
}

/// Dead, cubic and chargeable weight of one parcel, in kilograms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeableWeight {
    pub dead_kg: Decimal,
    pub cubic_kg: Decimal,
    pub chargeable_kg: Decimal,
    pub basis: ChargeBasis,
}

/// Chargeable weight = max(dead, L×W×H cm³ / divisor). The divisor is per carrier
/// and service (commonly 4000 or 5000); cubic weight is rounded up to the gram.
/// A divisor of 0 means the carrier does not charge by volume.
pub fn chargeable_weight(
    dead: Grams,
    outer: Dimensions,
    divisor_cm3_per_kg: u32,
) -> ChargeableWeight {
    let dead_kg = dead.kg();
    let cubic_kg = if divisor_cm3_per_kg == 0 {
        Decimal::ZERO
    } else {
        // mm³ / 1000 = cm³; cm³ / divisor = kg.
        (Decimal::from(outer.volume_mm3()) / Decimal::from(u64::from(divisor_cm3_per_kg) * 1000))
            .round_dp_with_strategy(3, RoundingStrategy::AwayFromZero)
    };
    let (chargeable_kg, basis) = if cubic_kg > dead_kg {
        (cubic_kg, ChargeBasis::Cubic)
    } else {
        (dead_kg, ChargeBasis::Dead)
    };
    ChargeableWeight {
        dead_kg,
        cubic_kg,
        chargeable_kg,
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_light_big_box_is_charged_by_volume() {
        // 40×30×20 cm / 5000 = 4.8 kg
        let c = chargeable_weight(Grams(3000), Dimensions::mm(400, 300, 200), 5000);
        assert_eq!(c.cubic_kg, Decimal::new(48, 1));
        assert_eq!(c.chargeable_kg, Decimal::new(48, 1));
        assert_eq!(c.basis, ChargeBasis::Cubic);
    }

    #[test]
    fn a_heavy_small_box_is_charged_by_dead_weight() {
        let c = chargeable_weight(Grams(9000), Dimensions::mm(400, 300, 200), 4000);
        assert_eq!(c.cubic_kg, Decimal::new(6, 0));
        assert_eq!(c.chargeable_kg, Decimal::new(9, 0));
        assert_eq!(c.basis, ChargeBasis::Dead);
    }
}
