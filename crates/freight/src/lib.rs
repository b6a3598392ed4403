//! NZ Post and GoSweetSpot clients behind one [`Carrier`] trait (quote, book, label,
//! status, cancel), the exactly-once [`Booker`], and the side-by-side [`compare`] of quotes.
//!
//! Invariants: never books twice for one box set (the booker searches the carrier
//! by reference before every booking and serialises bookings per reference);
//! never logs a secret; base URLs come from configuration, so tests point the
//! clients at the loopback fakes in `tally-testkit`.

pub mod booker;
pub mod booking;
pub mod carrier;
pub mod compare;
pub mod credentials;
pub mod error;
pub mod gosweetspot;
mod http;
pub mod hub_api;
pub mod nzpost;
pub mod quote;
pub mod shipment;

pub use booker::Booker;
pub use booking::{BookedParcel, Booking, BookingStatus, Label, LabelFormat, TrackingState};
pub use carrier::{Carrier, CarrierKind};
pub use compare::{
    compare, compare_carriers, BoxWeightNote, CarrierFailure, QuoteComparison, QuoteRow,
};
pub use credentials::{
    EnvSecrets, GoSweetSpotCredentials, MapSecrets, NzPostCredentials, Secret, SecretSource,
};
pub use error::FreightError;
pub use gosweetspot::{GoSweetSpot, GoSweetSpotConfig};
pub use hub_api::{
    BookRequest, BookResponse, CancelRequest, CancelResponse, HubFreightClient, ShipmentRequest,
    WireLabel,
};
pub use nzpost::{NzPost, NzPostConfig};
pub use quote::{BoxCharge, Quote, ServiceLevel};
pub use shipment::{Address, ShipBox, Shipment, Weighed};
