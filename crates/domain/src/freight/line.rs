//! A line to ship, as the box suggestion sees it.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::measure::{Dimensions, Grams};

/// Goods that must not share a box with goods of another such class (DOMAIN.md, Packing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handling {
    Liquid,
    LithiumBattery,
    Fragile,
}

/// One product line to ship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipLine {
    /// Product id or SKU, used in explanations.
    pub product: String,
    pub quantity: u32,
    /// Weight of one unit, when the catalog knows it.
    pub unit_weight: Option<Grams>,
    /// Size of one unit, when the catalog knows it.
    pub unit_dimensions: Option<Dimensions>,
    /// Category, for the category-average weight when the product has none.
    pub category: Option<String>,
    /// Value of one unit excluding GST (for the high-value rule).
    pub unit_value: Decimal,
    pub handling: BTreeSet<Handling>,
    /// Nicotine products need age-restricted, signed delivery.
    pub nicotine: bool,
}

impl ShipLine {
    /// A plain line: known weight, no size, no special handling.
    pub fn new(product: impl Into<String>, quantity: u32, unit_weight: Option<Grams>) -> Self {
        Self {
            product: product.into(),
            quantity,
            unit_weight,
            unit_dimensions: None,
            category: None,
            unit_value: Decimal::ZERO,
            handling: BTreeSet::new(),
            nicotine: false,
        }
    }
}

/// Average unit weight per category, used when a product has no weight.
pub type CategoryWeights = BTreeMap<String, Grams>;

/// Where a unit weight came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "source")]
pub enum WeightSource {
    /// The product's own weight.
    Product,
    /// The category's average (flagged).
    CategoryAverage { category: String },
    /// The fallback default (flagged).
    Fallback,
}

/// The unit weight used for a line and where it came from.
pub(crate) fn resolve_weight(
    line: &ShipLine,
    averages: &CategoryWeights,
    fallback: Grams,
) -> (Grams, WeightSource) {
    if let Some(w) = line.unit_weight {
        return (w, WeightSource::Product);
    }
    if let Some(cat) = &line.category {
        if let Some(avg) = averages.get(cat) {
            return (
                *avg,
                WeightSource::CategoryAverage {
                    category: cat.clone(),
                },
            );
        }
    }
    (fallback, WeightSource::Fallback)
}
