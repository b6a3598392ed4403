//! The first screen's use cases against a real store file: who may sign in, with which
//! PIN, and what the open-consignments list and the sync indicator show.

use std::path::PathBuf;

use rust_decimal::Decimal;
use tally_app::sync_status::Connection;
use tally_app::{App, AppConfig, HubMode};
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_store::{
    hash_pin_with_cost, Consignment, ConsignmentLine, Outlet, Product, PulledChanges,
    PulledConsignment, StaffRecord, Store,
};
use time::OffsetDateTime;
use uuid::Uuid;

const CHEAP_ARGON: (u32, u32) = (64, 1);

struct Chain {
    here: Uuid,
    there: Uuid,
    staff: Uuid,
    manager_elsewhere: Uuid,
    director: Uuid,
    no_pin: Uuid,
}

fn outlet(id: Uuid, name: &str) -> Outlet {
    Outlet {
        id,
        name: name.into(),
        code: None,
        lightspeed_id: None,
        active: true,
        version: 1,
    }
}

fn staff(id: Uuid, outlet: Option<Uuid>, name: &str, role: Role, pin: Option<&str>) -> StaffRecord {
    StaffRecord {
        id,
        outlet_id: outlet,
        name: name.into(),
        role,
        pin_hash: pin.map(|p| hash_pin_with_cost(p, CHEAP_ARGON).unwrap()),
        active: true,
        version: 1,
    }
}

fn product(id: Uuid) -> Product {
    Product {
        id,
        sku: "SKU-1".into(),
        name: "Mango Ice 50ml".into(),
        supplier_id: None,
        supplier_code: None,
        supply_price: None,
        price: None,
        weight_grams: None,
        dimensions: None,
        active: true,
        deleted: false,
        lightspeed_id: None,
        version: 1,
        barcodes: vec!["9421234500019".into()],
    }
}

fn consignment(
    kind: ConsignmentKind,
    status: ConsignmentStatus,
    from: Option<Uuid>,
    to: Option<Uuid>,
    reference: &str,
    product_id: Uuid,
) -> PulledConsignment {
    let now = OffsetDateTime::now_utc();
    let id = Uuid::now_v7();
    PulledConsignment {
        consignment: Consignment {
            id,
            kind,
            status,
            source_outlet_id: from,
            destination_outlet_id: to,
            supplier_id: None,
            reference: reference.into(),
            lightspeed_id: None,
            version: 1,
            created_by: None,
            created_at: now,
            updated_at: now,
        },
        boxes: Vec::new(),
        lines: vec![ConsignmentLine {
            id: Uuid::now_v7(),
            consignment_id: id,
            product_id,
            expected_qty: Decimal::from(3),
            unit_cost: None,
            deleted: false,
            version: 1,
            created_at: now,
            updated_at: now,
        }],
    }
}

/// A store seeded the way a pull from the hub seeds it, and an `App` on it.
fn app_with_chain() -> (tempfile::TempDir, App, Chain) {
    let dir = tempfile::tempdir().unwrap();
    let (elsewhere, product_id) = (Uuid::now_v7(), Uuid::now_v7());
    let chain = Chain {
        here: Uuid::now_v7(),
        there: Uuid::now_v7(),
        staff: Uuid::now_v7(),
        manager_elsewhere: Uuid::now_v7(),
        director: Uuid::now_v7(),
        no_pin: Uuid::now_v7(),
    };
    {
        let store = Store::open(dir.path().join("tally.sqlite3")).unwrap();
        let changes = PulledChanges {
            outlets: vec![
                outlet(chain.here, "Newmarket"),
                outlet(chain.there, "Wellington"),
                outlet(elsewhere, "Dunedin"),
            ],
            products: vec![product(product_id)],
            staff: vec![
                staff(
                    chain.staff,
                    Some(chain.here),
                    "Aroha Ngata",
                    Role::Staff,
                    Some("1234"),
                ),
                staff(
                    chain.manager_elsewhere,
                    Some(chain.there),
                    "Sam Lee",
                    Role::StoreManager,
                    Some("5555"),
                ),
                staff(
                    chain.director,
                    None,
                    "Mere Whare",
                    Role::Director,
                    Some("9999"),
                ),
                staff(
                    chain.no_pin,
                    Some(chain.here),
                    "New Starter",
                    Role::Staff,
                    None,
                ),
            ],
            consignments: vec![
                consignment(
                    ConsignmentKind::OutletTransfer,
                    ConsignmentStatus::Packing,
                    Some(chain.here),
                    Some(chain.there),
                    "TR-TRF-202611-000001-00",
                    product_id,
                ),
                consignment(
                    ConsignmentKind::OutletTransfer,
                    ConsignmentStatus::Sent,
                    Some(chain.there),
                    Some(chain.here),
                    "TR-TRF-202611-000002-00",
                    product_id,
                ),
                consignment(
                    ConsignmentKind::OutletTransfer,
                    ConsignmentStatus::Received,
                    Some(chain.there),
                    Some(chain.here),
                    "TR-TRF-202611-000003-00",
                    product_id,
                ),
                consignment(
                    ConsignmentKind::OutletTransfer,
                    ConsignmentStatus::Packing,
                    Some(chain.there),
                    Some(elsewhere),
                    "TR-TRF-202611-000004-00",
                    product_id,
                ),
            ],
            ..PulledChanges::default()
        };
        store.apply_pulled(&changes, 1).unwrap();
        store
            .init_station(Uuid::now_v7(), chain.here, "Bench 1")
            .unwrap();
    }
    let config = AppConfig {
        data_dir: PathBuf::from(dir.path()),
        hub: HubMode::Demo,
        station_name: "Bench 1".into(),
        outlet: None,
        wedge_max_gap_ms: 35,
        log_filter: "info".into(),
    };
    let app = App::open(config, "http://127.0.0.1:1".into()).unwrap();
    (dir, app, chain)
}

#[test]
fn station_info_names_the_outlet_and_the_demo_mode() {
    let (_d, app, _c) = app_with_chain();
    let info = app.station_info().unwrap();
    assert_eq!(info.outlet.name, "Newmarket");
    assert_eq!(info.station_name, "Bench 1");
    assert_eq!(info.mode, tally_app::station::StationMode::Demo);
}

#[test]
fn the_sign_in_list_shows_this_outlets_staff_and_chain_roles_with_a_pin() {
    let (_d, app, _c) = app_with_chain();
    let names: Vec<String> = app
        .list_staff()
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(
        names,
        vec!["Aroha Ngata", "Mere Whare"],
        "no other outlet's staff, nobody without a PIN"
    );
}

#[test]
fn signing_in_with_the_right_pin_opens_a_session() {
    let (_d, app, c) = app_with_chain();
    let s = app.sign_in(&c.staff.to_string(), "1234").unwrap();
    assert_eq!(s.staff.name, "Aroha Ngata");
    assert_eq!(s.staff.initials, "AN");
    assert_eq!(app.current_session().unwrap().staff.id, c.staff.to_string());
    app.sign_out().unwrap();
    assert!(app.current_session().is_none());
}

#[test]
fn a_wrong_pin_is_refused_with_a_stable_code() {
    let (_d, app, c) = app_with_chain();
    let e = app.sign_in(&c.staff.to_string(), "4321").unwrap_err();
    assert_eq!(e.code, "PIN_WRONG");
    assert!(app.current_session().is_none());
}

#[test]
fn five_wrong_pins_pause_sign_in_even_for_the_right_pin() {
    let (_d, app, c) = app_with_chain();
    for _ in 0..5 {
        assert_eq!(
            app.sign_in(&c.staff.to_string(), "0000").unwrap_err().code,
            "PIN_WRONG"
        );
    }
    assert_eq!(
        app.sign_in(&c.staff.to_string(), "1234").unwrap_err().code,
        "PIN_LOCKED"
    );
}

#[test]
fn a_store_manager_of_another_outlet_cannot_sign_in_here() {
    let (_d, app, c) = app_with_chain();
    assert_eq!(
        app.sign_in(&c.manager_elsewhere.to_string(), "5555")
            .unwrap_err()
            .code,
        "STAFF_OTHER_OUTLET"
    );
}

#[test]
fn a_director_may_sign_in_at_any_outlet() {
    let (_d, app, c) = app_with_chain();
    assert_eq!(
        app.sign_in(&c.director.to_string(), "9999")
            .unwrap()
            .staff
            .name,
        "Mere Whare"
    );
}

#[test]
fn a_malformed_staff_id_is_a_clear_error() {
    let (_d, app, _c) = app_with_chain();
    assert_eq!(
        app.sign_in("../../etc/passwd", "1234").unwrap_err().code,
        "BAD_ID"
    );
}

#[test]
fn the_list_needs_a_signed_in_staff_member() {
    let (_d, app, _c) = app_with_chain();
    assert_eq!(
        app.list_open_consignments().unwrap_err().code,
        "NOT_SIGNED_IN"
    );
}

#[test]
fn open_consignments_of_this_outlet_are_listed_with_direction_and_counterpart() {
    let (_d, app, c) = app_with_chain();
    app.sign_in(&c.staff.to_string(), "1234").unwrap();
    let rows = app.list_open_consignments().unwrap();
    let mut seen: Vec<(String, tally_app::consignments::Direction, String)> = rows
        .iter()
        .map(|r| (r.reference.clone(), r.direction, r.counterpart.clone()))
        .collect();
    seen.sort();
    use tally_app::consignments::Direction::*;
    assert_eq!(
        seen,
        vec![
            (
                "TR-TRF-202611-000001-00".into(),
                Outgoing,
                "Wellington".into()
            ),
            (
                "TR-TRF-202611-000002-00".into(),
                Incoming,
                "Wellington".into()
            ),
        ],
        "received and other outlets' consignments are not listed"
    );
    assert!(rows.iter().all(|r| r.line_count == 1));
}

#[test]
fn the_sync_indicator_reports_the_last_connection_outcome() {
    let (_d, app, _c) = app_with_chain();
    let s = app.sync_status().unwrap();
    assert_eq!(
        (s.connection, s.pending, s.needs_attention),
        (Connection::Unknown, 0, 0)
    );
    app.report_connection(Connection::Offline, Some("hub unreachable".into()));
    let s = app.sync_status().unwrap();
    assert_eq!(s.connection, Connection::Offline);
    assert_eq!(s.last_error.as_deref(), Some("hub unreachable"));
}

#[test]
fn a_consignment_opens_with_its_lines_and_next_statuses() {
    let (_d, app, c) = app_with_chain();
    app.sign_in(&c.staff.to_string(), "1234").unwrap();
    let row = app
        .list_open_consignments()
        .unwrap()
        .into_iter()
        .find(|r| r.reference == "TR-TRF-202611-000001-00")
        .unwrap();
    let d = app.consignment_detail(&row.id).unwrap();
    assert_eq!(d.header.counterpart, "Wellington");
    assert_eq!(d.lines.len(), 1);
    assert_eq!(
        (d.lines[0].expected.as_str(), d.lines[0].packed.as_str()),
        ("3", "0")
    );
    assert_eq!(d.lines[0].name, "Mango Ice 50ml");
    assert!(
        d.allowed_next.contains(&ConsignmentStatus::Packed),
        "{:?}",
        d.allowed_next
    );
}

#[test]
fn an_unknown_consignment_is_not_found() {
    let (_d, app, c) = app_with_chain();
    app.sign_in(&c.staff.to_string(), "1234").unwrap();
    assert_eq!(
        app.consignment_detail(&Uuid::now_v7().to_string())
            .unwrap_err()
            .code,
        "NOT_FOUND"
    );
}
