//! The saga worker: drains the hub's Lightspeed outbox, most urgent first, with
//! backoff per saga and one shared pause when Lightspeed rate-limits.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use time::OffsetDateTime;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;
use uuid::Uuid;

use super::backoff;
use super::port::{LightspeedPort, LsFailure};
use super::saga::{run_saga, SagaError, SagaProgress};
use crate::store::{read_with, write_with, Entity, HubStore, SagaRecord, SagaState};
use crate::HubError;

/// Worker timings (short in tests).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerConfig {
    /// How long to sleep when nothing is due (a push wakes it sooner), ms.
    pub idle_ms: u64,
    /// First retry delay, ms.
    pub backoff_base_ms: u64,
    /// Longest retry delay, ms.
    pub backoff_max_ms: u64,
    /// Sagas fetched per pass.
    pub batch: u32,
    /// Walk Lightspeed's version cursors when no saga is due.
    pub poll: bool,
    /// Pause between polls once every feed is caught up, ms.
    pub poll_interval_ms: u64,
    /// Objects per poll page.
    pub poll_page_size: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            idle_ms: 1_000,
            backoff_base_ms: 1_000,
            backoff_max_ms: 5 * 60 * 1_000,
            batch: 16,
            poll: true,
            poll_interval_ms: 30_000,
            poll_page_size: 200,
        }
    }
}

/// Drains sagas against one Lightspeed port.
pub struct SagaWorker<P> {
    store: Arc<dyn HubStore>,
    port: Arc<P>,
    config: WorkerConfig,
    wake: Arc<Notify>,
    paused_until: Option<Instant>,
    next_poll: Instant,
    poll_failures: u32,
    metrics: Option<Arc<crate::metrics::HubMetrics>>,
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, HubError> + Send + 'static,
) -> Result<R, HubError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HubError::Task(e.to_string()))?
}

impl<P: LightspeedPort> SagaWorker<P> {
    /// A worker over `store` and `port`; `wake` is notified when new work arrives.
    pub fn new(
        store: Arc<dyn HubStore>,
        port: Arc<P>,
        config: WorkerConfig,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            store,
            port,
            config,
            wake,
            paused_until: None,
            next_poll: Instant::now(),
            poll_failures: 0,
            metrics: None,
        }
    }

    /// Reports each attempt's time and outcome (dashboard p50/p95, success rate).
    pub fn with_metrics(mut self, metrics: Arc<crate::metrics::HubMetrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Runs until `stop` turns true.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let ran = match self.run_due(&mut stop).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(code = e.code(), error = %e, "saga worker pass failed");
                    0
                }
            };
            if ran == 0 && self.config.poll && Instant::now() >= self.next_poll {
                // Sagas first; the poller only spends the budget they leave.
                if self.poll_round().await {
                    continue;
                }
            }
            if ran == 0 {
                let idle = Duration::from_millis(self.config.idle_ms);
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(idle) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }

    /// One pass over the sagas due now; returns how many were attempted.
    pub async fn run_due(&mut self, stop: &mut watch::Receiver<bool>) -> Result<usize, HubError> {
        let store = self.store.clone();
        let batch = self.config.batch;
        let due = blocking(move || {
            read_with(&*store, |tx| tx.due_sagas(OffsetDateTime::now_utc(), batch))
        })
        .await?;
        let mut ran = 0;
        for saga in due {
            if *stop.borrow() {
                break;
            }
            if let Some(until) = self.paused_until {
                // One shared budget: a 429 pauses all Lightspeed work.
                tokio::select! {
                    _ = tokio::time::sleep_until(until) => {}
                    _ = stop.changed() => break,
                }
                self.paused_until = None;
            }
            self.attempt(saga.consignment_id).await?;
            ran += 1;
        }
        Ok(ran)
    }

    async fn attempt(&mut self, id: Uuid) -> Result<(), HubError> {
        let started = std::time::Instant::now();
        let result = run_saga(&self.store, &*self.port, id).await;
        if let Some(m) = &self.metrics {
            use crate::metrics::SagaAttemptOutcome as O;
            let outcome = match &result {
                Ok(SagaProgress::Nothing) => None,
                Ok(SagaProgress::Synced { .. }) => Some(O::Synced),
                Err(SagaError::Lightspeed(LsFailure::Rejected { .. }))
                | Err(SagaError::Backwards(_)) => Some(O::DeadLettered),
                Err(_) => Some(O::Retry),
            };
            if let Some(o) = outcome {
                m.saga_attempt(started.elapsed(), o);
            }
        }
        let now = OffsetDateTime::now_utc();
        let cfg = self.config;
        let mut pause = None;
        let update: Box<dyn FnOnce(&mut SagaRecord) + Send> = match result {
            Ok(SagaProgress::Nothing) => return Ok(()),
            Ok(SagaProgress::Synced { generation }) => Box::new(move |s: &mut SagaRecord| {
                s.done_gen = s.done_gen.max(generation);
                s.attempts = 0;
                s.last_error = None;
                if s.state == SagaState::Pending {
                    s.state = if s.done_gen >= s.wanted_gen {
                        SagaState::Done
                    } else {
                        SagaState::Pending
                    };
                }
                s.next_at = now;
            }),
            Err(SagaError::Lightspeed(LsFailure::Retryable {
                message,
                retry_after,
                rate_limited,
            })) => {
                let attempts = self.current_attempts(id).await?;
                let d = backoff::delay(
                    attempts,
                    Duration::from_millis(cfg.backoff_base_ms),
                    Duration::from_millis(cfg.backoff_max_ms),
                    retry_after,
                );
                if rate_limited {
                    pause = Some(d);
                }
                tracing::warn!(consignment_id = %id, attempts, delay_ms = d.as_millis() as u64, %message, "saga will retry");
                Box::new(move |s: &mut SagaRecord| {
                    s.attempts += 1;
                    s.next_at = now + d;
                    s.last_error = Some(message);
                })
            }
            Err(SagaError::Lightspeed(LsFailure::Rejected { status, body })) => {
                tracing::error!(consignment_id = %id, status, "Lightspeed rejected a saga step; dead-lettered");
                Box::new(move |s: &mut SagaRecord| {
                    s.state = SagaState::Dead;
                    s.last_error = Some(format!("LIGHTSPEED_REJECTED: HTTP {status}"));
                    s.dead_body = Some(body);
                })
            }
            Err(SagaError::Backwards(r)) => {
                tracing::error!(consignment_id = %id, code = r.code, "Lightspeed is ahead; dead-lettered");
                Box::new(move |s: &mut SagaRecord| {
                    s.state = SagaState::Dead;
                    s.last_error = Some(r.code.to_string());
                    s.dead_body = Some(r.message);
                })
            }
            Err(SagaError::Store(e)) => {
                tracing::error!(consignment_id = %id, code = e.code(), error = %e, "saga store failure");
                let d = Duration::from_millis(cfg.backoff_base_ms);
                let msg = e.to_string();
                Box::new(move |s: &mut SagaRecord| {
                    s.attempts += 1;
                    s.next_at = now + d;
                    s.last_error = Some(msg);
                })
            }
        };
        if let Some(d) = pause {
            self.paused_until = Some(Instant::now() + d);
        }
        let store = self.store.clone();
        blocking(move || {
            write_with(&*store, |tx| {
                if let Some(mut s) = tx.saga(id)? {
                    let was = s.state;
                    update(&mut s);
                    s.updated_at = now;
                    tx.update_saga(&s)?;
                    if s.state != was {
                        // Stations show how far Lightspeed is: let them pull it.
                        tx.record_change(Entity::Consignment, &id.to_string())?;
                    }
                }
                Ok(())
            })
        })
        .await
    }

    /// Applies one page of the first feed with news; `true` if there was any.
    pub async fn poll_round(&mut self) -> bool {
        if let Some(until) = self.paused_until {
            if Instant::now() < until {
                return false;
            }
            self.paused_until = None;
        }
        for feed in super::poller::Feed::ALL {
            match super::poller::poll_page(
                &self.store,
                &*self.port,
                feed,
                self.config.poll_page_size,
            )
            .await
            {
                Ok(0) => continue,
                Ok(_) => {
                    self.poll_failures = 0;
                    return true;
                }
                Err(e) => {
                    let (retry_after, rate_limited) = match &e {
                        super::poller::PollError::Lightspeed(LsFailure::Retryable {
                            retry_after,
                            rate_limited,
                            ..
                        }) => (*retry_after, *rate_limited),
                        _ => (None, false),
                    };
                    let d = backoff::delay(
                        self.poll_failures,
                        Duration::from_millis(self.config.backoff_base_ms),
                        Duration::from_millis(self.config.backoff_max_ms),
                        retry_after,
                    );
                    self.poll_failures = self.poll_failures.saturating_add(1);
                    if rate_limited {
                        self.paused_until = Some(Instant::now() + d);
                    }
                    tracing::warn!(feed = feed.cursor_name(), error = %e, delay_ms = d.as_millis() as u64, "poll failed; will retry");
                    self.next_poll = Instant::now() + d;
                    return false;
                }
            }
        }
        self.poll_failures = 0;
        self.next_poll = Instant::now() + Duration::from_millis(self.config.poll_interval_ms);
        false
    }

    async fn current_attempts(&self, id: Uuid) -> Result<u32, HubError> {
        let store = self.store.clone();
        blocking(move || read_with(&*store, |tx| Ok(tx.saga(id)?.map_or(0, |s| s.attempts)))).await
    }
}
