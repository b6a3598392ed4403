//! Packing limits: fill factors, keep-apart classes, the high-value rule.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::line::{CategoryWeights, Handling};
use super::measure::Grams;

/// The packing rules a suggestion must respect (defaults from the old system).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackingRules {
    /// Fill at most this share of a container's inner volume, in per mille (850 = 85 %).
    pub max_volume_fill_permille: u32,
    /// Fill at most this share of a container's weight cap, in per mille (900 = 90 %).
    pub max_weight_fill_permille: u32,
    /// Classes that must not share a box with a different class.
    pub keep_apart: BTreeSet<Handling>,
    /// A unit worth at least this much (excl. GST) is high-value.
    pub high_value_threshold: Decimal,
    /// At most this many high-value units in one box.
    pub max_high_value_per_box: u32,
    /// Unit weight when neither product nor category has one.
    pub fallback_unit_weight: Grams,
    /// Average unit weight per category.
    pub category_weights: CategoryWeights,
    /// Assumed density (kg/m³) to estimate a unit's volume when its size is unknown.
    pub assumed_density_kg_m3: u32,
}

impl Default for PackingRules {
    fn default() -> Self {
        Self {
            max_volume_fill_permille: 850,
            max_weight_fill_permille: 900,
            keep_apart: [
                Handling::Liquid,
                Handling::LithiumBattery,
                Handling::Fragile,
            ]
            .into(),
            high_value_threshold: Decimal::ONE_HUNDRED,
            max_high_value_per_box: 5,
            fallback_unit_weight: Grams(100),
            category_weights: CategoryWeights::new(),
            assumed_density_kg_m3: 250,
        }
    }
}
