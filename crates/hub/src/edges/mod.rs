//! State shared by the hub's public edges (webhooks, admin pages, metrics): their
//! store, the metrics registry, the webhook hint queue's wake-up, and the view of
//! the Lightspeed rate budget. Held by [`crate::Hub`]; see [`crate::Hub::edges`].

mod sqlite;
pub mod status;
pub mod store;

use std::sync::{Arc, RwLock};

use time::OffsetDateTime;
use tokio::sync::Notify;

pub use sqlite::SqliteEdgeStore;
pub use status::{DeadLetterView, OutletView, SyncStatus};
pub use store::*;

use crate::metrics::HubMetrics;

/// What the dashboard shows of Lightspeed's rate budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BudgetReading {
    /// Requests allowed per window, as Lightspeed last said.
    pub limit: Option<u32>,
    /// Requests left in the window.
    pub remaining: Option<u32>,
}

/// Something that knows the Lightspeed client's rate budget (the client adapter
/// implements it; the dashboard reads it).
pub trait RateBudgetGauge: Send + Sync + 'static {
    /// The budget now, if known.
    fn reading(&self) -> Option<BudgetReading>;
}

/// The dashboard's view of a Lightspeed port's budget.
pub struct PortBudget<P>(pub Arc<P>);

impl<P: crate::ls::LightspeedPort> RateBudgetGauge for PortBudget<P> {
    fn reading(&self) -> Option<BudgetReading> {
        self.0.rate_budget()
    }
}

/// The edges' shared state.
pub struct Edges {
    store: Arc<dyn EdgeStore>,
    metrics: Arc<HubMetrics>,
    hint_wake: Arc<Notify>,
    budget: RwLock<Option<Arc<dyn RateBudgetGauge>>>,
    started_at: OffsetDateTime,
}

impl Edges {
    /// Edges over `store`.
    pub fn new(store: Arc<dyn EdgeStore>) -> Self {
        Self {
            store,
            metrics: Arc::new(HubMetrics::new()),
            hint_wake: Arc::new(Notify::new()),
            budget: RwLock::new(None),
            started_at: OffsetDateTime::now_utc(),
        }
    }

    /// The store.
    pub fn store(&self) -> Arc<dyn EdgeStore> {
        self.store.clone()
    }

    /// The metrics registry and the saga timing window.
    pub fn metrics(&self) -> &Arc<HubMetrics> {
        &self.metrics
    }

    /// Notified when a webhook hint is queued.
    pub fn hint_wake(&self) -> Arc<Notify> {
        self.hint_wake.clone()
    }

    /// When this hub process started (counters shown "since start").
    pub fn started_at(&self) -> OffsetDateTime {
        self.started_at
    }

    /// Attaches the Lightspeed client's rate budget.
    pub fn set_rate_budget(&self, gauge: Arc<dyn RateBudgetGauge>) {
        *self.budget.write().unwrap_or_else(|e| e.into_inner()) = Some(gauge);
    }

    /// The rate budget now, if a client is attached and knows it.
    pub fn rate_budget(&self) -> Option<BudgetReading> {
        self.budget
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .and_then(|g| g.reading())
    }
}
