//! Every request a fake received, with what it answered (or which fault it got),
//! so tests can count calls per route.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::Serialize;

use super::plan::path_matches;

/// One request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    /// Arrival order, from 0.
    pub seq: u64,
    /// Milliseconds since the log was created.
    pub at_ms: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Status sent; `None` when the connection was cut (or the answer is still pending).
    pub status: Option<u16>,
    /// Name of the injected fault, if any.
    pub fault: Option<&'static str>,
}

#[derive(Debug)]
struct LogState {
    started: Instant,
    records: Vec<RequestRecord>,
}

/// Shared, append-only request log. Cheap to clone; clones share the records.
#[derive(Debug, Clone)]
pub struct RequestLog {
    state: Arc<Mutex<LogState>>,
}

impl Default for RequestLog {
    fn default() -> Self {
        Self {
            state: Arc::new(Mutex::new(LogState {
                started: Instant::now(),
                records: Vec::new(),
            })),
        }
    }
}

impl RequestLog {
    /// Records an arriving request; returns its sequence number.
    pub fn start(&self, method: &str, path: &str, query: Option<&str>) -> u64 {
        let mut s = self.lock();
        let seq = s.records.len() as u64;
        let at_ms = s.started.elapsed().as_millis() as u64;
        s.records.push(RequestRecord {
            seq,
            at_ms,
            method: method.to_string(),
            path: path.to_string(),
            query: query.map(str::to_string),
            status: None,
            fault: None,
        });
        seq
    }

    /// Notes the fault applied to request `seq`.
    pub fn set_fault(&self, seq: u64, fault: &'static str) {
        if let Some(r) = self.lock().records.get_mut(seq as usize) {
            r.fault = Some(fault);
        }
    }

    /// Notes the status answered to request `seq`.
    pub fn finish(&self, seq: u64, status: u16) {
        if let Some(r) = self.lock().records.get_mut(seq as usize) {
            r.status = Some(status);
        }
    }

    /// A copy of every record.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.lock().records.clone()
    }

    /// Requests whose method matches (`"*"` = any) and whose path matches `pattern`.
    pub fn count(&self, method: &str, pattern: &str) -> usize {
        self.lock()
            .records
            .iter()
            .filter(|r| method == "*" || r.method.eq_ignore_ascii_case(method))
            .filter(|r| path_matches(pattern, &r.path))
            .count()
    }

    /// Requests answered with `status`.
    pub fn count_status(&self, status: u16) -> usize {
        self.lock()
            .records
            .iter()
            .filter(|r| r.status == Some(status))
            .count()
    }

    /// Total requests seen.
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// True when no request arrived yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every record (sequence numbers restart at 0).
    pub fn clear(&self) {
        let mut s = self.lock();
        s.records.clear();
        s.started = Instant::now();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
