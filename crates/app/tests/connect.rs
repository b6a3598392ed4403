//! A station connects to the embedded demo hub over loopback: the first pull brings
//! its outlet, staff and open consignments; the indicator says online.

use std::sync::Arc;

use tally_app::sync::{connect, Enrolment};
use tally_app::sync_status::Connection;
use tally_app::{App, AppConfig, HubMode};
use tally_demo::{DemoOptions, EmbeddedDemo};
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_connects_pulls_its_outlet_and_lists_the_seeded_consignments() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = DemoOptions::new(dir.path().join("hub"));
    opts.products = 300;
    let demo = EmbeddedDemo::start(opts).await.unwrap();
    let config = AppConfig {
        data_dir: dir.path().join("station"),
        hub: HubMode::Demo,
        station_name: "Bench 1".into(),
        outlet: None,
        wedge_max_gap_ms: 35,
        log_filter: "info".into(),
    };
    let app = Arc::new(App::open(config, demo.hub_url.clone()).unwrap());
    let enrolment = Enrolment {
        hub_url: demo.hub_url.clone(),
        device_id: demo.device_id.clone(),
        device_token: demo.device_token.clone(),
        outlet_id: demo.outlet_id.clone(),
    };
    let sync = connect(Arc::clone(&app), &enrolment, Default::default())
        .await
        .unwrap();

    assert_eq!(app.station_info().unwrap().outlet.name, demo.outlet_name);
    assert_eq!(app.sync_status().unwrap().connection, Connection::Online);
    let clerk = demo
        .staff
        .iter()
        .find(|s| s.role == Role::Staff && s.outlet_id.as_deref() == Some(demo.outlet_id.as_str()))
        .unwrap();
    let listed = app.list_staff().unwrap();
    assert!(listed.iter().any(|s| s.name == clerk.name), "{listed:?}");
    app.sign_in(&clerk.id, &clerk.pin).unwrap();

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
    sync.stop().await;
    demo.shutdown().await;
}
