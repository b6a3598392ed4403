//! The sync API over real HTTP on loopback: authentication, outlet boundaries,
//! protocol versions, and replays across a hub restart.

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_hub::{Hub, HubConfig, HubHandle, PinHashCost};
use tally_sync::*;
use time::OffsetDateTime;
use uuid::Uuid;

struct Setup {
    _dir: tempfile::TempDir,
    config: HubConfig,
    handle: HubHandle,
    staff_a: String,
    staff_b: String,
    dev_a: (String, String),
    dev_b: (String, String),
}

fn config(dir: &tempfile::TempDir) -> HubConfig {
    let mut c = HubConfig::new(dir.path().join("hub.db"));
    c.pin_hash = PinHashCost {
        memory_kib: 8,
        iterations: 1,
    };
    c
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config = config(&dir);
    let handle = Hub::start(config.clone()).await.unwrap();
    let hub = handle.hub();
    for (id, name) in [("out-a", "Ponsonby"), ("out-b", "Newmarket")] {
        hub.put_outlet(OutletRow {
            id: id.into(),
            name: name.into(),
            deleted: false,
        })
        .await
        .unwrap();
    }
    hub.put_products(vec![ProductRow {
        id: "p1".into(),
        sku: "SKU1".into(),
        name: "Coil".into(),
        variant_name: None,
        supplier_code: None,
        supply_price: None,
        active: true,
        codes: vec![],
        deleted: false,
    }])
    .await
    .unwrap();
    let staff_a = hub
        .add_staff("Ana", Role::Staff, Some("out-a"), "1234")
        .await
        .unwrap();
    let staff_b = hub
        .add_staff("Ben", Role::Staff, Some("out-b"), "5678")
        .await
        .unwrap();
    let a = hub.enroll_device("out-a", "bench").await.unwrap();
    let b = hub.enroll_device("out-b", "bench").await.unwrap();
    Setup {
        _dir: dir,
        config,
        handle,
        staff_a,
        staff_b,
        dev_a: (a.device_id, a.token),
        dev_b: (b.device_id, b.token),
    }
}

fn transfer(id: Uuid, seq: u64, staff: &str) -> MutationEnvelope {
    MutationEnvelope {
        seq,
        mutation_id: Uuid::now_v7(),
        created_at: OffsetDateTime::now_utc(),
        actor: Actor {
            staff_id: staff.into(),
        },
        mutation: Mutation::ConsignmentCreated(ConsignmentCreated {
            consignment_id: id,
            kind: ConsignmentKind::OutletTransfer,
            reference: "TR-OUT-1".into(),
            source_outlet_id: Some("out-a".into()),
            destination_outlet_id: Some("out-b".into()),
            supplier_id: None,
            status: ConsignmentStatus::Draft,
            lines: vec![LineDraft {
                line_id: None,
                product_id: "p1".into(),
                expected_qty: Decimal::from(3),
                unit_cost: None,
            }],
        }),
    }
}

async fn post(
    base: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/sync/push"))
        .json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn push_without_a_valid_device_token_is_refused() {
    let s = setup().await;
    let body = serde_json::to_value(PushRequest::new(&s.dev_a.0, vec![])).unwrap();
    let (st, err) = post(&s.handle.base_url, None, &body).await;
    assert_eq!(st, 401);
    assert_eq!(err["code"], "UNAUTHENTICATED");
    let (st, err) = post(&s.handle.base_url, Some("tally_dev_forged"), &body).await;
    assert_eq!(st, 401);
    assert_eq!(err["code"], "UNKNOWN_DEVICE_TOKEN");
    s.handle.hub().revoke_device(&s.dev_a.0).await.unwrap();
    let (st, err) = post(&s.handle.base_url, Some(&s.dev_a.1), &body).await;
    assert_eq!(st, 401);
    assert_eq!(err["code"], "DEVICE_REVOKED");
}

#[tokio::test]
async fn another_outlets_token_cannot_act_for_a_foreign_outlet() {
    let s = setup().await;
    let base = &s.handle.base_url;
    // B's token pretending to be A's device.
    let as_a = serde_json::to_value(PushRequest::new(
        &s.dev_a.0,
        vec![transfer(Uuid::now_v7(), 1, &s.staff_a)],
    ))
    .unwrap();
    let (st, err) = post(base, Some(&s.dev_b.1), &as_a).await;
    assert_eq!(st, 403);
    assert_eq!(err["code"], "CLIENT_MISMATCH");
    // B's token, honestly B, creating a transfer out of outlet A.
    let for_a = serde_json::to_value(PushRequest::new(
        &s.dev_b.0,
        vec![transfer(Uuid::now_v7(), 1, &s.staff_b)],
    ))
    .unwrap();
    let (st, resp) = post(base, Some(&s.dev_b.1), &for_a).await;
    assert_eq!(st, 200);
    assert_eq!(resp["results"][0]["status"], "rejected");
    assert_eq!(resp["results"][0]["code"], "FOREIGN_OUTLET");
}

#[tokio::test]
async fn an_unknown_protocol_version_is_refused_with_a_clear_code() {
    let s = setup().await;
    let mut body = serde_json::to_value(PushRequest::new(&s.dev_a.0, vec![])).unwrap();
    body["protocol"] = 2.into();
    let (st, err) = post(&s.handle.base_url, Some(&s.dev_a.1), &body).await;
    assert_eq!(st, 400);
    assert_eq!(err["code"], "UNSUPPORTED_PROTOCOL");
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/sync/pull?protocol=2&cursor=0",
            s.handle.base_url
        ))
        .bearer_auth(&s.dev_a.1)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let err: ErrorBody = resp.json().await.unwrap();
    assert_eq!(err.code, "UNSUPPORTED_PROTOCOL");
}

#[tokio::test]
async fn a_push_replayed_after_a_hub_restart_is_a_duplicate() {
    let s = setup().await;
    let id = Uuid::now_v7();
    let body = serde_json::to_value(PushRequest::new(
        &s.dev_a.0,
        vec![transfer(id, 1, &s.staff_a)],
    ))
    .unwrap();
    let (st, first) = post(&s.handle.base_url, Some(&s.dev_a.1), &body).await;
    assert_eq!(st, 200);
    assert_eq!(first["results"][0]["status"], "applied");
    s.handle.shutdown().await.unwrap();

    let handle = Hub::start(s.config.clone()).await.unwrap();
    let (st, again) = post(&handle.base_url, Some(&s.dev_a.1), &body).await;
    assert_eq!(st, 200);
    assert_eq!(again["results"][0]["status"], "duplicate");
    assert_eq!(again["last_seq"], 1);

    // B pulls the transfer it will receive.
    let page: PullResponse = reqwest::Client::new()
        .get(format!(
            "{}/sync/pull?protocol=1&cursor=0&limit=50",
            handle.base_url
        ))
        .bearer_auth(&s.dev_b.1)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!page.has_more);
    assert!(page
        .changes
        .iter()
        .any(|c| matches!(&c.row, Row::Consignment(c) if c.id == id)));
    assert!(page
        .changes
        .iter()
        .any(|c| matches!(&c.row, Row::Staff(st) if st.pin_hash.starts_with("$argon2id$"))));
    handle.shutdown().await.unwrap();
}
