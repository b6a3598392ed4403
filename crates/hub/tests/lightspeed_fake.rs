//! The hub against the testkit's fake Lightspeed over loopback, through the real
//! X-Series client: the first start seeds the catalog, and a transfer pushed by a
//! station reaches Lightspeed exactly once under lost acknowledgements and 429s.

mod support;

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use support::{fake_client, fast_config, packed_and_sent, push, until, Enrolled, Envelopes};
use tally_domain::{LsConsignmentStatus, Role};
use tally_hub::ls::{marker, LightspeedApi, WorkerConfig};
use tally_hub::store::read_with;
use tally_hub::{Hub, HubHandle};
use tally_lightspeed::{BudgetConfig, LightspeedClient, RetryPolicy};
use tally_sync::*;
use tally_testkit::faults::{Fault, FaultRule};
use tally_testkit::lightspeed::{FakeConfig, FakeHandle, FakeLightspeed};
use uuid::Uuid;

fn client_for(fake: &FakeHandle) -> LightspeedClient {
    fake_client(fake, |c| {
        c.page_size = 40;
        c.retry = RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            min_retry_after: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(2),
            default_retry_after: Duration::from_millis(20),
        };
        c.budget = BudgetConfig {
            reserve: 2,
            poll: Duration::from_millis(5),
        };
    })
}

struct Setup {
    _dir: tempfile::TempDir,
    fake: FakeHandle,
    handle: HubHandle,
    outlets: Vec<String>,
    products: Vec<String>,
}

async fn setup(products: usize) -> Setup {
    setup_with(products, |_| {}).await
}

async fn setup_with(products: usize, change: impl FnOnce(&mut tally_hub::HubConfig)) -> Setup {
    let fake = FakeLightspeed::start(FakeConfig::default()).await.unwrap();
    let outlets = vec![fake.add_outlet("Ponsonby"), fake.add_outlet("Newmarket")];
    fake.add_supplier("Otago Merino Mills");
    let products: Vec<String> = (0..products)
        .map(|i| {
            fake.add_product(
                &format!("SKU{i}"),
                &format!("Product {i}"),
                &format!("94{i:011}"),
                Decimal::new(995, 2),
            )
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut config = fast_config(&dir);
    config.worker = WorkerConfig {
        idle_ms: 5,
        backoff_base_ms: 5,
        backoff_max_ms: 50,
        batch: 8,
        poll: true,
        poll_interval_ms: 50,
        poll_page_size: 40,
    };
    change(&mut config);
    let api = Arc::new(LightspeedApi::new(Arc::new(client_for(&fake))));
    let handle = Hub::start_with_lightspeed(config, api).await.unwrap();
    Setup {
        _dir: dir,
        fake,
        handle,
        outlets,
        products,
    }
}

async fn product_count(hub: &Hub) -> u64 {
    read_with(&*hub.store(), |tx| tx.product_count()).unwrap()
}

#[tokio::test]
async fn the_first_start_against_the_fake_seeds_the_whole_catalog() {
    let s = setup(100).await;
    let hub = s.handle.hub().clone();
    until("catalog seeded", async || product_count(&hub).await == 100).await;
    let outlet = read_with(&*hub.store(), |tx| tx.outlet(&s.outlets[1]))
        .unwrap()
        .unwrap();
    assert_eq!(outlet.name, "Newmarket");
    let p = read_with(&*hub.store(), |tx| tx.product(&s.products[7]))
        .unwrap()
        .unwrap();
    assert_eq!(p.codes[0].code, "9400000000007");
    // A change made in Lightspeed later arrives through the persisted cursor.
    s.fake
        .rename_product(&s.products[7], "Renamed in Lightspeed");
    until("rename polled", async || {
        read_with(&*hub.store(), |tx| tx.product(&s.products[7]))
            .unwrap()
            .is_some_and(|p| p.name == "Renamed in Lightspeed")
    })
    .await;
}

#[tokio::test]
async fn a_transfer_reaches_the_fake_once_under_lost_acks_and_rate_limits() {
    let s = setup(5).await;
    let hub = s.handle.hub().clone();
    until("catalog seeded", async || product_count(&hub).await == 5).await;
    // The first create and the bulk add are committed but their answers lost; the
    // first send is rate limited.
    let faults = s.fake.faults();
    faults.add_rule(FaultRule::new("POST", "/api/2.0/consignments", Fault::LostAck).times(1));
    faults
        .add_rule(FaultRule::new("POST", "/api/2.0/consignments/*/bulk", Fault::LostAck).times(1));
    faults.add_rule(
        FaultRule::new(
            "PUT",
            "/api/2.0/consignments/*",
            Fault::RateLimited {
                retry_after_ms: 50,
                as_date: false,
            },
        )
        .times(3),
    );

    let staff = hub
        .add_staff("Aroha", Role::Staff, Some(&s.outlets[0]), "1397")
        .await
        .unwrap();
    let dev = hub.enroll_device(&s.outlets[0], "bench").await.unwrap();
    let dev = Enrolled {
        id: dev.device_id,
        token: dev.token,
    };
    let id = Uuid::now_v7();
    let lines: Vec<_> = s
        .products
        .iter()
        .map(|p| (p.clone(), Decimal::from(2)))
        .collect();
    let ms = packed_and_sent(
        &mut Envelopes::new(&staff),
        id,
        "TR-OUT-202611-000001-00",
        (&s.outlets[0], &s.outlets[1]),
        &lines,
        &dev.id,
    );
    let resp = push(&reqwest::Client::new(), &s.handle.base_url, &dev, ms).await;
    assert!(resp
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Applied));

    until("queue drained", async || {
        hub.pending_sagas().await.unwrap().is_empty()
    })
    .await;
    assert!(hub.dead_letters().await.unwrap().is_empty());
    let remote = s.fake.consignments_with_reference(&marker(id));
    assert_eq!(remote.len(), 1, "exactly one consignment in Lightspeed");
    let remote = &remote[0];
    assert_eq!(remote.status, LsConsignmentStatus::Sent);
    assert_eq!(remote.lines.len(), 5);
    assert!(
        remote.lines.iter().all(|l| l.count == Decimal::from(2)),
        "no doubled line: {:?}",
        remote.lines
    );
    assert!(
        s.fake.faults().total_fired() >= 3,
        "the faults really fired"
    );
    let c = hub.consignment(id).await.unwrap().unwrap();
    assert_eq!(c.lightspeed_id.as_deref(), Some(remote.id.as_str()));
}

#[tokio::test]
async fn an_empty_transfer_cancelled_after_it_reached_the_fake_is_deleted_not_reported() {
    let s = setup(2).await;
    let hub = s.handle.hub().clone();
    until("catalog seeded", async || product_count(&hub).await == 2).await;
    let staff = hub
        .add_staff("Aroha", Role::Staff, Some(&s.outlets[0]), "1397")
        .await
        .unwrap();
    let dev = hub.enroll_device(&s.outlets[0], "bench").await.unwrap();
    let dev = Enrolled {
        id: dev.device_id,
        token: dev.token,
    };
    let id = Uuid::now_v7();
    let mut env = Envelopes::new(&staff);
    let created = env.next(Mutation::ConsignmentCreated(ConsignmentCreated {
        consignment_id: id,
        kind: tally_domain::ConsignmentKind::OutletTransfer,
        reference: "TR-OUT-202611-000002-00".into(),
        source_outlet_id: Some(s.outlets[0].clone()),
        destination_outlet_id: Some(s.outlets[1].clone()),
        supplier_id: None,
        status: tally_domain::ConsignmentStatus::Draft,
        lines: vec![],
    }));
    let client = reqwest::Client::new();
    push(&client, &s.handle.base_url, &dev, vec![created]).await;
    until("in the fake", async || {
        s.fake.consignments_with_reference(&marker(id)).len() == 1
    })
    .await;
    let cancel = env.next(support::go(
        id,
        tally_domain::ConsignmentStatus::Draft,
        tally_domain::ConsignmentStatus::Cancelled,
        None,
    ));
    push(&client, &s.handle.base_url, &dev, vec![cancel]).await;
    until("deleted in the fake", async || {
        s.fake.consignments().iter().any(|c| c.deleted)
    })
    .await;
    // The poller walks past the deletion: it was Tally's own, nothing to report.
    let deleted_at = s
        .fake
        .consignments()
        .iter()
        .map(|c| c.version)
        .max()
        .unwrap();
    until("poller caught up", async || {
        read_with(&*hub.store(), |tx| tx.poll_cursor("consignments"))
            .unwrap()
            .is_some_and(|v| v as u64 >= deleted_at)
    })
    .await;
    assert!(hub.dead_letters().await.unwrap().is_empty());
    let conflicts = hub.inbound_conflicts().await.unwrap();
    assert!(conflicts.is_empty(), "{conflicts:?}");
    assert_eq!(
        hub.consignment(id).await.unwrap().unwrap().status,
        tally_domain::ConsignmentStatus::Cancelled
    );
}

#[tokio::test]
async fn a_webhook_is_answered_without_waiting_for_lightspeed() {
    let s = setup_with(3, |c| c.webhooks.secret = Some(support::edges::secret())).await;
    let hub = s.handle.hub().clone();
    until("catalog seeded", async || product_count(&hub).await == 3).await;
    // From now on every Lightspeed call takes 6 s: longer than the 5 s Lightspeed
    // gives a webhook receiver.
    s.fake.faults().add_rule(FaultRule::new(
        "*",
        "/api/2.0/**",
        Fault::latency(Duration::from_secs(6)),
    ));
    let before = s.fake.requests().records().len();
    let body = support::edges::webhook_body(
        "consignment.send",
        &serde_json::json!({"id": "ls-77", "type": "OUTLET", "status": "SENT", "version": 7}),
    );
    let r = reqwest::Client::new()
        .post(format!("{}/webhooks/lightspeed", s.handle.base_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-Signature", support::edges::signed(&body).unwrap())
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The answer came before any Lightspeed request finished: the work is queued.
    let finished_since: Vec<_> = s.fake.requests().records()[before..]
        .iter()
        .filter(|r| r.status.is_some())
        .cloned()
        .collect();
    assert!(
        finished_since.is_empty(),
        "no Lightspeed answer was awaited: {finished_since:?}"
    );
    let stats = hub.edges().store().webhook_queue_stats().unwrap();
    assert_eq!(stats.recorded, 1, "the hint is queued for the worker");
}
