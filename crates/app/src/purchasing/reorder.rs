//! Reorder suggestions: products of a supplier at or below their reorder point at this
//! outlet, with a quantity from recent sales velocity and the supplier's lead time. Each
//! suggestion explains its numbers (DOMAIN.md, "Insights").
//!
//! The rule is a pure function ([`suggest_reorders`]) so the hub can run the same one.
//! Its inputs come from the stock facts the hub pulls down for this outlet (on hand,
//! the outlet's reorder points and units sold per day, read from Lightspeed), the
//! outlet's open purchase orders (units on order) and the chain's reorder policy from
//! the hub (window, safety and cover days, supplier lead times). When the station has
//! no stock facts yet, [`crate::App::reorder_suggestions`] says so instead of guessing.

use std::collections::HashMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use tally_domain::ConsignmentKind;
use tally_sync::{ChainPolicies, ReorderPolicy};
use time::OffsetDateTime;
use uuid::Uuid;

use super::views::PurchaseOrderView;
use crate::error::AppError;
use crate::App;

/// The numbers one product's suggestion is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReorderInput {
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Stock on hand at the outlet (may be negative when sales ran ahead of receiving).
    pub on_hand: Decimal,
    /// Units already on open orders to the outlet.
    pub on_order: Decimal,
    /// The product's reorder point at the outlet, when set (Lightspeed keeps one per outlet).
    pub reorder_point: Option<Decimal>,
    /// Units sold at the outlet over the rules' window.
    pub sold_in_window: Decimal,
    /// Days from ordering to delivery for this supplier.
    pub lead_time_days: u32,
    /// Units per outer carton, when the supplier sells in cartons.
    pub pack_size: Option<Decimal>,
}

/// The rule's settings (chain-configurable; defaults from the old transfer engine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReorderRules {
    /// Sales window for the velocity, in days.
    pub window_days: u32,
    /// Extra days of sales kept as safety stock.
    pub safety_days: u32,
    /// Days of cover an order should bring after delivery.
    pub cover_days: u32,
}

impl Default for ReorderRules {
    fn default() -> Self {
        Self {
            window_days: 30,
            safety_days: 2,
            cover_days: 14,
        }
    }
}

/// One suggested line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReorderSuggestion {
    /// Product id.
    pub product_id: String,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units to order (whole cartons when a pack size is known).
    pub quantity: String,
    /// Units sold per day over the window.
    pub daily_velocity: String,
    /// The reorder point used.
    pub reorder_point: String,
    /// Why, with the numbers.
    pub explanation: String,
}

/// What the reorder panel shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ReorderSuggestions {
    /// False when this station lacks the data to suggest anything.
    pub available: bool,
    /// What is missing, when not available.
    pub missing: Option<String>,
    /// Suggestions, most urgent (fewest days of cover) first.
    pub items: Vec<ReorderSuggestion>,
    /// When the newest stock fact was read from Lightspeed by the hub (RFC 3339).
    pub as_of: Option<String>,
    /// What the numbers rest on (window, lead time, products looked at).
    pub basis: Option<String>,
}

impl ReorderSuggestions {
    fn unavailable(missing: impl Into<String>) -> Self {
        Self {
            available: false,
            missing: Some(missing.into()),
            items: Vec::new(),
            as_of: None,
            basis: None,
        }
    }
}

fn ceil(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(0, RoundingStrategy::ToPositiveInfinity)
}

fn show(d: Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

/// Products at or below their reorder point, with quantities that bring stock up to the
/// reorder point plus `cover_days` of sales, rounded up to whole cartons.
///
/// Reorder point: the product's own when set, else sales during the lead time plus
/// `safety_days` of sales. A product that never sells and has no reorder point of its own
/// is never suggested.
pub fn suggest_reorders(inputs: &[ReorderInput], rules: ReorderRules) -> Vec<ReorderSuggestion> {
    let window = Decimal::from(rules.window_days.max(1));
    let mut out: Vec<(Decimal, ReorderSuggestion)> = Vec::new();
    for p in inputs {
        let velocity = (p.sold_in_window.max(Decimal::ZERO)) / window;
        if velocity.is_zero() && p.reorder_point.is_none() {
            continue;
        }
        let position = p.on_hand + p.on_order;
        let lead = Decimal::from(p.lead_time_days);
        let computed_point = ceil(velocity * (lead + Decimal::from(rules.safety_days)));
        let point = p.reorder_point.unwrap_or(computed_point);
        if position > point {
            continue;
        }
        let up_to =
            (point + ceil(velocity * Decimal::from(rules.cover_days))).max(point + Decimal::ONE);
        let mut quantity = up_to - position;
        let mut carton_note = String::new();
        if let Some(pack) = p.pack_size.filter(|s| *s > Decimal::ONE) {
            let cartons = ceil(quantity / pack);
            let rounded = cartons * pack;
            if rounded != quantity {
                carton_note = format!(
                    "; {} rounded up to {} carton(s) of {}",
                    show(quantity),
                    show(cartons),
                    show(pack)
                );
            }
            quantity = rounded;
        }
        if quantity <= Decimal::ZERO {
            continue;
        }
        let point_note = match p.reorder_point {
            Some(_) => format!("its reorder point {}", show(point)),
            None => format!(
                "the reorder point {} ({} days lead time + {} days safety at that rate)",
                show(point),
                p.lead_time_days,
                rules.safety_days
            ),
        };
        let explanation = format!(
            "Sold {} in {} days ({}/day). {} on hand + {} on order is at or below {point_note}. Ordering up to {} ({} days of cover after delivery): {}{carton_note}.",
            show(p.sold_in_window),
            rules.window_days,
            show(velocity),
            show(p.on_hand),
            show(p.on_order),
            show(up_to),
            rules.cover_days,
            show(up_to - position),
        );
        // Fewest days of cover first; a product that does not sell goes last.
        let days_of_cover = if velocity.is_zero() {
            Decimal::MAX
        } else {
            position / velocity
        };
        out.push((
            days_of_cover,
            ReorderSuggestion {
                product_id: p.product_id.clone(),
                sku: p.sku.clone(),
                name: p.name.clone(),
                quantity: show(quantity),
                daily_velocity: show(velocity),
                reorder_point: show(point),
                explanation,
            },
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.sku.cmp(&b.1.sku)));
    out.into_iter().map(|(_, s)| s).collect()
}

impl App {
    /// The chain's reorder policy as the hub last sent it (defaults before the first sync).
    fn reorder_policy(&self) -> Result<ReorderPolicy, AppError> {
        Ok(match self.store().hub_policies()? {
            Some(json) => serde_json::from_str::<ChainPolicies>(&json)
                .map(|p| p.reorder)
                .unwrap_or_default(),
            None => ReorderPolicy::default(),
        })
    }

    /// Reorder suggestions for a purchase order's supplier at its outlet: products of
    /// that supplier at or below their reorder point, from the stock facts the hub sent.
    /// Units already on this order or on the outlet's other open orders count as on order.
    pub fn reorder_suggestions(&self, order_id: &str) -> Result<ReorderSuggestions, AppError> {
        self.actor()?;
        let id = super::parse_id("purchase order", order_id)?;
        let f = self.order_facts(id, ConsignmentKind::PurchaseOrder)?;
        let Some(supplier) = f.header.supplier_id else {
            return Ok(ReorderSuggestions::unavailable(
                "This order has no supplier, so there is nothing to suggest.",
            ));
        };
        let outlet = match f.header.destination_outlet_id {
            Some(o) => o,
            None => self.outlet_id()?,
        };
        let store = self.store();
        let coverage = store.stock_coverage(outlet)?;
        let Some(as_of) = coverage.newest.filter(|_| coverage.products > 0) else {
            return Ok(ReorderSuggestions::unavailable(
                "No stock levels or sales for this outlet have reached this station yet. Connect to the hub and let it sync: the hub reads stock, reorder points and sales from Lightspeed, and suggestions appear after the next sync.",
            ));
        };
        let policy = self.reorder_policy()?;
        let window = policy.window_days.max(1);
        let since = OffsetDateTime::now_utc().date() - time::Duration::days(i64::from(window) - 1);
        let since = format!(
            "{:04}-{:02}-{:02}",
            since.year(),
            u8::from(since.month()),
            since.day()
        );
        let lead_key = store
            .suppliers()?
            .into_iter()
            .find(|s| s.id == supplier)
            .and_then(|s| s.lightspeed_id)
            .unwrap_or_else(|| supplier.to_string());
        let lead_time_days = policy.lead_time(&lead_key);
        let on_this_order: HashMap<Uuid, Decimal> = f
            .lines
            .iter()
            .map(|l| (l.line.product_id, l.line.expected_qty))
            .collect();
        let stock = store.supplier_stock(outlet, supplier, &since)?;
        let inputs: Vec<ReorderInput> = stock
            .iter()
            .map(|s| ReorderInput {
                product_id: s.product_id.to_string(),
                sku: s.sku.clone(),
                name: s.name.clone(),
                on_hand: s.on_hand,
                on_order: s.on_order
                    + on_this_order
                        .get(&s.product_id)
                        .copied()
                        .unwrap_or_default(),
                reorder_point: s.reorder_point,
                sold_in_window: s.sold,
                lead_time_days,
                pack_size: None,
            })
            .collect();
        let rules = ReorderRules {
            window_days: window,
            safety_days: policy.safety_days,
            cover_days: policy.cover_days,
        };
        Ok(ReorderSuggestions {
            available: true,
            missing: None,
            items: suggest_reorders(&inputs, rules),
            as_of: Some(super::rfc3339(as_of)),
            basis: Some(format!(
                "{} of this supplier's products stocked here; sales of the last {window} days; {lead_time_days} days lead time; units on open orders (this one included) count as on order.",
                stock.len()
            )),
        })
    }

    /// Adds every current reorder suggestion to the draft at its suggested quantity,
    /// each as its own saved change; returns the order as it is after the last one.
    pub fn add_reorder_suggestions(&self, order_id: &str) -> Result<PurchaseOrderView, AppError> {
        let suggestions = self.reorder_suggestions(order_id)?;
        if !suggestions.available {
            return Err(AppError::new(
                "REORDER_DATA_MISSING",
                suggestions.missing.unwrap_or_default(),
            ));
        }
        let mut view = self.purchase_order(order_id)?;
        for s in &suggestions.items {
            view = self.add_to_purchase_order(order_id, &s.product_id, Some(&s.quantity))?;
        }
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn input(sku: &str, on_hand: &str, sold: &str) -> ReorderInput {
        ReorderInput {
            product_id: format!("p-{sku}"),
            sku: sku.into(),
            name: format!("Product {sku}"),
            on_hand: d(on_hand),
            on_order: Decimal::ZERO,
            reorder_point: None,
            sold_in_window: d(sold),
            lead_time_days: 4,
            pack_size: None,
        }
    }

    #[test]
    fn a_product_below_its_computed_reorder_point_is_topped_up_to_cover() {
        // 45 sold in 30 days = 1.5/day; point = ceil(1.5 × (4 + 2)) = 9; up to 9 + ceil(1.5 × 14) = 30.
        let s = suggest_reorders(&[input("A", "3", "45")], ReorderRules::default());
        assert_eq!(s.len(), 1);
        assert_eq!(
            (s[0].quantity.as_str(), s[0].reorder_point.as_str()),
            ("27", "9")
        );
        assert!(s[0].explanation.contains("1.5/day"), "{}", s[0].explanation);
        assert!(
            s[0].explanation.contains("4 days lead time"),
            "{}",
            s[0].explanation
        );
    }

    #[test]
    fn stock_above_the_reorder_point_is_not_suggested() {
        assert!(suggest_reorders(&[input("A", "10", "45")], ReorderRules::default()).is_empty());
    }

    #[test]
    fn units_on_order_count_towards_the_stock_position() {
        let mut p = input("A", "3", "45");
        p.on_order = d("20");
        assert!(suggest_reorders(&[p], ReorderRules::default()).is_empty());
    }

    #[test]
    fn quantities_round_up_to_whole_cartons_and_say_so() {
        let mut p = input("A", "3", "45");
        p.pack_size = Some(d("12"));
        let s = suggest_reorders(&[p], ReorderRules::default());
        assert_eq!(s[0].quantity, "36");
        assert!(
            s[0].explanation.contains("carton(s) of 12"),
            "{}",
            s[0].explanation
        );
    }

    #[test]
    fn a_product_that_never_sells_is_only_suggested_with_its_own_reorder_point() {
        let still = input("S", "0", "0");
        assert!(suggest_reorders(std::slice::from_ref(&still), ReorderRules::default()).is_empty());
        let mut with_point = still;
        with_point.reorder_point = Some(d("2"));
        let s = suggest_reorders(&[with_point], ReorderRules::default());
        assert_eq!(s[0].quantity, "3", "tops up to one above its point");
    }

    #[test]
    fn the_most_urgent_product_comes_first() {
        let s = suggest_reorders(
            &[input("SLOW", "2", "30"), input("FAST", "2", "300")],
            ReorderRules::default(),
        );
        let skus: Vec<&str> = s.iter().map(|x| x.sku.as_str()).collect();
        assert_eq!(skus, vec!["FAST", "SLOW"]);
    }

    #[test]
    fn negative_stock_orders_enough_to_cover_the_hole() {
        let s = suggest_reorders(&[input("A", "-5", "45")], ReorderRules::default());
        assert_eq!(s[0].quantity, "35");
    }
}
