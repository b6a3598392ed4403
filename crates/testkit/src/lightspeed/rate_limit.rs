//! Lightspeed's per-store rate limit: requests counted over a rolling window,
//! `X-RateLimit-*` headers on every API answer, 429 with `Retry-After` as an HTTP date.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::config::ResetFormat;
use super::server::AppState;
use crate::faults::http_date_after;

/// What the limiter did so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitStats {
    pub limit: u32,
    pub window: Duration,
    /// Requests let through.
    pub accepted: u64,
    /// Requests refused with 429 by the limiter itself (injected 429s are not counted).
    pub rejected: u64,
    /// Most requests ever inside one window (never above `limit`).
    pub max_in_window: u32,
}

#[derive(Debug)]
struct LimiterState {
    limit: u32,
    window: Duration,
    enabled: bool,
    reset_format: ResetFormat,
    hits: VecDeque<Instant>,
    accepted: u64,
    rejected: u64,
    max_in_window: u32,
}

/// The rolling-window counter.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    state: Mutex<LimiterState>,
}

/// Headers to send, and whether the request may go on.
struct Verdict {
    allowed: bool,
    limit: u32,
    remaining: u32,
    /// When the oldest request in the window drops out (a slot frees).
    reset_in: Duration,
    reset_format: ResetFormat,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration, enabled: bool, reset_format: ResetFormat) -> Self {
        Self {
            state: Mutex::new(LimiterState {
                limit,
                window,
                enabled,
                reset_format,
                hits: VecDeque::new(),
                accepted: 0,
                rejected: 0,
                max_in_window: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LimiterState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes limit and window at run time (the window's history is kept).
    pub fn set(&self, limit: u32, window: Duration) {
        let mut s = self.lock();
        s.limit = limit;
        s.window = window;
    }

    pub fn set_enabled(&self, enabled: bool) {
        self.lock().enabled = enabled;
    }

    pub fn stats(&self) -> RateLimitStats {
        let s = self.lock();
        RateLimitStats {
            limit: s.limit,
            window: s.window,
            accepted: s.accepted,
            rejected: s.rejected,
            max_in_window: s.max_in_window,
        }
    }

    fn check(&self) -> Option<Verdict> {
        let mut s = self.lock();
        if !s.enabled {
            return None;
        }
        let now = Instant::now();
        let window = s.window;
        while s
            .hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            s.hits.pop_front();
        }
        let allowed = (s.hits.len() as u32) < s.limit;
        if allowed {
            s.hits.push_back(now);
            s.accepted += 1;
            s.max_in_window = s.max_in_window.max(s.hits.len() as u32);
        } else {
            s.rejected += 1;
        }
        let oldest = s.hits.front().copied().unwrap_or(now);
        Some(Verdict {
            allowed,
            limit: s.limit,
            remaining: s.limit.saturating_sub(s.hits.len() as u32),
            reset_in: (oldest + window).saturating_duration_since(now),
            reset_format: s.reset_format,
        })
    }
}

fn reset_value(v: &Verdict) -> String {
    match v.reset_format {
        ResetFormat::HttpDate => http_date_after(v.reset_in),
        ResetFormat::UnixSeconds => (SystemTime::now() + v.reset_in)
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
            .unwrap_or_default()
            .to_string(),
    }
}

/// Middleware: counts the request, refuses it over the limit, adds the headers.
pub(crate) async fn limit(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let Some(verdict) = app.limiter.check() else {
        return next.run(req).await;
    };
    let mut response = if verdict.allowed {
        next.run(req).await
    } else {
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            Json(json!({ "error": "Too Many Requests", "message": "rate limit exceeded" })),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&http_date_after(verdict.reset_in)) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    };
    let h = response.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(verdict.limit));
    h.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(verdict.remaining),
    );
    if let Ok(v) = HeaderValue::from_str(&reset_value(&verdict)) {
        h.insert("x-ratelimit-reset", v);
    }
    response
}
