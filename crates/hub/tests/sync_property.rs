//! The sync property: several simulated outlet stations act at random against a
//! real hub on loopback while faults hit both sides (responses lost after the hub
//! committed, partitions, hub restarts mid-saga; Lightspeed 5xx, 429 storms with
//! Retry-After, responses lost after Lightspeed applied). After the faults stop and
//! the queues drain, Lightspeed must hold exactly what the acknowledged actions
//! imply: one remote per consignment, no doubled line, no lost quantity, no status
//! moved backwards, nothing left queued or dead-lettered.
//!
//! Seeds: fresh random seeds every run (printed first); `TALLY_PROP_SEEDS=N` runs N
//! (default 3; `TALLY_PROP_FAKE_SEEDS` for the fake, default 2), `TALLY_PROP_SEED=S`
//! replays one. A failure prints its seed and the replay command. (Real stations,
//! their fault proxies and restarts: `tests/integration/tests/sync_property.rs`.)

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use support::{fake_client_config, fake_tokens, fast_config, pack_scan, product, Envelopes};
use tally_domain::{ConsignmentKind, ConsignmentStatus as S, LsConsignmentStatus, Role};
use tally_hub::ls::hooked::{CallHook, Hooked};
use tally_hub::ls::memory::MemoryLightspeed;
use tally_hub::ls::{
    desired_remote_lines, marker, LightspeedApi, LightspeedPort, LsFailure, LsResult, WorkerConfig,
};
use tally_hub::{Hub, HubConfig, HubHandle};
use tally_lightspeed::{
    BudgetConfig, ClientConfig, InMemoryTokenStore, LightspeedClient, RetryPolicy,
};
use tally_sync::*;
use tally_testkit::faults::{Fault, FaultPlan, FaultRule};
use tally_testkit::lightspeed::{FakeConfig, FakeHandle, FakeLightspeed};
use tally_testkit::prop::seeds;
use uuid::Uuid;

// -- Lightspeed with seeded faults ------------------------------------------------

/// Seeded faults around every call, switched off for the drain.
struct SeededFaults {
    rng: Mutex<ChaCha8Rng>,
    faults_on: AtomicBool,
}

type FaultyLightspeed = Hooked<MemoryLightspeed, SeededFaults>;

enum Roll {
    Pass,
    FailBefore(LsFailure),
    LoseAfter,
}

impl SeededFaults {
    fn roll(&self) -> Roll {
        if !self.faults_on.load(Ordering::SeqCst) {
            return Roll::Pass;
        }
        let mut rng = self.rng.lock().unwrap();
        let p: f64 = rng.random();
        if p < 0.08 {
            Roll::FailBefore(LsFailure::Retryable {
                message: "503 Service Unavailable".into(),
                retry_after: None,
                rate_limited: false,
            })
        } else if p < 0.14 {
            Roll::FailBefore(LsFailure::Retryable {
                message: "429 Too Many Requests".into(),
                retry_after: Some(Duration::from_millis(rng.random_range(2..15))),
                rate_limited: true,
            })
        } else if p < 0.22 {
            Roll::LoseAfter
        } else {
            Roll::Pass
        }
    }
}

impl CallHook for SeededFaults {
    async fn around<T: Send>(
        &self,
        call: impl std::future::Future<Output = LsResult<T>> + Send,
    ) -> LsResult<T> {
        match self.roll() {
            Roll::FailBefore(f) => Err(f),
            Roll::LoseAfter => {
                let _ = call.await;
                Err(LsFailure::Retryable {
                    message: "connection reset after the request was sent".into(),
                    retry_after: None,
                    rate_limited: false,
                })
            }
            Roll::Pass => call.await,
        }
    }
}

// -- simulated stations -------------------------------------------------------------

struct Station {
    device_id: String,
    token: String,
    outlet: String,
    staff: String,
    envelopes: Envelopes,
    outbox: Vec<MutationEnvelope>,
    /// The hub's rows as last pulled.
    view: BTreeMap<Uuid, ConsignmentRow>,
    cursor: u64,
}

impl Station {
    fn enqueue(&mut self, m: Mutation) {
        let env = self.envelopes.next(m);
        self.outbox.push(env);
    }
}

/// What the acknowledged actions imply: packed units per (consignment, product).
#[derive(Default)]
struct Oracle {
    packed: HashMap<(Uuid, String), Decimal>,
    applied: usize,
    rejected: usize,
    duplicates: usize,
}

/// Outlet and product ids the stations use (Lightspeed's).
struct Catalog {
    outlets: Vec<String>,
    products: Vec<String>,
}

/// A remote consignment as the checks see it: product -> (count, received).
struct RemoteView {
    id: String,
    reference: Option<String>,
    status: LsConsignmentStatus,
    lines: BTreeMap<String, (Decimal, Decimal)>,
}

/// The Lightspeed the hub talks to, with faults that can be switched off.
trait Backend: Send + Sync + 'static {
    type Port: LightspeedPort;
    fn port(&self) -> Arc<Self::Port>;
    fn set_faults(&self, on: bool);
    fn remotes(&self) -> Vec<RemoteView>;
    /// Every status change made, where the backend records it.
    fn history(&self) -> Vec<(String, LsConsignmentStatus)>;
    fn requests(&self) -> usize;
    fn catalog(&self) -> Catalog;
}

struct MemoryBackend(Arc<FaultyLightspeed>);

impl Backend for MemoryBackend {
    type Port = FaultyLightspeed;
    fn port(&self) -> Arc<FaultyLightspeed> {
        self.0.clone()
    }
    fn set_faults(&self, on: bool) {
        self.0.hook.faults_on.store(on, Ordering::SeqCst);
    }
    fn remotes(&self) -> Vec<RemoteView> {
        self.0
            .inner
            .all()
            .into_iter()
            .map(|r| RemoteView {
                id: r.c.id,
                reference: r.c.reference,
                status: r.c.status,
                lines: r
                    .lines
                    .into_iter()
                    .map(|(p, l)| (p, (l.count, l.received)))
                    .collect(),
            })
            .collect()
    }
    fn history(&self) -> Vec<(String, LsConsignmentStatus)> {
        self.0.inner.history()
    }
    fn requests(&self) -> usize {
        self.0.inner.requests() as usize
    }
    fn catalog(&self) -> Catalog {
        Catalog {
            outlets: ["o-ponsonby", "o-newmarket", "o-takapuna"]
                .map(String::from)
                .to_vec(),
            products: (0..8).map(|i| format!("p{i}")).collect(),
        }
    }
}

struct FakeBackend {
    fake: FakeHandle,
    client_config: ClientConfig,
    tokens: Arc<InMemoryTokenStore>,
    plan: FaultPlan,
    catalog: (Vec<String>, Vec<String>),
}

impl FakeBackend {
    async fn start(seed: u64) -> Self {
        let fake = FakeLightspeed::start(FakeConfig::default()).await.unwrap();
        // The real budget (~350 per 5 minutes for one register) would make a
        // drain take minutes; the 429 storms below test rate limiting instead.
        fake.set_rate_limit(100_000, Duration::from_secs(300));
        let outlets = ["Ponsonby", "Newmarket", "Takapuna"]
            .map(|n| fake.add_outlet(n))
            .to_vec();
        let products = (0..8)
            .map(|i| {
                fake.add_product(
                    &format!("SKU{i}"),
                    &format!("Product {i}"),
                    &format!("94{i:011}"),
                    Decimal::new(450, 2),
                )
            })
            .collect();
        // Lost acknowledgements after commit, 5xx and 429 storms, on every route.
        let plan = FaultPlan::seeded(seed)
            .rule(FaultRule::new("*", "/api/2.0/**", Fault::LostAck).probability(0.06))
            .rule(
                FaultRule::new("*", "/api/2.0/**", Fault::Status { status: 503 }).probability(0.06),
            )
            .rule(
                FaultRule::new(
                    "*",
                    "/api/2.0/**",
                    Fault::RateLimited {
                        retry_after_ms: 15,
                        as_date: false,
                    },
                )
                .probability(0.05),
            );
        let mut c = fake_client_config(&fake);
        c.retry = RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
            min_retry_after: Duration::from_millis(5),
            max_retry_after: Duration::from_millis(100),
            default_retry_after: Duration::from_millis(10),
        };
        c.budget = BudgetConfig {
            reserve: 2,
            poll: Duration::from_millis(5),
        };
        let tokens = fake_tokens(&fake);
        Self {
            fake,
            client_config: c,
            tokens,
            plan,
            catalog: (outlets, products),
        }
    }
}

impl Backend for FakeBackend {
    type Port = LightspeedApi;
    fn port(&self) -> Arc<LightspeedApi> {
        // A new client per hub start, as a restarted process has; the rotating
        // tokens persist in the token store.
        Arc::new(LightspeedApi::new(Arc::new(
            LightspeedClient::new(self.client_config.clone(), self.tokens.clone()).unwrap(),
        )))
    }
    fn set_faults(&self, on: bool) {
        if on {
            self.fake.faults().set_plan(self.plan.clone());
        } else {
            self.fake.faults().clear();
        }
    }
    fn remotes(&self) -> Vec<RemoteView> {
        self.fake
            .consignments()
            .into_iter()
            .filter(|c| !c.deleted)
            .map(|c| RemoteView {
                id: c.id,
                reference: c.reference,
                status: c.status,
                lines: c
                    .lines
                    .into_iter()
                    .map(|l| (l.product_id, (l.count, l.received.unwrap_or_default())))
                    .collect(),
            })
            .collect()
    }
    fn history(&self) -> Vec<(String, LsConsignmentStatus)> {
        // The fake refuses illegal moves itself (a refusal would dead-letter).
        Vec::new()
    }
    fn requests(&self) -> usize {
        self.fake.requests().len()
    }
    fn catalog(&self) -> Catalog {
        Catalog {
            outlets: self.catalog.0.clone(),
            products: self.catalog.1.clone(),
        }
    }
}

struct World<B: Backend> {
    _dir: tempfile::TempDir,
    config: HubConfig,
    backend: Arc<B>,
    handle: Option<HubHandle>,
    client: reqwest::Client,
}

impl<B: Backend> World<B> {
    fn base(&self) -> String {
        self.handle.as_ref().unwrap().base_url.clone()
    }

    async fn restart(&mut self) {
        // Dropping aborts the worker wherever it is: mid-saga on purpose.
        drop(self.handle.take());
        let mut config = self.config.clone();
        config.bind = "127.0.0.1:0".parse().unwrap();
        self.handle = Some(
            Hub::start_with_lightspeed(config, self.backend.port())
                .await
                .unwrap(),
        );
    }

    fn hub(&self) -> &Hub {
        self.handle.as_ref().unwrap().hub()
    }
}

async fn push<B: Backend>(
    world: &World<B>,
    st: &mut Station,
    oracle: &mut Oracle,
    lose_response: bool,
) {
    if st.outbox.is_empty() {
        return;
    }
    let body = PushRequest::new(&st.device_id, st.outbox.clone());
    let resp = world
        .client
        .post(format!("{}/sync/push", world.base()))
        .bearer_auth(&st.token)
        .json(&body)
        .send()
        .await;
    let Ok(resp) = resp else { return };
    assert!(resp.status().is_success(), "push failed: {}", resp.status());
    let answer: PushResponse = resp.json().await.unwrap();
    if lose_response {
        // The hub committed; the station never hears back and will push again.
        return;
    }
    for r in &answer.results {
        let env = st
            .outbox
            .iter()
            .find(|e| e.seq == r.seq)
            .expect("result for a pushed seq");
        // Applied now, or applied by a push whose answer was lost: either way the
        // station hears it once, here, and counts it once.
        let acked = match &r.outcome {
            MutationOutcome::Applied => {
                oracle.applied += 1;
                true
            }
            MutationOutcome::Duplicate => {
                oracle.duplicates += 1;
                true
            }
            MutationOutcome::Rejected { .. } => {
                oracle.rejected += 1;
                false
            }
        };
        if let (true, Mutation::ScanRecorded(s)) = (acked, &env.mutation) {
            *oracle
                .packed
                .entry((s.consignment_id, s.product_id.clone()))
                .or_default() += s.delta;
        }
    }
    let done: Vec<u64> = answer.results.iter().map(|r| r.seq).collect();
    st.outbox.retain(|e| !done.contains(&e.seq));
}

async fn pull<B: Backend>(world: &World<B>, st: &mut Station) {
    loop {
        let resp = world
            .client
            .get(format!(
                "{}/sync/pull?protocol=1&cursor={}&limit=50",
                world.base(),
                st.cursor
            ))
            .bearer_auth(&st.token)
            .send()
            .await;
        let Ok(resp) = resp else { return };
        let page: PullResponse = resp.json().await.unwrap();
        for c in page.changes {
            if let Row::Consignment(c) = c.row {
                st.view.insert(c.id, *c);
            }
        }
        st.cursor = page.next_cursor;
        if !page.has_more {
            return;
        }
    }
}

fn scan(st: &Station, id: Uuid, p: &str, delta: i64) -> Mutation {
    pack_scan(id, p, Decimal::from(delta), &st.device_id, &st.staff)
}

fn go(id: Uuid, from: S, to: S) -> Mutation {
    support::go(id, from, to, Some("changed plans"))
}

/// One random action a station takes from what it believes.
fn act(rng: &mut ChaCha8Rng, st: &mut Station, cat: &Catalog) {
    let mine: Vec<ConsignmentRow> = st
        .view
        .values()
        .filter(|c| c.source_outlet_id.as_deref() == Some(st.outlet.as_str()))
        .cloned()
        .collect();
    let incoming: Vec<ConsignmentRow> = st
        .view
        .values()
        .filter(|c| {
            c.destination_outlet_id.as_deref() == Some(st.outlet.as_str())
                && matches!(c.status, S::Sent | S::Receiving)
        })
        .cloned()
        .collect();
    let roll = rng.random_range(0..100);
    if (roll < 8 && mine.len() < 6) || mine.is_empty() {
        let dest = loop {
            let d = &cat.outlets[rng.random_range(0..cat.outlets.len())];
            if *d != st.outlet {
                break d.clone();
            }
        };
        let n = rng.random_range(1..=3);
        let mut lines: Vec<LineDraft> = Vec::new();
        for _ in 0..n {
            let p = cat.products[rng.random_range(0..cat.products.len())].clone();
            if lines.iter().all(|l| l.product_id != p) {
                lines.push(LineDraft {
                    line_id: None,
                    product_id: p,
                    expected_qty: Decimal::from(rng.random_range(1..4)),
                    unit_cost: None,
                });
            }
        }
        let id = Uuid::now_v7();
        st.enqueue(Mutation::ConsignmentCreated(ConsignmentCreated {
            consignment_id: id,
            kind: ConsignmentKind::OutletTransfer,
            reference: format!("TR-{}", &id.simple().to_string()[24..]),
            source_outlet_id: Some(st.outlet.clone()),
            destination_outlet_id: Some(dest),
            supplier_id: None,
            status: S::Draft,
            lines,
        }));
        return;
    }
    if roll < 30 && !incoming.is_empty() {
        let c = &incoming[rng.random_range(0..incoming.len())];
        // Count exactly what was packed (no variance), then close with a signature.
        let lines: Vec<ReceivedLine> = c
            .lines
            .iter()
            .filter(|l| l.received_qty < l.packed_qty)
            .map(|l| ReceivedLine {
                product_id: l.product_id.clone(),
                received: l.packed_qty - l.received_qty,
                damaged: Decimal::ZERO,
            })
            .collect();
        if !lines.is_empty() {
            st.enqueue(Mutation::ReceiptSessionRecorded(ReceiptSessionRecorded {
                consignment_id: c.id,
                session_id: Uuid::now_v7(),
                lines,
                variances: vec![],
                evidence: vec![],
            }));
        }
        st.enqueue(Mutation::ReceiptClosed(ReceiptClosed {
            consignment_id: c.id,
            signature: Some(EvidenceRef {
                sha256: "5e".repeat(32),
                kind: "signature".into(),
                product_id: None,
            }),
            confirmed_by: None,
            pin_verified: false,
        }));
        return;
    }
    let c = &mine[rng.random_range(0..mine.len())];
    match c.status {
        S::Draft if roll < 40 => st.enqueue(go(c.id, S::Draft, S::Cancelled)),
        S::Draft => st.enqueue(go(c.id, S::Draft, S::Packing)),
        S::Packing => {
            let l = &c.lines[rng.random_range(0..c.lines.len())];
            if l.packed_qty < l.expected_qty && roll < 80 {
                st.enqueue(scan(st, c.id, &l.product_id, 1));
            } else if l.packed_qty > Decimal::ZERO && roll < 85 {
                st.enqueue(scan(st, c.id, &l.product_id, -1));
            } else if c.lines.iter().any(|l| !l.packed_qty.is_zero()) {
                for l in &c.lines {
                    if l.packed_qty < l.expected_qty && l.short_reason.is_none() {
                        st.enqueue(Mutation::ShortShipRecorded(ShortShipRecorded {
                            consignment_id: c.id,
                            product_id: l.product_id.clone(),
                            reason: "not on the shelf".into(),
                        }));
                    }
                }
                st.enqueue(go(c.id, S::Packing, S::Packed));
            }
        }
        S::Packed => st.enqueue(go(c.id, S::Packed, S::Sent)),
        _ => {}
    }
}

async fn run_seed<B: Backend>(seed: u64, backend: B) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let backend = Arc::new(backend);
    let cat = backend.catalog();
    let dir = tempfile::tempdir().unwrap();
    let mut config = fast_config(&dir);
    config.worker = WorkerConfig {
        idle_ms: 5,
        backoff_base_ms: 2,
        backoff_max_ms: 20,
        batch: 8,
        poll: true,
        poll_interval_ms: 20,
        poll_page_size: 50,
    };
    let handle = Hub::start_with_lightspeed(config.clone(), backend.port())
        .await
        .unwrap();
    backend.set_faults(true);
    let mut world = World {
        _dir: dir,
        config,
        backend: backend.clone(),
        handle: Some(handle),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    };
    let hub = world.hub().clone();
    for o in &cat.outlets {
        hub.put_outlet(OutletRow {
            id: o.clone(),
            name: o.clone(),
            deleted: false,
        })
        .await
        .unwrap();
    }
    hub.put_products(
        cat.products
            .iter()
            .enumerate()
            .map(|(i, id)| product(id.clone(), i, Some(Decimal::new(450, 2))))
            .collect(),
    )
    .await
    .unwrap();
    let mut stations = Vec::new();
    for o in &cat.outlets {
        let staff = hub
            .add_staff("Sam", Role::Staff, Some(o), "2468")
            .await
            .unwrap();
        for bench in ["bench 1", "bench 2"] {
            let e = hub.enroll_device(o, bench).await.unwrap();
            stations.push(Station {
                device_id: e.device_id,
                token: e.token,
                outlet: o.clone(),
                envelopes: Envelopes::new(&staff),
                staff: staff.clone(),
                outbox: vec![],
                view: BTreeMap::new(),
                cursor: 0,
            });
        }
    }
    let mut oracle = Oracle::default();
    let steps = 120;
    for _ in 0..steps {
        let i = rng.random_range(0..stations.len());
        let partitioned = rng.random_bool(0.15);
        act(&mut rng, &mut stations[i], &cat);
        if !partitioned {
            let lose = rng.random_bool(0.2);
            push(&world, &mut stations[i], &mut oracle, lose).await;
            pull(&world, &mut stations[i]).await;
        }
        if rng.random_bool(0.04) {
            world.restart().await;
        }
        if rng.random_bool(0.3) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    // Faults stop: every station reconnects and drains; then the hub's queue drains.
    world.backend.set_faults(false);
    for st in stations.iter_mut() {
        push(&world, st, &mut oracle, false).await;
        assert!(st.outbox.is_empty(), "station outbox drained");
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let pending = world.hub().pending_sagas().await.unwrap();
        if pending.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "hub queue did not drain: {pending:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let dead = world.hub().dead_letters().await.unwrap();
    assert!(dead.is_empty(), "nothing dead-lettered: {dead:?}");

    // Lightspeed holds exactly what the hub's acknowledged state implies.
    let remotes = world.backend.remotes();
    let mut by_marker: HashMap<String, usize> = HashMap::new();
    for r in &remotes {
        *by_marker
            .entry(r.reference.clone().unwrap_or_default())
            .or_default() += 1;
    }
    assert!(
        by_marker.values().all(|n| *n == 1),
        "no duplicate consignment in Lightspeed: {by_marker:?}"
    );
    let hub = world.hub().clone();
    let mut checked = 0;
    let mut statuses: BTreeMap<&'static str, usize> = BTreeMap::new();
    for id in hub.consignment_ids().await.unwrap() {
        let c = hub.consignment(id).await.unwrap().unwrap();
        *statuses.entry(c.status.as_str()).or_default() += 1;
        for l in &c.lines {
            let acked = oracle
                .packed
                .get(&(id, l.product_id.clone()))
                .copied()
                .unwrap_or_default();
            assert_eq!(l.packed_qty, acked, "no lost or doubled scan on {id}");
        }
        let remote = remotes
            .iter()
            .find(|r| r.reference.as_deref() == Some(marker(id).as_str()));
        let Some(remote) = remote else {
            assert_eq!(
                c.status,
                S::Cancelled,
                "only a consignment cancelled before it was pushed has no remote"
            );
            continue;
        };
        checked += 1;
        assert_eq!(c.lightspeed_id.as_deref(), Some(remote.id.as_str()));
        let want = tally_domain::ls_status_for(c.kind, c.status).unwrap();
        assert_eq!(remote.status, want, "status of {id} ({:?})", c.status);
        if c.status != S::Cancelled {
            let desired = desired_remote_lines(c.kind, c.status, &c.lines);
            for (pid, d) in &desired {
                let have = remote.lines.get(pid);
                if d.count.is_zero() && have.is_none() {
                    continue;
                }
                let have = have.unwrap_or_else(|| panic!("line {pid} of {id} in Lightspeed"));
                assert_eq!(have.0, d.count, "count of {pid} on {id}");
                if want == LsConsignmentStatus::Received {
                    assert_eq!(have.1, d.received, "received of {pid} on {id}");
                }
            }
            assert!(
                remote.lines.keys().all(|p| desired.contains_key(p)),
                "no stray line on {id}"
            );
        }
    }
    // Lightspeed only ever moved forward (the double refuses illegal moves, and
    // each consignment's history must follow its type's order).
    let mut last: HashMap<String, LsConsignmentStatus> = HashMap::new();
    for (rid, s) in world.backend.history() {
        if let Some(prev) = last.get(&rid) {
            assert_ne!(*prev, s, "no repeated status change on {rid}");
        }
        last.insert(rid, s);
    }
    eprintln!(
        "seed {seed}: {} applied, {} duplicates, {} rejected, {} remote consignments checked, {} Lightspeed requests, statuses {statuses:?}",
        oracle.applied,
        oracle.duplicates,
        oracle.rejected,
        checked,
        world.backend.requests()
    );
    drop(world);
}

const REPLAY: &str = "cargo nextest run -p tally-hub --test sync_property";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lightspeed_ends_equal_to_acknowledged_actions_under_faults() {
    for seed in seeds("TALLY_PROP_SEEDS", 3) {
        let backend = MemoryBackend(Arc::new(Hooked {
            inner: MemoryLightspeed::new(),
            hook: SeededFaults {
                rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0x5eed)),
                faults_on: AtomicBool::new(true),
            },
        }));
        if let Err(e) = tokio::spawn(run_seed(seed, backend)).await {
            panic!("sync property failed for seed {seed}: {e}\nreplay: TALLY_PROP_SEED={seed} {REPLAY}");
        }
    }
}

/// The same property through the real X-Series client against the testkit's fake
/// Lightspeed and its own fault injection (lost acks, 503s, 429s on every route).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_lightspeed_ends_equal_to_acknowledged_actions_under_faults() {
    for seed in seeds("TALLY_PROP_FAKE_SEEDS", 2) {
        let backend = FakeBackend::start(seed).await;
        if let Err(e) = tokio::spawn(run_seed(seed, backend)).await {
            panic!(
                "sync property (fake Lightspeed) failed for seed {seed}: {e}\nreplay: TALLY_PROP_SEED={seed} {REPLAY}"
            );
        }
    }
}
