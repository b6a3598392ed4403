//! Webhook settings. The secret is never read from the file: it comes from the
//! environment variable named here (or is set by the embedding program).

use serde::Deserialize;

/// The key Lightspeed signs webhook bodies with (the app's client secret).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// A secret from its bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The key bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// `[webhooks]` in the hub's TOML file.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Header carrying the signature (`X-Signature`; UNCERTAIN, so configurable).
    pub signature_header: String,
    /// Environment variable holding the signing secret.
    pub secret_env: String,
    /// Largest body accepted, bytes (413 above).
    pub max_body_bytes: usize,
    /// How long deliveries are remembered for deduplication, hours.
    pub dedupe_retention_hours: u64,
    /// Hint worker: sleep when idle, ms (a delivery wakes it sooner).
    pub worker_idle_ms: u64,
    /// Hint worker: first retry delay, ms.
    pub retry_base_ms: u64,
    /// Hint worker: attempts before giving a hint up to the poller.
    pub max_attempts: u32,
    /// The secret, resolved at start from `secret_env` (never from the file).
    #[serde(skip)]
    pub secret: Option<WebhookSecret>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            signature_header: "X-Signature".into(),
            secret_env: "TALLY_HUB_WEBHOOK_SECRET".into(),
            max_body_bytes: 256 * 1024,
            dedupe_retention_hours: 72,
            worker_idle_ms: 1_000,
            retry_base_ms: 2_000,
            max_attempts: 8,
            secret: None,
        }
    }
}

impl WebhookConfig {
    /// Fills `secret` from `source` (the environment, then the keychain) under the
    /// name `secret_env`, if it is not set yet.
    pub fn resolve_secret(&mut self, source: &dyn crate::secrets::SecretSource) {
        if self.secret.is_none() {
            self.secret = source.get(&self.secret_env).map(WebhookSecret::new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let secret = format!(
            "not-a-secret-{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let c = WebhookConfig {
            secret: Some(WebhookSecret::new(secret.as_str())),
            ..WebhookConfig::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains(&secret), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn the_file_cannot_carry_the_secret() {
        let e = toml::from_str::<WebhookConfig>("secret = \"abc\"").unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }
}
