//! A change the hub refuses becomes "needs attention" with the hub's reason; it can be
//! retried, and only a manager may discard it.

mod support;

use std::time::Duration;

use support::DemoStation;
use tally_domain::{ConsignmentStatus, Role};
use tally_store::Actor;
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
    s.stop().await;
}
