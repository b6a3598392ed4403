//! Set-up shared by the hub's integration tests: a fast hub configuration, two
//! seeded outlets with a station each, mutation builders, a push over HTTP, a
//! polling wait, and the real X-Series client pointed at the testkit's fake.
//! `edges` adds the admin-page and webhook helpers.
#![allow(dead_code)]

pub mod edges;

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus as S, Role};
use tally_hub::{Hub, HubConfig, PinHashCost};
use tally_lightspeed::{
    ClientConfig, Credentials, InMemoryTokenStore, LightspeedClient, StoredTokens,
};
use tally_sync::*;
use tally_testkit::lightspeed::FakeHandle;
use time::OffsetDateTime;
use uuid::Uuid;

/// Argon2id at its cheapest: PIN and password hashing would otherwise dominate.
pub const CHEAP_HASH: PinHashCost = PinHashCost {
    memory_kib: 8,
    iterations: 1,
};

/// A hub with its database in `dir` and cheap PIN hashes; everything else default.
pub fn fast_config(dir: &tempfile::TempDir) -> HubConfig {
    let mut c = HubConfig::new(dir.path().join("hub.db"));
    c.pin_hash = CHEAP_HASH;
    c
}

/// Product `i` (`SKU{i}`, `Product {i}`) with id `id`.
pub fn product(id: impl Into<String>, i: usize, supply_price: Option<Decimal>) -> ProductRow {
    ProductRow {
        id: id.into(),
        sku: format!("SKU{i}"),
        name: format!("Product {i}"),
        variant_name: None,
        supplier_id: None,
        supplier_code: None,
        supply_price,
        active: true,
        codes: vec![],
        deleted: false,
    }
}

/// A station's device id and bearer token.
pub struct Enrolled {
    pub id: String,
    pub token: String,
}

/// What [`seed_two_outlets`] made.
pub struct TwoOutlets {
    pub staff_a: String,
    pub staff_b: String,
    pub dev_a: Enrolled,
    pub dev_b: Enrolled,
}

/// Outlets `out-a` (Ponsonby) and `out-b` (Newmarket), product `p1` named `p1_name`,
/// a staff member and a station at each outlet.
pub async fn seed_two_outlets(hub: &Hub, p1_name: &str) -> TwoOutlets {
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
        name: p1_name.into(),
        ..product("p1", 1, None)
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
    let enrol = async |outlet: &str, station: &str| {
        let e = hub.enroll_device(outlet, station).await.unwrap();
        Enrolled {
            id: e.device_id,
            token: e.token,
        }
    };
    TwoOutlets {
        staff_a,
        staff_b,
        dev_a: enrol("out-a", "packing bench").await,
        dev_b: enrol("out-b", "receiving").await,
    }
}

/// A new transfer `out-a` -> `out-b` of 3 x `p1`, as mutation `seq` of `staff`.
pub fn transfer_a_to_b(id: Uuid, seq: u64, staff: &str, reference: &str) -> MutationEnvelope {
    Envelopes::starting_at(staff, seq - 1).next(Mutation::ConsignmentCreated(ConsignmentCreated {
        consignment_id: id,
        kind: ConsignmentKind::OutletTransfer,
        reference: reference.into(),
        source_outlet_id: Some("out-a".into()),
        destination_outlet_id: Some("out-b".into()),
        supplier_id: None,
        status: S::Draft,
        lines: vec![LineDraft {
            line_id: None,
            product_id: "p1".into(),
            expected_qty: Decimal::from(3),
            unit_cost: None,
        }],
    }))
}

/// Numbers one station's mutations in order, as its outbox would.
pub struct Envelopes {
    staff: String,
    seq: u64,
}

impl Envelopes {
    /// The first envelope gets seq 1.
    pub fn new(staff: &str) -> Self {
        Self::starting_at(staff, 0)
    }

    /// The first envelope gets seq `last + 1`.
    pub fn starting_at(staff: &str, last: u64) -> Self {
        Self {
            staff: staff.into(),
            seq: last,
        }
    }

    /// `m` as the next mutation, by this station's staff member.
    pub fn next(&mut self, m: Mutation) -> MutationEnvelope {
        self.seq += 1;
        MutationEnvelope {
            seq: self.seq,
            mutation_id: Uuid::now_v7(),
            created_at: OffsetDateTime::now_utc(),
            actor: Actor {
                staff_id: self.staff.clone(),
            },
            mutation: m,
        }
    }
}

/// A status move of consignment `id`.
pub fn go(id: Uuid, from: S, to: S, reason: Option<&str>) -> Mutation {
    Mutation::StatusTransitionRequested(StatusTransitionRequested {
        consignment_id: id,
        from,
        to,
        reason: reason.map(str::to_string),
    })
}

/// `delta` of `product` scanned into consignment `id` while packing.
pub fn pack_scan(id: Uuid, product: &str, delta: Decimal, device: &str, staff: &str) -> Mutation {
    Mutation::ScanRecorded(ScanRecorded {
        event_id: Uuid::now_v7(),
        consignment_id: id,
        purpose: ScanPurpose::Pack,
        product_id: product.into(),
        box_id: None,
        delta,
        raw_code: None,
        device_id: device.into(),
        at: OffsetDateTime::now_utc(),
        by: staff.into(),
        over_pack_reason: None,
        undoes: None,
    })
}

/// A transfer `from` -> `to` created, packed line by line (every line in full) and
/// sent: what a packing bench pushes for one consignment.
pub fn packed_and_sent(
    env: &mut Envelopes,
    id: Uuid,
    reference: &str,
    (from, to): (&str, &str),
    lines: &[(String, Decimal)],
    device: &str,
) -> Vec<MutationEnvelope> {
    let staff = env.staff.clone();
    let mut ms = vec![
        env.next(Mutation::ConsignmentCreated(ConsignmentCreated {
            consignment_id: id,
            kind: ConsignmentKind::OutletTransfer,
            reference: reference.into(),
            source_outlet_id: Some(from.into()),
            destination_outlet_id: Some(to.into()),
            supplier_id: None,
            status: S::Draft,
            lines: lines
                .iter()
                .map(|(p, qty)| LineDraft {
                    line_id: None,
                    product_id: p.clone(),
                    expected_qty: *qty,
                    unit_cost: None,
                })
                .collect(),
        })),
        env.next(go(id, S::Draft, S::Packing, None)),
    ];
    for (p, qty) in lines {
        ms.push(env.next(pack_scan(id, p, *qty, device, &staff)));
    }
    ms.push(env.next(go(id, S::Packing, S::Packed, None)));
    ms.push(env.next(go(id, S::Packed, S::Sent, None)));
    ms
}

/// Pushes `ms` as station `device` to the hub at `base`; the hub must answer 2xx.
pub async fn push(
    http: &reqwest::Client,
    base: &str,
    device: &Enrolled,
    ms: Vec<MutationEnvelope>,
) -> PushResponse {
    http.post(format!("{base}/sync/push"))
        .bearer_auth(&device.token)
        .json(&PushRequest::new(&device.id, ms))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Polls `check` every 10 ms until it holds; fails the test after 5 s.
pub async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..500 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting until {what}");
}

/// X-Series client settings for the fake, with a 2 s request timeout.
pub fn fake_client_config(fake: &FakeHandle) -> ClientConfig {
    let cfg = fake.config();
    let mut c = ClientConfig::new(
        fake.base_url(),
        fake.token_url(),
        Credentials::new(cfg.client_id.clone(), cfg.client_secret.clone()),
    );
    c.request_timeout = Duration::from_secs(2);
    c
}

/// A token store holding a refresh token the fake just issued.
pub fn fake_tokens(fake: &FakeHandle) -> Arc<InMemoryTokenStore> {
    Arc::new(InMemoryTokenStore::new(StoredTokens::from_refresh_token(
        fake.issue_refresh_token(),
    )))
}

/// The real X-Series client against the fake, settings adjusted by `tune`.
pub fn fake_client(fake: &FakeHandle, tune: impl FnOnce(&mut ClientConfig)) -> LightspeedClient {
    let mut c = fake_client_config(fake);
    tune(&mut c);
    LightspeedClient::new(c, fake_tokens(fake)).unwrap()
}
