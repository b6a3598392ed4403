//! Freight through the hub: the wire types of `POST /freight/quote`,
//! `POST /freight/book` and `POST /freight/cancel`, and the station's client for them. The hub holds the
//! carrier keys and is the only booker; a station sends what it packed.

use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tally_domain::freight::DeliveryOptions;

use crate::booking::{Booking, Label, LabelFormat};
use crate::compare::QuoteComparison;
use crate::error::FreightError;
use crate::quote::{Quote, ServiceLevel};
use crate::shipment::ShipBox;

/// Quote path on the hub.
pub const QUOTE_PATH: &str = "/freight/quote";
/// Book path on the hub.
pub const BOOK_PATH: &str = "/freight/book";
/// Cancel path on the hub.
pub const CANCEL_PATH: &str = "/freight/cancel";

/// What a station asks quotes for: its packed boxes going to another outlet. The
/// origin is the station's own outlet (from its device token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRequest {
    pub consignment_id: String,
    /// Printed on the label and part of the booking reference.
    pub consignment_ref: String,
    pub destination_outlet_id: String,
    pub boxes: Vec<ShipBox>,
    pub options: DeliveryOptions,
    pub required_level: ServiceLevel,
}

/// A booking request: the shipment and the quote chosen from the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookRequest {
    pub shipment: ShipmentRequest,
    pub quote: Quote,
    /// Units in the boxes (for the freight report's cost per unit).
    pub units: u32,
    /// The format the station's label printer takes; PDF always comes too.
    pub label_format: LabelFormat,
}

/// A label file on the wire (bytes as base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireLabel {
    pub label_id: String,
    pub format: LabelFormat,
    pub base64: String,
}

impl WireLabel {
    /// Encodes a label.
    pub fn from_label(l: &Label) -> Self {
        Self {
            label_id: l.label_id.clone(),
            format: l.format,
            base64: base64::engine::general_purpose::STANDARD.encode(&l.bytes),
        }
    }

    /// Decodes it back.
    pub fn to_label(&self) -> Result<Label, FreightError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.base64)
            .map_err(|e| FreightError::HubRefused {
                status: 200,
                code: "HUB_REFUSED".into(),
                message: format!("the hub sent a label that could not be read ({e})"),
            })?;
        Ok(Label {
            label_id: self.label_id.clone(),
            format: self.format,
            bytes,
        })
    }
}

/// The hub's answer to a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookResponse {
    pub booking: Booking,
    /// PDF labels always; ZPL ones too when asked for and the carrier offers them.
    pub labels: Vec<WireLabel>,
    /// True when this box set was booked before (a retry): nothing was booked now.
    pub already_booked: bool,
}

/// Cancelling a consignment's booked label: who asks and why (the hub audits both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRequest {
    pub consignment_id: String,
    /// The carrier booking to cancel (a repeat of a done cancel is answered as done).
    pub booking_id: String,
    /// Why (required): kept with the hub's audit record.
    pub reason: String,
    /// The signed-in person at the station (staff id and name).
    pub requested_by: String,
}

/// The hub's answer to a cancel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelResponse {
    pub booking_id: String,
    /// True when this booking was cancelled before: nothing was done now.
    pub already_cancelled: bool,
    /// When the hub recorded the cancel (RFC 3339).
    pub cancelled_at: String,
}

/// The hub's error body (same shape as the sync API's).
#[derive(Debug, Clone, Deserialize)]
struct HubErrorBody {
    code: String,
    message: String,
}

/// The station's client for the hub's freight endpoints.
#[derive(Debug, Clone)]
pub struct HubFreightClient {
    base_url: String,
    token: String,
    http: reqwest::Client,
}

impl HubFreightClient {
    /// A client for the hub at `base_url`, authenticated with the station's device token.
    pub fn new(base_url: &str, token: &str, timeout: Duration) -> Result<Self, FreightError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| FreightError::HubUnreachable {
                detail: format!("HTTP client could not start: {e}"),
            })?;
        Ok(Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            http,
        })
    }

    /// Quotes from every carrier the hub has, side by side.
    pub async fn quote(&self, req: &ShipmentRequest) -> Result<QuoteComparison, FreightError> {
        self.post(QUOTE_PATH, req).await
    }

    /// Books (or finds the earlier booking of) the box set with the chosen quote.
    pub async fn book(&self, req: &BookRequest) -> Result<BookResponse, FreightError> {
        self.post(BOOK_PATH, req).await
    }

    /// Cancels a booked label (idempotent: a repeat answers `already_cancelled`).
    pub async fn cancel(&self, req: &CancelRequest) -> Result<CancelResponse, FreightError> {
        self.post(CANCEL_PATH, req).await
    }

    async fn post<B: Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, FreightError> {
        let resp = self
            .http
            .post(format!("{}{path}", self.base_url))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(|e| FreightError::HubUnreachable {
                detail: if e.is_timeout() {
                    "timed out".to_owned()
                } else {
                    e.to_string()
                },
            })?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| FreightError::HubUnreachable {
                detail: format!("answer lost: {e}"),
            })?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| FreightError::HubRefused {
                status: status.as_u16(),
                code: "HUB_REFUSED".into(),
                message: format!("the hub sent an answer Tally could not read ({e})"),
            });
        }
        let (code, message) = match serde_json::from_slice::<HubErrorBody>(&bytes) {
            Ok(b) => (b.code, b.message),
            Err(_) => (
                "HUB_REFUSED".to_owned(),
                format!("the hub answered HTTP {status}"),
            ),
        };
        Err(FreightError::HubRefused {
            status: status.as_u16(),
            code,
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_survives_the_trip_through_base64() {
        let l = Label {
            label_id: "L1".into(),
            format: LabelFormat::Pdf,
            bytes: b"%PDF-1.4 \x00\xff".to_vec(),
        };
        assert_eq!(WireLabel::from_label(&l).to_label().unwrap(), l);
    }

    #[test]
    fn a_hub_error_keeps_our_codes_and_hides_unknown_ones() {
        let known = FreightError::HubRefused {
            status: 422,
            code: "CARRIER_REJECTED".into(),
            message: "x".into(),
        };
        assert_eq!(known.code(), "CARRIER_REJECTED");
        assert!(!known.is_retryable());
        let busy = FreightError::HubRefused {
            status: 503,
            code: "CARRIER_UNAVAILABLE".into(),
            message: "x".into(),
        };
        assert!(busy.is_retryable());
        let unknown = FreightError::HubRefused {
            status: 400,
            code: "SOMETHING_ELSE".into(),
            message: "x".into(),
        };
        assert_eq!(unknown.code(), "HUB_REFUSED");
        assert!(!unknown.is_retryable());
    }
}
