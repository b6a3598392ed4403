//! The outlet's sync loop end to end: a real outlet store and a real hub on
//! loopback. Actions saved in one station's store reach the hub and the other
//! outlet's store; a refusal becomes "needs attention" without blocking other
//! work; an unreachable hub leaves everything queued and the indicator offline.

mod support;

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use support::{fast_config, product};
use tally_domain::{ConsignmentKind, ConsignmentStatus as S, Role};
use tally_hub::ls::memory::MemoryLightspeed;
use tally_hub::ls::WorkerConfig;
use tally_hub::{Hub, HubHandle};
use tally_store::{
    Actor, ContentHash, NewConsignment, ReceiptClose, ReceiptLineInput, ScanInput, ScanPurpose,
    Store,
};
use tally_sync::outlet::{HubClient, SyncLoop, SyncLoopConfig};
use tally_sync::OutletRow;
use uuid::Uuid;

struct Outlet {
    id: Uuid,
    staff: Uuid,
    device: String,
    token: String,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
}

struct World {
    _dir: tempfile::TempDir,
    handle: HubHandle,
    a: Outlet,
    b: Outlet,
    products: Vec<Uuid>,
    ls: Arc<MemoryLightspeed>,
}

fn fast() -> SyncLoopConfig {
    SyncLoopConfig {
        batch: 50,
        pull_limit: 100,
        interval: Duration::from_millis(10),
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(20),
    }
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut config = fast_config(&dir);
    config.worker = WorkerConfig {
        idle_ms: 5,
        backoff_base_ms: 2,
        backoff_max_ms: 10,
        batch: 8,
        poll: false,
        ..WorkerConfig::default()
    };
    let ls = Arc::new(MemoryLightspeed::new());
    let handle = Hub::start_with_lightspeed(config, ls.clone())
        .await
        .unwrap();
    let hub = handle.hub().clone();
    let products: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    hub.put_products(
        products
            .iter()
            .enumerate()
            .map(|(i, p)| product(p.to_string(), i, Some(Decimal::new(1250, 2))))
            .collect(),
    )
    .await
    .unwrap();
    let mut outlets = Vec::new();
    for name in ["Ponsonby", "Newmarket"] {
        let id = Uuid::now_v7();
        hub.put_outlet(OutletRow {
            id: id.to_string(),
            name: name.into(),
            deleted: false,
        })
        .await
        .unwrap();
        let staff = hub
            .add_staff("Kiri", Role::Staff, Some(&id.to_string()), "2580")
            .await
            .unwrap();
        let e = hub.enroll_device(&id.to_string(), "bench").await.unwrap();
        let sdir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(sdir.path().join("outlet.db")).unwrap());
        outlets.push(Outlet {
            id,
            staff: Uuid::parse_str(&staff).unwrap(),
            device: e.device_id,
            token: e.token,
            store,
            _dir: sdir,
        });
    }
    // Enrolment: the station's first pull brings outlets, staff and catalog.
    for o in &outlets {
        let (mut first, _) = sync_loop(&handle.base_url, o);
        first.run_once().await.unwrap();
        o.store
            .init_station(Uuid::parse_str(&o.device).unwrap(), o.id, "bench")
            .unwrap();
    }
    let b = outlets.pop().unwrap();
    let a = outlets.pop().unwrap();
    World {
        _dir: dir,
        handle,
        a,
        b,
        products,
        ls,
    }
}

fn sync_loop(
    base: &str,
    o: &Outlet,
) -> (
    SyncLoop,
    tokio::sync::watch::Receiver<tally_sync::outlet::SyncIndicator>,
) {
    let client = HubClient::new(base, &o.device, &o.token, Duration::from_secs(5)).unwrap();
    SyncLoop::new(o.store.clone(), client, fast())
}

fn scan(
    o: &Outlet,
    consignment: Uuid,
    product: Uuid,
    delta: i64,
    purpose: ScanPurpose,
) -> ScanInput {
    ScanInput {
        consignment_id: consignment,
        product_id: product,
        box_id: None,
        purpose,
        delta,
        raw_code: "9400000000001".into(),
        device_id: o.device.clone(),
        staff_id: o.staff,
    }
}

/// Packs and sends a transfer A -> B of `qty` of product 0 in A's store.
fn send_transfer(w: &World, qty: i64) -> Uuid {
    let actor = Actor::Staff(w.a.staff);
    let store = &w.a.store;
    let c = store
        .create_consignment(
            &actor,
            NewConsignment {
                kind: ConsignmentKind::OutletTransfer,
                status: S::Draft,
                source_outlet_id: Some(w.a.id),
                destination_outlet_id: Some(w.b.id),
                supplier_id: None,
                reference: format!("TR-OUT-{}", &Uuid::now_v7().simple().to_string()[26..]),
            },
        )
        .unwrap();
    store
        .set_line(&actor, c.id, w.products[0], Decimal::from(qty), None)
        .unwrap();
    let c = store.consignment(c.id).unwrap();
    let c = store
        .set_consignment_status(&actor, c.id, c.version, S::Packing)
        .unwrap();
    for _ in 0..qty {
        store
            .record_scan(scan(&w.a, c.id, w.products[0], 1, ScanPurpose::Pack))
            .unwrap();
    }
    let c = store.consignment(c.id).unwrap();
    let c = store
        .set_consignment_status(&actor, c.id, c.version, S::Packed)
        .unwrap();
    store
        .set_consignment_status(&actor, c.id, c.version, S::Sent)
        .unwrap();
    c.id
}

#[tokio::test]
async fn a_transfer_packed_at_one_outlet_is_received_at_the_other_through_the_hub() {
    let w = world().await;
    let base = w.handle.base_url.clone();
    let (mut la, ind_a) = sync_loop(&base, &w.a);
    let (mut lb, _) = sync_loop(&base, &w.b);
    // Both stations first learn the catalog and staff.
    la.run_once().await.unwrap();
    lb.run_once().await.unwrap();

    let id = send_transfer(&w, 3);
    let report = la.run_once().await.unwrap();
    assert_eq!(report.rejected, 0, "{report:?}");
    assert_eq!(report.applied, report.pushed);
    let hub_view = w.handle.hub().consignment(id).await.unwrap().unwrap();
    assert_eq!(hub_view.status, S::Sent);
    assert_eq!(hub_view.lines[0].packed_qty, Decimal::from(3));
    let shown = ind_a.borrow().clone();
    assert!(shown.online && shown.pending == 0 && shown.needs_attention == 0);
    assert!(shown.last_sync_at.is_some());

    // B pulls it, with A's scan events, and receives it.
    lb.run_once().await.unwrap();
    let at_b = w.b.store.consignment(id).unwrap();
    assert_eq!(at_b.status, S::Sent);
    let lines = w.b.store.consignment_lines(id).unwrap();
    assert_eq!(
        lines[0].packed, 3,
        "packed derived from A's pulled scan events"
    );

    let actor = Actor::Staff(w.b.staff);
    let c = w.b.store.consignment(id).unwrap();
    w.b.store
        .set_consignment_status(&actor, id, c.version, S::Receiving)
        .unwrap();
    let r = w.b.store.start_receipt(&actor, id).unwrap();
    w.b.store
        .record_receipt_line(
            &actor,
            r.id,
            ReceiptLineInput {
                product_id: w.products[0],
                received_qty: Decimal::from(3),
                damaged_qty: Decimal::ZERO,
                variance_reason: None,
                note: None,
                photos: vec![],
            },
        )
        .unwrap();
    w.b.store
        .close_receipt(
            &actor,
            r.id,
            ReceiptClose {
                signed_by: w.b.staff,
                signature_strokes: None,
                signature_png: Some(ContentHash::parse(&"ab".repeat(32)).unwrap()),
                driver_signature_png: None,
                note: None,
            },
        )
        .unwrap();
    let c = w.b.store.consignment(id).unwrap();
    w.b.store
        .set_consignment_status(&actor, id, c.version, S::Received)
        .unwrap();
    let report = lb.run_once().await.unwrap();
    assert_eq!(
        report.rejected,
        0,
        "{report:?} {:?}",
        w.b.store.needs_attention().unwrap()
    );
    let hub_view = w.handle.hub().consignment(id).await.unwrap().unwrap();
    assert_eq!(hub_view.status, S::Received);
    assert_eq!(hub_view.lines[0].received_qty, Decimal::from(3));

    // And Lightspeed ends RECEIVED once the hub's queue drains.
    for _ in 0..500 {
        if w.handle.hub().pending_sagas().await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let remote = w.ls.all();
    assert_eq!(remote.len(), 1);
    assert_eq!(
        remote[0].c.status,
        tally_domain::LsConsignmentStatus::Received
    );
}

#[tokio::test]
async fn a_new_station_pulling_one_change_a_page_gets_rows_that_moved_past_what_refers_to_them() {
    let w = world().await;
    let base = w.handle.base_url.clone();
    let (mut la, _) = sync_loop(&base, &w.a);
    la.run_once().await.unwrap();
    // The transfer's scans are logged before its last status change, and its product
    // changes at Lightspeed afterwards: both move past what refers to them.
    let id = send_transfer(&w, 2);
    assert_eq!(la.run_once().await.unwrap().rejected, 0);
    w.handle
        .hub()
        .put_products(vec![product(
            w.products[0].to_string(),
            0,
            Some(Decimal::new(1399, 2)),
        )])
        .await
        .unwrap();

    // A station enrolled now at the receiving outlet pulls one change a page: every
    // page must hold on its own (a page is applied in one transaction).
    let e = w
        .handle
        .hub()
        .enroll_device(&w.b.id.to_string(), "second bench")
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path().join("outlet.db")).unwrap());
    let client = HubClient::new(&base, &e.device_id, &e.token, Duration::from_secs(5)).unwrap();
    let config = SyncLoopConfig {
        pull_limit: 1,
        ..fast()
    };
    let (mut fresh, _) = SyncLoop::new(store.clone(), client, config);
    let report = fresh
        .run_once()
        .await
        .expect("every one-change page applies");
    assert!(report.pulled > 0, "{report:?}");
    let at_new = store.consignment(id).unwrap();
    assert_eq!(at_new.status, S::Sent);
    let lines = store.consignment_lines(id).unwrap();
    assert_eq!(lines[0].packed, 2, "both scans arrived with their transfer");
    assert_eq!(
        store.product(w.products[0]).unwrap().supply_price,
        Some(Decimal::new(1399, 2)),
        "the product as Lightspeed changed it"
    );
}

#[tokio::test]
async fn a_refused_action_needs_attention_and_does_not_block_other_work() {
    let w = world().await;
    let base = w.handle.base_url.clone();
    let (mut la, ind) = sync_loop(&base, &w.a);
    la.run_once().await.unwrap();
    // Someone the hub does not know (a staff record made only at this station).
    let stranger = Actor::Staff(Uuid::now_v7());
    w.a.store
        .create_consignment(
            &stranger,
            NewConsignment {
                kind: ConsignmentKind::OutletTransfer,
                status: S::Draft,
                source_outlet_id: Some(w.a.id),
                destination_outlet_id: Some(w.b.id),
                supplier_id: None,
                reference: "TR-OUT-STRANGER".into(),
            },
        )
        .unwrap();
    let good = send_transfer(&w, 1);
    let report = la.run_once().await.unwrap();
    assert_eq!(report.rejected, 1, "{report:?}");
    let attention = w.a.store.needs_attention().unwrap();
    assert_eq!(attention.len(), 1);
    assert_eq!(
        attention[0].last_error_code.as_deref(),
        Some("UNKNOWN_STAFF")
    );
    assert_eq!(ind.borrow().needs_attention, 1);
    let hub_view = w.handle.hub().consignment(good).await.unwrap().unwrap();
    assert_eq!(
        hub_view.status,
        S::Sent,
        "the unrelated transfer went through"
    );
}

#[tokio::test]
async fn an_unreachable_hub_keeps_everything_queued_and_shows_offline() {
    let w = world().await;
    let base = w.handle.base_url.clone();
    let (mut la, _) = sync_loop(&base, &w.a);
    la.run_once().await.unwrap();
    let id = send_transfer(&w, 2);
    // A closed port on loopback: the hub is "down".
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (mut offline, ind) = sync_loop(&format!("http://{dead}"), &w.a);
    let err = offline.run_once().await.unwrap_err();
    assert_eq!(err.code(), "HUB_UNREACHABLE");
    let shown = ind.borrow().clone();
    assert!(!shown.online);
    assert!(shown.pending > 0 && shown.needs_attention == 0);
    assert!(w.handle.hub().consignment(id).await.unwrap().is_none());

    // Connectivity returns: the queue drains by itself (after its backoff).
    tokio::time::sleep(Duration::from_millis(30)).await;
    let report = la.run_once().await.unwrap();
    assert!(report.applied > 0);
    assert_eq!(
        w.handle
            .hub()
            .consignment(id)
            .await
            .unwrap()
            .unwrap()
            .status,
        S::Sent
    );
    assert_eq!(w.a.store.sync_status().unwrap().pending, 0);
}

#[tokio::test]
async fn stations_get_disjoint_reference_blocks_and_a_new_one_when_they_run_low() {
    let w = world().await;
    // The first pull (enrolment) brought each station the block issued with its device.
    let pool_a = w.a.store.reference_pool().unwrap();
    let pool_b = w.b.store.reference_pool().unwrap();
    let size = u64::from(tally_hub::references::ReferenceConfig::default().block_size);
    assert_eq!(pool_a.left, size);
    assert_eq!(pool_b.left, size);
    let block = |top: u32| tally_sync::ReferenceBlock {
        first: top + 1 - size as u32,
        last: top,
    };
    assert!(
        !block(pool_a.highest).overlaps(&block(pool_b.highest)),
        "{pool_a:?} {pool_b:?}"
    );

    // Pulling again with plenty left brings nothing.
    let (mut a_loop, _) = sync_loop(&w.handle.base_url, &w.a);
    let report = a_loop.run_once().await.unwrap();
    assert_eq!(report.reference_blocks, 0);
    assert_eq!(w.a.store.reference_pool().unwrap(), pool_a);

    // Station A drafts until it is below the low-water mark: its next pull tops it up
    // with a block above everything issued so far.
    let low = u64::from(tally_hub::references::ReferenceConfig::default().low_water);
    while w.a.store.reference_pool().unwrap().left >= low {
        w.a.store
            .transact(&Actor::Staff(w.a.staff), |t| {
                let n = t.next_reference_number()?;
                t.create_consignment(NewConsignment {
                    kind: ConsignmentKind::OutletTransfer,
                    status: S::Draft,
                    source_outlet_id: Some(w.a.id),
                    destination_outlet_id: Some(w.b.id),
                    supplier_id: None,
                    reference: format!("TR-TEST-{n}"),
                })
            })
            .unwrap();
    }
    let report = a_loop.run_once().await.unwrap();
    assert_eq!(report.reference_blocks, 1);
    let after = w.a.store.reference_pool().unwrap();
    assert_eq!(after.left, low - 1 + size);
    assert!(after.highest > pool_a.highest.max(pool_b.highest));
    // And nothing more on the pull after.
    assert_eq!(a_loop.run_once().await.unwrap().reference_blocks, 0);
}
