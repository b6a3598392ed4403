//! Faults a fake carrier injects on its next calls to an endpoint.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The endpoints of the fakes, for injecting faults and counting calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Token,
    Quote,
    Book,
    Status,
    Label,
    Search,
    Cancel,
}

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer normally after a delay.
    Delay(Duration),
    /// Answer with this status without doing anything.
    Status(u16),
    /// Do the work (commit a booking), then answer with this status.
    StatusAfterCommit(u16),
    /// Do the work, then cut the connection before the answer arrives.
    LoseResponseAfterCommit,
}

/// Queued faults per endpoint, and a count of calls per endpoint.
#[derive(Debug, Default)]
pub struct FaultPlan {
    queued: Mutex<HashMap<Endpoint, VecDeque<Fault>>>,
    calls: Mutex<HashMap<Endpoint, u32>>,
}

impl FaultPlan {
    /// Queues `fault` for the next call to `endpoint` (faults apply in order, once each).
    pub fn inject(&self, endpoint: Endpoint, fault: Fault) {
        let mut q = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        q.entry(endpoint).or_default().push_back(fault);
    }

    /// How many calls `endpoint` has had.
    pub fn calls(&self, endpoint: Endpoint) -> u32 {
        let c = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        c.get(&endpoint).copied().unwrap_or(0)
    }

    /// Counts a call and takes the next fault for it. A `Delay` is served here.
    pub(crate) async fn on_call(&self, endpoint: Endpoint) -> Option<Fault> {
        {
            let mut c = self.calls.lock().unwrap_or_else(|p| p.into_inner());
            *c.entry(endpoint).or_default() += 1;
        }
        let fault = {
            let mut q = self.queued.lock().unwrap_or_else(|p| p.into_inner());
            q.get_mut(&endpoint).and_then(VecDeque::pop_front)
        };
        if let Some(Fault::Delay(d)) = fault {
            tokio::time::sleep(d).await;
            return None;
        }
        fault
    }

    /// [`FaultPlan::on_call`] for a handler: a `Status` fault is the answer, given
    /// before any work or authentication; any other fault is the handler's to apply.
    pub(crate) async fn enter(&self, endpoint: Endpoint) -> Result<Option<Fault>, Response> {
        match self.on_call(endpoint).await {
            Some(Fault::Status(code)) => Err(status_response(code)),
            other => Ok(other),
        }
    }
}

/// A response whose body fails after the headers: the client loses the answer.
pub(crate) fn lost_response() -> Response {
    let body = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection lost"))
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(body),
    )
        .into_response()
}

/// A bare status with a short JSON body.
pub(crate) fn status_response(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"message":"injected fault"}"#,
    )
        .into_response()
}

/// What a committing handler does after its work, given the fault taken on entry.
pub(crate) fn after_commit(fault: Option<Fault>, ok: Response) -> Response {
    match fault {
        Some(Fault::StatusAfterCommit(code)) => status_response(code),
        Some(Fault::LoseResponseAfterCommit) => lost_response(),
        _ => ok,
    }
}
