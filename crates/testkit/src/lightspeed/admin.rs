//! `/__admin/*`: runtime control of a running fake for the demo (fault plan, request
//! log, a fresh refresh token, stats). Never faulted, never authenticated: loopback only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::server::AppState;
use crate::faults::FaultPlan;

pub(crate) fn routes(app: AppState) -> Router {
    Router::new()
        .route(
            "/__admin/faults",
            get(get_faults).put(put_faults).delete(clear_faults),
        )
        .route("/__admin/requests", get(requests))
        .route("/__admin/refresh-token", post(refresh_token))
        .route("/__admin/stats", get(stats))
        .with_state(app)
}

async fn get_faults(State(app): State<AppState>) -> Response {
    Json(json!({ "plan": app.faults.plan(), "fired": app.faults.fired() })).into_response()
}

async fn put_faults(State(app): State<AppState>, Json(plan): Json<FaultPlan>) -> Response {
    app.faults.set_plan(plan);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(app): State<AppState>) -> Response {
    app.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn requests(State(app): State<AppState>) -> Response {
    Json(app.faults.log().records()).into_response()
}

async fn refresh_token(State(app): State<AppState>) -> Response {
    Json(json!({ "refresh_token": app.oauth.issue_refresh_token() })).into_response()
}

async fn stats(State(app): State<AppState>) -> Response {
    let o = app.oauth.stats();
    let r = app.limiter.stats();
    Json(json!({
        "oauth": {
            "refreshes_granted": o.refreshes_granted,
            "refreshes_refused": o.refreshes_refused,
            "unauthorized_calls": o.unauthorized_calls,
        },
        "rate_limit": {
            "limit": r.limit,
            "window_ms": r.window.as_millis() as u64,
            "accepted": r.accepted,
            "rejected": r.rejected,
            "max_in_window": r.max_in_window,
        },
        "requests": app.faults.log().len(),
        "faults_fired": app.faults.total_fired(),
    }))
    .into_response()
}
