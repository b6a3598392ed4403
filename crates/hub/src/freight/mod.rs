//! Freight at the hub: the hub holds the carrier keys and is the only booker.
//! Stations ask `POST /freight/quote` and `POST /freight/book` (device-token
//! authenticated, like the sync API); admins read the freight report at
//! `/admin/freight`, next to the sync dashboard.

pub mod api;
mod desk;
mod ledger;
pub mod report;
pub mod setup;

pub use desk::FreightDesk;
pub use ledger::{FreightLedger, LedgerEntry};

use tally_freight::FreightError;

use crate::HubError;

/// Why a freight request was not done.
#[derive(Debug, thiserror::Error)]
pub enum FreightRefusal {
    /// No carrier is configured at this hub.
    #[error("no freight carrier is set up at the hub; ask an admin to add the carrier keys")]
    NotConfigured,
    /// The hub has no address for an outlet.
    #[error("the hub has no address for outlet {outlet_id}; ask an admin to add it")]
    AddressMissing { outlet_id: String },
    /// The station's outlet does not send this consignment.
    #[error("only the sending outlet books freight for this consignment")]
    NotTheSender,
    /// A carrier refused or failed.
    #[error(transparent)]
    Carrier(#[from] FreightError),
    /// The hub itself failed.
    #[error(transparent)]
    Hub(#[from] HubError),
}

impl FreightRefusal {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotConfigured => "FREIGHT_NOT_CONFIGURED",
            Self::AddressMissing { .. } => "OUTLET_ADDRESS_MISSING",
            Self::NotTheSender => "NOT_THE_SENDER",
            Self::Carrier(e) => e.code(),
            Self::Hub(e) => e.code(),
        }
    }
}
