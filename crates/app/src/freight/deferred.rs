//! "Book when back online": bookings recorded while the hub was out of reach (and
//! cancels of booked labels) are made by the sync loop after a cycle that reached the hub: fresh quotes, the row the
//! person picked if it is still offered (else the preselected one), then the booking.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tally_freight::{BookRequest, CarrierKind, LabelFormat, Quote, ShipmentRequest};
use tally_store::{Actor, FreightBooking};

use super::freight_error;
use crate::App;

/// The carrier service a person picked before the hub went away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Preferred {
    pub carrier: CarrierKind,
    pub service_code: String,
}

impl Preferred {
    pub(crate) fn of(q: &Quote) -> Self {
        Self {
            carrier: q.carrier,
            service_code: q.service_code.clone(),
        }
    }
}

/// What a waiting booking needs to be made later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeferredFreight {
    pub shipment: ShipmentRequest,
    pub preferred: Option<Preferred>,
    pub units: u32,
    pub label_format: LabelFormat,
}

impl App {
    /// After a sync cycle that reached the hub: books the waiting freight in the
    /// background (one run at a time).
    pub fn after_sync_reached_hub(app: &Arc<App>) {
        let waiting = match app.store().freight_waiting() {
            Ok(w) => w,
            Err(e) => {
                tracing::warn!(code = %e.code(), "waiting freight not read");
                return;
            }
        };
        let cancels = app
            .store()
            .freight_cancels_waiting()
            .map(|c| !c.is_empty())
            .unwrap_or(false);
        if (waiting.is_empty() && !cancels) || app.freight.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let app = Arc::clone(app);
        tokio::spawn(async move {
            // Cancels first: a booking of the same boxes may wait behind one.
            let cancelled = app.send_waiting_cancels().await;
            let booked = app.book_waiting_freight(waiting).await;
            app.freight.running.store(false, Ordering::Release);
            if booked + cancelled > 0 {
                app.report_data_changed();
            }
        });
    }

    /// Books each waiting consignment; returns how many were booked.
    async fn book_waiting_freight(&self, waiting: Vec<FreightBooking>) -> usize {
        let mut booked = 0;
        for w in waiting {
            match self.book_one_waiting(&w).await {
                Ok(()) => booked += 1,
                Err(message) => {
                    tracing::warn!(consignment_id = %w.consignment_id, %message, "waiting freight not booked yet");
                    if let Err(e) = self
                        .store()
                        .freight_attempt_failed(w.consignment_id, &message)
                    {
                        tracing::warn!(code = %e.code(), "freight attempt not recorded");
                    }
                }
            }
        }
        booked
    }

    async fn book_one_waiting(&self, w: &FreightBooking) -> Result<(), String> {
        let d: DeferredFreight = serde_json::from_str(&w.request).map_err(|e| {
            format!("The waiting booking could not be read ({e}); get quotes and book again.")
        })?;
        let actor = w
            .requested_by
            .map_or_else(|| Actor::System("freight".into()), Actor::Staff);
        let client = self.freight.client().map_err(|e| e.message)?.clone();
        let c = client
            .quote(&d.shipment)
            .await
            .map_err(|e| freight_error(&e).message)?;
        let preferred = d.preferred.as_ref().and_then(|p| {
            c.rows
                .iter()
                .find(|r| r.quote.carrier == p.carrier && r.quote.service_code == p.service_code)
        });
        let row = preferred
            .or_else(|| c.preselected.and_then(|i| c.rows.get(i)))
            .ok_or_else(|| {
                "No carrier offers an overnight service for these boxes now; get quotes and pick one.".to_owned()
            })?;
        let book = BookRequest {
            shipment: d.shipment.clone(),
            quote: row.quote.clone(),
            units: d.units,
            label_format: d.label_format,
        };
        self.send_booking(&actor, w.consignment_id, &book)
            .await
            .map(|_| ())
            .map_err(|e| freight_error(&e).message)
    }
}
