//! Delivery options a booking asks the carrier for.

use serde::{Deserialize, Serialize};

use super::line::ShipLine;

/// Options a carrier booking can carry (FREIGHT.md, delivery options).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeliveryOptions {
    pub signature_required: bool,
    pub no_authority_to_leave: bool,
    /// Age-restricted delivery (ID checked at the door).
    pub age_restricted: bool,
    pub photo_on_delivery: bool,
    /// Saturday delivery; carriers switch to an express service.
    pub saturday: bool,
}

impl DeliveryOptions {
    /// These options with everything `other` asks for added.
    pub fn union(self, other: DeliveryOptions) -> DeliveryOptions {
        DeliveryOptions {
            signature_required: self.signature_required || other.signature_required,
            no_authority_to_leave: self.no_authority_to_leave || other.no_authority_to_leave,
            age_restricted: self.age_restricted || other.age_restricted,
            photo_on_delivery: self.photo_on_delivery || other.photo_on_delivery,
            saturday: self.saturday || other.saturday,
        }
    }
}

/// Options the goods themselves require: nicotine products add age-restricted and
/// signature-required delivery.
pub fn required_delivery_options(lines: &[ShipLine]) -> DeliveryOptions {
    let nicotine = lines.iter().any(|l| l.nicotine && l.quantity > 0);
    DeliveryOptions {
        signature_required: nicotine,
        age_restricted: nicotine,
        ..DeliveryOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nicotine_adds_age_check_and_signature() {
        let mut vape = ShipLine::new("VAPE-1", 2, None);
        vape.nicotine = true;
        let plain = ShipLine::new("TEE-1", 1, None);
        let o = required_delivery_options(&[plain.clone(), vape]);
        assert!(o.age_restricted && o.signature_required);
        assert_eq!(
            required_delivery_options(&[plain]),
            DeliveryOptions::default()
        );
    }
}
