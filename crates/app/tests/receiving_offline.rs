//! Receiving offline: with the link to the hub cut, a delivery is received and closed at
//! the station (nothing lost, the change waits); when the link returns the queue drains,
//! and although Lightspeed's answers to the received counts and the status change are
//! lost once each (committed, then the connection cut), the hub's retry leaves the order
//! RECEIVED once with each count exactly as received, never doubled.

#[path = "support/receiving.rs"]
mod receiving_support;
mod support;

use std::time::{Duration, Instant};

use receiving_support::finish;
use support::DemoStation;
use tally_app::sync_status::Connection;
use tally_domain::{LsConsignmentStatus, Role};
use tally_testkit::faults::{Fault, FaultRule};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_received_offline_reaches_lightspeed_once_after_lost_answers() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let reference = s.demo.seeded.sent_po.clone().unwrap();
    let id = s.open_row(&reference).id;
    let in_lightspeed = || {
        s.demo
            .lightspeed()
            .consignments()
            .into_iter()
            .filter(|c| !c.deleted && c.name.as_deref() == Some(reference.as_str()))
            .collect::<Vec<_>>()
    };

    // The hub is out of reach: receive everything and close the receipt at the station.
    s.demo.set_station_online(false);
    app.start_receiving(&id).unwrap();
    app.receive_all_as_expected(&id).unwrap();
    let done = app.finish_receiving_session(&id, finish(true)).unwrap();
    assert!(done.receipt_closed, "closed offline");
    app.sync_now().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let st = app.sync_status().unwrap();
        if st.connection == Connection::Offline && st.pending + st.in_flight > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "offline not shown: {st:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let before = in_lightspeed();
    assert_eq!(before.len(), 1);
    assert_eq!(
        before[0].status,
        LsConsignmentStatus::Sent,
        "nothing left the station"
    );

    // Lightspeed commits the first count and the status change but their answers are lost.
    let faults = s.demo.lightspeed().faults();
    faults.add_rule(FaultRule::new("PUT", "/api/2.0/consignments/**", Fault::LostAck).times(2));

    s.demo.set_station_online(true);
    let deadline = Instant::now() + Duration::from_secs(60);
    let ls = loop {
        app.nudge_sync();
        let st = app.sync_status().unwrap();
        assert_eq!(
            st.needs_attention,
            0,
            "refused: {:?}",
            app.store().needs_attention().unwrap()
        );
        let found = in_lightspeed();
        if st.pending + st.in_flight == 0 {
            if let Some(c) = found
                .iter()
                .find(|c| c.status == LsConsignmentStatus::Received)
            {
                break c.clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "not received in Lightspeed in time: {st:?} {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        faults.fired().iter().sum::<u32>() >= 1,
        "a lost answer was forced"
    );
    assert_eq!(in_lightspeed().len(), 1, "one consignment");
    assert!(!ls.lines.is_empty());
    for l in &ls.lines {
        assert_eq!(
            l.received.unwrap_or_default(),
            l.count,
            "line {} received exactly as counted, once",
            l.product_id
        );
    }
    s.stop().await;
}
