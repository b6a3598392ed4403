//! The outlet side of sync: push the store's outbox in order, pull the hub's
//! changes into the store, and report the state for the UI's sync indicator.

pub mod client;
pub mod sync_loop;
pub mod translate;

pub use client::HubClient;
pub use sync_loop::{CycleReport, SyncIndicator, SyncLoop, SyncLoopConfig};
