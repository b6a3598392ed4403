//! Where `tally-hub serve` keeps the rotating Lightspeed OAuth tokens: `[lightspeed]`
//! `token_store` in the TOML file (or `TALLY_LS_TOKEN_STORE`).
//!
//! The refresh token opens the chain's whole Lightspeed store, and it rotates: the
//! old one is refused once a new one is issued, so it must be kept somewhere that
//! survives a reboot. The default is the OS keychain. A keychain that forgets at a
//! reboot (Linux kernel keyutils, the one `keyring` uses on Linux) is refused at the
//! first start, before the refresh token is handed over, rather than locking the
//! store out after the first reboot. A server without a durable keychain opts into
//! the file store by name: the default never writes the token to disk in clear
//! because nobody chose.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::ExposeSecret;
use serde::Deserialize;
use tally_lightspeed::keychain::KeychainTokenStore;
use tally_lightspeed::{FileTokenStore, LsError, TokenStore};

use crate::HubError;

/// Which store holds the rotating tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum TokenStoreKind {
    /// The OS keychain (macOS Keychain, Windows Credential Manager); refused where
    /// it does not survive a reboot.
    #[default]
    Keychain,
    /// A JSON file in clear, mode 0600 (owner only), replaced atomically. Anyone who
    /// can read it as the hub's user or as root, or read a backup of it, holds the
    /// store's refresh token: for servers without a durable keychain only.
    File,
}

/// `[lightspeed]` in the hub's TOML file (secrets never live here).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LightspeedSettings {
    /// Where the rotating tokens live: `keychain` (default) or `file`.
    pub token_store: TokenStoreKind,
    /// Keychain service name the token entry is filed under.
    pub keychain_service: String,
    /// The token file of `token_store = "file"` (default: beside the database, with
    /// the extension `lightspeed-tokens`). With the keychain, tokens an earlier
    /// file store left there are moved into the keychain once.
    pub token_file: Option<PathBuf>,
}

impl Default for LightspeedSettings {
    fn default() -> Self {
        Self {
            token_store: TokenStoreKind::default(),
            keychain_service: "tally-hub".into(),
            token_file: None,
        }
    }
}

impl LightspeedSettings {
    /// The token file's path for a hub whose database is `db_path`.
    pub fn token_file_path(&self, db_path: &Path) -> PathBuf {
        self.token_file
            .clone()
            .unwrap_or_else(|| db_path.with_extension("lightspeed-tokens"))
    }
}

/// What [`adopt_token_file`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAdoption {
    /// No token file: nothing to do.
    NoFile,
    /// The file's tokens were moved into the store and the file removed.
    Imported,
    /// The store already had tokens; the file's (older) ones were left untouched.
    StaleFileLeft,
}

/// Opens the token store `settings` choose for the Lightspeed store at `base_url`.
pub fn open_token_store(
    settings: &LightspeedSettings,
    db_path: &Path,
    base_url: &str,
) -> Result<Arc<dyn TokenStore>, HubError> {
    let path = settings.token_file_path(db_path);
    match settings.token_store {
        TokenStoreKind::File => {
            tracing::warn!(
                path = %path.display(),
                "Lightspeed tokens are kept in a plain file (token_store = \"file\", mode 0600); \
                 protect the host and its backups"
            );
            Ok(Arc::new(FileTokenStore::new(path)))
        }
        TokenStoreKind::Keychain => {
            let keychain =
                KeychainTokenStore::durable(&settings.keychain_service, &store_key(base_url))
                    .map_err(|e| {
                        HubError::TokenStore(format!(
                            "{}. On a server without a durable keychain choose the file store \
                             by name: `[lightspeed] token_store = \"file\"` in the configuration \
                             (or TALLY_LS_TOKEN_STORE=file); it keeps the token in clear, mode \
                             0600 (see the hub README)",
                            reason(e)
                        ))
                    })?;
            adopt_token_file(&keychain, &FileTokenStore::new(path))?;
            Ok(Arc::new(keychain))
        }
    }
}

/// Moves tokens an earlier file store left at `file` into `target` (the keychain)
/// when `target` has none, checks they read back, then removes the file. Tokens
/// already in `target` are newer (they rotate there) and are never overwritten.
pub fn adopt_token_file(
    target: &dyn TokenStore,
    file: &FileTokenStore,
) -> Result<FileAdoption, HubError> {
    let err = |e| HubError::TokenStore(reason(e));
    let Some(tokens) = file.load().map_err(err)? else {
        return Ok(FileAdoption::NoFile);
    };
    if target.load().map_err(err)?.is_some() {
        tracing::warn!(
            path = %file.path().display(),
            "an old Lightspeed token file is still on disk; the keychain's newer tokens are used; delete the file"
        );
        return Ok(FileAdoption::StaleFileLeft);
    }
    target.save(&tokens).map_err(err)?;
    let back = target.load().map_err(err)?;
    let same = back
        .is_some_and(|b| b.refresh_token.expose_secret() == tokens.refresh_token.expose_secret());
    if !same {
        return Err(HubError::TokenStore(format!(
            "the tokens from {} did not read back from the keychain; the file was kept",
            file.path().display()
        )));
    }
    if let Err(e) = std::fs::remove_file(file.path()) {
        tracing::warn!(path = %file.path().display(), error = %e, "could not remove the imported token file; delete it");
    }
    tracing::info!(path = %file.path().display(), "Lightspeed tokens moved from the file into the keychain");
    Ok(FileAdoption::Imported)
}

/// The token store's own words, without the client's "could not save" prefix.
fn reason(e: LsError) -> String {
    match e {
        LsError::TokenStore(m) => m,
        other => other.to_string(),
    }
}

/// One keychain entry per Lightspeed store: the base URL's host
/// (`{domain_prefix}.retail.lightspeed.app`).
fn store_key(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| base_url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HubConfig;
    use tally_lightspeed::{InMemoryTokenStore, StoredTokens};

    fn refresh_token(store: &dyn TokenStore) -> Option<String> {
        store
            .load()
            .unwrap()
            .map(|t| t.refresh_token.expose_secret().to_string())
    }

    #[test]
    fn the_default_token_store_is_the_keychain() {
        let c = HubConfig::parse("db_path = \"/tmp/hub.db\"").unwrap();
        assert_eq!(c.lightspeed.token_store, TokenStoreKind::Keychain);
        assert_eq!(c.lightspeed.keychain_service, "tally-hub");
        assert_eq!(HubConfig::new("/tmp/hub.db").lightspeed, c.lightspeed);
    }

    #[test]
    fn the_file_store_is_chosen_only_by_name() {
        let c = HubConfig::parse("db_path = \"/tmp/hub.db\"\n[lightspeed]\ntoken_store = \"file\"")
            .unwrap();
        assert_eq!(c.lightspeed.token_store, TokenStoreKind::File);
        let e =
            HubConfig::parse("db_path = \"x\"\n[lightspeed]\ntoken_store = \"plain\"").unwrap_err();
        assert_eq!(e.code(), "HUB_CONFIG");
        // Naming a file is not choosing the file store.
        let c = HubConfig::parse("db_path = \"x\"\n[lightspeed]\ntoken_file = \"/srv/t\"").unwrap();
        assert_eq!(c.lightspeed.token_store, TokenStoreKind::Keychain);
    }

    #[test]
    fn the_file_store_keeps_tokens_beside_the_database_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hub.db");
        let settings = LightspeedSettings {
            token_store: TokenStoreKind::File,
            ..LightspeedSettings::default()
        };
        let store = open_token_store(&settings, &db, "https://shop.example/api/2.0").unwrap();
        store
            .save(&StoredTokens::from_refresh_token("rt-file"))
            .unwrap();
        let path = dir.path().join("hub.lightspeed-tokens");
        assert_eq!(
            refresh_token(&FileTokenStore::new(&path)).unwrap(),
            "rt-file"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_keychain_that_forgets_at_reboot_is_refused_at_start_naming_the_file_opt_in() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hub.db");
        let old = FileTokenStore::new(dir.path().join("hub.lightspeed-tokens"));
        old.save(&StoredTokens::from_refresh_token("rt-old"))
            .unwrap();
        let err = open_token_store(&LightspeedSettings::default(), &db, "https://x/api/2.0")
            .err()
            .expect("refused");
        assert_eq!(err.code(), "HUB_TOKEN_STORE");
        let text = err.to_string();
        assert!(text.contains("until reboot"), "{text}");
        assert!(text.contains("token_store = \"file\""), "{text}");
        assert_eq!(
            refresh_token(&old).as_deref(),
            Some("rt-old"),
            "a refused keychain leaves the file alone"
        );
    }

    #[test]
    fn tokens_left_by_an_earlier_file_store_move_into_the_keychain_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileTokenStore::new(dir.path().join("t.json"));
        let mut t = StoredTokens::from_refresh_token("rt-from-file");
        t.access_expires_at = Some(99);
        file.save(&t).unwrap();
        let keychain = InMemoryTokenStore::default();
        assert_eq!(
            adopt_token_file(&keychain, &file).unwrap(),
            FileAdoption::Imported
        );
        assert_eq!(refresh_token(&keychain).unwrap(), "rt-from-file");
        assert_eq!(
            keychain.load().unwrap().unwrap().access_expires_at,
            Some(99)
        );
        assert!(!file.path().exists(), "the clear copy is removed");
        assert_eq!(
            adopt_token_file(&keychain, &file).unwrap(),
            FileAdoption::NoFile
        );
        assert_eq!(keychain.saves(), 1);
    }

    #[test]
    fn a_stale_token_file_never_overwrites_the_keychain() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileTokenStore::new(dir.path().join("t.json"));
        file.save(&StoredTokens::from_refresh_token("rt-old"))
            .unwrap();
        let keychain = InMemoryTokenStore::new(StoredTokens::from_refresh_token("rt-rotated"));
        assert_eq!(
            adopt_token_file(&keychain, &file).unwrap(),
            FileAdoption::StaleFileLeft
        );
        assert_eq!(refresh_token(&keychain).unwrap(), "rt-rotated");
        assert_eq!(keychain.saves(), 0);
    }

    #[test]
    fn a_keychain_that_does_not_read_back_keeps_the_file() {
        /// Accepts writes and forgets them.
        struct Forgetful;
        impl TokenStore for Forgetful {
            fn load(&self) -> Result<Option<StoredTokens>, tally_lightspeed::LsError> {
                Ok(None)
            }
            fn save(&self, _: &StoredTokens) -> Result<(), tally_lightspeed::LsError> {
                Ok(())
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let file = FileTokenStore::new(dir.path().join("t.json"));
        file.save(&StoredTokens::from_refresh_token("rt-only-copy"))
            .unwrap();
        let err = adopt_token_file(&Forgetful, &file).unwrap_err();
        assert_eq!(err.code(), "HUB_TOKEN_STORE");
        assert_eq!(refresh_token(&file).as_deref(), Some("rt-only-copy"));
    }

    #[test]
    fn each_lightspeed_store_gets_its_own_keychain_entry() {
        assert_eq!(
            store_key("https://shop.retail.lightspeed.app/api/2.0"),
            "shop.retail.lightspeed.app"
        );
        assert_eq!(store_key("not a url"), "not a url");
    }
}
