//! The hub's `[freight]` settings: how often booked shipments' tracking is polled, the
//! old system's costs the report measures the saving against, and outlets that book
//! with their own GoSweetSpot site and/or NZ Post account (keys read by name from the
//! environment or keychain, like every hub secret; other outlets use the chain's).

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

/// `[freight.outlets."<outlet id>"]`: the outlet's own GoSweetSpot site, its own NZ
/// Post account, or both (each one complete; at least one).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(try_from = "RawOutletAccounts")]
pub struct OutletAccounts {
    pub gss: Option<OutletGss>,
    pub nzpost: Option<OutletNzPost>,
}

/// An outlet's own GoSweetSpot site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletGss {
    /// The site id (not a secret).
    pub site_id: String,
    /// Name of the secret (environment variable or keychain entry under `tally-hub`)
    /// holding the site's access key, e.g. `TALLY_GSS_ACCESS_KEY_NEWMARKET`.
    pub access_key_secret: String,
}

/// An outlet's own NZ Post account: the names of the secrets holding its OAuth client
/// id and client secret (e.g. `TALLY_NZPOST_CLIENT_ID_NEWMARKET`), and its billing
/// account number (not a secret; the chain's when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletNzPost {
    pub client_id_secret: String,
    pub client_secret_secret: String,
    pub account: Option<String>,
}

/// The table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutletAccounts {
    gss_site_id: Option<String>,
    gss_access_key_secret: Option<String>,
    nzpost_client_id_secret: Option<String>,
    nzpost_client_secret_secret: Option<String>,
    nzpost_account: Option<String>,
}

impl TryFrom<RawOutletAccounts> for OutletAccounts {
    type Error = String;

    fn try_from(r: RawOutletAccounts) -> Result<Self, String> {
        let gss = match (r.gss_site_id, r.gss_access_key_secret) {
            (Some(site_id), Some(access_key_secret)) => Some(OutletGss {
                site_id,
                access_key_secret,
            }),
            (None, None) => None,
            _ => return Err("gss_site_id and gss_access_key_secret go together".to_owned()),
        };
        let nzpost = match (r.nzpost_client_id_secret, r.nzpost_client_secret_secret) {
            (Some(client_id_secret), Some(client_secret_secret)) => Some(OutletNzPost {
                client_id_secret,
                client_secret_secret,
                account: r.nzpost_account,
            }),
            (None, None) if r.nzpost_account.is_none() => None,
            _ => {
                return Err(
                    "nzpost_client_id_secret and nzpost_client_secret_secret go together (and nzpost_account needs them)"
                        .to_owned(),
                )
            }
        };
        if gss.is_none() && nzpost.is_none() {
            return Err(
                "name the outlet's own GoSweetSpot site (gss_site_id, gss_access_key_secret) or NZ Post account (nzpost_client_id_secret, nzpost_client_secret_secret)"
                    .to_owned(),
            );
        }
        Ok(Self { gss, nzpost })
    }
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
[outlets."out-c"]
nzpost_client_id_secret = "TALLY_NZPOST_CLIENT_ID_SYLVIA"
nzpost_client_secret_secret = "TALLY_NZPOST_CLIENT_SECRET_SYLVIA"
nzpost_account = "8000123"
"#,
        )
        .unwrap();
        assert_eq!(c.tracking_interval_secs, 60);
        assert_eq!(c.tracking_batch, 20, "unset fields keep their defaults");
        assert_eq!(c.baseline.per_box, Decimal::new(1000, 2));
        assert_eq!(c.baseline.basis, BaselineBasis::Unit);
        let b = &c.outlets["out-b"];
        assert_eq!(b.gss.as_ref().unwrap().site_id, "2002");
        assert!(b.nzpost.is_none());
        let np = c.outlets["out-c"].nzpost.as_ref().unwrap();
        assert_eq!(np.client_id_secret, "TALLY_NZPOST_CLIENT_ID_SYLVIA");
        assert_eq!(np.account.as_deref(), Some("8000123"));
        assert!(c.outlets["out-c"].gss.is_none());
        for half in [
            "[outlets.x]\ngss_site_id = \"1\"\n",
            "[outlets.x]\nnzpost_client_id_secret = \"A\"\n",
            "[outlets.x]\nnzpost_account = \"8000123\"\n",
            "[outlets.x]\n",
            "[outlets.x]\nnzpost_client_secret = \"in clear\"\n",
        ] {
            assert!(toml::from_str::<FreightConfig>(half).is_err(), "{half}");
        }
    }
}
