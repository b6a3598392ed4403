//! The fake Lightspeed delivering signed webhooks to a real hub over loopback:
//! its signatures verify, its duplicates are answered but queued once, reordered
//! deliveries are all taken, and a sender with the wrong key is refused.

mod support;

use std::time::Duration;

use serde_json::json;
use support::edges::*;
use support::until;
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
    until("the webhooks arrive", async || {
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
    until("a delivery is refused", async || {
        sender.stats().failed() >= 1
    })
    .await;
    assert_eq!(sender.stats().answered_2xx(), 0);
    let m = hub.hub().edges().metrics();
    assert!(m.webhook_count(WebhookOutcome::BadSignature) >= 1);
    assert_eq!(m.webhook_count(WebhookOutcome::Accepted), 0);
}

mod through_the_real_client {
    //! The whole loop: a transfer the hub pushed is received in Lightspeed; the
    //! fake's webhook makes the hub re-read it through the real X-Series client and
    //! apply the receipt long before the next poll would.

    use std::sync::Arc;
    use std::time::Duration;

    use rust_decimal::Decimal;
    use tally_domain::{ConsignmentStatus as S, Role};
    use tally_hub::ls::LightspeedApi;
    use tally_hub::metrics::WebhookOutcome;
    use tally_hub::Hub;
    use tally_sync::*;
    use tally_testkit::lightspeed::{FakeConfig, FakeLightspeed, WebhookTarget};
    use uuid::Uuid;

    use super::support::edges::{config, Enrolled, SECRET};
    use super::support::{fake_client, packed_and_sent, push, until, Envelopes};

    #[tokio::test]
    async fn a_receipt_made_in_lightspeed_reaches_the_hub_by_webhook_before_any_poll() {
        let fake = FakeLightspeed::start(FakeConfig::default()).await.unwrap();
        let (from, to) = (fake.add_outlet("Ponsonby"), fake.add_outlet("Newmarket"));
        let product =
            fake.add_product("SKU1", "Garden hose", "9400000000017", Decimal::new(995, 2));
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(&dir);
        c.worker.idle_ms = 5;
        c.worker.backoff_base_ms = 5;
        c.worker.backoff_max_ms = 50;
        // One poll at start seeds the catalog; the next is far away, so only the
        // webhook can bring the receipt in time.
        c.worker.poll = true;
        c.worker.poll_interval_ms = 600_000;
        let api = Arc::new(LightspeedApi::new(Arc::new(fake_client(&fake, |_| {}))));
        let handle = Hub::start_with_lightspeed(c, api).await.unwrap();
        let hub = handle.hub().clone();
        until("catalog seeded", async || {
            hub.devices().await.is_ok()
                && tally_hub::store::read_with(&*hub.store(), |tx| tx.product(&product))
                    .unwrap()
                    .is_some()
        })
        .await;

        let staff = hub
            .add_staff("Aroha", Role::Staff, Some(&from), "1397")
            .await
            .unwrap();
        let dev = hub.enroll_device(&from, "bench").await.unwrap();
        let dev = Enrolled {
            id: dev.device_id,
            token: dev.token,
        };
        let id = Uuid::now_v7();
        let ms = packed_and_sent(
            &mut Envelopes::new(&staff),
            id,
            "TR-PON-202611-000001-00",
            (&from, &to),
            &[(product.clone(), Decimal::from(2))],
            &dev.id,
        );
        let resp = push(&reqwest::Client::new(), &handle.base_url, &dev, ms).await;
        assert!(
            resp.results
                .iter()
                .all(|r| r.outcome == MutationOutcome::Applied),
            "{resp:?}"
        );
        until("the transfer is sent in Lightspeed", async || {
            hub.pending_sagas().await.unwrap().is_empty()
                && hub
                    .consignment(id)
                    .await
                    .unwrap()
                    .and_then(|c| c.lightspeed_id)
                    .is_some()
        })
        .await;
        let ls_id = hub
            .consignment(id)
            .await
            .unwrap()
            .unwrap()
            .lightspeed_id
            .unwrap();

        let sender = fake.send_webhooks(WebhookTarget::new(
            format!("{}/webhooks/lightspeed", handle.base_url),
            SECRET,
        ));
        // Someone receives it in Lightspeed directly.
        let http = reqwest::Client::new();
        let token = fake.issue_access_token(Duration::from_secs(60));
        let r = http
            .put(format!(
                "{}/consignments/{ls_id}/products/{product}",
                fake.base_url()
            ))
            .bearer_auth(&token)
            .json(&serde_json::json!({"count": "2", "received": "2"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        let r = http
            .put(format!("{}/consignments/{ls_id}", fake.base_url()))
            .bearer_auth(&token)
            .json(&serde_json::json!({"status": "RECEIVED"}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());

        until("the hub applies the receipt", async || {
            hub.consignment(id).await.unwrap().unwrap().status == S::Received
        })
        .await;
        assert!(sender.stats().answered_2xx() >= 1);
        assert!(
            hub.edges()
                .metrics()
                .webhook_count(WebhookOutcome::Accepted)
                >= 1
        );
        handle.shutdown().await.unwrap();
    }
}
