//! A fake Lightspeed Retail X-Series API 2.0 for tests, benchmarks and the demo.
//!
//! It is as strict and as unpleasant as `docs/LIGHTSPEED.md` describes: the four
//! consignment types and their transitions, no status change without lines,
//! RECEIVED only with something received, SUPPLIER auto-dispatch, additive bulk on
//! SUPPLIER, no line changes after close, 201 on create, `{"data"}` and
//! `{"error","message"}` envelopes, decimal strings and numbers mixed, version
//! cursors with deleted objects, read-only inventory moved by consignments, OAuth
//! with rotating refresh tokens, a rolling-window rate limit with `Retry-After` as
//! an HTTP date, and seeded fault injection per route. In memory only.
//!
//! Choices where Lightspeed's behaviour is not documented (UNCERTAIN) are listed in
//! `crates/testkit/README.md`.

mod admin;
mod catalog;
mod config;
mod consignments;
mod oauth;
mod persist;
mod rate_limit;
mod rules;
mod server;
mod store;
mod views;
mod webhooks;
mod wire;

pub use config::{FakeConfig, RateLimitConfig, ResetFormat};
pub use oauth::OAuthStats;
pub use rate_limit::RateLimitStats;
pub use server::{FakeError, FakeHandle, FakeLightspeed};
pub use views::{ConsignmentView, LineView, ProductView};
pub use webhooks::{
    delivery_body, sign as sign_webhook, WebhookSender, WebhookStats, WebhookTarget,
};
