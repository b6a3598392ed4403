//! A booked shipment, its labels and its status.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use tally_domain::freight::BookingRecord;

use crate::carrier::CarrierKind;

/// Tracking for one box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookedParcel {
    pub box_number: u32,
    pub tracking_number: String,
    pub tracking_url: Option<String>,
}

/// A booking with the carrier (it cost money; cancelling is its own audited action).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub carrier: CarrierKind,
    pub carrier_name: String,
    /// The idempotency reference it was booked under.
    pub reference: String,
    /// The carrier's id (NZ Post consignment id, GoSweetSpot connote).
    pub booking_id: String,
    pub service_code: String,
    pub parcels: Vec<BookedParcel>,
    /// Ids to fetch labels with.
    pub label_ids: Vec<String>,
    pub price_excl_gst: Option<Decimal>,
    /// True when this booking was found by reference rather than made by this call.
    pub found_existing: bool,
}

impl Booking {
    /// The freight-report record of this booking (cost 0 if the price is unknown).
    pub fn record(
        &self,
        consignment_id: &str,
        origin: &str,
        destination: &str,
        units: u32,
    ) -> BookingRecord {
        BookingRecord {
            consignment_id: consignment_id.to_owned(),
            carrier: self.carrier_name.clone(),
            service: self.service_code.clone(),
            origin: origin.to_owned(),
            destination: destination.to_owned(),
            boxes: u32::try_from(self.parcels.len()).unwrap_or(u32::MAX),
            units,
            cost_excl_gst: self.price_excl_gst.unwrap_or_default(),
            cancelled: false,
        }
    }
}

/// Label file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelFormat {
    Pdf,
    /// Zebra thermal printers.
    Zpl,
}

impl std::fmt::Display for LabelFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Pdf => "PDF",
            Self::Zpl => "ZPL",
        })
    }
}

/// One label file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub label_id: String,
    pub format: LabelFormat,
    pub bytes: Vec<u8>,
}

/// Where a booking is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum TrackingState {
    LabelPending,
    LabelReady,
    InTransit,
    Delivered,
    Cancelled,
    /// A carrier status Tally does not map yet.
    Other(String),
}

impl TrackingState {
    /// Reads a carrier's status words (NZ Post's `consignment_status`, GoSweetSpot's
    /// `Status`), case and spacing ignored.
    pub fn from_carrier_words(words: &str) -> TrackingState {
        let w: String = words
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match w.as_str() {
            "processing" | "pending" => Self::LabelPending,
            "complete" | "labelcreated" | "booked" => Self::LabelReady,
            "pickedup" | "intransit" | "outfordelivery" => Self::InTransit,
            "delivered" => Self::Delivered,
            "cancelled" | "canceled" | "deleted" => Self::Cancelled,
            _ => Self::Other(words.to_owned()),
        }
    }

    /// The stable name stations show: `booked`, `in_transit`, `delivered`, `cancelled`
    /// (a label not made yet counts as booked; an unknown word as `other`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::LabelPending | Self::LabelReady => "booked",
            Self::InTransit => "in_transit",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
            Self::Other(_) => "other",
        }
    }

    /// Delivered and cancelled bookings change no more: polling them stops.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Delivered | Self::Cancelled)
    }

    /// Whether the label may still be cancelled (nothing has been picked up).
    pub fn cancellable(&self) -> bool {
        matches!(self, Self::LabelPending | Self::LabelReady)
    }
}

/// A booking's status as the carrier reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingStatus {
    pub state: TrackingState,
    /// The carrier's own words.
    pub carrier_status: String,
}

#[cfg(test)]
mod tests {
    use super::TrackingState;

    #[test]
    fn carrier_words_map_to_the_states_stations_show() {
        for (words, state) in [
            ("Complete", "booked"),
            ("LabelCreated", "booked"),
            ("Picked Up", "in_transit"),
            ("InTransit", "in_transit"),
            ("Delivered", "delivered"),
            ("Cancelled", "cancelled"),
            ("Lost at sea", "other"),
        ] {
            assert_eq!(
                TrackingState::from_carrier_words(words).as_str(),
                state,
                "{words}"
            );
        }
        assert!(TrackingState::Delivered.is_final() && !TrackingState::InTransit.is_final());
        assert!(TrackingState::LabelReady.cancellable() && !TrackingState::InTransit.cancellable());
    }
}
