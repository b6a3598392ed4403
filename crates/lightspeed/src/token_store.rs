//! Where the rotating refresh token lives. Lightspeed may rotate it on every
//! refresh and refuse the old one, so the new token is saved (atomically) before
//! the new access token is used: a crash after the refresh must find the new
//! refresh token, or the store is locked out until someone reconnects it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::LsError;

/// The tokens of one store.
#[derive(Debug, Clone)]
pub struct StoredTokens {
    /// The refresh token in force (the latest one Lightspeed issued).
    pub refresh_token: SecretString,
    /// The access token issued with it, reused after a restart while still valid.
    pub access_token: Option<SecretString>,
    /// Unix seconds when `access_token` expires.
    pub access_expires_at: Option<u64>,
}

impl StoredTokens {
    /// Only a refresh token (first connection, or from the environment).
    pub fn from_refresh_token(refresh_token: impl Into<String>) -> Self {
        Self {
            refresh_token: SecretString::from(refresh_token.into()),
            access_token: None,
            access_expires_at: None,
        }
    }
}

/// Persistence of [`StoredTokens`]. The hub implements it on its database;
/// `save` must be atomic (all or nothing) and durable when it returns.
pub trait TokenStore: Send + Sync {
    /// The tokens, or `None` when the store was never connected.
    fn load(&self) -> Result<Option<StoredTokens>, LsError>;
    /// Replaces the tokens atomically.
    fn save(&self, tokens: &StoredTokens) -> Result<(), LsError>;
}

/// Tokens in memory (tests, demos).
#[derive(Debug, Default)]
pub struct InMemoryTokenStore {
    tokens: Mutex<Option<StoredTokens>>,
    saves: Mutex<u64>,
}

impl InMemoryTokenStore {
    /// A store holding `tokens`.
    pub fn new(tokens: StoredTokens) -> Self {
        Self {
            tokens: Mutex::new(Some(tokens)),
            saves: Mutex::new(0),
        }
    }

    /// How many times tokens were saved.
    pub fn saves(&self) -> u64 {
        *self.saves.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl TokenStore for InMemoryTokenStore {
    fn load(&self) -> Result<Option<StoredTokens>, LsError> {
        Ok(self
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone())
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), LsError> {
        *self.tokens.lock().unwrap_or_else(|e| e.into_inner()) = Some(tokens.clone());
        *self.saves.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        Ok(())
    }
}

/// The stored format (secrets exposed only here, on their way to disk or keychain).
#[derive(Serialize, Deserialize)]
struct TokenFile {
    refresh_token: String,
    access_token: Option<String>,
    access_expires_at: Option<u64>,
}

/// Tokens as JSON for a file or a keychain entry.
pub(crate) fn encode(tokens: &StoredTokens) -> Result<Vec<u8>, LsError> {
    serde_json::to_vec(&TokenFile {
        refresh_token: tokens.refresh_token.expose_secret().to_string(),
        access_token: tokens
            .access_token
            .as_ref()
            .map(|t| t.expose_secret().to_string()),
        access_expires_at: tokens.access_expires_at,
    })
    .map_err(|e| LsError::TokenStore(e.to_string()))
}

/// Tokens from [`encode`]'s JSON; `origin` names the source in errors.
pub(crate) fn decode(bytes: &[u8], origin: &str) -> Result<StoredTokens, LsError> {
    let f: TokenFile = serde_json::from_slice(bytes)
        .map_err(|e| LsError::TokenStore(format!("{origin} does not hold tokens: {e}")))?;
    Ok(StoredTokens {
        refresh_token: f.refresh_token.into(),
        access_token: f.access_token.map(Into::into),
        access_expires_at: f.access_expires_at,
    })
}

/// Tokens in a JSON file outside the repository (e.g. the hub's data directory),
/// written atomically: temp file in the same directory, fsync, rename, fsync dir.
/// Mode 0600 on Unix.
#[derive(Debug)]
pub struct FileTokenStore {
    path: PathBuf,
    lock: Mutex<()>,
}

impl FileTokenStore {
    /// A store at `path` (the file need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            lock: Mutex::new(()),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> LsError {
    LsError::TokenStore(format!("{what} {}: {e}", path.display()))
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> Result<Option<StoredTokens>, LsError> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("reading", &self.path, e)),
        };
        decode(&bytes, &self.path.display().to_string()).map(Some)
    }

    fn save(&self, tokens: &StoredTokens) -> Result<(), LsError> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let body = encode(tokens)?;
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = self.path.with_extension("tmp");
        {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f = opts.open(&tmp).map_err(|e| io_err("creating", &tmp, e))?;
            f.write_all(&body).map_err(|e| io_err("writing", &tmp, e))?;
            f.sync_all().map_err(|e| io_err("syncing", &tmp, e))?;
        }
        std::fs::rename(&tmp, &self.path).map_err(|e| io_err("replacing", &self.path, e))?;
        // The rename itself must survive a power cut.
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(dir) {
            d.sync_all().map_err(|e| io_err("syncing", dir, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_round_trips_and_replaces_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::new(dir.path().join("ls-tokens.json"));
        assert!(store.load().unwrap().is_none());
        store
            .save(&StoredTokens::from_refresh_token("rt-one"))
            .unwrap();
        let mut t = StoredTokens::from_refresh_token("rt-two");
        t.access_token = Some("at-two".to_string().into());
        t.access_expires_at = Some(42);
        store.save(&t).unwrap();
        let back = store.load().unwrap().unwrap();
        assert_eq!(back.refresh_token.expose_secret(), "rt-two");
        assert_eq!(back.access_token.unwrap().expose_secret(), "at-two");
        assert_eq!(back.access_expires_at, Some(42));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_corrupt_token_file_is_an_error_not_a_silent_reset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, b"{not json").unwrap();
        let err = FileTokenStore::new(&path).load().unwrap_err();
        assert_eq!(err.code(), "LS_TOKEN_STORE");
    }

    #[test]
    fn debug_output_never_shows_tokens() {
        let t = StoredTokens::from_refresh_token("rt-very-private");
        assert!(!format!("{t:?}").contains("very-private"));
    }
}
