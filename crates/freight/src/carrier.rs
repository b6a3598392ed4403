//! The one trait every carrier client implements.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::booking::{Booking, BookingStatus, Label, LabelFormat};
use crate::error::FreightError;
use crate::quote::Quote;
use crate::shipment::Shipment;

/// Which carrier API a quote or booking belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarrierKind {
    NzPost,
    GoSweetSpot,
}

impl CarrierKind {
    /// The name shown to people.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::NzPost => "NZ Post",
            Self::GoSweetSpot => "GoSweetSpot",
        }
    }
}

impl std::fmt::Display for CarrierKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.display_name())
    }
}

/// A carrier API: quote, book, fetch labels, read status, cancel, and find earlier bookings.
///
/// `book` is not idempotent on its own (it costs money each call); use
/// [`crate::Booker::book_once`], which searches with `find_booking` first.
#[async_trait]
pub trait Carrier: Send + Sync {
    /// Which API this is.
    fn kind(&self) -> CarrierKind;

    /// Prices for the shipment's boxes, excluding GST, one per service offered.
    async fn quote(&self, shipment: &Shipment) -> Result<Vec<Quote>, FreightError>;

    /// A booking made earlier under `reference`, if the carrier has one.
    async fn find_booking(
        &self,
        shipment: &Shipment,
        reference: &str,
    ) -> Result<Option<Booking>, FreightError>;

    /// Books the quoted service for the shipment's boxes under `reference`.
    async fn book(
        &self,
        shipment: &Shipment,
        quote: &Quote,
        reference: &str,
    ) -> Result<Booking, FreightError>;

    /// The labels of a booking in `format` (one per label id).
    async fn label(
        &self,
        booking: &Booking,
        format: LabelFormat,
    ) -> Result<Vec<Label>, FreightError>;

    /// Where the booking is now.
    async fn status(&self, booking: &Booking) -> Result<BookingStatus, FreightError>;

    /// Cancels the booking's labels (nothing is charged for a label never used). A label
    /// already cancelled is answered as done; one already picked up is refused with
    /// [`FreightError::CancelRefused`].
    async fn cancel(&self, booking: &Booking) -> Result<(), FreightError>;
}
