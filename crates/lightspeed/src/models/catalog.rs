//! Products, outlets, suppliers and inventory as the API returns them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::decimal;
use super::versioned;

/// A barcode (`EAN`, `UPC`, `ISBN`, `CUSTOM`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCode {
    #[serde(rename = "type")]
    pub kind: String,
    pub code: String,
}

/// A product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub variant_name: Option<String>,
    #[serde(default)]
    pub supplier_id: Option<String>,
    #[serde(default)]
    pub supplier_code: Option<String>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub supply_price: Option<Decimal>,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub price_excluding_tax: Option<Decimal>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub is_composite: Option<bool>,
    #[serde(default)]
    pub product_codes: Vec<ProductCode>,
    pub version: u64,
    #[serde(default)]
    pub deleted_at: Option<String>,
    #[serde(default)]
    pub deleted: Option<bool>,
}

impl Product {
    /// Every barcode of the product.
    pub fn barcodes(&self) -> impl Iterator<Item = &str> {
        self.product_codes.iter().map(|c| c.code.as_str())
    }
}

/// A store or warehouse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outlet {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
    pub version: u64,
    #[serde(default)]
    pub deleted_at: Option<String>,
    #[serde(default)]
    pub deleted: Option<bool>,
}

/// A supplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Supplier {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub version: u64,
    #[serde(default)]
    pub deleted_at: Option<String>,
    #[serde(default)]
    pub deleted: Option<bool>,
}

/// Stock of one product at one outlet (read-only: consignments move it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryRecord {
    #[serde(default)]
    pub id: Option<String>,
    pub product_id: String,
    pub outlet_id: String,
    #[serde(default, deserialize_with = "decimal::optional")]
    pub inventory_level: Option<Decimal>,
    /// The outlet's reorder point for the product (`null` when unset).
    #[serde(default, deserialize_with = "decimal::optional")]
    pub reorder_point: Option<Decimal>,
    /// What Lightspeed's own restock would order.
    #[serde(default, deserialize_with = "decimal::optional")]
    pub reorder_amount: Option<Decimal>,
    pub version: u64,
    #[serde(default)]
    pub deleted_at: Option<String>,
    #[serde(default)]
    pub deleted: Option<bool>,
}

/// One line item of a sale (a refund has a negative quantity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaleLineItem {
    #[serde(default)]
    pub id: Option<String>,
    pub product_id: String,
    #[serde(deserialize_with = "decimal::required")]
    pub quantity: Decimal,
}

/// A register sale (`GET /sales`): only a completed one (`CLOSED`, `ONACCOUNT_CLOSED`,
/// `LAYBY_CLOSED`, ...) took stock; a `VOIDED` one gave it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sale {
    pub id: String,
    pub outlet_id: String,
    /// RFC 3339.
    #[serde(default)]
    pub sale_date: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub line_items: Vec<SaleLineItem>,
    pub version: u64,
    #[serde(default)]
    pub deleted_at: Option<String>,
    #[serde(default)]
    pub deleted: Option<bool>,
}

impl Sale {
    /// Whether the sale's units left stock: completed, not voided or deleted.
    pub fn is_completed(&self) -> bool {
        use crate::models::Versioned;
        !self.is_deleted()
            && self
                .status
                .as_deref()
                .is_some_and(|s| s.ends_with("CLOSED"))
    }
}

versioned!(Product, Outlet, Supplier, InventoryRecord, Sale);
