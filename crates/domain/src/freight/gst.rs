//! GST on freight quotes. Carriers quote excluding GST; people see both. The rate
//! and rounding are the domain's (`crate::money`); this only splits a quote.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Money;

/// A price shown both ways, each rounded to cents, with `excl + gst == incl` exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceWithGst {
    pub excl_gst: Decimal,
    pub gst: Decimal,
    pub incl_gst: Decimal,
}

/// Splits a price excluding GST into the three figures people see.
pub fn price_with_gst(excl: Decimal) -> PriceWithGst {
    let money = Money::new(excl);
    let excl_gst = money.round_cents().amount();
    let incl = money.incl_gst().round_cents().amount();
    PriceWithGst {
        excl_gst,
        gst: incl - excl_gst,
        incl_gst: incl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gst_is_fifteen_percent_and_rounds_half_away_from_zero() {
        let p = price_with_gst(Decimal::new(1000, 2));
        assert_eq!(
            (p.gst, p.incl_gst),
            (Decimal::new(150, 2), Decimal::new(1150, 2))
        );
        // 0.10 × 1.15 = 0.115 -> 0.12
        let p = price_with_gst(Decimal::new(10, 2));
        assert_eq!(p.incl_gst, Decimal::new(12, 2));
    }

    #[test]
    fn shown_parts_always_add_up() {
        for cents in 0..2000i64 {
            let p = price_with_gst(Decimal::new(cents, 2) + Decimal::new(5, 3));
            assert_eq!(p.excl_gst + p.gst, p.incl_gst, "{cents}");
        }
    }
}
