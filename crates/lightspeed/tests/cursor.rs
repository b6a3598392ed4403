//! Version-cursor walks against the fake: every resource, deletions mid-walk,
//! resuming from a saved cursor.

mod common;

use std::collections::HashMap;

use common::{chain, setup, setup_with};
use rust_decimal::Decimal;
use tally_domain::LsConsignmentType;
use tally_lightspeed::models::{NewConsignment, NewLine, Product, Versioned};
use tally_testkit::demo_data::{generate, DemoConfig};
use tally_testkit::lightspeed::FakeConfig;

#[tokio::test]
async fn a_walk_across_deletions_and_edits_ends_with_the_right_catalog() {
    let s = setup_with(FakeConfig::default(), |c| c.page_size = 3).await;
    let c = chain(&s.fake, 10);
    let mut local: HashMap<String, Product> = HashMap::new();
    let mut w = s.client.walker::<Product>("products", 0);
    let first = w.next_page().await.unwrap().unwrap();
    assert_eq!(first.len(), 3);
    for p in first {
        local.insert(p.id.clone(), p);
    }
    // Mid-walk: a product already seen is deleted, one not yet seen is renamed.
    assert!(s.fake.delete_product(&c.products[0]));
    assert!(s.fake.rename_product(&c.products[7], "Renamed"));
    while let Some(page) = w.next_page().await.unwrap() {
        for p in page {
            if p.is_deleted() {
                local.remove(&p.id);
            } else {
                local.insert(p.id.clone(), p);
            }
        }
    }
    assert_eq!(local.len(), 9);
    assert!(!local.contains_key(&c.products[0]));
    assert_eq!(local[&c.products[7]].name.as_deref(), Some("Renamed"));
    let progress = w.progress();
    assert_eq!(progress.objects, 11, "10 products, the deleted one twice");
    assert_eq!(progress.deleted, 1);
    assert!(progress.done);
    // One request per page plus the empty last page.
    let pages = progress.pages as usize;
    assert_eq!(pages, 4);
    assert_eq!(
        s.fake.requests().count("GET", "/api/2.0/products"),
        pages + 1
    );
}

#[tokio::test]
async fn resuming_from_a_saved_cursor_reads_only_what_changed() {
    let s = setup().await;
    let c = chain(&s.fake, 5);
    let mut progress_seen = Vec::new();
    let done = s
        .client
        .walk_products(0, |page, p| {
            progress_seen.push((page.len(), p.pages, p.cursor))
        })
        .await
        .unwrap();
    assert_eq!(done.objects, 5);
    assert_eq!(progress_seen.len(), 1);
    assert_eq!(progress_seen[0].2, done.cursor);
    let nothing = s
        .client
        .walk_products(done.cursor, |_, _| {})
        .await
        .unwrap();
    assert_eq!((nothing.objects, nothing.cursor), (0, done.cursor));
    s.fake.rename_product(&c.products[2], "Edited");
    let mut changed = Vec::new();
    s.client
        .walk_products(done.cursor, |page, _| changed.extend(page))
        .await
        .unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].id, c.products[2]);
}

#[tokio::test]
async fn outlets_suppliers_inventory_and_consignments_are_walked_with_typed_fields() {
    let data = generate(&DemoConfig {
        products: 40,
        ..DemoConfig::default()
    });
    let s = setup_with(
        FakeConfig {
            seed: Some(data.clone()),
            ..FakeConfig::default()
        },
        |c| c.page_size = 25,
    )
    .await;
    let mut outlets = Vec::new();
    s.client
        .walk_outlets(0, |p, _| outlets.extend(p))
        .await
        .unwrap();
    assert_eq!(outlets.len(), data.outlets.len());
    let mut suppliers = 0;
    s.client
        .walk_suppliers(0, |p, _| suppliers += p.len())
        .await
        .unwrap();
    assert_eq!(suppliers, data.suppliers.len());
    let mut levels = Decimal::ZERO;
    let inv = s
        .client
        .walk_inventory(0, |p, _| {
            levels += p.iter().filter_map(|r| r.inventory_level).sum::<Decimal>()
        })
        .await
        .unwrap();
    assert_eq!(inv.objects as usize, data.inventory.len());
    let expected: i64 = data.inventory.iter().map(|i| i.count).sum();
    assert_eq!(levels, Decimal::from(expected));
    let mut cons = Vec::new();
    s.client
        .walk_consignments(0, |p, _| cons.extend(p))
        .await
        .unwrap();
    assert_eq!(cons.len(), data.consignments.len());
    assert!(cons.iter().any(|c| c.kind == LsConsignmentType::Supplier));
    let mut products = Vec::new();
    s.client
        .walk_products(0, |p, _| products.extend(p))
        .await
        .unwrap();
    let first = products
        .iter()
        .find(|p| p.id == data.products[0].id)
        .unwrap();
    assert_eq!(first.supply_price, Some(data.products[0].supply_price));
    assert_eq!(
        first.price_excluding_tax,
        Some(data.products[0].price_excluding_tax)
    );
    assert_eq!(first.barcodes().next(), Some(data.products[0].ean13()));
}

#[tokio::test]
async fn inventory_read_by_cursor_moves_when_a_transfer_is_sent_and_received() {
    let s = setup().await;
    let c = chain(&s.fake, 1);
    let mut new = NewConsignment::new(LsConsignmentType::Outlet, c.store.clone());
    new.source_outlet_id = Some(c.warehouse.clone());
    let tr = s.client.create_consignment(&new).await.unwrap();
    s.client
        .add_line(&tr.id, &NewLine::new(&c.products[0], Decimal::from(3)))
        .await
        .unwrap();
    let before = s.client.walk_inventory(0, |_, _| {}).await.unwrap();
    s.client
        .set_consignment_status(&tr.id, tally_domain::LsConsignmentStatus::Sent)
        .await
        .unwrap();
    let mut moved = Vec::new();
    s.client
        .walk_inventory(before.cursor, |p, _| moved.extend(p))
        .await
        .unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].outlet_id, c.warehouse);
    assert_eq!(moved[0].inventory_level, Some(Decimal::from(-3)));
}

#[tokio::test]
async fn sales_are_walked_with_their_lines_and_a_void_comes_again_not_completed() {
    let s = setup_with(FakeConfig::default(), |c| c.page_size = 2).await;
    let c = chain(&s.fake, 2);
    s.fake
        .set_reorder_point(&c.products[0], &c.store, Some(Decimal::from(4)), None);
    let mut ids = Vec::new();
    for day in 1..=3 {
        ids.push(s.fake.record_sale(
            &c.store,
            &format!("2026-11-0{day}T01:00:00Z"),
            &[
                (&c.products[0], Decimal::from(2)),
                (&c.products[1], Decimal::ONE),
            ],
        ));
    }
    let mut sales = Vec::new();
    let done = s
        .client
        .walk_sales(0, |p, _| sales.extend(p))
        .await
        .unwrap();
    assert_eq!((done.objects, done.pages), (3, 2));
    assert!(sales
        .iter()
        .all(|x| x.is_completed() && x.outlet_id == c.store));
    assert_eq!(sales[0].sale_date.as_deref(), Some("2026-11-01T01:00:00Z"));
    assert_eq!(sales[0].line_items[0].quantity, Decimal::from(2));
    assert!(s.fake.void_sale(&ids[2]));
    let mut again = Vec::new();
    s.client
        .walk_sales(done.cursor, |p, _| again.extend(p))
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, ids[2]);
    assert!(!again[0].is_completed(), "a voided sale no longer counts");
    let mut stock = Vec::new();
    s.client
        .walk_inventory(0, |p, _| stock.extend(p))
        .await
        .unwrap();
    let p0 = stock
        .iter()
        .find(|r| r.product_id == c.products[0] && r.outlet_id == c.store)
        .unwrap();
    assert_eq!(p0.reorder_point, Some(Decimal::from(4)));
    assert_eq!(
        p0.inventory_level,
        Some(Decimal::from(-4)),
        "6 sold, 2 voided"
    );
}
