//! Where the hub's secrets come from: the environment first, then the OS keychain
//! (service `tally-hub`, one entry per variable name, e.g. `TALLY_LS_CLIENT_SECRET`,
//! `TALLY_HUB_WEBHOOK_SECRET`, `TALLY_GSS_ACCESS_KEY`). Never from a file of the
//! repository or the configuration file; never logged.

pub use tally_freight::{EnvSecrets, MapSecrets, SecretSource};

/// The keychain service the hub reads its secrets from.
pub const KEYCHAIN_SERVICE: &str = "tally-hub";

/// Secrets in the OS keychain (macOS Keychain, Windows Credential Manager, Linux
/// kernel keyutils), one entry per name under `service`.
#[derive(Debug, Clone)]
pub struct KeychainSecrets {
    service: String,
}

impl KeychainSecrets {
    /// Entries under `service`.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }
}

impl SecretSource for KeychainSecrets {
    fn get(&self, name: &str) -> Option<String> {
        let entry = keyring::Entry::new(&self.service, name).ok()?;
        match entry.get_password() {
            Ok(v) if !v.is_empty() => Some(v),
            Ok(_) | Err(keyring::Error::NoEntry) => None,
            Err(e) => {
                // Say which entry could not be read, never its value.
                tracing::warn!(service = %self.service, name, error = %e, "keychain entry unreadable");
                None
            }
        }
    }
}

/// The first source that has a value wins.
pub struct FirstOf(pub Vec<Box<dyn SecretSource>>);

impl SecretSource for FirstOf {
    fn get(&self, name: &str) -> Option<String> {
        self.0.iter().find_map(|s| s.get(name))
    }
}

/// The hub's secrets: environment, then the keychain.
pub fn hub_secrets() -> FirstOf {
    FirstOf(vec![
        Box::new(EnvSecrets),
        Box::new(KeychainSecrets::new(KEYCHAIN_SERVICE)),
    ])
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn map(pairs: &[(&str, &str)]) -> Box<dyn SecretSource> {
        Box::new(MapSecrets(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>(),
        ))
    }

    #[test]
    fn the_environment_wins_and_the_keychain_fills_in() {
        let env = map(&[("TALLY_LS_CLIENT_SECRET", "from-env")]);
        let keychain = map(&[
            ("TALLY_LS_CLIENT_SECRET", "from-keychain"),
            ("TALLY_HUB_WEBHOOK_SECRET", "hook-from-keychain"),
        ]);
        let s = FirstOf(vec![env, keychain]);
        assert_eq!(s.get("TALLY_LS_CLIENT_SECRET").as_deref(), Some("from-env"));
        assert_eq!(
            s.get("TALLY_HUB_WEBHOOK_SECRET").as_deref(),
            Some("hook-from-keychain")
        );
        assert_eq!(s.get("TALLY_GSS_ACCESS_KEY"), None);
    }

    #[test]
    fn a_keychain_without_the_entry_has_no_value() {
        let name = format!("TALLY_TEST_NOT_SET_{}", std::process::id());
        assert_eq!(
            KeychainSecrets::new("tally-hub-test-nothing").get(&name),
            None
        );
    }
}
