//! The catalog: outlets, suppliers and products with their codes. Written only by
//! pulls from the hub; read by every scan (`lookup_code`) and by the UI's search.

use rusqlite::{params, Connection};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::sql::{opt_dec, opt_id, opt_u32, to_opt_u32, RowExt};
use crate::store::Store;

/// A shop of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outlet {
    /// Hub id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Short code, if the chain uses them.
    pub code: Option<String>,
    /// Lightspeed outlet id.
    pub lightspeed_id: Option<String>,
    /// Still trading.
    pub active: bool,
    /// Hub version (pulled rows only move forward).
    pub version: i64,
}

/// A supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    /// Hub id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// Short code.
    pub code: Option<String>,
    /// Lightspeed supplier id.
    pub lightspeed_id: Option<String>,
    /// Still ordered from.
    pub active: bool,
    /// Hub version.
    pub version: i64,
}

/// Outer dimensions in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dimensions {
    /// Length, mm.
    pub length_mm: u32,
    /// Width, mm.
    pub width_mm: u32,
    /// Height, mm.
    pub height_mm: u32,
}

/// A product as the hub sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Hub id.
    pub id: Uuid,
    /// Stock-keeping unit (also scannable).
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Main supplier.
    pub supplier_id: Option<Uuid>,
    /// The supplier's own code (also scannable).
    pub supplier_code: Option<String>,
    /// Cost from the supplier, excl. GST.
    pub supply_price: Option<Decimal>,
    /// Retail price.
    pub price: Option<Decimal>,
    /// Unit weight in grams.
    pub weight_grams: Option<u32>,
    /// Unit dimensions.
    pub dimensions: Option<Dimensions>,
    /// Sellable now.
    pub active: bool,
    /// Deleted in Lightspeed (kept for history; never matched by a scan).
    pub deleted: bool,
    /// Lightspeed product id.
    pub lightspeed_id: Option<String>,
    /// Hub version.
    pub version: i64,
    /// Every barcode printed on it (EAN-13, UPC-A, inner/outer cartons...).
    pub barcodes: Vec<String>,
}

/// Which kind of code a scan matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// A barcode.
    Barcode,
    /// The SKU.
    Sku,
    /// The supplier's code.
    SupplierCode,
}

impl CodeKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Barcode => "barcode",
            Self::Sku => "sku",
            Self::SupplierCode => "supplier_code",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Barcode, Self::Sku, Self::SupplierCode]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// What a scan or a search finds: enough for the packing screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductHit {
    /// Product id.
    pub product_id: Uuid,
    /// SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Supplier code.
    pub supplier_code: Option<String>,
    /// Retail price.
    pub price: Option<Decimal>,
    /// Unit weight in grams.
    pub weight_grams: Option<u32>,
    /// False for a product no longer sold (still found, so the UI can say so).
    pub active: bool,
    /// How the code matched (None for a name search).
    pub matched_by: Option<CodeKind>,
    /// How many other products share this code (0 normally; > 0 means ask the person).
    pub other_matches: u32,
}

/// Name search ranks the first this-many matches only: ranking every match of a broad
/// word ("mug") in a 200,000-product catalog costs hundreds of milliseconds.
const SEARCH_CANDIDATES: u32 = 500;

const HIT_COLUMNS: &str = "p.id, p.sku, p.name, p.supplier_code, p.price, p.weight_grams, p.active";

fn hit(r: &rusqlite::Row<'_>, matched_by: Option<CodeKind>) -> Result<ProductHit> {
    Ok(ProductHit {
        product_id: r.uuid("id")?,
        sku: r.text("sku")?,
        name: r.text("name")?,
        supplier_code: r.opt_text("supplier_code")?,
        price: r.opt_decimal("price")?,
        weight_grams: to_opt_u32(r.opt_int("weight_grams")?, "weight_grams")?,
        active: r.flag("active")?,
        matched_by,
        other_matches: 0,
    })
}

pub(crate) fn upsert_outlet(c: &Connection, o: &Outlet, at: i64) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO outlets (id, name, code, lightspeed_id, active, version, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, code = excluded.code,
            lightspeed_id = excluded.lightspeed_id, active = excluded.active,
            version = excluded.version, updated_at = excluded.updated_at
         WHERE excluded.version >= outlets.version",
    )?
    .execute(params![
        o.id.to_string(),
        o.name,
        o.code,
        o.lightspeed_id,
        o.active,
        o.version,
        at
    ])?;
    Ok(())
}

pub(crate) fn upsert_supplier(c: &Connection, s: &Supplier, at: i64) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO suppliers (id, name, code, lightspeed_id, active, version, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, code = excluded.code,
            lightspeed_id = excluded.lightspeed_id, active = excluded.active,
            version = excluded.version, updated_at = excluded.updated_at
         WHERE excluded.version >= suppliers.version",
    )?
    .execute(params![
        s.id.to_string(),
        s.name,
        s.code,
        s.lightspeed_id,
        s.active,
        s.version,
        at
    ])?;
    Ok(())
}

/// Writes a product and rewrites its codes; an older version than stored is ignored.
pub(crate) fn upsert_product(c: &Connection, p: &Product, at: i64) -> Result<()> {
    if p.sku.trim().is_empty() {
        return Err(StoreError::bad_input(
            "sku",
            format!("product {} has an empty SKU", p.id),
        ));
    }
    let id = p.id.to_string();
    let changed = c
        .prepare_cached(
            "INSERT INTO products (id, sku, name, supplier_id, supplier_code, supply_price, price,
                weight_grams, length_mm, width_mm, height_mm, active, deleted, lightspeed_id,
                version, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, name = excluded.name,
                supplier_id = excluded.supplier_id, supplier_code = excluded.supplier_code,
                supply_price = excluded.supply_price, price = excluded.price,
                weight_grams = excluded.weight_grams, length_mm = excluded.length_mm,
                width_mm = excluded.width_mm, height_mm = excluded.height_mm,
                active = excluded.active, deleted = excluded.deleted,
                lightspeed_id = excluded.lightspeed_id, version = excluded.version,
                updated_at = excluded.updated_at
             WHERE excluded.version >= products.version",
        )?
        .execute(params![
            id,
            p.sku,
            p.name,
            opt_id(p.supplier_id),
            p.supplier_code,
            opt_dec(p.supply_price),
            opt_dec(p.price),
            opt_u32(p.weight_grams),
            opt_u32(p.dimensions.map(|d| d.length_mm)),
            opt_u32(p.dimensions.map(|d| d.width_mm)),
            opt_u32(p.dimensions.map(|d| d.height_mm)),
            p.active,
            p.deleted,
            p.lightspeed_id,
            p.version,
            at
        ])?;
    if changed == 0 {
        return Ok(()); // an older version than we hold: keep ours and its codes
    }
    c.prepare_cached("DELETE FROM product_codes WHERE product_id = ?1")?
        .execute([&id])?;
    let mut ins = c.prepare_cached(
        "INSERT OR IGNORE INTO product_codes (code, product_id, kind) VALUES (?1, ?2, ?3)",
    )?;
    let codes = p
        .barcodes
        .iter()
        .map(|b| (b.as_str(), CodeKind::Barcode))
        .chain(std::iter::once((p.sku.as_str(), CodeKind::Sku)))
        .chain(
            p.supplier_code
                .as_deref()
                .map(|s| (s, CodeKind::SupplierCode)),
        );
    for (code, kind) in codes {
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        ins.execute(params![code, id, kind.as_str()])?;
        // Also index a valid GTIN under its GTIN-14 form, so a UPC-A scan finds the
        // EAN-13 the catalog holds (and the other way round).
        if kind == CodeKind::Barcode {
            if let Some(g14) = gtin14(code) {
                ins.execute(params![g14, id, kind.as_str()])?;
            }
        }
    }
    Ok(())
}

/// The GTIN-14 form of a valid GTIN-8/12/13/14, when it differs from `code`.
fn gtin14(code: &str) -> Option<String> {
    let g = tally_domain::Gtin::parse(code).ok()?;
    let g14 = g.to_gtin14();
    (g14 != code).then_some(g14)
}

/// Turns what a person typed into an FTS5 query: each word a quoted prefix, all required.
/// Quoting means no input can be FTS syntax (no errors, no injection). A one-letter
/// word matches only itself: as a prefix it would expand to most of the catalog.
fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(8)
        .map(|t| {
            if t.chars().count() == 1 {
                format!("\"{t}\"")
            } else {
                format!("\"{t}\"*")
            }
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

pub(crate) fn outlet_name(c: &Connection, id: Uuid) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(c.query_row(
        "SELECT name FROM outlets WHERE id = ?1",
        [id.to_string()],
        |r| r.get(0),
    )
    .optional()?)
}

impl Store {
    /// Finds the product a scanned or typed code names: barcode first, then SKU, then
    /// supplier code. Deleted products never match; inactive ones do (flagged).
    pub fn lookup_code(&self, code: &str) -> Result<Option<ProductHit>> {
        let code = code.trim();
        if code.is_empty() {
            return Ok(None);
        }
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {HIT_COLUMNS}, k.kind FROM product_codes k
                 JOIN products p ON p.id = k.product_id
                 WHERE k.code IN (?1, ?2) AND p.deleted = 0
                 ORDER BY CASE k.kind WHEN 'barcode' THEN 0 WHEN 'sku' THEN 1 ELSE 2 END,
                          p.active DESC, p.sku
                 LIMIT 16"
            ))?;
            let alt = gtin14(code).unwrap_or_else(|| code.to_string());
            let mut rows = stmt.query([code, alt.as_str()])?;
            let mut first: Option<ProductHit> = None;
            let mut others = std::collections::BTreeSet::new();
            while let Some(r) = rows.next()? {
                let kind = r.enumeration("kind", CodeKind::parse)?;
                match &first {
                    None => first = Some(hit(r, Some(kind))?),
                    Some(f) => {
                        let id = r.uuid("id")?;
                        if id != f.product_id {
                            others.insert(id);
                        }
                    }
                }
            }
            Ok(first.map(|mut h| {
                h.other_matches = others.len() as u32;
                h
            }))
        })
    }

    /// Name/SKU search for the UI: every word must prefix-match; the best-ranked of the
    /// first 500 matches come first (see `SEARCH_CANDIDATES`).
    pub fn search_products(&self, query: &str, limit: u32) -> Result<Vec<ProductHit>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {HIT_COLUMNS}
                 FROM (SELECT rowid, rank FROM products_fts WHERE products_fts MATCH ?1
                       LIMIT {SEARCH_CANDIDATES}) f
                 JOIN products p ON p.pk = f.rowid
                 WHERE p.deleted = 0
                 ORDER BY p.active DESC, f.rank LIMIT ?2"
            ))?;
            let mut rows = stmt.query(params![q, limit])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(hit(r, None)?);
            }
            Ok(out)
        })
    }

    /// One product with all its barcodes.
    pub fn product(&self, id: Uuid) -> Result<Product> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, sku, name, supplier_id, supplier_code, supply_price, price,
                        weight_grams, length_mm, width_mm, height_mm, active, deleted,
                        lightspeed_id, version
                 FROM products WHERE id = ?1",
            )?;
            let mut rows = stmt.query([id.to_string()])?;
            let r = rows
                .next()?
                .ok_or_else(|| StoreError::not_found("product", id))?;
            let dims = (
                to_opt_u32(r.opt_int("length_mm")?, "length_mm")?,
                to_opt_u32(r.opt_int("width_mm")?, "width_mm")?,
                to_opt_u32(r.opt_int("height_mm")?, "height_mm")?,
            );
            let mut p = Product {
                id: r.uuid("id")?,
                sku: r.text("sku")?,
                name: r.text("name")?,
                supplier_id: r.opt_uuid("supplier_id")?,
                supplier_code: r.opt_text("supplier_code")?,
                supply_price: r.opt_decimal("supply_price")?,
                price: r.opt_decimal("price")?,
                weight_grams: to_opt_u32(r.opt_int("weight_grams")?, "weight_grams")?,
                dimensions: match dims {
                    (Some(length_mm), Some(width_mm), Some(height_mm)) => Some(Dimensions {
                        length_mm,
                        width_mm,
                        height_mm,
                    }),
                    _ => None,
                },
                active: r.flag("active")?,
                deleted: r.flag("deleted")?,
                lightspeed_id: r.opt_text("lightspeed_id")?,
                version: r.int("version")?,
                barcodes: Vec::new(),
            };
            drop(rows);
            let mut codes = c.prepare_cached(
                "SELECT code FROM product_codes WHERE product_id = ?1 AND kind = 'barcode'
                 ORDER BY code",
            )?;
            let all: Vec<String> = codes
                .query_map([id.to_string()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            // Hide the GTIN-14 forms the store added itself.
            p.barcodes = all
                .iter()
                .filter(|c| !all.iter().any(|o| gtin14(o).as_deref() == Some(c.as_str())))
                .cloned()
                .collect();
            Ok(p)
        })
    }

    /// Every outlet, by name.
    pub fn outlets(&self) -> Result<Vec<Outlet>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, name, code, lightspeed_id, active, version FROM outlets ORDER BY name",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(Outlet {
                    id: r.uuid("id")?,
                    name: r.text("name")?,
                    code: r.opt_text("code")?,
                    lightspeed_id: r.opt_text("lightspeed_id")?,
                    active: r.flag("active")?,
                    version: r.int("version")?,
                });
            }
            Ok(out)
        })
    }

    /// Every supplier, by name.
    pub fn suppliers(&self) -> Result<Vec<Supplier>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, name, code, lightspeed_id, active, version FROM suppliers ORDER BY name",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(Supplier {
                    id: r.uuid("id")?,
                    name: r.text("name")?,
                    code: r.opt_text("code")?,
                    lightspeed_id: r.opt_text("lightspeed_id")?,
                    active: r.flag("active")?,
                    version: r.int("version")?,
                });
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_input_is_quoted_so_fts_syntax_cannot_leak_in() {
        assert_eq!(fts_query("red mug").unwrap(), "\"red\"* \"mug\"*");
        assert_eq!(
            fts_query("NEAR(\"xy\" OR y)*").unwrap(),
            "\"NEAR\"* \"xy\"* \"OR\"* \"y\""
        );
        assert!(fts_query("  -- ** \"\" ").is_none());
    }
}
