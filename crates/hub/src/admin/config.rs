//! `[admin]` settings: cookies, sessions, sign-in throttling, password hash cost.

use serde::Deserialize;

use crate::config::PinHashCost;

/// `[admin]` in the hub's TOML file.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    /// Mark cookies `Secure` (and use the `__Host-` prefix). Turn on behind TLS.
    /// Also on for a request that arrived as `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// The origin browsers see, e.g. `https://hub.example.co.nz`, when a proxy
    /// rewrites `Host`. Unset: the request's own `Host` is the origin.
    pub public_origin: Option<String>,
    /// Longest a session lives, hours.
    pub session_hours: u64,
    /// A session unused this long ends, minutes.
    pub idle_minutes: u64,
    /// Failed sign-ins per account and address before a lockout.
    pub login_max_failures: u32,
    /// Window in which failures count, minutes.
    pub login_window_minutes: u64,
    /// Lockout length, minutes.
    pub lockout_minutes: u64,
    /// Take the client address from the last `X-Forwarded-For` hop (only behind
    /// a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Dashboard refresh interval, seconds.
    pub refresh_seconds: u32,
    /// Argon2id cost of admin password hashes.
    pub password_hash: PinHashCost,
}

impl Default for AdminConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            public_origin: None,
            session_hours: 12,
            idle_minutes: 60,
            login_max_failures: 5,
            login_window_minutes: 15,
            lockout_minutes: 15,
            trust_forwarded_for: false,
            refresh_seconds: 10,
            password_hash: PinHashCost::default(),
        }
    }
}
