//! A station connects to the embedded demo hub over loopback: the first pull brings
//! its outlet, staff and open consignments; the indicator says online.

mod support;

use support::DemoStation;
use tally_app::sync_status::Connection;
use tally_app::{App, AppConfig, HubMode};
use tally_domain::{ApprovalPolicy, ConsignmentKind, ConsignmentStatus, Role};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hubs_approval_tiers_reach_the_station_and_stay_after_an_offline_restart() {
    let legacy = ApprovalPolicy::legacy_five_tier();
    let s = DemoStation::start_with(|o| o.approval = Some(legacy.clone())).await;
    // The station's own default is the three tiers; the hub's five win after the pull.
    assert_ne!(legacy, ApprovalPolicy::default_three_tier());
    assert_eq!(s.app.purchasing_settings().policy, legacy);
    let dir = s.station_dir();
    let _kept = s.stop().await;

    // Started again with no hub at all: the rules kept from the hub still apply.
    let offline = App::open(
        AppConfig {
            data_dir: dir,
            hub: HubMode::Demo,
            station_name: "Bench 1".into(),
            outlet: None,
            wedge_max_gap_ms: 35,
            log_filter: "info".into(),
        },
        "http://127.0.0.1:1".into(),
    )
    .unwrap();
    assert_eq!(offline.purchasing_settings().policy, legacy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_shows_when_a_change_has_reached_lightspeed() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let reference = s.demo.seeded.transfer_to_pack.clone().unwrap();
    let state = || {
        app.list_open_consignments()
            .unwrap()
            .into_iter()
            .find(|x| x.reference == reference)
            .unwrap()
            .lightspeed
    };
    let at_lightspeed = || {
        s.demo
            .lightspeed()
            .consignments()
            .into_iter()
            .filter(|c| c.name.as_deref() == Some(reference.as_str()) && !c.deleted)
            .collect::<Vec<_>>()
    };
    let id = uuid::Uuid::parse_str(
        &app.list_open_consignments()
            .unwrap()
            .into_iter()
            .find(|x| x.reference == reference)
            .unwrap()
            .id,
    )
    .unwrap();
    let line = app.store().consignment_lines(id).unwrap().remove(0);
    let lsid = app
        .store()
        .product(line.line.product_id)
        .unwrap()
        .lightspeed_id
        .unwrap();
    let ls_count = || {
        at_lightspeed().first().and_then(|c| {
            c.lines
                .iter()
                .find(|l| l.product_id == lsid)
                .map(|l| l.count)
        })
    };
    let clerk = tally_store::Actor::Staff(uuid::Uuid::parse_str(&s.staff(Role::Staff).id).unwrap());
    app.store()
        .set_line(
            &clerk,
            id,
            line.line.product_id,
            rust_decimal::Decimal::from(9),
            None,
        )
        .unwrap();
    app.sync_now().unwrap();
    // "done" only once Lightspeed has the new quantity: never before.
    let mut seen = Vec::new();
    for _ in 0..300 {
        let st = state();
        if st.as_deref() == Some("done") {
            assert_eq!(
                ls_count(),
                Some(rust_decimal::Decimal::from(9)),
                "done means Lightspeed has it"
            );
            break;
        }
        if seen.last() != Some(&st) {
            seen.push(st);
        }
        app.nudge_sync();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(state().as_deref(), Some("done"), "states seen: {seen:?}");
    assert_eq!(at_lightspeed().len(), 1, "one consignment at Lightspeed");
    s.stop().await;
}
