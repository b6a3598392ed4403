//! The fakes' illustrative prices (FREIGHT.md; not real tariffs) and parcel limits.

use rust_decimal::Decimal;

/// A parcel as a carrier sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parcel {
    pub kg: Decimal,
    pub length_cm: Decimal,
    pub width_cm: Decimal,
    pub height_cm: Decimal,
}

impl Parcel {
    /// Whole kilograms billed: every started kg of max(dead, L×W×H / divisor), at least 1.
    pub fn billable_kg(&self, divisor: u32) -> Decimal {
        let cubic = if divisor == 0 {
            Decimal::ZERO
        } else {
            self.length_cm * self.width_cm * self.height_cm / Decimal::from(divisor)
        };
        self.kg.max(cubic).ceil().max(Decimal::ONE)
    }

    /// Why the parcel is over a carrier's limits, if it is.
    pub fn over_limits(
        &self,
        max_kg: u32,
        max_side_cm: u32,
        max_sum_cm: u32,
    ) -> Option<(&'static str, String)> {
        let longest = self.length_cm.max(self.width_cm).max(self.height_cm);
        let sum = self.length_cm + self.width_cm + self.height_cm;
        if self.kg > Decimal::from(max_kg) {
            Some((
                "WEIGHT_LIMIT",
                format!(
                    "parcel weighs {} kg; the maximum is {max_kg} kg",
                    self.kg.normalize()
                ),
            ))
        } else if longest > Decimal::from(max_side_cm) {
            Some((
                "LENGTH_LIMIT",
                format!(
                    "longest side {} cm; the maximum is {max_side_cm} cm",
                    longest.normalize()
                ),
            ))
        } else if sum > Decimal::from(max_sum_cm) {
            Some((
                "GIRTH_LIMIT",
                format!(
                    "length + width + height {} cm; the maximum is {max_sum_cm} cm",
                    sum.normalize()
                ),
            ))
        } else {
            None
        }
    }
}

/// `base + per_kg × billable kg`, excluding GST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tariff {
    pub base: Decimal,
    pub per_kg: Decimal,
}

impl Tariff {
    /// Price of one parcel.
    pub fn price(&self, parcel: &Parcel, divisor: u32) -> Decimal {
        self.base + self.per_kg * parcel.billable_kg(divisor)
    }

    /// NZ Post overnight: 4.20 + 1.15/kg.
    pub fn nz_post_overnight() -> Self {
        Self {
            base: Decimal::new(420, 2),
            per_kg: Decimal::new(115, 2),
        }
    }

    /// NZ Post economy: 3.60 + 0.95/kg.
    pub fn nz_post_economy() -> Self {
        Self {
            base: Decimal::new(360, 2),
            per_kg: Decimal::new(95, 2),
        }
    }

    /// NZ Couriers standard (overnight): 4.90 + 1.05/kg. Dearer than NZ Post overnight
    /// up to 6 kg, equal at 7 kg, cheaper above.
    pub fn nz_couriers_standard() -> Self {
        Self {
            base: Decimal::new(490, 2),
            per_kg: Decimal::new(105, 2),
        }
    }
}

/// Per-parcel extras, excluding GST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Surcharges {
    pub rural: Decimal,
    pub saturday: Decimal,
    pub signature: Decimal,
    pub age_check: Decimal,
}

impl Default for Surcharges {
    /// Rural +1.50, Saturday +2.00, signature +0.30, age check +0.80.
    fn default() -> Self {
        Self {
            rural: Decimal::new(150, 2),
            saturday: Decimal::new(200, 2),
            signature: Decimal::new(30, 2),
            age_check: Decimal::new(80, 2),
        }
    }
}

/// Whether an address is rural: a configured postcode, or an "RD n" rural delivery line.
pub(crate) fn is_rural(rural_postcodes: &[String], postcode: &str, address_lines: &[&str]) -> bool {
    if rural_postcodes.iter().any(|p| p == postcode.trim()) {
        return true;
    }
    address_lines.iter().any(|line| {
        let upper = line.to_ascii_uppercase();
        upper
            .split(|c: char| !c.is_ascii_alphanumeric())
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[0] == "RD" && !w[1].is_empty() && w[1].chars().all(|c| c.is_ascii_digit()))
    })
}

/// Decimal to the JSON number carriers send.
pub(crate) fn money(d: Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.round_dp(2).to_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parcel(kg: i64) -> Parcel {
        Parcel {
            kg: Decimal::from(kg),
            length_cm: Decimal::from(30),
            width_cm: Decimal::from(20),
            height_cm: Decimal::from(10),
        }
    }

    #[test]
    fn the_cheaper_overnight_carrier_changes_at_seven_kilograms() {
        let (p, c) = (Tariff::nz_post_overnight(), Tariff::nz_couriers_standard());
        assert!(p.price(&parcel(3), 5000) < c.price(&parcel(3), 5000));
        assert_eq!(p.price(&parcel(7), 5000), c.price(&parcel(7), 5000));
        assert!(p.price(&parcel(12), 5000) > c.price(&parcel(12), 5000));
    }

    #[test]
    fn rural_delivery_is_spotted_by_postcode_or_rd_line() {
        assert!(is_rural(&["7073".into()], "7073", &[]));
        assert!(is_rural(&[], "3881", &["123 Back Road, RD 2"]));
        assert!(!is_rural(&[], "1010", &["1 Queen Street", "Auckland CBD"]));
        assert!(!is_rural(&[], "1010", &["3 Ford Road"]));
    }
}
