//! Catalog lookups and applying pulled pages from the hub.

mod common;

use common::{d, product, Fixture};
use tally_domain::{ConsignmentKind, ConsignmentStatus};
use tally_store::*;
use uuid::Uuid;

fn pull(f: &Fixture, changes: PulledChanges, cursor: i64) -> PullReport {
    f.store.apply_pulled(&changes, cursor).unwrap()
}

#[test]
fn a_code_finds_its_product_by_barcode_sku_or_supplier_code() {
    let f = Fixture::new();
    let by_barcode = f.store.lookup_code("9400000000017").unwrap().unwrap();
    assert_eq!(
        (by_barcode.product_id, by_barcode.matched_by),
        (f.mug, Some(CodeKind::Barcode))
    );
    let by_sku = f.store.lookup_code("MUG-RED").unwrap().unwrap();
    assert_eq!(
        (by_sku.product_id, by_sku.matched_by),
        (f.mug, Some(CodeKind::Sku))
    );
    let by_supplier = f.store.lookup_code(" ACME-77 ").unwrap().unwrap();
    assert_eq!(by_supplier.matched_by, Some(CodeKind::SupplierCode));
    assert_eq!(by_supplier.price, Some(d("12.99")));
    assert!(f.store.lookup_code("9400000000099").unwrap().is_none());
    assert!(f.store.lookup_code("").unwrap().is_none());
}

#[test]
fn a_pulled_product_replaces_its_codes_and_an_older_version_is_ignored() {
    let f = Fixture::new();
    let mut p = f.store.product(f.mug).unwrap();
    p.barcodes = vec!["9400000000031".into()];
    p.version = 2;
    pull(
        &f,
        PulledChanges {
            products: vec![p.clone()],
            ..Default::default()
        },
        2,
    );
    assert!(
        f.store.lookup_code("9400000000017").unwrap().is_none(),
        "old barcode gone"
    );
    assert_eq!(
        f.store
            .lookup_code("9400000000031")
            .unwrap()
            .unwrap()
            .product_id,
        f.mug
    );
    let mut stale = p.clone();
    stale.version = 1;
    stale.name = "Stale name".into();
    stale.barcodes = vec!["9400000000017".into()];
    pull(
        &f,
        PulledChanges {
            products: vec![stale],
            ..Default::default()
        },
        3,
    );
    let now = f.store.product(f.mug).unwrap();
    assert_eq!(now.name, "Red enamel mug");
    assert_eq!(now.barcodes, vec!["9400000000031".to_string()]);
}

#[test]
fn deleted_products_never_match_and_inactive_ones_are_flagged() {
    let f = Fixture::new();
    let mut gone = f.store.product(f.plate).unwrap();
    gone.deleted = true;
    gone.version = 2;
    let mut old = f.store.product(f.mug).unwrap();
    old.active = false;
    old.version = 2;
    pull(
        &f,
        PulledChanges {
            products: vec![gone, old],
            ..Default::default()
        },
        2,
    );
    assert!(f.store.lookup_code("9400000000024").unwrap().is_none());
    assert!(!f.store.lookup_code("MUG-RED").unwrap().unwrap().active);
    assert!(f.store.search_products("plate", 10).unwrap().is_empty());
}

#[test]
fn a_barcode_shared_by_two_products_says_so() {
    let f = Fixture::new();
    let twin = product(
        Uuid::now_v7(),
        "MUG-RED-2",
        "Red mug (new supplier)",
        &["9400000000017"],
    );
    pull(
        &f,
        PulledChanges {
            products: vec![twin],
            ..Default::default()
        },
        2,
    );
    let hit = f.store.lookup_code("9400000000017").unwrap().unwrap();
    assert_eq!(hit.other_matches, 1);
}

#[test]
fn name_search_matches_word_prefixes_and_survives_any_input() {
    let f = Fixture::new();
    let hits = f.store.search_products("stone pla", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].product_id, f.plate);
    assert_eq!(
        f.store.search_products("MUG", 10).unwrap()[0].product_id,
        f.mug
    );
    for weird in [
        "\"",
        "mug OR",
        "NEAR(a b)",
        "*",
        "a:b",
        "' ; DROP TABLE products; --",
        "ë",
    ] {
        f.store.search_products(weird, 10).unwrap();
    }
    assert!(f.store.search_products("", 10).unwrap().is_empty());
    let mut renamed = f.store.product(f.plate).unwrap();
    renamed.name = "Porcelain side plate".into();
    renamed.version = 2;
    pull(
        &f,
        PulledChanges {
            products: vec![renamed],
            ..Default::default()
        },
        2,
    );
    assert!(
        f.store.search_products("stoneware", 10).unwrap().is_empty(),
        "index follows updates"
    );
    assert_eq!(f.store.search_products("porcelain", 10).unwrap().len(), 1);
}

fn pulled_consignment(
    f: &Fixture,
    id: Uuid,
    version: i64,
    status: ConsignmentStatus,
) -> PulledConsignment {
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20000);
    PulledConsignment {
        consignment: Consignment {
            id,
            kind: ConsignmentKind::OutletTransfer,
            status,
            source_outlet_id: Some(f.there),
            destination_outlet_id: Some(f.here),
            supplier_id: None,
            reference: "TR-OUT-202501-000777-00".into(),
            lightspeed_id: Some("ls-1".into()),
            version,
            created_by: Some(f.elsewhere),
            created_at: now,
            updated_at: now,
        },
        boxes: Vec::new(),
        lines: vec![ConsignmentLine {
            id: Uuid::from_u128(id.as_u128() ^ 1),
            consignment_id: id,
            product_id: f.mug,
            expected_qty: d("4"),
            unit_cost: Some(d("4.50")),
            deleted: false,
            version,
            created_at: now,
            updated_at: now,
        }],
    }
}

#[test]
fn pulled_consignments_only_move_forward_and_the_cursor_moves_with_them() {
    let f = Fixture::new();
    let id = Uuid::now_v7();
    let r = pull(
        &f,
        PulledChanges {
            consignments: vec![pulled_consignment(&f, id, 3, ConsignmentStatus::Sent)],
            ..Default::default()
        },
        10,
    );
    assert_eq!(r.consignments_applied, 1);
    assert_eq!(f.store.pull_cursor().unwrap(), Some(10));
    assert_eq!(
        f.store.consignment(id).unwrap().status,
        ConsignmentStatus::Sent
    );
    let r = pull(
        &f,
        PulledChanges {
            consignments: vec![pulled_consignment(&f, id, 2, ConsignmentStatus::Packing)],
            ..Default::default()
        },
        11,
    );
    assert_eq!(r.consignments_skipped, 1);
    assert_eq!(
        f.store.consignment(id).unwrap().status,
        ConsignmentStatus::Sent
    );
    let lines = f.store.consignment_lines(id).unwrap();
    assert_eq!(lines[0].line.expected_qty, d("4"));
    assert_eq!(lines[0].line.unit_cost, Some(d("4.50")), "decimals exact");
    let list = f.store.list_open_consignments(f.here).unwrap();
    assert!(list
        .iter()
        .any(|c| c.id == id && c.direction == Direction::Incoming));
}

#[test]
fn a_bad_page_changes_nothing_not_even_the_cursor() {
    let f = Fixture::new();
    let id = Uuid::now_v7();
    let mut bad = pulled_consignment(&f, id, 1, ConsignmentStatus::Sent);
    bad.lines[0].consignment_id = f.transfer; // a line claiming another consignment
    let good_product = product(Uuid::now_v7(), "NEW-1", "New thing", &["9400000000048"]);
    let e = f
        .store
        .apply_pulled(
            &PulledChanges {
                products: vec![good_product],
                consignments: vec![bad],
                ..Default::default()
            },
            50,
        )
        .unwrap_err();
    assert_eq!(e.code(), "BAD_INPUT");
    assert_eq!(f.store.pull_cursor().unwrap(), Some(1));
    assert!(
        f.store.lookup_code("9400000000048").unwrap().is_none(),
        "whole page rolled back"
    );
}

#[test]
fn a_page_pointing_at_a_missing_row_is_refused_whole() {
    let f = Fixture::new();
    // A line of a product never sent (a product's own supplier may come later: see
    // a_product_whose_supplier_comes_in_a_later_page_is_linked_once_it_arrives).
    let mut c = pulled_consignment(&f, Uuid::now_v7(), 1, ConsignmentStatus::Draft);
    c.lines[0].product_id = Uuid::now_v7();
    let e = f
        .store
        .apply_pulled(
            &PulledChanges {
                consignments: vec![c],
                ..Default::default()
            },
            99,
        )
        .unwrap_err();
    assert_eq!(e.code(), "STORE_CONSTRAINT", "{e}");
    assert_eq!(f.store.pull_cursor().unwrap(), Some(1));
}

#[test]
fn other_stations_scans_count_towards_packed_and_arrive_once() {
    let f = Fixture::new();
    f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let remote = ScanEvent {
        id: Uuid::now_v7(),
        consignment_id: f.transfer,
        product_id: f.mug,
        box_id: None,
        purpose: ScanPurpose::Pack,
        delta: 2,
        raw_code: "9400000000017".into(),
        device_id: "bench-2-scanner".into(),
        staff_id: f.elsewhere,
        at: time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20000),
        undoes: None,
        mutation_id: Some(Uuid::now_v7()),
        origin: ScanOrigin::Local,
    };
    let page = PulledChanges {
        scan_events: vec![remote.clone()],
        ..Default::default()
    };
    assert_eq!(pull(&f, page.clone(), 2).scan_events_added, 1);
    assert_eq!(
        pull(&f, page, 3).scan_events_added,
        0,
        "replayed page is harmless"
    );
    let stored = f.store.scan_event(remote.id).unwrap();
    assert_eq!(stored.origin, ScanOrigin::Remote);
    let lines = f.store.consignment_lines(f.transfer).unwrap();
    assert_eq!(
        lines
            .iter()
            .find(|l| l.line.product_id == f.mug)
            .unwrap()
            .packed,
        3
    );
    // a pull makes no outbox rows
    let pending = f.store.next_pending(100).unwrap();
    assert!(pending
        .iter()
        .all(|m| m.payload["id"] != remote.id.to_string()));
}

#[test]
fn a_upc_a_scan_finds_the_ean_13_the_catalog_holds_and_back() {
    let f = Fixture::new();
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let upc_in_catalog = product(a, "UPC-1", "Imported kettle", &["0012345678905"]);
    let ean8 = product(b, "EAN8-1", "Tiny thing", &["96385074"]);
    pull(
        &f,
        PulledChanges {
            products: vec![upc_in_catalog, ean8],
            ..Default::default()
        },
        2,
    );
    assert_eq!(
        f.store
            .lookup_code("012345678905")
            .unwrap()
            .unwrap()
            .product_id,
        a
    );
    assert_eq!(
        f.store
            .lookup_code("0012345678905")
            .unwrap()
            .unwrap()
            .product_id,
        a
    );
    assert_eq!(
        f.store
            .lookup_code("00012345678905")
            .unwrap()
            .unwrap()
            .product_id,
        a
    );
    assert_eq!(
        f.store.lookup_code("96385074").unwrap().unwrap().product_id,
        b
    );
    // a wrong check digit is not normalised into a match
    assert!(f.store.lookup_code("012345678904").unwrap().is_none());
    // the product lists only the barcodes the hub sent
    assert_eq!(
        f.store.product(a).unwrap().barcodes,
        vec!["0012345678905".to_string()]
    );
}

#[test]
fn a_pulled_box_lets_pulled_scans_point_at_it() {
    let f = Fixture::new();
    let id = Uuid::now_v7();
    let mut pc = pulled_consignment(&f, id, 2, ConsignmentStatus::Sent);
    let at = pc.consignment.updated_at;
    let box_id = Uuid::now_v7();
    pc.boxes = vec![Parcel {
        id: box_id,
        consignment_id: id,
        number: 1,
        container_type: "box_m".into(),
        weight: Some(Weight::Scale {
            grams: 4_200,
            scale_id: "wh-scale".into(),
            stable: true,
        }),
        dimensions: None,
        label_printed_at: None,
        label_evidence: None,
        tracking_number: Some("NZP123".into()),
        closed_at: Some(at),
        created_by: None,
        created_at: at,
        updated_at: at,
    }];
    let product_id = pc.lines[0].product_id;
    let scan = ScanEvent {
        id: Uuid::now_v7(),
        consignment_id: id,
        product_id,
        box_id: Some(box_id),
        purpose: ScanPurpose::Pack,
        delta: 1,
        raw_code: "9400000000017".into(),
        device_id: "wh-scanner".into(),
        staff_id: f.elsewhere,
        at,
        undoes: None,
        mutation_id: None,
        origin: ScanOrigin::Remote,
    };
    pull(
        &f,
        PulledChanges {
            consignments: vec![pc],
            scan_events: vec![scan],
            ..Default::default()
        },
        5,
    );
    let boxes = f.store.boxes(id).unwrap();
    assert_eq!(boxes.len(), 1);
    assert_eq!(boxes[0].tracking_number.as_deref(), Some("NZP123"));
    assert_eq!(
        boxes[0].weight,
        Some(Weight::Scale {
            grams: 4_200,
            scale_id: "wh-scale".into(),
            stable: true
        })
    );
}

#[test]
fn a_pulled_box_of_another_consignment_is_refused() {
    let f = Fixture::new();
    let id = Uuid::now_v7();
    let mut pc = pulled_consignment(&f, id, 2, ConsignmentStatus::Sent);
    let at = pc.consignment.updated_at;
    pc.boxes = vec![Parcel {
        id: Uuid::now_v7(),
        consignment_id: Uuid::now_v7(),
        number: 1,
        container_type: "box_m".into(),
        weight: None,
        dimensions: None,
        label_printed_at: None,
        label_evidence: None,
        tracking_number: None,
        closed_at: None,
        created_by: None,
        created_at: at,
        updated_at: at,
    }];
    let before = f.store.pull_cursor().unwrap();
    let err = f
        .store
        .apply_pulled(
            &PulledChanges {
                consignments: vec![pc],
                ..Default::default()
            },
            5,
        )
        .unwrap_err();
    assert_eq!(err.code(), "BAD_INPUT");
    assert_eq!(
        f.store.pull_cursor().unwrap(),
        before,
        "nothing of the page was kept"
    );
}

#[test]
fn a_pulled_consignment_waits_while_this_station_has_changes_to_it_not_yet_at_the_hub() {
    let f = Fixture::new();
    // The fixture's transfer was created and filled here; none of it has been pushed.
    let mut hub_view = pulled_consignment(&f, f.transfer, 50, ConsignmentStatus::Sent);
    hub_view.lines.clear(); // the hub keeps our line ids; only the header matters here
    let r = pull(
        &f,
        PulledChanges {
            consignments: vec![hub_view.clone()],
            ..Default::default()
        },
        20,
    );
    assert_eq!(r.consignments_skipped, 1);
    assert_eq!(
        f.store.consignment(f.transfer).unwrap().status,
        ConsignmentStatus::Packing,
        "our unpushed work stays on screen"
    );
    assert_eq!(f.store.consignment_lines(f.transfer).unwrap().len(), 2);
    assert_eq!(
        f.store.pull_cursor().unwrap(),
        Some(20),
        "the page still counts"
    );

    // Once the hub has answered every change, its view is applied.
    for e in f.store.next_pending(100).unwrap() {
        f.store.mark_done(e.seq).unwrap();
    }
    let r = pull(
        &f,
        PulledChanges {
            consignments: vec![hub_view],
            ..Default::default()
        },
        21,
    );
    assert_eq!(r.consignments_applied, 1);
    assert_eq!(
        f.store.consignment(f.transfer).unwrap().status,
        ConsignmentStatus::Sent
    );
}

#[test]
fn a_product_whose_supplier_comes_in_a_later_page_is_linked_once_it_arrives() {
    let f = Fixture::new();
    let (late_supplier, p) = (Uuid::now_v7(), Uuid::now_v7());
    let mut row = product(p, "LATE-1", "Late supplier's product", &["9400000000048"]);
    row.supplier_id = Some(late_supplier);
    row.version = 5;
    // The page with the product is applied although its supplier is not here yet.
    pull(
        &f,
        PulledChanges {
            products: vec![row],
            ..Default::default()
        },
        5,
    );
    assert_eq!(f.store.product(p).unwrap().supplier_id, None);
    pull(
        &f,
        PulledChanges {
            suppliers: vec![Supplier {
                id: late_supplier,
                name: "Late Wholesale".into(),
                code: None,
                lightspeed_id: None,
                active: true,
                version: 6,
            }],
            ..Default::default()
        },
        6,
    );
    assert_eq!(f.store.product(p).unwrap().supplier_id, Some(late_supplier));
}

#[test]
fn pulled_stock_facts_only_move_forward_and_sales_are_summed_from_a_day_on() {
    let f = Fixture::new();
    let facts = |version: i64, on_hand: &str, sales: &[(&str, &str)]| StockFacts {
        outlet_id: f.here,
        product_id: f.mug,
        on_hand: d(on_hand),
        reorder_point: Some(d("4")),
        reorder_amount: None,
        daily_sales: sales
            .iter()
            .map(|(day, u)| (day.to_string(), d(u)))
            .collect(),
        version,
        hub_updated_at: time::OffsetDateTime::now_utc(),
    };
    pull(
        &f,
        PulledChanges {
            stock: vec![facts(7, "3", &[("2026-10-01", "5"), ("2026-11-20", "2.5")])],
            ..Default::default()
        },
        7,
    );
    // A replayed older row changes nothing.
    pull(
        &f,
        PulledChanges {
            stock: vec![facts(6, "40", &[])],
            ..Default::default()
        },
        7,
    );
    let kept = f.store.stock_facts(f.here, f.mug).unwrap().unwrap();
    assert_eq!((kept.on_hand, kept.daily_sales.len()), (d("3"), 2));
    let coverage = f.store.stock_coverage(f.here).unwrap();
    assert_eq!(coverage.products, 1);
    assert_eq!(f.store.stock_coverage(f.there).unwrap().products, 0);
    let rows = f
        .store
        .supplier_stock(f.here, f.supplier, "2026-11-01")
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].sku.as_str(), rows[0].sold), ("MUG-RED", d("2.5")));
    assert_eq!(rows[0].reorder_point, Some(d("4")));
    assert!(f
        .store
        .supplier_stock(f.there, f.supplier, "2026-11-01")
        .unwrap()
        .is_empty());
}

#[test]
fn another_benchs_box_numbered_like_ours_is_kept_under_the_next_number() {
    let f = Fixture::new();
    let id = Uuid::now_v7();
    pull(
        &f,
        PulledChanges {
            consignments: vec![pulled_consignment(&f, id, 2, ConsignmentStatus::Packing)],
            ..Default::default()
        },
        5,
    );
    // Offline, this bench and another both open "box 1" of the same transfer.
    let ours = f.store.open_box(&f.packer(), id, "box_m").unwrap();
    assert_eq!(ours.number, 1);
    let mut pc = pulled_consignment(&f, id, 3, ConsignmentStatus::Packing);
    let at = pc.consignment.updated_at;
    let theirs = Parcel {
        id: Uuid::now_v7(),
        consignment_id: id,
        number: 1,
        container_type: "box_l".into(),
        weight: None,
        dimensions: None,
        label_printed_at: None,
        label_evidence: None,
        tracking_number: None,
        closed_at: None,
        created_by: None,
        created_at: at,
        updated_at: at,
    };
    pc.boxes = vec![theirs.clone()];
    // The pull goes through (a refused page would stop every pull after it too).
    pull(
        &f,
        PulledChanges {
            consignments: vec![pc.clone()],
            ..Default::default()
        },
        6,
    );
    let numbers = |f: &Fixture| -> Vec<(Uuid, u32)> {
        f.store
            .boxes(id)
            .unwrap()
            .iter()
            .map(|b| (b.id, b.number))
            .collect()
    };
    assert_eq!(numbers(&f), vec![(ours.id, 1), (theirs.id, 2)]);
    // Pulled again (a replayed page, their box closed), it keeps the number it has here.
    pc.consignment.version = 4;
    pc.boxes[0].closed_at = Some(at);
    pull(
        &f,
        PulledChanges {
            consignments: vec![pc],
            ..Default::default()
        },
        7,
    );
    assert_eq!(numbers(&f), vec![(ours.id, 1), (theirs.id, 2)]);
    assert_eq!(f.store.pull_cursor().unwrap(), Some(7));
}

#[test]
fn a_view_that_waited_behind_changes_the_hub_already_had_is_fetched_once_they_are_answered() {
    let f = Fixture::new();
    let mut hub_view = pulled_consignment(&f, f.transfer, 50, ConsignmentStatus::Sent);
    hub_view.lines.clear();
    let changes = PulledChanges {
        consignments: vec![hub_view],
        ..Default::default()
    };
    // The hub already applied our changes (their answers were lost) and moved on;
    // its view arrives while they still wait here, and the cursor moves past it.
    assert_eq!(pull(&f, changes.clone(), 20).consignments_skipped, 1);
    assert_eq!(f.store.consignments_to_refresh().unwrap(), vec![f.transfer]);
    assert!(
        f.store.consignments_ready_to_refresh().unwrap().is_empty(),
        "not while our changes wait"
    );
    // Pushed again, they are duplicates: the hub changes nothing, sends nothing new.
    for e in f.store.next_pending(100).unwrap() {
        f.store.mark_done(e.seq).unwrap();
    }
    assert_eq!(
        f.store.consignments_ready_to_refresh().unwrap(),
        vec![f.transfer]
    );
    assert_eq!(
        f.store.refresh_consignment(f.transfer, &changes).unwrap(),
        Refreshed::Replaced
    );
    assert_eq!(
        f.store.consignment(f.transfer).unwrap().status,
        ConsignmentStatus::Sent
    );
    assert!(f.store.consignments_to_refresh().unwrap().is_empty());
}
