//! Command-line flags. They override the environment, which overrides the config file.

use std::path::PathBuf;

use clap::Parser;

/// Tally: consignments at the packing bench and the receiving station.
///
/// With no hub configured, Tally starts its embedded demo: a fake Lightspeed and an
/// embedded hub on loopback, seeded with a demo chain. Point it at a hub (--hub-url,
/// TALLY_HUB_URL or the config file) for production.
#[derive(Debug, Parser)]
#[command(name = "tally", version, about, long_about)]
pub struct Cli {
    /// Run the embedded demo even if a hub is configured.
    #[arg(long)]
    pub demo: bool,
    /// Hub URL (https://...), overriding TALLY_HUB_URL and the config file.
    #[arg(long, value_name = "URL")]
    pub hub_url: Option<String>,
    /// Configuration file [default: ~/.config/tally/tally.toml].
    #[arg(long, value_name = "PATH", env = "TALLY_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory for the store, evidence files and logs.
    #[arg(long, value_name = "PATH")]
    pub data_dir: Option<PathBuf>,
    /// Station name shown in the header.
    #[arg(long, value_name = "NAME")]
    pub station_name: Option<String>,
    /// Outlet of this station (Lightspeed id or name).
    #[arg(long, value_name = "OUTLET")]
    pub outlet: Option<String>,
}
