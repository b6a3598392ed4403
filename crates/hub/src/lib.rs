//! The central CIS service: sync API, Lightspeed sagas, dead-letter list, poller,
//! webhooks, admin pages, metrics.
//!
//! Invariants: the hub is the only holder of the Lightspeed token and the only
//! spender of its rate limit; every outlet mutation is checked with the domain's
//! rules (`rules`) before any write; an acknowledged push is durable.

pub mod admin;
pub mod catalog;
pub mod config;
pub mod devices;
pub mod edges;
pub mod error;
pub mod escalation;
pub mod freight;
pub mod http;
mod hub;
pub mod ls;
pub mod metrics;
pub mod pull;
pub mod push;
pub mod references;
pub mod rules;
pub mod secrets;
pub mod stock;
pub mod store;
pub mod webhooks;

pub use config::{HubConfig, PinHashCost, Policies};
pub use devices::Enrolment;
pub use error::HubError;
pub use hub::{Hub, HubHandle};
pub use store::{HubStore, HubTx, SqliteHubStore};
#[cfg(test)]
pub(crate) mod testing;
