//! The client and its one request path: budget, bearer token, send, classify,
//! retry with backoff or Retry-After. Every call goes through [`LightspeedClient::send`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use reqwest::Method;
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tracing::Instrument;

use crate::auth::TokenManager;
use crate::budget::{BudgetSnapshot, RateBudget};
use crate::config::ClientConfig;
use crate::error::LsError;
use crate::retry_after::parse_retry_after;
use crate::token_store::TokenStore;

/// Counters of one client (all callers), for logs and the bench.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent to the API (token calls excluded).
    pub requests: u64,
    /// Of those, repeats of a failed attempt.
    pub retries: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// Successful token refreshes.
    pub refreshes: u64,
    /// Times the budget held a caller back, and for how long in total.
    pub budget_waits: u64,
    pub budget_waited_ms: u64,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: TokenManager,
    budget: RateBudget,
    counters: Counters,
}

/// Lightspeed X-Series API 2.0 client. Cheap to clone; clones share the token,
/// the rate budget and the counters (one client per store).
#[derive(Clone)]
pub struct LightspeedClient {
    inner: Arc<Inner>,
}

/// A successful answer.
pub(crate) struct Answer {
    pub status: u16,
    pub body: String,
}

/// `{"data": T}`.
#[derive(Deserialize)]
struct One<T> {
    data: T,
}

/// Maps a reqwest failure to timeout / connect / network.
pub(crate) fn transport_error(e: reqwest::Error) -> LsError {
    // reqwest's Display never includes headers, so no token can leak here.
    let detail = std::error::Error::source(&e)
        .map(|s| s.to_string())
        .unwrap_or_else(|| e.to_string());
    if e.is_timeout() {
        LsError::Timeout
    } else if e.is_connect() {
        LsError::Connect(detail)
    } else {
        LsError::Network(detail)
    }
}

impl LightspeedClient {
    /// A client for `config`, keeping tokens in `store` (which must already hold a
    /// refresh token).
    pub fn new(config: ClientConfig, store: Arc<dyn TokenStore>) -> Result<Self, LsError> {
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("tally-lightspeed/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| LsError::InvalidRequest(format!("HTTP client: {e}")))?;
        let budget = RateBudget::new(config.budget.clone());
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                tokens: TokenManager::new(store)?,
                budget,
                config,
                counters: Counters::default(),
            }),
        })
    }

    /// The settings in force.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// Counters since the client was made.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.counters;
        let b = self.inner.budget.snapshot();
        ClientStats {
            requests: c.requests.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            refreshes: self.inner.tokens.refreshes(),
            budget_waits: b.waits,
            budget_waited_ms: b.waited_ms,
        }
    }

    /// What the shared budget knows about the store's rate limit.
    pub fn budget(&self) -> BudgetSnapshot {
        self.inner.budget.snapshot()
    }

    /// Makes sure a valid access token is at hand (refreshing if needed).
    pub async fn ensure_token(&self) -> Result<(), LsError> {
        self.inner
            .tokens
            .access_token(&self.inner.http, &self.inner.config)
            .await
            .map(|_| ())
    }

    /// `GET` and unwrap `{"data": T}`.
    pub(crate) async fn get_data<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, LsError> {
        let a = self.send(Method::GET, path, query, None::<&()>).await?;
        decode::<One<T>>(&a).map(|o| o.data)
    }

    /// Sends one logical call, retrying what may be retried. POST is treated as not
    /// idempotent: after a timeout, a broken connection or a 5xx it is returned to
    /// the caller (see [`LsError::may_have_applied`]) instead of being repeated.
    pub(crate) async fn send<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<Answer, LsError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| LsError::InvalidRequest(format!("body: {e}")))?;
        let request_id = uuid::Uuid::new_v4();
        let span = tracing::info_span!("ls.request", %method, path, %request_id);
        self.send_inner(method, path, query, body, request_id)
            .instrument(span)
            .await
    }

    async fn send_inner(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Vec<u8>>,
        request_id: uuid::Uuid,
    ) -> Result<Answer, LsError> {
        let inner = &*self.inner;
        let policy = &inner.config.retry;
        let idempotent = method != Method::POST;
        let url = format!("{}{}", inner.config.base_url, path);
        let mut attempt = 0u32;
        let mut reauthorised = false;
        loop {
            attempt += 1;
            let error = match self
                .attempt(&method, &url, query, body.as_deref(), request_id)
                .await
            {
                Ok(a) => return Ok(a),
                // A retried DELETE that finds nothing: the first attempt did it.
                Err(Attempt::Failed(LsError::Rejected { status: 404, .. }))
                    if method == Method::DELETE && attempt > 1 =>
                {
                    return Ok(Answer {
                        status: 404,
                        body: String::new(),
                    })
                }
                Err(Attempt::Unauthorized { generation, error }) if !reauthorised => {
                    // The token was refused before it expired: refresh once and repeat.
                    reauthorised = true;
                    attempt -= 1;
                    inner.tokens.invalidate(generation).await;
                    tracing::info!(status = error.status(), "access token refused; refreshing");
                    continue;
                }
                Err(Attempt::Unauthorized { error, .. }) => error,
                Err(Attempt::Failed(e)) => e,
            };
            if !policy.should_retry(&error, attempt, idempotent) {
                tracing::warn!(code = error.code(), attempt, "Lightspeed call failed");
                return Err(error);
            }
            let delay = match &error {
                LsError::RateLimited { retry_after } => *retry_after,
                _ => policy.backoff(attempt),
            };
            tracing::warn!(
                code = error.code(),
                attempt,
                delay_ms = delay.as_millis() as u64,
                "retrying Lightspeed call"
            );
            inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<&[u8]>,
        request_id: uuid::Uuid,
    ) -> Result<Answer, Attempt> {
        let inner = &*self.inner;
        let token = inner
            .tokens
            .access_token(&inner.http, &inner.config)
            .await
            .map_err(Attempt::Failed)?;
        // Held until the answer's headers are read; dropped (this future cancelled,
        // the send failed) it gives the slot back.
        let slot = inner.budget.acquire().await;
        inner.counters.requests.fetch_add(1, Ordering::Relaxed);
        let mut req = inner
            .http
            .request(method.clone(), url)
            .bearer_auth(token.secret.expose_secret())
            .header("x-request-id", request_id.to_string())
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        let started = Instant::now();
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Err(Attempt::Failed(transport_error(e))),
        };
        slot.observe(resp.headers());
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = resp
            .text()
            .await
            .map_err(|e| Attempt::Failed(transport_error(e)))?;
        tracing::debug!(
            status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "Lightspeed answered"
        );
        match status {
            200..=299 => Ok(Answer { status, body }),
            401 => Err(Attempt::Unauthorized {
                generation: token.generation,
                error: LsError::Rejected {
                    status,
                    message: "access token refused".into(),
                    body,
                },
            }),
            429 => {
                inner.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                let wait = inner.config.retry.rate_limit_wait(retry_after);
                inner.budget.block_for(wait);
                Err(Attempt::Failed(LsError::RateLimited { retry_after: wait }))
            }
            _ => Err(Attempt::Failed(LsError::from_status(status, body))),
        }
    }
}

/// One attempt's failure: a 401 is handled apart (refresh and repeat once).
enum Attempt {
    Unauthorized { generation: u64, error: LsError },
    Failed(LsError),
}

impl From<Attempt> for LsError {
    fn from(a: Attempt) -> Self {
        match a {
            Attempt::Unauthorized { error, .. } | Attempt::Failed(error) => error,
        }
    }
}

/// Parses an answer's JSON body.
pub(crate) fn decode<T: DeserializeOwned>(a: &Answer) -> Result<T, LsError> {
    serde_json::from_str(&a.body).map_err(|e| LsError::Decode {
        status: a.status,
        detail: e.to_string(),
        body: a.body.chars().take(2000).collect(),
    })
}
