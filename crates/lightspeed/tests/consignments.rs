//! Consignment and line operations end to end against the fake.

mod common;

use common::{chain, setup};
use rust_decimal::Decimal;
use tally_domain::{LsConsignmentStatus, LsConsignmentType};
use tally_lightspeed::models::{ConsignmentUpdate, LineValues, NewConsignment, NewLine};
use tally_lightspeed::BULK_LIMIT;

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

#[tokio::test]
async fn a_purchase_order_goes_from_open_to_received_and_moves_stock() {
    let s = setup().await;
    let c = chain(&s.fake, 3);
    let mut new = NewConsignment::new(LsConsignmentType::Supplier, c.warehouse.clone());
    new.supplier_id = Some(c.supplier.clone());
    new.reference = Some("PO-1".into());
    let po = s.client.create_consignment(&new).await.unwrap();
    assert_eq!(po.status, LsConsignmentStatus::Open);
    let lines: Vec<NewLine> = c.products.iter().map(|p| NewLine::new(p, d(4))).collect();
    let added = s.client.bulk_add_lines(&po.id, &lines).await.unwrap();
    assert_eq!(added.len(), 3);
    s.client
        .set_consignment_status(&po.id, LsConsignmentStatus::Sent)
        .await
        .unwrap();
    let line = s
        .client
        .put_line(
            &po.id,
            &c.products[0],
            &LineValues {
                received: Some(d(4)),
                ..LineValues::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(line.received, Some(d(4)));
    // Setting a received count dispatched it.
    let now = s.client.get_consignment(&po.id).await.unwrap();
    assert_eq!(now.status, LsConsignmentStatus::Dispatched);
    let done = s
        .client
        .set_consignment_status(&po.id, LsConsignmentStatus::Received)
        .await
        .unwrap();
    assert_eq!(done.status, LsConsignmentStatus::Received);
    assert_eq!(s.fake.inventory_level(&c.products[0], &c.warehouse), d(4));
    let totals = s.client.consignment_totals(&po.id).await.unwrap();
    assert_eq!(totals.count, Some(d(12)));
    assert_eq!(totals.received, Some(d(4)));
    // Closed: lines are frozen, even for a product not on it yet.
    let newcomer = s.fake.add_product(
        "SKU-NEW",
        "Product new",
        "9400000099999",
        rust_decimal::Decimal::new(990, 2),
    );
    let err = s
        .client
        .add_line(&po.id, &NewLine::new(&newcomer, d(1)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "LS_BAD_REQUEST");
    assert!(err.to_string().to_lowercase().contains("received"), "{err}");
    assert_eq!(s.client.consignment_lines(&po.id).await.unwrap().len(), 3);
}

#[tokio::test]
async fn put_line_is_absolute_and_safe_to_repeat_while_supplier_bulk_adds() {
    let s = setup().await;
    let c = chain(&s.fake, 1);
    let po = s
        .client
        .create_consignment(&NewConsignment::new(
            LsConsignmentType::Supplier,
            c.warehouse,
        ))
        .await
        .unwrap();
    let lines = [NewLine::new(&c.products[0], d(2))];
    s.client.bulk_add_lines(&po.id, &lines).await.unwrap();
    s.client.bulk_add_lines(&po.id, &lines).await.unwrap();
    let read = s.client.consignment_lines(&po.id).await.unwrap();
    assert_eq!(
        read[0].count,
        d(4),
        "a repeated bulk call doubled the count"
    );
    let fix = LineValues {
        count: Some(d(2)),
        ..LineValues::default()
    };
    for _ in 0..2 {
        s.client
            .put_line(&po.id, &c.products[0], &fix)
            .await
            .unwrap();
    }
    assert_eq!(
        s.client.consignment_lines(&po.id).await.unwrap()[0].count,
        d(2)
    );
}

#[tokio::test]
async fn bulk_calls_over_the_limit_are_refused_before_sending() {
    let s = setup().await;
    let c = chain(&s.fake, 1);
    let too_many: Vec<NewLine> = (0..=BULK_LIMIT)
        .map(|_| NewLine::new(&c.products[0], d(1)))
        .collect();
    let err = s.client.bulk_add_lines("any", &too_many).await.unwrap_err();
    assert_eq!(err.code(), "LS_INVALID_REQUEST");
    assert!(s.fake.requests().is_empty());
}

#[tokio::test]
async fn fields_update_and_a_deleted_consignment_is_gone_but_walkable() {
    let s = setup().await;
    let c = chain(&s.fake, 0);
    let mut new = NewConsignment::new(LsConsignmentType::Outlet, c.store.clone());
    new.source_outlet_id = Some(c.warehouse.clone());
    let tr = s.client.create_consignment(&new).await.unwrap();
    let updated = s
        .client
        .update_consignment(
            &tr.id,
            &ConsignmentUpdate {
                name: Some("Restock Auckland".into()),
                reference: Some("mut-9".into()),
                ..ConsignmentUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("Restock Auckland"));
    assert!(updated.version > tr.version);
    assert_eq!(
        s.client
            .find_consignments_by_reference("mut-9")
            .await
            .unwrap()
            .len(),
        1
    );
    s.client.delete_consignment(&tr.id).await.unwrap();
    assert_eq!(
        s.client.get_consignment(&tr.id).await.unwrap_err().code(),
        "LS_NOT_FOUND"
    );
    assert!(s
        .client
        .find_consignments_by_reference("mut-9")
        .await
        .unwrap()
        .is_empty());
    let mut walked = Vec::new();
    s.client
        .walk_consignments(0, |p, _| walked.extend(p))
        .await
        .unwrap();
    assert!(walked[0].deleted_at.is_some());
}

#[tokio::test]
async fn an_empty_transfer_cannot_be_sent_and_a_line_delete_frees_it() {
    let s = setup().await;
    let c = chain(&s.fake, 1);
    let mut new = NewConsignment::new(LsConsignmentType::Outlet, c.store.clone());
    new.source_outlet_id = Some(c.warehouse.clone());
    let tr = s.client.create_consignment(&new).await.unwrap();
    s.client
        .add_line(&tr.id, &NewLine::new(&c.products[0], d(1)))
        .await
        .unwrap();
    s.client.delete_line(&tr.id, &c.products[0]).await.unwrap();
    let err = s
        .client
        .set_consignment_status(&tr.id, LsConsignmentStatus::Sent)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no products"), "{err}");
}
