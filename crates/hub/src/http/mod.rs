//! The hub's HTTP surface, composed from feature modules: the sync API, webhooks,
//! admin pages, metrics and health. Every request gets an `x-request-id` (kept
//! if the caller sent one) that is recorded in its tracing span and echoed back.

mod auth;
mod error;
pub mod evidence_api;
mod health;
mod sync_api;

pub use auth::DeviceAuth;
pub use error::ApiError;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::Response;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::Hub;

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";

/// All routes of the hub.
pub fn router(hub: Hub) -> Router {
    let limit = hub.config().max_body_bytes;
    let request_id = HeaderName::from_static(REQUEST_ID);
    let signature = HeaderName::try_from(hub.config().webhooks.signature_header.as_str())
        .unwrap_or_else(|_| HeaderName::from_static("x-signature"));
    Router::new()
        .merge(sync_api::routes())
        .merge(evidence_api::routes())
        .merge(crate::freight::api::routes())
        .merge(crate::webhooks::routes(&hub.config().webhooks))
        .merge(crate::admin::router())
        .merge(crate::metrics::routes())
        .route("/healthz", axum::routing::get(health::healthz))
        .layer(DefaultBodyLimit::max(limit))
        .layer(from_fn_with_state(hub.clone(), count_requests))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(
            ServiceBuilder::new()
                // Tokens, cookies and signatures never reach a log line.
                .layer(SetSensitiveRequestHeadersLayer::new([
                    header::AUTHORIZATION,
                    header::COOKIE,
                    signature,
                ]))
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        request_id = %id,
                        method = %req.method(),
                        path = %req.uri().path(),
                    )
                }))
                .layer(PropagateRequestIdLayer::new(request_id)),
        )
        .with_state(hub)
}

/// Counts requests by route pattern and status for `/metrics`.
async fn count_requests(State(hub): State<Hub>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let response = next.run(req).await;
    hub.edges()
        .metrics()
        .http_request(&route, response.status().as_u16());
    response
}
