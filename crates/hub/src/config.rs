//! Hub configuration: a TOML file, overridden by environment variables and flags
//! in the binary. Secrets never live here (they come from the environment).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::HubError;

/// Everything the hub needs to start.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    /// The hub's SQLite file (created if missing).
    pub db_path: PathBuf,
    /// Address to serve on. `127.0.0.1:0` (an ephemeral loopback port) by default,
    /// which is what the embedded hub uses.
    #[serde(default = "default_bind")]
    pub bind: SocketAddr,
    /// Largest request body accepted, in bytes.
    #[serde(default = "default_max_body")]
    pub max_body_bytes: usize,
    /// Cost of staff PIN hashes (Argon2id).
    #[serde(default)]
    pub pin_hash: PinHashCost,
    /// Lightspeed saga worker timings.
    #[serde(default)]
    pub worker: crate::ls::WorkerConfig,
    /// The chain's approval tiers and receiving rules.
    #[serde(default)]
    pub policies: Policies,
    /// Lightspeed webhooks (`[webhooks]`; the secret comes from the environment).
    #[serde(default)]
    pub webhooks: crate::webhooks::WebhookConfig,
    /// Admin pages: cookies, sessions, sign-in throttling (`[admin]`).
    #[serde(default)]
    pub admin: crate::admin::AdminConfig,
    /// Lightspeed: where `tally-hub serve` keeps the rotating tokens (`[lightspeed]`).
    #[serde(default)]
    pub lightspeed: crate::ls::LightspeedSettings,
    /// Blocks of reference numbers for stations (`[references]`).
    #[serde(default)]
    pub references: crate::references::ReferenceConfig,
    /// Freight: tracking polls, the report's baseline, outlets' own carrier accounts
    /// (`[freight]`).
    #[serde(default)]
    pub freight: crate::freight::FreightConfig,
    /// Escalating approvals that wait too long (`[escalation]`; off by default).
    #[serde(default)]
    pub escalation: crate::escalation::EscalationConfig,
}

/// The chain's configurable rules (held by the domain; chosen here).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Policies {
    /// Purchase-order approval tiers.
    #[serde(default = "tally_domain::ApprovalPolicy::default_three_tier")]
    pub approval: tally_domain::ApprovalPolicy,
    /// Receiving variance rules.
    #[serde(default)]
    pub variance: tally_domain::VariancePolicy,
    /// Reorder suggestions: sales window, safety and cover days, supplier lead times
    /// (`[policies.reorder]`, `[policies.reorder.lead_time_days]` by supplier id).
    #[serde(default)]
    pub reorder: tally_sync::ReorderPolicy,
}

impl Default for Policies {
    fn default() -> Self {
        Self {
            approval: tally_domain::ApprovalPolicy::default_three_tier(),
            variance: tally_domain::VariancePolicy::default(),
            reorder: tally_sync::ReorderPolicy::default(),
        }
    }
}

impl Policies {
    /// Refuses settings the hub cannot serve (a sales window longer than it keeps).
    pub fn check(&self) -> Result<(), HubError> {
        let w = self.reorder.window_days;
        if w == 0 || w > crate::stock::SALES_KEPT_DAYS {
            return Err(HubError::Config(format!(
                "policies.reorder.window_days is {w}; it must be 1 to {} (the days of sales the hub keeps)",
                crate::stock::SALES_KEPT_DAYS
            )));
        }
        Ok(())
    }
}

/// Argon2id cost for staff PIN hashes. PINs are short, so the hash must be slow;
/// tests lower it to stay fast.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PinHashCost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Iterations.
    pub iterations: u32,
}

impl Default for PinHashCost {
    fn default() -> Self {
        // OWASP's Argon2id minimum (19 MiB, 2 passes).
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
        }
    }
}

fn default_bind() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn default_max_body() -> usize {
    4 * 1024 * 1024
}

impl HubConfig {
    /// A configuration with defaults for everything but the database file.
    pub fn new(db_path: impl Into<PathBuf>) -> Self {
        Self {
            db_path: db_path.into(),
            bind: default_bind(),
            max_body_bytes: default_max_body(),
            pin_hash: PinHashCost::default(),
            worker: crate::ls::WorkerConfig::default(),
            policies: Policies::default(),
            webhooks: crate::webhooks::WebhookConfig::default(),
            admin: crate::admin::AdminConfig::default(),
            lightspeed: crate::ls::LightspeedSettings::default(),
            references: crate::references::ReferenceConfig::default(),
            freight: crate::freight::FreightConfig::default(),
            escalation: crate::escalation::EscalationConfig::default(),
        }
    }

    /// Reads a TOML configuration file.
    pub fn load(path: &Path) -> Result<Self, HubError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| HubError::Config(format!("{}: {e}", path.display())))?;
        Self::parse(&text).map_err(|e| HubError::Config(format!("{}: {e}", path.display())))
    }

    /// Parses TOML text.
    pub fn parse(text: &str) -> Result<Self, HubError> {
        let config: Self = toml::from_str(text).map_err(|e| HubError::Config(e.to_string()))?;
        config.escalation.check()?;
        config.policies.check()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_file_gets_loopback_defaults() {
        let c = HubConfig::parse("db_path = \"/tmp/hub.db\"").unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:0");
        assert_eq!(c.pin_hash, PinHashCost::default());
    }

    #[test]
    fn the_chains_own_approval_tiers_come_from_the_file_and_are_checked() {
        let c = HubConfig::parse(
            r#"
db_path = "/tmp/hub.db"
[policies.approval]
allow_own_orders_within_tier = false
overdue_after = "129600.0"
[[policies.approval.tiers]]
number = 1
min_total = "0"
max_total = "1000"
approvers = [{ role = "store_manager", or_higher = true }]
[[policies.approval.tiers]]
number = 2
min_total = "1000"
approvers = [{ role = "director", or_higher = true }]
"#,
        )
        .unwrap();
        let tier = c
            .policies
            .approval
            .tier_for(tally_domain::Money::new(rust_decimal::Decimal::from(1500)));
        assert_eq!(tier.number, 2);
        // Tiers with a gap between them are refused with the hub's config error.
        let gap = "db_path = \"x\"\n[policies.approval]\nallow_own_orders_within_tier = false\noverdue_after = \"3600.0\"\n[[policies.approval.tiers]]\nnumber = 1\nmin_total = \"100\"\napprovers = []\n";
        let e = HubConfig::parse(gap).unwrap_err();
        assert_eq!(e.code(), "HUB_CONFIG");
        assert!(e.to_string().contains("tier"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let e = HubConfig::parse("db_path = \"x\"\nbnd = \"0.0.0.0:1\"").unwrap_err();
        assert_eq!(e.code(), "HUB_CONFIG");
    }

    #[test]
    fn supplier_lead_times_and_the_reorder_window_come_from_the_file() {
        let c = HubConfig::parse(
            "db_path = \"x\"\n[policies.reorder]\nwindow_days = 28\ndefault_lead_time_days = 5\n[policies.reorder.lead_time_days]\n\"sup-1\" = 12\n",
        )
        .unwrap();
        let r = &c.policies.reorder;
        assert_eq!((r.window_days, r.safety_days, r.cover_days), (28, 2, 14));
        assert_eq!((r.lead_time("sup-1"), r.lead_time("other")), (12, 5));
        let defaults = HubConfig::parse("db_path = \"x\"").unwrap();
        assert_eq!(defaults.policies.reorder.lead_time("any"), 7);
        let long = HubConfig::parse("db_path = \"x\"\n[policies.reorder]\nwindow_days = 400\n");
        assert!(long.unwrap_err().to_string().contains("window_days"));
    }
}
