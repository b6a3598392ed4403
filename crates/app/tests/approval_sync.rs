//! An approval decided at the station reaches the hub and Lightspeed as one decision:
//! the status it moves is the hub's to derive, so nothing comes back "needs attention".

mod support;

use std::time::Duration;

use support::DemoStation;
use tally_domain::{ConsignmentStatus, LsConsignmentStatus, LsConsignmentType, Role};
use uuid::Uuid;

async fn until(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..500 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Waits until the station's outbox is empty (pushed and answered).
async fn drained(s: &DemoStation) {
    s.app.sync_now().unwrap();
    until("the outbox to drain", || {
        let st = s.app.sync_status().unwrap();
        st.pending == 0 && st.in_flight == 0
    })
    .await;
}

/// Staff submit the demo's draft purchase order; it reaches the hub pending approval.
async fn submit_the_draft_order(s: &DemoStation) -> tally_app::consignments::ConsignmentRow {
    let (row, submitted) = s.submit_draft_order();
    assert_eq!(submitted.status, ConsignmentStatus::PendingApproval);
    drained(s).await;
    row
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_approved_at_the_station_syncs_without_a_spurious_refusal() {
    let s = DemoStation::start().await;
    let row = submit_the_draft_order(&s).await;

    // A director approves with their PIN at this station (any tier's total).
    let director = s
        .demo
        .staff
        .iter()
        .find(|p| p.role == Role::Director)
        .unwrap();
    let approved = support::approve(&s.app, &row.id, director, None);
    assert_eq!(approved.status, ConsignmentStatus::Approved);
    drained(&s).await;

    let attention = s.app.needs_attention().unwrap();
    assert!(attention.is_empty(), "spurious refusals: {attention:#?}");
    let id = Uuid::parse_str(&row.id).unwrap();
    let at_hub = s.demo.hub().consignment(id).await.unwrap().unwrap();
    assert_eq!(at_hub.status, ConsignmentStatus::Approved);
    assert_eq!(at_hub.approvals.len(), 1, "one decision, recorded once");

    // The pull brings the hub's state back; the station agrees with it.
    s.app.sync_now().unwrap();
    until("the station to hold the hub's version", || {
        s.app.store().consignment(id).unwrap().version >= at_hub.version as i64
    })
    .await;
    assert_eq!(
        s.app.store().consignment(id).unwrap().status,
        ConsignmentStatus::Approved
    );

    // Lightspeed holds it once, as an OPEN supplier order.
    let in_ls = || {
        s.demo
            .lightspeed()
            .consignments()
            .into_iter()
            .filter(|c| !c.deleted && c.name.as_deref() == Some(row.reference.as_str()))
            .collect::<Vec<_>>()
    };
    until("the order to reach Lightspeed", || !in_ls().is_empty()).await;
    let ls = in_ls();
    assert_eq!(ls.len(), 1, "{ls:#?}");
    assert_eq!(ls[0].kind, LsConsignmentType::Supplier);
    assert_eq!(ls[0].status, LsConsignmentStatus::Open);
    assert!(s.demo.hub().dead_letters().await.unwrap().is_empty());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_at_another_outlets_station_approves_the_order() {
    let s = DemoStation::start().await;
    let row = submit_the_draft_order(&s).await;
    let reference = row.reference.clone();

    // A station of another outlet, where the director happens to be today.
    let dir = tempfile::tempdir().unwrap();
    let (_, b, b_sync, director) = s
        .station_elsewhere("Office", Role::Director, dir.path())
        .await;
    support::until_queued(&b, &reference).await;
    assert!(
        !b.list_open_consignments()
            .unwrap()
            .iter()
            .any(|r| r.reference == reference),
        "another outlet's order is in the approver's queue, not in the outlet's list"
    );
    let approved = support::approve(&b, &row.id, director, Some("Approved from Office"));
    assert_eq!(approved.status, ConsignmentStatus::Approved);
    b.sync_now().unwrap();
    until("the approval to reach the hub", || {
        let st = b.sync_status().unwrap();
        st.pending == 0 && st.in_flight == 0
    })
    .await;
    assert!(
        b.needs_attention().unwrap().is_empty(),
        "{:#?}",
        b.needs_attention()
    );

    let id = Uuid::parse_str(&row.id).unwrap();
    let at_hub = s.demo.hub().consignment(id).await.unwrap().unwrap();
    assert_eq!(at_hub.status, ConsignmentStatus::Approved);
    assert_eq!(at_hub.approvals.len(), 1);
    // The ordering outlet's station learns it with its next pull.
    s.app.sync_now().unwrap();
    until("the ordering station to see the approval", || {
        s.app.store().consignment(id).unwrap().status == ConsignmentStatus::Approved
    })
    .await;
    b_sync.stop().await;
    s.stop().await;
}
