//! The client under faults: 429 storms, the store's rate limit, 5xx, hangs,
//! dropped connections and lost acknowledgements.

mod common;

use std::time::{Duration, Instant};

use common::{chain, setup, setup_with};
use rust_decimal::Decimal;
use tally_domain::LsConsignmentType;
use tally_lightspeed::models::{NewConsignment, Outlet};
use tally_lightspeed::{Created, LightspeedClient, LsError};
use tally_testkit::faults::{Fault, FaultRule};
use tally_testkit::lightspeed::{FakeConfig, RateLimitConfig};

async fn read_outlets(client: &LightspeedClient) -> Result<usize, LsError> {
    let mut w = client.walker::<Outlet>("outlets", 0);
    Ok(w.next_page().await?.map(|p| p.len()).unwrap_or(0))
}

#[tokio::test]
async fn a_429_storm_is_ridden_out_by_waiting_until_the_retry_after_date() {
    let s = setup().await;
    chain(&s.fake, 0);
    s.client.ensure_token().await.unwrap();
    s.fake.faults().add_rule(
        FaultRule::new(
            "GET",
            "/api/2.0/outlets",
            Fault::rate_limited(Duration::from_millis(300)),
        )
        .times(2),
    );
    assert_eq!(read_outlets(&s.client).await.unwrap(), 2);
    let calls: Vec<_> = s
        .fake
        .requests()
        .records()
        .into_iter()
        .filter(|r| r.path == "/api/2.0/outlets")
        .collect();
    assert_eq!(calls.len(), 3, "two 429s, then the answer; no hot loop");
    for pair in calls.windows(2) {
        // Retry-After was at least 300 ms away (rounded up to the second as a date);
        // reading the date as an integer would have retried after the 20 ms floor.
        let gap = pair[1].at_ms - pair[0].at_ms;
        assert!(gap >= 290, "retried after {gap} ms");
    }
    assert_eq!(s.client.stats().rate_limited, 2);
}

#[tokio::test]
async fn concurrent_callers_share_the_budget_and_never_trip_the_store_limit() {
    let s = setup_with(
        FakeConfig {
            rate_limit: RateLimitConfig {
                limit: Some(6),
                window: Duration::from_secs(1),
                ..RateLimitConfig::default()
            },
            ..FakeConfig::default()
        },
        |c| c.budget.reserve = 1,
    )
    .await;
    chain(&s.fake, 0);
    let started = Instant::now();
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let c = s.client.clone();
            tokio::spawn(async move {
                for _ in 0..3 {
                    read_outlets(&c).await.unwrap();
                }
            })
        })
        .collect();
    futures::future::join_all(tasks).await;
    let limiter = s.fake.rate_limit_stats();
    assert_eq!(limiter.accepted, 9);
    assert_eq!(
        limiter.rejected, 0,
        "the budget slowed callers before the limit"
    );
    assert!(limiter.max_in_window <= 6);
    assert_eq!(s.client.stats().rate_limited, 0);
    assert!(s.client.stats().budget_waits > 0);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(s.client.budget().limit, Some(6));
}

#[tokio::test]
async fn server_errors_on_reads_are_retried_with_backoff() {
    let s = setup().await;
    chain(&s.fake, 0);
    for status in [500, 502, 503] {
        s.fake
            .faults()
            .add_rule(FaultRule::new("GET", "/api/2.0/outlets", Fault::Status { status }).times(1));
    }
    assert_eq!(read_outlets(&s.client).await.unwrap(), 2);
    assert_eq!(s.fake.requests().count("GET", "/api/2.0/outlets"), 4);
    assert_eq!(s.client.stats().retries, 3);
}

#[tokio::test]
async fn a_post_that_got_a_5xx_is_handed_back_not_repeated() {
    let s = setup().await;
    let c = chain(&s.fake, 0);
    s.fake.faults().add_rule(
        FaultRule::new(
            "POST",
            "/api/2.0/consignments",
            Fault::Status { status: 503 },
        )
        .times(1),
    );
    let new = NewConsignment::new(LsConsignmentType::Supplier, c.warehouse);
    let err = s.client.create_consignment(&new).await.unwrap_err();
    assert_eq!(err.code(), "LS_SERVER_ERROR");
    assert!(err.is_retryable() && err.may_have_applied());
    assert_eq!(s.fake.requests().count("POST", "/api/2.0/consignments"), 1);
}

#[tokio::test]
async fn a_rate_limited_post_is_repeated_because_it_was_not_applied() {
    let s = setup().await;
    let c = chain(&s.fake, 0);
    s.fake.faults().add_rule(
        FaultRule::new(
            "POST",
            "/api/2.0/consignments",
            Fault::RateLimited {
                retry_after_ms: 0,
                as_date: false,
            },
        )
        .times(1),
    );
    let new = NewConsignment::new(LsConsignmentType::Supplier, c.warehouse);
    s.client.create_consignment(&new).await.unwrap();
    assert_eq!(s.fake.consignments().len(), 1);
    assert_eq!(s.fake.requests().count("POST", "/api/2.0/consignments"), 2);
}

#[tokio::test]
async fn a_hanging_read_times_out_and_is_retried() {
    let s = setup_with(FakeConfig::default(), |c| {
        c.request_timeout = Duration::from_millis(250)
    })
    .await;
    chain(&s.fake, 0);
    s.client.ensure_token().await.unwrap();
    s.fake.faults().add_rule(
        FaultRule::new(
            "GET",
            "/api/2.0/outlets",
            Fault::hang(Duration::from_secs(2)),
        )
        .times(1),
    );
    assert_eq!(read_outlets(&s.client).await.unwrap(), 2);
    assert_eq!(s.client.stats().retries, 1);
}

#[tokio::test]
async fn a_dropped_connection_on_a_read_is_retried() {
    let s = setup().await;
    chain(&s.fake, 0);
    s.fake
        .faults()
        .add_rule(FaultRule::new("GET", "/api/2.0/outlets", Fault::DropConnection).times(2));
    assert_eq!(read_outlets(&s.client).await.unwrap(), 2);
    assert_eq!(s.fake.requests().count("GET", "/api/2.0/outlets"), 3);
}

#[tokio::test]
async fn a_lost_acknowledgement_on_create_is_reported_as_maybe_applied() {
    let s = setup().await;
    let c = chain(&s.fake, 0);
    s.fake
        .faults()
        .add_rule(FaultRule::new("POST", "/api/2.0/consignments", Fault::LostAck).times(1));
    let mut new = NewConsignment::new(LsConsignmentType::Supplier, c.warehouse);
    new.reference = Some("mut-7".into());
    let err = s.client.create_consignment(&new).await.unwrap_err();
    assert!(err.may_have_applied(), "{err:?}");
    assert_eq!(s.fake.requests().count("POST", "/api/2.0/consignments"), 1);
    // The caller can find out: search by the reference it stamped.
    let found = s
        .client
        .find_consignments_by_reference("mut-7")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn create_once_after_a_lost_acknowledgement_finds_the_consignment_instead_of_duplicating_it()
{
    let s = setup().await;
    let c = chain(&s.fake, 0);
    s.fake
        .faults()
        .add_rule(FaultRule::new("POST", "/api/2.0/consignments", Fault::LostAck).times(1));
    let mut new = NewConsignment::new(LsConsignmentType::Outlet, c.store.clone());
    new.source_outlet_id = Some(c.warehouse.clone());
    new.reference = Some("mut-42".into());
    let created = s.client.create_consignment_once(&new).await.unwrap();
    assert!(matches!(created, Created::Found(_)), "{created:?}");
    assert_eq!(s.fake.consignments_with_reference("mut-42").len(), 1);
    // Called again (a retried saga step): still one.
    let again = s.client.create_consignment_once(&new).await.unwrap();
    assert_eq!(again.consignment().id, created.consignment().id);
    assert_eq!(s.fake.consignments().len(), 1);
    assert_eq!(s.fake.requests().count("POST", "/api/2.0/consignments"), 1);
}

#[tokio::test]
async fn a_delete_whose_acknowledgement_was_lost_is_done_when_the_retry_finds_nothing() {
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
    s.client
        .add_line(
            &po.id,
            &tally_lightspeed::models::NewLine::new(&c.products[0], Decimal::ONE),
        )
        .await
        .unwrap();
    s.fake.faults().add_rule(
        FaultRule::new(
            "DELETE",
            "/api/2.0/consignments/*/products/*",
            Fault::LostAck,
        )
        .times(1),
    );
    s.client.delete_line(&po.id, &c.products[0]).await.unwrap();
    assert!(s.fake.consignment(&po.id).unwrap().lines.is_empty());
    assert_eq!(
        s.fake
            .requests()
            .count("DELETE", "/api/2.0/consignments/*/products/*"),
        2
    );
}

#[tokio::test]
async fn rejected_requests_keep_status_and_body_and_are_not_retried() {
    let s = setup().await;
    let c = chain(&s.fake, 0);
    let po = s
        .client
        .create_consignment(&NewConsignment::new(
            LsConsignmentType::Supplier,
            c.warehouse,
        ))
        .await
        .unwrap();
    let err = s
        .client
        .set_consignment_status(&po.id, tally_domain::LsConsignmentStatus::Sent)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "LS_BAD_REQUEST");
    assert!(!err.is_retryable());
    assert_eq!(err.status(), Some(400));
    assert!(err.body().unwrap().contains("no products"));
    assert_eq!(s.fake.requests().count("PUT", "/api/2.0/consignments/*"), 1);
    let missing = s.client.get_consignment("nope").await.unwrap_err();
    assert_eq!(missing.code(), "LS_NOT_FOUND");
}

#[tokio::test]
async fn create_once_under_random_seeded_faults_never_duplicates() {
    let mut lost_creates = 0;
    for seed in 0..6u64 {
        let s = setup().await;
        let c = chain(&s.fake, 0);
        let mut plan = tally_testkit::faults::FaultPlan::seeded(seed);
        for fault in [
            Fault::LostAck,
            Fault::DropConnection,
            Fault::Status { status: 503 },
            Fault::RateLimited {
                retry_after_ms: 0,
                as_date: false,
            },
        ] {
            plan = plan.rule(FaultRule::new("*", "/api/2.0/consignments", fault).probability(0.15));
        }
        s.fake.faults().set_plan(plan);
        let mut new = NewConsignment::new(LsConsignmentType::Supplier, c.warehouse.clone());
        new.reference = Some(format!("mut-{seed}"));
        let mut outcome = None;
        for _ in 0..20 {
            match s.client.create_consignment_once(&new).await {
                Ok(created) => {
                    outcome = Some(created);
                    break;
                }
                Err(e) => assert!(e.is_retryable(), "seed {seed}: {e}"),
            }
        }
        let created = outcome.unwrap_or_else(|| panic!("seed {seed}: never converged"));
        let with_ref = s.fake.consignments_with_reference(&format!("mut-{seed}"));
        assert_eq!(with_ref.len(), 1, "seed {seed}: duplicated");
        assert_eq!(with_ref[0].id, created.consignment().id, "seed {seed}");
        lost_creates += s
            .fake
            .requests()
            .records()
            .iter()
            .filter(|r| r.method == "POST" && r.fault == Some("lost_ack"))
            .count();
    }
    assert!(
        lost_creates > 0,
        "the seeds must include a lost create acknowledgement"
    );
}

#[tokio::test]
async fn upsert_line_after_a_lost_add_sets_the_absolute_count_once() {
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
    s.fake.faults().add_rule(
        FaultRule::new("POST", "/api/2.0/consignments/*/products", Fault::LostAck).times(1),
    );
    let line = tally_lightspeed::models::NewLine::new(&c.products[0], Decimal::from(7));
    let set = s.client.upsert_line(&po.id, &line).await.unwrap();
    assert_eq!(set.count, Decimal::from(7));
    // Repeating the whole step (a retried saga) changes nothing.
    s.client.upsert_line(&po.id, &line).await.unwrap();
    let lines = s.fake.consignment(&po.id).unwrap().lines;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].count, Decimal::from(7));
    assert_eq!(
        s.fake
            .requests()
            .count("POST", "/api/2.0/consignments/*/products"),
        1,
        "the lost add is never repeated once the line exists"
    );
}

#[tokio::test]
async fn consignments_can_be_found_by_name() {
    let s = setup().await;
    let c = chain(&s.fake, 0);
    let mut new = NewConsignment::new(LsConsignmentType::Supplier, c.warehouse);
    new.name = Some("PO Otago Merino".into());
    s.client.create_consignment(&new).await.unwrap();
    let found = s
        .client
        .find_consignments_by_name("PO Otago Merino")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(s
        .client
        .find_consignments_by_name("PO")
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn requests_cancelled_mid_flight_do_not_hold_later_callers_after_a_429() {
    let s = setup().await;
    chain(&s.fake, 0);
    s.client.ensure_token().await.unwrap();
    let outlets = "/api/2.0/outlets";
    s.fake
        .faults()
        .add_rule(FaultRule::new("GET", outlets, Fault::hang(Duration::from_secs(30))).times(2));
    // One caller gives up (its future is dropped by the timeout) while its request hangs.
    let dropped = tokio::time::timeout(Duration::from_millis(100), read_outlets(&s.client)).await;
    assert!(dropped.is_err(), "the request was still in flight");
    // Another caller's task is aborted while its request hangs.
    let task = {
        let c = s.client.clone();
        tokio::spawn(async move { read_outlets(&c).await })
    };
    while s.fake.requests().count("GET", outlets) < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert_eq!(s.client.budget().in_flight, 0, "both slots given back");
    // A 429 empties the budget; afterwards a probe goes only when nothing is in
    // flight, so a leaked slot would hold this caller (and every later one) forever.
    s.fake.faults().add_rule(
        FaultRule::new(
            "GET",
            outlets,
            Fault::RateLimited {
                retry_after_ms: 0,
                as_date: false,
            },
        )
        .times(1),
    );
    let later = tokio::time::timeout(Duration::from_secs(3), read_outlets(&s.client)).await;
    assert_eq!(later.expect("a later caller proceeds").unwrap(), 2);
    assert_eq!(s.client.stats().rate_limited, 1);
    let again = tokio::time::timeout(Duration::from_secs(3), read_outlets(&s.client)).await;
    assert_eq!(again.expect("and so does the next").unwrap(), 2);
}
