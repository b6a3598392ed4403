//! A small chain on loopback for cross-crate sync tests: the fake Lightspeed (real
//! HTTP, its own fault plan and rate limit), a real hub on a SQLite file driving it
//! (restartable on the same file and address, mid-saga), and real stations (`App` on
//! its own SQLite store file, with its sync loop) each reaching the hub through its
//! own fault proxy (`LinkProxy`: partitions, answers lost after the hub committed).
#![allow(dead_code)] // not every test binary uses every helper

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use tally_app::sync::{connect, Enrolment, SyncHandle};
use tally_app::{App, AppConfig, HubMode};
use tally_domain::Role;
use tally_hub::ls::{LightspeedApi, WorkerConfig};
use tally_hub::store::read_with;
use tally_hub::{Hub, HubConfig, HubHandle, PinHashCost};
use tally_lightspeed::{
    ClientConfig, Credentials, InMemoryTokenStore, LightspeedClient, StoredTokens,
};
use tally_sync::outlet::SyncLoopConfig;
use tally_testkit::lightspeed::{FakeConfig, FakeHandle, FakeLightspeed};
use tally_testkit::proxy::LinkProxy;

/// Argon2id at its cheapest: PIN hashing would otherwise dominate.
const CHEAP_HASH: PinHashCost = PinHashCost {
    memory_kib: 8,
    iterations: 1,
};

/// The fake Lightspeed, the hub and what both know.
pub struct Chain {
    pub dir: tempfile::TempDir,
    pub fake: FakeHandle,
    /// Lightspeed outlet ids: the two outlets the stations work at.
    pub outlets: Vec<String>,
    /// Lightspeed product ids.
    pub products: Vec<String>,
    client: ClientConfig,
    tokens: Arc<InMemoryTokenStore>,
    config: HubConfig,
    hub: Option<HubHandle>,
}

impl Chain {
    /// A fake with two outlets and `products` products, and a hub that has imported
    /// them. `tune` adjusts the Lightspeed client and the hub's worker.
    pub async fn start(
        products: usize,
        tune: impl FnOnce(&mut ClientConfig, &mut WorkerConfig),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let fake = FakeLightspeed::start(FakeConfig::default()).await.unwrap();
        let outlets = ["Ponsonby", "Newmarket"]
            .map(|n| fake.add_outlet(n))
            .to_vec();
        let products = (0..products)
            .map(|i| {
                fake.add_product(
                    &format!("SKU{i}"),
                    &format!("Product {i}"),
                    &format!("94{i:011}"),
                    Decimal::new(450, 2),
                )
            })
            .collect();
        let cfg = fake.config();
        let mut client = ClientConfig::new(
            fake.base_url(),
            fake.token_url(),
            Credentials::new(cfg.client_id.clone(), cfg.client_secret.clone()),
        );
        client.request_timeout = Duration::from_secs(2);
        let tokens = Arc::new(InMemoryTokenStore::new(StoredTokens::from_refresh_token(
            fake.issue_refresh_token(),
        )));
        let mut config = HubConfig::new(dir.path().join("hub.sqlite3"));
        config.pin_hash = CHEAP_HASH;
        config.worker = WorkerConfig {
            idle_ms: 10,
            backoff_base_ms: 5,
            backoff_max_ms: 100,
            batch: 8,
            poll: true,
            poll_interval_ms: 50,
            poll_page_size: 50,
        };
        tune(&mut client, &mut config.worker);
        let mut chain = Self {
            dir,
            fake,
            outlets,
            products,
            client,
            tokens,
            config,
            hub: None,
        };
        chain.start_hub().await;
        // Later starts come back on the same address: the stations' links point there.
        chain.config.bind = chain.hub.as_ref().unwrap().addr;
        chain.wait_for_catalog().await;
        chain
    }

    async fn start_hub(&mut self) {
        // A new client per start, as a restarted process has; the rotating tokens
        // persist in the token store.
        let port = Arc::new(LightspeedApi::new(Arc::new(
            LightspeedClient::new(self.client.clone(), self.tokens.clone()).unwrap(),
        )));
        let mut last = None;
        for _ in 0..100 {
            match Hub::start_with_lightspeed(self.config.clone(), port.clone()).await {
                Ok(h) => {
                    self.hub = Some(h);
                    return;
                }
                // The old server lets go of its address a moment after it is told to.
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the hub did not start again: {last:?}");
    }

    /// The running hub.
    pub fn hub(&self) -> &Hub {
        self.hub.as_ref().expect("hub running").hub()
    }

    /// The hub's own address (stations reach it through their links).
    pub fn hub_addr(&self) -> std::net::SocketAddr {
        self.config.bind
    }

    /// Kills the hub wherever its worker is (mid-saga on purpose) and starts it again
    /// on the same SQLite file and address.
    pub async fn restart_hub(&mut self) {
        drop(self.hub.take());
        self.start_hub().await;
    }

    /// Waits until the hub has every product and outlet the fake has.
    pub async fn wait_for_catalog(&self) {
        let want = self.fake.product_count() as u64;
        let store = self.hub().store();
        let last_outlet = self.outlets.last().cloned().unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let store = store.clone();
            let outlet = last_outlet.clone();
            let done = tokio::task::spawn_blocking(move || {
                let n = read_with(&*store, |tx| tx.product_count()).unwrap_or(0);
                let o = read_with(&*store, |tx| tx.outlet(&outlet))
                    .ok()
                    .flatten()
                    .is_some();
                n >= want && o
            })
            .await
            .unwrap();
            if done {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the hub did not import the catalog"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Enrols a station at outlet `outlet` (index) with a staff member of `role`,
    /// opens its store and connects it through its own link.
    pub async fn station(&self, outlet: usize, name: &str, role: Role) -> Station {
        let outlet_id = self.outlets[outlet].clone();
        let pin = "2468".to_string();
        let staff_id = self
            .hub()
            .add_staff(name, role, Some(&outlet_id), &pin)
            .await
            .unwrap();
        let e = self.hub().enroll_device(&outlet_id, name).await.unwrap();
        let link = LinkProxy::start(self.hub_addr()).await.unwrap();
        let enrolment = Enrolment {
            hub_url: link.url(),
            device_id: e.device_id,
            device_token: e.token,
            outlet_id,
        };
        let mut s = Station {
            name: name.to_string(),
            outlet,
            dir: self.dir.path().join(name.replace(' ', "-")),
            link,
            enrolment,
            staff: (staff_id, pin),
            app: None,
            sync: None,
        };
        s.open().await;
        s
    }
}

/// A new transfer made at `app`'s bench from `from` to `to` with `lines` (product,
/// expected units), as one store action (the station's screens have no "new
/// transfer" yet; purchase orders and returns are made the same way).
pub fn new_transfer(
    app: &App,
    from: &str,
    to: &str,
    lines: &[(String, Decimal)],
) -> tally_store::Result<tally_store::Consignment> {
    use tally_domain::{ConsignmentKind, ConsignmentReference, ConsignmentStatus};
    let from = uuid::Uuid::parse_str(from).expect("outlet id");
    let to = uuid::Uuid::parse_str(to).expect("outlet id");
    app.store().transact(&app.actor().expect("signed in"), |t| {
        let n = t.next_reference_number()?;
        let reference = ConsignmentReference::for_date(
            ConsignmentKind::OutletTransfer,
            time::OffsetDateTime::now_utc().date(),
            n,
        )
        .expect("a valid reference")
        .to_string();
        let h = t.create_consignment(tally_store::NewConsignment {
            kind: ConsignmentKind::OutletTransfer,
            status: ConsignmentStatus::Draft,
            source_outlet_id: Some(from),
            destination_outlet_id: Some(to),
            supplier_id: None,
            reference,
        })?;
        for (p, q) in lines {
            t.set_line(
                h.id,
                uuid::Uuid::parse_str(p).expect("product id"),
                *q,
                None,
            )?;
        }
        Ok(h)
    })
}

/// One station: its store folder, its link to the hub, its app and loop.
pub struct Station {
    pub name: String,
    /// Index of its outlet in `Chain::outlets`.
    pub outlet: usize,
    pub dir: PathBuf,
    pub link: LinkProxy,
    pub enrolment: Enrolment,
    /// (staff id, PIN) of the person working here.
    pub staff: (String, String),
    app: Option<Arc<App>>,
    sync: Option<SyncHandle>,
}

/// A quick loop: short pauses, short backoff.
fn loop_config() -> SyncLoopConfig {
    SyncLoopConfig {
        batch: 20,
        pull_limit: 100,
        interval: Duration::from_millis(40),
        backoff_base: Duration::from_millis(20),
        backoff_max: Duration::from_millis(200),
    }
}

impl Station {
    /// The station's app (signed in).
    pub fn app(&self) -> &Arc<App> {
        self.app.as_ref().expect("station open")
    }

    /// The store file.
    pub fn store_file(&self) -> PathBuf {
        self.dir.join("tally.sqlite3")
    }

    /// Opens the store, connects (the first exchange may fail while partitioned) and
    /// signs in.
    pub async fn open(&mut self) {
        let config = AppConfig {
            data_dir: self.dir.clone(),
            hub: HubMode::Remote {
                url: self.enrolment.hub_url.clone(),
            },
            station_name: self.name.clone(),
            outlet: None,
            wedge_max_gap_ms: 35,
            log_filter: "warn".into(),
        };
        let app = Arc::new(App::open(config, self.enrolment.hub_url.clone()).unwrap());
        let sync = connect(Arc::clone(&app), &self.enrolment, loop_config())
            .await
            .unwrap();
        app.sign_in(&self.staff.0, &self.staff.1).unwrap();
        self.app = Some(app);
        self.sync = Some(sync);
    }

    /// Kills the loop wherever it is (mid-push on purpose), drops the app and opens
    /// it again from the same store file.
    pub async fn restart(&mut self) {
        if let Some(s) = self.sync.take() {
            s.abort();
        }
        drop(self.app.take());
        self.open().await;
    }

    /// Stops the loop cleanly.
    pub async fn stop(&mut self) {
        if let Some(s) = self.sync.take() {
            s.stop().await;
        }
    }
}
