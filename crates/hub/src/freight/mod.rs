//! Freight at the hub: the hub holds the carrier keys and is the only booker.
//! Stations ask `POST /freight/quote`, `POST /freight/book` and `POST /freight/cancel`
//! (device-token authenticated, like the sync API) and get each booking's tracking
//! state with their pulls (the hub polls the carriers); admins read the freight report
//! at `/admin/freight`, next to the sync dashboard.

pub mod api;
mod config;
mod desk;
mod ledger;
pub mod report;
pub mod setup;
pub mod tracking;

pub use config::{Baseline, BaselineBasis, FreightConfig, OutletAccounts, OutletGss, OutletNzPost};
pub use desk::FreightDesk;
pub use ledger::{FreightAudit, FreightLedger, LedgerEntry};

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
    /// Nothing booked under that booking id for the consignment.
    #[error("the hub has no such booked label for this consignment")]
    NotBooked,
    /// A cancel must say who and why.
    #[error("say who cancels the label and why; both are kept with the record")]
    CancelReasonMissing,
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
            Self::NotBooked => "FREIGHT_NOT_BOOKED",
            Self::CancelReasonMissing => "FREIGHT_CANCEL_REASON_MISSING",
            Self::Carrier(e) => e.code(),
            Self::Hub(e) => e.code(),
        }
    }
}
