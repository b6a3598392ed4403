//! Tracking numbers of incoming consignments, from their boxes (the sender's booking
//! put them there; the hub's pull brought them here), with where the parcels are (the
//! hub polls the carrier and sends the state with pulls).

use tally_store::Direction;

use super::views::IncomingTracking;
use crate::error::AppError;
use crate::App;

impl App {
    /// Tracking numbers of this outlet's open incoming consignments that have any.
    pub fn incoming_tracking(&self) -> Result<Vec<IncomingTracking>, AppError> {
        self.actor()?;
        let outlet = self.outlet_id()?;
        let mut out = Vec::new();
        for c in self.store().list_open_consignments(outlet)? {
            if c.direction != Direction::Incoming {
                continue;
            }
            let mut boxes = self.store().boxes(c.id)?;
            boxes.sort_by_key(|b| b.number);
            let numbers: Vec<String> = boxes
                .into_iter()
                .filter_map(|b| b.tracking_number)
                .collect();
            // A cancelled label's numbers are never shown as live (the pull strikes
            // them off the boxes too; this covers a box the hub re-sent meanwhile).
            if !numbers.is_empty() && c.freight_state.as_deref() != Some("cancelled") {
                out.push(IncomingTracking {
                    consignment_id: c.id.to_string(),
                    tracking_numbers: numbers,
                    state: c.freight_state.clone(),
                });
            }
        }
        Ok(out)
    }
}
