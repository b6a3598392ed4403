//! Pure business rules of Tally: consignment kinds and status machines, the
//! CIS <-> Lightspeed mapping, approval tiers, quantities, barcodes.
//!
//! Invariant: no IO, no async, no clock reads. Callers pass `now` in.

pub mod consignment;
pub mod error;
pub mod lightspeed;
pub mod money;
pub mod role;

pub use consignment::{ConsignmentKind, ConsignmentStatus};
pub use error::{DomainError, ErrorCode};
pub use lightspeed::{LsConsignmentStatus, LsConsignmentType};
pub use money::{consignment_totals, LineAmount, Money, Quantity, Totals, GST_RATE};
pub use role::Role;
