//! Lightspeed Retail X-Series API 2.0 client: OAuth2 refresh, rate-limit budget, Retry-After, version cursors, typed errors.
//!
//! Invariants: the rotated refresh token is saved before the new access token is
//! used; only retryable errors are retried, and a POST whose outcome is unknown is
//! handed back to the caller rather than repeated; tokens never reach a log.

mod auth;
pub mod budget;
pub mod client;
pub mod config;
pub mod consignments;
pub mod credentials;
pub mod cursor;
pub mod error;
#[cfg(feature = "keychain")]
pub mod keychain;
pub mod models;
pub mod retry;
pub mod retry_after;
pub mod token_store;

pub use budget::{BudgetConfig, BudgetSnapshot, RateBudget};
pub use client::{ClientStats, LightspeedClient};
pub use config::ClientConfig;
pub use consignments::{Created, BULK_LIMIT};
pub use credentials::Credentials;
pub use cursor::{CursorWalker, WalkProgress};
pub use error::{ErrorClass, LsError};
pub use retry::RetryPolicy;
pub use token_store::{FileTokenStore, InMemoryTokenStore, StoredTokens, TokenStore};
