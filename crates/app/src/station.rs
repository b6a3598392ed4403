//! This station: which outlet it belongs to and how it reaches the hub.

use serde::Serialize;

/// Demo (embedded fake Lightspeed + hub) or production (a real hub).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum StationMode {
    Demo,
    Production,
}

/// An outlet, as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct OutletInfo {
    /// Outlet id (Lightspeed's).
    pub id: String,
    /// Outlet name, e.g. "Newmarket".
    pub name: String,
}

/// A demo PIN for a role, shown on the sign-in screen in demo mode only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct DemoPin {
    /// The role.
    pub role: tally_domain::Role,
    /// Its demo PIN.
    pub pin: String,
}

/// What the header shows about this station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct StationInfo {
    /// This station's id (made at first start).
    pub station_id: String,
    /// Human name, e.g. "Bench 1".
    pub station_name: String,
    /// The outlet this station belongs to.
    pub outlet: OutletInfo,
    /// Demo or production.
    pub mode: StationMode,
    /// The hub this station syncs with.
    pub hub_url: String,
    /// App version.
    pub app_version: String,
    /// Keyboard-wedge burst threshold in ms, for the UI's scan detector.
    pub wedge_max_gap_ms: u32,
    /// Demo PINs by role (empty in production).
    pub demo_pins: Vec<DemoPin>,
}
