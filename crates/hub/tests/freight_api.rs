//! The hub's freight endpoints over real HTTP on loopback, against the testkit's fake
//! NZ Post and GoSweetSpot: device-token authentication, quotes side by side, one
//! booking per box set however often a station asks, only the sender books, and the
//! freight report from the bookings.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use support::{fast_config, push, seed_two_outlets, transfer_a_to_b, TwoOutlets};
use tally_domain::freight::{DeliveryOptions, Dimensions, Grams};
use tally_freight::{
    Address, BookRequest, Carrier, CarrierKind, FreightError, GoSweetSpot, GoSweetSpotConfig,
    GoSweetSpotCredentials, HubFreightClient, LabelFormat, NzPost, NzPostConfig, NzPostCredentials,
    Secret, ServiceLevel, ShipBox, ShipmentRequest, Weighed,
};
use tally_hub::freight::FreightDesk;
use tally_hub::{Hub, HubHandle};
use tally_testkit::carriers::{
    FakeGoSweetSpot, FakeGoSweetSpotConfig, FakeNzPost, FakeNzPostConfig,
};
use uuid::Uuid;

struct Setup {
    _dir: tempfile::TempDir,
    handle: HubHandle,
    outlets: TwoOutlets,
    nzpost: FakeNzPost,
    gss: FakeGoSweetSpot,
    consignment: Uuid,
}

fn address(name: &str, street: &str, postcode: &str) -> Address {
    Address {
        name: name.into(),
        company: None,
        phone: "+6491234567".into(),
        email: None,
        street: street.into(),
        suburb: "Central".into(),
        city: "Auckland".into(),
        postcode: postcode.into(),
        country_code: "NZ".into(),
    }
}

async fn setup() -> Setup {
    setup_with(|_| {}).await
}

async fn setup_with(tune: impl FnOnce(&mut tally_hub::HubConfig)) -> Setup {
    setup_owning(tune, |_, _, d| d).await
}

/// A hub with two outlets, a transfer from A to B and both fake carriers; `own` may give
/// outlets their own accounts.
async fn setup_owning(
    tune: impl FnOnce(&mut tally_hub::HubConfig),
    own: impl FnOnce(&FakeNzPost, &FakeGoSweetSpot, FreightDesk) -> FreightDesk,
) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut config = fast_config(&dir);
    tune(&mut config);
    let handle = Hub::start(config).await.unwrap();
    let hub = handle.hub();
    let outlets = seed_two_outlets(hub, "Coil").await;
    let consignment = Uuid::now_v7();
    push(
        &reqwest::Client::new(),
        &handle.base_url,
        &outlets.dev_a,
        vec![transfer_a_to_b(
            consignment,
            1,
            &outlets.staff_a,
            "TR-OUT-1",
        )],
    )
    .await;
    let (nzpost, gss) = configure_freight(hub, own).await;
    Setup {
        _dir: dir,
        handle,
        outlets,
        nzpost,
        gss,
        consignment,
    }
}

/// A GoSweetSpot client for one of the fake's accounts.
fn gss_client(gss: &FakeGoSweetSpot, account: usize) -> Arc<dyn Carrier> {
    let (key, site) = gss.state.config.accounts[account].clone();
    Arc::new(
        GoSweetSpot::new(GoSweetSpotConfig::new(
            &gss.base_url,
            GoSweetSpotCredentials {
                access_key: Secret::new(key),
                site_id: site,
            },
        ))
        .unwrap(),
    )
}

/// Starts both fake carriers and gives the hub their keys and the outlets' addresses
/// (`own` may give outlets their own accounts). The fake GoSweetSpot has the chain's
/// site (1001) and Ponsonby's own (2002); the fake NZ Post the chain's client and
/// Ponsonby's own (`ponsonby-nzpost`).
async fn configure_freight(
    hub: &Hub,
    own: impl FnOnce(&FakeNzPost, &FakeGoSweetSpot, FreightDesk) -> FreightDesk,
) -> (FakeNzPost, FakeGoSweetSpot) {
    let mut np_config = FakeNzPostConfig::default();
    np_config.other_clients.push((
        "ponsonby-nzpost".to_owned(),
        Uuid::new_v4().simple().to_string(),
    ));
    let nzpost = FakeNzPost::start(np_config).await.unwrap();
    let mut gss_config = FakeGoSweetSpotConfig::default();
    gss_config
        .accounts
        .push((Uuid::new_v4().simple().to_string(), "2002".to_owned()));
    let gss = FakeGoSweetSpot::start(gss_config).await.unwrap();
    let mut np = NzPostConfig::new(
        &nzpost.base_url,
        NzPostCredentials {
            client_id: nzpost.state.config.client_id.clone(),
            client_secret: Secret::new(nzpost.state.config.client_secret.clone()),
        },
    );
    np.label_poll_interval = Duration::from_millis(5);
    let carriers: Vec<Arc<dyn Carrier>> =
        vec![Arc::new(NzPost::new(np).unwrap()), gss_client(&gss, 0)];
    let addresses = HashMap::from([
        (
            "out-a".to_owned(),
            address("Ponsonby", "1 Ponsonby Road", "1011"),
        ),
        (
            "out-b".to_owned(),
            address("Newmarket", "2 Broadway", "1023"),
        ),
    ]);
    hub.set_freight(own(
        &nzpost,
        &gss,
        FreightDesk::new(carriers, addresses, hub.open_freight_ledger().unwrap()),
    ))
    .unwrap();
    (nzpost, gss)
}

fn shipment(consignment: Uuid, kgs: &[u32]) -> ShipmentRequest {
    ShipmentRequest {
        consignment_id: consignment.to_string(),
        consignment_ref: "TR-OUT-1".into(),
        destination_outlet_id: "out-b".into(),
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
        required_level: ServiceLevel::Overnight,
    }
}

fn client(s: &Setup, token: &str) -> HubFreightClient {
    HubFreightClient::new(&s.handle.base_url, token, Duration::from_secs(10)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freight_endpoints_refuse_a_station_without_a_valid_token() {
    let s = setup().await;
    let http = reqwest::Client::new();
    for path in ["/freight/quote", "/freight/book"] {
        let r = http
            .post(format!("{}{path}", s.handle.base_url))
            .json(&shipment(s.consignment, &[2]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{path} without a token");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "UNAUTHENTICATED");
    }
    let e = client(&s, "not-a-token")
        .quote(&shipment(s.consignment, &[2]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_DEVICE_TOKEN");
    assert_eq!(s.gss.state.quotes_issued(), 0, "no carrier was asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_come_from_both_carriers_side_by_side_with_the_cheapest_overnight_preselected() {
    let s = setup().await;
    let c = client(&s, &s.outlets.dev_a.token)
        .quote(&shipment(s.consignment, &[2]))
        .await
        .unwrap();
    let carriers: std::collections::BTreeSet<CarrierKind> =
        c.rows.iter().map(|r| r.quote.carrier).collect();
    assert_eq!(
        carriers,
        [CarrierKind::NzPost, CarrierKind::GoSweetSpot].into(),
        "{:?}",
        c.failures
    );
    let pick = &c.rows[c.preselected.expect("a row is preselected")];
    assert!(pick.quote.level >= ServiceLevel::Overnight);
    let cheapest_meeting = c
        .rows
        .iter()
        .filter(|r| r.meets_required_level)
        .map(|r| r.price.incl_gst)
        .min()
        .unwrap();
    assert_eq!(pick.price.incl_gst, cheapest_meeting);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booking_the_same_boxes_twice_books_once_and_answers_the_same_tracking() {
    let s = setup().await;
    let station = client(&s, &s.outlets.dev_a.token);
    // Heavy boxes: NZ Couriers (through GoSweetSpot) is the cheaper overnight service.
    let req = shipment(s.consignment, &[12, 9]);
    let c = station.quote(&req).await.unwrap();
    let pick = c.rows[c.preselected.unwrap()].quote.clone();
    assert_eq!(pick.carrier, CarrierKind::GoSweetSpot);
    let book = BookRequest {
        shipment: req,
        quote: pick,
        units: 30,
        label_format: LabelFormat::Zpl,
    };
    let first = station.book(&book).await.unwrap();
    let again = station.book(&book).await.unwrap();
    assert!(!first.already_booked);
    assert!(again.already_booked);
    assert_eq!(first.booking.parcels, again.booking.parcels);
    assert_eq!(first.booking.parcels.len(), 2);
    assert_eq!(s.gss.state.shipments().len(), 1, "booked exactly once");
    assert!(s.nzpost.state.consignments().is_empty());
    let formats: Vec<LabelFormat> = first.labels.iter().map(|l| l.format).collect();
    assert!(formats.contains(&LabelFormat::Pdf) && formats.contains(&LabelFormat::Zpl));
    let pdf = first
        .labels
        .iter()
        .find(|l| l.format == LabelFormat::Pdf)
        .unwrap()
        .to_label()
        .unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF"));

    // The report counts the one booking: 2 boxes, 30 units.
    let view = tally_hub::freight::report::report_view(s.handle.hub())
        .await
        .unwrap();
    assert_eq!(view.total.consignments, 1);
    assert_eq!((view.total.boxes, view.total.units), (2, 30));
    assert_eq!(view.by_route[0].key, "Ponsonby → Newmarket");
    assert_eq!(view.by_consignment[0].key, "TR-OUT-1");
    let cost: rust_decimal::Decimal = first.booking.price_excl_gst.unwrap();
    assert_eq!(view.total.cost, format!("${:.2}", cost.round_dp(2)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_sending_outlet_books_its_freight() {
    let s = setup().await;
    let req = shipment(s.consignment, &[2]);
    let c = client(&s, &s.outlets.dev_a.token)
        .quote(&req)
        .await
        .unwrap();
    let e = client(&s, &s.outlets.dev_b.token)
        .book(&BookRequest {
            shipment: req,
            quote: c.rows[0].quote.clone(),
            units: 3,
            label_format: LabelFormat::Pdf,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&e, FreightError::HubRefused { status: 403, code, .. } if code == "NOT_THE_SENDER"),
        "{e:?}"
    );
    assert!(s.nzpost.state.consignments().is_empty() && s.gss.state.shipments().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_freight_report_page_needs_an_admin_sign_in() {
    let s = setup().await;
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/admin/freight", s.handle.base_url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/admin/login"));
}

/// Behind the edge, with freight set up: pushes transfer TR-OUT-1 from outlet A and
/// books two 2 kg boxes (4 units) at the preselected row, as outlet A's station does;
/// hands back the fake carriers (keep them) and the booking.
async fn book_tr_out_1(
    e: &support::edges::Edge,
) -> ((FakeNzPost, FakeGoSweetSpot), tally_freight::BookResponse) {
    let fakes = configure_freight(e.hub(), |_, _, d| d).await;
    let id = e.push_transfer(1, "TR-OUT-1").await;
    let station =
        HubFreightClient::new(&e.url(""), &e.dev_a.token, Duration::from_secs(10)).unwrap();
    let req = shipment(id, &[2, 2]);
    let c = station.quote(&req).await.unwrap();
    let b = station
        .book(&BookRequest {
            shipment: req,
            quote: c.rows[c.preselected.unwrap()].quote.clone(),
            units: 4,
            label_format: LabelFormat::Pdf,
        })
        .await
        .unwrap();
    (fakes, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_admin_sees_the_cost_per_box_and_unit_by_carrier_and_route() {
    use support::edges::{password, Edge, ADMIN};
    let e = Edge::start().await;
    let (_fakes, b) = book_tr_out_1(&e).await;
    let cost = b.booking.price_excl_gst.unwrap();
    let s = e.sign_in(ADMIN, password()).await;
    let page = e
        .http
        .get(e.url("/admin/freight"))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("TR-OUT-1"), "{html}");
    assert!(html.contains("Ponsonby → Newmarket"));
    assert!(html.contains(&b.booking.carrier_name));
    let per_box = (cost / rust_decimal::Decimal::from(2)).round_dp(2);
    let per_unit = (cost / rust_decimal::Decimal::from(4)).round_dp(2);
    assert!(
        html.contains(&format!("${per_box:.2}")),
        "per box {per_box}"
    );
    assert!(
        html.contains(&format!("${per_unit:.2}")),
        "per unit {per_unit}"
    );
}

/// Quotes `kgs` for the test consignment at outlet A and books the preselected row.
async fn quote_and_book(s: &Setup, kgs: &[u32]) -> tally_freight::BookResponse {
    let station = client(s, &s.outlets.dev_a.token);
    let req = shipment(s.consignment, kgs);
    let c = station.quote(&req).await.unwrap();
    station
        .book(&BookRequest {
            shipment: req,
            quote: c.rows[c.preselected.unwrap()].quote.clone(),
            units: 3,
            label_format: LabelFormat::Pdf,
        })
        .await
        .unwrap()
}

fn cancel_request(s: &Setup, booking_id: &str, reason: &str) -> tally_freight::CancelRequest {
    tally_freight::CancelRequest {
        consignment_id: s.consignment.to_string(),
        booking_id: booking_id.to_owned(),
        reason: reason.to_owned(),
        requested_by: format!("{} (Ana)", s.outlets.staff_a),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booked_label_is_cancelled_once_audited_and_the_same_boxes_book_again() {
    use tally_testkit::carriers::{Endpoint, Stage};
    let s = setup().await;
    let station = client(&s, &s.outlets.dev_a.token);
    let first = quote_and_book(&s, &[2]).await;
    assert_eq!(first.booking.carrier, CarrierKind::NzPost);
    let id = first.booking.booking_id.clone();

    // Who and why are required; only the sender cancels; an unknown label is named.
    let e = station
        .cancel(&cancel_request(&s, &id, "  "))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "FREIGHT_CANCEL_REASON_MISSING");
    let e = client(&s, &s.outlets.dev_b.token)
        .cancel(&cancel_request(&s, &id, "wrong boxes"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "NOT_THE_SENDER");
    let e = station
        .cancel(&cancel_request(&s, "NOPE42", "wrong boxes"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "FREIGHT_NOT_BOOKED");
    assert_eq!(s.nzpost.state.faults.calls(Endpoint::Cancel), 0);

    let done = station
        .cancel(&cancel_request(
            &s,
            &id,
            "courier not needed: going in the van",
        ))
        .await
        .unwrap();
    assert!(!done.already_cancelled);
    assert_eq!(s.nzpost.state.consignments()[0].stage, Stage::Cancelled);
    let again = station
        .cancel(&cancel_request(&s, &id, "pressed twice"))
        .await
        .unwrap();
    assert!(again.already_cancelled, "a repeat is a no-op answer");
    assert_eq!(again.cancelled_at, done.cancelled_at);
    assert_eq!(
        s.nzpost.state.faults.calls(Endpoint::Cancel),
        1,
        "the carrier was asked once"
    );

    let desk = s.handle.hub().freight().unwrap();
    let audit = desk.ledger().audit_for(&s.consignment.to_string()).unwrap();
    assert_eq!(audit.len(), 1);
    let a = &audit[0];
    assert_eq!(a.action, "freight.cancelled");
    assert_eq!(a.reason, "courier not needed: going in the van");
    assert!(a.person.contains("Ana"));
    assert_eq!(a.device_id, s.outlets.dev_a.id);
    let before: serde_json::Value = serde_json::from_str(&a.before).unwrap();
    let after: serde_json::Value = serde_json::from_str(&a.after).unwrap();
    assert_eq!(before["record"]["cancelled"], false);
    assert_eq!(after["record"]["cancelled"], true);
    assert_eq!(after["tracking_state"], "cancelled");
    // Pulls name the cancelled label's numbers, so no station shows them as live.
    let old_numbers: Vec<String> = first
        .booking
        .parcels
        .iter()
        .map(|p| p.tracking_number.clone())
        .collect();
    let ours = |t: Vec<tally_sync::FreightTracking>| {
        t.into_iter()
            .find(|t| t.consignment_id == s.consignment)
            .unwrap()
    };
    let pulled = ours(pulled_tracking(&s, &s.outlets.dev_b.token).await);
    assert_eq!(pulled.state, "cancelled");
    assert_eq!(pulled.cancelled_tracking_numbers, old_numbers);

    // The same boxes book again: a new booking; the old one stays, cancelled.
    let second = quote_and_book(&s, &[2]).await;
    assert!(!second.already_booked);
    assert_ne!(second.booking.booking_id, id);
    assert_eq!(s.nzpost.state.consignments().len(), 2);
    let entries = desk
        .ledger()
        .for_consignment(&s.consignment.to_string())
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries[0].record.cancelled && !entries[1].record.cancelled);
    assert!(
        entries[1].reference.ends_with("-R1"),
        "{}",
        entries[1].reference
    );
    // The new label is live; the old numbers are still struck.
    let pulled = ours(pulled_tracking(&s, &s.outlets.dev_a.token).await);
    assert_eq!(
        (pulled.booking_id.as_str(), pulled.state.as_str()),
        (second.booking.booking_id.as_str(), "booked")
    );
    assert_eq!(pulled.cancelled_tracking_numbers, old_numbers);
    let view = tally_hub::freight::report::report_view(s.handle.hub())
        .await
        .unwrap();
    assert_eq!((view.total.consignments, view.cancelled), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_already_picked_up_is_not_cancelled_and_nothing_is_recorded() {
    let s = setup().await;
    let b = quote_and_book(&s, &[12, 9]).await;
    assert_eq!(b.booking.carrier, CarrierKind::GoSweetSpot);
    s.gss.state.advance(&b.booking.booking_id).unwrap();
    let e = client(&s, &s.outlets.dev_a.token)
        .cancel(&cancel_request(&s, &b.booking.booking_id, "not needed"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CARRIER_CANCEL_REFUSED");
    assert!(e.to_string().contains("picked up"), "{e}");
    let desk = s.handle.hub().freight().unwrap();
    let entries = desk
        .ledger()
        .for_consignment(&s.consignment.to_string())
        .unwrap();
    assert!(!entries[0].record.cancelled);
    assert!(desk
        .ledger()
        .audit_for(&s.consignment.to_string())
        .unwrap()
        .is_empty());
}

/// The freight tracking a station gets with a full pull.
async fn pulled_tracking(s: &Setup, token: &str) -> Vec<tally_sync::FreightTracking> {
    let page: tally_sync::PullResponse = reqwest::Client::new()
        .get(format!(
            "{}/sync/pull?protocol={}&cursor=0&limit=500",
            s.handle.base_url,
            tally_sync::PROTOCOL_VERSION
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!page.has_more);
    page.freight_tracking
        .expect("the last page carries freight tracking")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_polls_tracking_until_delivered_and_both_outlets_see_it_with_pulls() {
    use tally_testkit::carriers::Endpoint;
    // The poller runs every second and asks again at once (no recheck wait).
    let s = setup_with(|c| {
        c.freight.tracking_interval_secs = 1;
        c.freight.tracking_recheck_secs = 0;
    })
    .await;
    let b = quote_and_book(&s, &[2]).await;
    let id = b.booking.booking_id.clone();
    let state_at = |t: Vec<tally_sync::FreightTracking>| {
        t.into_iter()
            .find(|t| t.consignment_id == s.consignment)
            .map(|t| (t.booking_id, t.state))
    };
    assert_eq!(
        state_at(pulled_tracking(&s, &s.outlets.dev_b.token).await),
        Some((id.clone(), "booked".to_owned()))
    );
    s.nzpost.state.advance(&id);
    s.nzpost.state.advance(&id);
    support::until("the receiving outlet sees in transit", async || {
        state_at(pulled_tracking(&s, &s.outlets.dev_b.token).await)
            == Some((id.clone(), "in_transit".to_owned()))
    })
    .await;
    assert_eq!(
        state_at(pulled_tracking(&s, &s.outlets.dev_a.token).await),
        Some((id.clone(), "in_transit".to_owned())),
        "the sending outlet too"
    );
    s.nzpost.state.advance(&id);
    support::until("delivered", async || {
        state_at(pulled_tracking(&s, &s.outlets.dev_a.token).await)
            == Some((id.clone(), "delivered".to_owned()))
    })
    .await;
    // Delivered is final: the poller asks no more.
    let asked = s.nzpost.state.faults.calls(Endpoint::Status);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(s.nzpost.state.faults.calls(Endpoint::Status), asked);
    let desk = s.handle.hub().freight().unwrap();
    let e = &desk
        .ledger()
        .for_consignment(&s.consignment.to_string())
        .unwrap()[0];
    assert_eq!(e.carrier_status.as_deref(), Some("Delivered"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_booking_is_polled_no_more_and_polls_stay_within_the_batch() {
    use tally_testkit::carriers::Endpoint;
    let s = setup().await;
    let b = quote_and_book(&s, &[2]).await;
    let desk = s.handle.hub().freight().unwrap();
    let before = s.nzpost.state.faults.calls(Endpoint::Status);
    assert_eq!(
        desk.poll_tracking(Duration::ZERO, 10).await,
        0,
        "still booked"
    );
    assert_eq!(s.nzpost.state.faults.calls(Endpoint::Status), before + 1);
    client(&s, &s.outlets.dev_a.token)
        .cancel(&cancel_request(&s, &b.booking.booking_id, "not needed"))
        .await
        .unwrap();
    desk.poll_tracking(Duration::ZERO, 10).await;
    assert_eq!(
        s.nzpost.state.faults.calls(Endpoint::Status),
        before + 1,
        "a cancelled booking is not asked about"
    );
    let t = pulled_tracking(&s, &s.outlets.dev_b.token).await;
    assert_eq!(t[0].state, "cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outlet_with_its_own_gosweetspot_site_quotes_books_and_cancels_with_it() {
    use tally_testkit::carriers::Endpoint;
    // Ponsonby (out-a) has its own site 2002; Newmarket (out-b) uses the chain's 1001.
    let s = setup_owning(
        |_| {},
        |_, gss, d| d.with_outlet_carriers("out-a", vec![gss_client(gss, 1)]),
    )
    .await;
    let b = quote_and_book(&s, &[12, 9]).await;
    assert_eq!(b.booking.carrier, CarrierKind::GoSweetSpot);
    client(&s, &s.outlets.dev_a.token)
        .cancel(&cancel_request(&s, &b.booking.booking_id, "not needed"))
        .await
        .unwrap();
    let calls = s.gss.state.calls();
    for endpoint in [
        Endpoint::Quote,
        Endpoint::Book,
        Endpoint::Label,
        Endpoint::Cancel,
    ] {
        assert!(
            calls.iter().any(|c| c.endpoint == endpoint),
            "{endpoint:?} was called"
        );
    }
    let (own_key, _) = &s.gss.state.config.accounts[1];
    assert!(
        calls
            .iter()
            .all(|c| c.site_id == "2002" && &c.access_key == own_key),
        "every Ponsonby call carried its own site: {calls:?}"
    );
    assert_eq!(s.gss.state.shipments()[0].site_id, "2002");

    // Newmarket has no site of its own: the chain's account answers its quotes.
    let newmarket = client(&s, &s.outlets.dev_b.token);
    let mut req = shipment(Uuid::now_v7(), &[12]);
    req.destination_outlet_id = "out-a".into();
    newmarket.quote(&req).await.unwrap();
    let last = s.gss.state.calls().pop().unwrap();
    assert_eq!(
        (
            last.endpoint,
            last.site_id.as_str(),
            last.access_key.as_str()
        ),
        (Endpoint::Quote, "1001", "fake-gss-key")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_page_shows_a_period_and_the_saving_against_the_baseline_and_refuses_bad_dates()
{
    use support::edges::{password, Edge, ADMIN};
    let e = Edge::start().await;
    let (_fakes, b) = book_tr_out_1(&e).await;
    let cost = b.booking.price_excl_gst.unwrap();
    // The default baseline: $11.50 a box, so 2 boxes were $23.00 with the old system.
    let baseline = rust_decimal::Decimal::new(2300, 2);
    let saving = ((baseline - cost) / baseline * rust_decimal::Decimal::from(100))
        .round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let s = e.sign_in(ADMIN, password()).await;
    let get = |path: &str| e.http.get(e.url(path)).header("cookie", &s.cookie).send();
    let html = get("/admin/freight?period=this_month")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("TR-OUT-1"), "{html}");
    assert!(
        html.contains(&format!("${:.2}", cost.round_dp(2))),
        "money shows cents"
    );
    assert!(html.contains("$11.50 per box"));
    assert!(html.contains("$23.00"), "the old system's cost of 2 boxes");
    assert!(
        html.contains(&format!("{saving} %")),
        "saving {saving} % in {html}"
    );
    assert!(html.contains(r#"class="preset active" data-preset="this_month""#));

    let json: serde_json::Value = get("/admin/freight.json?period=last_month")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["total"]["boxes"], 0, "nothing was booked last month");
    let json: serde_json::Value = get("/admin/freight.json?period=this_month")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["total"]["boxes"], 2);
    assert_eq!(json["total"]["vs_baseline"], format!("{saving} %"));
    assert_eq!(json["by_carrier"][0]["key"], b.booking.carrier_name);
    assert_eq!(json["by_route"][0]["vs_baseline"], format!("{saving} %"));
    assert_eq!(
        json["total"]["vs_previous"], "—",
        "no bookings the month before"
    );

    let bad = get("/admin/freight?from=2026-11-30&to=2026-11-01")
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "REPORT_PERIOD_INVALID");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outlet_with_its_own_nz_post_account_quotes_books_cancels_and_is_tracked_with_it() {
    use tally_testkit::carriers::Endpoint;
    // Ponsonby (out-a) names the secrets of its own NZ Post client in the hub's
    // configuration; the hub's setup reads them from the secret source.
    let s = setup_owning(
        |_| {},
        |np, _, d| {
            let cfg: tally_hub::freight::FreightConfig = toml::from_str(
                "[outlets.\"out-a\"]\n\
                 nzpost_client_id_secret = \"TALLY_NZPOST_CLIENT_ID_PONSONBY\"\n\
                 nzpost_client_secret_secret = \"TALLY_NZPOST_CLIENT_SECRET_PONSONBY\"\n",
            )
            .unwrap();
            let (id, secret) = np.state.config.other_clients[0].clone();
            let src = tally_freight::MapSecrets(HashMap::from([
                ("TALLY_NZPOST_BASE_URL".to_owned(), np.base_url.clone()),
                ("TALLY_NZPOST_CLIENT_ID_PONSONBY".to_owned(), id),
                ("TALLY_NZPOST_CLIENT_SECRET_PONSONBY".to_owned(), secret),
            ]));
            tally_hub::freight::setup::outlet_carriers_from(&src, &cfg)
                .unwrap()
                .into_iter()
                .fold(d, |d, (outlet, own)| d.with_outlet_carriers(&outlet, own))
        },
    )
    .await;
    let b = quote_and_book(&s, &[2]).await;
    assert_eq!(b.booking.carrier, CarrierKind::NzPost);
    let id = b.booking.booking_id.clone();
    // The tracking poll asks with Ponsonby's client too.
    let booked = s.nzpost.state.calls().len();
    let desk = s.handle.hub().freight().unwrap();
    desk.poll_tracking(Duration::ZERO, 50).await;
    assert!(
        s.nzpost.state.calls()[booked..]
            .iter()
            .any(|c| c.endpoint == Endpoint::Status),
        "the poll asked NZ Post"
    );
    client(&s, &s.outlets.dev_a.token)
        .cancel(&cancel_request(&s, &id, "wrong service"))
        .await
        .unwrap();
    let calls = s.nzpost.state.calls();
    for endpoint in [
        Endpoint::Quote,
        Endpoint::Book,
        Endpoint::Status,
        Endpoint::Label,
        Endpoint::Cancel,
    ] {
        assert!(
            calls.iter().any(|c| c.endpoint == endpoint),
            "{endpoint:?} was called: {calls:?}"
        );
    }
    assert!(
        calls.iter().all(|c| c.client_id == "ponsonby-nzpost"),
        "every Ponsonby call carried its own client: {calls:?}"
    );

    // Newmarket has no account of its own: the chain's client answers its quotes.
    let mut req = shipment(Uuid::now_v7(), &[2]);
    req.destination_outlet_id = "out-a".into();
    client(&s, &s.outlets.dev_b.token)
        .quote(&req)
        .await
        .unwrap();
    let last = s.nzpost.state.calls().pop().unwrap();
    assert_eq!(
        (last.endpoint, last.client_id.as_str()),
        (Endpoint::Quote, s.nzpost.state.config.client_id.as_str())
    );
}
