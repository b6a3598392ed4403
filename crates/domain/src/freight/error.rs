//! Errors of the freight rules. Kept apart from `DomainError` while another change
//! edits that file; the codes are stable either way.

use crate::error::ErrorCode;

/// A freight rule that cannot be met. Returned before anything is booked or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FreightRuleError {
    /// The container catalog offers nothing to pack into.
    #[error("no containers are set up for freight; add satchels or boxes in settings")]
    NoContainers,
    /// There is nothing to ship.
    #[error("there is nothing to pack: every line has quantity 0")]
    NothingToShip,
    /// One item is too heavy or too big for every container in the catalog.
    #[error("{product} does not fit any container ({reason}); pack it by hand or ship it in its own carton")]
    ItemFitsNoContainer { product: String, reason: String },
    /// Too many units to plan at once.
    #[error("{units} units are too many to plan in one go (limit {max}); split the consignment")]
    TooManyUnits { units: u64, max: u64 },
    /// No carrier has a rate card, so nothing can be priced.
    #[error("no carrier rates are set up, so boxes cannot be priced")]
    NoCarrierPriced,
    /// A parcel is heavier than the carrier accepts.
    #[error("{carrier} takes parcels up to {max_kg} kg; this one weighs {kg} kg")]
    OverWeightLimit {
        carrier: String,
        kg: String,
        max_kg: String,
    },
    /// A parcel's longest side is longer than the carrier accepts.
    #[error("{carrier} takes parcels up to {max_cm} cm long; this one is {cm} cm")]
    OverLengthLimit {
        carrier: String,
        cm: u32,
        max_cm: u32,
    },
    /// A parcel's length + width + height is more than the carrier accepts.
    #[error(
        "{carrier} takes parcels up to {max_cm} cm length + width + height; this one is {cm} cm"
    )]
    OverGirthLimit {
        carrier: String,
        cm: u64,
        max_cm: u64,
    },
}

impl FreightRuleError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NoContainers => "FREIGHT_NO_CONTAINERS",
            Self::NothingToShip => "FREIGHT_NOTHING_TO_SHIP",
            Self::ItemFitsNoContainer { .. } => "FREIGHT_ITEM_FITS_NO_CONTAINER",
            Self::TooManyUnits { .. } => "FREIGHT_TOO_MANY_UNITS",
            Self::NoCarrierPriced => "FREIGHT_NO_CARRIER_PRICED",
            Self::OverWeightLimit { .. } => "FREIGHT_OVER_WEIGHT_LIMIT",
            Self::OverLengthLimit { .. } => "FREIGHT_OVER_LENGTH_LIMIT",
            Self::OverGirthLimit { .. } => "FREIGHT_OVER_GIRTH_LIMIT",
        }
    }
}
