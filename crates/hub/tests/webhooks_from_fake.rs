//! The fake Lightspeed delivering signed webhooks to a real hub over loopback:
//! its signatures verify, its duplicates are answered but queued once, reordered
//! deliveries are all taken, and a sender with the wrong key is refused.

mod edges_support;

use std::time::Duration;

use edges_support::*;
use serde_json::json;
use tally_hub::metrics::WebhookOutcome;
use tally_testkit::demo_data::{generate, DemoConfig};
use tally_testkit::lightspeed::{FakeConfig, FakeHandle, FakeLightspeed, WebhookTarget};

async fn fake() -> FakeHandle {
    let data = generate(&DemoConfig {
        products: 20,
        outlets: 2,
        open_transfers: 0,
        open_purchase_orders: 0,
        inventory: false,
        ..DemoConfig::default()
    });
    FakeLightspeed::start(FakeConfig {
        seed: Some(data),
        ..FakeConfig::default()
    })
    .await
    .unwrap()
}

/// Creates an OUTLET transfer with one line and sends it: three versions of one
/// consignment.
async fn make_and_send_a_transfer(f: &FakeHandle) -> String {
    let http = reqwest::Client::new();
    let token = f.issue_access_token(Duration::from_secs(60));
    let outlets: serde_json::Value = http
        .get(format!("{}/outlets", f.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let products: serde_json::Value = http
        .get(format!("{}/products?page_size=1", f.base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (from, to) = (&outlets["data"][0]["id"], &outlets["data"][1]["id"]);
    let created: serde_json::Value = http
        .post(format!("{}/consignments", f.base_url()))
        .bearer_auth(&token)
        .json(&json!({"type": "OUTLET", "status": "OPEN", "outlet_id": to, "source_outlet_id": from, "name": "TR-TEST-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["data"]["id"].as_str().unwrap().to_string();
    let r = http
        .post(format!("{}/consignments/{id}/products", f.base_url()))
        .bearer_auth(&token)
        .json(&json!({"product_id": products["data"][0]["id"], "count": "2"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let r = http
        .put(format!("{}/consignments/{id}", f.base_url()))
        .bearer_auth(&token)
        .json(&json!({"status": "SENT"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    id
}

async fn wait_for(mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for webhooks");
}

#[tokio::test]
async fn the_fakes_duplicated_and_reordered_webhooks_verify_and_queue_once_each() {
    let hub = Edge::start().await;
    let f = fake().await;
    let mut target = WebhookTarget::new(hub.url("/webhooks/lightspeed"), SECRET);
    target.duplicates = 2;
    target.reverse_order = true;
    target.poll_every = Duration::from_millis(200);
    let sender = f.send_webhooks(target);
    make_and_send_a_transfer(&f).await;
    let m = hub.hub().edges().metrics().clone();
    wait_for(|| {
        sender.stats().sent() >= 3
            && sender.stats().sent() % 3 == 0
            && m.webhook_count(WebhookOutcome::Accepted) >= 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = sender.stats().sent();
    assert_eq!(sender.stats().failed(), 0, "every delivery answered 2xx");
    assert_eq!(sender.stats().answered_2xx(), sent);
    let accepted = m.webhook_count(WebhookOutcome::Accepted);
    let duplicates = m.webhook_count(WebhookOutcome::Duplicate);
    assert_eq!(accepted + duplicates, sent);
    assert_eq!(
        duplicates,
        accepted * 2,
        "each copy after the first is a duplicate"
    );
    let stats = hub.hub().edges().store().webhook_queue_stats().unwrap();
    assert_eq!(stats.recorded, accepted, "one row per distinct delivery");
}

#[tokio::test]
async fn a_sender_with_the_wrong_key_is_refused() {
    let hub = Edge::start().await;
    let f = fake().await;
    let sender = f.send_webhooks(WebhookTarget::new(
        hub.url("/webhooks/lightspeed"),
        "not-the-secret",
    ));
    make_and_send_a_transfer(&f).await;
    wait_for(|| sender.stats().failed() >= 1).await;
    assert_eq!(sender.stats().answered_2xx(), 0);
    let m = hub.hub().edges().metrics();
    assert!(m.webhook_count(WebhookOutcome::BadSignature) >= 1);
    assert_eq!(m.webhook_count(WebhookOutcome::Accepted), 0);
}
