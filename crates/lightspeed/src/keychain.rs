//! Credentials and tokens in the OS keychain (feature `keychain`): macOS Keychain,
//! Windows Credential Manager, Linux kernel keyutils. One entry per secret, under
//! a service name such as `tally-lightspeed`.

use secrecy::ExposeSecret;

use crate::credentials::Credentials;
use crate::error::LsError;
use crate::token_store::{decode, encode, StoredTokens, TokenStore};

fn entry(service: &str, account: &str) -> Result<keyring::Entry, LsError> {
    keyring::Entry::new(service, account)
        .map_err(|e| LsError::Credentials(format!("keychain entry {service}/{account}: {e}")))
}

fn read(service: &str, account: &str) -> Result<Option<String>, LsError> {
    match entry(service, account)?.get_password() {
        Ok(v) => Ok(Some(v)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(LsError::Credentials(format!(
            "reading keychain entry {service}/{account}: {e}"
        ))),
    }
}

/// Client id and secret from entries `client_id` and `client_secret` of `service`.
pub fn credentials_from_keychain(service: &str) -> Result<Credentials, LsError> {
    let need = |account: &str| {
        read(service, account)?
            .ok_or_else(|| LsError::Credentials(format!("no keychain entry {service}/{account}")))
    };
    Ok(Credentials::new(need("client_id")?, need("client_secret")?))
}

/// Stores client id and secret in the keychain (set-up step of the hub).
pub fn save_credentials_to_keychain(
    service: &str,
    credentials: &Credentials,
) -> Result<(), LsError> {
    let write = |account: &str, value: &str| {
        entry(service, account)?.set_password(value).map_err(|e| {
            LsError::Credentials(format!("writing keychain entry {service}/{account}: {e}"))
        })
    };
    write("client_id", &credentials.client_id)?;
    write("client_secret", credentials.client_secret.expose_secret())
}

/// The rotating tokens of one store in one keychain entry (`tokens:{domain_prefix}`),
/// replaced in a single write.
#[derive(Debug, Clone)]
pub struct KeychainTokenStore {
    service: String,
    account: String,
}

impl KeychainTokenStore {
    /// Tokens of store `domain_prefix` under `service`.
    pub fn new(service: &str, domain_prefix: &str) -> Self {
        Self {
            service: service.to_string(),
            account: format!("tokens:{domain_prefix}"),
        }
    }
}

impl TokenStore for KeychainTokenStore {
    fn load(&self) -> Result<Option<StoredTokens>, LsError> {
        read(&self.service, &self.account)
            .map_err(|e| LsError::TokenStore(e.to_string()))?
            .map(|v| decode(v.as_bytes(), "the keychain entry"))
            .transpose()
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), LsError> {
        let json =
            String::from_utf8(encode(tokens)?).map_err(|e| LsError::TokenStore(e.to_string()))?;
        entry(&self.service, &self.account)
            .map_err(|e| LsError::TokenStore(e.to_string()))?
            .set_password(&json)
            .map_err(|e| LsError::TokenStore(format!("writing the keychain: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The CI container has no usable keyring (keyutils writes fail there); run with
    // `--features keychain -- --ignored` on a desktop or a hub host.
    #[test]
    #[ignore = "needs an OS keychain"]
    fn tokens_round_trip_through_the_os_keychain() {
        let service = format!("tally-lightspeed-test-{}", std::process::id());
        let store = KeychainTokenStore::new(&service, "teststore");
        let mut t = StoredTokens::from_refresh_token("rt-keychain");
        t.access_expires_at = Some(7);
        store.save(&t).unwrap();
        let back = store.load().unwrap().unwrap();
        assert_eq!(back.refresh_token.expose_secret(), "rt-keychain");
        assert_eq!(back.access_expires_at, Some(7));
        save_credentials_to_keychain(&service, &Credentials::new("id", "s")).unwrap();
        assert_eq!(credentials_from_keychain(&service).unwrap().client_id, "id");
        assert!(credentials_from_keychain("tally-no-such-service")
            .unwrap_err()
            .to_string()
            .contains("client_id"));
    }
}
