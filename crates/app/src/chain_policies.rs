//! The chain's rules come from the hub: approval tiers and receiving variance rules are
//! configured there (`tally-hub`'s TOML) and sent with every pull, so a station picks
//! the tier and asks for the sign-off the hub will check. The last set received is kept
//! in the store, so a station that starts offline still applies the chain's rules.

use tally_sync::ChainPolicies;

use crate::error::AppError;
use crate::App;

impl App {
    /// Applies the rules the hub last sent, if it has sent any; `true` when applied.
    pub fn apply_hub_policies(&self) -> Result<bool, AppError> {
        let Some(json) = self.store().hub_policies()? else {
            return Ok(false);
        };
        let p: ChainPolicies = serde_json::from_str(&json).map_err(|e| {
            AppError::new(
                "HUB_POLICIES_INVALID",
                format!("The chain rules kept from the hub cannot be read ({e}); the next sync replaces them."),
            )
        })?;
        let mut purchasing = self.purchasing_settings();
        purchasing.policy = p.approval;
        self.set_purchasing_settings(purchasing);
        let mut receiving = self.receiving_policy();
        receiving.variance = p.variance;
        self.set_receiving_policy(receiving);
        tracing::info!("chain rules from the hub applied");
        Ok(true)
    }
}
