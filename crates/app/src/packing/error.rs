//! What the packing bench refuses, each with a stable code and the fix in words a
//! packer understands.

use crate::error::AppError;

/// A packing use case said no.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackingError {
    /// The consignment is not something this bench packs (a PO, a stocktake, incoming).
    #[error("{reference} is not packed here: only outgoing transfers and supplier returns are packed at this bench.")]
    NotPackedHere { reference: String },

    /// Packing is over (packed, sent, cancelled).
    #[error("{reference} is {status} and takes no more scans. Reopen packing from the consignment if something must change.")]
    NotPacking { reference: String, status: String },

    /// A quantity key of 0 or an absurd quantity.
    #[error("The quantity must be between 1 and {max}. Type the number of units, then scan.")]
    BadQuantity { max: u32 },

    /// An over-pack or an unexpected product needs a reason before it is recorded.
    #[error("Say why ({what}) before confirming.")]
    ReasonRequired { what: &'static str },

    /// A confirmation that no longer matches what the screen showed.
    #[error("{what}. Scan it again.")]
    NothingToConfirm { what: String },

    /// The product is already a line (so it is not "not on the consignment").
    #[error("{name} is already on this consignment; scan it normally.")]
    AlreadyOnConsignment { name: String },

    /// An unknown container code.
    #[error("There is no container called {code}. Choose one from the list.")]
    UnknownContainer { code: String },

    /// A new box while this bench's open box holds goods.
    #[error(
        "Box {number} is still open with goods in it. Close it first (F4 or scan *CLOSE-BOX*)."
    )]
    BoxStillOpen { number: u32 },

    /// No box is open to close.
    #[error("There is no open box: the next scan opens one.")]
    NoOpenBox,

    /// The box belongs to another consignment.
    #[error("That box belongs to another consignment.")]
    BoxElsewhere,

    /// The box is already closed.
    #[error("Box {number} is already closed. Open a new box with F2 or scan *NEW-BOX*.")]
    BoxAlreadyClosed { number: u32 },

    /// A typed weight while a working scale is connected.
    #[error(
        "This bench has a working scale: put the box on the scale instead of typing its weight."
    )]
    TypedWeightWithScale,

    /// A typed weight of zero or an impossible one.
    #[error("Type the box's weight in grams (between 1 g and {max_kg} kg).")]
    BadTypedWeight { max_kg: u32 },

    /// Closing needs a weight but there is no scale and none was typed.
    #[error("This bench has no scale: type the box's weight in grams.")]
    NoScale,

    /// The box label was never printed, so there is nothing to reprint.
    #[error("Box {number}'s label has not been printed yet; close the box to print it.")]
    NoLabelYet { number: u32 },

    /// Sending with lines packed short and no reason given.
    #[error("{count} line(s) are not fully packed ({first} and others). Pack them, or give a reason to send them short.")]
    ShortWithoutReason { count: usize, first: String },

    /// A short-ship reason for a line that is not short.
    #[error("{sku} is fully packed; it needs no short-ship reason.")]
    NotShort { sku: String },

    /// A box with goods in it has no weight.
    #[error("Box {number} has not been weighed. Weigh and close it before sending.")]
    BoxNotWeighed { number: u32 },

    /// A carrier handover needs a booked label first.
    #[error("A carrier handover needs a booked carrier label first. The consignment is packed; book the carrier, then hand it over.")]
    CarrierNeedsBooking,
}

impl PackingError {
    /// The stable code of this refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotPackedHere { .. } => "NOT_PACKED_HERE",
            Self::NotPacking { .. } => "NOT_PACKING",
            Self::BadQuantity { .. } => "BAD_QUANTITY",
            Self::ReasonRequired { .. } => "REASON_REQUIRED",
            Self::NothingToConfirm { .. } => "NOTHING_TO_CONFIRM",
            Self::AlreadyOnConsignment { .. } => "ALREADY_ON_CONSIGNMENT",
            Self::UnknownContainer { .. } => "UNKNOWN_CONTAINER",
            Self::BoxStillOpen { .. } => "BOX_STILL_OPEN",
            Self::NoOpenBox => "NO_OPEN_BOX",
            Self::BoxElsewhere => "BOX_ELSEWHERE",
            Self::BoxAlreadyClosed { .. } => "BOX_ALREADY_CLOSED",
            Self::TypedWeightWithScale => "TYPED_WEIGHT_WITH_SCALE",
            Self::BadTypedWeight { .. } => "BAD_TYPED_WEIGHT",
            Self::NoScale => "NO_SCALE",
            Self::NoLabelYet { .. } => "NO_LABEL_YET",
            Self::ShortWithoutReason { .. } => "SHORT_WITHOUT_REASON",
            Self::NotShort { .. } => "NOT_SHORT",
            Self::BoxNotWeighed { .. } => "BOX_NOT_WEIGHED",
            Self::CarrierNeedsBooking => "CARRIER_NEEDS_BOOKING",
        }
    }
}

impl From<PackingError> for AppError {
    fn from(e: PackingError) -> Self {
        AppError::new(e.code(), e.to_string())
    }
}

/// A device problem (scale not steady, printer out of labels) as the UI sees it.
pub(crate) fn device_error(e: tally_devices::DeviceError) -> AppError {
    AppError::new(e.code(), e.to_string())
}

/// A label that could not be drawn (bad input reached the renderer).
pub(crate) fn label_error(e: tally_labels::LabelError) -> AppError {
    AppError::new(e.code(), format!("The label could not be drawn: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_distinct_screaming_snake_code() {
        let all = [
            PackingError::NotPackedHere {
                reference: "R".into(),
            },
            PackingError::NotPacking {
                reference: "R".into(),
                status: "sent".into(),
            },
            PackingError::BadQuantity { max: 9 },
            PackingError::ReasonRequired { what: "x" },
            PackingError::NothingToConfirm { what: "x".into() },
            PackingError::AlreadyOnConsignment { name: "x".into() },
            PackingError::UnknownContainer { code: "x".into() },
            PackingError::BoxStillOpen { number: 1 },
            PackingError::NoOpenBox,
            PackingError::BoxElsewhere,
            PackingError::BoxAlreadyClosed { number: 1 },
            PackingError::TypedWeightWithScale,
            PackingError::BadTypedWeight { max_kg: 50 },
            PackingError::NoScale,
            PackingError::NoLabelYet { number: 1 },
            PackingError::ShortWithoutReason {
                count: 1,
                first: "x".into(),
            },
            PackingError::NotShort { sku: "x".into() },
            PackingError::BoxNotWeighed { number: 1 },
            PackingError::CarrierNeedsBooking,
        ];
        let mut codes: Vec<&str> = all.iter().map(PackingError::code).collect();
        assert!(codes
            .iter()
            .all(|c| c.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_')));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|e| e.to_string().ends_with('.')));
    }
}
