//! Store benchmark (not a test): scan -> durable ack against a bare SQLite INSERT +
//! fsync on the same disk in the same run, and barcode lookup in a 200,000-product
//! catalog.
//!
//! Run: `cargo bench -p tally-store --bench store_bench`
//! Knobs: TALLY_BENCH_DIR (default: system temp dir), TALLY_BENCH_SCANS (2000),
//! TALLY_BENCH_PRODUCTS (200000), TALLY_BENCH_LOOKUPS (100000).

use std::time::{Duration, Instant};

use rand::{rngs::StdRng, Rng, SeedableRng};
use rusqlite::Connection;
use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_store::*;
use uuid::Uuid;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A valid EAN-13 for `n`: prefix 94 (New Zealand), 10 digits of `n`, check digit.
fn ean13(n: u64) -> String {
    let body = format!("94{:010}", n % 10_000_000_000);
    tally_domain::Gtin::with_check_digit(&body)
        .expect("12 digits")
        .to_string()
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn summary(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (pct(&v, 0.50), pct(&v, 0.99))
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

const ADJECTIVES: [&str; 24] = [
    "red", "blue", "green", "black", "white", "large", "small", "classic", "modern", "rustic",
    "matte", "gloss", "enamel", "bamboo", "glass", "steel", "copper", "linen", "cotton", "wool",
    "oak", "walnut", "ceramic", "marble",
];
const NOUNS: [&str; 24] = [
    "mug", "plate", "bowl", "cup", "jug", "vase", "lamp", "towel", "sheet", "pillow", "throw",
    "rug", "basket", "tray", "board", "knife", "spoon", "fork", "tumbler", "bottle", "candle",
    "frame", "clock", "mirror",
];
const SIZES: [&str; 6] = ["10cm", "20cm", "30cm", "set of 4", "pair", "XL"];

/// A shop-like name: two adjectives, a noun, a size (spread by a cheap hash of `n`).
fn product_name(n: u64) -> String {
    let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let pick = |shift: u32, len: usize| ((h >> shift) as usize) % len;
    format!(
        "{} {} {} {}",
        ADJECTIVES[pick(7, ADJECTIVES.len())],
        ADJECTIVES[pick(19, ADJECTIVES.len())],
        NOUNS[pick(31, NOUNS.len())],
        SIZES[pick(43, SIZES.len())]
    )
}

fn product(id: Uuid, n: u64) -> Product {
    Product {
        id,
        sku: format!("SKU-{n:07}"),
        name: product_name(n),
        supplier_id: None,
        supplier_code: Some(format!("SUP-{n:07}")),
        supply_price: Some(Decimal::new(450 + (n % 1000) as i64, 2)),
        price: Some(Decimal::new(1299, 2)),
        weight_grams: Some(350),
        dimensions: None,
        active: true,
        deleted: false,
        lightspeed_id: None,
        version: 1,
        barcodes: vec![ean13(n)],
    }
}

fn seed_small(store: &Store) -> (Uuid, Uuid, Uuid) {
    let (outlet, dest, staff, mug) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let o = |id, name: &str| Outlet {
        id,
        name: name.into(),
        code: None,
        lightspeed_id: None,
        active: true,
        version: 1,
    };
    store
        .apply_pulled(
            &PulledChanges {
                outlets: vec![o(outlet, "Bench"), o(dest, "Dest")],
                staff: vec![StaffRecord {
                    id: staff,
                    outlet_id: Some(outlet),
                    name: "Packer".into(),
                    role: Role::Staff,
                    pin_hash: None,
                    active: true,
                    version: 1,
                }],
                products: vec![product(mug, 1)],
                ..Default::default()
            },
            1,
        )
        .unwrap();
    store
        .init_station(Uuid::now_v7(), outlet, "Bench 1")
        .unwrap();
    let t = store
        .create_consignment(
            &Actor::Staff(staff),
            NewConsignment {
                kind: ConsignmentKind::OutletTransfer,
                status: ConsignmentStatus::Packing,
                source_outlet_id: Some(outlet),
                destination_outlet_id: Some(dest),
                supplier_id: None,
                reference: "TR-OUT-BENCH".into(),
            },
        )
        .unwrap();
    store
        .set_line(
            &Actor::Staff(staff),
            t.id,
            mug,
            Decimal::from(1_000_000),
            None,
        )
        .unwrap();
    (staff, mug, t.id)
}

fn main() {
    let base = std::env::var("TALLY_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir());
    let dir = tempfile::tempdir_in(&base).unwrap();
    // `cargo bench` passes --bench; `cargo test --benches` does not: then only a smoke run.
    let full = std::env::args().any(|a| a == "--bench");
    let scale = |n: usize| if full { n } else { n / 100 };
    let scans = env_usize("TALLY_BENCH_SCANS", scale(2000));
    let products = env_usize("TALLY_BENCH_PRODUCTS", scale(200_000));
    let lookups = env_usize("TALLY_BENCH_LOOKUPS", scale(100_000));
    println!(
        "store bench in {} ({scans} scans, {products} products)",
        dir.path().display()
    );

    // --- floor: bare SQLite INSERT + fsync (WAL, synchronous=FULL, autocommit) ---
    let floor_conn = Connection::open(dir.path().join("floor.db")).unwrap();
    floor_conn
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);",
        )
        .unwrap();
    let mut floor_stmt = floor_conn.prepare("INSERT INTO t (v) VALUES (?1)").unwrap();

    // --- the real thing: record_scan through Store (row + outbox + audit, one commit) ---
    let store = Store::open(dir.path().join("tally.db")).unwrap();
    let (staff, mug, transfer) = seed_small(&store);

    // Interleave rounds so disk and cache drift hit both series alike.
    let rounds = 10;
    let per_round = scans.div_ceil(rounds);
    let (mut floor, mut scan) = (Vec::with_capacity(scans), Vec::with_capacity(scans));
    for _ in 0..rounds {
        for i in 0..per_round {
            let t0 = Instant::now();
            floor_stmt.execute([format!("row {i}")]).unwrap();
            floor.push(t0.elapsed());
        }
        for _ in 0..per_round {
            let input = ScanInput {
                consignment_id: transfer,
                product_id: mug,
                box_id: None,
                purpose: ScanPurpose::Pack,
                delta: 1,
                raw_code: ean13(1),
                device_id: "bench-scanner".into(),
                staff_id: staff,
            };
            let t0 = Instant::now();
            store.record_scan(input).unwrap();
            scan.push(t0.elapsed());
        }
    }
    drop(floor_stmt);
    let (f50, f99) = summary(floor);
    let (s50, s99) = summary(scan);

    // --- catalog lookup at 200,000 products ---
    let cat = Store::open(dir.path().join("catalog.db")).unwrap();
    let t0 = Instant::now();
    let page = 5000;
    let mut n = 0u64;
    while (n as usize) < products {
        let batch: Vec<Product> = (n..(n + page).min(products as u64))
            .map(|i| product(Uuid::now_v7(), i))
            .collect();
        n += batch.len() as u64;
        cat.apply_pulled(
            &PulledChanges {
                products: batch,
                ..Default::default()
            },
            n as i64,
        )
        .unwrap();
    }
    let load = t0.elapsed();
    let mut rng = StdRng::seed_from_u64(7);
    let mut hits = Vec::with_capacity(lookups);
    for _ in 0..lookups {
        let code = ean13(rng.random_range(0..products as u64));
        let t0 = Instant::now();
        let h = cat.lookup_code(&code).unwrap();
        hits.push(t0.elapsed());
        assert!(h.is_some());
    }
    let mut misses = Vec::with_capacity(lookups / 10);
    for i in 0..lookups / 10 {
        let code = ean13(products as u64 + 1 + i as u64);
        let t0 = Instant::now();
        assert!(cat.lookup_code(&code).unwrap().is_none());
        misses.push(t0.elapsed());
    }
    // What people type: one or two words, often cut short.
    let queries = [
        "mug",
        "red mug",
        "enam",
        "walnut tray 30",
        "cop ket",
        "SKU-00123",
        "m",
        "ceramic bowl",
    ];
    let mut searches = Vec::with_capacity(1000);
    for i in 0..1000usize {
        let q = queries[i % queries.len()];
        let t0 = Instant::now();
        cat.search_products(q, 20).unwrap();
        searches.push(t0.elapsed());
    }
    let (h50, h99) = summary(hits);
    let (m50, m99) = summary(misses);
    let (q50, q99) = summary(searches);

    println!();
    println!("| what | p50 | p99 | ratio p50 / p99 vs floor |");
    println!("|---|---|---|---|");
    println!(
        "| floor: bare SQLite INSERT + fsync (WAL, FULL) | {} | {} | 1.00 / 1.00 |",
        us(f50),
        us(f99)
    );
    println!(
        "| scan -> durable ack (event + outbox + audit, one commit) | {} | {} | {:.2} / {:.2} |",
        us(s50),
        us(s99),
        s50.as_secs_f64() / f50.as_secs_f64(),
        s99.as_secs_f64() / f99.as_secs_f64()
    );
    println!(
        "| barcode lookup, hit, {products} products | {} | {} | {:.3} / {:.3} |",
        us(h50),
        us(h99),
        h50.as_secs_f64() / f50.as_secs_f64(),
        h99.as_secs_f64() / f99.as_secs_f64()
    );
    println!(
        "| barcode lookup, miss, {products} products | {} | {} | {:.3} / {:.3} |",
        us(m50),
        us(m99),
        m50.as_secs_f64() / f50.as_secs_f64(),
        m99.as_secs_f64() / f99.as_secs_f64()
    );
    println!(
        "| name search (FTS5, 1-3 words typed, limit 20) | {} | {} | {:.3} / {:.3} |",
        us(q50),
        us(q99),
        q50.as_secs_f64() / f50.as_secs_f64(),
        q99.as_secs_f64() / f99.as_secs_f64()
    );
    println!();
    println!(
        "catalog load: {products} products in {:.1} s ({:.0} products/s, pages of {page})",
        load.as_secs_f64(),
        products as f64 / load.as_secs_f64()
    );
}
