//! Quotes from every configured carrier side by side, with the cheapest one that
//! meets the required service level preselected.

use std::sync::Arc;

use futures::future::join_all;
use serde::{Deserialize, Serialize};
use tally_domain::freight::{price_with_gst, Grams, PriceWithGst};

use crate::carrier::{Carrier, CarrierKind};
use crate::error::FreightError;
use crate::quote::{Quote, ServiceLevel};
use crate::shipment::{Shipment, Weighed};

/// One service in the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRow {
    pub quote: Quote,
    /// Excl. GST, GST and incl. GST, rounded to cents.
    pub price: PriceWithGst,
    pub meets_required_level: bool,
}

/// A carrier that gave no quote, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierFailure {
    pub carrier: CarrierKind,
    pub code: String,
    pub message: String,
    pub retryable: bool,
}

/// A box's weight and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxWeightNote {
    pub box_number: u32,
    pub weight: Grams,
    pub weighed: Weighed,
}

/// The side-by-side view the packing bench shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteComparison {
    /// Cheapest first (incl. GST), ties by faster service.
    pub rows: Vec<QuoteRow>,
    /// Index into `rows` of the cheapest row meeting the level; `None` when none does
    /// or a box has no stable weight (such a quote is not valid for booking).
    pub preselected: Option<usize>,
    pub required_level: ServiceLevel,
    pub boxes: Vec<BoxWeightNote>,
    /// True only when every box was weighed on a scale with a stable reading.
    pub all_weights_measured: bool,
    pub failures: Vec<CarrierFailure>,
}

/// Builds the comparison from quotes already gathered (pure).
pub fn compare(
    quotes: Vec<Quote>,
    failures: Vec<CarrierFailure>,
    shipment: &Shipment,
    required: ServiceLevel,
) -> QuoteComparison {
    let mut rows: Vec<QuoteRow> = quotes
        .into_iter()
        .map(|q| QuoteRow {
            price: price_with_gst(q.price_excl_gst),
            meets_required_level: q.level >= required,
            quote: q,
        })
        .collect();
    rows.sort_by(|a, b| {
        (
            a.price.incl_gst,
            std::cmp::Reverse(a.quote.level),
            a.quote.carrier,
        )
            .cmp(&(
                b.price.incl_gst,
                std::cmp::Reverse(b.quote.level),
                b.quote.carrier,
            ))
    });
    let boxes: Vec<BoxWeightNote> = shipment
        .boxes
        .iter()
        .map(|b| BoxWeightNote {
            box_number: b.number,
            weight: b.weight,
            weighed: b.weighed,
        })
        .collect();
    let bookable = boxes.iter().all(|b| b.weighed != Weighed::Unstable);
    let preselected = if bookable {
        rows.iter().position(|r| r.meets_required_level)
    } else {
        None
    };
    QuoteComparison {
        rows,
        preselected,
        required_level: required,
        all_weights_measured: boxes.iter().all(|b| b.weighed == Weighed::Scale),
        boxes,
        failures,
    }
}

/// Asks every carrier at once and compares what comes back; a carrier that fails
/// is listed with its reason instead of hiding the others.
pub async fn compare_carriers(
    carriers: &[Arc<dyn Carrier>],
    shipment: &Shipment,
    required: ServiceLevel,
) -> QuoteComparison {
    let answers = join_all(
        carriers
            .iter()
            .map(|c| async move { (c.kind(), c.quote(shipment).await) }),
    )
    .await;
    let mut quotes = Vec::new();
    let mut failures = Vec::new();
    for (carrier, answer) in answers {
        match answer {
            Ok(q) => quotes.extend(q),
            Err(e) => failures.push(failure(carrier, &e)),
        }
    }
    compare(quotes, failures, shipment, required)
}

fn failure(carrier: CarrierKind, e: &FreightError) -> CarrierFailure {
    CarrierFailure {
        carrier,
        code: e.code().to_owned(),
        message: e.to_string(),
        retryable: e.is_retryable(),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use tally_domain::freight::{DeliveryOptions, Dimensions};

    use super::*;
    use crate::shipment::{Address, ShipBox};

    fn shipment(weighed: Weighed) -> Shipment {
        let a = Address {
            name: "A".into(),
            company: None,
            phone: "+6491234567".into(),
            email: None,
            street: "1 Queen St".into(),
            suburb: "CBD".into(),
            city: "Auckland".into(),
            postcode: "1010".into(),
            country_code: "NZ".into(),
        };
        Shipment {
            consignment_ref: "TR-1".into(),
            origin: a.clone(),
            destination: a,
            boxes: vec![ShipBox {
                number: 1,
                container_code: None,
                outer: Dimensions::mm(400, 300, 200),
                weight: Grams(2000),
                weighed,
            }],
            options: DeliveryOptions::default(),
        }
    }

    fn quote(carrier: CarrierKind, level: ServiceLevel, cents: i64) -> Quote {
        Quote {
            carrier,
            carrier_name: carrier.to_string(),
            service_code: format!("{level:?}"),
            description: format!("{level:?}"),
            level,
            price_excl_gst: Decimal::new(cents, 2),
            delivery_estimate: None,
            rural: false,
            quote_id: None,
            charges: vec![],
        }
    }

    #[test]
    fn the_cheapest_quote_meeting_the_level_is_preselected_not_the_cheapest_overall() {
        let quotes = vec![
            quote(CarrierKind::NzPost, ServiceLevel::Economy, 500),
            quote(CarrierKind::GoSweetSpot, ServiceLevel::Overnight, 800),
            quote(CarrierKind::NzPost, ServiceLevel::Overnight, 700),
        ];
        let c = compare(
            quotes,
            vec![],
            &shipment(Weighed::Scale),
            ServiceLevel::Overnight,
        );
        assert_eq!(c.rows[0].quote.level, ServiceLevel::Economy);
        let pick = &c.rows[c.preselected.unwrap()];
        assert_eq!(
            (pick.quote.carrier, pick.price.excl_gst),
            (CarrierKind::NzPost, Decimal::new(700, 2))
        );
        assert_eq!(pick.price.incl_gst, Decimal::new(805, 2));
        assert!(c.all_weights_measured);
    }

    #[test]
    fn typed_weights_are_flagged_and_unstable_ones_block_the_preselection() {
        let q = || vec![quote(CarrierKind::NzPost, ServiceLevel::Overnight, 700)];
        let typed = compare(
            q(),
            vec![],
            &shipment(Weighed::Typed),
            ServiceLevel::Economy,
        );
        assert!(!typed.all_weights_measured);
        assert_eq!(typed.preselected, Some(0));
        let unstable = compare(
            q(),
            vec![],
            &shipment(Weighed::Unstable),
            ServiceLevel::Economy,
        );
        assert_eq!(unstable.preselected, None);
    }
}
