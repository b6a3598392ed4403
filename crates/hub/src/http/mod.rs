//! The hub's HTTP surface, composed from feature modules. Each feature adds its
//! own routes here (webhooks and admin pages come next).

mod auth;
mod error;
mod sync_api;

pub use auth::DeviceAuth;
pub use error::ApiError;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use tower_http::trace::TraceLayer;

use crate::Hub;

/// All routes of the hub.
pub fn router(hub: Hub) -> Router {
    let limit = hub.config().max_body_bytes;
    Router::new()
        .merge(sync_api::routes())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(limit))
        .layer(TraceLayer::new_for_http())
        .with_state(hub)
}
