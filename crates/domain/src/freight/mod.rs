//! Freight rules: box suggestion, chargeable weight, GST on quotes, carrier limits,
//! delivery options and the freight cost report. Pure: no IO, no clock.
//!
//! Weights are whole grams and sizes whole millimetres (exact integer maths for
//! packing); money and kilograms shown to people are `Decimal`.

pub mod chargeable;
pub mod container;
pub mod error;
pub mod gst;
pub mod limits;
pub mod line;
pub mod measure;
pub mod options;
pub mod rate_card;
pub mod report;
pub mod rules;
pub mod suggestion;
#[cfg(test)]
mod suggestion_tests;

pub use chargeable::{chargeable_weight, ChargeBasis, ChargeableWeight};
pub use container::{default_catalog, CarrierFamily, Container, ContainerKind};
pub use error::FreightRuleError;
pub use gst::{price_with_gst, PriceWithGst};
pub use limits::CarrierLimits;
pub use line::{CategoryWeights, Handling, ShipLine, WeightSource};
pub use measure::{Dimensions, Grams};
pub use options::{required_delivery_options, DeliveryOptions};
pub use rate_card::{ContainerPricer, RateCard, RateCards};
pub use report::{
    freight_report, BookingRecord, ConsignmentCost, CostSummary, FreightReport, GroupCost,
};
pub use rules::PackingRules;
pub use suggestion::{
    suggest_boxes, AssignedItem, BoxSuggestion, CarrierOption, DefaultedWeight, Explanation,
    SuggestedContainer,
};
