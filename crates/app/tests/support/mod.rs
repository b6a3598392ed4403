//! A station connected to the embedded demo hub over loopback, for app tests.

use std::sync::Arc;

use tally_app::sync::{connect, Enrolment, SyncHandle};
use tally_app::{App, AppConfig, HubMode};
use tally_demo::{DemoOptions, DemoStaff, EmbeddedDemo};
use tally_domain::Role;

/// A demo chain, one station's `App` connected to it, and the loop.
pub struct DemoStation {
    pub demo: EmbeddedDemo,
    pub app: Arc<App>,
    pub sync: SyncHandle,
    _dir: tempfile::TempDir,
}

impl DemoStation {
    /// Starts a small demo (300 products) and connects a station to it.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Like `start`, with the demo's options changed by `change` first.
    pub async fn start_with(change: impl FnOnce(&mut DemoOptions)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = DemoOptions::new(dir.path().join("hub"));
        opts.products = 300;
        // These tests move the fake carriers' labels and poll tracking themselves.
        opts.courier = None;
        opts.tracking_poll_secs = 0;
        change(&mut opts);
        let demo = EmbeddedDemo::start(opts).await.unwrap();
        let config = AppConfig {
            data_dir: dir.path().join("station"),
            hub: HubMode::Demo,
            station_name: "Bench 1".into(),
            outlet: None,
            wedge_max_gap_ms: 35,
            log_filter: "info".into(),
        };
        let app = Arc::new(App::open(config, demo.hub_url.clone()).unwrap());
        let enrolment = Enrolment {
            hub_url: demo.hub_url.clone(),
            device_id: demo.device_id.clone(),
            device_token: demo.device_token.clone(),
            outlet_id: demo.outlet_id.clone(),
        };
        let sync = connect(Arc::clone(&app), &enrolment, Default::default())
            .await
            .unwrap();
        Self {
            demo,
            app,
            sync,
            _dir: dir,
        }
    }

    /// The station's data folder.
    #[allow(dead_code)] // not every test binary restarts the station
    pub fn station_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("station")
    }

    /// A demo staff member of the station's outlet with `role`.
    pub fn staff(&self, role: Role) -> &DemoStaff {
        self.demo
            .staff
            .iter()
            .find(|s| {
                s.role == role && s.outlet_id.as_deref() == Some(self.demo.outlet_id.as_str())
            })
            .expect("the demo has this role at every outlet")
    }

    /// Signs in as the outlet's staff member with `role`.
    pub fn sign_in(&self, role: Role) {
        let s = self.staff(role);
        self.app.sign_in(&s.id, &s.pin).unwrap();
    }

    /// The open consignment listed with `reference` (a seeded one, say).
    #[allow(dead_code)] // not every test binary looks one up
    pub fn open_row(&self, reference: &str) -> tally_app::consignments::ConsignmentRow {
        self.app
            .list_open_consignments()
            .unwrap()
            .into_iter()
            .find(|r| r.reference == reference)
            .unwrap()
    }

    /// Signs in as the outlet's staff member and submits the demo's draft purchase
    /// order for approval (not synced yet): hands back its row and the submitted order.
    #[allow(dead_code)] // not every test binary submits an order
    pub fn submit_draft_order(
        &self,
    ) -> (
        tally_app::consignments::ConsignmentRow,
        tally_app::purchasing::views::PurchaseOrderView,
    ) {
        let reference = self.demo.seeded.draft_po.clone().unwrap();
        self.sign_in(Role::Staff);
        let row = self.open_row(&reference);
        let submitted = self.app.submit_purchase_order(&row.id).unwrap();
        (row, submitted)
    }

    /// Another station, at `outlet`, enrolled now and connected straight to the demo
    /// hub (not through the demo's switchable link); its store lives in `dir`.
    #[allow(dead_code)] // not every test binary has a second station
    pub async fn station_at(
        &self,
        outlet: &str,
        name: &str,
        dir: &std::path::Path,
    ) -> (Arc<App>, SyncHandle) {
        let e = self.demo.hub().enroll_device(outlet, name).await.unwrap();
        let config = AppConfig {
            data_dir: dir.to_path_buf(),
            hub: HubMode::Demo,
            station_name: name.into(),
            outlet: None,
            wedge_max_gap_ms: 35,
            log_filter: "info".into(),
        };
        let app = Arc::new(App::open(config, self.demo.hub_direct_url.clone()).unwrap());
        let enrolment = Enrolment {
            hub_url: self.demo.hub_direct_url.clone(),
            device_id: e.device_id,
            device_token: e.token,
            outlet_id: outlet.to_string(),
        };
        let sync = connect(Arc::clone(&app), &enrolment, Default::default())
            .await
            .unwrap();
        (app, sync)
    }

    /// A station named `name` at another outlet than this station's (the first by
    /// name), its store in `dir`, with the demo's first staff member in `role` (at any
    /// outlet) signed in there: hands back that outlet, the station, its loop and who.
    #[allow(dead_code)] // not every test binary has a station elsewhere
    pub async fn station_elsewhere(
        &self,
        name: &str,
        role: Role,
        dir: &std::path::Path,
    ) -> (tally_store::Outlet, Arc<App>, SyncHandle, &DemoStaff) {
        let elsewhere = self
            .app
            .store()
            .outlets()
            .unwrap()
            .into_iter()
            .find(|o| {
                o.lightspeed_id
                    .as_deref()
                    .is_some_and(|l| l != self.demo.outlet_id)
            })
            .unwrap();
        let (app, sync) = self
            .station_at(elsewhere.lightspeed_id.as_deref().unwrap(), name, dir)
            .await;
        let who = self.demo.staff.iter().find(|p| p.role == role).unwrap();
        app.sign_in(&who.id, &who.pin).unwrap();
        (elsewhere, app, sync, who)
    }

    /// Stops the loop and the demo; hands back the folder (dropping it deletes it).
    pub async fn stop(self) -> tempfile::TempDir {
        self.sync.stop().await;
        self.demo.shutdown().await;
        self._dir
    }
}

/// `who` approves purchase order `order_id` at `app` with their PIN and `comment`.
#[allow(dead_code)] // not every test binary approves an order
pub fn approve(
    app: &App,
    order_id: &str,
    who: &DemoStaff,
    comment: Option<&str>,
) -> tally_app::purchasing::views::PurchaseOrderView {
    app.decide_purchase_order(tally_app::purchasing::views::DecisionInput {
        order_id: order_id.into(),
        approver_id: who.id.clone(),
        pin: who.pin.clone(),
        decision: tally_app::purchasing::views::DecisionKind::Approve,
        comment: comment.map(str::to_string),
        reason: None,
    })
    .unwrap()
}

/// Waits (up to 10 s) until `app`'s approval queue holds the order `reference`.
#[allow(dead_code)] // not every test binary has an approval queue
pub async fn until_queued(app: &App, reference: &str) {
    for _ in 0..500 {
        if app
            .approval_queue()
            .unwrap()
            .iter()
            .any(|i| i.reference == reference)
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {reference} in the approval queue");
}
