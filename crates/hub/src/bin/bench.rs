//! `tally-hub-bench`: prints the hub's sync figures, each beside a floor measured in
//! the same run (RELIABILITY.md, Performance). Run with `--release`:
//!
//! `cargo run --release -p tally-hub --bin tally-hub-bench -- [--mutations N] [--trials N]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus as S, Role};
use tally_hub::ls::hooked::{CallHook, Hooked};
use tally_hub::ls::memory::MemoryLightspeed;
use tally_hub::ls::{LsResult, WorkerConfig};
use tally_hub::{Hub, HubConfig, HubHandle, PinHashCost};
use tally_sync::*;
use time::OffsetDateTime;
use uuid::Uuid;

/// Hub sync benchmark.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Mutations pushed for the throughput figure.
    #[arg(long, default_value_t = 6000)]
    mutations: usize,
    /// Mutations per push request.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Lines of the large consignment.
    #[arg(long, default_value_t = 300)]
    lines: usize,
    /// Reconnect-to-drained trials (p95 over these).
    #[arg(long, default_value_t = 20)]
    trials: usize,
    /// Simulated Lightspeed latency per request, ms.
    #[arg(long, default_value_t = 20)]
    ls_latency_ms: u64,
}

/// A fixed latency before every Lightspeed request.
struct Latency(Duration);

impl CallHook for Latency {
    async fn around<T: Send>(
        &self,
        call: impl std::future::Future<Output = LsResult<T>> + Send,
    ) -> LsResult<T> {
        tokio::time::sleep(self.0).await;
        call.await
    }
}

/// The in-memory Lightspeed with a fixed latency per request.
type SlowLightspeed = Hooked<MemoryLightspeed, Latency>;

fn slow_lightspeed(latency: Duration) -> Arc<SlowLightspeed> {
    Arc::new(Hooked {
        inner: MemoryLightspeed::new(),
        hook: Latency(latency),
    })
}

struct Station {
    device_id: String,
    token: String,
    staff: String,
    seq: u64,
}

impl Station {
    fn env(&mut self, m: Mutation) -> MutationEnvelope {
        self.seq += 1;
        MutationEnvelope {
            seq: self.seq,
            mutation_id: Uuid::now_v7(),
            created_at: OffsetDateTime::now_utc(),
            actor: Actor {
                staff_id: self.staff.clone(),
            },
            mutation: m,
        }
    }
}

fn product(i: usize) -> String {
    format!("p{i}")
}

async fn setup(
    dir: &tempfile::TempDir,
    port: Arc<SlowLightspeed>,
    products: usize,
) -> anyhow::Result<(HubHandle, Station, Station)> {
    let mut config = HubConfig::new(dir.path().join("hub.db"));
    config.pin_hash = PinHashCost {
        memory_kib: 8,
        iterations: 1,
    };
    config.worker = WorkerConfig {
        idle_ms: 5,
        backoff_base_ms: 5,
        backoff_max_ms: 100,
        batch: 16,
        poll: false,
        ..WorkerConfig::default()
    };
    let handle = Hub::start_with_lightspeed(config, port).await?;
    let hub = handle.hub().clone();
    for o in ["out-a", "out-b"] {
        hub.put_outlet(OutletRow {
            id: o.into(),
            name: o.into(),
            deleted: false,
        })
        .await?;
    }
    hub.put_products(
        (0..products)
            .map(|i| ProductRow {
                id: product(i),
                sku: format!("SKU{i}"),
                name: format!("Product {i}"),
                variant_name: None,
                supplier_id: None,
                supplier_code: None,
                supply_price: Some(Decimal::new(995, 2)),
                active: true,
                codes: vec![],
                deleted: false,
            })
            .collect(),
    )
    .await?;
    let mut stations = Vec::new();
    for o in ["out-a", "out-b"] {
        let staff = hub.add_staff("Bench", Role::Staff, Some(o), "1357").await?;
        let e = hub.enroll_device(o, "bench").await?;
        stations.push(Station {
            device_id: e.device_id,
            token: e.token,
            staff,
            seq: 0,
        });
    }
    let b = stations.pop().context("station b")?;
    let a = stations.pop().context("station a")?;
    Ok((handle, a, b))
}

async fn push(
    client: &reqwest::Client,
    base: &str,
    st: &Station,
    envs: Vec<MutationEnvelope>,
) -> anyhow::Result<PushResponse> {
    let resp = client
        .post(format!("{base}/sync/push"))
        .bearer_auth(&st.token)
        .json(&PushRequest::new(&st.device_id, envs))
        .send()
        .await?
        .error_for_status()?;
    let answer: PushResponse = resp.json().await?;
    if let Some(bad) = answer
        .results
        .iter()
        .find(|r| matches!(r.outcome, MutationOutcome::Rejected { .. }))
    {
        anyhow::bail!("bench mutation rejected: {bad:?}");
    }
    Ok(answer)
}

fn transfer(id: Uuid, lines: usize, qty: i64) -> Mutation {
    Mutation::ConsignmentCreated(ConsignmentCreated {
        consignment_id: id,
        kind: ConsignmentKind::OutletTransfer,
        reference: format!("TR-{}", &id.simple().to_string()[24..]),
        source_outlet_id: Some("out-a".into()),
        destination_outlet_id: Some("out-b".into()),
        supplier_id: None,
        status: S::Draft,
        lines: (0..lines)
            .map(|i| LineDraft {
                line_id: None,
                product_id: product(i),
                expected_qty: Decimal::from(qty),
                unit_cost: None,
            })
            .collect(),
    })
}

fn go(id: Uuid, from: S, to: S) -> Mutation {
    Mutation::StatusTransitionRequested(StatusTransitionRequested {
        consignment_id: id,
        from,
        to,
        reason: None,
    })
}

fn scan(st: &Station, id: Uuid, p: &str, delta: i64) -> Mutation {
    Mutation::ScanRecorded(ScanRecorded {
        event_id: Uuid::now_v7(),
        consignment_id: id,
        purpose: ScanPurpose::Pack,
        product_id: p.into(),
        box_id: None,
        delta: Decimal::from(delta),
        raw_code: None,
        device_id: st.device_id.clone(),
        at: OffsetDateTime::now_utc(),
        by: st.staff.clone(),
        over_pack_reason: None,
        undoes: None,
    })
}

/// A transfer of `lines` lines, packed in full and sent, as mutations.
fn full_transfer(st: &mut Station, lines: usize) -> (Uuid, Vec<MutationEnvelope>) {
    let id = Uuid::now_v7();
    let mut ms = vec![transfer(id, lines, 2), go(id, S::Draft, S::Packing)];
    for i in 0..lines {
        ms.push(scan(st, id, &product(i), 2));
    }
    ms.push(go(id, S::Packing, S::Packed));
    ms.push(go(id, S::Packed, S::Sent));
    let envs = ms.into_iter().map(|m| st.env(m)).collect();
    (id, envs)
}

fn receive_all(st: &mut Station, id: Uuid, lines: usize) -> Vec<MutationEnvelope> {
    let session = Mutation::ReceiptSessionRecorded(ReceiptSessionRecorded {
        consignment_id: id,
        session_id: Uuid::now_v7(),
        lines: (0..lines)
            .map(|i| ReceivedLine {
                product_id: product(i),
                received: Decimal::from(2),
                damaged: Decimal::ZERO,
            })
            .collect(),
        variances: vec![],
        evidence: vec![],
    });
    let close = Mutation::ReceiptClosed(ReceiptClosed {
        consignment_id: id,
        signature: Some(EvidenceRef {
            sha256: "ab".repeat(32),
            kind: "signature".into(),
            product_id: None,
        }),
        confirmed_by: None,
        pin_verified: false,
    });
    vec![st.env(session), st.env(close)]
}

async fn drained(hub: &Hub) -> anyhow::Result<()> {
    loop {
        if hub.pending_sagas().await?.is_empty() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The floor: one bare INSERT per row, one fsync'd commit per batch, same disk.
fn sqlite_floor(dir: &std::path::Path, rows: usize, batch: usize) -> anyhow::Result<f64> {
    let conn = rusqlite::Connection::open(dir.join("floor.db"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT NOT NULL)")?;
    let start = Instant::now();
    let mut conn = conn;
    for chunk in 0..rows.div_ceil(batch) {
        let tx = conn.transaction()?;
        for i in 0..batch {
            tx.execute(
                "INSERT INTO t (id, body) VALUES (?1, ?2)",
                (format!("{chunk}-{i}"), "x".repeat(200)),
            )?;
        }
        tx.commit()?;
    }
    Ok(rows as f64 / start.elapsed().as_secs_f64())
}

fn p95(mut v: Vec<Duration>) -> Duration {
    v.sort();
    let i = ((v.len() as f64) * 0.95).ceil() as usize;
    v[i.saturating_sub(1).min(v.len() - 1)]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = reqwest::Client::new();
    let latency = Duration::from_millis(args.ls_latency_ms);
    println!(
        "tally-hub-bench (Lightspeed latency {} ms per request)",
        args.ls_latency_ms
    );

    // 1. Mutations applied per second (scans into big transfers, pushed over HTTP).
    {
        let dir = tempfile::tempdir()?;
        let port = slow_lightspeed(latency);
        let (handle, mut a, _b) = setup(&dir, port, 50).await?;
        let base = handle.base_url.clone();
        let mut envs = Vec::with_capacity(args.mutations);
        while envs.len() < args.mutations {
            let id = Uuid::now_v7();
            envs.push(a.env(transfer(id, 50, 1_000_000)));
            envs.push(a.env(go(id, S::Draft, S::Packing)));
            for k in 0..2_000 {
                let m = scan(&a, id, &product(k % 50), 1);
                envs.push(a.env(m));
            }
        }
        envs.truncate(args.mutations);
        let start = Instant::now();
        for chunk in envs.chunks(args.batch) {
            push(&client, &base, &a, chunk.to_vec()).await?;
        }
        let rate = envs.len() as f64 / start.elapsed().as_secs_f64();
        let floor = sqlite_floor(dir.path(), envs.len(), args.batch)?;
        println!(
            "hub applies {rate:.0} mutations/s over HTTP ({} per push); floor (bare INSERT, same commits) {floor:.0} rows/s; ratio {:.2}",
            args.batch,
            rate / floor
        );
        handle.shutdown().await?;
    }

    // 2. Lightspeed requests for one large consignment.
    {
        let dir = tempfile::tempdir()?;
        let port = slow_lightspeed(Duration::ZERO);
        let (handle, mut a, mut b) = setup(&dir, port.clone(), args.lines).await?;
        let base = handle.base_url.clone();
        let (id, envs) = full_transfer(&mut a, args.lines);
        for chunk in envs.chunks(args.batch) {
            push(&client, &base, &a, chunk.to_vec()).await?;
        }
        drained(handle.hub()).await?;
        let sent = port.inner.requests();
        let receipt = receive_all(&mut b, id, args.lines);
        push(&client, &base, &b, receipt).await?;
        drained(handle.hub()).await?;
        let total = port.inner.requests();
        println!(
            "consignment of {} lines: {} requests to create+fill+send (target lines+5 = {}), {} more to receive (minimum lines+1 absolute PUTs + status = {}), {} in all",
            args.lines,
            sent,
            args.lines + 5,
            total - sent,
            args.lines + 1,
            total
        );
        handle.shutdown().await?;
    }

    // 3. Reconnect -> drained queue, p95 over trials.
    {
        let mut times = Vec::with_capacity(args.trials);
        for _ in 0..args.trials {
            let dir = tempfile::tempdir()?;
            let port = slow_lightspeed(latency);
            let (handle, mut a, _b) = setup(&dir, port, 20).await?;
            let base = handle.base_url.clone();
            // A morning offline: 5 transfers of 20 lines packed and sent.
            let mut backlog = Vec::new();
            for _ in 0..5 {
                backlog.extend(full_transfer(&mut a, 20).1);
            }
            let start = Instant::now();
            for chunk in backlog.chunks(args.batch) {
                push(&client, &base, &a, chunk.to_vec()).await?;
            }
            drained(handle.hub()).await?;
            times.push(start.elapsed());
            handle.shutdown().await?;
        }
        let floor = latency * 4 * 5;
        println!(
            "reconnect -> drained (5 transfers x 20 lines, {} mutations): p95 {:?} over {} trials (target < 30 s); floor (4 sequential Lightspeed calls x 5 transfers) {:?}",
            5 * 24,
            p95(times),
            args.trials,
            floor
        );
    }
    Ok(())
}
