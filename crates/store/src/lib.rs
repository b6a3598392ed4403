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

pub mod audit;
pub mod error;
pub mod migrate;
pub mod outbox;
mod sql;
pub mod store;

pub use audit::{Actor, AuditEntry};
pub use error::{Result, StoreError};
pub use outbox::{MutationRef, OutboxEntry, OutboxState, SyncStatus};
pub use store::{OpenReport, Store, Tx};
