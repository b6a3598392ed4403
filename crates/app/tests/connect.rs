//! A station connects to the embedded demo hub over loopback: the first pull brings
//! its outlet, staff and open consignments; the indicator says online.

mod support;

use support::DemoStation;
use tally_app::sync_status::Connection;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_connects_pulls_its_outlet_and_lists_the_seeded_consignments() {
    let s = DemoStation::start().await;
    let (app, demo) = (&s.app, &s.demo);
    assert_eq!(app.station_info().unwrap().outlet.name, demo.outlet_name);
    assert_eq!(app.sync_status().unwrap().connection, Connection::Online);
    let clerk = s.staff(Role::Staff);
    let listed = app.list_staff().unwrap();
    assert!(listed.iter().any(|x| x.name == clerk.name), "{listed:?}");
    s.sign_in(Role::Staff);

    let rows = app.list_open_consignments().unwrap();
    let find = |r: &Option<String>| {
        rows.iter()
            .find(|x| Some(&x.reference) == r.as_ref())
            .cloned()
    };
    let pack = find(&demo.seeded.transfer_to_pack).expect("transfer to pack listed");
    assert_eq!(
        (pack.kind, pack.status, pack.line_count),
        (
            ConsignmentKind::OutletTransfer,
            ConsignmentStatus::Draft,
            20
        )
    );
    let incoming = find(&demo.seeded.incoming_transfer).expect("incoming transfer listed");
    assert_eq!(incoming.status, ConsignmentStatus::Sent);
    assert_eq!(
        incoming.direction,
        tally_app::consignments::Direction::Incoming
    );
    let po = find(&demo.seeded.sent_po).expect("sent purchase order listed");
    assert_eq!(
        (po.kind, po.status),
        (ConsignmentKind::PurchaseOrder, ConsignmentStatus::Sent)
    );
    assert!(find(&demo.seeded.draft_return).is_some());
    s.stop().await;
}
