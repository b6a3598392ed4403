//! Money and quantities as exact decimals, GST, line and consignment totals.
//!
//! Lightspeed sends amounts as decimal strings in some responses and JSON numbers in
//! others, so both parse. Values stay exact; rounding (half away from zero, to cents)
//! happens only when an amount is displayed or sent.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;

/// Largest magnitude accepted from outside (a trillion). Keeps every product and sum of
/// parsed values far inside `Decimal`'s range, so arithmetic on them cannot overflow.
const MAX_MAGNITUDE: Decimal = Decimal::from_parts(0xD4A5_1000, 0xE8, 0, false, 0);

/// New Zealand GST rate, 15 %.
pub const GST_RATE: Decimal = Decimal::from_parts(15, 0, 0, false, 2);

/// Parses a decimal string as Lightspeed writes it ("12.50", "3", "1.5E+2", " 4 ").
fn parse_decimal(input: &str) -> Result<Decimal, DomainError> {
    let trimmed = input.trim();
    let invalid = || DomainError::InvalidNumber {
        input: input.chars().take(40).collect(),
    };
    if trimmed.is_empty() {
        return Err(invalid());
    }
    let value = Decimal::from_str_exact(trimmed)
        .or_else(|_| Decimal::from_scientific(trimmed))
        .map_err(|_| invalid())?;
    check_range(value, input)
}

/// Converts a JSON number. `f64`'s shortest round-trip text is exact for every number a
/// person typed ("0.1" stays 0.1, not 0.1000000000000000055).
fn decimal_from_f64(value: f64) -> Result<Decimal, DomainError> {
    if !value.is_finite() {
        return Err(DomainError::InvalidNumber {
            input: value.to_string(),
        });
    }
    let text = value.to_string();
    let parsed = Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| DomainError::InvalidNumber {
            input: text.clone(),
        })?;
    check_range(parsed, &text)
}

fn check_range(value: Decimal, input: &str) -> Result<Decimal, DomainError> {
    if value.abs() > MAX_MAGNITUDE {
        return Err(DomainError::NumberOutOfRange {
            input: input.chars().take(40).collect(),
        });
    }
    Ok(value.normalize())
}

/// An amount of New Zealand dollars, exact. May be negative (credits, variances).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Money(Decimal);

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Wraps an exact decimal amount of dollars.
    pub fn new(dollars: Decimal) -> Self {
        Self(dollars)
    }

    /// Whole dollars, e.g. `Money::dollars(200)`.
    pub fn dollars(dollars: i64) -> Self {
        Self(Decimal::from(dollars))
    }

    /// An amount in cents, e.g. `Money::from_cents(200_001)` is $2,000.01.
    pub fn from_cents(cents: i64) -> Self {
        Self(Decimal::new(cents, 2))
    }

    /// Parses a decimal string ("12.50", "12.5", "-3", "1.5E+2").
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        parse_decimal(input).map(Self)
    }

    /// Converts a JSON number.
    pub fn from_f64(value: f64) -> Result<Self, DomainError> {
        decimal_from_f64(value).map(Self)
    }

    /// The exact amount.
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// Rounded to cents, half away from zero: the amount shown or sent.
    pub fn round_cents(self) -> Self {
        Self(
            self.0
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// The amount as Lightspeed expects it: rounded to cents, two decimals, no symbol ("1234.50").
    pub fn to_wire(self) -> String {
        let mut rounded = self.round_cents().0;
        rounded.rescale(2);
        rounded.to_string()
    }

    /// GST on this GST-exclusive amount, exact.
    pub fn gst(self) -> Self {
        Self(self.0 * GST_RATE)
    }

    /// This GST-exclusive amount plus GST, exact.
    pub fn incl_gst(self) -> Self {
        self + self.gst()
    }

    /// The GST-exclusive part of this GST-inclusive amount, exact to Decimal precision.
    pub fn excl_gst_from_incl(self) -> Self {
        Self(self.0 / (Decimal::ONE + GST_RATE))
    }

    /// The absolute amount.
    pub fn abs(self) -> Self {
        Self(self.0.abs())
    }

    /// True below zero.
    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
}

/// Shown as staff read it: `$1,234.57`, `-$3.00` (rounded half away from zero).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wire = self.abs().to_wire();
        let (whole, cents) = wire.split_once('.').unwrap_or((wire.as_str(), "00"));
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        let sign = if self.round_cents().is_negative() {
            "-"
        } else {
            ""
        };
        write!(f, "{sign}${grouped}.{cents}")
    }
}

impl FromStr for Money {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// A count of units, exact. Fractional for products sold by weight or length; negative
/// for undo events and variances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Quantity(Decimal);

impl Quantity {
    /// No units.
    pub const ZERO: Quantity = Quantity(Decimal::ZERO);
    /// One unit.
    pub const ONE: Quantity = Quantity(Decimal::ONE);

    /// Wraps an exact decimal quantity.
    pub fn new(value: Decimal) -> Self {
        Self(value)
    }

    /// Whole units.
    pub fn units(units: i64) -> Self {
        Self(Decimal::from(units))
    }

    /// Parses a decimal string ("3", "2.500", "1E+1").
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        parse_decimal(input).map(Self)
    }

    /// Converts a JSON number.
    pub fn from_f64(value: f64) -> Result<Self, DomainError> {
        decimal_from_f64(value).map(Self)
    }

    /// The exact value.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// True above zero.
    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }

    /// True below zero.
    pub fn is_negative(self) -> bool {
        self.0 < Decimal::ZERO
    }

    /// True when zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// The absolute quantity.
    pub fn abs(self) -> Self {
        Self(self.0.abs())
    }

    /// The larger of this and zero.
    pub fn max_zero(self) -> Self {
        Self(self.0.max(Decimal::ZERO))
    }
}

/// Shown without trailing zeros: `3`, `2.5`.
impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.normalize())
    }
}

impl FromStr for Quantity {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<i64> for Quantity {
    fn from(units: i64) -> Self {
        Self::units(units)
    }
}

impl Add for Quantity {
    type Output = Quantity;
    fn add(self, rhs: Quantity) -> Quantity {
        Quantity(self.0 + rhs.0)
    }
}

impl AddAssign for Quantity {
    fn add_assign(&mut self, rhs: Quantity) {
        self.0 += rhs.0;
    }
}

impl Sub for Quantity {
    type Output = Quantity;
    fn sub(self, rhs: Quantity) -> Quantity {
        Quantity(self.0 - rhs.0)
    }
}

impl SubAssign for Quantity {
    fn sub_assign(&mut self, rhs: Quantity) {
        self.0 -= rhs.0;
    }
}

impl Neg for Quantity {
    type Output = Quantity;
    fn neg(self) -> Quantity {
        Quantity(-self.0)
    }
}

impl Sum for Quantity {
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Quantity {
        iter.fold(Quantity::ZERO, Add::add)
    }
}

/// Quantity × unit cost = line value.
impl Mul<Money> for Quantity {
    type Output = Money;
    fn mul(self, rhs: Money) -> Money {
        Money(self.0 * rhs.0)
    }
}

/// Serialised as an exact decimal string, the form Lightspeed and the sync protocol use.
macro_rules! decimal_serde {
    ($ty:ident, $expecting:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0.normalize())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        $ty::parse(v).map_err(E::custom)
                    }
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<$ty, E> {
                        check_range(Decimal::from(v), &v.to_string())
                            .map($ty)
                            .map_err(E::custom)
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<$ty, E> {
                        check_range(Decimal::from(v), &v.to_string())
                            .map($ty)
                            .map_err(E::custom)
                    }
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<$ty, E> {
                        $ty::from_f64(v).map_err(E::custom)
                    }
                }
                deserializer.deserialize_any(Visitor)
            }
        }
    };
}

decimal_serde!(Money, "an amount as a decimal string or number");
decimal_serde!(Quantity, "a quantity as a decimal string or number");

/// One consignment line's money: quantity at a unit cost (GST exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineAmount {
    /// Units on the line.
    pub quantity: Quantity,
    /// Cost per unit, GST exclusive.
    pub unit_cost_excl: Money,
}

impl LineAmount {
    /// Line total excluding GST, exact.
    pub fn total_excl(&self) -> Money {
        self.quantity * self.unit_cost_excl
    }

    /// Line total including GST, exact.
    pub fn total_incl(&self) -> Money {
        self.total_excl().incl_gst()
    }
}

/// A consignment's totals, exact; round with `Money::round_cents` only to show or send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Sum of line totals excluding GST.
    pub excl_gst: Money,
    /// GST on `excl_gst`.
    pub gst: Money,
    /// `excl_gst + gst`.
    pub incl_gst: Money,
    /// Sum of the lines' quantities.
    pub units: Quantity,
}

/// Totals of a consignment's lines. GST is taken on the exact sum, not line by line, so
/// the total never drifts by rounded cents.
pub fn consignment_totals<'a>(lines: impl IntoIterator<Item = &'a LineAmount>) -> Totals {
    let mut excl = Money::ZERO;
    let mut units = Quantity::ZERO;
    for line in lines {
        excl += line.total_excl();
        units += line.quantity;
    }
    let gst = excl.gst();
    Totals {
        excl_gst: excl,
        gst,
        incl_gst: excl + gst,
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn money_parses_decimal_strings_exactly() {
        assert_eq!(m("12.50").amount(), Decimal::new(125, 1));
        assert_eq!(m(" 3 "), Money::dollars(3));
        assert_eq!(m("-0.01"), Money::from_cents(-1));
        assert_eq!(m("1.5E+2"), Money::dollars(150));
    }

    #[test]
    fn garbage_is_refused_with_a_stable_code() {
        for bad in ["", "  ", "abc", "12,50", "1.2.3", "$5", "NaN"] {
            let err = Money::parse(bad).unwrap_err();
            assert_eq!(err.code(), "INVALID_NUMBER", "{bad:?}");
        }
    }

    #[test]
    fn absurdly_large_amounts_are_refused_so_arithmetic_cannot_overflow() {
        assert_eq!(
            Money::parse("79228162514264337593543950335")
                .unwrap_err()
                .code(),
            "NUMBER_OUT_OF_RANGE"
        );
        assert!(Money::parse("1000000000000").is_ok());
        assert!(Money::parse("1000000000000.01").is_err());
        assert!(Quantity::from_f64(1e13).is_err());
    }

    #[test]
    fn json_numbers_and_strings_both_parse_to_the_same_value() {
        let from_str: Money = serde_json::from_str("\"0.10\"").unwrap();
        let from_num: Money = serde_json::from_str("0.1").unwrap();
        let from_int: Quantity = serde_json::from_str("7").unwrap();
        assert_eq!(from_str, from_num);
        assert_eq!(from_num.amount(), Decimal::new(1, 1));
        assert_eq!(from_int, Quantity::units(7));
        assert!(serde_json::from_str::<Money>("\"x\"").is_err());
        assert!(serde_json::from_str::<Money>("true").is_err());
    }

    #[test]
    fn values_serialise_as_exact_decimal_strings() {
        assert_eq!(serde_json::to_string(&m("12.3450")).unwrap(), "\"12.345\"");
        assert_eq!(serde_json::to_string(&q("2.50")).unwrap(), "\"2.5\"");
    }

    #[test]
    fn nan_and_infinity_are_refused() {
        assert!(Money::from_f64(f64::NAN).is_err());
        assert!(Quantity::from_f64(f64::INFINITY).is_err());
    }

    #[test]
    fn rounding_is_half_away_from_zero_to_cents() {
        assert_eq!(m("2.345").round_cents(), m("2.35"));
        assert_eq!(m("-2.345").round_cents(), m("-2.35"));
        assert_eq!(m("2.344").round_cents(), m("2.34"));
        // Banker's rounding would give 2.34 here.
        assert_eq!(m("2.345").to_wire(), "2.35");
    }

    #[test]
    fn wire_form_has_exactly_two_decimals() {
        assert_eq!(Money::dollars(5).to_wire(), "5.00");
        assert_eq!(m("1234.5").to_wire(), "1234.50");
    }

    #[test]
    fn display_groups_thousands_and_rounds() {
        assert_eq!(m("1234567.891").to_string(), "$1,234,567.89");
        assert_eq!(m("-3").to_string(), "-$3.00");
        assert_eq!(m("999.995").to_string(), "$1,000.00");
        assert_eq!(m("-0.001").to_string(), "$0.00");
    }

    #[test]
    fn gst_is_fifteen_percent_and_exact_until_rounded() {
        assert_eq!(Money::dollars(100).gst(), Money::dollars(15));
        assert_eq!(Money::dollars(100).incl_gst(), Money::dollars(115));
        assert_eq!(m("0.03").gst(), m("0.0045"));
        assert_eq!(
            Money::dollars(115).excl_gst_from_incl(),
            Money::dollars(100)
        );
    }

    #[test]
    fn line_total_is_quantity_times_unit_cost() {
        let line = LineAmount {
            quantity: q("3"),
            unit_cost_excl: m("2.335"),
        };
        assert_eq!(line.total_excl(), m("7.005"));
        assert_eq!(line.total_incl(), m("8.05575"));
    }

    #[test]
    fn totals_take_gst_on_the_exact_sum_not_per_line() {
        // Three lines of 1 × $0.03: per-line rounded GST would be 3 × $0.00 = $0.00,
        // GST on the sum is $0.0135 → $0.01.
        let lines = vec![
            LineAmount {
                quantity: Quantity::ONE,
                unit_cost_excl: m("0.03"),
            };
            3
        ];
        let totals = consignment_totals(&lines);
        assert_eq!(totals.excl_gst, m("0.09"));
        assert_eq!(totals.gst, m("0.0135"));
        assert_eq!(totals.gst.round_cents(), m("0.01"));
        assert_eq!(totals.incl_gst, m("0.1035"));
        assert_eq!(totals.units, Quantity::units(3));
    }

    #[test]
    fn empty_consignment_totals_are_zero() {
        assert_eq!(consignment_totals(&[]), Totals::default());
    }

    #[test]
    fn quantity_sign_helpers() {
        assert!(q("0.5").is_positive());
        assert!(q("-1").is_negative());
        assert!(q("0.000").is_zero());
        assert_eq!(q("-2").max_zero(), Quantity::ZERO);
        assert_eq!(q("-2").abs(), q("2"));
        assert_eq!(q("2.500").to_string(), "2.5");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::test_support::cases(256)))]

        #[test]
        fn parsing_never_panics(s in "\\PC{0,40}") {
            let _ = Money::parse(&s);
            let _ = Quantity::parse(&s);
        }

        #[test]
        fn cents_round_trip_through_wire_form(cents in -10_000_000_000i64..10_000_000_000i64) {
            let money = Money::from_cents(cents);
            prop_assert_eq!(Money::parse(&money.to_wire()).unwrap(), money);
        }

        #[test]
        fn json_round_trip_is_exact(units in -1_000_000i64..1_000_000, scale in 0u32..6) {
            let value = Quantity::new(Decimal::new(units, scale));
            let json = serde_json::to_string(&value).unwrap();
            prop_assert_eq!(serde_json::from_str::<Quantity>(&json).unwrap(), value);
        }

        #[test]
        fn rounding_moves_by_at_most_half_a_cent(millis in -1_000_000_000i64..1_000_000_000) {
            let money = Money::new(Decimal::new(millis, 3));
            let diff = (money.round_cents() - money).abs();
            prop_assert!(diff <= Money::new(Decimal::new(5, 3)));
        }
    }
}
