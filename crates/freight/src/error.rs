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
            Self::MissingCredentials { .. } => "CARRIER_NOT_CONFIGURED",
            Self::WeightNotStable { .. } => "BOX_WEIGHT_NOT_STABLE",
            Self::QuoteCarrierMismatch { .. } => "QUOTE_CARRIER_MISMATCH",
            Self::InvalidShipment { .. } => "SHIPMENT_INVALID",
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
        )
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
