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

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;
    use clap::Parser;

    use super::Cli;

    #[test]
    fn version_and_help_print_and_exit() {
        let v = Cli::try_parse_from(["tally", "--version"]).unwrap_err();
        assert_eq!(v.kind(), ErrorKind::DisplayVersion);
        assert!(v.to_string().contains(env!("CARGO_PKG_VERSION")), "{v}");
        let h = Cli::try_parse_from(["tally", "--help"]).unwrap_err();
        assert_eq!(h.kind(), ErrorKind::DisplayHelp);
        let text = h.to_string();
        for flag in [
            "--demo",
            "--hub-url",
            "--config",
            "--data-dir",
            "--station-name",
            "--outlet",
        ] {
            assert!(text.contains(flag), "--help lists {flag}:\n{text}");
        }
    }

    #[test]
    fn flags_are_read_and_unknown_ones_refused() {
        let c = Cli::try_parse_from([
            "tally",
            "--hub-url",
            "https://hub.example.nz",
            "--outlet",
            "Ponsonby",
        ])
        .unwrap();
        assert_eq!(c.hub_url.as_deref(), Some("https://hub.example.nz"));
        assert_eq!(c.outlet.as_deref(), Some("Ponsonby"));
        assert!(!c.demo);
        let e = Cli::try_parse_from(["tally", "--hubb-url", "x"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownArgument);
    }
}
