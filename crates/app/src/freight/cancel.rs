//! Cancelling a booked carrier label: its own audited action, by a signed-in person
//! with a reason. The hub cancels at the carrier (nothing is charged for an unused
//! label) and keeps the old booking in its ledger as cancelled; here the booking is
//! removed, so the same boxes can be quoted and booked again. Offline, the cancel waits
//! and the sync loop sends it when the hub answers (like a deferred booking).

use tally_freight::{CancelRequest, FreightError};
use tally_store::{Actor, FreightCancellation};
use uuid::Uuid;

use super::freight_error;
use super::views::FreightCancelView;
use crate::app::parse_id;
use crate::error::AppError;
use crate::App;

fn view(c: &FreightCancellation, already: bool, message: String) -> FreightCancelView {
    FreightCancelView {
        consignment_id: c.consignment_id.to_string(),
        booking_id: c.booking_id.clone(),
        carrier_name: c.carrier_name.clone(),
        state: if c.state == "done" {
            "cancelled".to_owned()
        } else {
            "waiting".to_owned()
        },
        already_cancelled: already,
        reason: c.reason.clone(),
        message,
    }
}

impl App {
    /// Cancels the consignment's booked label: at the hub now, or when it answers.
    pub async fn cancel_freight(
        &self,
        consignment_id: &str,
        reason: &str,
    ) -> Result<FreightCancelView, AppError> {
        let actor = self.actor()?;
        let id = parse_id("consignment", consignment_id)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::new(
                "FREIGHT_CANCEL_REASON_MISSING",
                "Say why the label is cancelled; it is kept with the record.",
            ));
        }
        let c = self.store().freight_cancel_requested(&actor, id, reason)?;
        tracing::info!(consignment_id = %id, booking_id = %c.booking_id, "freight cancel asked for");
        match self.send_cancel(&actor, &c).await {
            Ok(v) => Ok(v),
            Err(e) if e.is_retryable() => {
                let note = freight_error(&e).message;
                self.store().freight_cancel_attempt_failed(c.id, &note)?;
                self.nudge_sync();
                Ok(view(
                    &c,
                    false,
                    format!("{note} The label is cancelled as soon as the hub answers. Keep the label off the boxes."),
                ))
            }
            Err(e) => {
                let err = freight_error(&e);
                self.store()
                    .freight_cancel_refused(&actor, c.id, &err.message)?;
                Err(err)
            }
        }
    }

    /// Sends one cancel to the hub and records it done.
    async fn send_cancel(
        &self,
        actor: &Actor,
        c: &FreightCancellation,
    ) -> Result<FreightCancelView, FreightError> {
        let client = self
            .freight
            .client()
            .map_err(|e| FreightError::HubUnreachable { detail: e.message })?
            .clone();
        let person = self
            .store()
            .staff_member(c.requested_by)
            .map(|s| format!("{} ({})", s.name, c.requested_by))
            .unwrap_or_else(|_| c.requested_by.to_string());
        let answer = client
            .cancel(&CancelRequest {
                consignment_id: c.consignment_id.to_string(),
                booking_id: c.booking_id.clone(),
                reason: c.reason.clone(),
                requested_by: person,
            })
            .await?;
        let done =
            self.store()
                .freight_cancelled(actor, c.id)
                .map_err(|e| FreightError::HubRefused {
                    status: 200,
                    code: "FREIGHT_RECORD_FAILED".into(),
                    message: AppError::from(e).message,
                })?;
        self.nudge_sync();
        Ok(view(
            &done,
            answer.already_cancelled,
            format!(
                "Label {} cancelled: nothing is charged for it. Take it off the boxes; get prices again to book new labels.",
                done.booking_id
            ),
        ))
    }

    /// After a sync cycle that reached the hub: sends the cancels that waited. Returns
    /// how many were done.
    pub(crate) async fn send_waiting_cancels(&self) -> usize {
        let waiting = match self.store().freight_cancels_waiting() {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(code = %e.code(), "waiting freight cancels not read");
                return 0;
            }
        };
        let mut done = 0;
        for c in waiting {
            let actor = Actor::Staff(c.requested_by);
            match self.send_cancel(&actor, &c).await {
                Ok(_) => done += 1,
                Err(e) if e.is_retryable() => {
                    let _ = self
                        .store()
                        .freight_cancel_attempt_failed(c.id, &freight_error(&e).message);
                }
                Err(e) => {
                    tracing::warn!(consignment_id = %c.consignment_id, code = e.code(), "freight cancel refused by the hub");
                    if let Err(err) = self.store().freight_cancel_refused(
                        &actor,
                        c.id,
                        &freight_error(&e).message,
                    ) {
                        tracing::warn!(code = %err.code(), "refused cancel not recorded");
                    }
                }
            }
        }
        done
    }

    /// A cancel of the consignment's label waiting for the hub, if any.
    pub(crate) fn waiting_cancel(&self, id: Uuid) -> Result<Option<FreightCancellation>, AppError> {
        Ok(self
            .store()
            .freight_cancellations(id)?
            .into_iter()
            .find(|c| c.state == "waiting"))
    }
}
