//! Carrier keys: from the keychain or the environment, per outlet where needed.
//! Secrets never appear in `Debug` output or logs.

use std::collections::HashMap;

use crate::error::FreightError;

/// A secret string; `Debug` prints a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where named secrets come from (environment, OS keychain, a test map).
pub trait SecretSource: Send + Sync {
    /// The value of `name`, if set.
    fn get(&self, name: &str) -> Option<String>;
}

/// Secrets from environment variables.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvSecrets;

impl SecretSource for EnvSecrets {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

/// Secrets from a map (tests, the demo, or values already read from the keychain).
#[derive(Debug, Clone, Default)]
pub struct MapSecrets(pub HashMap<String, String>);

impl SecretSource for MapSecrets {
    fn get(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Looks `NAME__OUTLET` up first (an outlet's own account), then `NAME`.
fn lookup(
    src: &dyn SecretSource,
    name: &str,
    outlet: Option<&str>,
) -> Result<String, FreightError> {
    if let Some(outlet) = outlet {
        let suffix: String = outlet
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        if let Some(v) = src.get(&format!("{name}__{suffix}")) {
            return Ok(v);
        }
    }
    src.get(name)
        .ok_or_else(|| FreightError::MissingCredentials {
            name: name.to_owned(),
        })
}

/// NZ Post OAuth2 client credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NzPostCredentials {
    pub client_id: String,
    pub client_secret: Secret,
}

impl NzPostCredentials {
    /// Reads `TALLY_NZPOST_CLIENT_ID` and `TALLY_NZPOST_CLIENT_SECRET` (each may be
    /// overridden per outlet as `NAME__<OUTLET>`).
    pub fn load(src: &dyn SecretSource, outlet: Option<&str>) -> Result<Self, FreightError> {
        Ok(Self {
            client_id: lookup(src, "TALLY_NZPOST_CLIENT_ID", outlet)?,
            client_secret: Secret::new(lookup(src, "TALLY_NZPOST_CLIENT_SECRET", outlet)?),
        })
    }
}

/// GoSweetSpot keys (each outlet may have its own site).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoSweetSpotCredentials {
    pub access_key: Secret,
    pub site_id: String,
}

impl GoSweetSpotCredentials {
    /// Reads `TALLY_GSS_ACCESS_KEY` and `TALLY_GSS_SITE_ID` (each may be overridden
    /// per outlet as `NAME__<OUTLET>`).
    pub fn load(src: &dyn SecretSource, outlet: Option<&str>) -> Result<Self, FreightError> {
        Ok(Self {
            access_key: Secret::new(lookup(src, "TALLY_GSS_ACCESS_KEY", outlet)?),
            site_id: lookup(src, "TALLY_GSS_SITE_ID", outlet)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(pairs: &[(&str, &str)]) -> MapSecrets {
        MapSecrets(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn an_outlet_uses_its_own_site_before_the_chain_default() {
        let s = src(&[
            ("TALLY_GSS_ACCESS_KEY", "chain-key"),
            ("TALLY_GSS_SITE_ID", "1"),
            ("TALLY_GSS_ACCESS_KEY__NEWMARKET", "nm-key"),
            ("TALLY_GSS_SITE_ID__NEWMARKET", "7"),
        ]);
        let nm = GoSweetSpotCredentials::load(&s, Some("Newmarket")).unwrap();
        assert_eq!(
            (nm.access_key.expose(), nm.site_id.as_str()),
            ("nm-key", "7")
        );
        let other = GoSweetSpotCredentials::load(&s, Some("Ponsonby")).unwrap();
        assert_eq!(other.site_id, "1");
    }

    #[test]
    fn a_missing_key_is_named_and_secrets_never_print() {
        let e =
            NzPostCredentials::load(&src(&[("TALLY_NZPOST_CLIENT_ID", "id")]), None).unwrap_err();
        assert_eq!(e.code(), "CARRIER_NOT_CONFIGURED");
        assert!(e.to_string().contains("TALLY_NZPOST_CLIENT_SECRET"));
        let secret = format!(
            "not-a-secret-{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let c = NzPostCredentials {
            client_id: "id".into(),
            client_secret: Secret::new(&secret),
        };
        assert!(!format!("{c:?}").contains(&secret));
    }
}
