//! The demo station gets its reference numbers from the hub: it drafts a purchase
//! order straight after start, with nothing injected into its store.

mod support;

use std::time::Duration;

use support::DemoStation;
use tally_domain::{ConsignmentStatus, Role};
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_station_drafts_a_purchase_order_straight_after_start() {
    let s = DemoStation::start().await;
    let pool = s.app.store().reference_pool().unwrap();
    assert!(pool.left > 0, "the first pull brought a block: {pool:?}");

    s.sign_in(Role::Staff);
    let supplier = s.app.list_suppliers().unwrap().remove(0);
    let po = s.app.create_purchase_order(&supplier.id).unwrap();
    assert!(po.reference.starts_with("TR-PUR-"), "{}", po.reference);
    assert_eq!(po.status, ConsignmentStatus::Draft);
    assert_eq!(
        s.app.store().reference_pool().unwrap().left,
        pool.left - 1,
        "one number used"
    );
    // None of the demo's seeded references uses the station's number.
    let seeded = [
        &s.demo.seeded.transfer_to_pack,
        &s.demo.seeded.small_transfer,
        &s.demo.seeded.incoming_transfer,
        &s.demo.seeded.draft_po,
        &s.demo.seeded.sent_po,
        &s.demo.seeded.draft_return,
    ];
    let number = |r: &str| r.split('-').nth(3).map(str::to_string);
    for r in seeded.into_iter().flatten() {
        assert_ne!(number(r), number(&po.reference), "{r} vs {}", po.reference);
    }

    // The hub takes it as it is.
    s.app.sync_now().unwrap();
    let id = Uuid::parse_str(&po.id).unwrap();
    let mut at_hub = None;
    for _ in 0..300 {
        at_hub = s.demo.hub().consignment(id).await.unwrap();
        if at_hub.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let at_hub = at_hub.expect("the draft reached the hub");
    assert_eq!(at_hub.reference, po.reference);
    assert!(s.app.needs_attention().unwrap().is_empty());
    s.stop().await;
}
