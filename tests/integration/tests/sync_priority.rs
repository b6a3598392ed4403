//! Backpressure: the hub shares one Lightspeed rate budget across every outlet and
//! spends it on receives and sends before catalog refresh. With a tight budget and a
//! large catalog refresh under way (hundreds of new products, many pages), a
//! station's send and another station's receive reach Lightspeed while the walk is
//! still going: the fake's request log shows product pages before the send and after
//! the receive.

#[path = "../../../crates/app/tests/support/receiving.rs"]
mod receiving_support;
mod support;

use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use support::{new_transfer, Chain, Station};
use tally_app::packing::{CloseWeight, Handover, SendInput};
use tally_domain::{ConsignmentStatus as S, LsConsignmentStatus as L, Role};
use tally_hub::ls::marker;
use tally_hub::store::read_with;
use uuid::Uuid;

/// Waits (up to 60 s) for `what`.
async fn wait(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The fake's request log position now.
fn log_len(chain: &Chain) -> usize {
    chain.fake.requests().len()
}

/// Seqs of the catalog walk's product pages.
fn product_pages(chain: &Chain) -> Vec<u64> {
    chain
        .fake
        .requests()
        .records()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/api/2.0/products")
        .map(|r| r.seq)
        .collect()
}

fn status_in_lightspeed(chain: &Chain, id: Uuid) -> Option<L> {
    chain
        .fake
        .consignments_with_reference(&marker(id))
        .first()
        .map(|c| c.status)
}

async fn hub_products(chain: &Chain) -> u64 {
    read_with(&*chain.hub().store(), |tx| tx.product_count()).unwrap()
}

/// A transfer from `bench`'s outlet to the other, packed in full in one closed box.
fn packed_transfer(chain: &Chain, bench: &Station) -> Uuid {
    let app = bench.app();
    let lines: Vec<(String, Decimal)> = chain.products[..3]
        .iter()
        .map(|p| (p.clone(), Decimal::from(2)))
        .collect();
    let h = new_transfer(
        app,
        &chain.outlets[bench.outlet],
        &chain.outlets[1 - bench.outlet],
        &lines,
    )
    .unwrap();
    let id = h.id.to_string();
    for p in &chain.products[..3] {
        app.pack_product(&id, p, None, Some(2)).unwrap();
    }
    app.close_box(&id, None, CloseWeight::Typed { grams: 1_500 })
        .unwrap();
    h.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sends_and_receives_reach_lightspeed_before_a_large_catalog_refresh_finishes() {
    let chain = Chain::start(4, |client, worker| {
        client.page_size = 20;
        worker.poll_page_size = 20;
    })
    .await;
    let bench = chain.station(0, "Ponsonby bench", Role::StoreManager).await;
    let receiving = chain
        .station(1, "Newmarket receiving", Role::StoreManager)
        .await;
    let id = packed_transfer(&chain, &bench);
    bench.app().nudge_sync();
    wait("the transfer open in Lightspeed", || {
        status_in_lightspeed(&chain, id) == Some(L::Open)
    })
    .await;

    // A tight budget (20 requests a second for everyone) and a large refresh pending:
    // 400 new products, 20 pages of 20.
    chain.fake.set_rate_limit(20, Duration::from_secs(1));
    let before = chain.fake.product_count();
    for i in 0..400 {
        chain.fake.add_product(
            &format!("NEW{i}"),
            &format!("New product {i}"),
            &format!("95{i:011}"),
            Decimal::new(300, 2),
        );
    }
    let total = chain.fake.product_count() as u64;
    let walk_from = log_len(&chain);
    let started = Instant::now();
    // The walk is under way.
    while hub_products(&chain).await < before as u64 + 20 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "walk never started"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let sent_at = log_len(&chain);
    bench
        .app()
        .send(
            &id.to_string(),
            &SendInput {
                short: vec![],
                handover: Handover::Pickup,
                driver: None,
                local_date: None,
            },
        )
        .unwrap();
    bench.app().nudge_sync();
    wait("sent in Lightspeed", || {
        status_in_lightspeed(&chain, id) == Some(L::Sent)
    })
    .await;
    let sent_seen = log_len(&chain);

    // The receiving outlet pulls it, counts everything and closes the receipt.
    let cid = id.to_string();
    wait("the transfer at the receiving station", || {
        receiving
            .app()
            .store()
            .consignment(id)
            .is_ok_and(|c| c.status == S::Sent)
    })
    .await;
    let view = receiving.app().start_receiving(&cid).unwrap();
    for l in view.lines.iter().filter(|l| l.on_consignment) {
        receiving
            .app()
            .receiving_count(&cid, &l.product_id, &l.expected)
            .unwrap();
    }
    let done = receiving
        .app()
        .finish_receiving_session(&cid, receiving_support::finish(true))
        .unwrap();
    assert!(done.receipt_closed);
    receiving.app().nudge_sync();
    wait("received in Lightspeed", || {
        status_in_lightspeed(&chain, id) == Some(L::Received)
    })
    .await;
    let received_seen = log_len(&chain);
    let remote = &chain.fake.consignments_with_reference(&marker(id))[0];
    assert!(
        remote
            .lines
            .iter()
            .all(|l| l.received == Some(Decimal::from(2))),
        "received counts in Lightspeed: {:?}",
        remote.lines
    );

    // The walk finishes afterwards.
    let deadline = Instant::now() + Duration::from_secs(60);
    while hub_products(&chain).await < total {
        assert!(Instant::now() < deadline, "the catalog walk did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let walk_done = log_len(&chain);
    let pages: Vec<u64> = product_pages(&chain)
        .into_iter()
        .filter(|s| *s as usize >= walk_from && (*s as usize) < walk_done)
        .collect();
    let during_send = pages.iter().filter(|s| (**s as usize) < sent_at).count();
    let after_receive = pages
        .iter()
        .filter(|s| **s as usize >= received_seen)
        .count();
    eprintln!(
        "{} product pages; {during_send} before the send, {after_receive} after the receive \
         reached Lightspeed; send took {} requests' time, receive {}; {:?}",
        pages.len(),
        sent_seen - sent_at,
        received_seen - sent_seen,
        chain.fake.rate_limit_stats()
    );
    assert!(
        during_send >= 1,
        "the walk was under way when the send came"
    );
    assert!(
        after_receive >= 5,
        "the send and the receive went before most of the walk: {after_receive} pages after"
    );
    assert!(chain.hub().dead_letters().await.unwrap().is_empty());
}
