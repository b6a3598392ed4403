//! The hub's `[freight]` settings: how often booked shipments' tracking is polled, the
//! old system's costs the report measures the saving against, and outlets that book
//! with their own GoSweetSpot site (its access key read by name from the environment
//! or keychain, like every hub secret; other outlets use the chain's account).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

/// `[freight]` in the hub's TOML file.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FreightConfig {
    /// Seconds between passes asking carriers where booked shipments are.
    pub tracking_interval_secs: u64,
    /// A booking is asked about again after this many seconds.
    pub tracking_recheck_secs: u64,
    /// Bookings asked about per pass: the carriers' rate budget.
    pub tracking_batch: u32,
    /// Days a delivered or cancelled booking stays on the stations' lists.
    pub tracking_keep_days: u32,
    /// What freight cost with the old system, for the report's saving.
    pub baseline: Baseline,
    /// Outlets with their own carrier accounts, by outlet id.
    pub outlets: BTreeMap<String, OutletAccounts>,
}

impl Default for FreightConfig {
    fn default() -> Self {
        Self {
            tracking_interval_secs: 300,
            tracking_recheck_secs: 900,
            tracking_batch: 20,
            tracking_keep_days: 14,
            baseline: Baseline::default(),
            outlets: BTreeMap::new(),
        }
    }
}

/// `[freight.baseline]`: the old system's average freight cost, excluding GST. The
/// defaults are the chain's 2024 averages from the old freight module (inter-outlet
/// transfers, mostly NZ Post overnight boxes); set the chain's own figures here.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Baseline {
    /// What the saving is measured per: `box` (default) or `unit`.
    pub basis: BaselineBasis,
    /// Dollars per box shipped.
    pub per_box: Decimal,
    /// Dollars per unit shipped.
    pub per_unit: Decimal,
    /// The saving the chain aims at, percent (shown next to the measured one).
    pub target_saving_percent: Decimal,
}

impl Default for Baseline {
    fn default() -> Self {
        Self {
            basis: BaselineBasis::Box,
            per_box: Decimal::new(1150, 2),
            per_unit: Decimal::new(48, 2),
            target_saving_percent: Decimal::from(15),
        }
    }
}

/// What the old system's cost is counted per.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum BaselineBasis {
    #[default]
    Box,
    Unit,
}

/// `[freight.outlets."<outlet id>"]`: the outlet's own GoSweetSpot site.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OutletAccounts {
    /// The site id (not a secret).
    pub gss_site_id: String,
    /// Name of the secret (environment variable or keychain entry under `tally-hub`)
    /// holding the site's access key, e.g. `TALLY_GSS_ACCESS_KEY_NEWMARKET`.
    pub gss_access_key_secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlets_name_their_site_and_the_secret_of_its_key() {
        let c: FreightConfig = toml::from_str(
            r#"
tracking_interval_secs = 60
[baseline]
basis = "unit"
per_box = "10.00"
per_unit = "0.40"
target_saving_percent = "15"
[outlets."out-b"]
gss_site_id = "2002"
gss_access_key_secret = "TALLY_GSS_ACCESS_KEY_NEWMARKET"
"#,
        )
        .unwrap();
        assert_eq!(c.tracking_interval_secs, 60);
        assert_eq!(c.tracking_batch, 20, "unset fields keep their defaults");
        assert_eq!(c.baseline.per_box, Decimal::new(1000, 2));
        assert_eq!(c.baseline.basis, BaselineBasis::Unit);
        assert_eq!(c.outlets["out-b"].gss_site_id, "2002");
        assert!(toml::from_str::<FreightConfig>("[outlets.x]\ngss_site_id = \"1\"\n").is_err());
    }
}
