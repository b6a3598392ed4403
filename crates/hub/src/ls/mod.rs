//! The hub's Lightspeed side: the saga outbox worker (and, next, the poller).

pub mod backoff;
pub mod client_port;
pub mod dead_letter;
pub mod hooked;
pub mod poller;
pub mod port;
pub mod saga;
pub mod tokens;
pub mod worker;

pub mod memory;
#[cfg(test)]
mod tests;

pub use client_port::LightspeedApi;
pub use poller::{poll_page, Feed, PollError};
pub use port::{
    LightspeedPort, LsConsignment, LsConsignmentChange, LsFailure, LsLine, LsResult, LsSale,
    LsStock, NewLsConsignment, VersionPage,
};
pub use saga::{desired_remote_lines, marker, run_saga, SagaError, SagaProgress, BULK_LIMIT};
pub use tokens::{open_token_store, LightspeedSettings, TokenStoreKind};
pub use worker::{SagaWorker, WorkerConfig};
