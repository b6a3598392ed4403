//! How a fake Lightspeed behaves: credentials, token lifetimes, rate limit, paging, faults, data.

use std::time::Duration;

use crate::demo_data::DemoData;
use crate::faults::FaultPlan;

/// How `X-RateLimit-Reset` is written (UNCERTAIN in Lightspeed's docs; clients
/// should accept both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetFormat {
    /// An HTTP date, like `Retry-After`.
    HttpDate,
    /// Unix seconds.
    UnixSeconds,
}

/// Rolling-window rate limit of one store.
#[derive(Debug, Clone)]
pub struct RateLimitConfig {
    /// Requests per window; `None` means Lightspeed's `300 × registers + 50`.
    pub limit: Option<u32>,
    /// The rolling window (Lightspeed: 5 minutes).
    pub window: Duration,
    /// Switch the limiter off entirely.
    pub enabled: bool,
    pub reset_format: ResetFormat,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            limit: None,
            window: Duration::from_secs(300),
            enabled: true,
            reset_format: ResetFormat::HttpDate,
        }
    }
}

/// Everything configurable about a fake store.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// The store's domain prefix, echoed by the token endpoint.
    pub domain_prefix: String,
    /// OAuth client id the token endpoint accepts.
    pub client_id: String,
    /// OAuth client secret the token endpoint accepts (a test value, not a real secret).
    pub client_secret: String,
    /// Lifetime of issued access tokens.
    pub access_token_ttl: Duration,
    /// Issue a new refresh token on every refresh and refuse the old one.
    pub rotate_refresh_tokens: bool,
    /// Registers in the store (only used for the default rate limit).
    pub registers: u32,
    pub rate_limit: RateLimitConfig,
    /// `page_size` when the client sends none (UNCERTAIN: real default not documented).
    pub default_page_size: u32,
    /// Larger `page_size` values are clamped to this.
    pub max_page_size: u32,
    /// Most lines one `POST /consignments/{id}/bulk` may carry.
    pub bulk_limit: usize,
    /// Faults active from the start.
    pub faults: FaultPlan,
    /// Data loaded at start.
    pub seed: Option<DemoData>,
    /// Serve `/__admin/*` (fault plan, request log, token issue) for the demo.
    pub admin_routes: bool,
    /// Keep the data in this SQLite file (read at start, written after every change);
    /// `None`: in memory only.
    pub sqlite_path: Option<std::path::PathBuf>,
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            domain_prefix: "tallydemo".into(),
            client_id: "tally-fake-client".into(),
            client_secret: "fake-secret".into(),
            access_token_ttl: Duration::from_secs(600),
            rotate_refresh_tokens: true,
            registers: 1,
            rate_limit: RateLimitConfig::default(),
            default_page_size: 1000,
            max_page_size: 10_000,
            bulk_limit: 500,
            faults: FaultPlan::default(),
            seed: None,
            admin_routes: true,
            sqlite_path: None,
        }
    }
}

impl FakeConfig {
    /// The rate limit in force: the configured one or `300 × registers + 50`.
    pub fn effective_rate_limit(&self) -> u32 {
        self.rate_limit
            .limit
            .unwrap_or(300 * self.registers.max(1) + 50)
    }
}
