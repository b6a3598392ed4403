//! Start-up wiring: configuration, the hub connection (embedded demo or a real hub),
//! the station's `App`. Everything testable lives in `tally_app`; this only connects.

use std::sync::Arc;

use anyhow::Context;
use tally_app::{App, AppConfig, HubMode};

use crate::cli::Cli;

/// What keeps running while the window is open.
pub struct Started {
    /// The use cases.
    pub app: Arc<App>,
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

/// Connects to the hub (starting the embedded demo chain if configured) and opens the store.
pub async fn start(config: AppConfig) -> anyhow::Result<Started> {
    let hub_url = match &config.hub {
        HubMode::Remote { url } => url.clone(),
        HubMode::Demo => {
            anyhow::bail!("the embedded demo chain is being wired in (use --hub-url for now)")
        }
    };
    let app = App::open(config, hub_url).context("opening the station's store")?;
    Ok(Started { app: Arc::new(app) })
}
