//! The middleware that applies a [`FaultController`]'s decision to each request and
//! records it in the request log.

use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::plan::{Fault, FaultController};
use super::serve::KillSwitch;

/// Axum middleware: `axum::middleware::from_fn_with_state(controller, inject_faults)`.
pub async fn inject_faults(
    State(ctl): State<FaultController>,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let log = ctl.log().clone();
    let seq = log.start(&method, &path, req.uri().query());
    let fault = ctl.decide(&method, &path);
    if let Some(f) = &fault {
        log.set_fault(seq, f.name());
        tracing::debug!(%method, %path, fault = f.name(), "injecting fault");
    }
    let kill = req.extensions().get::<KillSwitch>().cloned();
    let response = match fault {
        None => next.run(req).await,
        Some(Fault::Latency { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        Some(Fault::Status { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_body(status, "injected fault")
        }
        Some(Fault::RateLimited {
            retry_after_ms,
            as_date,
        }) => {
            let wait = Duration::from_millis(retry_after_ms);
            let value = if as_date {
                http_date_after(wait)
            } else {
                wait.as_secs_f64().ceil().to_string()
            };
            let mut r = error_body(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
            if let Ok(v) = value.parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        Some(Fault::Hang { ms }) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            error_body(StatusCode::GATEWAY_TIMEOUT, "upstream timed out")
        }
        Some(Fault::DropConnection) => return cut(kill).await,
        Some(Fault::LostAck) => {
            let committed = next.run(req).await;
            log.finish(seq, committed.status().as_u16());
            tracing::debug!(
                status = committed.status().as_u16(),
                "response lost after commit"
            );
            return cut(kill).await;
        }
    };
    log.finish(seq, response.status().as_u16());
    response
}

/// Cuts the connection and never answers. Without a kill switch (a router served
/// some other way) the nearest thing is an empty 502.
async fn cut(kill: Option<KillSwitch>) -> Response {
    match kill {
        Some(k) => {
            k.cut();
            std::future::pending::<Response>().await
        }
        None => StatusCode::BAD_GATEWAY.into_response(),
    }
}

/// `{"error", "message"}` as Lightspeed sends them.
fn error_body(status: StatusCode, message: &str) -> Response {
    let error = status.canonical_reason().unwrap_or("Error");
    (
        status,
        Json(serde_json::json!({ "error": error, "message": message })),
    )
        .into_response()
}

/// An HTTP date at least `wait` from now, rounded up to the whole second so a
/// client that honours it is never early.
pub(crate) fn http_date_after(wait: Duration) -> String {
    let at = SystemTime::now() + wait;
    let since = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let whole = if since.subsec_nanos() > 0 {
        since.as_secs() + 1
    } else {
        since.as_secs()
    };
    httpdate::fmt_http_date(SystemTime::UNIX_EPOCH + Duration::from_secs(whole))
}
