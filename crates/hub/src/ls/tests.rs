use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use tally_domain::{ConsignmentStatus as S, LsConsignmentStatus as L};
use tokio::sync::{watch, Notify};
use uuid::Uuid;

use super::memory::{Fault, MemoryLightspeed};
use super::*;
use crate::store::{read_with, SagaState};
use crate::testing::*;

fn worker(f: &Fixture, ls: &Arc<MemoryLightspeed>) -> SagaWorker<MemoryLightspeed> {
    SagaWorker::new(
        f.store.clone(),
        ls.clone(),
        WorkerConfig {
            idle_ms: 1,
            backoff_base_ms: 1,
            backoff_max_ms: 5,
            batch: 16,
            poll: false,
            ..WorkerConfig::default()
        },
        Arc::new(Notify::new()),
    )
}

/// Runs the worker until no saga is pending (bounded).
async fn drain(f: &Fixture, w: &mut SagaWorker<MemoryLightspeed>) {
    let (_tx, mut rx) = watch::channel(false);
    for _ in 0..500 {
        w.run_due(&mut rx).await.unwrap();
        let pending = read_with(&*f.store, |tx| tx.sagas_in_state(SagaState::Pending)).unwrap();
        if pending.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("sagas did not drain");
}

fn sent_transfer(f: &mut Fixture, lines: &[(usize, i64)]) -> Uuid {
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    let mut ms = vec![transfer(id, lines), go(id, S::Draft, S::Packing)];
    ms.extend(lines.iter().map(|&(p, q)| pack(id, p, q, &a1)));
    ms.extend([go(id, S::Packing, S::Packed), go(id, S::Packed, S::Sent)]);
    let out = f.push(&a1, STAFF_A, ms);
    assert!(
        out.iter()
            .all(|o| *o == tally_sync::MutationOutcome::Applied),
        "{out:?}"
    );
    id
}

fn only_remote(ls: &MemoryLightspeed) -> memory::Remote {
    let all = ls.all();
    assert_eq!(all.len(), 1, "exactly one remote consignment: {all:?}");
    all.into_iter().next().unwrap()
}

#[tokio::test]
async fn a_fresh_transfer_goes_out_in_create_bulk_read_send() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = sent_transfer(&mut f, &[(0, 2), (1, 3), (2, 1)]);
    drain(&f, &mut w).await;
    let r = only_remote(&ls);
    assert_eq!(r.c.status, L::Sent);
    assert_eq!(r.c.reference.as_deref(), Some(marker(id).as_str()));
    assert_eq!(r.lines[&product(1)].count, Decimal::from(3));
    assert_eq!(ls.requests(), 4, "create, bulk, read lines, send");
    assert_eq!(
        f.consignment(id).lightspeed_id.as_deref(),
        Some(r.c.id.as_str())
    );
}

#[tokio::test]
async fn a_create_whose_response_was_lost_is_found_by_its_marker_not_made_twice() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    ls.push_fault("create", Fault::LoseResponse);
    sent_transfer(&mut f, &[(0, 2)]);
    drain(&f, &mut w).await;
    assert_eq!(ls.calls("create"), 1);
    assert_eq!(
        ls.calls("find"),
        1,
        "searched by marker before creating again"
    );
    let r = only_remote(&ls);
    assert_eq!(r.c.status, L::Sent);
    assert_eq!(r.lines[&product(0)].count, Decimal::from(2));
}

#[tokio::test]
async fn a_bulk_whose_response_was_lost_is_never_repeated_and_nothing_doubles() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    sent_transfer(&mut f, &[(0, 2), (1, 5)]);
    ls.push_fault("bulk", Fault::LoseResponse);
    drain(&f, &mut w).await;
    assert_eq!(ls.calls("bulk"), 1, "a bulk call is never repeated");
    assert_eq!(
        ls.calls("put"),
        0,
        "the lost bulk had applied; nothing to correct"
    );
    let r = only_remote(&ls);
    assert_eq!(r.lines[&product(0)].count, Decimal::from(2));
    assert_eq!(r.lines[&product(1)].count, Decimal::from(5));
    assert_eq!(r.c.status, L::Sent);
}

#[tokio::test]
async fn a_bulk_that_failed_before_applying_is_completed_line_by_line() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    sent_transfer(&mut f, &[(0, 2), (1, 5)]);
    ls.push_fault(
        "bulk",
        Fault::Before(LsFailure::Retryable {
            message: "bulk 503".into(),
            retry_after: None,
            rate_limited: false,
        }),
    );
    drain(&f, &mut w).await;
    assert_eq!(ls.calls("bulk"), 1);
    assert_eq!(
        ls.calls("add"),
        2,
        "the failed bulk is replaced by single adds"
    );
    let r = only_remote(&ls);
    assert_eq!(r.lines.len(), 2);
    assert_eq!(r.lines[&product(1)].count, Decimal::from(5));
    assert_eq!(r.c.status, L::Sent);
}

#[tokio::test]
async fn a_lost_send_is_read_back_and_not_sent_again() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    sent_transfer(&mut f, &[(0, 2)]);
    ls.push_fault("status", Fault::LoseResponse);
    ls.push_fault("put", Fault::LoseResponse);
    drain(&f, &mut w).await;
    assert_eq!(only_remote(&ls).c.status, L::Sent);
}

#[tokio::test]
async fn a_rejected_step_is_parked_with_the_body_and_a_retry_finishes_it() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = sent_transfer(&mut f, &[(0, 1)]);
    ls.push_fault(
        "create",
        Fault::Before(LsFailure::Rejected {
            status: 422,
            body: "{\"error\":\"outlet_id is invalid\"}".into(),
        }),
    );
    drain(&f, &mut w).await;
    let dead = dead_letter::list(&*f.store).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].consignment_id, id);
    assert!(dead[0]
        .dead_body
        .as_deref()
        .unwrap()
        .contains("outlet_id is invalid"));
    assert!(ls.all().is_empty());
    dead_letter::retry(&*f.store, id).unwrap();
    drain(&f, &mut w).await;
    assert!(dead_letter::list(&*f.store).unwrap().is_empty());
    assert_eq!(only_remote(&ls).c.status, L::Sent);
}

#[tokio::test]
async fn a_discarded_dead_letter_leaves_the_queue() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = sent_transfer(&mut f, &[(0, 1)]);
    ls.push_fault(
        "any",
        Fault::Before(LsFailure::Rejected {
            status: 400,
            body: "no".into(),
        }),
    );
    drain(&f, &mut w).await;
    dead_letter::discard(&*f.store, id).unwrap();
    assert!(dead_letter::list(&*f.store).unwrap().is_empty());
    assert_eq!(
        dead_letter::retry(&*f.store, id).unwrap_err().code(),
        "NOT_FOUND"
    );
}

#[tokio::test]
async fn a_remote_status_ahead_of_the_hub_is_never_moved_back() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    f.push(&a1, STAFF_A, vec![transfer(id, &[(0, 1)])]);
    drain(&f, &mut w).await;
    let rid = only_remote(&ls).c.id;
    // Someone sends it in Lightspeed directly; the hub still has it in draft and
    // an outlet edits a line.
    ls.set_status(&rid, L::Sent).await.unwrap();
    f.push(&a1, STAFF_A, vec![line_set(id, 0, 4)]);
    drain(&f, &mut w).await;
    let dead = dead_letter::list(&*f.store).unwrap();
    assert_eq!(dead[0].last_error.as_deref(), Some("LIGHTSPEED_AHEAD"));
    assert_eq!(only_remote(&ls).c.status, L::Sent);
}

#[tokio::test]
async fn a_received_transfer_ends_received_with_damaged_units_left_out() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = sent_transfer(&mut f, &[(0, 4), (1, 2)]);
    drain(&f, &mut w).await;
    let b = f.dev_b.clone();
    let mut session = receive(id, &[(0, 4), (1, 2)]);
    if let tally_sync::Mutation::ReceiptSessionRecorded(s) = &mut session {
        s.lines[0].damaged = Decimal::from(1);
        s.variances.push(tally_sync::VarianceNote {
            product_id: product(0),
            reason: tally_sync::VarianceReason::Damaged,
            note: None,
        });
        s.evidence.push(tally_sync::EvidenceRef {
            sha256: "cd".repeat(32),
            kind: "photo".into(),
            product_id: Some(product(0)),
        });
    }
    f.push(&b, STAFF_B, vec![session, close_receipt(id)]);
    drain(&f, &mut w).await;
    let r = only_remote(&ls);
    assert_eq!(r.c.status, L::Received);
    assert_eq!(r.lines[&product(0)].received, Decimal::from(3));
    assert_eq!(r.lines[&product(1)].received, Decimal::from(2));
}

#[tokio::test]
async fn a_rate_limit_pauses_the_saga_at_least_retry_after() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = sent_transfer(&mut f, &[(0, 1)]);
    ls.push_fault(
        "any",
        Fault::Before(LsFailure::Retryable {
            message: "429".into(),
            retry_after: Some(Duration::from_millis(300)),
            rate_limited: true,
        }),
    );
    let t0 = time::OffsetDateTime::now_utc();
    w.run_due(&mut watch::channel(false).1).await.unwrap();
    let s = read_with(&*f.store, |tx| tx.saga(id)).unwrap().unwrap();
    assert!(s.next_at - t0 >= time::Duration::milliseconds(300));
    assert_eq!(s.attempts, 1);
    assert!(ls.all().is_empty());
}

#[tokio::test]
async fn an_order_cancelled_before_lightspeed_saw_it_costs_no_request() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    f.push(
        &a1,
        STAFF_A,
        vec![
            purchase_order(id, &[(0, 1)]),
            go(id, S::Draft, S::Cancelled),
        ],
    );
    drain(&f, &mut w).await;
    assert_eq!(ls.requests(), 0);
}

// -- poller ---------------------------------------------------------------------------

fn seed_catalog(ls: &MemoryLightspeed, products: usize) {
    for o in ["ls-out-1", "ls-out-2"] {
        ls.put_outlet(tally_sync::OutletRow {
            id: o.into(),
            name: o.into(),
            deleted: false,
        });
    }
    ls.put_supplier(tally_sync::SupplierRow {
        id: "ls-sup-1".into(),
        name: "Supplier".into(),
        deleted: false,
    });
    for i in 0..products {
        ls.put_product(tally_sync::ProductRow {
            id: format!("ls-p{i}"),
            sku: format!("LS{i}"),
            name: format!("LS product {i}"),
            variant_name: None,
            supplier_id: None,
            supplier_code: None,
            supply_price: Some(Decimal::new(500, 2)),
            active: true,
            codes: vec![tally_sync::ProductCode {
                kind: "EAN".into(),
                code: format!("94{i:011}"),
            }],
            deleted: false,
        });
    }
}

fn poll_worker(f: &Fixture, ls: &Arc<MemoryLightspeed>) -> SagaWorker<MemoryLightspeed> {
    SagaWorker::new(
        f.store.clone(),
        ls.clone(),
        WorkerConfig {
            idle_ms: 1,
            backoff_base_ms: 1,
            backoff_max_ms: 5,
            batch: 16,
            poll: true,
            poll_interval_ms: 0,
            poll_page_size: 100,
        },
        Arc::new(Notify::new()),
    )
}

async fn poll_until_caught_up(w: &mut SagaWorker<MemoryLightspeed>) -> usize {
    let mut pages = 0;
    while w.poll_round().await {
        pages += 1;
        assert!(pages < 1000);
    }
    pages
}

#[tokio::test]
async fn the_first_poll_seeds_the_catalog_and_a_restart_resumes_from_its_cursors() {
    let f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    seed_catalog(&ls, 250);
    let mut w = poll_worker(&f, &ls);
    let pages = poll_until_caught_up(&mut w).await;
    assert_eq!(pages, 1 + 1 + 3, "outlets, suppliers, 3 pages of products");
    let stored = read_with(&*f.store, |tx| tx.product_count()).unwrap();
    assert_eq!(
        stored,
        5 + 250,
        "fixture products plus the whole Lightspeed catalog"
    );
    let p = read_with(&*f.store, |tx| tx.product("ls-p249"))
        .unwrap()
        .unwrap();
    assert_eq!(p.codes[0].code, "9400000000249");

    // A new worker (a restarted hub) starts from the persisted cursors.
    ls.put_product(tally_sync::ProductRow {
        id: "ls-p0".into(),
        sku: "LS0".into(),
        name: "Renamed in Lightspeed".into(),
        variant_name: None,
        supplier_id: None,
        supplier_code: None,
        supply_price: None,
        active: true,
        codes: vec![],
        deleted: false,
    });
    let before = ls.calls("products");
    let mut restarted = poll_worker(&f, &ls);
    assert_eq!(poll_until_caught_up(&mut restarted).await, 1);
    assert_eq!(
        ls.calls("products") - before,
        2,
        "one page with the change, one empty"
    );
    let p = read_with(&*f.store, |tx| tx.product("ls-p0"))
        .unwrap()
        .unwrap();
    assert_eq!(p.name, "Renamed in Lightspeed");
}

#[tokio::test]
async fn a_status_moved_forward_in_lightspeed_reaches_the_hub() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = sent_transfer(&mut f, &[(0, 1)]);
    drain(&f, &mut w).await;
    let rid = only_remote(&ls).c.id;
    ls.force_status(&rid, L::Received);
    let mut p = poll_worker(&f, &ls);
    poll_until_caught_up(&mut p).await;
    assert_eq!(f.consignment(id).status, S::Received);
}

#[tokio::test]
async fn a_backward_move_in_lightspeed_is_refused_and_reported() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = sent_transfer(&mut f, &[(0, 1)]);
    drain(&f, &mut w).await;
    let rid = only_remote(&ls).c.id;
    // A replayed old request flips it back to OPEN in Lightspeed.
    ls.force_status(&rid, L::Open);
    let mut p = poll_worker(&f, &ls);
    poll_until_caught_up(&mut p).await;
    assert_eq!(
        f.consignment(id).status,
        S::Sent,
        "Tally never follows a backward move"
    );
    let conflicts = read_with(&*f.store, |tx| tx.inbound_conflicts()).unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].code, "INBOUND_WOULD_MOVE_BACKWARDS");
    assert_eq!(conflicts[0].consignment_id, id);
}

#[tokio::test]
async fn queued_tally_changes_are_not_overwritten_by_a_lagging_lightspeed() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    f.push(&a1, STAFF_A, vec![transfer(id, &[(0, 1)])]);
    drain(&f, &mut w).await;
    // Tally moves on; Lightspeed has not heard yet (the saga is still pending).
    f.push(&a1, STAFF_A, vec![go(id, S::Draft, S::Cancelled)]);
    let mut p = poll_worker(&f, &ls);
    poll_until_caught_up(&mut p).await;
    assert_eq!(f.consignment(id).status, S::Cancelled);
    assert!(read_with(&*f.store, |tx| tx.inbound_conflicts())
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_consignment_found_by_its_marker_still_gets_one_bulk_when_empty() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    ls.push_fault("create", Fault::LoseResponse);
    sent_transfer(&mut f, &[(0, 2), (1, 3), (2, 4)]);
    drain(&f, &mut w).await;
    assert_eq!(ls.calls("bulk"), 1, "lines went in one bulk call");
    assert_eq!(ls.calls("add"), 0);
    let r = only_remote(&ls);
    assert_eq!(r.lines[&product(2)].count, Decimal::from(4));
}

#[tokio::test]
async fn an_empty_consignment_cancelled_after_it_reached_lightspeed_is_deleted_there() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    f.push(&a1, STAFF_A, vec![transfer(id, &[])]);
    drain(&f, &mut w).await;
    assert_eq!(ls.all().len(), 1);
    f.push(&a1, STAFF_A, vec![go(id, S::Draft, S::Cancelled)]);
    drain(&f, &mut w).await;
    assert!(dead_letter::list(&*f.store).unwrap().is_empty());
    assert!(
        ls.all().is_empty(),
        "deleted, since Lightspeed cannot cancel it"
    );
}

#[tokio::test]
async fn stock_and_sales_are_polled_only_once_consignments_are_caught_up() {
    let mut f = Fixture::new();
    let ls = Arc::new(MemoryLightspeed::new());
    let mut w = worker(&f, &ls);
    let id = sent_transfer(&mut f, &[(0, 1)]);
    drain(&f, &mut w).await;
    let rid = only_remote(&ls).c.id;
    for i in 0..3 {
        ls.put_stock(LsStock {
            outlet_id: "out-a".into(),
            product_id: format!("p{i}"),
            on_hand: Decimal::from(4),
            reorder_point: Some(Decimal::from(5)),
            reorder_amount: None,
            deleted: false,
        });
    }
    let today = crate::stock::day_string(time::OffsetDateTime::now_utc().date());
    ls.put_sale(LsSale {
        id: "sale-1".into(),
        outlet_id: "out-a".into(),
        day: Some(today.clone()),
        completed: true,
        lines: vec![("p0".into(), Decimal::from(2))],
    });
    ls.force_status(&rid, L::Received);
    let mut p = poll_worker(&f, &ls);
    // Rounds read the first feed with news: the catalog, then consignments; stock and
    // sales wait until every feed before them is caught up.
    while ls.calls("inventory") == 0 {
        assert!(p.poll_round().await, "stock still waits to be read");
        if ls.calls("inventory") == 0 {
            assert_eq!(ls.calls("sales"), 0);
        }
    }
    assert_eq!(
        f.consignment(id).status,
        S::Received,
        "the consignment change was applied before any stock was read"
    );
    poll_until_caught_up(&mut p).await;
    let row = read_with(&*f.store, |tx| {
        crate::stock::stock_row(tx, "out-a", "p0", time::OffsetDateTime::now_utc())
    })
    .unwrap();
    let row = row.expect("stock row");
    assert_eq!(row.reorder_point, Some(Decimal::from(5)));
    assert_eq!(
        row.daily_sales,
        vec![tally_sync::DailySales {
            day: today,
            units: Decimal::from(2)
        }]
    );
}
