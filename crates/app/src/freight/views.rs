//! What the freight panel and the incoming list show.

use serde::{Deserialize, Serialize};

use crate::packing::PrintResult;

/// Chargeable weight of one box under a carrier's divisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct BoxChargeView {
    pub box_number: u32,
    /// Kilograms, as decimal text.
    pub dead_kg: String,
    pub cubic_kg: String,
    pub chargeable_kg: String,
    /// `dead` or `cubic`: which one the carrier charges.
    pub basis: String,
}

/// One priced service, a row of the side-by-side table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FreightQuoteRow {
    /// What `book_freight` takes to book this row.
    pub key: String,
    /// `nz_post` or `go_sweet_spot` (the API that quoted).
    pub carrier: String,
    /// Who delivers (NZ Post, NZ Couriers, ...).
    pub carrier_name: String,
    pub service: String,
    pub service_code: String,
    /// `economy`, `overnight` or `express`.
    pub level: String,
    /// Dollars and cents, e.g. "8.95".
    pub price_excl_gst: String,
    pub gst: String,
    pub price_incl_gst: String,
    pub delivery_estimate: Option<String>,
    /// The carrier flagged the destination as rural (it costs extra).
    pub rural: bool,
    /// Total chargeable kilograms over all boxes.
    pub chargeable_kg: String,
    /// Total dead (scale) kilograms.
    pub dead_kg: String,
    /// `dead`, `cubic` or `mixed`: what the boxes are charged on.
    pub basis: String,
    pub boxes: Vec<BoxChargeView>,
    pub meets_required_level: bool,
    /// The cheapest row meeting the required level (preselected).
    pub cheapest: bool,
}

/// A carrier that gave no quote, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FreightFailureView {
    pub carrier: String,
    pub code: String,
    pub message: String,
}

/// Quotes side by side for a consignment's weighed boxes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FreightQuotes {
    /// The delivery options these prices include.
    pub options: DeliveryChoice,
    pub consignment_id: String,
    pub reference: String,
    /// Cheapest first.
    pub rows: Vec<FreightQuoteRow>,
    /// Index of the preselected row; `None` when no row can be booked as it is.
    pub preselected: Option<u32>,
    /// `overnight` for transfers: stock is needed next day.
    pub required_level: String,
    /// True only when every box has a stable scale reading (typed weights are flagged).
    pub all_weights_measured: bool,
    /// Boxes whose weight was typed, not read from the scale.
    pub typed_boxes: Vec<u32>,
    pub failures: Vec<FreightFailureView>,
    /// Freight already booked for these boxes.
    pub booked: Option<FreightBookingView>,
}

/// A consignment's freight booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FreightBookingView {
    pub consignment_id: String,
    /// `waiting` (booked when the hub is back), `booked`, or `cancelling` (a cancel of
    /// the booked label waits for the hub).
    pub state: String,
    pub carrier_name: Option<String>,
    pub service: Option<String>,
    pub price_excl_gst: Option<String>,
    pub price_incl_gst: Option<String>,
    /// One per box, in box order.
    pub tracking_numbers: Vec<String>,
    pub booking_id: Option<String>,
    /// This request found an earlier booking: nothing was booked twice.
    pub already_booked: bool,
    /// Where the carrier labels went (printer, file, or the problem).
    pub print: Option<PrintResult>,
    /// The label PDFs kept at this station.
    pub label_files: Vec<String>,
    /// Why a waiting booking is waiting (the last attempt's error), or what a waiting
    /// cancel waits for.
    pub note: Option<String>,
    /// Where the parcels are, as the hub last heard from the carrier: `booked`,
    /// `in_transit`, `delivered` (`None` until the hub has said).
    pub tracking_state: Option<String>,
}

/// What cancelling a booked label did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct FreightCancelView {
    pub consignment_id: String,
    /// The carrier's id of the cancelled booking.
    pub booking_id: String,
    pub carrier_name: Option<String>,
    /// `cancelled` (done at the carrier) or `waiting` (sent when the hub answers).
    pub state: String,
    /// This label had been cancelled before: nothing was done twice.
    pub already_cancelled: bool,
    pub reason: String,
    /// What happened and what to do, for the bench.
    pub message: String,
}

/// Tracking numbers of an incoming consignment's boxes (for the incoming list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct IncomingTracking {
    pub consignment_id: String,
    pub tracking_numbers: Vec<String>,
    /// Where the parcels are: `booked`, `in_transit`, `delivered`, `cancelled` (`None`
    /// until the hub has said).
    pub state: Option<String>,
}

/// Delivery options the packer asks for (FREIGHT.md): each may cost extra, and
/// Saturday switches carriers to an express service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
pub struct DeliveryChoice {
    /// The receiver signs.
    pub signature_required: bool,
    /// Never left at the door.
    pub no_authority_to_leave: bool,
    /// A photo at delivery.
    pub photo_on_delivery: bool,
    /// Delivered on Saturday.
    pub saturday: bool,
}

impl DeliveryChoice {
    /// The options for the carrier request.
    pub fn to_options(self) -> tally_domain::freight::DeliveryOptions {
        tally_domain::freight::DeliveryOptions {
            signature_required: self.signature_required,
            no_authority_to_leave: self.no_authority_to_leave,
            photo_on_delivery: self.photo_on_delivery,
            saturday: self.saturday,
            ..Default::default()
        }
    }

    /// What a request asked for, as the panel shows it.
    pub fn of(o: &tally_domain::freight::DeliveryOptions) -> Self {
        Self {
            signature_required: o.signature_required,
            no_authority_to_leave: o.no_authority_to_leave,
            photo_on_delivery: o.photo_on_delivery,
            saturday: o.saturday,
        }
    }
}
