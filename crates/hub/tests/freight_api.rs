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
    let dir = tempfile::tempdir().unwrap();
    let handle = Hub::start(fast_config(&dir)).await.unwrap();
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
    let (nzpost, gss) = configure_freight(hub).await;
    Setup {
        _dir: dir,
        handle,
        outlets,
        nzpost,
        gss,
        consignment,
    }
}

/// Starts both fake carriers and gives the hub their keys and the outlets' addresses.
async fn configure_freight(hub: &Hub) -> (FakeNzPost, FakeGoSweetSpot) {
    let nzpost = FakeNzPost::start(FakeNzPostConfig::default())
        .await
        .unwrap();
    let gss = FakeGoSweetSpot::start(FakeGoSweetSpotConfig::default())
        .await
        .unwrap();
    let mut np = NzPostConfig::new(
        &nzpost.base_url,
        NzPostCredentials {
            client_id: nzpost.state.config.client_id.clone(),
            client_secret: Secret::new(nzpost.state.config.client_secret.clone()),
        },
    );
    np.label_poll_interval = Duration::from_millis(5);
    let (key, site) = gss.state.config.accounts[0].clone();
    let carriers: Vec<Arc<dyn Carrier>> = vec![
        Arc::new(NzPost::new(np).unwrap()),
        Arc::new(
            GoSweetSpot::new(GoSweetSpotConfig::new(
                &gss.base_url,
                GoSweetSpotCredentials {
                    access_key: Secret::new(key),
                    site_id: site,
                },
            ))
            .unwrap(),
        ),
    ];
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
    hub.set_freight(FreightDesk::new(
        carriers,
        addresses,
        hub.open_freight_ledger().unwrap(),
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
    assert_eq!(view.total.cost, format!("${}", cost.round_dp(2)));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_admin_sees_the_cost_per_box_and_unit_by_carrier_and_route() {
    use support::edges::{password, Edge, ADMIN};
    let e = Edge::start().await;
    let _fakes = configure_freight(e.hub()).await;
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
    assert!(html.contains(&format!("${per_box}")), "per box {per_box}");
    assert!(
        html.contains(&format!("${per_unit}")),
        "per unit {per_unit}"
    );
}
