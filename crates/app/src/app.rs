//! `App`: the use-case facade the UI (through the Tauri shell) calls.

use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use tally_devices::{DeviceManager, StationDeviceConfig};
use tally_store::{Actor, Store};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::config::{AppConfig, HubMode};
use crate::consignments::{ConsignmentDetail, ConsignmentRow, Direction, LineView};
use crate::error::AppError;
use crate::staff::{initials, Session, StaffCard};
use crate::station::{DemoPin, OutletInfo, StationInfo, StationMode};
use crate::sync_status::{Connection, SyncStatus};

/// Events the app reports to the UI (the Tauri shell forwards them to the window).
pub trait UiEvents: Send + Sync {
    /// The sync indicator's figures changed.
    fn sync_status_changed(&self, status: SyncStatus);
    /// Rows shown on screen changed (a pull brought data).
    fn data_changed(&self);
    /// A device connected, went away, had a problem, weighed or scanned.
    fn device_changed(&self, _update: crate::device_settings::DeviceUpdate) {}
}

/// The demo's network switch between this station and its hub (demo mode only).
pub trait DemoControls: Send + Sync {
    /// Cuts (`false`) or restores (`true`) the station's link to the hub.
    fn set_hub_link(&self, online: bool);
    /// Whether the link is on.
    fn hub_link(&self) -> bool;
}

/// Wrong PINs allowed before a staff member's sign-in is paused.
const MAX_PIN_FAILURES: u32 = 5;
/// How long sign-in is paused after too many wrong PINs.
const PIN_LOCKOUT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct PinGuard {
    staff_id: Option<Uuid>,
    failures: u32,
    locked_until: Option<Instant>,
}

/// The use cases of one station.
pub struct App {
    config: AppConfig,
    store: Arc<Store>,
    hub_url: String,
    session: Mutex<Option<Session>>,
    pin_guard: Mutex<PinGuard>,
    connection: Mutex<(Connection, Option<String>)>,
    events: OnceLock<Arc<dyn UiEvents>>,
    /// The station's scale, scanners and printers; `None` at a station without devices.
    devices: RwLock<Option<Arc<DeviceManager>>>,
    /// Packing choices kept in memory only (the container for each consignment's next box).
    pub(crate) bench: crate::packing::BenchState,
    sync_wake: OnceLock<Arc<tokio::sync::Notify>>,
    demo_pins: OnceLock<Vec<DemoPin>>,
    demo_controls: OnceLock<Arc<dyn DemoControls>>,
    /// Purchase orders and returns: settings and the approver-PIN guard.
    pub(crate) purchasing: crate::purchasing::PurchasingState,
    receiving: crate::receiving::ReceivingState,
    /// Freight: the hub client, the last quotes, the deferred-booking run.
    pub(crate) freight: crate::freight::FreightState,
    /// The device settings screen: settings file, label stock, device updates to the UI.
    pub(crate) device_settings: crate::device_settings::DeviceSettingsState,
}

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub(crate) fn parse_id(what: &str, s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s)
        .map_err(|_| AppError::new("BAD_ID", format!("That {what} id is not valid: {s}")))
}

impl App {
    /// Opens the station's store in the configured data directory.
    pub fn open(config: AppConfig, hub_url: String) -> Result<Self, AppError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            AppError::new(
                "DATA_DIR_UNWRITABLE",
                format!(
                    "Cannot create the data folder {}: {e}",
                    config.data_dir.display()
                ),
            )
        })?;
        let store = Store::open(config.data_dir.join("tally.sqlite3"))?;
        let purchasing =
            crate::purchasing::PurchasingSettings::from_env(&|k| std::env::var(k).ok())?;
        let app = Self {
            config,
            store: Arc::new(store),
            hub_url,
            session: Mutex::new(None),
            pin_guard: Mutex::new(PinGuard::default()),
            connection: Mutex::new((Connection::Unknown, None)),
            events: OnceLock::new(),
            devices: RwLock::new(None),
            bench: crate::packing::BenchState::default(),
            sync_wake: OnceLock::new(),
            demo_pins: OnceLock::new(),
            demo_controls: OnceLock::new(),
            purchasing: crate::purchasing::PurchasingState::new(purchasing),
            receiving: crate::receiving::ReceivingState::default(),
            freight: crate::freight::FreightState::default(),
            device_settings: Default::default(),
        };
        // The chain's rules as the hub last sent them win over local defaults.
        if let Err(e) = app.apply_hub_policies() {
            tracing::warn!(code = %e.code, error = %e.message, "chain rules from the hub not applied");
        }
        Ok(app)
    }

    /// The data directory (store, evidence files, reports).
    pub(crate) fn data_dir(&self) -> &std::path::Path {
        &self.config.data_dir
    }

    /// Receiving's policy and sign-off guard.
    pub(crate) fn receiving_state(&self) -> &crate::receiving::ReceivingState {
        &self.receiving
    }

    /// The store, for the sync loop and tests.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Connects the UI event sink (once, when the window exists).
    pub fn set_events(&self, events: Arc<dyn UiEvents>) {
        self.device_settings.set_sink(events.clone());
        let _ = self.events.set(events);
    }

    /// In demo mode: the PINs the sign-in screen shows.
    pub fn set_demo_pins(&self, pins: Vec<DemoPin>) {
        let _ = self.demo_pins.set(pins);
    }

    /// In demo mode: the network switch the sync panel offers.
    pub fn set_demo_controls(&self, controls: Arc<dyn DemoControls>) {
        let _ = self.demo_controls.set(controls);
    }

    /// The demo's hub link state; `None` outside the demo.
    pub fn demo_hub_link(&self) -> Option<bool> {
        self.demo_controls.get().map(|c| c.hub_link())
    }

    /// Cuts or restores the demo's hub link, then tries a sync so the indicator shows it.
    pub fn set_demo_hub_link(&self, online: bool) -> Result<(), AppError> {
        let c = self.demo_controls.get().ok_or_else(|| {
            AppError::new(
                "DEMO_ONLY",
                "Only the demo can switch its hub link off and on.",
            )
        })?;
        c.set_hub_link(online);
        self.nudge_sync();
        Ok(())
    }

    /// This station's configured name.
    pub fn station_name(&self) -> &str {
        &self.config.station_name
    }

    /// Lets local actions start a sync cycle at once.
    pub(crate) fn set_sync_wake(&self, wake: Arc<tokio::sync::Notify>) {
        let _ = self.sync_wake.set(wake);
    }

    /// Starts a sync cycle now (after a local action), if the loop runs.
    pub fn nudge_sync(&self) {
        if let Some(w) = self.sync_wake.get() {
            w.notify_one();
        }
    }

    fn emit(&self, f: impl FnOnce(&dyn UiEvents)) {
        if let Some(e) = self.events.get() {
            f(e.as_ref());
        }
    }

    /// The station's configuration.
    pub(crate) fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Starts (or restarts) the station's devices from their settings. Devices that are
    /// missing now are retried in the background; only invalid settings fail here.
    pub fn start_devices(&self, config: StationDeviceConfig) -> Result<(), AppError> {
        let unusable = |e: tally_devices::DeviceError| {
            AppError::new(e.code(), format!("The device settings are not usable: {e}"))
        };
        config.validate().map_err(unusable)?;
        // Stop the old devices first: a serial port is opened exclusively, so the new
        // worker could not open it while the old one holds it. (The old manager stops its
        // workers when its last user lets go.)
        drop(
            self.devices
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .take(),
        );
        let manager = DeviceManager::start(config).map_err(unusable)?;
        self.device_settings.watch(&manager);
        *self.devices.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(manager));
        Ok(())
    }

    /// The station's devices, when any are set up.
    pub fn devices(&self) -> Option<Arc<DeviceManager>> {
        self.devices
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn station(&self) -> Result<tally_store::StationInfo, AppError> {
        self.store.station()?.ok_or_else(|| {
            AppError::new(
                "STATION_NOT_ENROLLED",
                "This station is not enrolled with a hub yet. Ask an admin for an enrolment code.",
            )
        })
    }

    pub(crate) fn outlet_id(&self) -> Result<Uuid, AppError> {
        Ok(self.station()?.outlet_id)
    }

    /// This station: outlet, name, mode, hub.
    pub fn station_info(&self) -> Result<StationInfo, AppError> {
        let s = self.station()?;
        Ok(StationInfo {
            station_id: s.station_id.to_string(),
            station_name: s.name,
            outlet: OutletInfo {
                id: s.outlet_id.to_string(),
                name: s.outlet_name,
            },
            mode: match self.config.hub {
                HubMode::Demo => StationMode::Demo,
                HubMode::Remote { .. } => StationMode::Production,
            },
            hub_url: self.hub_url.clone(),
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            wedge_max_gap_ms: self.config.wedge_max_gap_ms,
            demo_pins: self.demo_pins.get().cloned().unwrap_or_default(),
        })
    }

    /// Staff who may sign in here, by name.
    pub fn list_staff(&self) -> Result<Vec<StaffCard>, AppError> {
        let outlet = self.outlet_id()?;
        let mut staff: Vec<StaffCard> = self
            .store
            .list_staff(outlet)?
            .into_iter()
            .filter(|s| s.has_pin)
            .map(|s| StaffCard {
                id: s.id.to_string(),
                initials: initials(&s.name),
                name: s.name,
                role: s.role,
            })
            .collect();
        staff.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(staff)
    }

    /// The signed-in staff member, if any.
    pub fn current_session(&self) -> Option<Session> {
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The acting staff member, or `NOT_SIGNED_IN`.
    pub fn actor(&self) -> Result<Actor, AppError> {
        let s = self
            .current_session()
            .ok_or_else(|| AppError::new("NOT_SIGNED_IN", "Sign in with your PIN first."))?;
        Ok(Actor::Staff(parse_id("staff", &s.staff.id)?))
    }

    /// Signs in with a PIN. Too many wrong PINs pause sign-in for that person briefly.
    pub fn sign_in(&self, staff_id: &str, pin: &str) -> Result<Session, AppError> {
        let id = parse_id("staff", staff_id)?;
        {
            let mut g = self.pin_guard.lock().unwrap_or_else(|p| p.into_inner());
            if g.staff_id == Some(id) {
                if let Some(until) = g.locked_until {
                    if Instant::now() < until {
                        let secs = (until - Instant::now()).as_secs().max(1);
                        return Err(AppError::new(
                            "PIN_LOCKED",
                            format!("Too many wrong PINs. Wait {secs} s, or ask a manager to reset your PIN."),
                        ));
                    }
                    *g = PinGuard {
                        staff_id: Some(id),
                        ..PinGuard::default()
                    };
                }
            } else {
                *g = PinGuard {
                    staff_id: Some(id),
                    ..PinGuard::default()
                };
            }
        }
        let member = self.store.staff_member(id)?;
        let outlet = self.outlet_id()?;
        if member.outlet_id.is_some_and(|o| o != outlet)
            && member.role < tally_domain::Role::AreaManager
        {
            return Err(AppError::new(
                "STAFF_OTHER_OUTLET",
                format!(
                    "{} works at another outlet and cannot sign in at this station.",
                    member.name
                ),
            ));
        }
        if !self.store.verify_pin(id, pin)? {
            let mut g = self.pin_guard.lock().unwrap_or_else(|p| p.into_inner());
            g.failures += 1;
            tracing::warn!(staff_id = %id, failures = g.failures, "wrong PIN");
            if g.failures >= MAX_PIN_FAILURES {
                g.locked_until = Some(Instant::now() + PIN_LOCKOUT);
            }
            return Err(AppError::new(
                "PIN_WRONG",
                "That PIN doesn't match. Try again.",
            ));
        }
        *self.pin_guard.lock().unwrap_or_else(|p| p.into_inner()) = PinGuard::default();
        let session = Session {
            staff: StaffCard {
                id: member.id.to_string(),
                initials: initials(&member.name),
                name: member.name,
                role: member.role,
            },
            started_at: rfc3339(OffsetDateTime::now_utc()),
        };
        tracing::info!(staff_id = %id, "signed in");
        *self.session.lock().unwrap_or_else(|p| p.into_inner()) = Some(session.clone());
        Ok(session)
    }

    /// Signs out.
    pub fn sign_out(&self) -> Result<(), AppError> {
        if let Some(s) = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            tracing::info!(staff_id = %s.staff.id, "signed out");
        }
        Ok(())
    }

    /// Open consignments of this outlet (needs a signed-in staff member).
    pub fn list_open_consignments(&self) -> Result<Vec<ConsignmentRow>, AppError> {
        self.actor()?;
        let outlet = self.outlet_id()?;
        Ok(self
            .store
            .list_open_consignments(outlet)?
            .into_iter()
            .map(ConsignmentRow::from_store)
            .collect())
    }

    /// One consignment with its lines and next allowed statuses.
    pub fn consignment_detail(&self, id: &str) -> Result<ConsignmentDetail, AppError> {
        self.actor()?;
        let id = parse_id("consignment", id)?;
        let outlet = self.outlet_id()?;
        let c = self.store.consignment(id)?;
        let mut header = match self
            .store
            .list_open_consignments(outlet)?
            .into_iter()
            .find(|o| o.id == id)
        {
            Some(open) => ConsignmentRow::from_store(open),
            None => self.closed_row(&c, outlet)?,
        };
        let lines: Vec<LineView> = self
            .store
            .consignment_lines(id)?
            .into_iter()
            .map(LineView::from_store)
            .collect();
        header.line_count = lines.len() as u32;
        Ok(ConsignmentDetail {
            header,
            lines,
            allowed_next: tally_domain::allowed_next(c.kind, c.status),
        })
    }

    /// A list row for a consignment that is no longer open (names looked up).
    fn closed_row(
        &self,
        c: &tally_store::Consignment,
        outlet: Uuid,
    ) -> Result<ConsignmentRow, AppError> {
        let direction = if c.source_outlet_id == Some(outlet)
            && c.destination_outlet_id != Some(outlet)
        {
            Direction::Outgoing
        } else if c.destination_outlet_id == Some(outlet) && c.source_outlet_id != Some(outlet) {
            Direction::Incoming
        } else {
            Direction::Internal
        };
        let other_outlet = match direction {
            Direction::Outgoing => c.destination_outlet_id,
            Direction::Incoming => c.source_outlet_id,
            Direction::Internal => None,
        };
        let counterpart = match (other_outlet, c.supplier_id) {
            (Some(o), _) => self
                .store
                .outlets()?
                .into_iter()
                .find(|x| x.id == o)
                .map(|x| x.name),
            (None, Some(s)) => self
                .store
                .suppliers()?
                .into_iter()
                .find(|x| x.id == s)
                .map(|x| x.name),
            _ => None,
        };
        Ok(ConsignmentRow {
            id: c.id.to_string(),
            reference: c.reference.clone(),
            kind: c.kind,
            status: c.status,
            direction,
            counterpart: counterpart.unwrap_or_else(|| "—".into()),
            line_count: 0,
            updated_at: rfc3339(c.updated_at),
            lightspeed: self.store.lightspeed_state(c.id)?,
            freight: self.store.freight_tracking(c.id)?.map(|t| t.state),
        })
    }

    /// The sync indicator's figures.
    pub fn sync_status(&self) -> Result<SyncStatus, AppError> {
        let s = self.store.sync_status()?;
        let (connection, last_error) = self
            .connection
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        Ok(SyncStatus {
            connection,
            pending: s.pending as u32,
            in_flight: s.in_flight as u32,
            needs_attention: s.needs_attention as u32,
            last_sync_at: s.last_sync_at.map(rfc3339),
            last_error,
        })
    }

    /// Records how the last exchange with the hub went and tells the UI.
    pub fn report_connection(&self, connection: Connection, error: Option<String>) {
        *self.connection.lock().unwrap_or_else(|p| p.into_inner()) = (connection, error);
        self.report_sync_status();
    }

    /// Tells the UI the sync indicator's current figures.
    pub fn report_sync_status(&self) {
        if let Ok(s) = self.sync_status() {
            self.emit(|e| e.sync_status_changed(s));
        }
    }

    /// Tells the UI that pulled data changed what it shows.
    pub fn report_data_changed(&self) {
        self.emit(|e| e.data_changed());
    }
}
