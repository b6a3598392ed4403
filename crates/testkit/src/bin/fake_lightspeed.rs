//! `fake-lightspeed`: runs the fake Lightspeed X-Series on loopback for manual runs
//! and the demo, seeded with the demo chain. Faults can be loaded from a JSON plan
//! and changed at run time through `/__admin/faults`.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tally_testkit::demo_data::{generate, DemoConfig};
use tally_testkit::faults::FaultPlan;
use tally_testkit::lightspeed::{FakeConfig, FakeLightspeed, RateLimitConfig};

#[derive(Parser, Debug)]
#[command(about = "Fake Lightspeed X-Series API 2.0 on loopback")]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed of the demo data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of demo products.
    #[arg(long, default_value_t = 1_000)]
    products: usize,
    /// Requests per window (default: 300 × registers + 50 of the demo chain).
    #[arg(long)]
    rate_limit: Option<u32>,
    /// Rate-limit window in seconds.
    #[arg(long, default_value_t = 300)]
    window_secs: u64,
    /// Access token lifetime in seconds.
    #[arg(long, default_value_t = 600)]
    token_ttl_secs: u64,
    /// A fault plan as JSON (see `FaultPlan`).
    #[arg(long)]
    faults: Option<std::path::PathBuf>,
    /// Keep the data in this SQLite file across restarts (the demo data seeds it once).
    #[arg(long, value_name = "PATH")]
    sqlite: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let faults = match &args.faults {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str::<FaultPlan>(&text).context("parsing the fault plan")?
        }
        None => FaultPlan::default(),
    };
    let data = generate(&DemoConfig {
        seed: args.seed,
        products: args.products,
        ..DemoConfig::default()
    });
    let config = FakeConfig {
        registers: data.registers(),
        access_token_ttl: Duration::from_secs(args.token_ttl_secs),
        rate_limit: RateLimitConfig {
            limit: args.rate_limit,
            window: Duration::from_secs(args.window_secs),
            ..RateLimitConfig::default()
        },
        faults,
        seed: Some(data),
        sqlite_path: args.sqlite.clone(),
        ..FakeConfig::default()
    };
    let fake =
        FakeLightspeed::start_on(SocketAddr::from(([127, 0, 0, 1], args.port)), config).await?;
    // Test credentials of a local fake, printed so a person can point the hub at it.
    println!("base_url      {}", fake.base_url());
    println!("token_url     {}", fake.token_url());
    println!("client_id     {}", fake.config().client_id);
    println!("client_secret {}", fake.config().client_secret);
    println!("refresh_token {}", fake.issue_refresh_token());
    println!("admin         http://{}/__admin/stats", fake.addr());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
