//! Stock facts of this station's outlet, pulled from the hub: on hand and the outlet's
//! reorder settings per product, units sold per day, and what open purchase orders
//! still bring. Read by reorder suggestions; never pushed.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::Result;
use crate::sql::{ms, opt_dec, RowExt};
use crate::store::Store;

/// Stock facts of one product at one outlet, as the hub last sent them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockFacts {
    /// Outlet.
    pub outlet_id: Uuid,
    /// Product.
    pub product_id: Uuid,
    /// Units on hand.
    pub on_hand: Decimal,
    /// The outlet's reorder point in Lightspeed, when set.
    pub reorder_point: Option<Decimal>,
    /// Lightspeed's own restock amount, when set.
    pub reorder_amount: Option<Decimal>,
    /// Units sold per UTC day (`YYYY-MM-DD`), days without sales left out.
    pub daily_sales: Vec<(String, Decimal)>,
    /// The hub's change position (a replayed older row never wins).
    pub version: i64,
    /// When the hub applied the newest of these facts.
    pub hub_updated_at: OffsetDateTime,
}

/// A supplier's product with its stock position at an outlet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierStock {
    /// Product.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Units on hand.
    pub on_hand: Decimal,
    /// The outlet's reorder point, when set.
    pub reorder_point: Option<Decimal>,
    /// Units sold on the days from `sales_since` on.
    pub sold: Decimal,
    /// Units still to come on this outlet's open purchase orders (pending approval,
    /// approved, sent, in transit or being received), less what was received.
    pub on_order: Decimal,
}

/// How much stock data this station holds for an outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockCoverage {
    /// Products with stock facts.
    pub products: u64,
    /// When the hub applied the newest fact, if any.
    pub newest: Option<OffsetDateTime>,
}

/// Writes one pulled row (and its daily sales) unless ours is newer.
pub(crate) fn write_stock(tx: &rusqlite::Transaction<'_>, s: &StockFacts, at: i64) -> Result<()> {
    let (outlet, product) = (s.outlet_id.to_string(), s.product_id.to_string());
    let changed = tx
        .prepare_cached(
            "INSERT INTO stock_levels (outlet_id, product_id, on_hand, reorder_point,
                reorder_amount, version, hub_updated_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (outlet_id, product_id) DO UPDATE SET on_hand = excluded.on_hand,
                reorder_point = excluded.reorder_point, reorder_amount = excluded.reorder_amount,
                version = excluded.version, hub_updated_at = excluded.hub_updated_at,
                updated_at = excluded.updated_at
             WHERE excluded.version >= stock_levels.version",
        )?
        .execute(params![
            outlet,
            product,
            s.on_hand.to_string(),
            opt_dec(s.reorder_point),
            opt_dec(s.reorder_amount),
            s.version,
            ms(s.hub_updated_at),
            at
        ])?;
    if changed == 0 {
        return Ok(());
    }
    tx.execute(
        "DELETE FROM stock_daily_sales WHERE outlet_id = ?1 AND product_id = ?2",
        params![outlet, product],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO stock_daily_sales (outlet_id, product_id, day, units) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (outlet_id, product_id, day) DO UPDATE SET units = excluded.units",
    )?;
    for (day, units) in &s.daily_sales {
        insert.execute(params![outlet, product, day, units.to_string()])?;
    }
    Ok(())
}

impl Store {
    /// How many products of `outlet` have stock facts, and how fresh they are.
    pub fn stock_coverage(&self, outlet: Uuid) -> Result<StockCoverage> {
        self.read(|c| {
            let (n, newest): (i64, Option<i64>) = c
                .prepare_cached(
                    "SELECT COUNT(*), MAX(hub_updated_at) FROM stock_levels WHERE outlet_id = ?1",
                )?
                .query_row([outlet.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(StockCoverage {
                products: u64::try_from(n).unwrap_or(0),
                newest: newest.map(crate::sql::from_ms).transpose()?,
            })
        })
    }

    /// The stock facts of one product at an outlet, if the hub has sent them.
    pub fn stock_facts(&self, outlet: Uuid, product: Uuid) -> Result<Option<StockFacts>> {
        self.read(|c| {
            let (o, p) = (outlet.to_string(), product.to_string());
            let row = c
                .prepare_cached(
                    "SELECT on_hand, reorder_point, reorder_amount, version, hub_updated_at
                     FROM stock_levels WHERE outlet_id = ?1 AND product_id = ?2",
                )?
                .query_row(params![o, p], |r| {
                    Ok((
                        r.decimal("on_hand"),
                        r.opt_decimal("reorder_point"),
                        r.opt_decimal("reorder_amount"),
                        r.int("version"),
                        r.time("hub_updated_at"),
                    ))
                })
                .optional()?;
            let Some((on_hand, point, amount, version, at)) = row else {
                return Ok(None);
            };
            let mut stmt = c.prepare_cached(
                "SELECT day, units FROM stock_daily_sales
                 WHERE outlet_id = ?1 AND product_id = ?2 ORDER BY day",
            )?;
            let days = stmt
                .query_map(params![o, p], |r| Ok((r.text("day"), r.decimal("units"))))?
                .map(|r| {
                    let (d, u) = r?;
                    Ok((d?, u?))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Some(StockFacts {
                outlet_id: outlet,
                product_id: product,
                on_hand: on_hand?,
                reorder_point: point?,
                reorder_amount: amount?,
                daily_sales: days,
                version: version?,
                hub_updated_at: at?,
            }))
        })
    }

    /// The supplier's live products that have stock facts at `outlet`, with units sold
    /// from `sales_since` (`YYYY-MM-DD`, inclusive) and units on order, by SKU.
    pub fn supplier_stock(
        &self,
        outlet: Uuid,
        supplier: Uuid,
        sales_since: &str,
    ) -> Result<Vec<SupplierStock>> {
        self.read(|c| {
            let (o, s) = (outlet.to_string(), supplier.to_string());
            let mut stmt = c.prepare_cached(
                "SELECT p.id, p.sku, p.name, l.on_hand, l.reorder_point
                 FROM products p
                 JOIN stock_levels l ON l.product_id = p.id AND l.outlet_id = ?1
                 WHERE (p.supplier_id = ?2 OR p.supplier_ref = ?2)
                   AND p.deleted = 0 AND p.active = 1
                 ORDER BY p.sku",
            )?;
            let rows = stmt
                .query_map(params![o, s], |r| {
                    Ok((
                        r.uuid("id"),
                        r.text("sku"),
                        r.text("name"),
                        r.decimal("on_hand"),
                        r.opt_decimal("reorder_point"),
                    ))
                })?
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let sold = sold_since(c, &o, sales_since)?;
            let on_order = on_order(c, &o)?;
            rows.into_iter()
                .map(|(id, sku, name, on_hand, point)| {
                    let id = id?;
                    Ok(SupplierStock {
                        sold: sold.get(&id.to_string()).copied().unwrap_or_default(),
                        on_order: on_order.get(&id.to_string()).copied().unwrap_or_default(),
                        product_id: id,
                        sku: sku?,
                        name: name?,
                        on_hand: on_hand?,
                        reorder_point: point?,
                    })
                })
                .collect()
        })
    }
}

/// Units sold per product at the outlet from `since` on (summed exactly, in Rust).
fn sold_since(
    c: &rusqlite::Connection,
    outlet: &str,
    since: &str,
) -> Result<HashMap<String, Decimal>> {
    let mut stmt = c.prepare_cached(
        "SELECT product_id, units FROM stock_daily_sales WHERE outlet_id = ?1 AND day >= ?2",
    )?;
    let mut out: HashMap<String, Decimal> = HashMap::new();
    for r in stmt.query_map(params![outlet, since], |r| {
        Ok((r.text("product_id"), r.decimal("units")))
    })? {
        let (p, u) = r?;
        *out.entry(p?).or_default() += u?;
    }
    Ok(out)
}

/// Units per product still to arrive on the outlet's open purchase orders.
fn on_order(c: &rusqlite::Connection, outlet: &str) -> Result<HashMap<String, Decimal>> {
    let mut received: HashMap<(String, String), Decimal> = HashMap::new();
    let mut stmt = c.prepare_cached(
        "SELECT r.consignment_id, rl.product_id, rl.received_qty
         FROM receipt_lines rl JOIN receipts r ON r.id = rl.receipt_id
         JOIN consignments c ON c.id = r.consignment_id
         WHERE c.kind = 'purchase_order' AND c.destination_outlet_id = ?1",
    )?;
    for r in stmt.query_map([outlet], |r| {
        Ok((
            r.text("consignment_id"),
            r.text("product_id"),
            r.decimal("received_qty"),
        ))
    })? {
        let (cid, pid, qty) = r?;
        *received.entry((cid?, pid?)).or_default() += qty?;
    }
    let mut stmt = c.prepare_cached(
        "SELECT l.consignment_id, l.product_id, l.expected_qty
         FROM consignment_lines l JOIN consignments c ON c.id = l.consignment_id
         WHERE c.kind = 'purchase_order' AND c.destination_outlet_id = ?1 AND l.deleted = 0
           AND c.status IN ('pending_approval', 'approved', 'sent', 'in_transit', 'receiving')",
    )?;
    let mut out: HashMap<String, Decimal> = HashMap::new();
    for r in stmt.query_map([outlet], |r| {
        Ok((
            r.text("consignment_id"),
            r.text("product_id"),
            r.decimal("expected_qty"),
        ))
    })? {
        let (cid, pid, expected) = r?;
        let (cid, pid) = (cid?, pid?);
        let got = received
            .get(&(cid, pid.clone()))
            .copied()
            .unwrap_or_default();
        let left = (expected? - got).max(Decimal::ZERO);
        *out.entry(pid).or_default() += left;
    }
    Ok(out)
}
