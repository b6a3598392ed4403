//! Shared set-up: a fake store on loopback and a client tuned for fast tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use tally_lightspeed::{
    BudgetConfig, ClientConfig, Credentials, InMemoryTokenStore, LightspeedClient, RetryPolicy,
    StoredTokens, TokenStore,
};
use tally_testkit::lightspeed::{FakeConfig, FakeHandle, FakeLightspeed};

pub struct Setup {
    pub fake: FakeHandle,
    pub client: LightspeedClient,
    pub store: Arc<InMemoryTokenStore>,
    pub initial_refresh_token: String,
}

/// Client settings with short waits so faults resolve in milliseconds.
pub fn fast_config(fake: &FakeHandle) -> ClientConfig {
    let cfg = fake.config();
    let mut c = ClientConfig::new(
        fake.base_url(),
        fake.token_url(),
        Credentials::new(cfg.client_id.clone(), cfg.client_secret.clone()),
    );
    c.request_timeout = Duration::from_secs(2);
    c.refresh_margin = Duration::from_millis(100);
    c.retry = RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        min_retry_after: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(5),
        default_retry_after: Duration::from_millis(50),
    };
    c.budget = BudgetConfig {
        reserve: 2,
        poll: Duration::from_millis(10),
    };
    c
}

pub async fn setup_with(config: FakeConfig, tune: impl FnOnce(&mut ClientConfig)) -> Setup {
    let fake = FakeLightspeed::start(config).await.unwrap();
    let initial_refresh_token = fake.issue_refresh_token();
    let store = Arc::new(InMemoryTokenStore::new(StoredTokens::from_refresh_token(
        initial_refresh_token.clone(),
    )));
    let mut cfg = fast_config(&fake);
    tune(&mut cfg);
    let client = LightspeedClient::new(cfg, store.clone() as Arc<dyn TokenStore>).unwrap();
    Setup {
        fake,
        client,
        store,
        initial_refresh_token,
    }
}

pub async fn setup() -> Setup {
    setup_with(FakeConfig::default(), |_| {}).await
}

/// Two outlets, a supplier and `n` products in the fake.
pub struct Chain {
    pub warehouse: String,
    pub store: String,
    pub supplier: String,
    pub products: Vec<String>,
}

pub fn chain(fake: &FakeHandle, n: usize) -> Chain {
    Chain {
        warehouse: fake.add_outlet("Dunedin Warehouse"),
        store: fake.add_outlet("Auckland CBD"),
        supplier: fake.add_supplier("Otago Merino Mills"),
        products: (0..n)
            .map(|i| {
                fake.add_product(
                    &format!("SKU-{i}"),
                    &format!("Product {i}"),
                    &format!("94000000{i:05}"),
                    rust_decimal::Decimal::new(1250, 2),
                )
            })
            .collect(),
    }
}
