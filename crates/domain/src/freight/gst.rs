//! GST on freight quotes. Carriers quote excluding GST; people see both.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// New Zealand GST, 15 %.
pub const GST_RATE: Decimal = Decimal::from_parts(15, 0, 0, false, 2);

/// GST on an amount excluding GST, unrounded.
pub fn gst_on(excl: Decimal) -> Decimal {
    excl * GST_RATE
}

/// An amount including GST, unrounded.
pub fn incl_gst(excl: Decimal) -> Decimal {
    excl + gst_on(excl)
}

/// Rounds money to cents, half away from zero (how the chain rounds for display and sending).
pub fn round_money(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A price shown both ways, each rounded to cents, with `excl + gst == incl` exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceWithGst {
    pub excl_gst: Decimal,
    pub gst: Decimal,
    pub incl_gst: Decimal,
}

/// Splits a price excluding GST into the three figures people see.
pub fn price_with_gst(excl: Decimal) -> PriceWithGst {
    let excl_gst = round_money(excl);
    let incl = round_money(incl_gst(excl));
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
        assert_eq!(gst_on(Decimal::new(1000, 2)), Decimal::new(150, 2));
        // 0.10 * 1.15 = 0.115 -> 0.12
        let p = price_with_gst(Decimal::new(10, 2));
        assert_eq!(p.incl_gst, Decimal::new(12, 2));
        assert_eq!(p.excl_gst + p.gst, p.incl_gst);
    }

    #[test]
    fn shown_parts_always_add_up() {
        for cents in 0..2000i64 {
            let p = price_with_gst(Decimal::new(cents, 2));
            assert_eq!(p.excl_gst + p.gst, p.incl_gst, "{cents}");
        }
    }
}
