//! `GET /healthz`: the process answers and its database can be read.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;

use crate::Hub;

/// 200 `ok`, or 503 when the database does not answer within a second.
pub async fn healthz(State(hub): State<Hub>) -> (StatusCode, &'static str) {
    let store = hub.edges().store();
    let read = tokio::time::timeout(
        Duration::from_secs(1),
        tokio::task::spawn_blocking(move || store.admin_count()),
    )
    .await;
    match read {
        Ok(Ok(Ok(_))) => (StatusCode::OK, "ok"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
