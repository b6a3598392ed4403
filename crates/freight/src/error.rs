//! The freight crate's error: retryable vs rejected, each with a stable code.

use tally_domain::ErrorCode;

use crate::carrier::CarrierKind;

/// Something went wrong talking to a carrier, or a shipment cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FreightError {
    /// No answer. `may_have_arrived` is true when the request was sent (a booking
    /// may exist): search by reference before booking again.
    #[error("{carrier} could not be reached ({detail}); try again")]
    Unreachable {
        carrier: CarrierKind,
        detail: String,
        may_have_arrived: bool,
    },
    /// The carrier answered 5xx.
    #[error("{carrier} is having trouble (HTTP {status}); try again shortly")]
    CarrierUnavailable { carrier: CarrierKind, status: u16 },
    /// The carrier answered 429.
    #[error("{carrier} asked us to slow down; try again in {retry_after_secs} s")]
    RateLimited {
        carrier: CarrierKind,
        retry_after_secs: u64,
    },
    /// The carrier refused the credentials.
    #[error("{carrier} refused our keys; check the carrier keys for this outlet")]
    AuthRejected { carrier: CarrierKind },
    /// The carrier refused the request (over limits, bad address, expired quote...).
    #[error("{carrier} refused this: {reason}")]
    Rejected {
        carrier: CarrierKind,
        status: u16,
        reason: String,
    },
    /// The carrier's answer could not be read.
    #[error("{carrier} sent an answer Tally could not read ({detail})")]
    BadResponse {
        carrier: CarrierKind,
        detail: String,
    },
    /// The label is still being made.
    #[error("{carrier} has not finished label {booking_id} yet; try again in a moment")]
    LabelNotReady {
        carrier: CarrierKind,
        booking_id: String,
    },
    /// The carrier will not cancel the label (already picked up, in transit, delivered).
    #[error("{carrier} will not cancel this label: {reason}")]
    CancelRefused {
        carrier: CarrierKind,
        reason: String,
    },
    /// The carrier does not offer this label format.
    #[error("{carrier} does not offer {format} labels; print the PDF instead")]
    LabelFormatNotOffered {
        carrier: CarrierKind,
        format: String,
    },
    /// A credential is not configured.
    #[error("carrier key {name} is not set; add it to the keychain or environment")]
    MissingCredentials { name: String },
    /// A box has no stable scale reading, so it cannot be booked.
    #[error("box {box_number} has no stable scale reading; weigh it again before booking")]
    WeightNotStable { box_number: u32 },
    /// A quote from one carrier was handed to another.
    #[error("this quote is from {quote_carrier}, not {carrier}")]
    QuoteCarrierMismatch {
        carrier: CarrierKind,
        quote_carrier: CarrierKind,
    },
    /// The shipment is not complete enough to send.
    #[error("the shipment cannot be sent: {reason}")]
    InvalidShipment { reason: String },
    /// The hub (which holds the carrier keys) could not be reached.
    #[error("the hub could not be reached ({detail}); freight is booked when it is back")]
    HubUnreachable { detail: String },
    /// The hub answered with an error.
    #[error("{message}")]
    HubRefused {
        status: u16,
        code: String,
        message: String,
    },
}

impl FreightError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unreachable { .. } => "CARRIER_UNREACHABLE",
            Self::CarrierUnavailable { .. } => "CARRIER_UNAVAILABLE",
            Self::RateLimited { .. } => "CARRIER_RATE_LIMITED",
            Self::AuthRejected { .. } => "CARRIER_AUTH_REJECTED",
            Self::Rejected { .. } => "CARRIER_REJECTED",
            Self::BadResponse { .. } => "CARRIER_BAD_RESPONSE",
            Self::LabelNotReady { .. } => "LABEL_NOT_READY",
            Self::LabelFormatNotOffered { .. } => "LABEL_FORMAT_NOT_OFFERED",
            Self::CancelRefused { .. } => "CARRIER_CANCEL_REFUSED",
            Self::MissingCredentials { .. } => "CARRIER_NOT_CONFIGURED",
            Self::WeightNotStable { .. } => "BOX_WEIGHT_NOT_STABLE",
            Self::QuoteCarrierMismatch { .. } => "QUOTE_CARRIER_MISMATCH",
            Self::InvalidShipment { .. } => "SHIPMENT_INVALID",
            Self::HubUnreachable { .. } => "HUB_UNREACHABLE",
            // The hub's own code, when it is one of ours; a generic one otherwise.
            Self::HubRefused { code, .. } => known_code(code),
        }
    }

    /// Whether trying the same call again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::CarrierUnavailable { .. }
                | Self::RateLimited { .. }
                | Self::LabelNotReady { .. }
                | Self::HubUnreachable { .. }
        ) || matches!(self, Self::HubRefused { status, .. } if *status >= 500 || *status == 429)
    }

    /// Whether a booking call that failed this way may still have been made at the
    /// carrier (so the carrier must be searched by reference before booking again).
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Unreachable {
                may_have_arrived, ..
            } => *may_have_arrived,
            Self::CarrierUnavailable { .. }
            | Self::BadResponse { .. }
            | Self::LabelNotReady { .. } => true,
            _ => false,
        }
    }
}

/// Codes the hub may answer with, as static strings (unknown ones become `HUB_REFUSED`).
fn known_code(code: &str) -> ErrorCode {
    const KNOWN: &[&str] = &[
        "CARRIER_UNREACHABLE",
        "CARRIER_UNAVAILABLE",
        "CARRIER_RATE_LIMITED",
        "CARRIER_AUTH_REJECTED",
        "CARRIER_REJECTED",
        "CARRIER_BAD_RESPONSE",
        "LABEL_NOT_READY",
        "LABEL_FORMAT_NOT_OFFERED",
        "CARRIER_CANCEL_REFUSED",
        "FREIGHT_NOT_BOOKED",
        "FREIGHT_CANCEL_REASON_MISSING",
        "CARRIER_NOT_CONFIGURED",
        "BOX_WEIGHT_NOT_STABLE",
        "QUOTE_CARRIER_MISMATCH",
        "SHIPMENT_INVALID",
        "FREIGHT_NOT_CONFIGURED",
        "OUTLET_ADDRESS_MISSING",
        "NOT_THE_SENDER",
        "UNAUTHENTICATED",
        "UNKNOWN_DEVICE_TOKEN",
        "DEVICE_REVOKED",
        "MALFORMED_REQUEST",
    ];
    KNOWN
        .iter()
        .copied()
        .find(|k| *k == code)
        .unwrap_or("HUB_REFUSED")
}
