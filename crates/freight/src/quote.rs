//! A carrier's price for one service.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::freight::ChargeableWeight;

use crate::carrier::CarrierKind;
use crate::shipment::Weighed;

/// How fast a service is; a required level is met by that level or faster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceLevel {
    Economy,
    Overnight,
    /// Express and Saturday services.
    Express,
}

impl ServiceLevel {
    /// Guesses the level from a carrier's service name (used when the code is unknown).
    pub fn from_description(text: &str) -> ServiceLevel {
        let t = text.to_ascii_lowercase();
        if t.contains("saturday") || t.contains("express") || t.contains("same day") {
            ServiceLevel::Express
        } else if t.contains("economy") || t.contains("2-3") || t.contains("standard post") {
            ServiceLevel::Economy
        } else {
            ServiceLevel::Overnight
        }
    }
}

/// Chargeable weight of one box under this carrier's divisor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxCharge {
    pub box_number: u32,
    pub chargeable: ChargeableWeight,
    pub weighed: Weighed,
}

/// One priced service for the whole shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub carrier: CarrierKind,
    /// Carrier that delivers (GoSweetSpot quotes several).
    pub carrier_name: String,
    pub service_code: String,
    pub description: String,
    pub level: ServiceLevel,
    /// Total for all boxes, excluding GST.
    pub price_excl_gst: Decimal,
    pub delivery_estimate: Option<String>,
    /// The carrier flagged the destination as rural (it costs extra).
    pub rural: bool,
    /// The carrier's quote id, when booking needs it (GoSweetSpot).
    pub quote_id: Option<String>,
    pub charges: Vec<BoxCharge>,
}
