//! The receiving station (issue 11): receive a purchase order or an incoming transfer in
//! one or more sessions, count by scan or by typing, explain variances with reasons,
//! photos and a manager's sign-off, sign with vector strokes, close the receipt, and
//! print a receiving report.
//!
//! Data flow: every use case reads a [`progress::Snapshot`] (expected against received
//! over all sessions), asks `tally_domain` (status machine, variance rules) and only then
//! writes through one `Store::transact` (rows + outbox + audit). Photos and signature
//! images are evidence files named by their SHA-256; the receipt rows carry the hashes,
//! so the hub can fetch them later by hash and a retry never duplicates one.

mod closing;
mod counting;
mod evidence_upload;
pub mod photo;
mod policy;
mod progress;
mod report;
pub mod signature;
pub mod view;

pub use policy::{ReceivingPolicy, ReceivingState};
pub use view::*;
