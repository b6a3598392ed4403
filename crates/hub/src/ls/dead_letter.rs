//! The dead-letter list: sagas Lightspeed refused, parked with its response until
//! an operator retries or discards them (the admin page calls these).

use time::OffsetDateTime;
use uuid::Uuid;

use crate::store::{read_with, write_with, HubStore, SagaRecord, SagaState};
use crate::HubError;

/// Parked sagas, oldest first.
pub fn list(store: &dyn HubStore) -> Result<Vec<SagaRecord>, HubError> {
    read_with(store, |tx| tx.sagas_in_state(SagaState::Dead))
}

fn parked(tx: &mut dyn crate::HubTx, id: Uuid) -> Result<SagaRecord, HubError> {
    match tx.saga(id)? {
        Some(s) if s.state == SagaState::Dead => Ok(s),
        _ => Err(HubError::NotFound {
            what: "dead letter",
            id: id.to_string(),
        }),
    }
}

/// Puts a parked saga back in the queue, due now. Its flags (create and bulk
/// attempted) are kept, so the retry is as safe as the first run.
pub fn retry(store: &dyn HubStore, id: Uuid) -> Result<(), HubError> {
    write_with(store, |tx| {
        let mut s = parked(tx, id)?;
        let now = OffsetDateTime::now_utc();
        s.state = SagaState::Pending;
        s.attempts = 0;
        s.next_at = now;
        s.updated_at = now;
        tx.update_saga(&s)?;
        tx.record_change(crate::store::Entity::Consignment, &id.to_string())
    })?;
    tracing::info!(consignment_id = %id, "dead letter retried");
    Ok(())
}

/// Gives up pushing the current state of a parked saga. Later changes to the
/// consignment queue it again.
pub fn discard(store: &dyn HubStore, id: Uuid) -> Result<(), HubError> {
    write_with(store, |tx| {
        let mut s = parked(tx, id)?;
        s.state = SagaState::Done;
        s.done_gen = s.wanted_gen;
        s.last_error = Some("discarded by an operator".into());
        s.updated_at = OffsetDateTime::now_utc();
        tx.update_saga(&s)?;
        tx.record_change(crate::store::Entity::Consignment, &id.to_string())
    })?;
    tracing::warn!(consignment_id = %id, "dead letter discarded");
    Ok(())
}
