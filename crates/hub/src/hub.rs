//! The hub as a library: its operations (enrol, reference data, push, pull) and
//! [`Hub::start`], which serves it on loopback for the desktop app and tests.

use std::net::SocketAddr;
use std::sync::Arc;

use tally_domain::Role;
use tally_sync::{
    ChainPolicies, ConsignmentRow, OutletRow, ParsedPush, ProductRow, PullResponse, PushResponse,
    ReferenceNumbers, SnapshotResponse, StaffRow, SupplierRow,
};
use time::OffsetDateTime;
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::config::HubConfig;
use crate::devices::{self, AuthFailure, Enrolment};
use crate::edges::{AdminAccount, AdminRole, EdgeStore, Edges, SqliteEdgeStore};
use crate::ls::{dead_letter, LightspeedPort, SagaWorker};
use crate::store::{
    read_with, write_with, DeviceRecord, HubStore, InboundConflict, SagaRecord, SagaState,
    SqliteHubStore,
};
use crate::{catalog, pull, push, HubError};

/// A running hub's shared state. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn HubStore>,
    config: HubConfig,
    /// Wakes the Lightspeed worker when a push queued work.
    wake: Arc<Notify>,
    /// Webhooks, admin pages and metrics.
    edges: Edges,
    /// Carriers and bookings, once configured (`Hub::set_freight`).
    freight: std::sync::OnceLock<Arc<crate::freight::FreightDesk>>,
}

/// Runs a blocking store call off the async runtime.
async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, HubError> + Send + 'static,
) -> Result<R, HubError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HubError::Task(e.to_string()))?
}

impl Hub {
    /// Opens the SQLite store named in `config`. The webhook secret, unless the
    /// caller set it, is read under the name the config gives, from the environment
    /// or else the OS keychain.
    pub fn open(mut config: HubConfig) -> Result<Self, HubError> {
        let store = SqliteHubStore::open(&config.db_path)?;
        let edges = SqliteEdgeStore::open(&config.db_path)?;
        config
            .webhooks
            .resolve_secret(&crate::secrets::hub_secrets());
        Ok(Self::with_store(Arc::new(store), Arc::new(edges), config))
    }

    /// A hub over any stores (e.g. PostgreSQL later, or a test double).
    pub fn with_store(
        store: Arc<dyn HubStore>,
        edges: Arc<dyn EdgeStore>,
        config: HubConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                wake: Arc::new(Notify::new()),
                edges: Edges::new(edges),
                freight: std::sync::OnceLock::new(),
            }),
        }
    }

    /// Configures freight (carriers with their keys, outlet addresses); once. Inside a
    /// runtime, the tracking poller starts too (it stops with the hub).
    pub fn set_freight(&self, desk: crate::freight::FreightDesk) -> Result<(), HubError> {
        let desk = Arc::new(desk);
        self.inner
            .freight
            .set(desk.clone())
            .map_err(|_| HubError::Config("freight is already configured".into()))?;
        crate::freight::tracking::spawn(&desk, &self.inner.config.freight);
        Ok(())
    }

    /// The freight desk, when carriers are configured.
    pub fn freight(&self) -> Option<Arc<crate::freight::FreightDesk>> {
        self.inner.freight.get().cloned()
    }

    /// Opens the freight ledger in this hub's SQLite file.
    pub fn open_freight_ledger(&self) -> Result<crate::freight::FreightLedger, HubError> {
        crate::freight::FreightLedger::open(&self.inner.config.db_path)
    }

    /// Webhooks, admin pages and metrics state.
    pub fn edges(&self) -> &Edges {
        &self.inner.edges
    }

    /// Creates an admin account for the admin pages.
    pub async fn create_admin(
        &self,
        name: &str,
        role: AdminRole,
        password: &str,
    ) -> Result<AdminAccount, HubError> {
        let store = self.edges().store();
        let cost = self.inner.config.admin.password_hash;
        let (name, password) = (name.to_string(), password.to_string());
        blocking(move || {
            crate::admin::create_admin(
                &*store,
                &name,
                role,
                &password,
                cost,
                OffsetDateTime::now_utc(),
            )
        })
        .await
    }

    /// When no admin account exists yet, creates `name` (role admin) with a random
    /// password and returns it, to be shown once (the demo prints it). `None` if
    /// an account already exists.
    pub async fn bootstrap_admin(&self, name: &str) -> Result<Option<String>, HubError> {
        let store = self.edges().store();
        if blocking(move || store.admin_count()).await? > 0 {
            return Ok(None);
        }
        let password = crate::admin::random_password();
        self.create_admin(name, AdminRole::Admin, &password).await?;
        Ok(Some(password))
    }

    /// The store.
    pub fn store(&self) -> Arc<dyn HubStore> {
        self.inner.store.clone()
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    /// The complete evidence file stations uploaded under `sha256`, if the hub has it.
    pub fn evidence_file(&self, sha256: &str) -> Option<std::path::PathBuf> {
        use crate::http::evidence_api::{evidence_dir, is_hash_name};
        if !is_hash_name(sha256) {
            return None;
        }
        let path = evidence_dir(self).join(sha256);
        path.is_file().then_some(path)
    }

    /// Enrols a station of `outlet_id`; the token is shown once.
    pub async fn enroll_device(
        &self,
        outlet_id: &str,
        station: &str,
    ) -> Result<Enrolment, HubError> {
        let store = self.store();
        let (outlet_id, station) = (outlet_id.to_string(), station.to_string());
        let references = self.inner.config.references;
        blocking(move || {
            devices::enroll(
                &*store,
                &outlet_id,
                &station,
                &references,
                OffsetDateTime::now_utc(),
            )
        })
        .await
    }

    /// Revokes a station's token.
    pub async fn revoke_device(&self, device_id: &str) -> Result<(), HubError> {
        let store = self.store();
        let id = device_id.to_string();
        blocking(move || write_with(&*store, |tx| tx.set_device_revoked(&id, true))).await
    }

    /// Every enrolled device.
    pub async fn devices(&self) -> Result<Vec<DeviceRecord>, HubError> {
        let store = self.store();
        blocking(move || read_with(&*store, |tx| tx.devices())).await
    }

    /// The device a bearer token belongs to.
    pub async fn authenticate(
        &self,
        token: &str,
    ) -> Result<Result<DeviceRecord, AuthFailure>, HubError> {
        let store = self.store();
        let token = token.to_string();
        blocking(move || devices::authenticate(&*store, &token)).await
    }

    /// Adds or replaces an outlet.
    pub async fn put_outlet(&self, row: OutletRow) -> Result<(), HubError> {
        let store = self.store();
        blocking(move || write_with(&*store, |tx| catalog::put_outlet(tx, &row))).await
    }

    /// Adds or replaces a supplier.
    pub async fn put_supplier(&self, row: SupplierRow) -> Result<(), HubError> {
        let store = self.store();
        blocking(move || write_with(&*store, |tx| catalog::put_supplier(tx, &row))).await
    }

    /// Adds or replaces products.
    pub async fn put_products(&self, rows: Vec<ProductRow>) -> Result<(), HubError> {
        let store = self.store();
        blocking(move || {
            write_with(&*store, |tx| {
                rows.iter().try_for_each(|r| catalog::put_product(tx, r))
            })
        })
        .await
    }

    /// Adds a staff member with a PIN (hashed here with Argon2id); returns the id.
    pub async fn add_staff(
        &self,
        name: &str,
        role: Role,
        outlet_id: Option<&str>,
        pin: &str,
    ) -> Result<String, HubError> {
        let cost = self.inner.config.pin_hash;
        let pin = pin.to_string();
        let pin_hash = blocking(move || catalog::hash_pin(&pin, cost)).await?;
        let row = StaffRow {
            id: Uuid::now_v7().to_string(),
            name: name.to_string(),
            role,
            outlet_id: outlet_id.map(str::to_string),
            pin_hash,
            active: true,
        };
        let id = row.id.clone();
        let store = self.store();
        blocking(move || write_with(&*store, |tx| catalog::put_staff(tx, &row))).await?;
        Ok(id)
    }

    /// Applies a push from an authenticated device.
    pub async fn push(
        &self,
        device: DeviceRecord,
        parsed: ParsedPush,
    ) -> Result<PushResponse, HubError> {
        let store = self.store();
        let hub = self.clone();
        let response = blocking(move || {
            push::apply_push(
                &*store,
                &device,
                &parsed,
                OffsetDateTime::now_utc(),
                &hub.inner.config.policies,
            )
        })
        .await?;
        self.inner.wake.notify_one();
        Ok(response)
    }

    /// Sagas parked after Lightspeed refused a step.
    pub async fn dead_letters(&self) -> Result<Vec<SagaRecord>, HubError> {
        let store = self.store();
        blocking(move || dead_letter::list(&*store)).await
    }

    /// Re-queues a parked saga.
    pub async fn retry_dead_letter(&self, consignment_id: Uuid) -> Result<(), HubError> {
        let store = self.store();
        blocking(move || dead_letter::retry(&*store, consignment_id)).await?;
        self.inner.wake.notify_one();
        Ok(())
    }

    /// Gives up on a parked saga's current state.
    pub async fn discard_dead_letter(&self, consignment_id: Uuid) -> Result<(), HubError> {
        let store = self.store();
        blocking(move || dead_letter::discard(&*store, consignment_id)).await
    }

    /// Lightspeed changes the poller refused to apply (backward moves, deletions).
    pub async fn inbound_conflicts(&self) -> Result<Vec<InboundConflict>, HubError> {
        let store = self.store();
        blocking(move || read_with(&*store, |tx| tx.inbound_conflicts())).await
    }

    /// Sagas still waiting to reach Lightspeed.
    pub async fn pending_sagas(&self) -> Result<Vec<SagaRecord>, HubError> {
        let store = self.store();
        blocking(move || read_with(&*store, |tx| tx.sagas_in_state(SagaState::Pending))).await
    }

    /// A page of changes for an authenticated device, with a block of reference
    /// numbers when the station reported `references` and needs one.
    pub async fn pull(
        &self,
        device: DeviceRecord,
        cursor: u64,
        limit: Option<u32>,
        references: Option<ReferenceNumbers>,
        backlog: Option<(u64, u64)>,
    ) -> Result<PullResponse, HubError> {
        let store = self.store();
        let config = self.inner.config.references;
        let policies = self.inner.config.policies.clone();
        let freight = self.freight();
        let keep_days = self.inner.config.freight.tracking_keep_days;
        blocking(move || {
            let mut page = pull::pull(&*store, &device, cursor, limit)?;
            if !page.has_more {
                page.policies = Some(ChainPolicies {
                    approval: policies.approval.clone(),
                    variance: policies.variance.clone(),
                    reorder: policies.reorder.clone(),
                });
                if let Some(desk) = freight {
                    page.freight_tracking = Some(crate::freight::tracking::for_outlet(
                        &desk,
                        &device.outlet_id,
                        keep_days,
                    )?);
                }
            }
            page.reference_block = write_with(&*store, |tx| {
                let now = OffsetDateTime::now_utc();
                tx.touch_device(&device.id, now)?;
                if let Some((waiting, attention)) = backlog {
                    tx.set_device_backlog(&device.id, waiting, attention, now)?;
                }
                match references {
                    Some(held) => crate::references::for_pull(tx, &device.id, held, &config, now),
                    None => Ok(None),
                }
            })?;
            Ok(page)
        })
        .await
    }

    /// One consignment with its scan events, as `device` may see it.
    pub async fn snapshot(
        &self,
        device: DeviceRecord,
        id: Uuid,
    ) -> Result<SnapshotResponse, HubError> {
        let store = self.store();
        blocking(move || {
            let snapshot = pull::snapshot(&*store, &device, id)?;
            write_with(&*store, |tx| {
                tx.touch_device(&device.id, OffsetDateTime::now_utc())
            })?;
            Ok(snapshot)
        })
        .await
    }

    /// Every consignment id (admin and tests).
    pub async fn consignment_ids(&self) -> Result<Vec<Uuid>, HubError> {
        let store = self.store();
        blocking(move || read_with(&*store, |tx| tx.consignment_ids())).await
    }

    /// A consignment as the hub has it now.
    pub async fn consignment(&self, id: Uuid) -> Result<Option<ConsignmentRow>, HubError> {
        let store = self.store();
        blocking(move || read_with(&*store, |tx| pull::consignment_row(tx, id))).await
    }

    /// The HTTP API (sync now; webhooks and admin pages join here later).
    pub fn router(&self) -> axum::Router {
        crate::http::router(self.clone())
    }

    /// Opens the store and serves the hub on `config.bind` until shut down.
    pub async fn start(config: HubConfig) -> Result<HubHandle, HubError> {
        let hub = Self::open(config)?;
        hub.serve().await
    }

    /// Like [`Hub::start`], with the Lightspeed saga worker running against `port`.
    pub async fn start_with_lightspeed<P: LightspeedPort>(
        config: HubConfig,
        port: Arc<P>,
    ) -> Result<HubHandle, HubError> {
        let hub = Self::open(config)?;
        let mut handle = hub.clone().serve().await?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = SagaWorker::new(
            hub.store(),
            port.clone(),
            hub.inner.config.worker,
            hub.inner.wake.clone(),
        )
        .with_metrics(hub.edges().metrics().clone());
        hub.edges()
            .set_rate_budget(Arc::new(crate::edges::PortBudget(port.clone())));
        let hints = crate::webhooks::HintWorker::new(
            hub.edges().store(),
            Arc::new(crate::webhooks::LightspeedHints::new(hub.store(), port)),
            hub.inner.config.webhooks.clone(),
            hub.edges().hint_wake(),
        );
        let escalation = crate::escalation::run(
            hub.store(),
            hub.inner.config.policies.clone(),
            hub.inner.config.escalation.clone(),
            stop_rx.clone(),
        );
        let both = async move {
            tokio::join!(worker.run(stop_rx.clone()), hints.run(stop_rx), escalation);
        };
        handle.worker = Some((stop_tx, tokio::spawn(both)));
        Ok(handle)
    }

    /// Serves this hub on its configured address until shut down.
    pub async fn serve(self) -> Result<HubHandle, HubError> {
        let bind = self.inner.config.bind;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| HubError::Serve {
                addr: bind.to_string(),
                message: e.to_string(),
            })?;
        let addr = listener.local_addr().map_err(|e| HubError::Serve {
            addr: bind.to_string(),
            message: e.to_string(),
        })?;
        let (tx, rx) = oneshot::channel::<()>();
        let app = self.router();
        let task = tokio::spawn(async move {
            // Peer addresses feed the sign-in throttle.
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .map_err(|e| HubError::Serve {
                addr: addr.to_string(),
                message: e.to_string(),
            })
        });
        tracing::info!(%addr, "hub serving");
        Ok(HubHandle {
            base_url: format!("http://{addr}"),
            addr,
            hub: self,
            shutdown: Some(tx),
            task,
            worker: None,
        })
    }
}

/// A hub serving HTTP. Dropping it without [`HubHandle::shutdown`] stops it too.
pub struct HubHandle {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The bound address.
    pub addr: SocketAddr,
    hub: Hub,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), HubError>>,
    worker: Option<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl HubHandle {
    /// The hub behind the server (for admin operations in-process).
    pub fn hub(&self) -> &Hub {
        &self.hub
    }

    /// Stops accepting, finishes in-flight requests and returns when stopped.
    pub async fn shutdown(mut self) -> Result<(), HubError> {
        if let Some((stop, task)) = self.worker.take() {
            let _ = stop.send(true);
            // The worker stops between Lightspeed calls; a saga cut short is
            // resumed safely by the next start.
            task.await.map_err(|e| HubError::Task(e.to_string()))?;
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task)
            .await
            .map_err(|e| HubError::Task(e.to_string()))?
    }
}

impl Drop for HubHandle {
    fn drop(&mut self) {
        if let Some((stop, task)) = self.worker.take() {
            let _ = stop.send(true);
            task.abort();
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
