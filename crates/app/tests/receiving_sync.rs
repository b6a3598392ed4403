//! Receiving reaches Lightspeed: a station connected to the embedded demo hub receives
//! the demo's sent purchase order in two signed sessions (one short line, one damaged
//! line with a photo), and the fake Lightspeed ends with the received counts (damaged
//! units are not stock) and the order RECEIVED, once.

#[path = "support/receiving.rs"]
mod receiving_support;

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use receiving_support::finish;
use rust_decimal::Decimal;
use tally_app::receiving::ReasonCode;
use tally_app::sync::{connect, Enrolment};
use tally_app::{App, AppConfig, HubMode};
use tally_demo::{DemoOptions, EmbeddedDemo};
use tally_domain::{LsConsignmentStatus, Role};

fn photo() -> String {
    let img = image::RgbImage::from_pixel(64, 48, image::Rgb([180, 30, 30]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(jpeg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_order_received_in_two_sessions_reaches_lightspeed_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = DemoOptions::new(dir.path().join("hub"));
    opts.products = 300;
    let demo = EmbeddedDemo::start(opts).await.unwrap();
    let config = AppConfig {
        data_dir: dir.path().join("station"),
        hub: HubMode::Demo,
        station_name: "Receiving".into(),
        outlet: None,
        wedge_max_gap_ms: 35,
        log_filter: "info".into(),
    };
    let app = Arc::new(App::open(config, demo.hub_url.clone()).unwrap());
    let enrolment = Enrolment {
        hub_url: demo.hub_url.clone(),
        device_id: demo.device_id.clone(),
        device_token: demo.device_token.clone(),
        outlet_id: demo.outlet_id.clone(),
    };
    let sync = connect(Arc::clone(&app), &enrolment, Default::default())
        .await
        .unwrap();
    let clerk = demo
        .staff
        .iter()
        .find(|s| s.role == Role::Staff && s.outlet_id.as_deref() == Some(demo.outlet_id.as_str()))
        .unwrap();
    app.sign_in(&clerk.id, &clerk.pin).unwrap();
    let reference = demo.seeded.sent_po.clone().unwrap();
    let po = app
        .list_open_consignments()
        .unwrap()
        .into_iter()
        .find(|r| r.reference == reference)
        .unwrap();
    let id = po.id.clone();
    // Live Lightspeed consignments named with this Tally reference (the hub stamps its own
    // marker in Lightspeed's `reference` and the Tally reference in `name`).
    let in_lightspeed = |demo: &EmbeddedDemo, reference: &str| {
        demo.lightspeed()
            .consignments()
            .into_iter()
            .filter(|c| !c.deleted && c.name.as_deref() == Some(reference))
            .collect::<Vec<_>>()
    };

    let v = app.start_receiving(&id).unwrap();
    let p: Vec<String> = v.lines.iter().map(|l| l.product_id.clone()).collect();
    assert_eq!(p.len(), 5);
    assert!(v.lines.iter().all(|l| l.expected == "6"));
    // Session 1: the first line by scanning its barcode, four of the second by typing.
    let code = app.store().product(p[0].parse().unwrap()).unwrap().barcodes[0].clone();
    for _ in 0..6 {
        app.receiving_scan(&id, &code).unwrap();
    }
    app.receiving_count(&id, &p[1], "4").unwrap();
    app.finish_receiving_session(&id, finish(false)).unwrap();
    // Session 2: the rest; line 3 one short, line 4 one damaged with a photo.
    app.start_receiving(&id).unwrap();
    app.receiving_count(&id, &p[1], "2").unwrap();
    app.receiving_count(&id, &p[2], "5").unwrap();
    app.receiving_reason(&id, &p[2], Some(ReasonCode::Short), None)
        .unwrap();
    app.receiving_count(&id, &p[3], "6").unwrap();
    app.receiving_damaged(&id, &p[3], "1").unwrap();
    app.receiving_reason(
        &id,
        &p[3],
        Some(ReasonCode::Damaged),
        Some("Cap cracked".into()),
    )
    .unwrap();
    let photo_hash = app.receiving_add_photo(&id, &p[3], &photo()).unwrap().hash;
    app.receive_all_as_expected(&id).unwrap();
    let done = app.finish_receiving_session(&id, finish(true)).unwrap();
    assert!(done.receipt_closed);

    // The station pushes; the hub applies with the same rules and drives Lightspeed.
    let deadline = Instant::now() + Duration::from_secs(60);
    let ls = loop {
        app.nudge_sync();
        let s = app.sync_status().unwrap();
        let found = in_lightspeed(&demo, &reference);
        if s.pending == 0 && s.needs_attention == 0 {
            if let Some(c) = found
                .iter()
                .find(|c| c.status == LsConsignmentStatus::Received)
            {
                break c.clone();
            }
        }
        assert!(
            s.needs_attention == 0,
            "the hub refused a receiving change: {:?}",
            app.store().needs_attention().unwrap()
        );
        assert!(
            Instant::now() < deadline,
            "not received in Lightspeed in time: {s:?} {found:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(in_lightspeed(&demo, &reference).len(), 1, "one consignment");
    let received = |pid: &str| {
        let lsid = app
            .store()
            .product(pid.parse().unwrap())
            .unwrap()
            .lightspeed_id
            .unwrap_or_else(|| pid.to_string());
        ls.lines
            .iter()
            .find(|l| l.product_id == lsid)
            .and_then(|l| l.received)
            .unwrap_or_default()
    };
    let got: Vec<Decimal> = p.iter().map(|x| received(x)).collect();
    let want: Vec<Decimal> = [6, 6, 5, 5, 6].into_iter().map(Decimal::from).collect();
    assert_eq!(got, want, "damaged units are not received into stock");

    // The evidence follows by content hash: the photo and the signature images are at
    // the hub, byte for byte, under their SHA-256.
    let evidence =
        tally_store::EvidenceStore::open(dir.path().join("station").join("evidence")).unwrap();
    let local = evidence.hashes().unwrap();
    assert!(
        local.len() >= 2 && local.iter().any(|h| h.as_str() == photo_hash),
        "the photo and at least one signature are kept here: {local:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    for hash in &local {
        let at_hub = loop {
            if let Some(f) = demo.hub().evidence_file(hash.as_str()) {
                break f;
            }
            assert!(Instant::now() < deadline, "{hash} never reached the hub");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let bytes = std::fs::read(&at_hub).unwrap();
        assert_eq!(bytes, evidence.get(hash).unwrap());
        assert_eq!(tally_store::ContentHash::of(&bytes), *hash);
    }
    sync.stop().await;
    demo.shutdown().await;
}
