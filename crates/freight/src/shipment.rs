//! What is being shipped: addresses, boxes with their weights, delivery options.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tally_domain::freight::{DeliveryOptions, Dimensions, Grams};

use crate::error::FreightError;

/// A New Zealand delivery or pickup address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Person or outlet name on the label.
    pub name: String,
    pub company: Option<String>,
    /// Digits and '+' only (NZ Post rejects spaces).
    pub phone: String,
    pub email: Option<String>,
    pub street: String,
    pub suburb: String,
    pub city: String,
    pub postcode: String,
    /// ISO 3166 alpha-2, "NZ" for domestic.
    pub country_code: String,
}

/// How a box's weight was obtained (a quote shows which were measured).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Weighed {
    /// A stable scale reading.
    Scale,
    /// Typed by a person at a station without a scale.
    Typed,
    /// The scale never settled; such a box cannot be booked.
    Unstable,
}

/// One closed box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipBox {
    /// Box number within the consignment (1, 2, ...).
    pub number: u32,
    /// Catalog container code, when one was used.
    pub container_code: Option<String>,
    pub outer: Dimensions,
    /// Gross weight.
    pub weight: Grams,
    pub weighed: Weighed,
}

/// A set of boxes going from one address to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    /// The consignment's human reference (printed on the label).
    pub consignment_ref: String,
    pub origin: Address,
    pub destination: Address,
    pub boxes: Vec<ShipBox>,
    pub options: DeliveryOptions,
}

impl Shipment {
    /// The idempotency reference for booking this box set: the consignment reference
    /// plus a digest of the boxes, so the same boxes never book twice and a repacked
    /// set gets a new booking.
    pub fn box_set_reference(&self) -> String {
        let mut h = Sha256::new();
        for b in &self.boxes {
            let d = b.outer;
            h.update(format!(
                "{}:{}:{}x{}x{};",
                b.number, b.weight.0, d.length_mm, d.width_mm, d.height_mm
            ));
        }
        let digest = hex::encode(h.finalize());
        format!("{}-{}", self.consignment_ref, &digest[..8])
    }

    /// Refuses a shipment that cannot be booked: no boxes, or a box without a stable weight.
    pub fn check_bookable(&self) -> Result<(), FreightError> {
        if self.boxes.is_empty() {
            return Err(FreightError::InvalidShipment {
                reason: "it has no boxes".to_owned(),
            });
        }
        match self.boxes.iter().find(|b| b.weighed == Weighed::Unstable) {
            Some(b) => Err(FreightError::WeightNotStable {
                box_number: b.number,
            }),
            None => Ok(()),
        }
    }

    /// Numbers of boxes whose weight is not a stable scale reading.
    pub fn unmeasured_boxes(&self) -> Vec<u32> {
        self.boxes
            .iter()
            .filter(|b| b.weighed != Weighed::Scale)
            .map(|b| b.number)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipment(weight: u32) -> Shipment {
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
            consignment_ref: "TR-OUT-202501-000001-42".into(),
            origin: a.clone(),
            destination: a,
            boxes: vec![ShipBox {
                number: 1,
                container_code: None,
                outer: Dimensions::mm(400, 300, 200),
                weight: Grams(weight),
                weighed: Weighed::Scale,
            }],
            options: DeliveryOptions::default(),
        }
    }

    #[test]
    fn the_same_boxes_give_the_same_reference_and_a_repack_a_new_one() {
        assert_eq!(
            shipment(1000).box_set_reference(),
            shipment(1000).box_set_reference()
        );
        assert_ne!(
            shipment(1000).box_set_reference(),
            shipment(1200).box_set_reference()
        );
        assert!(shipment(1000)
            .box_set_reference()
            .starts_with("TR-OUT-202501-000001-42-"));
    }
}
