//! Starting a fake store on a loopback port, and the handle tests hold.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::middleware::from_fn_with_state;
use axum::routing::{get, post, put};
use axum::Router;
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::config::FakeConfig;
use super::oauth::{OAuth, OAuthStats};
use super::rate_limit::{RateLimitStats, RateLimiter};
use super::store::{ProductCodeRow, ProductRow, Store, Versioned};
use super::views::{ConsignmentView, ProductView};
use super::{admin, catalog, consignments, oauth, rate_limit};
use crate::demo_data::DemoData;
use crate::faults::{inject_faults, serve_with_kill_switch, FaultController, RequestLog};

/// Why a fake could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    #[error("the fake Lightspeed could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The optional SQLite file could not be opened, read or written.
    #[error("the fake Lightspeed's file {path} failed: {detail}")]
    File {
        path: std::path::PathBuf,
        detail: String,
    },
}

impl FakeError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            FakeError::Bind { .. } => "FAKE_BIND",
            FakeError::File { .. } => "FAKE_FILE",
        }
    }
}

/// Everything the handlers share.
pub(crate) struct Shared {
    pub config: FakeConfig,
    store: Mutex<Store>,
    pub oauth: OAuth,
    pub limiter: RateLimiter,
    pub faults: FaultController,
    file: Option<super::persist::SqliteFile>,
}

impl Shared {
    /// The data; handlers never hold it across an await.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the data to the SQLite file, when the fake has one.
    pub fn save_to_file(&self) {
        if let Some(f) = &self.file {
            let saved = f.save(&self.store());
            if let Err(e) = saved {
                tracing::error!(code = e.code(), error = %e, "fake Lightspeed data not saved");
            }
        }
    }
}

pub(crate) type AppState = Arc<Shared>;

/// The fake Lightspeed X-Series API 2.0.
pub struct FakeLightspeed;

impl FakeLightspeed {
    /// Starts a fake on an ephemeral port of 127.0.0.1.
    pub async fn start(config: FakeConfig) -> Result<FakeHandle, FakeError> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts a fake on `addr` (the demo binary picks a fixed port).
    pub async fn start_on(addr: SocketAddr, config: FakeConfig) -> Result<FakeHandle, FakeError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| FakeError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| FakeError::Bind { addr, source })?;
        let (file, saved) = match &config.sqlite_path {
            Some(p) => {
                let (f, saved) = super::persist::SqliteFile::open(p)?;
                (Some(f), saved)
            }
            None => (None, None),
        };
        let store = match saved {
            Some(s) => s,
            None => {
                let mut store = Store::default();
                if let Some(data) = &config.seed {
                    store.seed(data);
                }
                store
            }
        };
        let limiter = RateLimiter::new(
            config.effective_rate_limit(),
            config.rate_limit.window,
            config.rate_limit.enabled,
            config.rate_limit.reset_format,
        );
        let faults = FaultController::new(config.faults.clone(), RequestLog::default());
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            oauth: OAuth::default(),
            limiter,
            faults: faults.clone(),
            config,
            file,
        });
        shared.save_to_file();
        let router = router(shared.clone());
        let shutdown = CancellationToken::new();
        tokio::spawn(serve_with_kill_switch(listener, router, shutdown.clone()));
        tracing::info!(addr = %local, "fake Lightspeed listening");
        Ok(FakeHandle {
            addr: local,
            shared,
            shutdown,
        })
    }
}

fn router(app: AppState) -> Router {
    let api = Router::new()
        .route("/products", get(catalog::products))
        .route("/products/{id}", get(catalog::product))
        .route("/outlets", get(catalog::outlets))
        .route("/suppliers", get(catalog::suppliers))
        .route("/inventory", get(catalog::inventory))
        .route("/sales", get(catalog::sales))
        .route(
            "/consignments",
            get(consignments::list).post(consignments::create),
        )
        .route(
            "/consignments/{id}",
            get(consignments::get_one)
                .put(consignments::update)
                .delete(consignments::delete),
        )
        .route("/consignments/{id}/totals", get(consignments::totals))
        .route(
            "/consignments/{id}/products",
            get(consignments::list_lines).post(consignments::add_line),
        )
        .route(
            "/consignments/{id}/products/{product_id}",
            put(consignments::put_line).delete(consignments::delete_line),
        )
        .route("/consignments/{id}/bulk", post(consignments::bulk))
        // Layers run outside-in from the last: bearer check, then the rate limit.
        .layer(from_fn_with_state(app.clone(), rate_limit::limit))
        .layer(from_fn_with_state(app.clone(), oauth::require_bearer));
    let faulted = Router::new()
        .nest("/api/2.0", api)
        .route("/api/1.0/token", post(oauth::token))
        .with_state(app.clone())
        .layer(from_fn_with_state(
            app.clone(),
            super::persist::save_after_changes,
        ))
        .layer(from_fn_with_state(app.faults.clone(), inject_faults));
    if app.config.admin_routes {
        faulted.merge(admin::routes(app))
    } else {
        faulted
    }
}

/// A running fake. Dropping it stops the server.
pub struct FakeHandle {
    addr: SocketAddr,
    shared: AppState,
    shutdown: CancellationToken,
}

impl Drop for FakeHandle {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl FakeHandle {
    /// `http://127.0.0.1:{port}/api/2.0` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}/api/2.0", self.addr)
    }

    /// `http://127.0.0.1:{port}/api/1.0/token`.
    pub fn token_url(&self) -> String {
        format!("http://{}/api/1.0/token", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (for the webhook sender).
    pub(crate) fn shared(&self) -> &AppState {
        &self.shared
    }

    /// The configuration it runs with (client id/secret, lifetimes, limits).
    pub fn config(&self) -> &FakeConfig {
        &self.shared.config
    }

    /// A usable refresh token, as if the owner had just connected the app.
    pub fn issue_refresh_token(&self) -> String {
        self.shared.oauth.issue_refresh_token()
    }

    /// A usable access token for `ttl`, skipping the token endpoint.
    pub fn issue_access_token(&self, ttl: Duration) -> String {
        self.shared.oauth.issue_access_token(ttl)
    }

    /// Expires every access token now.
    pub fn expire_access_tokens(&self) {
        self.shared.oauth.expire_access_tokens();
    }

    /// Revokes every refresh token.
    pub fn revoke_refresh_tokens(&self) {
        self.shared.oauth.revoke_refresh_tokens();
    }

    /// Token endpoint and bearer counters.
    pub fn oauth_stats(&self) -> OAuthStats {
        self.shared.oauth.stats()
    }

    /// Runtime fault control (set/add/clear rules, fired counts).
    pub fn faults(&self) -> &FaultController {
        &self.shared.faults
    }

    /// Every request received (including faulted ones and token calls; not `/__admin`).
    pub fn requests(&self) -> &RequestLog {
        self.shared.faults.log()
    }

    /// Limiter counters.
    pub fn rate_limit_stats(&self) -> RateLimitStats {
        self.shared.limiter.stats()
    }

    /// Changes the rate limit at run time.
    pub fn set_rate_limit(&self, limit: u32, window: Duration) {
        self.shared.limiter.set(limit, window);
    }

    /// Switches the rate limiter on or off.
    pub fn set_rate_limit_enabled(&self, enabled: bool) {
        self.shared.limiter.set_enabled(enabled);
    }

    /// Loads demo data (may be called on a running fake).
    pub fn seed(&self, data: &DemoData) {
        self.shared.store().seed(data);
        self.shared.save_to_file();
    }

    /// A consignment (deleted ones too), with lines.
    pub fn consignment(&self, id: &str) -> Option<ConsignmentView> {
        self.shared.store().consignments.get(id).map(Into::into)
    }

    /// Every consignment (deleted ones too).
    pub fn consignments(&self) -> Vec<ConsignmentView> {
        self.shared
            .store()
            .consignments
            .values()
            .map(Into::into)
            .collect()
    }

    /// Live consignments whose `reference` is exactly `reference`.
    pub fn consignments_with_reference(&self, reference: &str) -> Vec<ConsignmentView> {
        self.shared
            .store()
            .consignments
            .values()
            .filter(|c| !c.is_deleted() && c.reference.as_deref() == Some(reference))
            .map(Into::into)
            .collect()
    }

    /// Stock of a product at an outlet.
    pub fn inventory_level(&self, product_id: &str, outlet_id: &str) -> Decimal {
        self.shared.store().inventory_level(product_id, outlet_id)
    }

    /// The reorder point of a product at an outlet, when set.
    pub fn reorder_point(&self, product_id: &str, outlet_id: &str) -> Option<Decimal> {
        self.shared
            .store()
            .inventory
            .get(&super::store::inventory_id(product_id, outlet_id))
            .and_then(|r| r.reorder_point)
    }

    /// Sets stock of a product at an outlet to `level` (as a stocktake would).
    pub fn set_inventory_level(&self, product_id: &str, outlet_id: &str, level: Decimal) {
        self.shared
            .store()
            .set_inventory(product_id, outlet_id, level);
        self.shared.save_to_file();
    }

    /// Sets an outlet's reorder point and amount for a product.
    pub fn set_reorder_point(
        &self,
        product_id: &str,
        outlet_id: &str,
        point: Option<Decimal>,
        amount: Option<Decimal>,
    ) {
        self.shared
            .store()
            .set_reorder(product_id, outlet_id, point, amount);
        self.shared.save_to_file();
    }

    /// Rings up a completed sale at `outlet_id` on `sale_date` (RFC 3339): the units
    /// leave the outlet's stock, as at a real register. Returns the sale's id.
    pub fn record_sale(
        &self,
        outlet_id: &str,
        sale_date: &str,
        lines: &[(&str, Decimal)],
    ) -> String {
        let lines: Vec<(String, Decimal)> =
            lines.iter().map(|(p, q)| (p.to_string(), *q)).collect();
        let id = self
            .shared
            .store()
            .record_sale(outlet_id, sale_date, &lines);
        self.shared.save_to_file();
        id
    }

    /// Voids a sale (its units go back to stock). False when unknown or already void.
    pub fn void_sale(&self, id: &str) -> bool {
        let voided = self.shared.store().void_sale(id);
        self.shared.save_to_file();
        voided
    }

    /// Soft-deletes a sale (it comes back in the walk with `deleted_at`).
    pub fn delete_sale(&self, id: &str) -> bool {
        let deleted = self.shared.store().delete_sale(id);
        self.shared.save_to_file();
        deleted
    }

    /// Number of sales, voided and deleted ones included.
    pub fn sale_count(&self) -> usize {
        self.shared.store().sales.len()
    }

    /// A product (deleted ones too).
    pub fn product(&self, id: &str) -> Option<ProductView> {
        self.shared.store().products.get(id).map(Into::into)
    }

    /// Number of products, deleted ones included.
    pub fn product_count(&self) -> usize {
        self.shared.store().products.len()
    }

    /// Adds a product with one EAN barcode; returns its id.
    pub fn add_product(&self, sku: &str, name: &str, ean: &str, supply_price: Decimal) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.shared.store().put_product(ProductRow {
            id: id.clone(),
            sku: sku.into(),
            name: name.into(),
            variant_name: None,
            supplier_id: None,
            supplier_code: None,
            supply_price,
            price_excluding_tax: supply_price * Decimal::TWO,
            active: true,
            is_composite: false,
            product_codes: vec![ProductCodeRow {
                kind: "EAN".into(),
                code: ean.into(),
            }],
            version: 0,
            deleted_at: None,
        });
        self.shared.save_to_file();
        id
    }

    /// Renames a product (a catalog edit: it gets a new version). False if unknown.
    pub fn rename_product(&self, id: &str, name: &str) -> bool {
        let mut store = self.shared.store();
        let Some(mut row) = store.products.live(id).cloned() else {
            return false;
        };
        row.name = name.into();
        store.put_product(row);
        drop(store);
        self.shared.save_to_file();
        true
    }

    /// Soft-deletes a product (it comes back in the cursor walk with `deleted_at`).
    pub fn delete_product(&self, id: &str) -> bool {
        let deleted = self.shared.store().delete_product(id);
        self.shared.save_to_file();
        deleted
    }

    /// Adds an outlet; returns its id.
    pub fn add_outlet(&self, name: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.shared.store().put_outlet(super::store::OutletRow {
            id: id.clone(),
            name: name.into(),
            time_zone: "Pacific/Auckland".into(),
            currency: "NZD".into(),
            version: 0,
            deleted_at: None,
        });
        self.shared.save_to_file();
        id
    }

    /// Adds a supplier; returns its id.
    pub fn add_supplier(&self, name: &str) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.shared.store().put_supplier(super::store::SupplierRow {
            id: id.clone(),
            name: name.into(),
            description: None,
            version: 0,
            deleted_at: None,
        });
        self.shared.save_to_file();
        id
    }

    /// Stops the server (also done on drop).
    pub fn shutdown(self) {
        self.shutdown.cancel();
    }
}
