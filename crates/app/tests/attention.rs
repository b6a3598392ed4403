//! A change the hub refuses becomes "needs attention" with the hub's reason; it can be
//! retried, and only a manager may discard it; discarding takes back what it did at
//! the station.

mod support;

use std::time::Duration;

use support::DemoStation;
use tally_app::App;
use tally_domain::{ConsignmentStatus, Role};
use tally_store::{Actor, ScanInput, ScanPurpose};
use uuid::Uuid;

async fn until(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..300 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_change_needs_attention_and_a_manager_may_discard_it() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let draft = app
        .list_open_consignments()
        .unwrap()
        .into_iter()
        .find(|r| Some(&r.reference) == s.demo.seeded.small_transfer.as_ref())
        .unwrap();
    // The store records what it is told; the hub checks the rules and refuses a draft
    // transfer jumping straight to received.
    let id = Uuid::parse_str(&draft.id).unwrap();
    let c = app.store().consignment(id).unwrap();
    let clerk = Uuid::parse_str(&s.staff(Role::Staff).id).unwrap();
    app.store()
        .set_consignment_status(
            &Actor::Staff(clerk),
            id,
            c.version,
            ConsignmentStatus::Received,
        )
        .unwrap();
    app.sync_now().unwrap();
    until("the hub's refusal", || {
        app.sync_status().unwrap().needs_attention == 1
    })
    .await;

    let items = app.needs_attention().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].what, "Status change");
    assert_eq!(
        items[0].reference.as_deref(),
        Some(draft.reference.as_str())
    );
    assert!(
        !items[0].code.is_empty() && !items[0].message.is_empty(),
        "{:?}",
        items[0]
    );

    // Retrying sends it again; the hub refuses it again with the same reason.
    app.retry_change(&items[0].mutation_id).unwrap();
    until("the second refusal", || {
        let st = app.sync_status().unwrap();
        st.needs_attention == 1 && st.pending == 0 && st.in_flight == 0
    })
    .await;

    // Staff may not discard; a store manager may, and it is gone from the queue.
    assert_eq!(
        app.discard_change(&items[0].mutation_id).unwrap_err().code,
        "DISCARD_NEEDS_MANAGER"
    );
    app.sign_out().unwrap();
    s.sign_in(Role::StoreManager);
    app.discard_change(&items[0].mutation_id).unwrap();
    assert_eq!(app.sync_status().unwrap().needs_attention, 0);
    assert!(app.needs_attention().unwrap().is_empty());
    let trail = app
        .store()
        .audit_entries_for("outbox", &items[0].mutation_id)
        .unwrap();
    assert!(
        trail.iter().any(|e| e.action == "outbox.discarded"),
        "discard is audited"
    );
    // What the refused change did here is taken back: the station shows the hub's
    // view again (the hub never moved the draft, so no pull would have brought it).
    until("the hub's view of the transfer", || {
        app.store().consignment(id).unwrap().status == ConsignmentStatus::Draft
    })
    .await;
    assert!(app.store().consignments_to_refresh().unwrap().is_empty());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_discarded_scan_is_taken_back_and_the_bench_shows_the_hubs_view() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let reference = s.demo.seeded.small_transfer.clone().unwrap();
    let id = Uuid::parse_str(&s.open_row(&reference).id).unwrap();
    let product = app.store().consignment_lines(id).unwrap()[0]
        .line
        .product_id;
    let packed = |app: &App| {
        app.store()
            .consignment_lines(id)
            .unwrap()
            .into_iter()
            .find(|l| l.line.product_id == product)
            .unwrap()
            .packed
    };

    // The bench loses the hub and packs one unit.
    s.demo.set_station_online(false);
    let clerk = Uuid::parse_str(&s.staff(Role::Staff).id).unwrap();
    app.store()
        .record_scan(ScanInput {
            consignment_id: id,
            product_id: product,
            box_id: None,
            purpose: ScanPurpose::Pack,
            delta: 1,
            raw_code: "9421234567890".into(),
            device_id: "bench-1".into(),
            staff_id: clerk,
        })
        .unwrap();
    assert_eq!(packed(app), 1);

    // Meanwhile the office at the same outlet cancels the transfer.
    let dir = tempfile::tempdir().unwrap();
    let (office, office_sync) = s.station_at(&s.demo.outlet_id, "Office", dir.path()).await;
    until("the office's first pull", || {
        office.store().consignment(id).is_ok()
    })
    .await;
    let manager = s.staff(Role::StoreManager);
    office.sign_in(&manager.id, &manager.pin).unwrap();
    let version = office.store().consignment(id).unwrap().version;
    office
        .store()
        .set_consignment_status(
            &Actor::Staff(Uuid::parse_str(&manager.id).unwrap()),
            id,
            version,
            ConsignmentStatus::Cancelled,
        )
        .unwrap();
    office.sync_now().unwrap();
    for _ in 0..300 {
        let hub = s.demo.hub().consignment(id).await.unwrap().unwrap();
        if hub.status == ConsignmentStatus::Cancelled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let hub = s.demo.hub().consignment(id).await.unwrap().unwrap();
    assert_eq!(hub.status, ConsignmentStatus::Cancelled);

    // Back online, the hub refuses the scan; the unit stays counted until someone decides.
    s.demo.set_station_online(true);
    app.sync_now().unwrap();
    until("the hub's refusal of the scan", || {
        app.sync_status().unwrap().needs_attention == 1
    })
    .await;
    assert_eq!(packed(app), 1, "a refused scan is never dropped silently");

    // A manager discards it: the unit is taken back at once, and the transfer shows
    // the hub's status.
    let item = app.needs_attention().unwrap().remove(0);
    assert_eq!(item.what, "Scan");
    app.sign_out().unwrap();
    s.sign_in(Role::StoreManager);
    app.discard_change(&item.mutation_id).unwrap();
    assert_eq!(packed(app), 0);
    let events = app.store().scan_events(id).unwrap();
    assert_eq!(
        events.len(),
        2,
        "the scan and the one taking it back: {events:?}"
    );
    assert_eq!(events[1].undoes, Some(events[0].id));
    assert_eq!(
        events[1].mutation_id, None,
        "taking it back is never pushed"
    );
    until("the hub's view of the transfer", || {
        app.store().consignment(id).unwrap().status == ConsignmentStatus::Cancelled
    })
    .await;
    // Nothing reached the hub: it has no scan for the transfer.
    assert_eq!(
        s.demo
            .hub()
            .consignment(id)
            .await
            .unwrap()
            .unwrap()
            .lines
            .iter()
            .map(|l| l.packed_qty)
            .sum::<rust_decimal::Decimal>(),
        rust_decimal::Decimal::ZERO
    );
    office_sync.stop().await;
    s.stop().await;
}
