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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::edges::{DeliveryState, NewDelivery, Recorded, SqliteEdgeStore};
    use crate::SqliteHubStore;

    #[derive(Default)]
    struct Counting {
        calls: Mutex<Vec<(HintKind, String)>>,
        fail_with: Mutex<Option<HintError>>,
    }

    impl HintHandler for Counting {
        async fn handle(&self, kind: HintKind, object_id: &str) -> Result<(), HintError> {
            self.calls
                .lock()
                .unwrap()
                .push((kind, object_id.to_string()));
            match self.fail_with.lock().unwrap().clone() {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
    }

    fn setup() -> (tempfile::TempDir, Arc<dyn EdgeStore>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        SqliteHubStore::open(&path).unwrap();
        let store: Arc<dyn EdgeStore> = Arc::new(SqliteEdgeStore::open(&path).unwrap());
        (dir, store)
    }

    fn delivery(n: u32, object: &str) -> NewDelivery {
        NewDelivery {
            body_sha256: format!("body-{n}"),
            object_key: None,
            event_type: "consignment.send".into(),
            kind: HintKind::Consignment,
            object_id: Some(object.into()),
            received_at: OffsetDateTime::now_utc(),
            state: DeliveryState::Pending,
        }
    }

    fn worker(
        store: &Arc<dyn EdgeStore>,
        h: &Arc<Counting>,
        max_attempts: u32,
    ) -> HintWorker<Counting> {
        HintWorker::new(
            store.clone(),
            h.clone(),
            WebhookConfig {
                retry_base_ms: 1,
                max_attempts,
                ..WebhookConfig::default()
            },
            Arc::new(Notify::new()),
        )
    }

    #[tokio::test]
    async fn hints_for_one_object_in_any_order_cost_one_re_read() {
        let (_d, store) = setup();
        for (n, obj) in [(1, "c1"), (2, "c2"), (3, "c1"), (4, "c1")] {
            assert!(matches!(
                store.record_delivery(&delivery(n, obj)).unwrap(),
                Recorded::New(_)
            ));
        }
        let h = Arc::new(Counting::default());
        let w = worker(&store, &h, 3);
        assert_eq!(w.run_due().await.unwrap(), 2);
        let mut calls = h.calls.lock().unwrap().clone();
        calls.sort();
        assert_eq!(
            calls,
            vec![
                (HintKind::Consignment, "c1".into()),
                (HintKind::Consignment, "c2".into())
            ]
        );
        assert_eq!(store.webhook_queue_stats().unwrap().pending, 0);
        assert_eq!(w.run_due().await.unwrap(), 0, "nothing handled twice");
    }

    #[tokio::test]
    async fn the_same_body_twice_is_one_delivery() {
        let (_d, store) = setup();
        assert!(matches!(
            store.record_delivery(&delivery(1, "c1")).unwrap(),
            Recorded::New(_)
        ));
        assert_eq!(
            store.record_delivery(&delivery(1, "c1")).unwrap(),
            Recorded::Duplicate
        );
        let mut same_version = delivery(2, "c1");
        same_version.object_key = Some("consignment.send|c1|7".into());
        let mut again = delivery(3, "c1");
        again.object_key = same_version.object_key.clone();
        assert!(matches!(
            store.record_delivery(&same_version).unwrap(),
            Recorded::New(_)
        ));
        assert_eq!(store.record_delivery(&again).unwrap(), Recorded::Duplicate);
    }

    #[tokio::test]
    async fn a_failing_re_read_is_retried_then_given_up_to_the_poller() {
        let (_d, store) = setup();
        store.record_delivery(&delivery(1, "c1")).unwrap();
        let h = Arc::new(Counting::default());
        *h.fail_with.lock().unwrap() = Some(HintError::Retryable("503".into()));
        let w = worker(&store, &h, 2);
        assert_eq!(w.run_due().await.unwrap(), 1);
        assert_eq!(
            store.webhook_queue_stats().unwrap().pending,
            1,
            "retry later"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(w.run_due().await.unwrap(), 1);
        let stats = store.webhook_queue_stats().unwrap();
        assert_eq!((stats.pending, stats.failed), (0, 1));
    }
}
