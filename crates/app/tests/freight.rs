//! Freight in the packing flow through the embedded demo (fake Lightspeed, hub, both
//! fake carriers on loopback): quotes from both carriers side by side, the cheaper
//! overnight service booked once however often Book is pressed, the tracking numbers
//! at the receiving outlet after sync, and "book when back online" done by the sync
//! loop after the link returns. A supplier return goes the same way to a RETURN
//! consignment at Lightspeed.

mod support;

use std::time::Duration;

use support::DemoStation;
use tally_app::freight::DeliveryChoice;
use tally_app::packing::{CloseWeight, Handover, SendInput};
use tally_domain::Role;
use uuid::Uuid;

async fn until(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..750 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Packs the demo's small transfer into boxes of the given typed weights (kg), its
/// lines shared out between the boxes in turn; returns its id.
fn pack(s: &DemoStation, box_kgs: &[u32]) -> String {
    let app = &s.app;
    let reference = s.demo.seeded.small_transfer.clone().unwrap();
    let row = s.open_row(&reference);
    let id = row.id;
    let lines = app.packing_view(&id).unwrap().lines;
    assert!(lines.len() >= box_kgs.len());
    for (i, kg) in box_kgs.iter().enumerate() {
        app.open_box(&id, "BOX-L").unwrap();
        for line in lines.iter().skip(i).step_by(box_kgs.len()) {
            app.scan(&id, &line.sku, Some(line.expected as u32))
                .unwrap();
        }
        app.close_box(&id, None, CloseWeight::Typed { grams: kg * 1000 })
            .unwrap();
    }
    id
}

/// Sends a packed consignment (picked up, nothing short), syncs, and starts a
/// receiving station in `dir` at its destination outlet with a staff member of that
/// outlet signed in; hands back the receiving station and its sync loop.
async fn send_and_receive(
    s: &DemoStation,
    id: &str,
    dir: &std::path::Path,
) -> (std::sync::Arc<tally_app::App>, tally_app::sync::SyncHandle) {
    let app = &s.app;
    app.send(
        id,
        &SendInput {
            short: vec![],
            handover: Handover::Pickup,
            driver: None,
            local_date: None,
        },
    )
    .unwrap();
    app.sync_now().unwrap();
    let destination = app
        .store()
        .consignment(Uuid::parse_str(id).unwrap())
        .unwrap()
        .destination_outlet_id
        .unwrap()
        .to_string();
    let (receiver, rsync) = s.station_at(&destination, "Receiving", dir).await;
    let staff = s
        .demo
        .staff
        .iter()
        .find(|m| m.outlet_id.as_deref() == Some(destination.as_str()))
        .unwrap();
    receiver.sign_in(&staff.id, &staff.pin).unwrap();
    (receiver, rsync)
}

/// Waits until `receiver`, syncing, lists consignment `id` among its incoming tracking
/// with `booked`'s tracking numbers (and in `state`, when given).
async fn until_tracked(
    receiver: &tally_app::App,
    what: &str,
    id: &str,
    booked: &tally_app::freight::FreightBookingView,
    state: Option<&str>,
) {
    until(what, || {
        let _ = receiver.sync_now();
        receiver.incoming_tracking().unwrap().iter().any(|t| {
            t.consignment_id == id
                && (state.is_none() || t.state.as_deref() == state)
                && t.tracking_numbers == booked.tracking_numbers
        })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cheaper_carrier_is_booked_once_and_its_tracking_reaches_the_receiving_outlet() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    // Heavy boxes: NZ Couriers (through GoSweetSpot) undercuts NZ Post overnight.
    let id = pack(&s, &[14, 11]);

    let q = app.freight_quotes(&id, Default::default()).await.unwrap();
    let carriers: std::collections::BTreeSet<&str> =
        q.rows.iter().map(|r| r.carrier.as_str()).collect();
    assert_eq!(
        carriers,
        ["go_sweet_spot", "nz_post"].into(),
        "quotes from both fake carriers: {:?}",
        q.failures
    );
    assert_eq!(q.required_level, "overnight");
    let pick = &q.rows[q.preselected.expect("a row is preselected") as usize];
    assert!(pick.cheapest && pick.meets_required_level);
    let cheapest_overnight = q
        .rows
        .iter()
        .filter(|r| r.meets_required_level)
        .map(|r| r.price_incl_gst.parse::<rust_decimal::Decimal>().unwrap())
        .min()
        .unwrap();
    assert_eq!(
        pick.price_incl_gst
            .parse::<rust_decimal::Decimal>()
            .unwrap(),
        cheapest_overnight
    );
    assert_eq!(pick.carrier, "go_sweet_spot");
    assert_eq!(pick.boxes.len(), 2);
    assert!(
        !q.all_weights_measured && q.typed_boxes == vec![1, 2],
        "typed weights are flagged"
    );

    // Every row says when it arrives, whether it is rural, and what weight is charged.
    for r in &q.rows {
        assert!(
            r.delivery_estimate
                .as_deref()
                .is_some_and(|d| !d.is_empty()),
            "{} {} has a delivery estimate",
            r.carrier,
            r.service
        );
        assert!(!r.rural, "the demo's destination is urban: {}", r.service);
        let (charged, dead): (rust_decimal::Decimal, rust_decimal::Decimal) =
            (r.chargeable_kg.parse().unwrap(), r.dead_kg.parse().unwrap());
        assert!(charged >= dead, "charged {charged} kg < dead {dead} kg");
    }

    let booked = app.book_freight(&id, &pick.key).await.unwrap();
    assert_eq!(booked.state, "booked");
    assert_eq!(booked.tracking_numbers.len(), 2);
    assert!(!booked.already_booked);
    assert!(!booked.label_files.is_empty(), "the label PDF is kept");
    let pdf = std::fs::read(&booked.label_files[0]).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // ... and kept as evidence by content hash, referred to by the booking.
    let refs = app
        .store()
        .evidence_of("freight_booking", Uuid::parse_str(&id).unwrap())
        .unwrap();
    assert!(
        refs.iter().any(|(kind, hash)| kind == "label_pdf"
            && *hash == tally_store::ContentHash::of(&pdf).as_str()),
        "{refs:?}"
    );

    // Pressing Book again (a lost answer, an impatient packer) books nothing new.
    let again = app.book_freight(&id, &pick.key).await.unwrap();
    assert!(again.already_booked);
    assert_eq!(again.tracking_numbers, booked.tracking_numbers);
    let carriers = s.demo.carriers();
    assert_eq!(
        carriers.gosweetspot.state.shipments().len(),
        1,
        "booked exactly once"
    );
    assert!(carriers.nzpost.state.consignments().is_empty());

    // The boxes carry the tracking numbers; the consignment's record too.
    let cid = Uuid::parse_str(&id).unwrap();
    let mut on_boxes: Vec<String> = app
        .store()
        .boxes(cid)
        .unwrap()
        .into_iter()
        .filter_map(|b| b.tracking_number)
        .collect();
    on_boxes.sort();
    let mut expected = booked.tracking_numbers.clone();
    expected.sort();
    assert_eq!(on_boxes, expected);
    assert_eq!(app.freight_status(&id).unwrap().unwrap().state, "booked");

    // Sent, synced: the receiving outlet's incoming list shows the tracking numbers.
    let dir = tempfile::tempdir().unwrap();
    let (receiver, rsync) = send_and_receive(&s, &id, dir.path()).await;
    until_tracked(
        &receiver,
        "tracking numbers at the receiving outlet",
        &id,
        &booked,
        None,
    )
    .await;
    rsync.stop().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_booking_waits_and_the_sync_loop_books_it_when_the_hub_is_back() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    s.demo.set_station_online(false);
    // Packing and weighing work offline.
    let id = pack(&s, &[3]);
    let e = app
        .freight_quotes(&id, Default::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, "HUB_UNREACHABLE");
    assert!(e.message.contains("book when back online"), "{}", e.message);
    let waiting = app
        .book_freight_when_online(&id, Default::default())
        .unwrap();
    assert_eq!(waiting.state, "waiting");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let carriers = s.demo.carriers();
    assert!(
        carriers.nzpost.state.consignments().is_empty()
            && carriers.gosweetspot.state.shipments().is_empty()
    );

    s.demo.set_station_online(true);
    app.sync_now().unwrap();
    until("the waiting booking made", || {
        app.freight_status(&id)
            .unwrap()
            .is_some_and(|b| b.state == "booked")
    })
    .await;
    let b = app.freight_status(&id).unwrap().unwrap();
    assert_eq!(b.tracking_numbers.len(), 1);
    let booked_count = || {
        carriers.nzpost.state.consignments().len() + carriers.gosweetspot.state.shipments().len()
    };
    assert_eq!(booked_count(), 1);
    // Further cycles book nothing more.
    app.sync_now().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(booked_count(), 1);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_wait_until_every_box_is_closed_and_weighed() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let reference = s.demo.seeded.small_transfer.clone().unwrap();
    let id = s.open_row(&reference).id;
    assert_eq!(
        app.freight_quotes(&id, Default::default())
            .await
            .unwrap_err()
            .code,
        "FREIGHT_NO_BOXES"
    );
    app.open_box(&id, "BOX-M").unwrap();
    let line = app.packing_view(&id).unwrap().lines.remove(0);
    app.scan(&id, &line.sku, Some(1)).unwrap();
    assert_eq!(
        app.freight_quotes(&id, Default::default())
            .await
            .unwrap_err()
            .code,
        "FREIGHT_BOX_OPEN"
    );
    assert_eq!(
        app.book_freight(&id, "nz_post/CPOLP")
            .await
            .unwrap_err()
            .code,
        "FREIGHT_BOX_OPEN"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_options_change_the_prices_and_are_booked_as_quoted() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let id = pack(&s, &[14, 11]);
    let plain = app.freight_quotes(&id, Default::default()).await.unwrap();
    assert_eq!(plain.options, DeliveryChoice::default());
    let signed = DeliveryChoice {
        signature_required: true,
        ..Default::default()
    };
    let q = app.freight_quotes(&id, signed).await.unwrap();
    assert_eq!(q.options, signed, "the prices say what they include");
    let price = |q: &tally_app::freight::FreightQuotes, key: &str| {
        q.rows
            .iter()
            .find(|r| r.key == key)
            .map(|r| r.price_excl_gst.parse::<rust_decimal::Decimal>().unwrap())
    };
    let dearer = q
        .rows
        .iter()
        .filter(|r| price(&plain, &r.key).is_some_and(|p| price(&q, &r.key).unwrap() > p))
        .count();
    assert!(
        dearer > 0,
        "a signature costs extra with at least one carrier"
    );
    for r in &q.rows {
        if let Some(p) = price(&plain, &r.key) {
            assert!(price(&q, &r.key).unwrap() >= p, "{} got cheaper", r.key);
        }
    }
    // Booked with the options of the prices shown.
    let pick = &q.rows[q.preselected.unwrap() as usize];
    let booked = app.book_freight(&id, &pick.key).await.unwrap();
    assert_eq!(booked.state, "booked");
    assert_eq!(
        booked
            .price_excl_gst
            .as_deref()
            .map(|p| p.parse::<rust_decimal::Decimal>().unwrap()),
        Some(pick.price_excl_gst.parse().unwrap())
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_return_is_packed_sent_and_reaches_lightspeed_as_a_return() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let reference = s.demo.seeded.draft_return.clone().unwrap();
    let id = s.open_row(&reference).id;
    let lines = app.packing_view(&id).unwrap().lines;
    assert!(!lines.is_empty());
    app.open_box(&id, "BOX-M").unwrap();
    for line in &lines {
        app.scan(&id, &line.sku, Some(line.expected as u32))
            .unwrap();
    }
    app.close_box(&id, None, CloseWeight::Typed { grams: 3_200 })
        .unwrap();
    let sent = app
        .send(
            &id,
            &SendInput {
                short: vec![],
                handover: Handover::DepotDrop,
                driver: None,
                local_date: None,
            },
        )
        .unwrap();
    assert_eq!(sent.status, tally_domain::ConsignmentStatus::Sent);
    app.sync_now().unwrap();

    // At Lightspeed: one RETURN consignment, sent, with what was packed.
    let mut found = None;
    for _ in 0..500 {
        let at_ls: Vec<_> = s
            .demo
            .lightspeed()
            .consignments()
            .into_iter()
            .filter(|c| c.name.as_deref() == Some(reference.as_str()) && !c.deleted)
            .collect();
        assert!(at_ls.len() <= 1, "one return at Lightspeed: {at_ls:?}");
        if let Some(c) = at_ls
            .into_iter()
            .find(|c| c.status == tally_domain::LsConsignmentStatus::Sent)
        {
            found = Some(c);
            break;
        }
        app.nudge_sync();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let c = found.expect("the return reached Lightspeed as SENT");
    assert_eq!(c.kind, tally_domain::LsConsignmentType::Return);
    let packed: rust_decimal::Decimal = lines
        .iter()
        .map(|l| rust_decimal::Decimal::from(l.expected))
        .sum();
    let at_ls: rust_decimal::Decimal = c.lines.iter().map(|l| l.count).sum();
    assert_eq!(at_ls, packed, "Lightspeed has what was packed");
    s.stop().await;
}

/// Where a booking is at whichever fake carrier made it.
fn stage_of(s: &DemoStation, booking_id: &str) -> tally_testkit::carriers::Stage {
    let c = s.demo.carriers();
    c.nzpost
        .state
        .consignments()
        .into_iter()
        .find(|x| x.consignment_id == booking_id)
        .map(|x| x.stage)
        .or_else(|| {
            c.gosweetspot
                .state
                .shipments()
                .into_iter()
                .find(|x| x.connote == booking_id)
                .map(|x| x.stage)
        })
        .expect("a fake carrier has the booking")
}

/// Moves a booking along at whichever fake carrier made it.
fn advance(s: &DemoStation, booking_id: &str) {
    let c = s.demo.carriers();
    if c.nzpost.state.advance(booking_id).is_none() {
        c.gosweetspot.state.advance(booking_id).unwrap();
    }
}

/// Bookings made at both fake carriers.
fn bookings_made(s: &DemoStation) -> usize {
    let c = s.demo.carriers();
    c.nzpost.state.consignments().len() + c.gosweetspot.state.shipments().len()
}

/// Quotes a packed consignment and books the preselected row.
async fn quote_and_book(s: &DemoStation, id: &str) -> tally_app::freight::FreightBookingView {
    let q = s.app.freight_quotes(id, Default::default()).await.unwrap();
    let pick = &q.rows[q.preselected.unwrap() as usize];
    s.app.book_freight(id, &pick.key).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_label_is_audited_the_boxes_book_again_and_both_outlets_see_the_tracking() {
    use tally_testkit::carriers::Stage;
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let id = pack(&s, &[3]);
    let first = quote_and_book(&s, &id).await;
    let old = first.booking_id.clone().unwrap();
    assert_eq!(bookings_made(&s), 1);

    let e = app.cancel_freight(&id, " ").await.unwrap_err();
    assert_eq!(e.code, "FREIGHT_CANCEL_REASON_MISSING");
    let done = app
        .cancel_freight(&id, "wrong service picked")
        .await
        .unwrap();
    assert_eq!(done.state, "cancelled", "{}", done.message);
    assert_eq!(done.booking_id, old);
    assert!(
        done.message.contains("nothing is charged"),
        "{}",
        done.message
    );
    assert_eq!(stage_of(&s, &old), Stage::Cancelled);
    assert!(
        app.freight_status(&id).unwrap().is_none(),
        "the consignment can be booked again"
    );
    let actions: Vec<String> = app
        .store()
        .audit_entries_for("consignment", &id)
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert!(
        actions.contains(&"freight.cancel_requested".to_owned())
            && actions.contains(&"freight.cancelled".to_owned()),
        "{actions:?}"
    );
    let e = app.cancel_freight(&id, "again").await.unwrap_err();
    assert_eq!(
        e.code, "BAD_INPUT",
        "nothing booked to cancel: {}",
        e.message
    );

    // The same boxes book again: a new booking; the hub's ledger keeps the old one.
    let second = quote_and_book(&s, &id).await;
    assert_eq!(second.state, "booked");
    assert!(!second.already_booked);
    let new = second.booking_id.clone().unwrap();
    assert_ne!(new, old);
    assert_eq!(bookings_made(&s), 2);
    let ledger = s
        .demo
        .hub()
        .freight()
        .unwrap()
        .ledger()
        .for_consignment(&id)
        .unwrap();
    assert_eq!(ledger.len(), 2);
    assert!(ledger[0].record.cancelled && !ledger[1].record.cancelled);

    // The carrier picks it up; the hub polls; the sending list shows it in transit.
    advance(&s, &new);
    advance(&s, &new);
    s.demo
        .hub()
        .freight()
        .unwrap()
        .poll_tracking(Duration::ZERO, 50)
        .await;
    until("in transit on the sending outlet's list", || {
        let _ = app.sync_now();
        app.list_open_consignments()
            .unwrap()
            .iter()
            .any(|r| r.id == id && r.freight.as_deref() == Some("in_transit"))
    })
    .await;
    assert_eq!(
        app.freight_status(&id)
            .unwrap()
            .unwrap()
            .tracking_state
            .as_deref(),
        Some("in_transit")
    );

    // Sent: the receiving outlet's incoming list shows where the parcels are.
    let dir = tempfile::tempdir().unwrap();
    let (receiver, rsync) = send_and_receive(&s, &id, dir.path()).await;
    until_tracked(
        &receiver,
        "in transit at the receiving outlet",
        &id,
        &second,
        Some("in_transit"),
    )
    .await;
    rsync.stop().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_a_cancel_waits_blocks_rebooking_and_is_sent_when_the_hub_is_back() {
    use tally_testkit::carriers::Stage;
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let id = pack(&s, &[3]);
    let booked = quote_and_book(&s, &id).await.booking_id.unwrap();
    s.demo.set_station_online(false);
    let waiting = app.cancel_freight(&id, "order cancelled").await.unwrap();
    assert_eq!(waiting.state, "waiting");
    let status = app.freight_status(&id).unwrap().unwrap();
    assert_eq!(status.state, "cancelling");
    assert!(status.note.unwrap().contains("order cancelled"));
    let q_err = app.book_freight(&id, "any").await.unwrap_err();
    assert_eq!(q_err.code, "FREIGHT_CANCEL_PENDING");
    assert_eq!(stage_of(&s, &booked), Stage::Booked);

    s.demo.set_station_online(true);
    app.sync_now().unwrap();
    until("the waiting cancel done", || {
        let _ = app.sync_now();
        app.freight_status(&id).unwrap().is_none()
    })
    .await;
    assert_eq!(stage_of(&s, &booked), Stage::Cancelled);

    // Signed out, nothing can be cancelled.
    app.sign_out().unwrap();
    let e = app.cancel_freight(&id, "x").await.unwrap_err();
    assert_eq!(e.code, "NOT_SIGNED_IN");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_labels_tracking_numbers_leave_the_boxes_at_both_outlets() {
    let s = DemoStation::start().await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let id = pack(&s, &[3, 4]);
    let cid = Uuid::parse_str(&id).unwrap();
    let booked = quote_and_book(&s, &id).await;
    assert_eq!(booked.tracking_numbers.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let (receiver, rsync) = send_and_receive(&s, &id, dir.path()).await;
    until_tracked(
        &receiver,
        "the label's tracking numbers at the receiving outlet",
        &id,
        &booked,
        None,
    )
    .await;

    // Cancelled at the sending station: its boxes lose the numbers at once.
    let done = app
        .cancel_freight(&id, "parcel not collected")
        .await
        .unwrap();
    assert_eq!(done.state, "cancelled", "{}", done.message);
    let numbers = |a: &tally_app::App| -> Vec<String> {
        a.store()
            .boxes(cid)
            .unwrap()
            .into_iter()
            .filter_map(|b| b.tracking_number)
            .collect()
    };
    assert!(
        numbers(app).is_empty(),
        "sender still shows {:?}",
        numbers(app)
    );
    // (The receiving station's own sync loop may already have pulled the cancel, so
    // its boxes are not checked here: they had the numbers above, and lose them below.)
    // The hub's copy of the boxes lost them too (pulls and snapshots carry that).
    let at_hub = s.demo.hub().consignment(cid).await.unwrap().unwrap();
    assert_eq!(at_hub.boxes.len(), 2);
    assert!(
        at_hub.boxes.iter().all(|b| b.tracking_number.is_none()),
        "{:?}",
        at_hub.boxes
    );

    // After a pull the receiving outlet's boxes lose them too (the hub names the
    // cancelled numbers with every pull), and its list shows the cancel, not numbers.
    until("the cancelled numbers gone at the receiving outlet", || {
        let _ = receiver.sync_now();
        numbers(&receiver).is_empty()
    })
    .await;
    assert!(
        !receiver
            .incoming_tracking()
            .unwrap()
            .iter()
            .any(|t| t.consignment_id == id),
        "no live tracking numbers for a cancelled label"
    );
    assert!(receiver
        .list_open_consignments()
        .unwrap()
        .iter()
        .any(|r| r.id == id && r.freight.as_deref() == Some("cancelled")));
    // A later pull of the sender does not bring them back either.
    app.sync_now().unwrap();
    assert!(numbers(app).is_empty());
    rsync.stop().await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_demo_a_booked_label_moves_to_in_transit_and_delivered_on_its_own() {
    use tally_demo::{Courier, DemoOptions};
    // What `./scripts/demo` runs with: the fakes' courier on, the hub polling.
    let defaults = DemoOptions::new("unused");
    assert_eq!(defaults.courier, Some(Courier::demo()));
    assert!((1..=60).contains(&defaults.tracking_poll_secs));
    // The same, faster: nobody advances the fakes or polls by hand here.
    let s = DemoStation::start_with(|o| {
        o.courier = Some(Courier {
            picked_up_after: Duration::from_millis(200),
            in_transit_after: Duration::from_millis(300),
            delivered_after: Duration::from_millis(1200),
        });
        o.tracking_poll_secs = 1;
    })
    .await;
    s.sign_in(Role::Staff);
    let app = &s.app;
    let id = pack(&s, &[3]);
    let booked = quote_and_book(&s, &id).await;
    assert_eq!(booked.state, "booked");
    let state = || {
        let _ = app.sync_now();
        app.list_open_consignments()
            .unwrap()
            .into_iter()
            .find(|r| r.id == id)
            .and_then(|r| r.freight)
    };
    until("in transit on its own", || {
        state().as_deref() == Some("in_transit")
    })
    .await;
    until("delivered on its own", || {
        state().as_deref() == Some("delivered")
    })
    .await;
    s.stop().await;
}
