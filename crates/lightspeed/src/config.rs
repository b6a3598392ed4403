//! Client settings.

use std::time::Duration;

use crate::budget::BudgetConfig;
use crate::credentials::Credentials;
use crate::retry::RetryPolicy;

/// Everything a [`crate::LightspeedClient`] needs besides its token store.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API base, e.g. `https://{prefix}.retail.lightspeed.app/api/2.0` (no trailing slash).
    pub base_url: String,
    /// Token endpoint, e.g. `https://{prefix}.retail.lightspeed.app/api/1.0/token`.
    pub token_url: String,
    pub credentials: Credentials,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// Refresh this long before the access token expires.
    pub refresh_margin: Duration,
    /// Lifetime assumed when the token answer has neither `expires` nor `expires_in`.
    pub default_token_ttl: Duration,
    pub retry: RetryPolicy,
    pub budget: BudgetConfig,
    /// Page size of the cursor walks.
    pub page_size: u32,
}

impl ClientConfig {
    /// Settings for explicit URLs (the fake, a proxy).
    pub fn new(
        base_url: impl Into<String>,
        token_url: impl Into<String>,
        credentials: Credentials,
    ) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            token_url: token_url.into(),
            credentials,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            refresh_margin: Duration::from_secs(60),
            default_token_ttl: Duration::from_secs(600),
            retry: RetryPolicy::default(),
            budget: BudgetConfig::default(),
            page_size: 1000,
        }
    }

    /// Settings for a real store `https://{domain_prefix}.retail.lightspeed.app`.
    pub fn for_domain(domain_prefix: &str, credentials: Credentials) -> Self {
        let host = format!("https://{domain_prefix}.retail.lightspeed.app");
        Self::new(
            format!("{host}/api/2.0"),
            format!("{host}/api/1.0/token"),
            credentials,
        )
    }
}
