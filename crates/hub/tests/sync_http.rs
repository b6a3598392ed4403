//! The sync API over real HTTP on loopback: authentication, outlet boundaries,
//! protocol versions, and replays across a hub restart.

mod support;

use support::{fast_config, seed_two_outlets, transfer_a_to_b, Enrolled};
use tally_hub::{Hub, HubConfig, HubHandle};
use tally_sync::*;
use uuid::Uuid;

struct Setup {
    _dir: tempfile::TempDir,
    config: HubConfig,
    handle: HubHandle,
    staff_a: String,
    staff_b: String,
    dev_a: Enrolled,
    dev_b: Enrolled,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config = fast_config(&dir);
    let handle = Hub::start(config.clone()).await.unwrap();
    let seeded = seed_two_outlets(handle.hub(), "Coil").await;
    Setup {
        _dir: dir,
        config,
        handle,
        staff_a: seeded.staff_a,
        staff_b: seeded.staff_b,
        dev_a: seeded.dev_a,
        dev_b: seeded.dev_b,
    }
}

fn transfer(id: Uuid, seq: u64, staff: &str) -> MutationEnvelope {
    transfer_a_to_b(id, seq, staff, "TR-OUT-1")
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
    let body = serde_json::to_value(PushRequest::new(&s.dev_a.id, vec![])).unwrap();
    let (st, err) = post(&s.handle.base_url, None, &body).await;
    assert_eq!(st, 401);
    assert_eq!(err["code"], "UNAUTHENTICATED");
    let (st, err) = post(&s.handle.base_url, Some("tally_dev_forged"), &body).await;
    assert_eq!(st, 401);
    assert_eq!(err["code"], "UNKNOWN_DEVICE_TOKEN");
    s.handle.hub().revoke_device(&s.dev_a.id).await.unwrap();
    let (st, err) = post(&s.handle.base_url, Some(&s.dev_a.token), &body).await;
    assert_eq!(st, 401);
    assert_eq!(err["code"], "DEVICE_REVOKED");
}

#[tokio::test]
async fn another_outlets_token_cannot_act_for_a_foreign_outlet() {
    let s = setup().await;
    let base = &s.handle.base_url;
    // B's token pretending to be A's device.
    let as_a = serde_json::to_value(PushRequest::new(
        &s.dev_a.id,
        vec![transfer(Uuid::now_v7(), 1, &s.staff_a)],
    ))
    .unwrap();
    let (st, err) = post(base, Some(&s.dev_b.token), &as_a).await;
    assert_eq!(st, 403);
    assert_eq!(err["code"], "CLIENT_MISMATCH");
    // B's token, honestly B, creating a transfer out of outlet A.
    let for_a = serde_json::to_value(PushRequest::new(
        &s.dev_b.id,
        vec![transfer(Uuid::now_v7(), 1, &s.staff_b)],
    ))
    .unwrap();
    let (st, resp) = post(base, Some(&s.dev_b.token), &for_a).await;
    assert_eq!(st, 200);
    assert_eq!(resp["results"][0]["status"], "rejected");
    assert_eq!(resp["results"][0]["code"], "FOREIGN_OUTLET");
}

#[tokio::test]
async fn an_unknown_protocol_version_is_refused_with_a_clear_code() {
    let s = setup().await;
    let mut body = serde_json::to_value(PushRequest::new(&s.dev_a.id, vec![])).unwrap();
    body["protocol"] = 2.into();
    let (st, err) = post(&s.handle.base_url, Some(&s.dev_a.token), &body).await;
    assert_eq!(st, 400);
    assert_eq!(err["code"], "UNSUPPORTED_PROTOCOL");
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/sync/pull?protocol=2&cursor=0",
            s.handle.base_url
        ))
        .bearer_auth(&s.dev_a.token)
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
        &s.dev_a.id,
        vec![transfer(id, 1, &s.staff_a)],
    ))
    .unwrap();
    let (st, first) = post(&s.handle.base_url, Some(&s.dev_a.token), &body).await;
    assert_eq!(st, 200);
    assert_eq!(first["results"][0]["status"], "applied");
    s.handle.shutdown().await.unwrap();

    let handle = Hub::start(s.config.clone()).await.unwrap();
    let (st, again) = post(&handle.base_url, Some(&s.dev_a.token), &body).await;
    assert_eq!(st, 200);
    assert_eq!(again["results"][0]["status"], "duplicate");
    assert_eq!(again["last_seq"], 1);

    // B pulls the transfer it will receive.
    let page: PullResponse = reqwest::Client::new()
        .get(format!(
            "{}/sync/pull?protocol=1&cursor=0&limit=50",
            handle.base_url
        ))
        .bearer_auth(&s.dev_b.token)
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

/// A pull with the station's report of its reference numbers.
async fn pull_refs(base: &str, token: &str, refs: Option<(u64, u32)>) -> PullResponse {
    let mut url = format!("{base}/sync/pull?protocol=1&cursor=0&limit=5");
    if let Some((left, highest)) = refs {
        url.push_str(&format!("&refs_left={left}&refs_highest={highest}"));
    }
    reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_replayed_pull_gets_the_same_reference_block_even_after_a_hub_restart() {
    let s = setup().await;
    let base = s.handle.base_url.clone();
    // A station that does not report gets nothing.
    assert_eq!(
        pull_refs(&base, &s.dev_a.token, None).await.reference_block,
        None
    );
    // The block issued at enrolment, sent until the station reports holding it.
    let first = pull_refs(&base, &s.dev_a.token, Some((0, 0)))
        .await
        .reference_block
        .unwrap();
    let other = pull_refs(&base, &s.dev_b.token, Some((0, 0)))
        .await
        .reference_block
        .unwrap();
    assert!(!first.overlaps(&other), "{first:?} {other:?}");
    // Holding it but nearly used up: a new block; the answer is lost, the same pull
    // comes again (after a restart) and gets the same block.
    let second = pull_refs(&base, &s.dev_a.token, Some((3, first.last)))
        .await
        .reference_block
        .unwrap();
    s.handle.shutdown().await.unwrap();
    let handle = Hub::start(s.config.clone()).await.unwrap();
    let again = pull_refs(&handle.base_url, &s.dev_a.token, Some((3, first.last)))
        .await
        .reference_block;
    assert_eq!(again, Some(second));
    assert!(second.first > first.last.max(other.last));
    // Once it holds the new block, nothing more.
    let held = pull_refs(
        &handle.base_url,
        &s.dev_a.token,
        Some((3 + second.len(), second.last)),
    )
    .await;
    assert_eq!(held.reference_block, None);
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_consignment_snapshot_needs_a_device_token_and_a_known_protocol() {
    let s = setup().await;
    let base = &s.handle.base_url;
    let id = Uuid::now_v7();
    let body = serde_json::to_value(PushRequest::new(
        &s.dev_a.id,
        vec![transfer(id, 1, &s.staff_a)],
    ))
    .unwrap();
    assert_eq!(post(base, Some(&s.dev_a.token), &body).await.0, 200);
    let get = |token: Option<&str>, protocol: u32| {
        let mut req = reqwest::Client::new()
            .get(format!("{base}/sync/consignment"))
            .query(&[("protocol", protocol.to_string()), ("id", id.to_string())]);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send()
    };
    let resp = get(None, PROTOCOL_VERSION).await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = get(Some(&s.dev_a.token), 2).await.unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(
        resp.json::<ErrorBody>().await.unwrap().code,
        "UNSUPPORTED_PROTOCOL"
    );
    let snap: SnapshotResponse = get(Some(&s.dev_a.token), PROTOCOL_VERSION)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(snap.consignment.map(|c| c.id), Some(id));
}
