//! Webhooks from the fake: when a consignment or product changes, the fake POSTs
//! a signed delivery to a configured URL the way Lightspeed does —
//! `application/x-www-form-urlencoded` with `type`, `domain_prefix` and a
//! `payload` field holding the object as JSON (ids as strings), signed with
//! `X-Signature: signature=<hex HMAC-SHA256 of the raw body>, algorithm=HMAC-SHA256`.
//! Asked to, it sends each delivery more than once and reverses the order of
//! deliveries made together, so receivers can prove they dedupe and re-read.
//!
//! It watches the store's version counter rather than hooking every handler: any
//! change (API call, demo seeding, test set-up) that gives a row a new version is
//! delivered.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio_util::sync::CancellationToken;

use super::server::{AppState, FakeHandle};
use super::store::Versioned;

/// Where and how the fake delivers webhooks.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// The receiver, e.g. `http://127.0.0.1:PORT/webhooks/lightspeed`.
    pub url: String,
    /// The signing key (Lightspeed uses the app's client secret).
    pub secret: String,
    /// Header carrying the signature.
    pub signature_header: String,
    /// Extra copies of every delivery (0 = each once).
    pub duplicates: u32,
    /// Deliver the changes seen in one pass newest first (out of order).
    pub reverse_order: bool,
    /// How often the fake looks for changes.
    pub poll_every: Duration,
}

impl WebhookTarget {
    /// Deliveries to `url` signed with `secret`, once each, in order.
    pub fn new(url: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            secret: secret.into(),
            signature_header: "X-Signature".into(),
            duplicates: 0,
            reverse_order: false,
            poll_every: Duration::from_millis(25),
        }
    }
}

/// Counters of the deliveries made.
#[derive(Debug, Default)]
pub struct WebhookStats {
    sent: AtomicU64,
    answered_2xx: AtomicU64,
    failed: AtomicU64,
}

impl WebhookStats {
    /// Deliveries attempted (copies included).
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Deliveries the receiver answered 2xx.
    pub fn answered_2xx(&self) -> u64 {
        self.answered_2xx.load(Ordering::Relaxed)
    }

    /// Deliveries that failed (connection error or non-2xx).
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

/// A running webhook sender; dropping it stops it.
pub struct WebhookSender {
    stats: Arc<WebhookStats>,
    stop: CancellationToken,
}

impl WebhookSender {
    /// Delivery counters.
    pub fn stats(&self) -> &WebhookStats {
        &self.stats
    }
}

impl Drop for WebhookSender {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// The signature header value for `body` (what Lightspeed would send).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(body);
    format!(
        "signature={}, algorithm=HMAC-SHA256",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// The event name Lightspeed would use for a consignment in `status`.
fn consignment_event(status: &str) -> &'static str {
    match status {
        "SENT" | "DISPATCHED" => "consignment.send",
        "RECEIVED" => "consignment.receive",
        _ => "consignment.update",
    }
}

/// API 1.0 shape: every id-like field as a string.
fn api_1_0(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        for (k, val) in map.iter_mut() {
            if (k == "id" || k.ends_with("_id")) && val.is_number() {
                *val = Value::String(val.to_string());
            }
        }
    }
    v
}

/// One delivery's form body.
pub fn delivery_body(event_type: &str, domain_prefix: &str, payload: &Value) -> Vec<u8> {
    serde_urlencoded::to_string([
        ("type", event_type),
        ("domain_prefix", domain_prefix),
        ("environment", "test"),
        ("payload", &payload.to_string()),
    ])
    .unwrap_or_default()
    .into_bytes()
}

/// Changes after `after`: (version, type, payload), oldest first, and the new high mark.
fn changes_after(app: &AppState, after: u64) -> (Vec<(u64, String, Value)>, u64) {
    let store = app.store();
    let mut out: Vec<(u64, String, Value)> = Vec::new();
    for c in store.consignments.page(after, 10_000, |_| true) {
        out.push((
            c.version(),
            consignment_event(c.status.as_str()).to_string(),
            api_1_0(c.to_json()),
        ));
    }
    for p in store.products.page(after, 10_000, |_| true) {
        out.push((p.version(), "product.update".into(), api_1_0(p.to_json())));
    }
    out.sort_by_key(|(v, _, _)| *v);
    let high = out.last().map_or(after, |(v, _, _)| *v);
    (out, high)
}

fn current_high(app: &AppState) -> u64 {
    let store = app.store();
    let c = store.consignments.values().map(Versioned::version).max();
    let p = store.products.values().map(Versioned::version).max();
    c.max(p).unwrap_or(0)
}

impl FakeHandle {
    /// Starts delivering webhooks for changes made from now on.
    pub fn send_webhooks(&self, target: WebhookTarget) -> WebhookSender {
        let app = self.shared().clone();
        let stats = Arc::new(WebhookStats::default());
        let stop = CancellationToken::new();
        let (task_stats, task_stop) = (stats.clone(), stop.clone());
        let mut high = current_high(&app);
        tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default();
            let domain = app.config.domain_prefix.clone();
            loop {
                tokio::select! {
                    _ = task_stop.cancelled() => return,
                    _ = tokio::time::sleep(target.poll_every) => {}
                }
                let (mut changes, new_high) = changes_after(&app, high);
                high = new_high;
                if target.reverse_order {
                    changes.reverse();
                }
                for (_, event, payload) in changes {
                    let body = delivery_body(&event, &domain, &payload);
                    let signature = sign(&target.secret, &body);
                    for _ in 0..=target.duplicates {
                        task_stats.sent.fetch_add(1, Ordering::Relaxed);
                        let answer = client
                            .post(&target.url)
                            .header("content-type", "application/x-www-form-urlencoded")
                            .header(target.signature_header.as_str(), signature.as_str())
                            .body(body.clone())
                            .send()
                            .await;
                        match answer {
                            Ok(r) if r.status().is_success() => {
                                task_stats.answered_2xx.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok(r) => {
                                task_stats.failed.fetch_add(1, Ordering::Relaxed);
                                tracing::warn!(
                                    status = r.status().as_u16(),
                                    event,
                                    "fake webhook refused"
                                );
                            }
                            Err(e) => {
                                task_stats.failed.fetch_add(1, Ordering::Relaxed);
                                tracing::warn!(error = %e, event, "fake webhook not delivered");
                            }
                        }
                    }
                }
            }
        });
        WebhookSender { stats, stop }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_body_in_lightspeeds_format() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let h = sign("Jefe", b"what do ya want for nothing?");
        assert_eq!(
            h,
            "signature=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843, algorithm=HMAC-SHA256"
        );
    }

    #[test]
    fn ids_are_strings_and_events_follow_the_status() {
        let v = api_1_0(serde_json::json!({"id": 5, "outlet_id": 7, "count": 3}));
        assert_eq!(v["id"], "5");
        assert_eq!(v["outlet_id"], "7");
        assert_eq!(v["count"], 3);
        assert_eq!(consignment_event("SENT"), "consignment.send");
        assert_eq!(consignment_event("RECEIVED"), "consignment.receive");
        assert_eq!(consignment_event("OPEN"), "consignment.update");
    }
}
