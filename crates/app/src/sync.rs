//! Connecting the station to its hub: the first pull (so the outlet, staff and catalog
//! exist before anyone signs in), then the background sync loop, whose every cycle
//! updates the sync indicator and, when it pulled rows, tells the UI to refresh.

use std::sync::Arc;
use std::time::Duration;

use tally_sync::outlet::{CycleReport, HubClient, SyncLoop, SyncLoopConfig};
use tally_sync::SyncError;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::app::App;
use crate::error::AppError;
use crate::sync_status::Connection;

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        Self::new(e.code(), e.to_string())
    }
}

/// Who this station is at the hub.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Hub base URL.
    pub hub_url: String,
    /// Device id issued at enrolment.
    pub device_id: String,
    /// Device token issued at enrolment (never logged, never stored in the database).
    pub device_token: String,
    /// The outlet the device belongs to.
    pub outlet_id: String,
}

/// How often evidence files not yet at the hub are tried.
const EVIDENCE_EVERY: Duration = Duration::from_secs(3);

/// The running sync loop and evidence uploads. Dropping it stops both.
pub struct SyncHandle {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    evidence: Option<JoinHandle<()>>,
}

impl SyncHandle {
    /// Stops the loop and the uploads and waits for the work in progress.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        for t in [self.task.take(), self.evidence.take()]
            .into_iter()
            .flatten()
        {
            let _ = t.await;
        }
    }

    /// Stops the loop and the uploads at once, wherever they are, as a crash would:
    /// a push in flight is cut off (the store puts it back in the queue when it is
    /// opened again, and the hub answers the repeat as a duplicate).
    pub fn abort(mut self) {
        for t in [self.task.take(), self.evidence.take()]
            .into_iter()
            .flatten()
        {
            t.abort();
        }
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

fn parse_uuid(what: &str, s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|_| {
        AppError::new(
            "BAD_ENROLMENT",
            format!("The hub's {what} id {s} is not valid."),
        )
    })
}

/// Connects the station: pulls until the outlet is known, records the station the
/// first time, then starts the loop. A station already set up starts offline happily.
pub async fn connect(
    app: Arc<App>,
    enrolment: &Enrolment,
    config: SyncLoopConfig,
) -> Result<SyncHandle, AppError> {
    let client = HubClient::new(
        &enrolment.hub_url,
        &enrolment.device_id,
        &enrolment.device_token,
        Duration::from_secs(15),
    )?;
    // Freight quotes and bookings go to the same hub with the same device token.
    match tally_freight::HubFreightClient::new(
        &enrolment.hub_url,
        &enrolment.device_token,
        Duration::from_secs(30),
    ) {
        Ok(c) => app.freight.set_client(c),
        Err(e) => tracing::warn!(code = e.code(), "freight client not started"),
    }
    // The indicator channel is not needed: the observer reports every cycle.
    let (mut sync, _indicator) = SyncLoop::new(Arc::clone(app.store()), client, config);
    let first = sync.run_once().await;
    let set_up = app.store().station()?.is_some();
    match (&first, set_up) {
        (Err(e), false) => {
            return Err(AppError::new(
                "FIRST_SYNC_FAILED",
                format!("This station has never reached its hub, so it has no outlet or staff yet. Check the hub address and the network, then start again. ({e})"),
            ))
        }
        (Err(e), true) => tracing::warn!(error = %e, "hub unreachable at start; working offline"),
        (Ok(_), _) => {}
    }
    if !set_up {
        let station = parse_uuid("device", &enrolment.device_id)?;
        let outlet = parse_uuid("outlet", &enrolment.outlet_id)?;
        let name = app.station_name().to_string();
        app.store().init_station(station, outlet, &name)?;
    }
    app.report_cycle(&first);

    let observer_app = Arc::clone(&app);
    let sync = sync.observe(move |r: &Result<CycleReport, SyncError>| {
        observer_app.report_cycle(r);
        if r.is_ok() {
            // The hub answered: freight booked "when back online" can be booked now.
            App::after_sync_reached_hub(&observer_app);
        }
    });
    let wake = Arc::new(Notify::new());
    app.set_sync_wake(Arc::clone(&wake));
    let (stop, stop_rx) = watch::channel(false);
    // Photos and signatures follow by content hash, beside the loop; a hub that is
    // away only delays them.
    let evidence = match app.spawn_evidence_uploads(
        &enrolment.hub_url,
        &enrolment.device_token,
        EVIDENCE_EVERY,
        stop_rx.clone(),
    ) {
        Ok(t) => Some(t),
        Err(e) => {
            tracing::warn!(code = %e.code, error = %e.message, "evidence uploads not started");
            None
        }
    };
    let task = tokio::spawn(sync.run(stop_rx, wake));
    Ok(SyncHandle {
        stop,
        task: Some(task),
        evidence,
    })
}

impl App {
    /// Reports one sync cycle to the UI: connection state, and a refresh if rows came in.
    pub fn report_cycle(&self, result: &Result<CycleReport, SyncError>) {
        match result {
            Ok(report) => {
                self.report_connection(Connection::Online, None);
                if report.policies_changed {
                    if let Err(e) = self.apply_hub_policies() {
                        tracing::warn!(code = %e.code, error = %e.message, "chain rules from the hub not applied");
                    }
                }
                if report.pulled > 0 || report.reference_blocks > 0 || report.refreshed > 0 {
                    self.report_data_changed();
                }
            }
            Err(e) => self.report_connection(Connection::Offline, Some(e.to_string())),
        }
    }
}
