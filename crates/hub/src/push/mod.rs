//! Applying an outlet's push: in seq order, each mutation in its own unit together
//! with the device's `last_seq`, so a replayed push changes nothing.
//!
//! Replays: a mutation id already answered gets `duplicate` if it was applied and
//! the same `rejected` answer if it was refused (so a lost response never hides a
//! rejection from the outlet).
//!
//! Order: an outlet keeps order per consignment, not across them, so a change held
//! behind a refused or retrying one of its consignment may arrive after later seqs
//! of other consignments. It is judged like any other: only a seq already answered
//! for a different mutation id (an outbox reset or restored) is refused.
//!
//! Independence: a rejected mutation does not stop the rest of the push. Every
//! later mutation, on the same consignment or another, is judged on the hub's
//! state as it is then. One that depended on the refused one fails its own rule
//! (e.g. a `line_set` after a refused `consignment_created` gets
//! `CONSIGNMENT_NOT_FOUND`); one that did not (a scan after a refused send) applies.

mod apply;

use tally_sync::{MutationOutcome, MutationResult, ParsedPush, PushResponse, PROTOCOL_VERSION};
use time::OffsetDateTime;
use tracing::{debug, info};

use crate::config::Policies;
use crate::store::{write_with, DeviceRecord, HubStore, HubTx, LoggedOutcome, StoreResult};
pub use apply::Applied;

/// Applies a parsed push from `device` and answers one result per mutation.
/// Commits once, after every mutation, before the answer is sent.
pub fn apply_push(
    store: &dyn HubStore,
    device: &DeviceRecord,
    push: &ParsedPush,
    now: OffsetDateTime,
    policies: &Policies,
) -> StoreResult<PushResponse> {
    write_with(store, |tx| {
        let mut results = Vec::with_capacity(push.mutations.len());
        // Re-read inside the transaction: another push from the same device may
        // have committed since authentication.
        let mut last_seq = tx.device(&device.id)?.map_or(0, |d| d.last_seq);
        for entry in &push.mutations {
            let (seq, mutation_id) = match entry {
                Ok(env) => (env.seq, env.mutation_id),
                Err(bad) => (bad.seq, bad.mutation_id),
            };
            let outcome = answer_one(tx, device, entry, last_seq, now, policies)?;
            if seq > last_seq && !matches!(outcome, Answer::SeqReused(_)) {
                last_seq = seq;
                tx.set_device_last_seq(&device.id, seq)?;
            }
            let outcome = outcome.into_outcome();
            let lightspeed_state = match (&outcome, entry) {
                (MutationOutcome::Applied, Ok(env)) => {
                    let id = env.mutation.consignment_id();
                    let at_lightspeed = tx
                        .consignment(id)?
                        .is_some_and(|h| h.lightspeed_id.is_some());
                    crate::pull::lightspeed_state(tx, id, at_lightspeed)?
                }
                _ => None,
            };
            results.push(MutationResult {
                seq,
                mutation_id,
                outcome,
                lightspeed_state,
            });
        }
        tx.touch_device(&device.id, now)?;
        Ok(PushResponse {
            protocol: PROTOCOL_VERSION,
            results,
            last_seq,
        })
    })
}

enum Answer {
    Fresh(MutationOutcome),
    Replay(MutationOutcome),
    SeqReused(MutationOutcome),
}

impl Answer {
    fn into_outcome(self) -> MutationOutcome {
        match self {
            Self::Fresh(o) | Self::Replay(o) | Self::SeqReused(o) => o,
        }
    }
}

fn answer_one(
    tx: &mut dyn HubTx,
    device: &DeviceRecord,
    entry: &Result<tally_sync::MutationEnvelope, tally_sync::protocol::push::MalformedMutation>,
    last_seq: u64,
    now: OffsetDateTime,
    policies: &Policies,
) -> StoreResult<Answer> {
    let (seq, mutation_id) = match entry {
        Ok(env) => (env.seq, env.mutation_id),
        Err(bad) => (bad.seq, bad.mutation_id),
    };
    if let Some(logged) = tx.logged_outcome(mutation_id)? {
        if logged.device_id != device.id {
            return Ok(Answer::SeqReused(MutationOutcome::rejected(
                "MUTATION_ID_REUSED",
                "another station already used this mutation id",
            )));
        }
        debug!(%mutation_id, seq, "replayed mutation");
        return Ok(Answer::Replay(match logged.outcome {
            MutationOutcome::Applied | MutationOutcome::Duplicate => MutationOutcome::Duplicate,
            rejected @ MutationOutcome::Rejected { .. } => rejected,
        }));
    }
    if seq <= last_seq && tx.seq_answered(&device.id, seq)? {
        // The seq was answered for a different mutation id: the outlet's outbox
        // was reset or restored. Refuse rather than guess.
        return Ok(Answer::SeqReused(MutationOutcome::rejected(
            "SEQ_ALREADY_USED",
            format!("sequence {seq} was already used by another change from this station"),
        )));
    }
    let (kind, consignment_id, outcome) = match entry {
        Err(bad) => (
            "malformed".to_string(),
            None,
            MutationOutcome::rejected(
                "MALFORMED_MUTATION",
                format!("the hub could not read this change: {}", bad.message),
            ),
        ),
        Ok(env) => {
            tx.begin_unit()?;
            let before = tx
                .consignment(env.mutation.consignment_id())?
                .map(|h| h.status);
            let applied = apply::apply_one(tx, device, env, now, policies).and_then(|a| {
                record_history(tx, device, env, before, now).map_err(apply::ApplyError::Store)?;
                Ok(a)
            });
            let outcome = match applied {
                Ok(_) => {
                    tx.commit_unit()?;
                    MutationOutcome::Applied
                }
                Err(apply::ApplyError::Refused(r)) => {
                    tx.rollback_unit()?;
                    info!(
                        mutation_id = %env.mutation_id,
                        consignment_id = %env.mutation.consignment_id(),
                        kind = env.mutation.kind(),
                        code = r.code,
                        "mutation rejected"
                    );
                    MutationOutcome::rejected(r.code, r.message)
                }
                Err(apply::ApplyError::Store(e)) => {
                    tx.rollback_unit()?;
                    return Err(e);
                }
            };
            (
                env.mutation.kind().to_string(),
                Some(env.mutation.consignment_id()),
                outcome,
            )
        }
    };
    tx.log_outcome(&LoggedOutcome {
        mutation_id,
        device_id: device.id.clone(),
        seq,
        kind,
        consignment_id,
        outcome: outcome.clone(),
        at: now,
    })?;
    Ok(Answer::Fresh(outcome))
}

/// Keeps what an applied mutation did to its consignment: who, when, from which
/// station, the status before and after, and the change as pushed.
fn record_history(
    tx: &mut dyn HubTx,
    device: &DeviceRecord,
    env: &tally_sync::MutationEnvelope,
    status_before: Option<tally_domain::ConsignmentStatus>,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let id = env.mutation.consignment_id();
    let status_after = tx.consignment(id)?.map(|h| h.status);
    let staff_name = tx.staff(&env.actor.staff_id)?.map(|s| s.name);
    let payload = serde_json::to_value(&env.mutation)
        .map(|mut v| v["payload"].take())
        .unwrap_or_default();
    tx.insert_history(
        id,
        &tally_sync::HistoryRow {
            mutation_id: env.mutation_id,
            kind: env.mutation.kind().to_string(),
            staff_id: Some(env.actor.staff_id.clone()),
            staff_name,
            device_id: Some(device.id.clone()),
            outlet_id: Some(device.outlet_id.clone()),
            at: env.created_at,
            applied_at: now,
            status_before,
            status_after,
            payload,
        },
    )
}

#[cfg(test)]
mod returns_tests;
#[cfg(test)]
mod tests;
