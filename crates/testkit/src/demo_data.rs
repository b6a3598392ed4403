//! Seeded demo data: a New Zealand retail chain (outlets, suppliers, products with valid
//! EAN-13 barcodes, inventory, a few open transfers and purchase orders).
//!
//! The same seed always gives the same data, byte for byte, so the demo, the fake
//! Lightspeed and the benchmarks agree on what exists.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::{Gtin, LsConsignmentStatus, LsConsignmentType};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoConfig {
    /// Same seed, same data.
    pub seed: u64,
    /// Number of products (up to 100,000 and beyond; ids and barcodes stay unique).
    pub products: usize,
    /// Number of outlets taken from the chain's list (at least 2, at most 9); the last is the warehouse.
    pub outlets: usize,
    /// Open outlet transfers (warehouse → store), some OPEN, some SENT.
    pub open_transfers: usize,
    /// Open purchase orders (supplier → warehouse), some OPEN, some SENT.
    pub open_purchase_orders: usize,
    /// Whether to generate per-outlet inventory.
    pub inventory: bool,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            products: 1_000,
            outlets: 9,
            open_transfers: 4,
            open_purchase_orders: 4,
            inventory: true,
        }
    }
}

/// A store or warehouse of the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoOutlet {
    pub id: String,
    pub name: String,
    pub city: String,
    pub is_warehouse: bool,
    /// Registers at this outlet (Lightspeed's rate limit grows with the register count).
    pub registers: u32,
    pub time_zone: String,
}

/// A supplier with its GS1 company prefix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoSupplier {
    pub id: String,
    pub name: String,
    /// Short code used in SKUs.
    pub code: String,
    /// 7-digit GS1 company prefix (NZ prefixes start with 94).
    pub gs1_prefix: String,
}

/// A barcode of a product, as in Lightspeed's `product_codes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoProductCode {
    /// `EAN`, `UPC`, `CUSTOM`, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub code: String,
}

/// Box dimensions in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionsMm {
    pub length: u32,
    pub width: u32,
    pub height: u32,
}

/// A sellable product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoProduct {
    pub id: String,
    pub sku: String,
    pub name: String,
    pub variant_name: Option<String>,
    /// Index into [`DemoData::suppliers`].
    pub supplier: usize,
    pub supplier_code: String,
    /// Barcodes; the first is always a valid EAN-13.
    pub product_codes: Vec<DemoProductCode>,
    /// Cost from the supplier, NZD excluding GST.
    pub supply_price: Decimal,
    /// Shelf price excluding GST (15%), NZD.
    pub price_excluding_tax: Decimal,
    /// Shipping weight in grams; `None` for products nobody weighed.
    pub weight_grams: Option<u32>,
    pub dimensions_mm: Option<DimensionsMm>,
    pub active: bool,
}

impl DemoProduct {
    /// The product's EAN-13.
    pub fn ean13(&self) -> &str {
        &self.product_codes[0].code
    }
}

/// Stock of one product at one outlet (indices into the data's vectors keep this compact).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DemoInventory {
    pub product: usize,
    pub outlet: usize,
    pub count: i64,
    /// The outlet's reorder point for the product, when set (Lightspeed keeps one per outlet).
    #[serde(default)]
    pub reorder_point: Option<i64>,
    /// Units Lightspeed's own restock would order.
    #[serde(default)]
    pub reorder_amount: Option<i64>,
}

/// One line of a demo sale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DemoSaleLine {
    /// Index into [`DemoData::products`].
    pub product: usize,
    pub quantity: i64,
}

/// A completed register sale at a store, some minutes before the fake starts (so the
/// 30 days of history are always recent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoSale {
    pub id: String,
    /// Outlet (index).
    pub outlet: usize,
    pub minutes_ago: u32,
    pub lines: Vec<DemoSaleLine>,
}

/// One line of a demo consignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoLine {
    /// Index into [`DemoData::products`].
    pub product: usize,
    pub count: Decimal,
    pub cost: Decimal,
}

/// An open transfer or purchase order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoConsignment {
    pub id: String,
    pub kind: LsConsignmentType,
    pub status: LsConsignmentStatus,
    pub name: String,
    pub reference: String,
    /// Destination outlet (index).
    pub outlet: usize,
    /// Source outlet for transfers (index).
    pub source_outlet: Option<usize>,
    /// Supplier for purchase orders (index).
    pub supplier: Option<usize>,
    pub lines: Vec<DemoLine>,
}

/// Everything the generator makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoData {
    pub config: DemoConfig,
    pub outlets: Vec<DemoOutlet>,
    pub suppliers: Vec<DemoSupplier>,
    pub products: Vec<DemoProduct>,
    pub inventory: Vec<DemoInventory>,
    pub consignments: Vec<DemoConsignment>,
    /// About 30 days of register sales at the stores (none without inventory).
    #[serde(default)]
    pub sales: Vec<DemoSale>,
}

impl DemoData {
    /// Total registers across the chain (for Lightspeed's `300 × registers + 50` limit).
    pub fn registers(&self) -> u32 {
        self.outlets.iter().map(|o| o.registers).sum()
    }

    /// The warehouse outlet (always the last one).
    pub fn warehouse(&self) -> &DemoOutlet {
        self.outlets
            .last()
            .expect("generate always makes at least two outlets")
    }
}

const OUTLETS: [(&str, &str, u32); 9] = [
    ("Auckland CBD", "Auckland", 3),
    ("Newmarket", "Auckland", 2),
    ("Sylvia Park", "Auckland", 2),
    ("Hamilton", "Hamilton", 1),
    ("Tauranga", "Tauranga", 1),
    ("Wellington Lambton Quay", "Wellington", 2),
    ("Christchurch Riccarton", "Christchurch", 2),
    ("Queenstown", "Queenstown", 1),
    ("Dunedin Warehouse", "Dunedin", 0),
];

const SUPPLIERS: [(&str, &str); 12] = [
    ("Otago Merino Mills", "OMM"),
    ("Southern Alps Apparel", "SAA"),
    ("Waikato Honey Ltd", "WHL"),
    ("Tasman Outdoor Supply", "TOS"),
    ("Coromandel Coffee Roasters", "CCR"),
    ("Bay of Plenty Housewares", "BOP"),
    ("Canterbury Camping Co", "CCC"),
    ("Northland Naturals", "NLN"),
    ("Marlborough Pantry", "MBP"),
    ("Aoraki Footwear", "AOF"),
    ("Hokitika Craft Co", "HKC"),
    ("Kapiti Trading Co", "KTC"),
];

/// (noun, category code, supply price range in cents, weight range in grams)
type Item = (&'static str, &'static str, (i64, i64), (u32, u32));

const ITEMS: [Item; 24] = [
    ("Merino Crew Tee", "APP", (2500, 6000), (150, 300)),
    ("Merino Beanie", "APP", (1200, 3000), (60, 120)),
    ("Possum Merino Gloves", "APP", (1800, 4000), (50, 100)),
    ("Tramping Socks", "APP", (800, 2200), (60, 140)),
    ("Rain Shell Jacket", "APP", (6000, 18000), (300, 700)),
    ("Trail Runner Shoe", "FTW", (5000, 14000), (600, 1200)),
    ("Jandals", "FTW", (600, 2500), (150, 350)),
    ("Manuka Honey UMF 10+", "FOD", (1500, 4500), (300, 600)),
    ("Flat White Coffee Beans", "FOD", (1100, 3200), (250, 1050)),
    ("Feijoa Chutney", "FOD", (400, 1100), (250, 450)),
    ("Kawakawa Balm", "HLT", (900, 2400), (50, 150)),
    ("Enamel Camping Mug", "CMP", (500, 1500), (180, 300)),
    ("Two-Person Tent", "CMP", (9000, 25000), (1800, 3500)),
    ("Sleeping Bag -5C", "CMP", (7000, 20000), (1200, 2200)),
    ("Headlamp 300lm", "CMP", (1500, 4500), (80, 160)),
    ("Stainless Drink Bottle", "CMP", (900, 2600), (250, 450)),
    ("Kauri Serving Board", "HOM", (2000, 7000), (700, 2500)),
    ("Wool Throw Blanket", "HOM", (4000, 12000), (900, 1800)),
    ("Ceramic Pour-Over Set", "HOM", (2500, 6500), (600, 1400)),
    ("Pounamu Pendant", "GFT", (3000, 15000), (20, 80)),
    ("Paua Shell Coasters", "GFT", (1200, 3500), (200, 450)),
    ("Pohutukawa Candle", "GFT", (900, 2800), (250, 600)),
    ("Native Bird Calendar", "GFT", (700, 1800), (300, 500)),
    ("Sunscreen SPF50", "HLT", (700, 1900), (120, 300)),
];

const VARIANTS: [&[&str]; 4] = [
    &["S", "M", "L", "XL"],
    &["Black", "Navy", "Forest", "Charcoal", "Ochre"],
    &["250g", "500g", "1kg"],
    &["Small", "Large"],
];

const ADJECTIVES: [&str; 12] = [
    "Classic", "Alpine", "Coastal", "Kiwi", "Harbour", "Southern", "Summit", "Bush", "Ranger",
    "Heritage", "Urban", "Island",
];

/// Generates the demo chain for `config`. Same config, same data.
pub fn generate(config: &DemoConfig) -> DemoData {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let outlets = make_outlets(&mut rng, config.outlets.clamp(2, OUTLETS.len()));
    let suppliers = make_suppliers(&mut rng);
    let products = (0..config.products)
        .map(|i| make_product(&mut rng, i, &suppliers))
        .collect::<Vec<_>>();
    let inventory = if config.inventory {
        make_inventory(&mut rng, &products, &outlets)
    } else {
        Vec::new()
    };
    let consignments = make_consignments(&mut rng, config, &products, &outlets, &suppliers);
    // Reorder points and sales draw from their own stream, so everything above stays
    // what the same seed always gave.
    let mut sales_rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x5a1e_5a1e);
    let mut inventory = inventory;
    let sales = make_sales(&mut sales_rng, &mut inventory, &outlets);
    DemoData {
        config: config.clone(),
        outlets,
        suppliers,
        products,
        inventory,
        consignments,
        sales,
    }
}

/// Days of sales history the demo seeds.
pub const SALES_DAYS: u32 = 30;

/// Gives about half the stores' stocked products a reorder point, and makes
/// `SALES_DAYS` days of sales of the stores' best sellers (the first 40 products each
/// store stocks), 1–3 units a line, so their velocity is plain and some sit at or below
/// their reorder point.
fn make_sales(
    rng: &mut ChaCha8Rng,
    inventory: &mut [DemoInventory],
    outlets: &[DemoOutlet],
) -> Vec<DemoSale> {
    let mut sales = Vec::new();
    for (o, outlet) in outlets.iter().enumerate() {
        if outlet.is_warehouse {
            continue;
        }
        let mut stocked: Vec<usize> = Vec::new();
        for (i, row) in inventory.iter_mut().enumerate() {
            if row.outlet != o {
                continue;
            }
            stocked.push(i);
            if rng.random_bool(0.5) {
                let point = rng.random_range(3..=8);
                row.reorder_point = Some(point);
                row.reorder_amount = Some(point * 3);
            }
        }
        let best: Vec<usize> = stocked
            .iter()
            .take(40)
            .map(|&i| inventory[i].product)
            .collect();
        if best.is_empty() {
            continue;
        }
        for day in 0..SALES_DAYS {
            for _ in 0..rng.random_range(4..=10) {
                let lines = (0..rng.random_range(1..=3))
                    .map(|_| DemoSaleLine {
                        product: *best.choose(rng).unwrap_or(&best[0]),
                        quantity: rng.random_range(1..=3),
                    })
                    .collect();
                sales.push(DemoSale {
                    id: make_id(rng),
                    outlet: o,
                    minutes_ago: day * 24 * 60 + rng.random_range(0..(24 * 60)),
                    lines,
                });
            }
        }
    }
    sales
}

/// A deterministic UUID (v4 layout) drawn from the generator.
fn make_id(rng: &mut ChaCha8Rng) -> String {
    uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string()
}

fn make_outlets(rng: &mut ChaCha8Rng, n: usize) -> Vec<DemoOutlet> {
    // Stores first, the warehouse always last.
    let warehouse = OUTLETS[OUTLETS.len() - 1];
    OUTLETS[..n - 1]
        .iter()
        .chain(std::iter::once(&warehouse))
        .map(|(name, city, registers)| DemoOutlet {
            id: make_id(rng),
            name: (*name).to_string(),
            city: (*city).to_string(),
            is_warehouse: *registers == 0,
            registers: *registers,
            time_zone: "Pacific/Auckland".to_string(),
        })
        .collect()
}

fn make_suppliers(rng: &mut ChaCha8Rng) -> Vec<DemoSupplier> {
    SUPPLIERS
        .iter()
        .enumerate()
        .map(|(i, (name, code))| DemoSupplier {
            id: make_id(rng),
            name: (*name).to_string(),
            code: (*code).to_string(),
            // 94 (GS1 New Zealand) + 5 digits, unique per supplier by construction.
            gs1_prefix: format!("94{:03}{:02}", rng.random_range(100..1000), i),
        })
        .collect()
}

fn make_product(rng: &mut ChaCha8Rng, i: usize, suppliers: &[DemoSupplier]) -> DemoProduct {
    let supplier = i % suppliers.len();
    let item_ref = i / suppliers.len(); // unique within the supplier's prefix
    let (noun, category, (lo, hi), (wlo, whi)) = ITEMS[rng.random_range(0..ITEMS.len())];
    let adjective = ADJECTIVES.choose(rng).copied().unwrap_or("Classic");
    let variants = VARIANTS[rng.random_range(0..VARIANTS.len())];
    let variant_name = rng.random_bool(0.6).then(|| {
        variants
            .choose(rng)
            .copied()
            .unwrap_or("One Size")
            .to_string()
    });
    let s = &suppliers[supplier];
    // A GS1 check digit is GS1's rule, not one of Lightspeed's that the fake must judge
    // independently, so the domain computes it. 7-digit prefix + 5 digits: 12 digits.
    let ean = Gtin::with_check_digit(&format!("{}{:05}", s.gs1_prefix, item_ref % 100_000))
        .expect("the generator writes 12 digits")
        .to_string();
    let mut product_codes = vec![DemoProductCode {
        kind: "EAN".into(),
        code: ean,
    }];
    if rng.random_bool(0.03) {
        product_codes.push(DemoProductCode {
            kind: "CUSTOM".into(),
            code: format!("{}{:06}", s.code, i),
        });
    }
    let supply_cents = rng.random_range(lo..=hi);
    let supply_price = Decimal::new(supply_cents, 2);
    // Retail incl. GST ends in .99; Lightspeed stores prices excl. GST to 5 places.
    let markup = Decimal::new(rng.random_range(160..=240), 2);
    let incl = (supply_price * markup).ceil() - Decimal::new(1, 2);
    let price_excluding_tax = (incl / Decimal::new(115, 2)).round_dp(5);
    let weighed = rng.random_bool(0.9);
    let weight_grams = weighed.then(|| rng.random_range(wlo..=whi));
    let dimensions_mm = weighed.then(|| {
        let base = (f64::from(whi)).cbrt() as u32 * 12 + 40;
        DimensionsMm {
            length: rng.random_range(base..base * 3),
            width: rng.random_range(base / 2..base * 2),
            height: rng.random_range(base / 4..base),
        }
    });
    DemoProduct {
        id: make_id(rng),
        sku: format!("{}-{}-{:06}", s.code, category, i),
        name: format!("{adjective} {noun}"),
        variant_name,
        supplier,
        supplier_code: format!("{}{:05}", s.code, rng.random_range(0..100_000)),
        product_codes,
        supply_price,
        price_excluding_tax,
        weight_grams,
        dimensions_mm,
        active: rng.random_bool(0.97),
    }
}

fn make_inventory(
    rng: &mut ChaCha8Rng,
    products: &[DemoProduct],
    outlets: &[DemoOutlet],
) -> Vec<DemoInventory> {
    let mut rows = Vec::with_capacity(products.len() * 3);
    for (p, _) in products.iter().enumerate() {
        for (o, outlet) in outlets.iter().enumerate() {
            if outlet.is_warehouse {
                rows.push(DemoInventory {
                    product: p,
                    outlet: o,
                    count: rng.random_range(0..=400),
                    reorder_point: None,
                    reorder_amount: None,
                });
            } else if rng.random_bool(0.3) {
                rows.push(DemoInventory {
                    product: p,
                    outlet: o,
                    count: rng.random_range(0..=30),
                    reorder_point: None,
                    reorder_amount: None,
                });
            }
        }
    }
    rows
}

fn make_consignments(
    rng: &mut ChaCha8Rng,
    config: &DemoConfig,
    products: &[DemoProduct],
    outlets: &[DemoOutlet],
    suppliers: &[DemoSupplier],
) -> Vec<DemoConsignment> {
    let mut out = Vec::new();
    if products.is_empty() {
        return out;
    }
    let warehouse = outlets.len() - 1;
    for t in 0..config.open_transfers {
        let store = rng.random_range(0..warehouse);
        let status = if t % 2 == 0 {
            LsConsignmentStatus::Open
        } else {
            LsConsignmentStatus::Sent
        };
        out.push(DemoConsignment {
            id: make_id(rng),
            kind: LsConsignmentType::Outlet,
            status,
            name: format!("Restock {}", outlets[store].name),
            reference: format!("TR-{:05}", 2041 + t),
            outlet: store,
            source_outlet: Some(warehouse),
            supplier: None,
            lines: make_lines(rng, products, |_| true),
        });
    }
    for p in 0..config.open_purchase_orders {
        let supplier = rng.random_range(0..suppliers.len());
        let status = if p % 2 == 0 {
            LsConsignmentStatus::Open
        } else {
            LsConsignmentStatus::Sent
        };
        out.push(DemoConsignment {
            id: make_id(rng),
            kind: LsConsignmentType::Supplier,
            status,
            name: format!("PO {}", suppliers[supplier].name),
            reference: format!("PO-{:05}", 10023 + p),
            outlet: warehouse,
            source_outlet: None,
            supplier: Some(supplier),
            lines: make_lines(rng, products, |prod| prod.supplier == supplier),
        });
    }
    out
}

fn make_lines(
    rng: &mut ChaCha8Rng,
    products: &[DemoProduct],
    eligible: impl Fn(&DemoProduct) -> bool,
) -> Vec<DemoLine> {
    let candidates: Vec<usize> = (0..products.len())
        .filter(|&i| eligible(&products[i]))
        .collect();
    let n = rng.random_range(5..=40).min(candidates.len());
    let chosen = candidates
        .choose_multiple(rng, n)
        .copied()
        .collect::<Vec<_>>();
    chosen
        .into_iter()
        .map(|product| DemoLine {
            product,
            count: Decimal::from(rng.random_range(1..=24)),
            cost: products[product].supply_price,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use tally_domain::GtinFormat;

    #[test]
    fn same_seed_gives_the_same_chain_and_another_seed_does_not() {
        let config = DemoConfig {
            products: 300,
            ..DemoConfig::default()
        };
        assert_eq!(generate(&config), generate(&config));
        let other = generate(&DemoConfig {
            seed: 7,
            ..config.clone()
        });
        assert_ne!(generate(&config).products, other.products);
    }

    #[test]
    fn every_product_has_a_unique_valid_ean13_and_sku() {
        let data = generate(&DemoConfig {
            products: 5_000,
            inventory: false,
            ..DemoConfig::default()
        });
        let mut eans = HashSet::new();
        let mut skus = HashSet::new();
        let mut ids = HashSet::new();
        for p in &data.products {
            let ean = Gtin::parse(p.ean13()).unwrap();
            assert_eq!(ean.format(), GtinFormat::Gtin13, "{}", p.ean13());
            assert!(p.ean13().starts_with("94"));
            assert!(eans.insert(p.ean13().to_string()));
            assert!(skus.insert(p.sku.clone()));
            assert!(ids.insert(p.id.clone()));
            assert!(p.price_excluding_tax > p.supply_price);
        }
        let unweighed = data
            .products
            .iter()
            .filter(|p| p.weight_grams.is_none())
            .count();
        assert!(unweighed > 0 && unweighed < data.products.len() / 4);
    }

    #[test]
    fn chain_has_a_warehouse_stores_and_open_consignments() {
        let data = generate(&DemoConfig::default());
        assert_eq!(data.outlets.len(), 9);
        assert!(data.warehouse().is_warehouse);
        assert_eq!(data.warehouse().name, "Dunedin Warehouse");
        assert!(data.registers() > 0);
        assert_eq!(data.consignments.len(), 8);
        for c in &data.consignments {
            assert!(!c.lines.is_empty());
            if c.kind == LsConsignmentType::Supplier {
                let s = c.supplier.unwrap();
                assert!(c
                    .lines
                    .iter()
                    .all(|l| data.products[l.product].supplier == s));
            }
        }
        assert!(data
            .inventory
            .iter()
            .any(|i| i.outlet == data.outlets.len() - 1));
    }

    #[test]
    fn stores_have_thirty_days_of_sales_of_what_they_stock_and_some_sit_below_their_reorder_point()
    {
        let data = generate(&DemoConfig {
            products: 300,
            ..DemoConfig::default()
        });
        assert!(!data.sales.is_empty());
        let stocked: HashSet<(usize, usize)> = data
            .inventory
            .iter()
            .map(|i| (i.outlet, i.product))
            .collect();
        for s in &data.sales {
            assert!(
                !data.outlets[s.outlet].is_warehouse,
                "the warehouse sells nothing"
            );
            assert!(s.minutes_ago < SALES_DAYS * 24 * 60);
            assert!(s
                .lines
                .iter()
                .all(|l| l.quantity > 0 && stocked.contains(&(s.outlet, l.product))));
        }
        let oldest = data.sales.iter().map(|s| s.minutes_ago).max().unwrap();
        assert!(
            oldest > (SALES_DAYS - 1) * 24 * 60,
            "the history spans the whole window"
        );
        let low = data
            .inventory
            .iter()
            .filter(|i| i.reorder_point.is_some_and(|p| i.count <= p))
            .count();
        assert!(low > 0, "some products sit at or below their reorder point");
    }
}
