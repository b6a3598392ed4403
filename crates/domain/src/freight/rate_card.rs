//! Expected freight cost per container, before any carrier is asked.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::chargeable::{chargeable_weight, ChargeableWeight};
use super::container::{CarrierFamily, Container};
use super::limits::CarrierLimits;
use super::measure::Grams;

/// Prices a container for a carrier; the box suggestion minimises the sum.
pub trait ContainerPricer {
    /// The carriers this pricer can price, in preference order for ties.
    fn families(&self) -> Vec<CarrierFamily>;
    /// The per-parcel limits of a carrier.
    fn limits(&self, family: CarrierFamily) -> CarrierLimits {
        CarrierLimits::of(family)
    }
    /// Expected cost excl. GST of one container with this gross weight; `None` if not priced.
    fn price(
        &self,
        family: CarrierFamily,
        container: &Container,
        gross: Grams,
    ) -> Option<(Decimal, ChargeableWeight)>;
}

/// A linear tariff: `base + per_kg × chargeable kg`, chargeable = max(dead, cubic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCard {
    pub family: CarrierFamily,
    pub base: Decimal,
    pub per_kg: Decimal,
    /// cm³ per kg for cubic weight (FREIGHT.md: commonly 4000 or 5000).
    pub cubic_divisor: u32,
    /// Whether the carrier bills each started kilogram.
    pub round_up_to_whole_kg: bool,
    pub limits: CarrierLimits,
}

impl RateCard {
    /// The cost of one parcel of this gross weight and outer size.
    pub fn cost(&self, chargeable: &ChargeableWeight) -> Decimal {
        let kg = if self.round_up_to_whole_kg {
            chargeable.chargeable_kg.ceil()
        } else {
            chargeable.chargeable_kg
        };
        self.base + self.per_kg * kg
    }
}

/// Rate cards for several carriers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCards(pub Vec<RateCard>);

impl Default for RateCards {
    /// Illustrative overnight tariffs from FREIGHT.md (not real ones): NZ Post 4.20 +
    /// 1.15/kg, NZ Couriers 4.90 + 1.05/kg, divisor 5000, each started kg billed.
    fn default() -> Self {
        RateCards(vec![
            RateCard {
                family: CarrierFamily::NzPost,
                base: Decimal::new(420, 2),
                per_kg: Decimal::new(115, 2),
                cubic_divisor: 5000,
                round_up_to_whole_kg: true,
                limits: CarrierLimits::NZ_POST,
            },
            RateCard {
                family: CarrierFamily::NzCouriers,
                base: Decimal::new(490, 2),
                per_kg: Decimal::new(105, 2),
                cubic_divisor: 5000,
                round_up_to_whole_kg: true,
                limits: CarrierLimits::NZ_COURIERS,
            },
        ])
    }
}

impl RateCards {
    fn card(&self, family: CarrierFamily) -> Option<&RateCard> {
        self.0.iter().find(|c| c.family == family)
    }
}

impl ContainerPricer for RateCards {
    fn families(&self) -> Vec<CarrierFamily> {
        self.0.iter().map(|c| c.family).collect()
    }

    fn limits(&self, family: CarrierFamily) -> CarrierLimits {
        self.card(family)
            .map_or_else(|| CarrierLimits::of(family), |c| c.limits)
    }

    fn price(
        &self,
        family: CarrierFamily,
        container: &Container,
        gross: Grams,
    ) -> Option<(Decimal, ChargeableWeight)> {
        let card = self.card(family)?;
        let chargeable = chargeable_weight(gross, container.inner, card.cubic_divisor);
        Some((card.cost(&chargeable), chargeable))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::freight::container::default_catalog;

    #[test]
    fn price_uses_the_greater_of_dead_and_cubic_weight() {
        let cards = RateCards::default();
        let box_m = default_catalog()
            .into_iter()
            .find(|c| c.code == "BOX-M")
            .unwrap();
        // 40×30×20/5000 = 4.8 kg cubic > 2.5 kg dead -> 5 kg billed: 4.20 + 5 × 1.15
        let (cost, ch) = cards
            .price(CarrierFamily::NzPost, &box_m, Grams(2_500))
            .unwrap();
        assert_eq!(ch.chargeable_kg, Decimal::new(48, 1));
        assert_eq!(cost, Decimal::new(995, 2));
    }
}
