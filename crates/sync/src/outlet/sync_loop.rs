//! The outlet's sync loop: push the outbox in order, record each answer, pull the
//! hub's changes, and publish the state for the sync indicator. Offline is normal:
//! a failed exchange puts the mutations back with a backoff and the loop retries.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tally_store::{OutboxEntry, Refreshed, Store};
use time::OffsetDateTime;
use tokio::sync::{watch, Notify};

use super::client::HubClient;
use super::translate::{incoming, outgoing, Outgoing};
use crate::protocol::pull::Row;
use crate::protocol::push::{MutationEnvelope, MutationOutcome};
use crate::protocol::reference_block::ReferenceNumbers;
use crate::SyncError;

/// Timings and sizes of the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncLoopConfig {
    /// Mutations per push.
    pub batch: u32,
    /// Rows per pull page.
    pub pull_limit: u32,
    /// Pause between cycles while online.
    pub interval: Duration,
    /// First retry delay after a failure.
    pub backoff_base: Duration,
    /// Longest retry delay.
    pub backoff_max: Duration,
}

impl Default for SyncLoopConfig {
    fn default() -> Self {
        Self {
            batch: 100,
            pull_limit: 200,
            interval: Duration::from_secs(2),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
        }
    }
}

/// What the UI's sync indicator shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncIndicator {
    /// The last exchange with the hub worked.
    pub online: bool,
    /// Actions waiting to be pushed.
    pub pending: u64,
    /// Actions pushed, answer not recorded.
    pub in_flight: u64,
    /// Actions the hub refused; a person must look.
    pub needs_attention: u64,
    /// Last good exchange.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sync_at: Option<OffsetDateTime>,
    /// Why the last exchange failed.
    pub last_error: Option<String>,
}

/// What one cycle did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CycleReport {
    /// Mutations sent.
    pub pushed: usize,
    /// Applied now.
    pub applied: usize,
    /// Applied before (a lost answer).
    pub duplicates: usize,
    /// Refused (now needing attention).
    pub rejected: usize,
    /// Kept local (nothing for the hub).
    pub local_only: usize,
    /// Rows pulled.
    pub pulled: usize,
    /// Blocks of reference numbers received.
    pub reference_blocks: usize,
    /// Consignments replaced by the hub's view after a discarded change.
    pub refreshed: usize,
    /// The hub sent chain rules different from the ones kept here.
    pub policies_changed: bool,
}

/// Called after every cycle with what it did (or why it failed).
pub type CycleObserver = Box<dyn Fn(&Result<CycleReport, SyncError>) + Send + Sync>;

/// The loop over one store and one hub.
pub struct SyncLoop {
    store: Arc<Store>,
    client: HubClient,
    config: SyncLoopConfig,
    indicator: watch::Sender<SyncIndicator>,
    failures: u32,
    observer: Option<CycleObserver>,
}

async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, SyncError> + Send + 'static,
) -> Result<R, SyncError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SyncError::Untranslatable(format!("sync task stopped: {e}")))?
}

impl SyncLoop {
    /// A loop and a receiver of its indicator.
    pub fn new(
        store: Arc<Store>,
        client: HubClient,
        config: SyncLoopConfig,
    ) -> (Self, watch::Receiver<SyncIndicator>) {
        let (tx, rx) = watch::channel(SyncIndicator {
            online: false,
            pending: 0,
            in_flight: 0,
            needs_attention: 0,
            last_sync_at: None,
            last_error: None,
        });
        (
            Self {
                store,
                client,
                config,
                indicator: tx,
                failures: 0,
                observer: None,
            },
            rx,
        )
    }

    /// Calls `f` after every cycle (e.g. so the UI refreshes what a pull changed).
    pub fn observe(
        mut self,
        f: impl Fn(&Result<CycleReport, SyncError>) + Send + Sync + 'static,
    ) -> Self {
        self.observer = Some(Box::new(f));
        self
    }

    fn backoff(&self) -> Duration {
        let exp = self
            .config
            .backoff_base
            .saturating_mul(1u32 << self.failures.min(16))
            .min(self.config.backoff_max);
        exp.mul_f64(0.5 + 0.5 * rand::random::<f64>())
    }

    /// One push + pull exchange. An error means the hub was not reached (or refused
    /// the whole request); everything stays queued for the next cycle.
    pub async fn run_once(&mut self) -> Result<CycleReport, SyncError> {
        let result = self.exchange().await;
        let online = result.is_ok();
        let last_error = result.as_ref().err().map(|e| e.to_string());
        if online {
            self.failures = 0;
        } else {
            self.failures = self.failures.saturating_add(1);
        }
        self.publish(online, last_error).await;
        if let Some(f) = &self.observer {
            f(&result);
        }
        result
    }

    async fn publish(&self, online: bool, last_error: Option<String>) {
        let store = self.store.clone();
        match blocking(move || Ok(store.sync_status()?)).await {
            Ok(s) => {
                self.indicator.send_replace(SyncIndicator {
                    online,
                    pending: s.pending,
                    in_flight: s.in_flight,
                    needs_attention: s.needs_attention,
                    last_sync_at: s.last_sync_at,
                    last_error,
                });
            }
            Err(e) => tracing::error!(error = %e, "sync status unreadable"),
        }
    }

    async fn exchange(&mut self) -> Result<CycleReport, SyncError> {
        let mut report = CycleReport::default();
        self.push_all(&mut report).await?;
        self.refresh_discarded(&mut report).await?;
        self.pull_all(&mut report).await?;
        let store = self.store.clone();
        blocking(move || Ok(store.record_sync_success(OffsetDateTime::now_utc())?)).await?;
        Ok(report)
    }

    async fn push_all(&mut self, report: &mut CycleReport) -> Result<(), SyncError> {
        loop {
            let store = self.store.clone();
            let batch = self.config.batch;
            let entries: Vec<OutboxEntry> =
                blocking(move || Ok(store.next_pending(batch)?)).await?;
            if entries.is_empty() {
                return Ok(());
            }
            let store = self.store.clone();
            let (envs, local) = blocking(move || {
                let mut envs: Vec<MutationEnvelope> = Vec::new();
                let mut local = 0;
                for e in &entries {
                    match outgoing(&store, e) {
                        Ok(Outgoing::Push(env)) => envs.push(*env),
                        Ok(Outgoing::LocalOnly) => {
                            store.mark_done(e.seq)?;
                            local += 1;
                        }
                        Err(SyncError::Store(err)) => return Err(SyncError::Store(err)),
                        Err(err) => {
                            // Never silently dropped: a person sees it and decides.
                            store.mark_needs_attention(
                                e.mutation_id,
                                err.code(),
                                &err.to_string(),
                            )?;
                        }
                    }
                }
                let seqs: Vec<i64> = envs
                    .iter()
                    .map(|e| i64::try_from(e.seq).unwrap_or(i64::MAX))
                    .collect();
                store.mark_in_flight(&seqs)?;
                Ok((envs, local))
            })
            .await?;
            report.local_only += local;
            if envs.is_empty() {
                continue;
            }
            report.pushed += envs.len();
            let sent: Vec<(i64, uuid::Uuid)> = envs
                .iter()
                .map(|e| (i64::try_from(e.seq).unwrap_or(i64::MAX), e.mutation_id))
                .collect();
            let consignment_of: std::collections::HashMap<i64, uuid::Uuid> = envs
                .iter()
                .map(|e| {
                    (
                        i64::try_from(e.seq).unwrap_or(i64::MAX),
                        e.mutation.consignment_id(),
                    )
                })
                .collect();
            let answer = self.client.push(envs).await;
            let store = self.store.clone();
            let retry_at = OffsetDateTime::now_utc() + self.backoff();
            match answer {
                Err(err) => {
                    let msg = err.to_string();
                    blocking(move || {
                        for (_, id) in &sent {
                            store.retry_later(*id, retry_at, &msg)?;
                        }
                        Ok(())
                    })
                    .await?;
                    return Err(err);
                }
                Ok(resp) => {
                    let (applied, duplicates, rejected) = blocking(move || {
                        // How far Lightspeed is, as the hub said with its answer: kept
                        // before the changes leave the queue, so nothing shows an old
                        // "done" for a state Lightspeed does not have yet.
                        let going: Vec<(uuid::Uuid, String)> = resp
                            .results
                            .iter()
                            .filter_map(|x| {
                                let state = x.lightspeed_state.clone()?;
                                let seq = i64::try_from(x.seq).ok()?;
                                consignment_of.get(&seq).map(|c| (*c, state))
                            })
                            .collect();
                        store.set_lightspeed_states(&going)?;
                        let (mut a, mut d, mut r) = (0, 0, 0);
                        for (seq, id) in &sent {
                            let result = resp
                                .results
                                .iter()
                                .find(|x| i64::try_from(x.seq).ok() == Some(*seq));
                            match result.map(|x| &x.outcome) {
                                Some(MutationOutcome::Applied) => {
                                    store.mark_done(*seq)?;
                                    a += 1;
                                }
                                Some(MutationOutcome::Duplicate) => {
                                    store.mark_done(*seq)?;
                                    d += 1;
                                }
                                Some(MutationOutcome::Rejected { code, message }) => {
                                    store.mark_needs_attention(*id, code, message)?;
                                    r += 1;
                                }
                                None => {
                                    store.retry_later(*id, retry_at, "no answer from the hub")?
                                }
                            }
                        }
                        Ok((a, d, r))
                    })
                    .await?;
                    report.applied += applied;
                    report.duplicates += duplicates;
                    report.rejected += rejected;
                }
            }
        }
    }

    /// Replaces the station's view with the hub's for each consignment a person
    /// discarded a change of, or whose pulled view waited behind our own changes (the
    /// hub's cursor would not send it again by itself), once nothing of it is left
    /// unanswered.
    async fn refresh_discarded(&mut self, report: &mut CycleReport) -> Result<(), SyncError> {
        let store = self.store.clone();
        let ids = blocking(move || Ok(store.consignments_ready_to_refresh()?)).await?;
        for id in ids {
            let snapshot = self.client.snapshot(id).await?;
            let changes = incoming(&snapshot.changes());
            let store = self.store.clone();
            let outcome = blocking(move || Ok(store.refresh_consignment(id, &changes)?)).await?;
            if outcome != Refreshed::Waiting {
                tracing::info!(consignment = %id, ?outcome, "local view replaced by the hub's");
                report.refreshed += 1;
            }
        }
        Ok(())
    }

    async fn pull_all(&mut self, report: &mut CycleReport) -> Result<(), SyncError> {
        let store = self.store.clone();
        let mut cursor = blocking(move || Ok(store.pull_cursor()?))
            .await?
            .and_then(|c| u64::try_from(c).ok())
            .unwrap_or(0);
        loop {
            let store = self.store.clone();
            let (pool, backlog) = blocking(move || {
                let s = store.sync_status()?;
                Ok((
                    store.reference_pool()?,
                    (s.pending + s.in_flight, s.needs_attention),
                ))
            })
            .await?;
            let references = ReferenceNumbers {
                left: pool.left,
                highest: pool.highest,
            };
            let page = self
                .client
                .pull(
                    cursor,
                    Some(self.config.pull_limit),
                    Some(references),
                    Some(backlog),
                )
                .await?;
            report.pulled += page.changes.len();
            let changes = incoming(&page.changes);
            let lightspeed: Vec<(uuid::Uuid, String)> = page
                .changes
                .iter()
                .filter_map(|c| match &c.row {
                    Row::Consignment(c) => c.lightspeed_state.clone().map(|s| (c.id, s)),
                    _ => None,
                })
                .collect();
            let freight: Vec<tally_store::FreightTrackingState> = page
                .freight_tracking
                .iter()
                .flatten()
                .map(|t| tally_store::FreightTrackingState {
                    consignment_id: t.consignment_id,
                    booking_id: t.booking_id.clone(),
                    carrier_name: t.carrier_name.clone(),
                    state: t.state.clone(),
                    carrier_status: t.carrier_status.clone(),
                    changed_at: t.changed_at.clone(),
                    cancelled_tracking_numbers: t.cancelled_tracking_numbers.clone(),
                })
                .collect();
            let next = page.next_cursor;
            let block = page.reference_block;
            let policies = page
                .policies
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| SyncError::Malformed(e.to_string()))?;
            let store = self.store.clone();
            let policies_changed = blocking(move || {
                store.apply_pulled(&changes, i64::try_from(next).unwrap_or(i64::MAX))?;
                store.set_lightspeed_states(&lightspeed)?;
                store.set_freight_tracking(&freight)?;
                let mut changed = false;
                if let Some(json) = policies {
                    if store.hub_policies()?.as_deref() != Some(json.as_str()) {
                        store.set_hub_policies(&json)?;
                        changed = true;
                    }
                }
                // Its own transaction: if the station stops before this, its next pull
                // reports the lower top and the hub sends the same block again.
                if let Some(b) = block {
                    store.add_reference_block(b.first, b.last)?;
                    tracing::info!(
                        first = b.first,
                        last = b.last,
                        "reference numbers received from the hub"
                    );
                }
                Ok(changed)
            })
            .await?;
            if policies_changed {
                report.policies_changed = true;
            }
            if block.is_some() {
                report.reference_blocks += 1;
            }
            cursor = next;
            if !page.has_more {
                return Ok(());
            }
        }
    }

    /// Runs cycles until `stop` turns true; `wake` starts a cycle at once (after a
    /// local action). Backs off while the hub is unreachable.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>, wake: Arc<Notify>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let pause = match self.run_once().await {
                Ok(report) => {
                    if report.pushed + report.pulled > 0 {
                        tracing::debug!(?report, "sync cycle");
                    }
                    self.config.interval
                }
                Err(e) => {
                    tracing::warn!(code = e.code(), error = %e, "sync cycle failed; will retry");
                    self.backoff()
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = wake.notified() => {}
                _ = stop.changed() => {}
            }
        }
    }
}
