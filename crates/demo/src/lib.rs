//! The embedded demo chain: one command gives a newcomer the whole flow with no account.
//!
//! It starts a fake Lightspeed X-Series (testkit) seeded with a NZ chain, an embedded
//! hub on loopback that polls the fake's catalog and drives it through its saga
//! worker, demo staff with known PINs, an enrolled station, and open consignments
//! pushed through the hub's sync API exactly as real stations would.
//!
//! Invariant: everything listens on 127.0.0.1 only, and the demo owns its folder
//! (`DemoOptions::dir`), which it wipes at start: each demo starts fresh.

pub mod freight;
mod seed;
mod staff;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tally_hub::ls::LightspeedApi;
use tally_hub::store::read_with;
use tally_hub::webhooks::WebhookSecret;
use tally_hub::{Hub, HubConfig, HubHandle, PinHashCost};
use tally_lightspeed::{
    ClientConfig, Credentials, InMemoryTokenStore, LightspeedClient, StoredTokens,
};
pub use tally_testkit::carriers::Courier;
use tally_testkit::demo_data::{generate, DemoConfig, DemoData};
use tally_testkit::lightspeed::{
    FakeConfig, FakeHandle, FakeLightspeed, WebhookSender, WebhookTarget,
};
use tally_testkit::proxy::LinkProxy;

pub use staff::{DemoStaff, DEMO_PINS};

/// What went wrong starting the demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The demo folder could not be prepared.
    #[error("cannot prepare the demo folder {path}: {message}")]
    Folder { path: String, message: String },
    /// The fake Lightspeed or the hub did not start.
    #[error("the demo could not start: {0}")]
    Start(String),
    /// The hub did not finish importing the catalog in time.
    #[error("the demo hub did not import the catalog within {0:?}")]
    CatalogTimeout(Duration),
    /// No outlet matches the one asked for.
    #[error("the demo chain has no outlet called {0:?}; try one of: {1}")]
    UnknownOutlet(String, String),
}

impl DemoError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Folder { .. } => "DEMO_FOLDER",
            Self::Start(_) => "DEMO_START",
            Self::CatalogTimeout(_) => "DEMO_CATALOG_TIMEOUT",
            Self::UnknownOutlet(..) => "DEMO_UNKNOWN_OUTLET",
        }
    }
}

/// How to build the demo.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The demo's own folder (wiped at start).
    pub dir: PathBuf,
    /// The station's outlet by name (default: the first store).
    pub outlet: Option<String>,
    /// The station's name.
    pub station_name: String,
    /// Products in the catalog.
    pub products: usize,
    /// Same seed, same chain.
    pub seed: u64,
    /// The chain's approval tiers at the hub (default: the three tiers).
    pub approval: Option<tally_domain::ApprovalPolicy>,
    /// The fake carriers' own courier, moving booked labels along with time so tracking
    /// moves in the demo (default: [`Courier::demo`]); `None` leaves them where a test
    /// puts them.
    pub courier: Option<Courier>,
    /// Seconds between the demo hub's tracking polls (it asks each booking again
    /// after as long); 0 stops polling.
    pub tracking_poll_secs: u64,
}

impl DemoOptions {
    /// Defaults: 3,000 products, seed 2026, the first store.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            outlet: None,
            station_name: "Bench 1".into(),
            products: 3_000,
            seed: 2026,
            approval: None,
            courier: Some(Courier::demo()),
            tracking_poll_secs: 15,
        }
    }
}

/// A running demo chain. Dropping it stops the hub and the fake.
pub struct EmbeddedDemo {
    /// The hub's base URL as the station reaches it: through a link that the demo can
    /// switch off to show offline work and catching up (`set_station_online`).
    pub hub_url: String,
    /// The hub's own address (admin dashboard, webhooks).
    pub hub_direct_url: String,
    /// The station's device id at the hub.
    pub device_id: String,
    /// The station's device token (demo only; production reads it from the keychain).
    pub device_token: String,
    /// The station's outlet id.
    pub outlet_id: String,
    /// The station's outlet name.
    pub outlet_name: String,
    /// Demo staff and their PINs.
    pub staff: Vec<DemoStaff>,
    /// The generated chain.
    pub data: DemoData,
    /// References of the consignments seeded, by purpose (for tests and the README).
    pub seeded: seed::Seeded,
    /// The hub's admin account name and its one-time password (demo only).
    pub admin: (String, String),
    fake: FakeHandle,
    carriers: freight::DemoCarriers,
    hub: HubHandle,
    link: LinkProxy,
    _webhooks: WebhookSender,
}

impl EmbeddedDemo {
    /// Starts the fake Lightspeed and the hub, waits for the catalog, adds staff,
    /// enrols the station and seeds open consignments.
    pub async fn start(opts: DemoOptions) -> Result<Self, DemoError> {
        let started = Instant::now();
        prepare_folder(&opts.dir)?;
        let data = generate(&DemoConfig {
            seed: opts.seed,
            products: opts.products,
            outlets: 6,
            // Consignments made directly in Lightspeed are not Tally's: the demo's open
            // consignments are pushed through the hub below, as stations would.
            open_transfers: 0,
            open_purchase_orders: 0,
            inventory: true,
        });
        let station_outlet = pick_outlet(&data, opts.outlet.as_deref())?;

        let fake = FakeLightspeed::start(FakeConfig {
            seed: Some(data.clone()),
            admin_routes: true,
            ..FakeConfig::default()
        })
        .await
        .map_err(|e| DemoError::Start(e.to_string()))?;
        let client = lightspeed_client(&fake)?;
        let mut config = HubConfig::new(opts.dir.join("hub.sqlite3"));
        // Demo PINs are public anyway; a cheaper hash keeps start-up quick.
        config.pin_hash = PinHashCost {
            memory_kib: 4 * 1024,
            iterations: 1,
        };
        if let Some(p) = &opts.approval {
            config.policies.approval = p.clone();
        }
        config.worker.idle_ms = 250;
        config.worker.poll_interval_ms = 2_000;
        config.worker.poll_page_size = 1_000;
        // Tracking moves within minutes in the demo (the fakes' courier), so the hub
        // asks often.
        config.freight.tracking_interval_secs = opts.tracking_poll_secs;
        config.freight.tracking_recheck_secs = opts.tracking_poll_secs;
        // Lightspeed signs webhooks with the app's client secret; so does the fake.
        config.webhooks.secret = Some(WebhookSecret::new(fake.config().client_secret.clone()));
        let hub =
            Hub::start_with_lightspeed(config, Arc::new(LightspeedApi::new(Arc::new(client))))
                .await
                .map_err(|e| DemoError::Start(e.to_string()))?;

        let webhooks = fake.send_webhooks(WebhookTarget::new(
            format!("{}/webhooks/lightspeed", hub.base_url),
            fake.config().client_secret.clone(),
        ));
        let admin_password = hub
            .hub()
            .bootstrap_admin("admin")
            .await
            .map_err(|e| DemoError::Start(e.to_string()))?
            .unwrap_or_default();
        let carriers = freight::start(hub.hub(), &data, opts.courier).await?;
        wait_for_catalog(hub.hub(), &data, Duration::from_secs(120)).await?;
        let staff = staff::add_demo_staff(hub.hub(), &data)
            .await
            .map_err(|e| DemoError::Start(e.to_string()))?;
        let station = hub
            .hub()
            .enroll_device(&station_outlet.id, &opts.station_name)
            .await
            .map_err(|e| DemoError::Start(e.to_string()))?;
        let seeded = seed::seed_consignments(&hub, &data, &station_outlet.id, &staff)
            .await
            .map_err(|e| DemoError::Start(e.to_string()))?;
        let link = LinkProxy::start(hub.addr)
            .await
            .map_err(|e| DemoError::Start(e.to_string()))?;
        tracing::info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            hub = %hub.base_url,
            lightspeed = %fake.base_url(),
            outlet = %station_outlet.name,
            products = data.products.len(),
            "demo chain ready"
        );
        Ok(Self {
            hub_url: link.url(),
            hub_direct_url: hub.base_url.clone(),
            device_id: station.device_id,
            device_token: station.token,
            outlet_id: station_outlet.id.clone(),
            outlet_name: station_outlet.name.clone(),
            staff,
            seeded,
            admin: ("admin".into(), admin_password),
            data,
            fake,
            carriers,
            hub,
            link,
            _webhooks: webhooks,
        })
    }

    /// The fake Lightspeed (state, faults, request log).
    pub fn lightspeed(&self) -> &FakeHandle {
        &self.fake
    }

    /// Cuts or restores the station's network link to the hub (demo "go offline").
    pub fn set_station_online(&self, online: bool) {
        tracing::info!(online, "demo: station link switched");
        self.link.set_online(online);
    }

    /// Whether the station's link to the hub is on.
    pub fn station_online(&self) -> bool {
        self.link.is_online()
    }

    /// The two fake carriers (state, faults) the hub books freight with.
    pub fn carriers(&self) -> &freight::DemoCarriers {
        &self.carriers
    }

    /// The embedded hub.
    pub fn hub(&self) -> &Hub {
        self.hub.hub()
    }

    /// Stops the hub (its worker first) and the fake.
    pub async fn shutdown(self) {
        if let Err(e) = self.hub.shutdown().await {
            tracing::warn!(error = %e, "demo hub did not stop cleanly");
        }
        self.fake.shutdown();
    }
}

fn prepare_folder(dir: &std::path::Path) -> Result<(), DemoError> {
    let err = |e: std::io::Error| DemoError::Folder {
        path: dir.display().to_string(),
        message: e.to_string(),
    };
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(err)?;
    }
    std::fs::create_dir_all(dir).map_err(err)
}

fn pick_outlet<'a>(
    data: &'a DemoData,
    wanted: Option<&str>,
) -> Result<&'a tally_testkit::demo_data::DemoOutlet, DemoError> {
    match wanted {
        None => Ok(data
            .outlets
            .iter()
            .find(|o| !o.is_warehouse)
            .unwrap_or(&data.outlets[0])),
        Some(name) => data
            .outlets
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name) || o.id == name)
            .ok_or_else(|| {
                let names: Vec<&str> = data.outlets.iter().map(|o| o.name.as_str()).collect();
                DemoError::UnknownOutlet(name.to_string(), names.join(", "))
            }),
    }
}

fn lightspeed_client(fake: &FakeHandle) -> Result<LightspeedClient, DemoError> {
    let cfg = fake.config();
    let mut c = ClientConfig::new(
        fake.base_url(),
        fake.token_url(),
        Credentials::new(cfg.client_id.clone(), cfg.client_secret.clone()),
    );
    c.page_size = 1_000;
    c.request_timeout = Duration::from_secs(10);
    let tokens = Arc::new(InMemoryTokenStore::new(StoredTokens::from_refresh_token(
        fake.issue_refresh_token(),
    )));
    LightspeedClient::new(c, tokens).map_err(|e| DemoError::Start(e.to_string()))
}

async fn wait_for_catalog(hub: &Hub, data: &DemoData, timeout: Duration) -> Result<(), DemoError> {
    let start = Instant::now();
    let want = data.products.len() as u64;
    let last_outlet = data
        .outlets
        .last()
        .map(|o| o.id.clone())
        .unwrap_or_default();
    loop {
        let store = hub.store();
        let outlet = last_outlet.clone();
        let (products, outlet_known) = tokio::task::spawn_blocking(move || {
            let n = read_with(&*store, |tx| tx.product_count()).unwrap_or(0);
            let o = read_with(&*store, |tx| tx.outlet(&outlet))
                .ok()
                .flatten()
                .is_some();
            (n, o)
        })
        .await
        .map_err(|e| DemoError::Start(e.to_string()))?;
        if products >= want && outlet_known {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(DemoError::CatalogTimeout(timeout));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
