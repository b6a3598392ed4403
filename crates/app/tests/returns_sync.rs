//! A supplier return's authorisation number, line reasons and credits are the return's
//! own data: another station of the outlet pulls them, Lightspeed shows the number on
//! the RETURN consignment; and an order's timeline shows every station's steps.

mod support;

use std::time::Duration;

use support::DemoStation;
use tally_app::purchasing::{
    NewSupplierReturn, ReturnLineInput, ReturnReason, SupplierCreditInput, SupplierReturnView,
};
use tally_domain::{ConsignmentStatus, LsConsignmentType, Role};
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

async fn drained(app: &tally_app::App) {
    app.sync_now().unwrap();
    until("the outbox to drain", || {
        let st = app.sync_status().unwrap();
        st.pending == 0 && st.in_flight == 0
    })
    .await;
    assert!(
        app.needs_attention().unwrap().is_empty(),
        "{:#?}",
        app.needs_attention()
    );
}

fn line(product: &str, qty: &str, reason: ReturnReason, note: Option<&str>) -> ReturnLineInput {
    ReturnLineInput {
        product_id: product.into(),
        quantity: qty.into(),
        reason,
        note: note.map(str::to_string),
        unit_cost: Some("20.00".into()),
    }
}

fn credit(amount: &str, number: &str, on: &str) -> SupplierCreditInput {
    SupplierCreditInput {
        amount: amount.into(),
        credit_note_number: number.into(),
        credited_on: on.into(),
    }
}

/// A return from scratch for the demo's return supplier: 2 damaged, 1 other (note).
fn new_return(s: &DemoStation) -> SupplierReturnView {
    let seeded = s.demo.seeded.draft_return.clone().unwrap();
    let row = s.open_row(&seeded);
    let template = s.app.supplier_return(&row.id).unwrap();
    assert!(template.lines.len() >= 2, "{template:#?}");
    let (p0, p1) = (&template.lines[0].product_id, &template.lines[1].product_id);
    s.app
        .create_supplier_return(NewSupplierReturn {
            supplier_id: Some(template.supplier.id.clone()),
            source_id: None,
            authorisation_number: Some(" RA-7781 ".into()),
            lines: vec![
                line(p0, "2", ReturnReason::Damaged, Some("crushed corner")),
                line(p1, "1", ReturnReason::Other, Some("sent the 2023 model")),
            ],
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returns_number_reasons_and_credits_reach_the_hub_another_station_and_lightspeed() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let ret = new_return(&s);
    assert_eq!(ret.authorisation_number.as_deref(), Some("RA-7781"));
    assert_eq!(ret.expected_credit.excl_gst.shown, "$60.00");
    assert_eq!(ret.credit.outstanding.shown, "$60.00");
    drained(&s.app).await;

    // The hub keeps them as the return's data.
    let id = Uuid::parse_str(&ret.id).unwrap();
    let at_hub = s.demo.hub().consignment(id).await.unwrap().unwrap();
    let r = at_hub.supplier_return.clone().expect("kept by the hub");
    assert_eq!(r.authorisation_number.as_deref(), Some("RA-7781"));
    assert_eq!(r.reasons.len(), 2);
    assert!(r.reasons.iter().any(
        |x| x.reason == ReturnReason::Other && x.note.as_deref() == Some("sent the 2023 model")
    ));

    // Lightspeed: one RETURN consignment, the number in its name, the marker intact.
    let marker = format!("tally:{id}");
    let in_ls = || s.demo.lightspeed().consignments_with_reference(&marker);
    let named = format!("{} RA RA-7781", ret.reference);
    until("the return to reach Lightspeed with its number", || {
        in_ls()
            .iter()
            .any(|c| c.name.as_deref() == Some(named.as_str()))
    })
    .await;
    let ls = in_ls();
    assert_eq!(ls.len(), 1, "{ls:#?}");
    assert_eq!(ls[0].kind, LsConsignmentType::Return);

    // Another station of the outlet pulls the number and the reasons.
    let dir = tempfile::tempdir().unwrap();
    let (b, b_sync) = s
        .station_at(&s.demo.outlet_id, "Back office", dir.path())
        .await;
    let manager = s.staff(Role::StoreManager);
    b.sign_in(&manager.id, &manager.pin).unwrap();
    until("the other station to pull the return", || {
        b.supplier_return(&ret.id)
            .is_ok_and(|v| v.authorisation_number.as_deref() == Some("RA-7781"))
    })
    .await;
    let seen = b.supplier_return(&ret.id).unwrap();
    let reasons: Vec<_> = seen
        .lines
        .iter()
        .map(|l| (l.reason, l.note.clone()))
        .collect();
    assert!(reasons.contains(&(Some(ReturnReason::Damaged), Some("crushed corner".into()))));
    assert!(reasons.contains(&(
        Some(ReturnReason::Other),
        Some("sent the 2023 model".into())
    )));

    // The supplier credits part of it at the back office; the bench sees it too.
    let bad = b
        .record_supplier_credit(&ret.id, credit("-5", "CN-1", "2026-03-31"))
        .unwrap_err();
    assert_eq!(bad.code, "CREDIT_NOT_POSITIVE");
    let bad = b
        .record_supplier_credit(&ret.id, credit("5", "CN-1", "31/03/2026"))
        .unwrap_err();
    assert_eq!(bad.code, "BAD_DATE");
    assert!(b.supplier_return(&ret.id).unwrap().credits.is_empty());
    let part = b
        .record_supplier_credit(&ret.id, credit("40", " CN-1 ", "2026-03-31"))
        .unwrap();
    assert_eq!(part.credit.credited.shown, "$40.00");
    assert_eq!(part.credit.outstanding.shown, "$20.00");
    assert!(!part.credit.over_credited);
    assert_eq!(part.credits[0].credit_note_number, "CN-1");
    assert_eq!(part.credits[0].recorded_by.name, manager.name);
    let owed = b.supplier_returns(true).unwrap();
    assert!(owed.iter().any(|r| r.id == ret.id));
    drained(&b).await;
    s.app.sync_now().unwrap();
    until("the bench to see the credit", || {
        s.app
            .supplier_return(&ret.id)
            .is_ok_and(|v| v.credits.len() == 1)
    })
    .await;
    assert_eq!(
        s.app
            .supplier_return(&ret.id)
            .unwrap()
            .credit
            .outstanding
            .shown,
        "$20.00"
    );

    // Over-credit is recorded and flagged; the return no longer owes anything.
    let over = s
        .app
        .record_supplier_credit(&ret.id, credit("25", "CN-2", "2026-04-02"))
        .unwrap();
    assert!(over.credit.over_credited);
    assert_eq!(over.credit.credited.shown, "$65.00");
    assert_eq!(over.credit.outstanding.shown, "$0.00");
    assert!(!s
        .app
        .supplier_returns(true)
        .unwrap()
        .iter()
        .any(|r| r.id == ret.id));
    assert!(s
        .app
        .supplier_returns(false)
        .unwrap()
        .iter()
        .any(|r| r.id == ret.id));

    // A number the supplier changes later is renamed in Lightspeed too.
    s.app
        .set_supplier_return_authorisation(&ret.id, Some("RA-7790"))
        .unwrap();
    drained(&s.app).await;
    let renamed = format!("{} RA RA-7790", ret.reference);
    until("Lightspeed to show the new number", || {
        in_ls()
            .iter()
            .any(|c| c.name.as_deref() == Some(renamed.as_str()))
    })
    .await;
    assert_eq!(in_ls().len(), 1);
    let at_hub = s.demo.hub().consignment(id).await.unwrap().unwrap();
    assert_eq!(at_hub.supplier_return.unwrap().credits.len(), 2);
    b_sync.stop().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orders_timeline_shows_the_draft_and_the_approval_from_both_stations_on_both() {
    let s = DemoStation::start().await;
    let (row, _) = s.submit_draft_order();
    let reference = row.reference.clone();
    let local = s.app.consignment_timeline(&row.id).unwrap();
    let submitted = local
        .iter()
        .find(|e| e.summary.starts_with("Submitted for approval"))
        .unwrap();
    assert_eq!(submitted.station, None);
    drained(&s.app).await;
    assert!(s
        .app
        .consignment_timeline(&row.id)
        .unwrap()
        .iter()
        .all(|e| !e.not_yet_synced));

    // A director approves at another outlet's station.
    let dir = tempfile::tempdir().unwrap();
    let (elsewhere, b, b_sync, director) = s
        .station_elsewhere("Office", Role::Director, dir.path())
        .await;
    support::until_queued(&b, &reference).await;
    support::approve(&b, &row.id, director, Some("Approved from Office"));
    drained(&b).await;

    // At the office: the staff member's submit (from the bench, via the hub) and the
    // director's own approval.
    let at_b = b.consignment_timeline(&row.id).unwrap();
    let staff = s.staff(Role::Staff);
    let submit_b = at_b
        .iter()
        .find(|e| e.action == "hub.status_transition_requested")
        .unwrap_or_else(|| panic!("{at_b:#?}"));
    assert_eq!(submit_b.who.name, staff.name);
    assert!(submit_b.station.is_some());
    assert!(submit_b
        .changes
        .iter()
        .any(|c| c.after.as_deref() == Some(ConsignmentStatus::PendingApproval.label())));
    let approved_b = at_b
        .iter()
        .find(|e| e.summary.starts_with("Approved"))
        .unwrap();
    assert_eq!(approved_b.who.name, director.name);
    assert_eq!(approved_b.station, None, "made here");
    assert!(submit_b.at < approved_b.at);

    // At the bench, after a pull: the approval, by the director, at the office.
    s.app.sync_now().unwrap();
    until("the bench to pull the approval", || {
        s.app
            .consignment_timeline(&row.id)
            .unwrap()
            .iter()
            .any(|e| e.action == "hub.approval_decided")
    })
    .await;
    let at_a = s.app.consignment_timeline(&row.id).unwrap();
    let approved_a = at_a
        .iter()
        .find(|e| e.action == "hub.approval_decided")
        .unwrap();
    assert_eq!(approved_a.summary, "Approved");
    assert_eq!(approved_a.who.name, director.name);
    assert_eq!(approved_a.station.as_deref(), Some(elsewhere.name.as_str()));
    assert!(approved_a
        .changes
        .iter()
        .any(|c| c.after.as_deref() == Some("Approved from Office")));
    let submit_a = at_a
        .iter()
        .position(|e| e.summary.starts_with("Submitted for approval"))
        .unwrap();
    let approve_a = at_a
        .iter()
        .position(|e| e.action == "hub.approval_decided")
        .unwrap();
    assert!(submit_a < approve_a, "{at_a:#?}");
    // Nothing the bench did appears twice.
    assert!(!at_a
        .iter()
        .any(|e| e.action == "hub.status_transition_requested"));
    b_sync.stop().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_the_hub_escalates_is_first_in_the_next_roles_queue_at_any_station_with_why() {
    let s = DemoStation::start().await;
    let (row, _) = s.submit_draft_order();
    let reference = row.reference.clone();
    drained(&s.app).await;

    // The hub's check, an hour and a minute later (a short wait, a passed-in clock).
    let hub = s.demo.hub();
    let config = tally_hub::escalation::EscalationConfig {
        after_minutes: ["1", "2", "3"].map(|t| (t.to_string(), 60)).into(),
        ..Default::default()
    };
    let later = time::OffsetDateTime::now_utc() + time::Duration::minutes(61);
    let done =
        tally_hub::escalation::escalate_due(&*hub.store(), &hub.config().policies, &config, later)
            .unwrap();
    assert_eq!(done.len(), 1, "{done:#?}");
    let to = done[0].to_role;

    // Someone in that role, signed in at another outlet's station, sees it first, with why.
    let dir = tempfile::tempdir().unwrap();
    let (_, b, b_sync, _) = s.station_elsewhere("Office", to, dir.path()).await;
    until("the escalation to reach the office", || {
        b.approval_queue()
            .unwrap()
            .first()
            .is_some_and(|i| i.reference == reference && i.approval.escalated.is_some())
    })
    .await;
    let item = b.approval_queue().unwrap().remove(0);
    let e = item.approval.escalated.unwrap();
    assert_eq!(e.to_role, to);
    assert!(e.why.contains("longer than the 1 h allowed"), "{}", e.why);
    // It is in the order's timeline too, as the hub's doing; nothing was approved.
    let timeline = b.consignment_timeline(&row.id).unwrap();
    assert!(timeline
        .iter()
        .any(|t| t.action == "hub.escalated" && t.summary.contains("escalated")));
    assert_eq!(
        b.purchase_order(&row.id).unwrap().status,
        ConsignmentStatus::PendingApproval
    );
    b_sync.stop().await;
    s.stop().await;
}
