//! The poller reads stock and sales from the fake Lightspeed over loopback, through the
//! real X-Series client, with the hub restarted in the middle of the walk; stations
//! then pull their own outlet's stock facts.

mod support;

use std::sync::Arc;

use rust_decimal::Decimal;
use support::fake_client;
use tally_hub::ls::{poll_page, Feed, LightspeedApi};
use tally_hub::store::{read_with, write_with, DeviceRecord};
use tally_hub::{HubStore, SqliteHubStore};
use tally_sync::{DailySales, Row, StockRow};
use tally_testkit::lightspeed::{FakeConfig, FakeHandle, FakeLightspeed};
use time::OffsetDateTime;

fn open(path: &std::path::Path) -> Arc<dyn HubStore> {
    Arc::new(SqliteHubStore::open(path).unwrap())
}

fn port(fake: &FakeHandle) -> LightspeedApi {
    LightspeedApi::new(Arc::new(fake_client(fake, |c| c.page_size = 2)))
}

fn day(days_ago: i64) -> (String, String) {
    let at = OffsetDateTime::now_utc() - time::Duration::days(days_ago);
    let d = at.date();
    (
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
    )
}

async fn catch_up(store: &Arc<dyn HubStore>, port: &LightspeedApi, feeds: &[Feed]) {
    for &feed in feeds {
        while poll_page(store, port, feed, 2).await.unwrap() > 0 {}
    }
}

fn device(outlet: &str) -> DeviceRecord {
    DeviceRecord {
        id: format!("dev-{outlet}"),
        outlet_id: outlet.into(),
        station: "bench".into(),
        last_seq: 0,
        revoked: false,
        enrolled_at: OffsetDateTime::now_utc(),
        last_seen_at: None,
    }
}

/// Every stock row a station of `outlet` pulls from the start, 3 changes a page.
fn pulled_stock(store: &Arc<dyn HubStore>, outlet: &str) -> Vec<StockRow> {
    let dev = device(outlet);
    let (mut cursor, mut out) = (0, Vec::new());
    loop {
        let page = tally_hub::pull::pull(&**store, &dev, cursor, Some(3)).unwrap();
        cursor = page.next_cursor;
        out.extend(page.changes.into_iter().filter_map(|c| match c.row {
            Row::Stock(s) => Some(s),
            _ => None,
        }));
        if !page.has_more {
            return out;
        }
    }
}

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

#[tokio::test]
async fn stock_and_sales_are_walked_across_a_restart_and_each_outlet_pulls_its_own() {
    let fake = FakeLightspeed::start(FakeConfig::default()).await.unwrap();
    let (here, there) = (fake.add_outlet("Ponsonby"), fake.add_outlet("Newmarket"));
    let products: Vec<String> = (0..4)
        .map(|i| {
            fake.add_product(
                &format!("SKU{i}"),
                &format!("Product {i}"),
                &format!("94{i:011}"),
                Decimal::new(995, 2),
            )
        })
        .collect();
    for (i, p) in products.iter().enumerate() {
        fake.set_inventory_level(p, &here, d(10 + i as i64));
    }
    fake.set_reorder_point(&products[0], &here, Some(d(12)), Some(d(24)));
    fake.set_inventory_level(&products[0], &there, d(3));
    let (today, today_day) = day(0);
    let (yesterday, yesterday_day) = day(1);
    let (ten_ago, _) = day(10);
    fake.record_sale(&here, &today, &[(&products[0], d(2)), (&products[1], d(1))]);
    fake.record_sale(&here, &yesterday, &[(&products[0], d(3))]);
    let voided = fake.record_sale(&here, &ten_ago, &[(&products[0], d(1))]);
    fake.record_sale(&there, &today, &[(&products[0], d(5))]);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.db");
    {
        // First run: the catalog, then one page of stock and one of sales; then the hub stops.
        let store = open(&path);
        let port = port(&fake);
        catch_up(
            &store,
            &port,
            &[
                Feed::Outlets,
                Feed::Suppliers,
                Feed::Products,
                Feed::Consignments,
            ],
        )
        .await;
        assert_eq!(
            poll_page(&store, &port, Feed::Inventory, 2).await.unwrap(),
            2
        );
        assert_eq!(poll_page(&store, &port, Feed::Sales, 2).await.unwrap(), 2);
    }
    // While the hub is down a sale is voided (its unit goes back to stock).
    assert!(fake.void_sale(&voided));

    let store = open(&path);
    let cursors = read_with(&*store, |tx| {
        Ok((tx.poll_cursor("inventory")?, tx.poll_cursor("sales")?))
    })
    .unwrap();
    let (Some(inv_cursor), Some(_)) = cursors else {
        panic!("cursors were persisted: {cursors:?}");
    };
    let seen = fake.requests().records().len();
    let port = port(&fake);
    catch_up(&store, &port, &Feed::ALL).await;
    let first_after_restart = fake
        .requests()
        .records()
        .into_iter()
        .skip(seen)
        .find(|r| r.path == "/api/2.0/inventory")
        .unwrap();
    assert!(
        first_after_restart
            .query
            .as_deref()
            .unwrap_or_default()
            .contains(&format!("after={inv_cursor}")),
        "the walk resumed from the persisted cursor: {:?}",
        first_after_restart.query
    );

    let mine = pulled_stock(&store, &here);
    assert_eq!(mine.len(), 4, "every product stocked here, once each");
    assert!(mine.iter().all(|s| s.outlet_id == here));
    let p0 = mine.iter().find(|s| s.product_id == products[0]).unwrap();
    assert_eq!(
        p0.on_hand,
        d(10 - 2 - 3 - 1 + 1),
        "sales took stock; the void gave one back"
    );
    assert_eq!(
        (p0.reorder_point, p0.reorder_amount),
        (Some(d(12)), Some(d(24)))
    );
    assert_eq!(
        p0.daily_sales,
        vec![
            DailySales {
                day: yesterday_day.clone(),
                units: d(3)
            },
            DailySales {
                day: today_day.clone(),
                units: d(2)
            },
        ],
        "the voided sale no longer counts"
    );
    let p1 = mine.iter().find(|s| s.product_id == products[1]).unwrap();
    assert_eq!(
        p1.daily_sales,
        vec![DailySales {
            day: today_day.clone(),
            units: d(1)
        }]
    );
    assert_eq!(p1.reorder_point, None);

    let theirs = pulled_stock(&store, &there);
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].on_hand, d(3 - 5));
    assert_eq!(theirs[0].daily_sales[0].units, d(5));

    // Reading every sale again (a lost cursor) counts each once.
    write_with(&*store, |tx| tx.set_poll_cursor("sales", 0)).unwrap();
    catch_up(&store, &port, &[Feed::Sales]).await;
    let again = pulled_stock(&store, &here);
    let p0_again = again.iter().find(|s| s.product_id == products[0]).unwrap();
    assert_eq!(p0_again.daily_sales, p0.daily_sales);
}
