//! Catalog first sync: walks N products (default 100,000) from the fake Lightspeed
//! over loopback, within its rate limit, and prints requests used against the
//! minimum number of pages and time against floors measured in the same run.
//!
//! `cargo bench -p tally-lightspeed --bench catalog_sync -- [--products N]
//!  [--page-size P] [--limit L] [--window-secs W] [--seed S]`
//!
//! Three runs: (1) limiter off: the CPU/loopback floor; (2) Lightspeed's own limit
//! for the demo chain (300 × registers + 50 per 5 min); (3) a tight limit `L`
//! per `W` seconds that forces the budget to pace the walk.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use tally_lightspeed::models::Versioned;
use tally_lightspeed::{
    ClientConfig, Credentials, InMemoryTokenStore, LightspeedClient, StoredTokens,
};
use tally_testkit::demo_data::{generate, DemoConfig, DemoData};
use tally_testkit::lightspeed::{FakeConfig, FakeLightspeed, RateLimitConfig};

struct Args {
    products: usize,
    page_size: u32,
    limit: u32,
    window_secs: u64,
    seed: u64,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        products: 100_000,
        page_size: 1_000,
        limit: 30,
        window_secs: 2,
        seed: 42,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        // `cargo bench` passes `--bench`; ignore flags we do not know.
        let mut value = || it.next().context("flag without value");
        match flag.as_str() {
            "--products" => a.products = value()?.parse()?,
            "--page-size" => a.page_size = value()?.parse()?,
            "--limit" => a.limit = value()?.parse()?,
            "--window-secs" => a.window_secs = value()?.parse()?,
            "--seed" => a.seed = value()?.parse()?,
            _ => {}
        }
    }
    Ok(a)
}

struct Outcome {
    label: String,
    elapsed: Duration,
    requests: u64,
    pages: u64,
    objects: u64,
    rate_limited: u64,
    limiter_rejected: u64,
    max_in_window: u32,
    budget_waits: u64,
}

async fn run(
    label: &str,
    data: &DemoData,
    page_size: u32,
    rate: RateLimitConfig,
) -> anyhow::Result<Outcome> {
    let fake = FakeLightspeed::start(FakeConfig {
        seed: Some(data.clone()),
        registers: data.registers(),
        rate_limit: rate,
        max_page_size: page_size.max(1),
        ..FakeConfig::default()
    })
    .await?;
    let cfg = fake.config();
    let mut config = ClientConfig::new(
        fake.base_url(),
        fake.token_url(),
        Credentials::new(cfg.client_id.clone(), cfg.client_secret.clone()),
    );
    config.page_size = page_size;
    let store = Arc::new(InMemoryTokenStore::new(StoredTokens::from_refresh_token(
        fake.issue_refresh_token(),
    )));
    let client = LightspeedClient::new(config, store)?;
    let started = Instant::now();
    let mut catalog: HashMap<String, String> = HashMap::with_capacity(data.products.len());
    let mut last_print = Instant::now();
    let progress = client
        .walk_products(0, |page, p| {
            for product in page {
                if product.is_deleted() {
                    catalog.remove(&product.id);
                } else {
                    catalog.insert(product.id, product.sku.unwrap_or_default());
                }
            }
            if last_print.elapsed() >= Duration::from_millis(500) {
                eprintln!(
                    "  [{label}] {} pages, {} products, cursor {}, {:.1} s",
                    p.pages,
                    p.objects,
                    p.cursor,
                    started.elapsed().as_secs_f64()
                );
                last_print = Instant::now();
            }
        })
        .await?;
    let elapsed = started.elapsed();
    ensure!(
        catalog.len() == data.products.len(),
        "synced {} of {} products",
        catalog.len(),
        data.products.len()
    );
    let stats = client.stats();
    let limiter = fake.rate_limit_stats();
    Ok(Outcome {
        label: label.to_string(),
        elapsed,
        requests: stats.requests,
        pages: progress.pages,
        objects: progress.objects,
        rate_limited: stats.rate_limited,
        limiter_rejected: limiter.rejected,
        max_in_window: limiter.max_in_window,
        budget_waits: stats.budget_waits,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let t = Instant::now();
    let data = generate(&DemoConfig {
        seed: a.seed,
        products: a.products,
        inventory: false,
        ..DemoConfig::default()
    });
    eprintln!(
        "generated {} products in {:.2} s",
        data.products.len(),
        t.elapsed().as_secs_f64()
    );
    // Minimum: every full or partial page, plus the empty page that ends the walk.
    let min_pages = data.products.len().div_ceil(a.page_size as usize) as u64 + 1;
    let floor = run(
        "no limit",
        &data,
        a.page_size,
        RateLimitConfig {
            enabled: false,
            ..RateLimitConfig::default()
        },
    )
    .await?;
    let lightspeed = run(
        "lightspeed limit",
        &data,
        a.page_size,
        RateLimitConfig::default(),
    )
    .await?;
    let window = Duration::from_secs(a.window_secs);
    let tight = run(
        "tight limit",
        &data,
        a.page_size,
        RateLimitConfig {
            limit: Some(a.limit),
            window,
            ..RateLimitConfig::default()
        },
    )
    .await?;
    // The rate limit alone allows `limit` requests per window after the first burst.
    let rate_floor = window.mul_f64(((min_pages.saturating_sub(1)) / u64::from(a.limit)) as f64);

    println!();
    println!(
        "catalog sync: {} products, page_size {}, minimum pages {} (incl. the empty last page)",
        data.products.len(),
        a.page_size,
        min_pages
    );
    println!(
        "{:<18} {:>9} {:>9} {:>8} {:>9} {:>6} {:>9} {:>8} {:>8} {:>10}",
        "run",
        "time s",
        "requests",
        "req/min",
        "pages",
        "429s",
        "rejected",
        "max/win",
        "waits",
        "products"
    );
    for o in [&floor, &lightspeed, &tight] {
        println!(
            "{:<18} {:>9.2} {:>9} {:>8.3} {:>9} {:>6} {:>9} {:>8} {:>8} {:>10}",
            o.label,
            o.elapsed.as_secs_f64(),
            o.requests,
            o.requests as f64 / min_pages as f64,
            o.pages,
            o.rate_limited,
            o.limiter_rejected,
            o.max_in_window,
            o.budget_waits,
            o.objects
        );
    }
    println!();
    println!(
        "lightspeed limit ({} per 5 min): time / no-limit floor = {:.2}",
        300 * data.registers() + 50,
        lightspeed.elapsed.as_secs_f64() / floor.elapsed.as_secs_f64()
    );
    println!(
        "tight limit ({} per {} s): rate-limit floor {:.1} s, time / max(rate floor, no-limit floor) = {:.2}",
        a.limit,
        a.window_secs,
        rate_floor.as_secs_f64(),
        tight.elapsed.as_secs_f64() / rate_floor.max(floor.elapsed).as_secs_f64()
    );
    Ok(())
}
