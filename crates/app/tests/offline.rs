//! Offline is normal: with the link to the hub cut, work is saved and counted as
//! waiting; when the link returns, the queue drains and the hub has the change.

mod support;

use std::time::Duration;

use rust_decimal::Decimal;
use support::DemoStation;
use tally_app::sync_status::Connection;
use tally_domain::Role;
use tally_store::Actor;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_done_offline_waits_and_reaches_the_hub_when_the_link_returns() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let row = app
        .list_open_consignments()
        .unwrap()
        .into_iter()
        .find(|r| Some(&r.reference) == s.demo.seeded.small_transfer.as_ref())
        .unwrap();
    let id = Uuid::parse_str(&row.id).unwrap();
    let line = app.store().consignment_lines(id).unwrap().remove(0);
    let clerk = Actor::Staff(Uuid::parse_str(&s.staff(Role::Staff).id).unwrap());

    s.demo.set_station_online(false);
    app.store()
        .set_line(&clerk, id, line.line.product_id, Decimal::from(7), None)
        .unwrap();
    app.sync_now().unwrap();
    until("offline shown with the change waiting", || {
        let st = app.sync_status().unwrap();
        st.connection == Connection::Offline
            && st.pending + st.in_flight == 1
            && st.last_error.is_some()
    })
    .await;

    s.demo.set_station_online(true);
    app.sync_now().unwrap();
    // The loop backs off while offline; allow for one backoff step.
    until("queue drained", || {
        let st = app.sync_status().unwrap();
        st.connection == Connection::Online && st.pending + st.in_flight == 0
    })
    .await;
    let hub = s
        .demo
        .hub()
        .consignment(id)
        .await
        .unwrap()
        .expect("the hub has it");
    let hub_line = hub
        .lines
        .iter()
        .find(|l| l.product_id == line.line.product_id.to_string())
        .unwrap();
    assert_eq!(hub_line.expected_qty, Decimal::from(7));
    s.stop().await;
}
