//! Start-up wiring: configuration, the hub connection (embedded demo or a real hub),
//! the station's `App` and its sync loop. Everything testable lives in `tally_app` and
//! `tally_demo`; this only connects them.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use tally_app::station::DemoPin;
use tally_app::sync::{connect, Enrolment, SyncHandle};
use tally_app::{App, AppConfig, HubMode};
use tally_demo::{DemoOptions, EmbeddedDemo};

use crate::cli::Cli;

/// What keeps running while the window is open.
pub struct Started {
    /// The use cases.
    pub app: Arc<App>,
    /// The sync loop.
    pub sync: SyncHandle,
    /// The embedded demo chain, in demo mode.
    pub demo: Option<Arc<EmbeddedDemo>>,
    /// The demo's simulated scale, scanner and label printer (when it started them).
    pub demo_devices: Option<tally_testkit::devices::DemoDevices>,
}

impl Started {
    /// Stops the sync loop after its current cycle, then the demo chain (if any).
    pub async fn shutdown(self) {
        self.sync.stop().await;
        drop(self.demo);
        drop(self.demo_devices);
        tracing::info!("Tally stopped");
    }
}

/// The demo's station↔hub link, offered to the app as its demo network switch.
struct DemoLink(Arc<EmbeddedDemo>);

impl tally_app::DemoControls for DemoLink {
    fn set_hub_link(&self, online: bool) {
        self.0.set_station_online(online);
    }

    fn hub_link(&self) -> bool {
        self.0.station_online()
    }
}

/// Merges the config file, the environment and the flags (flags win).
pub fn load_config(cli: &Cli) -> anyhow::Result<AppConfig> {
    let (file, explicit) = match &cli.config {
        Some(p) => (Some(p.clone()), true),
        None => (AppConfig::default_file(), false),
    };
    let mut config = AppConfig::load(file.as_deref(), explicit, &|k| std::env::var(k).ok())?;
    if let Some(d) = &cli.data_dir {
        config.data_dir = d.clone();
    }
    if let Some(n) = &cli.station_name {
        config.station_name = n.clone();
    }
    if let Some(o) = &cli.outlet {
        config.outlet = Some(o.clone());
    }
    if let Some(u) = &cli.hub_url {
        config.hub =
            AppConfig::load(None, false, &|k| (k == "TALLY_HUB_URL").then(|| u.clone()))?.hub;
    }
    if cli.demo {
        config.hub = HubMode::Demo;
    }
    Ok(config)
}

fn fresh_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Connects to the hub (starting the embedded demo chain if configured), opens the
/// store and starts syncing.
pub async fn start(mut config: AppConfig) -> anyhow::Result<Started> {
    match config.hub.clone() {
        HubMode::Demo => {
            let root = config.data_dir.join("demo");
            let mut opts = DemoOptions::new(root.join("hub"));
            opts.outlet = config.outlet.clone();
            opts.station_name = config.station_name.clone();
            // The end-to-end tests check the labels they book stay "Booked".
            if std::env::var("TALLY_DEMO_COURIER").is_ok_and(|v| v == "off") {
                opts.courier = None;
            }
            let demo = EmbeddedDemo::start(opts)
                .await
                .context("starting the embedded demo")?;
            // Each demo starts fresh: the station's store belongs to this demo's hub.
            config.data_dir = root.join("station");
            fresh_dir(&config.data_dir)?;
            print_demo_banner(&demo);
            let app = Arc::new(
                App::open(config, demo.hub_url.clone()).context("opening the station's store")?,
            );
            start_devices(&app);
            let demo_devices = start_demo_devices(&app);
            let enrolment = Enrolment {
                hub_url: demo.hub_url.clone(),
                device_id: demo.device_id.clone(),
                device_token: demo.device_token.clone(),
                outlet_id: demo.outlet_id.clone(),
            };
            let sync = connect(Arc::clone(&app), &enrolment, Default::default()).await?;
            let demo = Arc::new(demo);
            app.set_demo_controls(Arc::new(DemoLink(Arc::clone(&demo))));
            app.set_demo_pins(
                tally_demo::DEMO_PINS
                    .iter()
                    .map(|(role, pin)| DemoPin {
                        role: *role,
                        pin: (*pin).to_string(),
                    })
                    .collect(),
            );
            Ok(Started {
                app,
                sync,
                demo: Some(demo),
                demo_devices,
            })
        }
        HubMode::Remote { url } => {
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            let device_id = env("TALLY_DEVICE_ID").context("TALLY_DEVICE_ID is not set: enrol this station at the hub (tally-hub enroll-device) and set it")?;
            let device_token = env("TALLY_DEVICE_TOKEN").context(
                "TALLY_DEVICE_TOKEN is not set: it is printed once when the station is enrolled",
            )?;
            let outlet_id = config.outlet.clone().context(
                "the station's outlet is not configured (outlet = \"<outlet id>\" or TALLY_OUTLET)",
            )?;
            let app =
                Arc::new(App::open(config, url.clone()).context("opening the station's store")?);
            start_devices(&app);
            let enrolment = Enrolment {
                hub_url: url,
                device_id,
                device_token,
                outlet_id,
            };
            let sync = connect(Arc::clone(&app), &enrolment, Default::default()).await?;
            Ok(Started {
                app,
                sync,
                demo: None,
                demo_devices: None,
            })
        }
    }
}

/// Starts the scale, scanners and printers named by `TALLY_DEVICES`; a station works
/// without them, so a problem is logged, not fatal.
fn start_devices(app: &App) {
    if let Err(e) = app.start_devices_from_env(&|k| std::env::var(k).ok()) {
        tracing::warn!(code = %e.code, error = %e.message, "station devices not started");
    }
}

/// In the demo without `TALLY_DEVICES`: starts simulators (an MT-SICS scale weighing
/// parcels, a serial scanner, a ZPL printer on loopback), offers them on the Devices screen
/// and chooses them, so a newcomer sees a live weight. A failure only means no devices.
fn start_demo_devices(app: &App) -> Option<tally_testkit::devices::DemoDevices> {
    if std::env::var_os(tally_app::station_devices::DEVICES_ENV).is_some() {
        return None;
    }
    let devices = match tally_testkit::devices::start_demo_devices() {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "demo devices not started");
            return None;
        }
    };
    let a = devices.addresses();
    let sims = tally_app::device_settings::SimulatedDevices {
        serial_scale: a.serial_scale,
        scanner: a.scanner,
        printer: a.printer,
    };
    if let Err(e) = app.offer_simulated_devices(&sims) {
        tracing::warn!(code = %e.code, error = %e.message, "demo devices not chosen");
    }
    Some(devices)
}

fn print_demo_banner(demo: &EmbeddedDemo) {
    eprintln!(
        "\nTally demo: station at {} (hub {}).",
        demo.outlet_name, demo.hub_direct_url
    );
    eprintln!(
        "Hub admin dashboard: {}/admin  (user {}, password {})",
        demo.hub_direct_url, demo.admin.0, demo.admin.1
    );
    eprintln!("Sign in with any name on the screen; demo PINs by role:");
    for (role, pin) in tally_demo::DEMO_PINS {
        eprintln!("  {:<22} {pin}", role.as_str());
    }
    eprintln!();
}
