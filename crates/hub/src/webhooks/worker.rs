//! The hint worker: takes queued webhook hints, re-reads each object from
//! Lightspeed through a [`HintHandler`] (never trusting the webhook's copy), and
//! records the outcome. Several hints for one object are handled by one re-read.
//! It also forgets deliveries past the dedupe window and expired sessions.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::{watch, Notify};

use super::WebhookConfig;
use crate::edges::{EdgeStore, HintKind, HintResult};
use crate::HubError;

/// How re-reading an object failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HintError {
    /// Lightspeed or the hub was unavailable; try again later.
    #[error("the object could not be re-read now: {0}")]
    Retryable(String),
    /// It will never work (e.g. the object is not Tally's); stop trying.
    #[error("the hint cannot be acted on: {0}")]
    Permanent(String),
}

/// Re-reads an object from Lightspeed and applies what Lightspeed says.
pub trait HintHandler: Send + Sync + 'static {
    /// Re-reads the `kind` object with Lightspeed id `object_id`.
    fn handle(
        &self,
        kind: HintKind,
        object_id: &str,
    ) -> impl Future<Output = Result<(), HintError>> + Send;
}

/// How often finished deliveries and expired sessions are forgotten.
const PRUNE_EVERY: Duration = Duration::from_secs(600);

/// Drains the webhook hint queue.
pub struct HintWorker<H> {
    store: Arc<dyn EdgeStore>,
    handler: Arc<H>,
    config: WebhookConfig,
    wake: Arc<Notify>,
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, HubError> + Send + 'static,
) -> Result<R, HubError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HubError::Task(e.to_string()))?
}

impl<H: HintHandler> HintWorker<H> {
    /// A worker over the edges' store; `wake` is notified when a hint is queued.
    pub fn new(
        store: Arc<dyn EdgeStore>,
        handler: Arc<H>,
        config: WebhookConfig,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            handler,
            config,
            wake,
        }
    }

    /// Runs until `stop` turns true.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut last_prune: Option<tokio::time::Instant> = None;
        loop {
            if *stop.borrow() {
                return;
            }
            if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                if let Err(e) = self.prune().await {
                    tracing::error!(code = e.code(), error = %e, "webhook prune failed");
                }
                last_prune = Some(tokio::time::Instant::now());
            }
            let ran = match self.run_due().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(code = e.code(), error = %e, "hint worker pass failed");
                    0
                }
            };
            if ran == 0 {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(self.config.worker_idle_ms)) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }

    /// Handles the hints due now; returns how many objects were re-read.
    pub async fn run_due(&self) -> Result<usize, HubError> {
        let store = self.store.clone();
        let due = blocking(move || store.due_hints(OffsetDateTime::now_utc(), 64)).await?;
        // One re-read per object, however many deliveries (and in whatever order)
        // named it: the re-read sees Lightspeed's state now.
        let mut by_object: BTreeMap<(HintKind, String), (Vec<i64>, u32)> = BTreeMap::new();
        for h in due {
            let e = by_object.entry((h.kind, h.object_id)).or_default();
            e.0.push(h.id);
            e.1 = e.1.max(h.attempts);
        }
        let n = by_object.len();
        for ((kind, object_id), (ids, attempts)) in by_object {
            let result = match self.handler.handle(kind, &object_id).await {
                Ok(()) => HintResult::Done,
                Err(HintError::Permanent(m)) => HintResult::Failed(m),
                Err(HintError::Retryable(m)) if attempts + 1 >= self.config.max_attempts => {
                    HintResult::Failed(format!("gave up after {} attempts: {m}", attempts + 1))
                }
                Err(HintError::Retryable(m)) => {
                    let base = Duration::from_millis(self.config.retry_base_ms);
                    let d = crate::ls::backoff::delay(attempts, base, base * 64, None);
                    HintResult::RetryAt(OffsetDateTime::now_utc() + d, m)
                }
            };
            match &result {
                HintResult::Done => {
                    tracing::debug!(
                        kind = kind.as_str(),
                        object_id,
                        deliveries = ids.len(),
                        "hint handled"
                    )
                }
                HintResult::RetryAt(_, m) => {
                    tracing::warn!(kind = kind.as_str(), object_id, error = %m, "hint will retry")
                }
                HintResult::Failed(m) => {
                    tracing::warn!(kind = kind.as_str(), object_id, error = %m, "hint given up; the poller heals it")
                }
            }
            let store = self.store.clone();
            blocking(move || store.finish_hints(&ids, &result, OffsetDateTime::now_utc())).await?;
        }
        Ok(n)
    }

    async fn prune(&self) -> Result<(), HubError> {
        let store = self.store.clone();
        let keep = time::Duration::hours(self.config.dedupe_retention_hours as i64);
        let (deliveries, sessions) = blocking(move || {
            let now = OffsetDateTime::now_utc();
            Ok((
                store.prune_deliveries(now - keep)?,
                store.prune_sessions(now)?,
            ))
        })
        .await?;
        if deliveries + sessions > 0 {
            tracing::info!(
                deliveries,
                sessions,
                "forgot old webhook deliveries and sessions"
            );
        }
        Ok(())
    }
}
