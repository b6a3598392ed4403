//! Prometheus metrics (`GET /metrics`, OpenMetrics text) and the saga timing
//! window the dashboard reads. Counters live for the process; queue gauges are
//! read from the database at each scrape so they are never stale.

mod saga_timings;

use std::sync::atomic::AtomicU64;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

pub use saga_timings::{SagaTimings, TimingSummary};

use crate::edges::SyncStatus;
use crate::Hub;

/// One `outcome` label.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    /// e.g. `accepted`, `duplicate`, `rejected_signature`.
    pub outcome: String,
}

impl Outcome {
    fn of(s: &str) -> Self {
        Self {
            outcome: s.to_string(),
        }
    }
}

/// HTTP request labels.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// Route pattern (never the raw path, which would explode the label set).
    pub route: String,
    /// Status code.
    pub status: u16,
}

/// How a webhook delivery was answered (the metric's `outcome` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookOutcome {
    /// Verified, new, recorded and queued (or recorded as not needing work).
    Accepted,
    /// Verified but seen before.
    Duplicate,
    /// No signature header.
    MissingSignature,
    /// The signature did not match.
    BadSignature,
    /// Over the size limit.
    TooLarge,
    /// Verified but not a payload the hub understands.
    Malformed,
    /// The hub has no webhook secret configured.
    NotConfigured,
}

impl WebhookOutcome {
    /// Label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Duplicate => "duplicate",
            Self::MissingSignature => "rejected_missing_signature",
            Self::BadSignature => "rejected_bad_signature",
            Self::TooLarge => "rejected_too_large",
            Self::Malformed => "rejected_malformed",
            Self::NotConfigured => "rejected_not_configured",
        }
    }

    /// Every outcome.
    pub const ALL: [Self; 7] = [
        Self::Accepted,
        Self::Duplicate,
        Self::MissingSignature,
        Self::BadSignature,
        Self::TooLarge,
        Self::Malformed,
        Self::NotConfigured,
    ];

    /// Whether the delivery was refused.
    pub fn is_rejection(self) -> bool {
        !matches!(self, Self::Accepted | Self::Duplicate)
    }
}

/// How a saga attempt ended, for the timing histogram and the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SagaAttemptOutcome {
    /// Lightspeed is up to date.
    Synced,
    /// Will be retried.
    Retry,
    /// Parked in the dead-letter list.
    DeadLettered,
}

impl SagaAttemptOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Synced => "synced",
            Self::Retry => "retry",
            Self::DeadLettered => "dead_lettered",
        }
    }
}

/// The hub's metrics.
pub struct HubMetrics {
    registry: Registry,
    webhooks: Family<Outcome, Counter>,
    logins: Family<Outcome, Counter>,
    http: Family<HttpLabels, Counter>,
    saga_seconds: Family<Outcome, Histogram>,
    queue_depth: Gauge,
    oldest_seconds: Gauge<f64, AtomicU64>,
    dead_letters: Gauge,
    hints_pending: Gauge,
    budget_remaining: Gauge,
    budget_limit: Gauge,
    timings: SagaTimings,
}

impl Default for HubMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl HubMetrics {
    /// A fresh registry.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tally_hub");
        let webhooks = Family::<Outcome, Counter>::default();
        registry.register(
            "webhook_deliveries",
            "Lightspeed webhook deliveries by outcome",
            webhooks.clone(),
        );
        let logins = Family::<Outcome, Counter>::default();
        registry.register(
            "admin_logins",
            "Admin sign-in attempts by outcome",
            logins.clone(),
        );
        let http = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            http.clone(),
        );
        let saga_seconds = Family::<Outcome, Histogram>::new_with_constructor(
            (|| Histogram::new(exponential_buckets(0.005, 2.0, 14))) as fn() -> Histogram,
        );
        registry.register(
            "saga_attempt_seconds",
            "Time one Lightspeed saga attempt took, by outcome",
            saga_seconds.clone(),
        );
        let queue_depth = Gauge::default();
        registry.register(
            "saga_queue_depth",
            "Sagas waiting to reach Lightspeed",
            queue_depth.clone(),
        );
        let oldest_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "saga_oldest_waiting_seconds",
            "How long the longest-waiting saga has waited",
            oldest_seconds.clone(),
        );
        let dead_letters = Gauge::default();
        registry.register(
            "dead_letters",
            "Sagas parked after Lightspeed refused them",
            dead_letters.clone(),
        );
        let hints_pending = Gauge::default();
        registry.register(
            "webhook_hints_pending",
            "Webhook hints waiting for the worker",
            hints_pending.clone(),
        );
        let budget_remaining = Gauge::default();
        registry.register(
            "lightspeed_rate_remaining",
            "Lightspeed requests left in the rate window (-1 when unknown)",
            budget_remaining.clone(),
        );
        let budget_limit = Gauge::default();
        registry.register(
            "lightspeed_rate_limit",
            "Lightspeed requests allowed per rate window (-1 when unknown)",
            budget_limit.clone(),
        );
        Self {
            registry,
            webhooks,
            logins,
            http,
            saga_seconds,
            queue_depth,
            oldest_seconds,
            dead_letters,
            hints_pending,
            budget_remaining,
            budget_limit,
            timings: SagaTimings::new(Duration::from_secs(3600)),
        }
    }

    /// Counts a webhook delivery.
    pub fn webhook(&self, outcome: WebhookOutcome) {
        self.webhooks
            .get_or_create(&Outcome::of(outcome.as_str()))
            .inc();
    }

    /// Webhook deliveries with this outcome since start.
    pub fn webhook_count(&self, outcome: WebhookOutcome) -> u64 {
        self.webhooks
            .get(&Outcome::of(outcome.as_str()))
            .map_or(0, |c| c.get())
    }

    /// Counts a sign-in attempt (`ok`, `bad_password`, `locked`, ...).
    pub fn login(&self, outcome: &str) {
        self.logins.get_or_create(&Outcome::of(outcome)).inc();
    }

    /// Counts an HTTP request.
    pub fn http_request(&self, route: &str, status: u16) {
        self.http
            .get_or_create(&HttpLabels {
                route: route.to_string(),
                status,
            })
            .inc();
    }

    /// Records one saga attempt.
    pub fn saga_attempt(&self, took: Duration, outcome: SagaAttemptOutcome) {
        self.saga_seconds
            .get_or_create(&Outcome::of(outcome.as_str()))
            .observe(took.as_secs_f64());
        self.timings
            .record(took, outcome == SagaAttemptOutcome::Synced);
    }

    /// The last hour of saga attempts.
    pub fn timings(&self) -> &SagaTimings {
        &self.timings
    }

    /// OpenMetrics text with the gauges set from `status`.
    pub fn render(&self, status: &SyncStatus) -> Result<String, std::fmt::Error> {
        self.queue_depth.set(status.queue_depth as i64);
        self.oldest_seconds
            .set(status.oldest_waiting.map_or(0.0, |d| d.as_secs_f64()));
        self.dead_letters.set(status.dead_letters.len() as i64);
        self.hints_pending.set(status.webhooks.queue.pending as i64);
        let budget = status.budget.unwrap_or_default();
        self.budget_remaining
            .set(budget.remaining.map_or(-1, i64::from));
        self.budget_limit.set(budget.limit.map_or(-1, i64::from));
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// `GET /metrics`.
pub fn routes() -> Router<Hub> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(hub): State<Hub>) -> Response {
    let status = match SyncStatus::read(&hub).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(code = e.code(), error = %e, "metrics could not read the hub");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "hub database unavailable\n",
            )
                .into_response();
        }
    };
    match hub.edges().metrics().render(&status) {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
