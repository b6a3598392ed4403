//! Access tokens: refreshed before expiry and after a 401, exactly once however many
//! callers need one at the same moment, with the rotated refresh token saved before
//! the new access token is used.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tokio::sync::Mutex;
use tracing::Instrument;

use crate::config::ClientConfig;
use crate::error::LsError;
use crate::token_store::{StoredTokens, TokenStore};

/// An access token and which refresh produced it.
#[derive(Clone)]
pub(crate) struct AccessToken {
    pub secret: SecretString,
    expires_at: SystemTime,
    /// Bumped on every refresh; a 401 only invalidates the generation it saw.
    pub generation: u64,
}

#[derive(Default)]
struct State {
    access: Option<AccessToken>,
    generation: u64,
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires: Option<u64>,
    #[serde(default)]
    expires_in: Option<u64>,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// Single-flight token holder.
pub(crate) struct TokenManager {
    store: Arc<dyn TokenStore>,
    state: Mutex<State>,
    refreshes: AtomicU64,
}

impl TokenManager {
    pub fn new(store: Arc<dyn TokenStore>) -> Result<Self, LsError> {
        // Reuse a still-valid access token after a restart.
        let access = store.load()?.and_then(|t| {
            let exp = SystemTime::UNIX_EPOCH + Duration::from_secs(t.access_expires_at?);
            Some(AccessToken {
                secret: t.access_token?,
                expires_at: exp,
                generation: 0,
            })
        });
        Ok(Self {
            store,
            state: Mutex::new(State {
                access,
                generation: 0,
            }),
            refreshes: AtomicU64::new(0),
        })
    }

    /// Successful refreshes by this client.
    pub fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// A valid access token, refreshing first if it expires within the margin.
    /// Concurrent callers wait on one lock, so only the first one refreshes.
    pub async fn access_token(
        &self,
        http: &reqwest::Client,
        config: &ClientConfig,
    ) -> Result<AccessToken, LsError> {
        let mut state = self.state.lock().await;
        if let Some(a) = &state.access {
            if a.expires_at > SystemTime::now() + config.refresh_margin {
                return Ok(a.clone());
            }
        }
        self.refresh(&mut state, http, config).await
    }

    /// Drops the token of `generation` after a 401 (a newer one is kept).
    pub async fn invalidate(&self, generation: u64) {
        let mut state = self.state.lock().await;
        if state
            .access
            .as_ref()
            .is_some_and(|a| a.generation == generation)
        {
            state.access = None;
        }
    }

    async fn refresh(
        &self,
        state: &mut State,
        http: &reqwest::Client,
        config: &ClientConfig,
    ) -> Result<AccessToken, LsError> {
        let span = tracing::info_span!("ls.token_refresh");
        async {
            let stored = self.store.load()?.ok_or_else(|| {
                LsError::Credentials("no Lightspeed refresh token stored; connect the store".into())
            })?;
            let form = [
                ("grant_type", "refresh_token"),
                ("refresh_token", stored.refresh_token.expose_secret()),
                ("client_id", config.credentials.client_id.as_str()),
                (
                    "client_secret",
                    config.credentials.client_secret.expose_secret(),
                ),
            ];
            let resp = http
                .post(&config.token_url)
                .form(&form)
                .send()
                .await
                .map_err(crate::client::transport_error)?;
            let status = resp.status().as_u16();
            let body = resp.text().await.map_err(crate::client::transport_error)?;
            if !(200..300).contains(&status) {
                tracing::warn!(status, "token refresh refused");
                return Err(match status {
                    400 | 401 | 403 => LsError::AuthRevoked { status, body },
                    429 => LsError::RateLimited {
                        retry_after: config.retry.rate_limit_wait(None),
                    },
                    _ => LsError::from_status(status, body),
                });
            }
            let answer: TokenAnswer = serde_json::from_str(&body).map_err(|e| LsError::Decode {
                status,
                detail: format!("token answer: {e}"),
                // The body holds tokens: never keep it.
                body: String::new(),
            })?;
            let now = SystemTime::now();
            let expires_at = match (answer.expires, answer.expires_in) {
                (Some(at), _) => SystemTime::UNIX_EPOCH + Duration::from_secs(at),
                (None, Some(secs)) => now + Duration::from_secs(secs),
                (None, None) => now + config.default_token_ttl,
            };
            let secret = SecretString::from(answer.access_token);
            let refresh_token = answer
                .refresh_token
                .map(SecretString::from)
                .unwrap_or(stored.refresh_token);
            // Persist first: if this fails, the new access token is not used.
            self.store.save(&StoredTokens {
                refresh_token,
                access_token: Some(secret.clone()),
                access_expires_at: Some(unix(expires_at)),
            })?;
            state.generation += 1;
            let token = AccessToken {
                secret,
                expires_at,
                generation: state.generation,
            };
            state.access = Some(token.clone());
            self.refreshes.fetch_add(1, Ordering::Relaxed);
            tracing::info!(
                expires_in_s = expires_at.duration_since(now).unwrap_or_default().as_secs(),
                "access token refreshed"
            );
            Ok(token)
        }
        .instrument(span)
        .await
    }
}
