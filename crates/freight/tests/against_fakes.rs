//! The carrier clients against the testkit fakes, over real loopback HTTP.

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use tally_domain::freight::{DeliveryOptions, Dimensions, Grams};
use tally_freight::{
    compare_carriers, Address, Booker, Carrier, CarrierKind, GoSweetSpot, GoSweetSpotConfig,
    GoSweetSpotCredentials, LabelFormat, NzPost, NzPostConfig, NzPostCredentials, Secret,
    ServiceLevel, ShipBox, Shipment, TrackingState, Weighed,
};
use tally_testkit::carriers::{
    Endpoint, FakeGoSweetSpot, FakeGoSweetSpotConfig, FakeNzPost, FakeNzPostConfig, Fault,
};

fn address(name: &str, street: &str, postcode: &str) -> Address {
    Address {
        name: name.into(),
        company: Some(format!("{name} outlet")),
        phone: "+6491234567".into(),
        email: None,
        street: street.into(),
        suburb: "Central".into(),
        city: "Hamilton".into(),
        postcode: postcode.into(),
        country_code: "NZ".into(),
    }
}

/// Boxes of 30×20×10 cm (cubic 1.2 kg at 5000) with these gross weights in kg.
fn shipment_to(street: &str, postcode: &str, kgs: &[u32]) -> Shipment {
    Shipment {
        consignment_ref: "TR-OUT-202511-000042-17".into(),
        origin: address("Newmarket", "1 Broadway", "1023"),
        destination: address("Hamilton", street, postcode),
        boxes: kgs
            .iter()
            .enumerate()
            .map(|(i, kg)| ShipBox {
                number: i as u32 + 1,
                container_code: Some("BOX-M".into()),
                outer: Dimensions::mm(300, 200, 100),
                weight: Grams(kg * 1000),
                weighed: Weighed::Scale,
            })
            .collect(),
        options: DeliveryOptions::default(),
    }
}

fn shipment(kgs: &[u32]) -> Shipment {
    shipment_to("10 Victoria Street", "3204", kgs)
}

fn nzpost_client(fake: &FakeNzPost, tweak: impl FnOnce(&mut NzPostConfig)) -> Arc<NzPost> {
    let creds = NzPostCredentials {
        client_id: fake.state.config.client_id.clone(),
        client_secret: Secret::new(fake.state.config.client_secret.clone()),
    };
    let mut cfg = NzPostConfig::new(&fake.base_url, creds);
    cfg.label_poll_interval = Duration::from_millis(5);
    tweak(&mut cfg);
    Arc::new(NzPost::new(cfg).unwrap())
}

fn gss_client(fake: &FakeGoSweetSpot, account: usize) -> Arc<GoSweetSpot> {
    let (key, site) = fake.state.config.accounts[account].clone();
    let creds = GoSweetSpotCredentials {
        access_key: Secret::new(key),
        site_id: site,
    };
    Arc::new(GoSweetSpot::new(GoSweetSpotConfig::new(&fake.base_url, creds)).unwrap())
}

async fn fakes() -> (FakeNzPost, FakeGoSweetSpot) {
    let np = FakeNzPost::start(FakeNzPostConfig::default())
        .await
        .unwrap();
    let gss = FakeGoSweetSpot::start(FakeGoSweetSpotConfig::default())
        .await
        .unwrap();
    (np, gss)
}

fn fast_booker() -> Booker {
    let mut b = Booker::new();
    b.recheck_delay = Duration::from_millis(5);
    b
}

fn dec(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

#[tokio::test]
async fn both_carriers_quote_side_by_side_with_gst_and_chargeable_weight() {
    let (np, gss) = fakes().await;
    let carriers: Vec<Arc<dyn Carrier>> = vec![nzpost_client(&np, |_| {}), gss_client(&gss, 0)];
    let c = compare_carriers(&carriers, &shipment(&[2]), ServiceLevel::Economy).await;
    assert!(c.failures.is_empty(), "{:?}", c.failures);
    let price = |code: &str| {
        c.rows
            .iter()
            .find(|r| r.quote.service_code == code)
            .unwrap()
            .price
    };
    // 2 kg billed: 3.60 + 2×0.95, 4.20 + 2×1.15, 4.90 + 2×1.05.
    assert_eq!(price("CPOLE").excl_gst, dec(550));
    assert_eq!(price("CPOLP").excl_gst, dec(650));
    assert_eq!(price("CPOLP").incl_gst, dec(748));
    assert_eq!(price("Standard").excl_gst, dec(700));
    assert_eq!(price("Standard").incl_gst, dec(805));
    assert_eq!(c.rows[c.preselected.unwrap()].quote.service_code, "CPOLE");
    let charge = c.rows[0].quote.charges[0];
    assert_eq!(charge.chargeable.dead_kg, Decimal::from(2));
    assert_eq!(charge.chargeable.cubic_kg, Decimal::new(12, 1));
    assert!(c.all_weights_measured);
    assert!(c.rows.iter().all(|r| !r.quote.rural));
}

#[tokio::test]
async fn the_cheaper_overnight_carrier_changes_with_weight() {
    let (np, gss) = fakes().await;
    let carriers: Vec<Arc<dyn Carrier>> = vec![nzpost_client(&np, |_| {}), gss_client(&gss, 0)];
    let light = compare_carriers(&carriers, &shipment(&[3]), ServiceLevel::Overnight).await;
    let pick = &light.rows[light.preselected.unwrap()];
    assert_eq!(
        (pick.quote.carrier, pick.quote.service_code.as_str()),
        (CarrierKind::NzPost, "CPOLP")
    );
    let heavy = compare_carriers(&carriers, &shipment(&[12]), ServiceLevel::Overnight).await;
    let pick = &heavy.rows[heavy.preselected.unwrap()];
    assert_eq!(pick.quote.carrier, CarrierKind::GoSweetSpot);
    assert_eq!(pick.quote.carrier_name, "NZ Couriers");
    // Economy is still listed, cheapest overall, but does not meet overnight.
    assert!(!heavy.rows[0].meets_required_level);
}

#[tokio::test]
async fn rural_delivery_is_flagged_and_costs_more_per_box() {
    let (np, gss) = fakes().await;
    let carriers: Vec<Arc<dyn Carrier>> = vec![nzpost_client(&np, |_| {}), gss_client(&gss, 0)];
    let town = compare_carriers(&carriers, &shipment(&[2, 2]), ServiceLevel::Economy).await;
    let rural = compare_carriers(
        &carriers,
        &shipment_to("455 Gordonton Road, RD 1", "3281", &[2, 2]),
        ServiceLevel::Economy,
    )
    .await;
    assert!(rural.rows.iter().all(|r| r.quote.rural));
    for r in &rural.rows {
        let t = town
            .rows
            .iter()
            .find(|t| t.quote.service_code == r.quote.service_code)
            .unwrap();
        assert_eq!(
            r.price.excl_gst - t.price.excl_gst,
            dec(300),
            "{}",
            r.quote.service_code
        );
    }
}

#[tokio::test]
async fn parcels_over_a_carriers_limit_are_rejected_with_the_reason() {
    let (np, gss) = fakes().await;
    let carriers: Vec<Arc<dyn Carrier>> = vec![nzpost_client(&np, |_| {}), gss_client(&gss, 0)];
    let c = compare_carriers(&carriers, &shipment(&[35]), ServiceLevel::Economy).await;
    assert_eq!(c.failures.len(), 1);
    let f = &c.failures[0];
    assert_eq!(
        (f.carrier, f.code.as_str(), f.retryable),
        (CarrierKind::NzPost, "CARRIER_REJECTED", false)
    );
    assert!(f.message.contains("30 kg"), "{}", f.message);
    assert_eq!(c.rows.len(), 1, "NZ Couriers takes up to 50 kg");

    let e = gss_client(&gss, 0)
        .quote(&shipment(&[55]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CARRIER_REJECTED");
    assert!(e.to_string().contains("50 kg"), "{e}");
}

#[tokio::test]
async fn delivery_options_add_surcharges_and_saturday_switches_to_express() {
    let (np, gss) = fakes().await;
    let mut s = shipment(&[2]);
    s.options.age_restricted = true;
    s.options.signature_required = true;
    let np_client = nzpost_client(&np, |_| {});
    let quotes = np_client.quote(&s).await.unwrap();
    let overnight = quotes.iter().find(|q| q.service_code == "CPOLP").unwrap();
    assert_eq!(overnight.price_excl_gst, dec(650 + 110));
    let booking = fast_booker()
        .book_once(np_client.as_ref(), &s, overnight)
        .await
        .unwrap();
    assert_eq!(booking.parcels.len(), 1);
    let sent = &np.state.consignments()[0];
    assert!(
        sent.add_ons.contains(&"CPAGE".to_owned()) && sent.add_ons.contains(&"CPSR".to_owned())
    );

    s.options.saturday = true;
    for q in np_client
        .quote(&s)
        .await
        .unwrap()
        .into_iter()
        .chain(gss_client(&gss, 0).quote(&s).await.unwrap())
    {
        assert_eq!(q.level, ServiceLevel::Express, "{}", q.description);
    }
}

#[tokio::test]
async fn the_nz_post_token_is_cached_between_calls() {
    let (np, _gss) = fakes().await;
    let client = nzpost_client(&np, |_| {});
    for _ in 0..3 {
        client.quote(&shipment(&[1])).await.unwrap();
    }
    assert_eq!(np.state.tokens_issued(), 1);
}

#[tokio::test]
async fn a_token_near_expiry_is_refreshed_before_use() {
    let np = FakeNzPost::start(FakeNzPostConfig {
        token_lifetime_secs: 30,
        ..FakeNzPostConfig::default()
    })
    .await
    .unwrap();
    // A 60 s margin makes a 30 s token due for refresh at once.
    let client = nzpost_client(&np, |c| c.token_refresh_margin = Duration::from_secs(60));
    client.quote(&shipment(&[1])).await.unwrap();
    client.quote(&shipment(&[1])).await.unwrap();
    assert_eq!(np.state.tokens_issued(), 2);
}

#[tokio::test]
async fn a_refused_token_is_replaced_and_the_call_retried_once() {
    let (np, _gss) = fakes().await;
    let client = nzpost_client(&np, |_| {});
    client.quote(&shipment(&[1])).await.unwrap();
    np.state.revoke_tokens();
    client.quote(&shipment(&[1])).await.unwrap();
    assert_eq!(np.state.tokens_issued(), 2);
}

#[tokio::test]
async fn wrong_nz_post_secret_is_an_auth_error_not_a_retry() {
    let (np, _gss) = fakes().await;
    let mut cfg = NzPostConfig::new(
        &np.base_url,
        NzPostCredentials {
            client_id: np.state.config.client_id.clone(),
            client_secret: Secret::new("wrong"),
        },
    );
    cfg.label_poll_interval = Duration::from_millis(5);
    let e = NzPost::new(cfg)
        .unwrap()
        .quote(&shipment(&[1]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CARRIER_AUTH_REJECTED");
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn gosweetspot_keys_are_per_site_and_wrong_keys_are_refused() {
    let gss = FakeGoSweetSpot::start(FakeGoSweetSpotConfig {
        accounts: vec![("key-a".into(), "1".into()), ("key-b".into(), "2".into())],
        ..FakeGoSweetSpotConfig::default()
    })
    .await
    .unwrap();
    let (site_a, site_b) = (gss_client(&gss, 0), gss_client(&gss, 1));
    let s = shipment(&[2]);
    let q = site_a.quote(&s).await.unwrap().remove(0);
    let booking = fast_booker()
        .book_once(site_a.as_ref(), &s, &q)
        .await
        .unwrap();
    // Site B neither sees site A's shipment nor can book with its quote.
    assert_eq!(
        site_b.find_booking(&s, &booking.reference).await.unwrap(),
        None
    );
    let e = site_b.book(&s, &q, "other-ref").await.unwrap_err();
    assert_eq!(e.code(), "CARRIER_REJECTED");

    let bad = GoSweetSpot::new(GoSweetSpotConfig::new(
        &gss.base_url,
        GoSweetSpotCredentials {
            access_key: Secret::new("nope"),
            site_id: "1".into(),
        },
    ))
    .unwrap();
    assert_eq!(
        bad.quote(&s).await.unwrap_err().code(),
        "CARRIER_AUTH_REJECTED"
    );
}

#[tokio::test]
async fn a_lost_nz_post_booking_response_still_gives_exactly_one_booking() {
    let (np, _gss) = fakes().await;
    let client = nzpost_client(&np, |_| {});
    let s = shipment(&[2, 3]);
    let q = client
        .quote(&s)
        .await
        .unwrap()
        .into_iter()
        .find(|q| q.service_code == "CPOLP")
        .unwrap();
    np.state
        .faults
        .inject(Endpoint::Book, Fault::LoseResponseAfterCommit);
    let booker = fast_booker();
    let first = booker.book_once(client.as_ref(), &s, &q).await.unwrap();
    assert!(
        first.found_existing,
        "the booking was recovered by reference"
    );
    assert_eq!(first.parcels.len(), 2);
    assert_ne!(
        first.parcels[0].tracking_number,
        first.parcels[1].tracking_number
    );
    let again = booker.book_once(client.as_ref(), &s, &q).await.unwrap();
    assert_eq!(again.booking_id, first.booking_id);
    assert_eq!(np.state.consignments().len(), 1);
    assert_eq!(np.state.faults.calls(Endpoint::Book), 1);
}

#[tokio::test]
async fn a_lost_gosweetspot_booking_response_still_gives_exactly_one_booking() {
    let (_np, gss) = fakes().await;
    let client = gss_client(&gss, 0);
    let s = shipment(&[4]);
    let q = client.quote(&s).await.unwrap().remove(0);
    gss.state
        .faults
        .inject(Endpoint::Book, Fault::LoseResponseAfterCommit);
    let booking = fast_booker()
        .book_once(client.as_ref(), &s, &q)
        .await
        .unwrap();
    assert!(booking.found_existing);
    assert_eq!(gss.state.shipments().len(), 1);
    assert_eq!(gss.state.shipments()[0].connote, booking.booking_id);
}

#[tokio::test]
async fn a_server_error_after_commit_is_resolved_by_search_not_a_second_booking() {
    let (_np, gss) = fakes().await;
    let client = gss_client(&gss, 0);
    let s = shipment(&[4]);
    let q = client.quote(&s).await.unwrap().remove(0);
    gss.state
        .faults
        .inject(Endpoint::Book, Fault::StatusAfterCommit(502));
    let booking = fast_booker()
        .book_once(client.as_ref(), &s, &q)
        .await
        .unwrap();
    assert!(booking.found_existing);
    assert_eq!(gss.state.shipments().len(), 1);
}

#[tokio::test]
async fn a_server_error_before_commit_is_retryable_and_the_retry_books_once() {
    let (_np, gss) = fakes().await;
    let client = gss_client(&gss, 0);
    let s = shipment(&[4]);
    let q = client.quote(&s).await.unwrap().remove(0);
    gss.state.faults.inject(Endpoint::Book, Fault::Status(503));
    let booker = fast_booker();
    let e = booker.book_once(client.as_ref(), &s, &q).await.unwrap_err();
    assert_eq!(e.code(), "CARRIER_UNAVAILABLE");
    assert!(e.is_retryable());
    assert!(gss.state.shipments().is_empty());
    let booking = booker.book_once(client.as_ref(), &s, &q).await.unwrap();
    assert!(!booking.found_existing);
    assert_eq!(gss.state.shipments().len(), 1);
}

#[tokio::test]
async fn two_stations_booking_the_same_box_set_at_once_book_once() {
    let (np, gss) = fakes().await;
    let booker = fast_booker();
    let s = shipment(&[2]);

    let gss_c = gss_client(&gss, 0);
    let q = gss_c.quote(&s).await.unwrap().remove(0);
    // Slow bookings widen the window in which both would otherwise book.
    gss.state
        .faults
        .inject(Endpoint::Book, Fault::Delay(Duration::from_millis(100)));
    let (a, b) = tokio::join!(
        booker.book_once(gss_c.as_ref(), &s, &q),
        booker.book_once(gss_c.as_ref(), &s, &q)
    );
    assert_eq!(a.unwrap().booking_id, b.unwrap().booking_id);
    assert_eq!(gss.state.shipments().len(), 1);

    let np_c = nzpost_client(&np, |_| {});
    let q = np_c.quote(&s).await.unwrap().remove(0);
    np.state
        .faults
        .inject(Endpoint::Book, Fault::Delay(Duration::from_millis(100)));
    let (a, b) = tokio::join!(
        booker.book_once(np_c.as_ref(), &s, &q),
        booker.book_once(np_c.as_ref(), &s, &q)
    );
    assert_eq!(a.unwrap().booking_id, b.unwrap().booking_id);
    assert_eq!(np.state.consignments().len(), 1);
}

#[tokio::test]
async fn a_repacked_box_set_is_a_new_booking() {
    let (_np, gss) = fakes().await;
    let client = gss_client(&gss, 0);
    let booker = fast_booker();
    let s1 = shipment(&[2]);
    let q1 = client.quote(&s1).await.unwrap().remove(0);
    let b1 = booker.book_once(client.as_ref(), &s1, &q1).await.unwrap();
    let s2 = shipment(&[2, 1]);
    let q2 = client.quote(&s2).await.unwrap().remove(0);
    let b2 = booker.book_once(client.as_ref(), &s2, &q2).await.unwrap();
    assert_ne!(b1.booking_id, b2.booking_id);
    assert_eq!(gss.state.shipments().len(), 2);
}

#[tokio::test]
async fn nz_post_labels_are_polled_until_ready_then_downloaded_as_pdf() {
    let np = FakeNzPost::start(FakeNzPostConfig {
        label_ready_after_polls: 3,
        ..FakeNzPostConfig::default()
    })
    .await
    .unwrap();
    let client = nzpost_client(&np, |_| {});
    let s = shipment(&[2, 2]);
    let q = client.quote(&s).await.unwrap().remove(0);
    let booking = fast_booker()
        .book_once(client.as_ref(), &s, &q)
        .await
        .unwrap();
    assert!(np.state.faults.calls(Endpoint::Status) >= 4);
    assert_eq!(
        booking
            .parcels
            .iter()
            .map(|p| p.box_number)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );

    let labels = client.label(&booking, LabelFormat::Pdf).await.unwrap();
    assert_eq!(labels.len(), 1);
    let pdf = &labels[0].bytes;
    // One page per parcel, each with its tracking barcode (decoded in tally-labels' tests).
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = String::from_utf8_lossy(pdf).contains("/Type/Pages/Count 2/");
    if let Some(dir) = std::env::var_os("TALLY_KEEP_LABELS") {
        std::fs::write(std::path::Path::new(&dir).join("nzpost-label.pdf"), pdf).unwrap();
    }
    assert!(pages, "a page per parcel");

    let zpl = client.label(&booking, LabelFormat::Zpl).await.unwrap_err();
    assert_eq!(zpl.code(), "LABEL_FORMAT_NOT_OFFERED");
    assert_eq!(
        client.status(&booking).await.unwrap().state,
        TrackingState::LabelReady
    );
}

#[tokio::test]
async fn a_label_that_never_gets_ready_is_retryable_and_found_later() {
    let np = FakeNzPost::start(FakeNzPostConfig {
        label_ready_after_polls: 4,
        ..FakeNzPostConfig::default()
    })
    .await
    .unwrap();
    let client = nzpost_client(&np, |c| c.label_poll_attempts = 2);
    let s = shipment(&[1]);
    let q = client.quote(&s).await.unwrap().remove(0);
    let mut booker = fast_booker();
    booker.recheck_attempts = 1;
    let e = booker.book_once(client.as_ref(), &s, &q).await.unwrap_err();
    assert_eq!(e.code(), "LABEL_NOT_READY");
    assert!(e.is_retryable());
    let booking = booker.book_once(client.as_ref(), &s, &q).await.unwrap();
    assert!(booking.found_existing);
    assert_eq!(np.state.consignments().len(), 1);
}

#[tokio::test]
async fn gosweetspot_labels_come_as_pdf_and_zpl() {
    let (_np, gss) = fakes().await;
    let client = gss_client(&gss, 0);
    let s = shipment(&[2, 2]);
    let q = client.quote(&s).await.unwrap().remove(0);
    let booking = fast_booker()
        .book_once(client.as_ref(), &s, &q)
        .await
        .unwrap();
    assert!(booking
        .parcels
        .iter()
        .all(|p| p.tracking_number == booking.booking_id));
    let pdfs = client.label(&booking, LabelFormat::Pdf).await.unwrap();
    assert_eq!(pdfs.len(), 2, "one label per package");
    assert!(pdfs.iter().all(|l| l.bytes.starts_with(b"%PDF-")));
    let zpl = client.label(&booking, LabelFormat::Zpl).await.unwrap();
    assert!(zpl[0].bytes.starts_with(b"^XA"));
    assert!(String::from_utf8_lossy(&zpl[0].bytes).contains(&booking.booking_id));
    assert_eq!(
        client.status(&booking).await.unwrap().state,
        TrackingState::LabelReady
    );
}

#[tokio::test]
async fn a_box_without_a_stable_weight_is_never_booked() {
    let (_np, gss) = fakes().await;
    let client = gss_client(&gss, 0);
    let mut s = shipment(&[2]);
    let q = client.quote(&s).await.unwrap().remove(0);
    s.boxes[0].weighed = Weighed::Unstable;
    let e = fast_booker()
        .book_once(client.as_ref(), &s, &q)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "BOX_WEIGHT_NOT_STABLE");
    assert_eq!(gss.state.faults.calls(Endpoint::Book), 0);
}

#[tokio::test]
async fn an_unreachable_carrier_is_listed_as_a_retryable_failure() {
    let (np, _gss) = fakes().await;
    // A port nothing listens on: take one and close it.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let gss = Arc::new(
        GoSweetSpot::new(GoSweetSpotConfig::new(
            dead,
            GoSweetSpotCredentials {
                access_key: Secret::new("k"),
                site_id: "1".into(),
            },
        ))
        .unwrap(),
    );
    let carriers: Vec<Arc<dyn Carrier>> = vec![nzpost_client(&np, |_| {}), gss];
    let c = compare_carriers(&carriers, &shipment(&[1]), ServiceLevel::Economy).await;
    assert_eq!(c.failures.len(), 1);
    assert_eq!(c.failures[0].code, "CARRIER_UNREACHABLE");
    assert!(c.failures[0].retryable);
    assert!(c.preselected.is_some(), "NZ Post still quoted");
}

#[tokio::test]
async fn bookings_feed_the_freight_report_even_when_recovered_by_reference() {
    let (np, gss) = fakes().await;
    let booker = fast_booker();
    let s = shipment(&[2, 3]);
    let np_c = nzpost_client(&np, |_| {});
    let q = np_c
        .quote(&s)
        .await
        .unwrap()
        .into_iter()
        .find(|q| q.service_code == "CPOLP")
        .unwrap();
    np.state
        .faults
        .inject(Endpoint::Book, Fault::LoseResponseAfterCommit);
    let recovered = booker.book_once(np_c.as_ref(), &s, &q).await.unwrap();
    let gss_c = gss_client(&gss, 0);
    let s2 = shipment(&[10]);
    let q2 = gss_c.quote(&s2).await.unwrap().remove(0);
    let made = booker.book_once(gss_c.as_ref(), &s2, &q2).await.unwrap();
    let records = vec![
        recovered.record("C1", "Newmarket", "Hamilton", 20),
        made.record("C2", "Newmarket", "Hamilton", 10),
    ];
    let report = tally_domain::freight::freight_report(&records);
    // 2 kg + 3 kg overnight: 6.50 + 7.65; 10 kg NZ Couriers: 4.90 + 10.50.
    assert_eq!(records[0].cost_excl_gst, dec(1415));
    assert_eq!(records[0].service, "CPOLP");
    assert_eq!(report.total.cost_excl_gst, dec(1415 + 1540));
    assert_eq!(report.total.boxes, 3);
    assert_eq!(
        report.by_route[0].summary.per_unit,
        Some(dec(2955) / Decimal::from(30))
    );
    assert_eq!(report.by_carrier.len(), 2);
}

/// Books the preselected overnight service of `kgs` with one carrier.
async fn book_with(carrier: &dyn Carrier, kgs: &[u32]) -> tally_freight::Booking {
    let s = shipment(kgs);
    let quotes = carrier.quote(&s).await.unwrap();
    let q = quotes
        .iter()
        .find(|q| q.level >= ServiceLevel::Overnight)
        .unwrap();
    fast_booker().book_once(carrier, &s, q).await.unwrap()
}

#[tokio::test]
async fn an_unused_label_cancels_at_both_carriers_and_a_repeat_is_answered_the_same() {
    let (np, gss) = fakes().await;
    let nz = nzpost_client(&np, |_| {});
    let gs = gss_client(&gss, 0);
    for carrier in [nz.as_ref() as &dyn Carrier, gs.as_ref()] {
        let b = book_with(carrier, &[2]).await;
        carrier.cancel(&b).await.unwrap();
        carrier
            .cancel(&b)
            .await
            .expect("a second cancel of the same label is done, not an error");
        assert_eq!(
            carrier.status(&b).await.unwrap().state,
            TrackingState::Cancelled,
            "{}",
            carrier.kind()
        );
    }
    assert_eq!(np.state.faults.calls(Endpoint::Cancel), 2);
    assert_eq!(gss.state.faults.calls(Endpoint::Cancel), 2);
    assert_eq!(
        np.state.consignments()[0].stage,
        tally_testkit::carriers::Stage::Cancelled
    );
}

#[tokio::test]
async fn a_label_already_picked_up_is_not_cancelled_and_the_carrier_says_why() {
    let (np, gss) = fakes().await;
    let nz = nzpost_client(&np, |_| {});
    let gs = gss_client(&gss, 0);
    let b = book_with(nz.as_ref(), &[2]).await;
    np.state.advance(&b.booking_id).unwrap();
    let e = nz.cancel(&b).await.unwrap_err();
    assert_eq!(e.code(), "CARRIER_CANCEL_REFUSED");
    assert!(e.to_string().contains("picked up"), "{e}");
    assert!(!e.is_retryable());
    let b = book_with(gs.as_ref(), &[12]).await;
    gss.state.advance(&b.booking_id).unwrap();
    gss.state.advance(&b.booking_id).unwrap();
    let e = gs.cancel(&b).await.unwrap_err();
    assert_eq!(e.code(), "CARRIER_CANCEL_REFUSED");
    assert!(e.to_string().contains("in transit"), "{e}");
    assert_eq!(
        gs.status(&b).await.unwrap().state,
        TrackingState::InTransit,
        "a refused cancel leaves the shipment going"
    );
}

#[tokio::test]
async fn tracking_follows_the_fakes_from_booked_to_delivered() {
    let (np, gss) = fakes().await;
    let nz = nzpost_client(&np, |_| {});
    let gs = gss_client(&gss, 0);
    let nb = book_with(nz.as_ref(), &[2]).await;
    let gb = book_with(gs.as_ref(), &[12]).await;
    let states = |s: tally_freight::BookingStatus| s.state.as_str();
    assert_eq!(states(nz.status(&nb).await.unwrap()), "booked");
    assert_eq!(states(gs.status(&gb).await.unwrap()), "booked");
    for _ in 0..2 {
        np.state.advance(&nb.booking_id);
        gss.state.advance(&gb.booking_id);
    }
    assert_eq!(states(nz.status(&nb).await.unwrap()), "in_transit");
    let g = gs.status(&gb).await.unwrap();
    assert_eq!(
        (g.state.as_str(), g.carrier_status.as_str()),
        ("in_transit", "InTransit")
    );
    np.state.advance(&nb.booking_id);
    gss.state.advance(&gb.booking_id);
    let n = nz.status(&nb).await.unwrap();
    assert_eq!(n.state, TrackingState::Delivered);
    assert!(n.state.is_final());
    assert_eq!(states(gs.status(&gb).await.unwrap()), "delivered");
}
