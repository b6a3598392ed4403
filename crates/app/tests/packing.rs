//! The packing bench against a real store file, with the MT-SICS scale simulator on a
//! pseudo-terminal and the ZPL printer simulator on loopback (testkit): scanning with its
//! distinct outcomes, boxes and weights, labels, sending, and two benches merging.

use std::path::PathBuf;
use std::time::Duration;

use rust_decimal::Decimal;
use tally_app::packing::{
    CloseWeight, Handover, LineState, PackCommand, PackingView, ScanOutcome, SendInput, ShortLine,
    ShortReason,
};
use tally_app::{App, AppConfig, HubMode};
use tally_devices::config::{PrinterConfig, ScaleConfig, SerialScaleConfig};
use tally_devices::drivers::serial_scale::SerialScaleProtocol;
use tally_devices::serial::SerialSettings;
use tally_devices::StationDeviceConfig;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Gtin, Role};
use tally_store::{
    hash_pin_with_cost, Consignment, ConsignmentLine, Outlet, Product, PulledChanges,
    PulledConsignment, StaffRecord, Store,
};
use tally_testkit::devices::{SerialScaleSim, SimProtocol, ZplPrinterSim};
use time::OffsetDateTime;
use uuid::Uuid;

const PIN: &str = "1234";
/// A valid reference (check digits included) for sequence `seq`.
fn reference(seq: u32) -> String {
    tally_domain::ConsignmentReference::new(ConsignmentKind::OutletTransfer, 2026, 11, seq)
        .unwrap()
        .to_string()
}
/// The destination's name tries to inject ZPL: labels must print it as text.
const DESTINATION: &str = "Wellington ^XZ^XA";

/// The seeded chain: a transfer of 20 lines out of Newmarket, an extra product not on
/// it, and an incoming transfer (not packed here).
struct Chain {
    here: Uuid,
    staff: Uuid,
    transfer: Uuid,
    incoming: Uuid,
    draft: Uuid,
    /// (product id, barcode, expected units, unit grams)
    lines: Vec<(Uuid, String, i64, Option<u32>)>,
    extra: (Uuid, String),
}

fn ean(n: u32) -> String {
    Gtin::with_check_digit(&format!("942123{n:06}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn product(id: Uuid, n: u32, weight: Option<u32>) -> Product {
    Product {
        id,
        sku: format!("SKU-{n:03}"),
        name: format!("Product {n:02}"),
        supplier_id: None,
        supplier_code: None,
        supply_price: None,
        price: None,
        weight_grams: weight,
        dimensions: None,
        active: true,
        deleted: false,
        lightspeed_id: None,
        version: 1,
        barcodes: vec![ean(n)],
    }
}

fn transfer(
    id: Uuid,
    status: ConsignmentStatus,
    from: Uuid,
    to: Uuid,
    reference: &str,
    lines: &[(Uuid, String, i64, Option<u32>)],
) -> PulledConsignment {
    let now = OffsetDateTime::now_utc();
    PulledConsignment {
        consignment: Consignment {
            id,
            kind: ConsignmentKind::OutletTransfer,
            status,
            source_outlet_id: Some(from),
            destination_outlet_id: Some(to),
            supplier_id: None,
            reference: reference.into(),
            lightspeed_id: None,
            version: 1,
            created_by: None,
            created_at: now,
            updated_at: now,
        },
        lines: lines
            .iter()
            .map(|(p, _, q, _)| ConsignmentLine {
                id: Uuid::now_v7(),
                consignment_id: id,
                product_id: *p,
                expected_qty: Decimal::from(*q),
                unit_cost: None,
                deleted: false,
                version: 1,
                created_at: now,
                updated_at: now,
            })
            .collect(),
        boxes: vec![],
    }
}

fn seed_chain() -> (Chain, PulledChanges) {
    let (here, there) = (Uuid::now_v7(), Uuid::now_v7());
    // 20 lines of 1–3 units (40 units); line 20's product has no catalog weight.
    let lines: Vec<(Uuid, String, i64, Option<u32>)> = (1..=20)
        .map(|n| {
            let grams = (n != 20).then_some(100 + 10 * n);
            (Uuid::now_v7(), ean(n), i64::from(n % 3 + 1), grams)
        })
        .collect();
    let extra = (Uuid::now_v7(), ean(99));
    let chain = Chain {
        here,
        staff: Uuid::now_v7(),
        transfer: Uuid::now_v7(),
        incoming: Uuid::now_v7(),
        draft: Uuid::now_v7(),
        lines: lines.clone(),
        extra: extra.clone(),
    };
    let mut products: Vec<Product> = lines
        .iter()
        .zip(1..)
        .map(|((id, _, _, g), n)| product(*id, n, *g))
        .collect();
    products.push(product(extra.0, 99, Some(250)));
    let outlet = |id, name: &str| Outlet {
        id,
        name: name.into(),
        code: None,
        lightspeed_id: None,
        active: true,
        version: 1,
    };
    let changes = PulledChanges {
        outlets: vec![outlet(here, "Newmarket"), outlet(there, DESTINATION)],
        products,
        staff: vec![StaffRecord {
            id: chain.staff,
            outlet_id: Some(here),
            name: "Aroha Ngata".into(),
            role: Role::Staff,
            pin_hash: Some(hash_pin_with_cost(PIN, (64, 1)).unwrap()),
            active: true,
            version: 1,
        }],
        consignments: vec![
            transfer(
                chain.transfer,
                ConsignmentStatus::Packing,
                here,
                there,
                &reference(42),
                &lines,
            ),
            transfer(
                chain.incoming,
                ConsignmentStatus::Sent,
                there,
                here,
                &reference(43),
                &lines[..2],
            ),
            transfer(
                chain.draft,
                ConsignmentStatus::Draft,
                here,
                there,
                &reference(44),
                &lines[..2],
            ),
        ],
        ..PulledChanges::default()
    };
    (chain, changes)
}

/// One packing bench: its own store file, signed in, optionally with simulated devices.
struct Bench {
    _dir: tempfile::TempDir,
    app: App,
}

impl Bench {
    fn open(changes: &PulledChanges, outlet: Uuid, staff: Uuid) -> Bench {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path().join("tally.sqlite3")).unwrap();
            store.apply_pulled(changes, 1).unwrap();
            store.init_station(Uuid::now_v7(), outlet, "Bench").unwrap();
        }
        let config = AppConfig {
            data_dir: PathBuf::from(dir.path()),
            hub: HubMode::Demo,
            station_name: "Bench".into(),
            outlet: None,
            wedge_max_gap_ms: 35,
            log_filter: "info".into(),
        };
        let app = App::open(config, "http://127.0.0.1:1".into()).unwrap();
        app.sign_in(&staff.to_string(), PIN).unwrap();
        Bench { _dir: dir, app }
    }

    fn data_dir(&self) -> PathBuf {
        self._dir.path().to_path_buf()
    }
}

/// A bench with the scale and label printer simulators attached.
struct Devices {
    scale: SerialScaleSim,
    printer: ZplPrinterSim,
}

fn with_devices(bench: &Bench, scale: bool) -> Devices {
    let sim_scale = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    let printer = ZplPrinterSim::start().unwrap();
    let config = StationDeviceConfig {
        scale: scale.then(|| {
            ScaleConfig::Serial(SerialScaleConfig {
                path: sim_scale.path().to_path_buf(),
                settings: SerialSettings::default(),
                protocol: SerialScaleProtocol::MtSics,
                poll_ms: 50,
            })
        }),
        printers: vec![PrinterConfig::NetworkZpl {
            name: "zebra".into(),
            host: "127.0.0.1".into(),
            port: printer.addr().port(),
        }],
        label_printer: Some("zebra".into()),
        reconnect_ms: 100,
        ..StationDeviceConfig::default()
    };
    bench.app.start_devices(config).unwrap();
    Devices {
        scale: sim_scale,
        printer,
    }
}

fn setup() -> (Chain, PulledChanges, Bench) {
    let (chain, changes) = seed_chain();
    let bench = Bench::open(&changes, chain.here, chain.staff);
    (chain, changes, bench)
}

fn view(bench: &Bench, id: Uuid) -> PackingView {
    bench.app.packing_view(&id.to_string()).unwrap()
}

fn scan(bench: &Bench, id: Uuid, code: &str, qty: Option<u32>) -> ScanOutcome {
    bench.app.scan(&id.to_string(), code, qty).unwrap()
}

fn accepted(o: &ScanOutcome) -> (i32, bool) {
    match o {
        ScanOutcome::Accepted {
            line,
            line_complete,
            ..
        } => (line.packed, *line_complete),
        other => panic!("expected an accepted scan, got {other:?}"),
    }
}

/// Packs line `i` (0-based) in full, one scan per unit.
fn pack_line(bench: &Bench, c: &Chain, i: usize) {
    let (_, code, qty, _) = &c.lines[i];
    for n in 1..=*qty {
        let (packed, complete) = accepted(&scan(bench, c.transfer, code, None));
        assert_eq!(i64::from(packed), n);
        assert_eq!(complete, n == *qty, "line {i} unit {n}");
    }
}

fn expected_box_grams(bench: &Bench, id: Uuid) -> u32 {
    view(bench, id).open_box.unwrap().expected_weight_g
}

fn put_on_scale(d: &Devices, grams: u32) {
    d.scale.set_weight_grams(Decimal::from(grams));
}

fn scale_close(bench: &Bench, id: Uuid) -> tally_app::packing::CloseBoxResult {
    bench
        .app
        .close_box(&id.to_string(), None, CloseWeight::Scale { wait_ms: 2_000 })
        .unwrap()
}

#[test]
fn packing_twenty_lines_into_three_boxes_with_an_unknown_code_an_overpack_and_an_undo() {
    let (c, _, bench) = setup();
    let d = with_devices(&bench, true);
    let id = c.transfer;
    let v = view(&bench, id);
    let total: i64 = c.lines.iter().map(|l| l.2).sum();
    assert_eq!(v.lines.len(), 20);
    assert_eq!(i64::from(v.totals.expected), total);
    assert_eq!(v.next_line_id.as_deref(), Some(v.lines[0].line_id.as_str()));

    // Box 1: lines 1-7, with an unknown barcode in between (nothing recorded).
    bench.app.open_box(&id.to_string(), "BOX-M").unwrap();
    for i in 0..7 {
        pack_line(&bench, &c, i);
    }
    match scan(&bench, id, &ean(777), None) {
        ScanOutcome::Unknown { code, message, .. } => {
            assert_eq!(code, "SCAN_UNKNOWN");
            assert!(message.contains("Search for the product"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let expected = expected_box_grams(&bench, id);
    put_on_scale(&d, expected + 50);
    let closed = scale_close(&bench, id);
    assert!(!closed.check.warn);
    assert!(closed.label.done, "{:?}", closed.label);

    // Box 2: lines 8-14, with an over-pack confirmed and then undone.
    bench.app.open_box(&id.to_string(), "BOX-L").unwrap();
    for i in 7..14 {
        pack_line(&bench, &c, i);
    }
    let code8 = &c.lines[7].1;
    let over = scan(&bench, id, code8, None);
    let ScanOutcome::Overpack {
        code,
        would_be,
        line,
        ..
    } = &over
    else {
        panic!("{over:?}")
    };
    assert_eq!(code, "SCAN_OVERPACK");
    assert_eq!(i64::from(*would_be), c.lines[7].2 + 1);
    assert_eq!(i64::from(line.packed), c.lines[7].2, "nothing recorded yet");
    let confirmed = bench
        .app
        .confirm_overpack(&id.to_string(), code8, None, "customer asked for a spare")
        .unwrap();
    let ScanOutcome::Accepted { line, .. } = &confirmed else {
        panic!("{confirmed:?}")
    };
    assert_eq!(line.state, LineState::Over);
    let undo = bench.app.undo_last_scan(&id.to_string()).unwrap();
    assert_eq!(undo.units, 1);
    assert_eq!(undo.line.unwrap().state, LineState::Complete);
    let expected = expected_box_grams(&bench, id);
    put_on_scale(&d, expected);
    scale_close(&bench, id);

    // Box 3: the rest, scanned with the quantity key.
    bench.app.open_box(&id.to_string(), "BOX-M").unwrap();
    for (_, code, qty, _) in &c.lines[14..] {
        let (packed, complete) = accepted(&scan(&bench, id, code, Some(*qty as u32)));
        assert_eq!(i64::from(packed), *qty);
        assert!(complete);
    }
    let b3 = view(&bench, id).open_box.unwrap();
    assert_eq!(
        b3.guessed_units, c.lines[19].2 as u32,
        "line 20 has no catalog weight"
    );
    put_on_scale(&d, b3.expected_weight_g);
    scale_close(&bench, id);

    let v = view(&bench, id);
    assert_eq!(
        (
            i64::from(v.totals.packed),
            v.totals.remaining,
            v.totals.lines_done
        ),
        (total, 0, 20)
    );
    assert_eq!(v.next_line_id, None);
    assert_eq!(v.boxes.len(), 3);
    assert!(v
        .boxes
        .iter()
        .all(|b| b.closed && b.label_printed && b.weight.is_some()));
    let units: i32 = v.boxes.iter().map(|b| b.units).sum();
    assert_eq!(i64::from(units), total, "every unit is in a box");

    let labels = d.printer.wait_for_jobs(3, Duration::from_secs(3));
    assert_eq!(labels.len(), 3);

    let sent = bench
        .app
        .send(
            &id.to_string(),
            &SendInput {
                short: vec![],
                handover: Handover::InternalDrive,
                driver: Some("Sam".into()),
                local_date: Some("Tue 14 Oct 2025".into()),
            },
        )
        .unwrap();
    assert_eq!(sent.status, ConsignmentStatus::Sent);
    assert!(sent.slip.done, "{:?}", sent.slip);
    assert!(
        sent.slip.file.is_some(),
        "no document printer: the slip is saved as PDF"
    );
    let pdf = std::fs::read(sent.slip.file.unwrap()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn a_box_closes_only_with_a_stable_weight() {
    let (c, _, bench) = setup();
    let d = with_devices(&bench, true);
    let id = c.transfer.to_string();
    pack_line(&bench, &c, 0);
    put_on_scale(&d, 2_300);
    d.scale.set_moving(true);
    std::thread::sleep(Duration::from_millis(150));
    let live = bench.app.live_weight();
    assert!(live.configured && !live.stable, "{live:?}");
    let e = bench
        .app
        .close_box(&id, None, CloseWeight::Scale { wait_ms: 300 })
        .unwrap_err();
    assert_eq!(e.code, "SCALE_NOT_STABLE");
    assert!(
        !view(&bench, c.transfer).open_box.unwrap().closed,
        "still open"
    );

    d.scale.set_moving(false);
    let r = bench
        .app
        .close_box(&id, None, CloseWeight::Scale { wait_ms: 2_000 })
        .unwrap();
    assert!(r.closed.closed);
    match r.closed.weight.unwrap() {
        tally_app::packing::BoxWeight::Scale { grams, scale_id } => {
            assert_eq!(grams, 2_300);
            assert!(scale_id.starts_with("serial:"), "{scale_id}");
        }
        other => panic!("{other:?}"),
    }
    assert!(bench.app.live_weight().stable);
}

#[test]
fn a_box_much_lighter_than_its_contents_warns() {
    let (c, _, bench) = setup();
    let d = with_devices(&bench, true);
    bench
        .app
        .open_box(&c.transfer.to_string(), "BOX-M")
        .unwrap();
    pack_line(&bench, &c, 4);
    let expected = expected_box_grams(&bench, c.transfer);
    assert_eq!(expected, 2_000 + 150 * 3, "carton tare + 3 × 150 g");
    put_on_scale(&d, expected - 400);
    let r = scale_close(&bench, c.transfer);
    let check = r.check;
    assert!(check.warn, "{check:?}");
    assert_eq!(check.difference_g, -400);
    assert_eq!(check.tolerance_g, 245);
    assert!(check.message.contains("lighter"), "{}", check.message);
}

#[test]
fn the_label_reaches_the_printer_with_the_reference_and_names_escaped() {
    let (c, _, bench) = setup();
    let d = with_devices(&bench, true);
    pack_line(&bench, &c, 0);
    put_on_scale(&d, 2_300);
    scale_close(&bench, c.transfer);
    let job = d.printer.wait_for_jobs(1, Duration::from_secs(3));
    let zpl = String::from_utf8(job[0].clone()).unwrap();
    assert!(zpl.contains(&reference(42)), "{zpl}");
    assert!(zpl.contains("^FH"), "data fields are hex-escaped");
    assert!(zpl.contains("Wellington _5EXZ_5EXA"), "{zpl}");
    assert_eq!(zpl.matches("^XZ").count(), 1, "no injected end of format");

    // A reprint sends the same bytes to the same printer.
    let r = bench
        .app
        .reprint_box_label(&c.transfer.to_string(), None)
        .unwrap();
    assert_eq!(r.printer.as_deref(), Some("zebra"));
    let jobs = d.printer.wait_for_jobs(2, Duration::from_secs(3));
    assert_eq!(jobs[0], jobs[1]);
}

#[test]
fn a_bench_without_a_scale_types_the_weight_and_saves_the_label_as_pdf() {
    let (c, _, bench) = setup();
    pack_line(&bench, &c, 0);
    let id = c.transfer.to_string();
    assert_eq!(
        bench
            .app
            .close_box(&id, None, CloseWeight::Scale { wait_ms: 100 })
            .unwrap_err()
            .code,
        "NO_SCALE"
    );
    assert_eq!(
        bench
            .app
            .close_box(&id, None, CloseWeight::Typed { grams: 0 })
            .unwrap_err()
            .code,
        "BAD_TYPED_WEIGHT"
    );
    let r = bench
        .app
        .close_box(&id, None, CloseWeight::Typed { grams: 2_250 })
        .unwrap();
    assert_eq!(
        r.closed.weight,
        Some(tally_app::packing::BoxWeight::Typed { grams: 2_250 })
    );
    let label = r.label;
    let file = PathBuf::from(label.file.expect("saved as a file"));
    assert!(file.starts_with(bench.data_dir().join("labels")));
    assert!(std::fs::read(&file).unwrap().starts_with(b"%PDF"));
}

#[test]
fn a_printed_label_stays_printed_and_reprintable_after_the_hub_sends_the_box_back() {
    let (c, _, bench) = setup();
    let id = c.transfer.to_string();
    pack_line(&bench, &c, 0);
    bench
        .app
        .close_box(&id, None, CloseWeight::Typed { grams: 2_250 })
        .unwrap();
    // The hub knows nothing of labels: its copy of the box has no label columns.
    let hub_copy: Vec<tally_store::Parcel> = bench
        .app
        .store()
        .boxes(c.transfer)
        .unwrap()
        .into_iter()
        .map(|p| tally_store::Parcel {
            label_printed_at: None,
            label_evidence: None,
            ..p
        })
        .collect();
    bench
        .app
        .store()
        .apply_pulled(
            &PulledChanges {
                consignments: vec![PulledConsignment {
                    consignment: bench.app.store().consignment(c.transfer).unwrap(),
                    lines: vec![],
                    boxes: hub_copy,
                }],
                ..PulledChanges::default()
            },
            2,
        )
        .unwrap();
    let b = &view(&bench, c.transfer).boxes[0];
    assert!(b.label_printed && b.here, "{b:?}");
    let again = bench.app.reprint_box_label(&id, None).unwrap();
    assert!(again.done && again.file.is_some(), "{again:?}");
}

#[test]
fn a_typed_weight_is_refused_while_a_working_scale_is_connected() {
    let (c, _, bench) = setup();
    let _d = with_devices(&bench, true);
    pack_line(&bench, &c, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while !bench.app.live_weight().connected && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let e = bench
        .app
        .close_box(
            &c.transfer.to_string(),
            None,
            CloseWeight::Typed { grams: 900 },
        )
        .unwrap_err();
    assert_eq!(e.code, "TYPED_WEIGHT_WITH_SCALE");
}

fn send_input(short: Vec<ShortLine>) -> SendInput {
    SendInput {
        short,
        handover: Handover::Pickup,
        driver: None,
        local_date: None,
    }
}

#[test]
fn sending_with_an_unpacked_line_is_refused_unless_it_is_sent_short_with_a_reason() {
    let (c, _, bench) = setup();
    let id = c.transfer.to_string();
    for i in 0..19 {
        pack_line(&bench, &c, i);
    }
    bench
        .app
        .close_box(&id, None, CloseWeight::Typed { grams: 9_000 })
        .unwrap();
    let check = bench.app.send_check(&id).unwrap();
    assert_eq!(check.short_lines.len(), 1);
    assert_eq!(check.short_lines[0].product_id, c.lines[19].0.to_string());

    let e = bench.app.send(&id, &send_input(vec![])).unwrap_err();
    assert_eq!(e.code, "SHORT_WITHOUT_REASON");
    assert!(e.message.contains("SKU-020"), "{}", e.message);
    let other_without_note = ShortLine {
        product_id: c.lines[19].0.to_string(),
        reason: ShortReason::Other,
        note: None,
    };
    assert_eq!(
        bench
            .app
            .send(&id, &send_input(vec![other_without_note]))
            .unwrap_err()
            .code,
        "REASON_REQUIRED"
    );
    assert_eq!(
        view(&bench, c.transfer).status,
        ConsignmentStatus::Packing,
        "nothing written"
    );

    let sent = bench
        .app
        .send(
            &id,
            &send_input(vec![ShortLine {
                product_id: c.lines[19].0.to_string(),
                reason: ShortReason::OutOfStock,
                note: None,
            }]),
        )
        .unwrap();
    assert_eq!(sent.status, ConsignmentStatus::Sent);
    let kinds: Vec<String> = bench
        .app
        .store()
        .next_pending(10_000)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&tally_app::packing::send::SHORT_SHIPPED.to_string()));
    let short_at = kinds
        .iter()
        .position(|k| k == tally_app::packing::send::SHORT_SHIPPED)
        .unwrap();
    let status_at = kinds
        .iter()
        .rposition(|k| k == "consignment.status_set")
        .unwrap();
    assert!(
        short_at < status_at,
        "the hub learns the reason before the status"
    );
}

#[test]
fn sending_everything_moves_the_transfer_to_sent_and_queues_the_sync() {
    let (c, _, bench) = setup();
    let id = c.transfer.to_string();
    let before = bench.app.sync_status().unwrap().pending;
    for i in 0..20 {
        pack_line(&bench, &c, i);
    }
    // An open box with goods in it stops the send (the domain's rule).
    let e = bench.app.send(&id, &send_input(vec![])).unwrap_err();
    assert_eq!(e.code, "BOXES_STILL_OPEN");
    bench
        .app
        .close_box(&id, None, CloseWeight::Typed { grams: 8_000 })
        .unwrap();
    // "New box" only chooses the container: no empty box is left to block the send.
    bench.app.open_box(&id, "NZP-SATCHEL-S").unwrap();
    let sent = bench.app.send(&id, &send_input(vec![])).unwrap();
    assert_eq!(view(&bench, c.transfer).boxes.len(), 1);
    assert_eq!(sent.status, ConsignmentStatus::Sent);
    assert!(sent.pending_sync > before);
    let statuses: Vec<ConsignmentStatus> = bench
        .app
        .store()
        .next_pending(10_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "consignment.status_set")
        .map(|e| {
            serde_json::from_value::<Consignment>(e.payload)
                .unwrap()
                .status
        })
        .collect();
    assert_eq!(
        statuses,
        [ConsignmentStatus::Packed, ConsignmentStatus::Sent]
    );
    let v = view(&bench, c.transfer);
    assert!(!v.can_pack);
    assert!(v.boxes.iter().all(|b| b.closed));
    assert_eq!(
        bench.app.scan(&id, &c.lines[0].1, None).unwrap_err().code,
        "NOT_PACKING"
    );
}

#[test]
fn a_carrier_handover_stays_packed_until_booked() {
    let (c, _, bench) = setup();
    let id = c.transfer.to_string();
    pack_line(&bench, &c, 0);
    bench
        .app
        .close_box(&id, None, CloseWeight::Typed { grams: 2_200 })
        .unwrap();
    let short: Vec<ShortLine> = c.lines[1..]
        .iter()
        .map(|l| ShortLine {
            product_id: l.0.to_string(),
            reason: ShortReason::HeldBack,
            note: None,
        })
        .collect();
    let r = bench
        .app
        .send(
            &id,
            &SendInput {
                short,
                handover: Handover::Carrier,
                driver: None,
                local_date: None,
            },
        )
        .unwrap();
    assert_eq!(r.status, ConsignmentStatus::Packed);
}

#[test]
fn two_benches_packing_one_transfer_merge_their_scans() {
    let (c, changes, a) = setup();
    let b = Bench::open(&changes, c.here, c.staff);
    let id = c.transfer;
    let (_, code, qty, _) = &c.lines[1];
    assert_eq!(*qty, 3);
    accepted(&scan(&b, id, code, Some(2)));
    // Bench B's box and events reach bench A through the hub (events pulled as deltas).
    a.app
        .store()
        .apply_pulled(
            &PulledChanges {
                consignments: vec![PulledConsignment {
                    consignment: a.app.store().consignment(id).unwrap(),
                    lines: vec![],
                    boxes: b.app.store().boxes(id).unwrap(),
                }],
                scan_events: b.app.store().scan_events(id).unwrap(),
                ..PulledChanges::default()
            },
            2,
        )
        .unwrap();
    let v = view(&a, id);
    assert_eq!(v.boxes.len(), 1);
    assert!(!v.boxes[0].here, "B's box");
    assert!(v.open_box.is_none(), "A does not scan into B's box");
    // A's scan opens A's own box and adds to B's count.
    let (packed, complete) = accepted(&scan(&a, id, code, None));
    assert_eq!((packed, complete), (3, true));
    let v = view(&a, id);
    assert_eq!(v.boxes.len(), 2);
    let mine = v.open_box.unwrap();
    assert!(mine.here);
    assert_eq!((mine.number, mine.units), (2, 1));
    // A's next scan of it is an over-pack: the merged count is what counts.
    assert!(matches!(
        scan(&a, id, code, None),
        ScanOutcome::Overpack { .. }
    ));
    // Undo on A takes back A's own scan only.
    let undo = a.app.undo_last_scan(&id.to_string()).unwrap();
    assert_eq!(undo.units, 1);
    assert_eq!(undo.line.unwrap().packed, 2);
    assert_eq!(
        a.app.undo_last_scan(&id.to_string()).unwrap_err().code,
        "NOTHING_TO_UNDO",
        "bench B's scans are not A's to undo"
    );
    // Sending waits for B's open box: an open box cannot travel.
    assert_eq!(
        a.app.send_check(&id.to_string()).unwrap().open_boxes.len(),
        2
    );
}

#[test]
fn a_new_box_waits_for_the_open_one_to_be_closed_and_gets_the_chosen_container() {
    let (c, _, bench) = setup();
    let id = c.transfer.to_string();
    bench.app.open_box(&id, "NZP-SATCHEL-M").unwrap();
    assert!(
        view(&bench, c.transfer).boxes.is_empty(),
        "no box until the first scan"
    );
    assert_eq!(
        view(&bench, c.transfer).next_container.code,
        "NZP-SATCHEL-M"
    );
    pack_line(&bench, &c, 0);
    let open = view(&bench, c.transfer).open_box.unwrap();
    assert_eq!(open.container, "NZP-SATCHEL-M");
    assert_eq!(
        bench.app.open_box(&id, "BOX-L").unwrap_err().code,
        "BOX_STILL_OPEN"
    );
    assert_eq!(
        bench.app.open_box(&id, "NOPE").unwrap_err().code,
        "UNKNOWN_CONTAINER"
    );
    bench
        .app
        .close_box(&id, None, CloseWeight::Typed { grams: 600 })
        .unwrap();
    bench.app.open_box(&id, "BOX-L").unwrap();
    pack_line(&bench, &c, 1);
    let v = view(&bench, c.transfer);
    assert_eq!(v.open_box.unwrap().container, "BOX-L");
    assert_eq!(
        v.next_container.code, "BOX-L",
        "the last size is offered again"
    );
}

#[test]
fn a_product_not_on_the_consignment_is_refused_then_added_with_a_reason() {
    let (c, _, bench) = setup();
    let id = c.transfer.to_string();
    let o = scan(&bench, c.transfer, &c.extra.1, None);
    let ScanOutcome::NotOnConsignment { code, product, .. } = &o else {
        panic!("{o:?}")
    };
    assert_eq!(code, "SCAN_NOT_ON_CONSIGNMENT");
    assert_eq!(
        view(&bench, c.transfer).lines.len(),
        20,
        "nothing added yet"
    );
    assert_eq!(
        bench
            .app
            .add_to_consignment(&id, &product.product_id, &c.extra.1, None, "")
            .unwrap_err()
            .code,
        "REASON_REQUIRED"
    );
    let added = bench
        .app
        .add_to_consignment(
            &id,
            &product.product_id,
            &c.extra.1,
            None,
            "store manager asked",
        )
        .unwrap();
    let (packed, complete) = accepted(&added);
    assert_eq!((packed, complete), (1, true));
    let v = view(&bench, c.transfer);
    assert_eq!(v.lines.len(), 21);
    assert_eq!(
        bench
            .app
            .add_to_consignment(&id, &product.product_id, &c.extra.1, None, "again please")
            .unwrap_err()
            .code,
        "ALREADY_ON_CONSIGNMENT"
    );
}

#[test]
fn an_unknown_barcode_can_be_packed_by_searching_for_the_product() {
    let (c, _, bench) = setup();
    let id = c.transfer.to_string();
    assert!(matches!(
        scan(&bench, c.transfer, "NOSUCHCODE", None),
        ScanOutcome::Unknown { .. }
    ));
    let found = bench.app.search_products("Product 04").unwrap();
    let p = found
        .iter()
        .find(|p| p.sku == "SKU-004")
        .expect("search finds it by name");
    let o = bench
        .app
        .pack_product(&id, &p.product_id, Some("NOSUCHCODE"), None)
        .unwrap();
    assert_eq!(accepted(&o).0, 1);
    let ev = bench.app.store().scan_events(c.transfer).unwrap();
    assert_eq!(
        ev.last().unwrap().raw_code,
        "NOSUCHCODE",
        "what was scanned is kept"
    );
}

#[test]
fn a_gs1_count_and_the_quantity_key_multiply() {
    let (c, _, bench) = setup();
    // Line 2 expects 3 units: GS1 (01) GTIN with (37) count 3.
    assert_eq!(c.lines[1].2, 3);
    let gtin14 = format!("0{}", c.lines[1].1);
    let gs1 = format!("]C101{gtin14}373");
    let (packed, complete) = accepted(&scan(&bench, c.transfer, &gs1, None));
    assert_eq!((packed, complete), (3, true));
    // Line 5 expects 3: quantity key 3 on a plain EAN with an AIM prefix.
    assert_eq!(c.lines[4].2, 3);
    let (packed, _) = accepted(&scan(
        &bench,
        c.transfer,
        &format!("]E0{}", c.lines[4].1),
        Some(3),
    ));
    assert_eq!(packed, 3);
    assert_eq!(
        bench
            .app
            .scan(&c.transfer.to_string(), &c.lines[0].1, Some(0))
            .unwrap_err()
            .code,
        "BAD_QUANTITY"
    );
}

#[test]
fn unreadable_and_non_product_codes_are_rejected_without_writing() {
    let (c, _, bench) = setup();
    let bad_check = {
        let mut s = c.lines[0].1.clone();
        let last = s.pop().unwrap().to_digit(10).unwrap();
        s.push(char::from_digit((last + 1) % 10, 10).unwrap());
        s
    };
    match scan(&bench, c.transfer, &format!("]E0{bad_check}"), None) {
        ScanOutcome::Rejected { code, .. } => assert_eq!(code, "BAD_CHECK_DIGIT"),
        other => panic!("{other:?}"),
    }
    match scan(&bench, c.transfer, &reference(42), None) {
        ScanOutcome::Rejected { code, .. } => assert_eq!(code, "SCAN_NOT_A_PRODUCT"),
        other => panic!("{other:?}"),
    }
    assert!(bench
        .app
        .store()
        .scan_events(c.transfer)
        .unwrap()
        .is_empty());
}

#[test]
fn command_barcodes_come_back_as_commands() {
    let (c, _, bench) = setup();
    for (raw, cmd) in [
        ("*CLOSE-BOX*", PackCommand::CloseBox),
        ("]C0*UNDO*", PackCommand::Undo),
        ("*NEW-BOX*\r\n", PackCommand::NewBox),
    ] {
        assert_eq!(
            scan(&bench, c.transfer, raw, None),
            ScanOutcome::Command { command: cmd }
        );
    }
    assert_eq!(view(&bench, c.transfer).commands.len(), 6);
}

#[test]
fn the_first_scan_into_a_draft_starts_packing_and_opens_a_box() {
    let (c, _, bench) = setup();
    let suggested = view(&bench, c.draft).suggestion.unwrap().containers[0]
        .code
        .clone();
    let o = scan(&bench, c.draft, &c.lines[0].1, None);
    let ScanOutcome::Accepted {
        packing_started,
        box_opened,
        box_number,
        ..
    } = &o
    else {
        panic!("{o:?}")
    };
    assert!(*packing_started);
    // A few light units: the cheaper satchel the suggestion names, not a carton.
    assert_eq!(box_opened.as_ref().unwrap().container, suggested);
    assert_eq!(suggested, "NZP-SATCHEL-M");
    assert_eq!(*box_number, 1);
    assert_eq!(view(&bench, c.draft).status, ConsignmentStatus::Packing);
}

#[test]
fn an_undo_into_a_closed_box_is_refused() {
    let (c, _, bench) = setup();
    let id = c.transfer.to_string();
    pack_line(&bench, &c, 0);
    bench
        .app
        .close_box(&id, None, CloseWeight::Typed { grams: 2_200 })
        .unwrap();
    assert_eq!(
        bench.app.undo_last_scan(&id).unwrap_err().code,
        "UNDO_BOX_CLOSED"
    );
}

#[test]
fn an_incoming_transfer_is_not_packed_here_and_packing_needs_a_sign_in() {
    let (c, _, bench) = setup();
    assert_eq!(
        bench
            .app
            .packing_view(&c.incoming.to_string())
            .unwrap_err()
            .code,
        "NOT_PACKED_HERE"
    );
    bench.app.sign_out().unwrap();
    assert_eq!(
        bench
            .app
            .scan(&c.transfer.to_string(), &c.lines[0].1, None)
            .unwrap_err()
            .code,
        "NOT_SIGNED_IN"
    );
}

#[test]
fn every_acknowledged_scan_is_in_the_store_file_after_reopening() {
    let (c, _, bench) = setup();
    for i in 0..3 {
        pack_line(&bench, &c, i);
    }
    let dir = bench.data_dir();
    let packed = view(&bench, c.transfer).totals.packed;
    drop(bench.app);
    let store = Store::open(dir.join("tally.sqlite3")).unwrap();
    let sum: i64 = store
        .scan_events(c.transfer)
        .unwrap()
        .iter()
        .map(|e| e.delta)
        .sum();
    assert_eq!(sum, i64::from(packed));
}

#[test]
fn the_cheapest_safe_boxes_are_suggested_for_what_is_left_and_the_first_is_preselected() {
    let (c, _, bench) = setup();
    let id = c.transfer;
    let v = view(&bench, id);
    let s = v.suggestion.expect("a suggestion for 40 units");
    assert!(!s.containers.is_empty());
    let codes: Vec<&str> = v.containers.iter().map(|x| x.code.as_str()).collect();
    for b in &s.containers {
        assert!(
            codes.contains(&b.code.as_str()),
            "{} is in the picker",
            b.code
        );
    }
    let units: i64 = s.containers.iter().map(|b| i64::from(b.units)).sum();
    assert_eq!(
        units,
        c.lines.iter().map(|l| l.2).sum::<i64>(),
        "every unit placed"
    );
    assert!(s.summary.contains("cheapest"), "{}", s.summary);
    assert_eq!(s.guessed_weights, 1, "line 20 has no catalog weight");
    assert!(s.expected_cost_excl_gst.parse::<Decimal>().unwrap() > Decimal::ZERO);
    // The first box gets the first suggested container unless the packer picks another.
    assert_eq!(v.next_container.code, s.containers[0].code);
    let first_scan = c.lines[1].1.clone();
    accepted(&scan(&bench, id, &first_scan, None));
    assert_eq!(
        view(&bench, id).open_box.unwrap().container,
        s.containers[0].code,
        "a scan with no box open opens the suggested one"
    );

    // Once some is packed, the suggestion covers only what is left.
    let left = view(&bench, id).suggestion.unwrap();
    let left_units: i64 = left.containers.iter().map(|b| i64::from(b.units)).sum();
    assert_eq!(left_units, units - 1);
}
