//! Lightspeed webhooks: `POST /webhooks/lightspeed`, HMAC-verified on the raw
//! body, size-limited, deduplicated, recorded and answered at once; a worker then
//! re-reads each named object from Lightspeed. A webhook is a hint, never the truth:
//! the poller's version cursors stay the source of truth and heal missed ones.

mod config;
mod lightspeed_hints;
pub mod payload;
mod receive;
pub mod signature;
mod worker;

use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use axum::Router;

pub use config::{WebhookConfig, WebhookSecret};
pub use lightspeed_hints::LightspeedHints;
pub use worker::{HintError, HintHandler, HintWorker};

use crate::Hub;

/// The webhook route, with its own (small) body limit.
pub fn routes(config: &WebhookConfig) -> Router<Hub> {
    Router::new().route(
        "/webhooks/lightspeed",
        post(receive::receive).layer(DefaultBodyLimit::max(config.max_body_bytes)),
    )
}
