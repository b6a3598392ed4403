//! The fake store's data: versioned tables of products, outlets, suppliers,
//! inventory and consignments, one version counter for all of them.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::rules::{Kind, Status};
use super::wire::{as_number, as_opt_number, from_number, from_opt_number, now_rfc3339};
use crate::demo_data::DemoData;

/// A row that carries a version and may be soft-deleted.
pub(crate) trait Versioned: Clone {
    fn version(&self) -> u64;
    fn set_version(&mut self, v: u64);
    fn is_deleted(&self) -> bool;
    fn to_json(&self) -> Value;
}

macro_rules! versioned_serialize {
    ($t:ty) => {
        impl Versioned for $t {
            fn version(&self) -> u64 {
                self.version
            }
            fn set_version(&mut self, v: u64) {
                self.version = v;
            }
            fn is_deleted(&self) -> bool {
                self.deleted_at.is_some()
            }
            fn to_json(&self) -> Value {
                serde_json::to_value(self).unwrap_or(Value::Null)
            }
        }
    };
}

/// Rows by id, plus an index by version for the cursor walk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Table<T> {
    rows: HashMap<String, T>,
    by_version: BTreeMap<u64, String>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            rows: HashMap::new(),
            by_version: BTreeMap::new(),
        }
    }
}

impl<T: Versioned> Table<T> {
    /// Inserts or replaces `id` at `version` (the old version leaves the index).
    pub fn put(&mut self, id: &str, mut row: T, version: u64) {
        if let Some(old) = self.rows.get(id) {
            self.by_version.remove(&old.version());
        }
        row.set_version(version);
        self.by_version.insert(version, id.to_string());
        self.rows.insert(id.to_string(), row);
    }

    pub fn get(&self, id: &str) -> Option<&T> {
        self.rows.get(id)
    }

    /// A live (not deleted) row.
    pub fn live(&self, id: &str) -> Option<&T> {
        self.rows.get(id).filter(|r| !r.is_deleted())
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.rows.values()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Up to `n` rows with version > `after` that pass `keep`, in version order.
    pub fn page(&self, after: u64, n: usize, keep: impl Fn(&T) -> bool) -> Vec<&T> {
        self.by_version
            .range(after.saturating_add(1)..)
            .filter_map(|(_, id)| self.rows.get(id))
            .filter(|r| keep(r))
            .take(n)
            .collect()
    }
}

/// A barcode in `product_codes`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct ProductCodeRow {
    #[serde(rename = "type")]
    pub kind: String,
    pub code: String,
}

/// A product as Lightspeed returns it: `supply_price` is a number, `price_excluding_tax`
/// a string, on purpose (clients must read both).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ProductRow {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub variant_name: Option<String>,
    pub supplier_id: Option<String>,
    pub supplier_code: Option<String>,
    #[serde(serialize_with = "as_number", deserialize_with = "from_number")]
    pub supply_price: Decimal,
    pub price_excluding_tax: Decimal,
    pub active: bool,
    pub is_composite: bool,
    pub product_codes: Vec<ProductCodeRow>,
    pub version: u64,
    pub deleted_at: Option<String>,
}
versioned_serialize!(ProductRow);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct OutletRow {
    pub id: String,
    pub name: String,
    pub time_zone: String,
    pub currency: String,
    pub version: u64,
    pub deleted_at: Option<String>,
}
versioned_serialize!(OutletRow);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SupplierRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub version: u64,
    pub deleted_at: Option<String>,
}
versioned_serialize!(SupplierRow);

/// Stock of one product at one outlet; `inventory_level` is a number on the wire. As
/// in X-Series 2.0, each record carries the outlet's own `reorder_point` and
/// `reorder_amount` (numbers, `null` when unset); any change of stock or of these
/// settings gives the record a new version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct InventoryRow {
    pub id: String,
    pub product_id: String,
    pub outlet_id: String,
    #[serde(serialize_with = "as_number", deserialize_with = "from_number")]
    pub inventory_level: Decimal,
    #[serde(
        default,
        serialize_with = "as_opt_number",
        deserialize_with = "from_opt_number"
    )]
    pub reorder_point: Option<Decimal>,
    #[serde(
        default,
        serialize_with = "as_opt_number",
        deserialize_with = "from_opt_number"
    )]
    pub reorder_amount: Option<Decimal>,
    pub version: u64,
    pub deleted_at: Option<String>,
}
versioned_serialize!(InventoryRow);

/// One line of a sale; `quantity` is a number on the wire (negative for a refund).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SaleLineRow {
    pub id: String,
    pub product_id: String,
    #[serde(serialize_with = "as_number", deserialize_with = "from_number")]
    pub quantity: Decimal,
}

/// A register sale as X-Series 2.0 lists it (`GET /sales`): `sale_date` in RFC 3339
/// UTC, `status` `CLOSED` for a completed sale and `VOIDED` once voided.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SaleRow {
    pub id: String,
    pub outlet_id: String,
    pub sale_date: String,
    pub status: String,
    pub line_items: Vec<SaleLineRow>,
    pub version: u64,
    pub deleted_at: Option<String>,
}
versioned_serialize!(SaleRow);

/// One consignment line; quantities are strings on the wire.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LineRow {
    pub id: String,
    pub product_id: String,
    pub count: Decimal,
    pub received: Option<Decimal>,
    pub cost: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ConsignmentRow {
    pub id: String,
    pub kind: Kind,
    pub status: Status,
    pub name: Option<String>,
    pub reference: Option<String>,
    pub outlet_id: String,
    pub source_outlet_id: Option<String>,
    pub supplier_id: Option<String>,
    pub due_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub received_at: Option<String>,
    pub lines: Vec<LineRow>,
    pub version: u64,
    pub deleted_at: Option<String>,
}

impl Versioned for ConsignmentRow {
    fn version(&self) -> u64 {
        self.version
    }
    fn set_version(&mut self, v: u64) {
        self.version = v;
    }
    fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "type": self.kind.as_str(),
            "status": self.status.as_str(),
            "name": self.name,
            "reference": self.reference,
            "outlet_id": self.outlet_id,
            "source_outlet_id": self.source_outlet_id,
            "supplier_id": self.supplier_id,
            "due_at": self.due_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "received_at": self.received_at,
            "version": self.version,
            "deleted_at": self.deleted_at,
        })
    }
}

impl ConsignmentRow {
    pub fn line(&self, product_id: &str) -> Option<&LineRow> {
        self.lines.iter().find(|l| l.product_id == product_id)
    }
}

/// All the data of one fake store.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Store {
    version: u64,
    pub products: Table<ProductRow>,
    pub outlets: Table<OutletRow>,
    pub suppliers: Table<SupplierRow>,
    pub inventory: Table<InventoryRow>,
    pub consignments: Table<ConsignmentRow>,
    #[serde(default)]
    pub sales: Table<SaleRow>,
}

impl Store {
    /// The next version number (shared by every table, strictly increasing).
    pub fn next_version(&mut self) -> u64 {
        self.version += 1;
        self.version
    }

    pub fn put_product(&mut self, row: ProductRow) {
        let v = self.next_version();
        let id = row.id.clone();
        self.products.put(&id, row, v);
    }

    pub fn put_outlet(&mut self, row: OutletRow) {
        let v = self.next_version();
        let id = row.id.clone();
        self.outlets.put(&id, row, v);
    }

    pub fn put_supplier(&mut self, row: SupplierRow) {
        let v = self.next_version();
        let id = row.id.clone();
        self.suppliers.put(&id, row, v);
    }

    pub fn put_consignment(&mut self, mut row: ConsignmentRow) {
        let v = self.next_version();
        row.updated_at = now_rfc3339();
        let id = row.id.clone();
        self.consignments.put(&id, row, v);
    }

    /// Soft-deletes a product: it stays in the cursor walk with `deleted_at`.
    pub fn delete_product(&mut self, id: &str) -> bool {
        let Some(mut row) = self.products.live(id).cloned() else {
            return false;
        };
        row.deleted_at = Some(now_rfc3339());
        self.put_product(row);
        true
    }

    /// Stock of a product at an outlet (0 when never stocked).
    pub fn inventory_level(&self, product_id: &str, outlet_id: &str) -> Decimal {
        self.inventory
            .get(&inventory_id(product_id, outlet_id))
            .map(|r| r.inventory_level)
            .unwrap_or_default()
    }

    /// Moves stock: consignments are the only writers of inventory.
    pub fn adjust_inventory(&mut self, product_id: &str, outlet_id: &str, delta: Decimal) {
        if delta.is_zero() {
            return;
        }
        self.set_inventory(
            product_id,
            outlet_id,
            self.inventory_level(product_id, outlet_id) + delta,
        );
    }

    /// Sets stock to an absolute level (stocktakes); the reorder settings stay.
    pub fn set_inventory(&mut self, product_id: &str, outlet_id: &str, level: Decimal) {
        self.change_inventory(product_id, outlet_id, |r| r.inventory_level = level);
    }

    /// Sets an outlet's reorder point and amount for a product (a new version).
    pub fn set_reorder(
        &mut self,
        product_id: &str,
        outlet_id: &str,
        point: Option<Decimal>,
        amount: Option<Decimal>,
    ) {
        self.change_inventory(product_id, outlet_id, |r| {
            r.reorder_point = point;
            r.reorder_amount = amount;
        });
    }

    fn change_inventory(
        &mut self,
        product_id: &str,
        outlet_id: &str,
        change: impl FnOnce(&mut InventoryRow),
    ) {
        let id = inventory_id(product_id, outlet_id);
        let mut row = self.inventory.get(&id).cloned().unwrap_or(InventoryRow {
            id: id.clone(),
            product_id: product_id.to_string(),
            outlet_id: outlet_id.to_string(),
            inventory_level: Decimal::ZERO,
            reorder_point: None,
            reorder_amount: None,
            version: 0,
            deleted_at: None,
        });
        change(&mut row);
        let v = self.next_version();
        self.inventory.put(&id, row, v);
    }

    /// Records a completed sale at `outlet_id` on `sale_date` (RFC 3339); like
    /// Lightspeed, the sold units leave the outlet's stock. Returns the sale's id.
    pub fn record_sale(
        &mut self,
        outlet_id: &str,
        sale_date: &str,
        lines: &[(String, Decimal)],
    ) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.put_sale_row(&id, outlet_id, sale_date, lines);
        for (product_id, qty) in lines {
            self.adjust_inventory(product_id, outlet_id, -*qty);
        }
        id
    }

    fn put_sale_row(
        &mut self,
        id: &str,
        outlet_id: &str,
        sale_date: &str,
        lines: &[(String, Decimal)],
    ) {
        let v = self.next_version();
        let row = SaleRow {
            id: id.to_string(),
            outlet_id: outlet_id.to_string(),
            sale_date: sale_date.to_string(),
            status: "CLOSED".into(),
            line_items: lines
                .iter()
                .map(|(product_id, quantity)| SaleLineRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    product_id: product_id.clone(),
                    quantity: *quantity,
                })
                .collect(),
            version: v,
            deleted_at: None,
        };
        self.sales.put(id, row, v);
    }

    /// Voids a completed sale: it comes back in the walk as `VOIDED` with a new
    /// version, and its units return to stock. False when unknown or already void.
    pub fn void_sale(&mut self, id: &str) -> bool {
        let Some(mut row) = self.sales.live(id).cloned() else {
            return false;
        };
        if row.status == "VOIDED" {
            return false;
        }
        row.status = "VOIDED".into();
        for l in &row.line_items {
            self.adjust_inventory(&l.product_id, &row.outlet_id, l.quantity);
        }
        let v = self.next_version();
        self.sales.put(id, row, v);
        true
    }

    /// Soft-deletes a sale: it stays in the walk with `deleted_at` (stock untouched).
    pub fn delete_sale(&mut self, id: &str) -> bool {
        let Some(mut row) = self.sales.live(id).cloned() else {
            return false;
        };
        row.deleted_at = Some(now_rfc3339());
        let v = self.next_version();
        self.sales.put(id, row, v);
        true
    }

    /// Loads demo data (outlets, suppliers, products, inventory, consignments). Stock
    /// is loaded as given: seeded consignments do not move it again.
    pub fn seed(&mut self, data: &DemoData) {
        for o in &data.outlets {
            self.put_outlet(OutletRow {
                id: o.id.clone(),
                name: o.name.clone(),
                time_zone: o.time_zone.clone(),
                currency: "NZD".into(),
                version: 0,
                deleted_at: None,
            });
        }
        for s in &data.suppliers {
            self.put_supplier(SupplierRow {
                id: s.id.clone(),
                name: s.name.clone(),
                description: None,
                version: 0,
                deleted_at: None,
            });
        }
        for p in &data.products {
            self.put_product(ProductRow {
                id: p.id.clone(),
                sku: p.sku.clone(),
                name: p.name.clone(),
                variant_name: p.variant_name.clone(),
                supplier_id: data.suppliers.get(p.supplier).map(|s| s.id.clone()),
                supplier_code: Some(p.supplier_code.clone()),
                supply_price: p.supply_price,
                price_excluding_tax: p.price_excluding_tax,
                active: p.active,
                is_composite: false,
                product_codes: p
                    .product_codes
                    .iter()
                    .map(|c| ProductCodeRow {
                        kind: c.kind.clone(),
                        code: c.code.clone(),
                    })
                    .collect(),
                version: 0,
                deleted_at: None,
            });
        }
        for i in &data.inventory {
            let (Some(p), Some(o)) = (data.products.get(i.product), data.outlets.get(i.outlet))
            else {
                continue;
            };
            self.set_inventory(&p.id, &o.id, Decimal::from(i.count));
            if let Some(point) = i.reorder_point {
                self.set_reorder(
                    &p.id,
                    &o.id,
                    Some(Decimal::from(point)),
                    i.reorder_amount.map(Decimal::from),
                );
            }
        }
        // Seeded sales are history: the seeded levels already include them.
        let now = time::OffsetDateTime::now_utc();
        for sale in &data.sales {
            let Some(o) = data.outlets.get(sale.outlet) else {
                continue;
            };
            let at = now - time::Duration::minutes(i64::from(sale.minutes_ago));
            let date = at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            let lines: Vec<(String, Decimal)> = sale
                .lines
                .iter()
                .filter_map(|l| {
                    data.products
                        .get(l.product)
                        .map(|p| (p.id.clone(), Decimal::from(l.quantity)))
                })
                .collect();
            self.put_sale_row(&sale.id, &o.id, &date, &lines);
        }
        for c in &data.consignments {
            let now = now_rfc3339();
            let lines = c
                .lines
                .iter()
                .filter_map(|l| data.products.get(l.product).map(|p| (p, l)))
                .map(|(p, l)| LineRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    product_id: p.id.clone(),
                    count: l.count,
                    received: None,
                    cost: l.cost,
                })
                .collect();
            self.put_consignment(ConsignmentRow {
                id: c.id.clone(),
                kind: Kind::parse(c.kind.as_str()).unwrap_or(Kind::Outlet),
                status: Status::parse(c.status.as_str()).unwrap_or(Status::Open),
                name: Some(c.name.clone()),
                reference: Some(c.reference.clone()),
                outlet_id: data.outlets[c.outlet].id.clone(),
                source_outlet_id: c.source_outlet.map(|o| data.outlets[o].id.clone()),
                supplier_id: c.supplier.map(|s| data.suppliers[s].id.clone()),
                due_at: None,
                created_at: now.clone(),
                updated_at: now,
                received_at: None,
                lines,
                version: 0,
                deleted_at: None,
            });
        }
    }
}

/// Inventory records are keyed by product and outlet.
pub(crate) fn inventory_id(product_id: &str, outlet_id: &str) -> String {
    format!("{product_id}:{outlet_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supplier(id: &str) -> SupplierRow {
        SupplierRow {
            id: id.into(),
            name: id.into(),
            description: None,
            version: 0,
            deleted_at: None,
        }
    }

    #[test]
    fn an_updated_row_moves_to_the_end_of_the_cursor_walk() {
        let mut s = Store::default();
        s.put_supplier(supplier("a"));
        s.put_supplier(supplier("b"));
        s.put_supplier(supplier("a"));
        let ids: Vec<_> = s
            .suppliers
            .page(0, 10, |_| true)
            .iter()
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(ids, ["b", "a"]);
        assert_eq!(s.suppliers.page(2, 10, |_| true).len(), 1);
    }

    #[test]
    fn inventory_moves_only_by_the_given_delta() {
        let mut s = Store::default();
        s.adjust_inventory("p", "o", Decimal::from(5));
        s.adjust_inventory("p", "o", Decimal::from(-2));
        assert_eq!(s.inventory_level("p", "o"), Decimal::from(3));
        assert_eq!(s.inventory_level("p", "other"), Decimal::ZERO);
    }
}
