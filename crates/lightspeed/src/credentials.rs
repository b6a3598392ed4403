//! The app's OAuth client credentials, from the environment or the OS keychain.
//! Never from a file in the repository.

use secrecy::SecretString;

use crate::error::LsError;

/// Environment variable names.
pub const ENV_CLIENT_ID: &str = "TALLY_LS_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "TALLY_LS_CLIENT_SECRET";
pub const ENV_REFRESH_TOKEN: &str = "TALLY_LS_REFRESH_TOKEN";
pub const ENV_DOMAIN_PREFIX: &str = "TALLY_LS_DOMAIN_PREFIX";

/// OAuth client id and secret of the Tally app registered with Lightspeed.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: SecretString,
}

impl Credentials {
    /// From values (tests, the keychain, the hub's settings).
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }

    /// From `TALLY_LS_CLIENT_ID` and `TALLY_LS_CLIENT_SECRET`.
    pub fn from_env() -> Result<Self, LsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, LsError> {
        let need = |k: &str| {
            get(k)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| LsError::Credentials(format!("{k} is not set")))
        };
        Ok(Self::new(need(ENV_CLIENT_ID)?, need(ENV_CLIENT_SECRET)?))
    }
}

/// A refresh token handed over through `TALLY_LS_REFRESH_TOKEN` (first start only:
/// afterwards the token store holds the rotated one).
pub fn refresh_token_from_env() -> Option<SecretString> {
    std::env::var(ENV_REFRESH_TOKEN)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(SecretString::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_blank_variables_name_the_variable() {
        let err =
            Credentials::from_lookup(|k| (k == ENV_CLIENT_ID).then(|| "id".into())).unwrap_err();
        assert_eq!(err.code(), "LS_CREDENTIALS");
        assert!(err.to_string().contains(ENV_CLIENT_SECRET));
        let blank = Credentials::from_lookup(|_| Some("  ".into())).unwrap_err();
        assert!(blank.to_string().contains(ENV_CLIENT_ID));
        let ok = Credentials::from_lookup(|k| Some(format!("{k}-v"))).unwrap();
        assert_eq!(ok.client_id, "TALLY_LS_CLIENT_ID-v");
        assert!(!format!("{ok:?}").contains("TALLY_LS_CLIENT_SECRET-v"));
    }
}
