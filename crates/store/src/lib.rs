//! The outlet's SQLite store: migrations, repositories, transactional outbox,
//! hash-chained audit log, evidence files.
//!
//! Invariants:
//! - Every user action is ONE transaction writing its rows, one outbox mutation and
//!   one audit entry (`Store::transact`), committed with WAL + `synchronous=FULL`
//!   before the caller acknowledges it.
//! - Scan events are append-only; packed and received quantities are derived from
//!   scan events and receipt lines, never stored as counters.
//! - A damaged database or audit chain is a loud error at open, never rebuilt.
//! - Evidence file names are content hashes, never user input.
//! - No business rules here: `tally-domain` decides, the store records.
//!
//! Storage conventions: ids are UUID text, times unix milliseconds (UTC), decimals
//! exact TEXT, enums their `as_str` names.

pub mod approval;
pub mod audit;
pub mod catalog;
pub mod consignment;
pub mod error;
pub mod evidence;
pub mod freight;
pub mod migrate;
pub mod outbox;
pub mod parcel;
pub mod pull;
pub mod receiving;
pub mod scan;
mod sql;
pub mod staff;
pub mod station;
pub mod stock;
pub mod store;
pub mod supplier_return;

pub use approval::{Approval, ApprovalDecision, ApprovalInput};
pub use audit::{Actor, AuditEntry, GENESIS_HASH};
pub use catalog::{CodeKind, Dimensions, Outlet, Product, ProductHit, Supplier};
pub use consignment::{
    Consignment, ConsignmentLine, Direction, LineProgress, NewConsignment, OpenConsignment,
};
pub use error::{Result, StoreError};
pub use evidence::{hashes_in as evidence_hashes_in, ContentHash, EvidenceStore};
pub use freight::{
    FreightBooked, FreightBooking, FreightCancellation, FreightState, FreightTrackingState,
};
pub use outbox::{MutationRef, OutboxEntry, OutboxState, SyncStatus};
pub use parcel::{BoxChange, Parcel, Weight};
pub use pull::{PullReport, PulledChanges, PulledConsignment, Refreshed};
pub use receiving::{Receipt, ReceiptClose, ReceiptLine, ReceiptLineInput, VarianceReason};
pub use scan::{ScanAck, ScanEvent, ScanInput, ScanOrigin, ScanPurpose};
pub use staff::{hash_pin, hash_pin_with_cost, StaffMember, StaffRecord};
pub use station::{ReferencePool, StationInfo};
pub use stock::{StockCoverage, StockFacts, SupplierStock};
pub use store::{OpenReport, Store, Tx};
pub use supplier_return::{
    HubHistoryEntry, NewSupplierCredit, ReturnAuthorisation, ReturnDetails, ReturnLineReason,
    SupplierCredit,
};
