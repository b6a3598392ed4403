//! Reorder suggestions end to end in the demo chain: the fake Lightspeed's stock,
//! reorder points and 30 days of sales reach the station through the hub's poller and a
//! pull, and a product of a supplier at or below its reorder point at the station's
//! outlet is suggested, explained, and added to a draft.

mod support;

use std::time::Duration;

use rust_decimal::Decimal;
use support::DemoStation;
use tally_domain::Role;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_product_under_its_reorder_point_is_suggested_and_added_to_the_draft() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let data = &s.demo.data;
    let here = data
        .outlets
        .iter()
        .position(|o| o.id == s.demo.outlet_id)
        .unwrap();
    let outlet = Uuid::parse_str(&s.demo.outlet_id).unwrap();
    // Stocked here at or below its reorder point, with sales in the window.
    let low: Vec<_> = data
        .inventory
        .iter()
        .filter(|i| i.outlet == here && i.reorder_point.is_some_and(|p| i.count <= p))
        .collect();
    assert!(
        !low.is_empty(),
        "the demo seed has products to reorder here"
    );

    // Wait for the hub's poller and the station's pull to bring every stock row here
    // (the demo's fake moves no stock after seeding, so levels are the seeded ones).
    let expected_rows = data.inventory.iter().filter(|i| i.outlet == here).count() as u64;
    let mut rows = 0;
    for _ in 0..400 {
        s.app.sync_now().unwrap();
        rows = s.app.store().stock_coverage(outlet).unwrap().products;
        if rows == expected_rows {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        rows, expected_rows,
        "every stock row of this outlet arrived"
    );
    let sold_here = |product: usize| -> i64 {
        data.sales
            .iter()
            .filter(|x| x.outlet == here)
            .flat_map(|x| x.lines.iter())
            .filter(|l| l.product == product)
            .map(|l| l.quantity)
            .sum()
    };
    // Sales come after stock in the poller's order: wait until a selling product's
    // daily sales add up to what the fake sold.
    let seller = data
        .inventory
        .iter()
        .find(|i| i.outlet == here && sold_here(i.product) > 0)
        .unwrap();
    let seller_id = Uuid::parse_str(&data.products[seller.product].id).unwrap();
    let mut sold = Decimal::ZERO;
    for _ in 0..400 {
        s.app.sync_now().unwrap();
        if let Some(f) = s.app.store().stock_facts(outlet, seller_id).unwrap() {
            sold = f.daily_sales.iter().map(|(_, u)| *u).sum();
            if sold == Decimal::from(sold_here(seller.product)) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sold, Decimal::from(sold_here(seller.product)));

    let mut found = None;
    for inv in &low {
        let p = &data.products[inv.product];
        let supplier = &data.suppliers[p.supplier];
        let po = s.app.create_purchase_order(&supplier.id).unwrap();
        let got = s.app.reorder_suggestions(&po.id).unwrap();
        assert!(got.available, "{:?}", got.missing);
        if let Some(item) = got.items.into_iter().find(|x| x.product_id == p.id) {
            found = Some((po, item, inv.count, inv.reorder_point.unwrap()));
            break;
        }
    }
    let (po, item, count, point) = found.expect("a product under its reorder point is suggested");
    assert_eq!(item.reorder_point, point.to_string());
    assert!(
        item.explanation.contains(&format!("{count} on hand"))
            && item
                .explanation
                .contains(&format!("its reorder point {point}")),
        "{}",
        item.explanation
    );
    let qty: Decimal = item.quantity.parse().unwrap();
    assert!(qty > Decimal::ZERO);
    let view = s
        .app
        .add_to_purchase_order(&po.id, &item.product_id, Some(&item.quantity))
        .unwrap();
    let line = view
        .lines
        .iter()
        .find(|l| l.product_id == item.product_id)
        .unwrap();
    assert_eq!(line.quantity.parse::<Decimal>().unwrap(), qty);
    s.stop().await;
}
