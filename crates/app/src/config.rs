//! Station configuration: a TOML file, overridden by environment variables, overridden by
//! command-line flags (the shell applies those). Secrets never live in this file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::AppError;

/// How this station reaches a hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubMode {
    /// Fake Lightspeed + embedded hub on loopback with a seeded demo chain.
    Demo,
    /// A hub running elsewhere (production).
    Remote { url: String },
}

/// The log filter when none is set: the station's own story at info; the embedded hub,
/// its Lightspeed client and migrations only when something goes wrong (chatty at info).
pub const DEFAULT_LOG_FILTER: &str = "info,tally_hub=warn,tally_lightspeed=warn,refinery_core=warn";

/// The station's configuration after file and environment are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// Where the SQLite store, evidence files and logs live.
    pub data_dir: PathBuf,
    /// Demo or production.
    pub hub: HubMode,
    /// A human name for this station ("Bench 1"), shown in the header.
    pub station_name: String,
    /// The outlet this station belongs to, by Lightspeed outlet id or name (demo: picked for you).
    pub outlet: Option<String>,
    /// Keyboard-wedge burst threshold in ms.
    pub wedge_max_gap_ms: u32,
    /// Log filter (`tracing` env-filter syntax).
    pub log_filter: String,
}

/// The file format (`tally.toml`). Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    station_name: Option<String>,
    outlet: Option<String>,
    log: Option<String>,
    #[serde(default)]
    hub: FileHub,
    #[serde(default)]
    scanner: FileScanner,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileHub {
    /// `"demo"` or an `https://` URL.
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileScanner {
    max_gap_ms: Option<u32>,
}

/// Environment variables read by [`AppConfig::load`], documented in the README.
pub const ENV_VARS: &[(&str, &str)] = &[
    ("TALLY_CONFIG", "path of the configuration file"),
    ("TALLY_DATA_DIR", "data directory (store, evidence, logs)"),
    ("TALLY_HUB_URL", "hub URL, or `demo` for the embedded demo"),
    ("TALLY_STATION_NAME", "station name shown in the header"),
    ("TALLY_OUTLET", "outlet of this station (id or name)"),
    ("TALLY_LOG", "log filter, e.g. `info,tally=debug`"),
    (
        "TALLY_DEVICES",
        "the station's device settings file (JSON: scale, scanners, printers)",
    ),
    (
        "TALLY_DEVICE_TOKEN",
        "the hub device token (else the OS keychain)",
    ),
];

impl AppConfig {
    /// Default configuration file location (`~/.config/tally/tally.toml` on Linux).
    pub fn default_file() -> Option<PathBuf> {
        directories::ProjectDirs::from("nz", "Tally", "tally")
            .map(|d| d.config_dir().join("tally.toml"))
    }

    /// Default data directory (`~/.local/share/tally` on Linux).
    pub fn default_data_dir() -> PathBuf {
        directories::ProjectDirs::from("nz", "Tally", "tally")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".tally"))
    }

    /// Loads `file` (when it exists) and applies `env` on top. A missing default file is
    /// fine; a file named explicitly must exist.
    pub fn load(
        file: Option<&Path>,
        explicit: bool,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, AppError> {
        let parsed = match file {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    AppError::new(
                        "CONFIG_UNREADABLE",
                        format!("Cannot read the configuration file {}: {e}", path.display()),
                    )
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| {
                    AppError::new(
                        "CONFIG_INVALID",
                        format!(
                            "The configuration file {} is not valid: {e}",
                            path.display()
                        ),
                    )
                })?
            }
            Some(path) if explicit => {
                return Err(AppError::new(
                    "CONFIG_MISSING",
                    format!("The configuration file {} does not exist.", path.display()),
                ))
            }
            _ => FileConfig::default(),
        };

        let hub_url = env("TALLY_HUB_URL").or(parsed.hub.url);
        let hub = match hub_url.as_deref().map(str::trim) {
            None | Some("") | Some("demo") => HubMode::Demo,
            Some(url) => {
                if !(url.starts_with("https://")
                    || url.starts_with("http://127.0.0.1")
                    || url.starts_with("http://localhost"))
                {
                    return Err(AppError::new(
                        "CONFIG_HUB_URL_INSECURE",
                        format!("The hub URL {url} must start with https:// (plain http is only allowed on this machine)."),
                    ));
                }
                HubMode::Remote {
                    url: url.trim_end_matches('/').to_string(),
                }
            }
        };
        Ok(Self {
            data_dir: env("TALLY_DATA_DIR")
                .map(PathBuf::from)
                .or(parsed.data_dir)
                .unwrap_or_else(Self::default_data_dir),
            hub,
            station_name: env("TALLY_STATION_NAME")
                .or(parsed.station_name)
                .unwrap_or_else(|| "Bench 1".into()),
            outlet: env("TALLY_OUTLET").or(parsed.outlet),
            wedge_max_gap_ms: parsed.scanner.max_gap_ms.unwrap_or(35),
            log_filter: env("TALLY_LOG")
                .or(parsed.log)
                .unwrap_or_else(|| DEFAULT_LOG_FILTER.into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn no_file_and_no_env_means_the_demo() {
        let c = AppConfig::load(None, false, &env_of(&[])).unwrap();
        assert_eq!(c.hub, HubMode::Demo);
        assert_eq!(c.station_name, "Bench 1");
        assert_eq!(c.wedge_max_gap_ms, 35);
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tally.toml");
        std::fs::write(&path, "station_name = \"Receiving\"\n[hub]\nurl = \"https://hub.example.nz/\"\n[scanner]\nmax_gap_ms = 50\n").unwrap();
        let c = AppConfig::load(
            Some(&path),
            true,
            &env_of(&[("TALLY_STATION_NAME", "Bench 7")]),
        )
        .unwrap();
        assert_eq!(c.station_name, "Bench 7");
        assert_eq!(
            c.hub,
            HubMode::Remote {
                url: "https://hub.example.nz".into()
            }
        );
        assert_eq!(c.wedge_max_gap_ms, 50);
    }

    #[test]
    fn a_plain_http_hub_elsewhere_is_refused() {
        let err = AppConfig::load(
            None,
            false,
            &env_of(&[("TALLY_HUB_URL", "http://hub.example.nz")]),
        )
        .unwrap_err();
        assert_eq!(err.code, "CONFIG_HUB_URL_INSECURE");
    }

    #[test]
    fn an_unknown_key_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tally.toml");
        std::fs::write(&path, "hub_token = \"x\"\n").unwrap();
        let err = AppConfig::load(Some(&path), true, &env_of(&[])).unwrap_err();
        assert_eq!(err.code, "CONFIG_INVALID");
        assert!(err.message.contains("hub_token"), "{}", err.message);
    }

    #[test]
    fn an_explicit_missing_file_is_an_error() {
        let err = AppConfig::load(
            Some(Path::new("/nonexistent/tally.toml")),
            true,
            &env_of(&[]),
        )
        .unwrap_err();
        assert_eq!(err.code, "CONFIG_MISSING");
    }
}
