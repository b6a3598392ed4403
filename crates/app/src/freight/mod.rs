//! Freight in the packing flow (issue 12): once every box is closed and weighed, quotes
//! from every carrier the hub has, side by side, with the cheapest one meeting the
//! required service level preselected; booking through the hub (exactly once per box
//! set), the carrier labels printed at the bench, tracking numbers on the boxes and
//! the consignment (they sync to the receiving outlet). Offline, "book when back
//! online" is recorded and the sync loop books it when the hub answers. A booked label
//! may be cancelled (signed in, with a reason; offline it waits like a booking), and
//! the hub's polled tracking state shows on the sending and the receiving lists.

mod book;
mod cancel;
mod deferred;
mod quotes;
mod tracking;
pub mod views;

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, OnceLock};

use tally_freight::{FreightError, HubFreightClient, QuoteComparison, ShipmentRequest};
use uuid::Uuid;

pub use views::*;

use crate::error::AppError;

/// The service level transfers need: stock is wanted on the shelf the next day.
pub const REQUIRED_LEVEL: tally_freight::ServiceLevel = tally_freight::ServiceLevel::Overnight;

/// Freight state kept in memory: the hub client and the last quotes shown per
/// consignment (booking takes a row of them).
#[derive(Default)]
pub struct FreightState {
    client: OnceLock<HubFreightClient>,
    last_quotes: Mutex<HashMap<Uuid, (ShipmentRequest, QuoteComparison)>>,
    /// A deferred-booking run is in progress (one at a time).
    running: AtomicBool,
}

impl FreightState {
    /// Connects freight to the hub with the station's device token.
    pub fn set_client(&self, client: HubFreightClient) {
        let _ = self.client.set(client);
    }

    fn client(&self) -> Result<&HubFreightClient, AppError> {
        self.client.get().ok_or_else(|| {
            AppError::new(
                "FREIGHT_OFFLINE",
                "This station has not reached its hub yet, so there are no carrier prices. Pack and weigh as usual; book when back online.",
            )
        })
    }

    fn remember(&self, id: Uuid, req: ShipmentRequest, c: QuoteComparison) {
        self.last_quotes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, (req, c));
    }

    fn remembered(&self, id: Uuid) -> Option<(ShipmentRequest, QuoteComparison)> {
        self.last_quotes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }
}

/// A freight error as the bench sees it, with what to do.
pub(crate) fn freight_error(e: &FreightError) -> AppError {
    let message = match e {
        FreightError::HubUnreachable { .. } => "The hub is out of reach, so carriers cannot be asked now. Press Enter to book when back online: the cheapest overnight service is booked then.".to_owned(),
        FreightError::HubRefused { code, message, .. } if code == "FREIGHT_NOT_CONFIGURED" => {
            format!("{message}. Until then, book freight the old way and type the tracking number on the box.")
        }
        FreightError::HubRefused { message, .. } => {
            let mut m = message.clone();
            if let Some(first) = m.get(..1) {
                let upper = first.to_uppercase();
                m.replace_range(..1, &upper);
            }
            if !m.ends_with('.') {
                m.push('.');
            }
            if e.is_retryable() {
                m.push_str(" Try again in a moment.");
            }
            m
        }
        other => other.to_string(),
    };
    AppError::new(e.code(), message)
}
