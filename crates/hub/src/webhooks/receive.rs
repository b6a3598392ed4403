//! `POST /webhooks/lightspeed`: verify, deduplicate, record, queue, answer. Never
//! does the work inline: Lightspeed wants an answer within about 5 seconds.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{payload, signature};
use crate::edges::{DeliveryState, HintKind, NewDelivery, Recorded};
use crate::http::ApiError;
use crate::metrics::WebhookOutcome;
use crate::Hub;

/// Longest the handler waits for the database before answering 503 (Lightspeed
/// then redelivers, and the poller heals anything missed).
const RECORD_TIMEOUT: Duration = Duration::from_secs(3);

fn refuse(
    hub: &Hub,
    outcome: WebhookOutcome,
    status: StatusCode,
    code: &str,
    msg: &str,
) -> Response {
    hub.edges().metrics().webhook(outcome);
    ApiError::new(status, code, msg).into_response()
}

/// The handler.
#[tracing::instrument(skip_all, fields(body_len))]
pub async fn receive(
    State(hub): State<Hub>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let cfg = &hub.config().webhooks;
    let Some(secret) = cfg.secret.as_ref() else {
        tracing::error!("webhook refused: no webhook secret configured");
        return refuse(
            &hub,
            WebhookOutcome::NotConfigured,
            StatusCode::SERVICE_UNAVAILABLE,
            "WEBHOOKS_NOT_CONFIGURED",
            "this hub has no webhook secret; set it and restart",
        );
    };
    let body = match body {
        Ok(b) => b,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            tracing::warn!(
                limit = cfg.max_body_bytes,
                "webhook refused: body too large"
            );
            return refuse(
                &hub,
                WebhookOutcome::TooLarge,
                StatusCode::PAYLOAD_TOO_LARGE,
                "WEBHOOK_TOO_LARGE",
                "the webhook body is larger than the hub accepts",
            );
        }
        Err(e) => {
            return refuse(
                &hub,
                WebhookOutcome::Malformed,
                e.status(),
                "WEBHOOK_UNREADABLE",
                "the webhook body could not be read",
            )
        }
    };
    tracing::Span::current().record("body_len", body.len());
    let header = headers
        .get(cfg.signature_header.as_str())
        .and_then(|v| v.to_str().ok());
    if let Err(e) = signature::verify(secret, header, &body) {
        // Never log the body: it is unauthenticated input and may hold personal data.
        tracing::warn!(
            code = e.code(),
            body_len = body.len(),
            "webhook refused: signature"
        );
        let outcome = if header.is_none() {
            WebhookOutcome::MissingSignature
        } else {
            WebhookOutcome::BadSignature
        };
        return refuse(
            &hub,
            outcome,
            StatusCode::UNAUTHORIZED,
            e.code(),
            e.message(),
        );
    }
    let parsed = match payload::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(code = e.code(), error = %e, "webhook refused: payload");
            return refuse(
                &hub,
                WebhookOutcome::Malformed,
                StatusCode::BAD_REQUEST,
                e.code(),
                &e.to_string(),
            );
        }
    };
    let acted_on = matches!(parsed.kind, HintKind::Consignment | HintKind::Product)
        && parsed.object_id.is_some();
    let delivery = NewDelivery {
        body_sha256: hex::encode(Sha256::digest(&body)),
        object_key: parsed.object_key(),
        event_type: parsed.event_type.clone(),
        kind: parsed.kind,
        object_id: parsed.object_id.clone(),
        received_at: OffsetDateTime::now_utc(),
        state: if acted_on {
            DeliveryState::Pending
        } else {
            DeliveryState::Ignored
        },
    };
    let store = hub.edges().store();
    let recorded = tokio::time::timeout(
        RECORD_TIMEOUT,
        tokio::task::spawn_blocking(move || store.record_delivery(&delivery)),
    )
    .await;
    let recorded = match recorded {
        Ok(Ok(Ok(r))) => r,
        Ok(Ok(Err(e))) => return ApiError::from(e).into_response(),
        Ok(Err(e)) => return ApiError::from(crate::HubError::Task(e.to_string())).into_response(),
        Err(_) => {
            tracing::error!("webhook not recorded in time; Lightspeed will redeliver");
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "WEBHOOK_BUSY",
                "the hub is busy; deliver again later",
            )
            .into_response();
        }
    };
    let metrics = hub.edges().metrics();
    match recorded {
        Recorded::New(id) => {
            metrics.webhook(WebhookOutcome::Accepted);
            tracing::info!(delivery_id = id, event_type = %parsed.event_type, object_id = ?parsed.object_id, queued = acted_on, "webhook accepted");
            if acted_on {
                hub.edges().hint_wake().notify_one();
            }
            (
                StatusCode::OK,
                Json(serde_json::json!({"status": "accepted"})),
            )
                .into_response()
        }
        Recorded::Duplicate => {
            metrics.webhook(WebhookOutcome::Duplicate);
            tracing::info!(event_type = %parsed.event_type, object_id = ?parsed.object_id, "webhook duplicate ignored");
            (
                StatusCode::OK,
                Json(serde_json::json!({"status": "duplicate"})),
            )
                .into_response()
        }
    }
}
