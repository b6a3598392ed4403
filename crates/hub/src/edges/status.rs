//! The sync state the dashboard and `/metrics` show, read in one place.

use std::collections::BTreeMap;
use std::time::Duration;

use tally_domain::{ConsignmentKind, ConsignmentStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{BudgetReading, WebhookQueueStats};
use crate::metrics::{TimingSummary, WebhookOutcome};
use crate::store::{read_with, SagaState};
use crate::{Hub, HubError};

/// A dead-lettered saga as an operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterView {
    /// The consignment.
    pub consignment_id: Uuid,
    /// Its human reference.
    pub reference: Option<String>,
    /// Its kind.
    pub kind: Option<ConsignmentKind>,
    /// Its CIS status.
    pub status: Option<ConsignmentStatus>,
    /// Why it was parked (code and HTTP status).
    pub error: Option<String>,
    /// Lightspeed's response body.
    pub body: Option<String>,
    /// When it was parked.
    pub parked_at: OffsetDateTime,
}

/// One outlet's sync health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletView {
    /// Outlet id.
    pub outlet_id: String,
    /// Name, if the hub knows the outlet.
    pub name: Option<String>,
    /// Enrolled, unrevoked stations.
    pub stations: u32,
    /// Last push or pull from any of its stations.
    pub last_contact: Option<OffsetDateTime>,
    /// Its consignments whose changes are still on their way to Lightspeed.
    pub pending: u64,
    /// Its consignments parked in the dead-letter list.
    pub dead: u64,
    /// Changes its stations have not got to the hub yet (as they last reported).
    pub station_waiting: u64,
    /// Changes the hub refused that wait for a person at its stations.
    pub station_attention: u64,
}

/// Webhook figures since the hub started, and the hint queue now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookCounts {
    /// Verified deliveries (new and duplicate).
    pub received: u64,
    /// Repeated deliveries not queued again.
    pub duplicates: u64,
    /// Refused deliveries (signature, size, malformed).
    pub rejected: u64,
    /// Refused for a bad or missing signature.
    pub rejected_signature: u64,
    /// The hint queue.
    pub queue: WebhookQueueStats,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone)]
pub struct SyncStatus {
    /// When read.
    pub now: OffsetDateTime,
    /// Sagas waiting to reach Lightspeed.
    pub queue_depth: u64,
    /// How long the longest-waiting one has waited.
    pub oldest_waiting: Option<Duration>,
    /// Saga attempts over the last hour.
    pub timings: TimingSummary,
    /// The dead-letter list, oldest first.
    pub dead_letters: Vec<DeadLetterView>,
    /// Per-outlet health.
    pub outlets: Vec<OutletView>,
    /// Lightspeed's rate budget, if known.
    pub budget: Option<BudgetReading>,
    /// Webhooks.
    pub webhooks: WebhookCounts,
    /// When the hub started.
    pub started_at: OffsetDateTime,
}

#[derive(Default)]
struct OutletAcc {
    name: Option<String>,
    stations: u32,
    last_contact: Option<OffsetDateTime>,
    pending: u64,
    dead: u64,
    station_waiting: u64,
    station_attention: u64,
}

impl SyncStatus {
    /// Reads the state now.
    pub async fn read(hub: &Hub) -> Result<Self, HubError> {
        let store = hub.store();
        let edges = hub.edges().store();
        let (pending, dead, outlets, oldest, queue) = tokio::task::spawn_blocking(move || {
            let (pending, dead, outlets) = read_with(&*store, |tx| {
                let mut outlets: BTreeMap<String, OutletAcc> = BTreeMap::new();
                for d in tx.devices()? {
                    let o = outlets.entry(d.outlet_id.clone()).or_default();
                    if !d.revoked {
                        o.stations += 1;
                        if let Some((waiting, attention)) = tx.device_backlog(&d.id)? {
                            o.station_waiting += waiting;
                            o.station_attention += attention;
                        }
                    }
                    o.last_contact = o.last_contact.max(d.last_seen_at);
                }
                let pending = tx.sagas_in_state(SagaState::Pending)?;
                let dead_sagas = tx.sagas_in_state(SagaState::Dead)?;
                let mut dead = Vec::with_capacity(dead_sagas.len());
                for (saga, is_dead) in pending
                    .iter()
                    .map(|s| (s, false))
                    .chain(dead_sagas.iter().map(|s| (s, true)))
                {
                    let header = tx.consignment(saga.consignment_id)?;
                    if let Some(h) = &header {
                        for outlet in [&h.source_outlet_id, &h.destination_outlet_id]
                            .into_iter()
                            .flatten()
                        {
                            let o = outlets.entry(outlet.clone()).or_default();
                            if is_dead {
                                o.dead += 1;
                            } else {
                                o.pending += 1;
                            }
                        }
                    }
                    if is_dead {
                        dead.push(DeadLetterView {
                            consignment_id: saga.consignment_id,
                            reference: header.as_ref().map(|h| h.reference.clone()),
                            kind: header.as_ref().map(|h| h.kind),
                            status: header.as_ref().map(|h| h.status),
                            error: saga.last_error.clone(),
                            body: saga.dead_body.clone(),
                            parked_at: saga.updated_at,
                        });
                    }
                }
                for (id, o) in outlets.iter_mut() {
                    o.name = tx.outlet(id)?.map(|r| r.name);
                }
                Ok((pending.len() as u64, dead, outlets))
            })?;
            let oldest = edges.oldest_waiting_saga()?;
            let queue = edges.webhook_queue_stats()?;
            Ok::<_, HubError>((pending, dead, outlets, oldest, queue))
        })
        .await
        .map_err(|e| HubError::Task(e.to_string()))??;
        let now = OffsetDateTime::now_utc();
        let metrics = hub.edges().metrics();
        let count = |o| metrics.webhook_count(o);
        let rejected = WebhookOutcome::ALL
            .into_iter()
            .filter(|o| o.is_rejection())
            .map(count)
            .sum();
        Ok(Self {
            now,
            queue_depth: pending,
            oldest_waiting: oldest.map(|t| (now - t).try_into().unwrap_or(Duration::ZERO)),
            timings: metrics.timings().summary(),
            dead_letters: dead,
            outlets: outlets
                .into_iter()
                .map(|(outlet_id, o)| OutletView {
                    outlet_id,
                    name: o.name,
                    stations: o.stations,
                    last_contact: o.last_contact,
                    pending: o.pending,
                    dead: o.dead,
                    station_waiting: o.station_waiting,
                    station_attention: o.station_attention,
                })
                .collect(),
            budget: hub.edges().rate_budget(),
            webhooks: WebhookCounts {
                received: count(WebhookOutcome::Accepted) + count(WebhookOutcome::Duplicate),
                duplicates: count(WebhookOutcome::Duplicate),
                rejected,
                rejected_signature: count(WebhookOutcome::BadSignature)
                    + count(WebhookOutcome::MissingSignature),
                queue,
            },
            started_at: hub.edges().started_at(),
        })
    }
}
