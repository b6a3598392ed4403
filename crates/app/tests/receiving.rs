//! The receiving station's use cases against a real store file: sessions that add up,
//! counts by scan and by typing, reasons, damage photos, a manager's PIN sign-off,
//! signatures, unexpected items, "receive all", and the printed report.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use rust_decimal::Decimal;
use tally_app::receiving::signature::{SignatureInput, StrokePoint};
use tally_app::receiving::{
    FinishSessionInput, ManagerSignOffInput, ReasonCode, ReceivingLine, ReceivingPolicy,
    ReceivingView, ScanResultKind, SignOffResult,
};
use tally_app::{App, AppConfig, HubMode};
use tally_domain::{
    ConsignmentKind, ConsignmentReference, ConsignmentStatus, Gtin, Role, SignOffMode,
};
use tally_store::{
    hash_pin_with_cost, Consignment, ConsignmentLine, ContentHash, EvidenceStore, Outlet, Product,
    PulledChanges, PulledConsignment, StaffRecord, Store, Supplier,
};
use time::OffsetDateTime;
use uuid::Uuid;

const CHEAP_ARGON: (u32, u32) = (64, 1);

/// Products on the demo order: (sku, name, expected, unit cost).
const LINES: [(&str, &str, i64, i64); 3] = [
    ("VAPE-001", "Mango Ice 50ml", 10, 3),
    ("VAPE-002", "Berry Blast 50ml", 6, 9),
    ("COIL-004", "Mesh coil 0.4 ohm", 12, 2),
];

struct Chain {
    _dir: tempfile::TempDir,
    data: PathBuf,
    app: App,
    po: Uuid,
    po_reference: String,
    products: Vec<Uuid>,
    barcodes: Vec<String>,
    stray: Uuid,
    stray_barcode: String,
    receiver: Uuid,
    manager: Uuid,
    colleague: Uuid,
    outgoing: Uuid,
    unsent: Uuid,
}

fn barcode(n: u64) -> String {
    Gtin::with_check_digit(&format!("94212345{n:04}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn reference(kind: ConsignmentKind, sequence: u32) -> String {
    ConsignmentReference::new(kind, 2026, 11, sequence)
        .unwrap()
        .to_string()
}

fn product(id: Uuid, sku: &str, name: &str, cost: i64, code: &str) -> Product {
    Product {
        id,
        sku: sku.into(),
        name: name.into(),
        supplier_id: None,
        supplier_code: None,
        supply_price: Some(Decimal::from(cost)),
        price: None,
        weight_grams: None,
        dimensions: None,
        active: true,
        deleted: false,
        lightspeed_id: None,
        version: 1,
        barcodes: vec![code.into()],
    }
}

fn staff(id: Uuid, outlet: Uuid, name: &str, role: Role, pin: &str) -> StaffRecord {
    StaffRecord {
        id,
        outlet_id: Some(outlet),
        name: name.into(),
        role,
        pin_hash: Some(hash_pin_with_cost(pin, CHEAP_ARGON).unwrap()),
        active: true,
        version: 1,
    }
}

struct Header {
    kind: ConsignmentKind,
    status: ConsignmentStatus,
    from: Option<Uuid>,
    to: Option<Uuid>,
    supplier: Option<Uuid>,
    reference: String,
}

fn consignment(h: Header, lines: &[(Uuid, i64, i64)]) -> PulledConsignment {
    let now = OffsetDateTime::now_utc();
    let id = Uuid::now_v7();
    PulledConsignment {
        consignment: Consignment {
            id,
            kind: h.kind,
            status: h.status,
            source_outlet_id: h.from,
            destination_outlet_id: h.to,
            supplier_id: h.supplier,
            reference: h.reference,
            lightspeed_id: None,
            version: 1,
            created_by: None,
            created_at: now,
            updated_at: now,
        },
        lines: lines
            .iter()
            .map(|&(product_id, expected, cost)| ConsignmentLine {
                id: Uuid::now_v7(),
                consignment_id: id,
                product_id,
                expected_qty: Decimal::from(expected),
                unit_cost: Some(Decimal::from(cost)),
                deleted: false,
                version: 1,
                created_at: now,
                updated_at: now,
            })
            .collect(),
        boxes: Vec::new(),
    }
}

/// A store seeded as a pull from the hub seeds it: a sent purchase order of three lines
/// coming to this outlet, an outgoing transfer, an order not yet sent, staff.
fn chain() -> Chain {
    let dir = tempfile::tempdir().unwrap();
    let (here, there, supplier) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let products: Vec<Uuid> = LINES.iter().map(|_| Uuid::now_v7()).collect();
    let barcodes: Vec<String> = (1..=3).map(barcode).collect();
    let (stray, stray_barcode) = (Uuid::now_v7(), barcode(9));
    let (receiver, manager, colleague) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let outlet = |id, name: &str| Outlet {
        id,
        name: name.into(),
        code: None,
        lightspeed_id: None,
        active: true,
        version: 1,
    };
    let order_lines: Vec<(Uuid, i64, i64)> = products
        .iter()
        .zip(LINES)
        .map(|(&p, (_, _, expected, cost))| (p, expected, cost))
        .collect();
    let po = consignment(
        Header {
            kind: ConsignmentKind::PurchaseOrder,
            status: ConsignmentStatus::Sent,
            from: None,
            to: Some(here),
            supplier: Some(supplier),
            reference: reference(ConsignmentKind::PurchaseOrder, 42),
        },
        &order_lines,
    );
    let outgoing = consignment(
        Header {
            kind: ConsignmentKind::OutletTransfer,
            status: ConsignmentStatus::Sent,
            from: Some(here),
            to: Some(there),
            supplier: None,
            reference: reference(ConsignmentKind::OutletTransfer, 7),
        },
        &order_lines[..1],
    );
    let unsent = consignment(
        Header {
            kind: ConsignmentKind::PurchaseOrder,
            status: ConsignmentStatus::Approved,
            from: None,
            to: Some(here),
            supplier: Some(supplier),
            reference: reference(ConsignmentKind::PurchaseOrder, 43),
        },
        &order_lines[..1],
    );
    let ids = (
        po.consignment.id,
        outgoing.consignment.id,
        unsent.consignment.id,
    );
    {
        let store = Store::open(dir.path().join("tally.sqlite3")).unwrap();
        let mut catalog: Vec<Product> = products
            .iter()
            .zip(LINES)
            .zip(&barcodes)
            .map(|((&id, (sku, name, _, cost)), code)| product(id, sku, name, cost, code))
            .collect();
        catalog.push(product(
            stray,
            "TANK-77",
            "Glass tank 5ml",
            7,
            &stray_barcode,
        ));
        let changes = PulledChanges {
            outlets: vec![outlet(here, "Newmarket"), outlet(there, "Wellington")],
            suppliers: vec![Supplier {
                id: supplier,
                name: "Vapour Supplies Ltd".into(),
                code: None,
                lightspeed_id: None,
                active: true,
                version: 1,
            }],
            products: catalog,
            staff: vec![
                staff(receiver, here, "Aroha Ngata", Role::Staff, "1234"),
                staff(manager, here, "Sam Lee", Role::StoreManager, "5555"),
                staff(colleague, here, "Tui Brown", Role::Staff, "7777"),
            ],
            consignments: vec![po, outgoing, unsent],
            ..PulledChanges::default()
        };
        store.apply_pulled(&changes, 1).unwrap();
        store
            .init_station(Uuid::now_v7(), here, "Receiving 1")
            .unwrap();
    }
    let config = AppConfig {
        data_dir: dir.path().to_path_buf(),
        hub: HubMode::Demo,
        station_name: "Receiving 1".into(),
        outlet: None,
        wedge_max_gap_ms: 35,
        log_filter: "info".into(),
    };
    let app = App::open(config, "http://127.0.0.1:1".into()).unwrap();
    app.sign_in(&receiver.to_string(), "1234").unwrap();
    Chain {
        data: dir.path().to_path_buf(),
        _dir: dir,
        app,
        po: ids.0,
        po_reference: reference(ConsignmentKind::PurchaseOrder, 42),
        products,
        barcodes,
        stray,
        stray_barcode,
        receiver,
        manager,
        colleague,
        outgoing: ids.1,
        unsent: ids.2,
    }
}

/// A signature drawn as a wave across the pad.
fn signature(name: &str) -> SignatureInput {
    let wave = (0..60)
        .map(|i| StrokePoint {
            x: 40.0 + i as f32 * 8.0,
            y: 100.0 + (i as f32 * 0.5).sin() * 35.0,
            pressure: 0.4 + (i % 5) as f32 * 0.1,
            t_ms: i * 16,
        })
        .collect();
    SignatureInput {
        signer_name: name.into(),
        width: 600.0,
        height: 200.0,
        strokes: vec![wave],
    }
}

fn finish(close: bool) -> FinishSessionInput {
    FinishSessionInput {
        signature: Some(signature("Aroha Ngata")),
        driver_signature: None,
        confirm_pin: None,
        close_receipt: close,
        manager: None,
        note: None,
    }
}

/// A phone-style JPEG: EXIF with an orientation and a GPS-looking marker.
fn photo_base64() -> String {
    let img = image::RgbImage::from_fn(120, 80, |x, _| {
        if x < 60 {
            image::Rgb([200, 40, 40])
        } else {
            image::Rgb([40, 40, 200])
        }
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)
        .unwrap();
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00".to_vec();
    tiff.extend_from_slice(b"GPSLatitude -36.8485 174.7633");
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    base64::engine::general_purpose::STANDARD.encode(out)
}

fn line<'a>(v: &'a ReceivingView, sku: &str) -> &'a ReceivingLine {
    v.lines.iter().find(|l| l.sku == sku).unwrap()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn outbox_kinds(store: &Store) -> Vec<String> {
    store
        .next_pending(10_000)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

impl Chain {
    fn id(&self) -> String {
        self.po.to_string()
    }
    fn product(&self, i: usize) -> String {
        self.products[i].to_string()
    }
    /// Session 1 and 2 of the standard delivery up to (not including) the final close:
    /// Mango 8 of 10 (short), Berry 6 of 6 with 2 damaged, coil 12 of 12.
    fn count_standard_delivery(&self, with_reasons: bool, with_photo: bool) {
        let id = self.id();
        self.app.start_receiving(&id).unwrap();
        for _ in 0..5 {
            self.app.receiving_scan(&id, &self.barcodes[0]).unwrap();
        }
        self.app
            .receiving_count(&id, &self.product(2), "12")
            .unwrap();
        self.app
            .finish_receiving_session(&id, finish(false))
            .unwrap();
        self.app.start_receiving(&id).unwrap();
        for _ in 0..3 {
            self.app.receiving_scan(&id, &self.barcodes[0]).unwrap();
        }
        self.app
            .receiving_count(&id, &self.product(1), "6")
            .unwrap();
        self.app
            .receiving_damaged(&id, &self.product(1), "2")
            .unwrap();
        if with_reasons {
            self.app
                .receiving_reason(&id, &self.product(0), Some(ReasonCode::Short), None)
                .unwrap();
            self.app
                .receiving_reason(
                    &id,
                    &self.product(1),
                    Some(ReasonCode::Damaged),
                    Some("Two bottles crushed".into()),
                )
                .unwrap();
        }
        if with_photo {
            self.app
                .receiving_add_photo(&id, &self.product(1), &photo_base64())
                .unwrap();
        }
    }
}

fn tools_present() -> bool {
    let have = |tool: &str| Command::new(tool).arg("-h").output().is_ok();
    if have("pdftoppm") && have("zbarimg") {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("pdftoppm (poppler-utils) and zbarimg (zbar-tools) are required on CI");
    }
    eprintln!("SKIPPED: install poppler-utils and zbar-tools to render the report");
    false
}

/// Page 1 of `pdf` as PNG at 200 dpi; the barcodes zbarimg reads on it.
fn render_and_decode(pdf: &Path, out_dir: &Path) -> (PathBuf, Vec<String>) {
    let prefix = out_dir.join("receiving_report");
    let st = Command::new("pdftoppm")
        .args(["-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(st.success(), "pdftoppm failed");
    let png = prefix.with_extension("png");
    let out = Command::new("zbarimg")
        .arg("-q")
        .arg(&png)
        .output()
        .unwrap();
    let codes = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    (png, codes)
}

#[test]
fn a_purchase_order_is_received_in_two_sessions_with_a_short_line_a_damaged_line_and_signatures() {
    let c = chain();
    let id = c.id();
    let v = c.app.start_receiving(&id).unwrap();
    assert_eq!(
        v.status,
        ConsignmentStatus::Receiving,
        "the first session starts receiving"
    );
    assert_eq!(v.counterpart, "Vapour Supplies Ltd");

    // Session 1: five Mango by scan, the coils by typing; more is coming.
    let mut last = None;
    for _ in 0..5 {
        last = Some(c.app.receiving_scan(&id, &c.barcodes[0]).unwrap());
    }
    let last = last.unwrap();
    assert_eq!(last.kind, ScanResultKind::Counted);
    assert_eq!(line(&last.view, "VAPE-001").this_session, "5");
    let v = c.app.receiving_count(&id, &c.product(2), "12").unwrap();
    assert!(line(&v, "COIL-004").complete);
    let mut first = finish(false);
    first.driver_signature = Some(signature("Courier Driver"));
    let done = c.app.finish_receiving_session(&id, first).unwrap();
    assert!(!done.receipt_closed);
    assert_eq!(
        done.view.status,
        ConsignmentStatus::Receiving,
        "partial: still receiving"
    );
    assert!(done.view.open_session.is_none());
    assert_eq!(done.view.sessions.len(), 1);
    assert!(done.view.sessions[0].driver_signature.is_some());

    // Session 2: three more Mango (8 of 10), Berry 6 with 2 damaged and a photo.
    let v = c.app.start_receiving(&id).unwrap();
    assert_eq!(line(&v, "VAPE-001").received_before, "5");
    assert_eq!(line(&v, "VAPE-001").this_session, "0");
    for _ in 0..3 {
        c.app.receiving_scan(&id, &c.barcodes[0]).unwrap();
    }
    c.app.receiving_count(&id, &c.product(1), "6").unwrap();
    c.app.receiving_damaged(&id, &c.product(1), "2").unwrap();
    c.app
        .receiving_reason(&id, &c.product(0), Some(ReasonCode::Short), None)
        .unwrap();
    c.app
        .receiving_reason(
            &id,
            &c.product(1),
            Some(ReasonCode::Damaged),
            Some("Two bottles crushed".into()),
        )
        .unwrap();
    let added = c
        .app
        .receiving_add_photo(&id, &c.product(1), &photo_base64())
        .unwrap();
    assert!(added.thumbnail.starts_with("data:image/jpeg;base64,"));
    let v = &added.view;
    let mango = line(v, "VAPE-001");
    assert_eq!(
        (mango.received.as_str(), mango.variance.as_str()),
        ("8", "-2")
    );
    let berry = line(v, "VAPE-002");
    assert_eq!(
        (berry.received.as_str(), berry.damaged.as_str()),
        ("6", "2")
    );
    assert_eq!(berry.photos, vec![added.hash.clone()]);
    assert!(berry.problem.is_none(), "{:?}", berry.problem);
    assert_eq!(
        v.totals.variance_value, "$24.00",
        "2 × $3 short + 2 × $9 damaged"
    );
    assert!(!v.totals.needs_manager_sign_off);

    // The photo on disk is the stripped, upright copy.
    let evidence = EvidenceStore::open(c.data.join("evidence")).unwrap();
    let stored = evidence.get_by_name(&added.hash).unwrap();
    assert!(!contains(&stored, b"Exif") && !contains(&stored, b"GPSLatitude"));
    let upright = image::load_from_memory(&stored).unwrap();
    assert_eq!(
        (upright.width(), upright.height()),
        (80, 120),
        "turned by its EXIF orientation"
    );

    let done = c.app.finish_receiving_session(&id, finish(true)).unwrap();
    assert!(done.receipt_closed);
    assert_eq!(done.sign_off, Some(SignOffResult::NotNeeded));
    assert_eq!(
        done.stock_added.as_deref(),
        Some("24"),
        "26 received − 2 damaged"
    );
    assert_eq!(done.view.status, ConsignmentStatus::Received);
    assert!(done.view.closed);
    assert_eq!(done.view.sessions.len(), 2);
    let sig = done.signature.unwrap();
    assert!(
        evidence.contains(&ContentHash::parse(&sig).unwrap()),
        "signature PNG stored by hash"
    );

    // The store holds two signed sessions whose lines add up, and the sync is queued.
    let store = c.app.store();
    let receipts = store.receipts_for(c.po).unwrap();
    assert_eq!(receipts.len(), 2);
    assert!(receipts
        .iter()
        .all(|r| r.closed_at.is_some() && r.signature_png.is_some()));
    let strokes = receipts[1].signature_strokes.as_ref().unwrap();
    assert_eq!(strokes["receiver"]["signer_name"], "Aroha Ngata");
    assert_eq!(
        strokes["receiver"]["strokes"][0].as_array().unwrap().len(),
        60
    );
    assert_eq!(
        receipts[0].signature_strokes.as_ref().unwrap()["driver"]["signer_name"],
        "Courier Driver"
    );
    let progress = store.consignment_lines(c.po).unwrap();
    let received: Vec<String> = progress
        .iter()
        .map(|p| p.received.normalize().to_string())
        .collect();
    assert_eq!(received, vec!["6", "8", "12"], "Berry, Mango, coil by name");
    assert_eq!(
        store.consignment(c.po).unwrap().status,
        ConsignmentStatus::Received
    );
    let kinds = outbox_kinds(store);
    for k in [
        "receipt.started",
        "receipt.line_recorded",
        "receipt.closed",
        "consignment.status_set",
        "scan.recorded",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} queued: {kinds:?}");
    }
    assert_eq!(kinds.iter().filter(|k| *k == "receipt.closed").count(), 2);
    let assessed = store
        .audit_entries_for("consignment", &id)
        .unwrap()
        .into_iter()
        .find(|a| a.action == "receipt.assessed")
        .unwrap();
    assert_eq!(assessed.after.unwrap()["sign_off"], "not_needed");
    store.verify_audit_chain().unwrap();

    // Closed means closed.
    assert_eq!(
        c.app.start_receiving(&id).unwrap_err().code,
        "CONSIGNMENT_CLOSED"
    );

    // The printable report.
    let out = std::env::var("TALLY_KEEP_RENDERS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| c.data.join("renders"));
    std::fs::create_dir_all(&out).unwrap();
    let report = c.app.receiving_report(&id, 780, Some(&out)).unwrap();
    assert_eq!(report.pages, 1);
    let pdf = std::fs::read(&report.path).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if tools_present() {
        let (png, codes) = render_and_decode(Path::new(&report.path), &out);
        assert_eq!(codes, vec![format!("CODE-128:{}", c.po_reference)]);
        assert!(png.exists());
    }
}

#[test]
fn a_short_line_without_a_reason_is_refused_and_nothing_closes() {
    let c = chain();
    c.count_standard_delivery(false, true);
    c.app
        .receiving_reason(&c.id(), &c.product(1), Some(ReasonCode::Damaged), None)
        .unwrap();
    let e = c
        .app
        .finish_receiving_session(&c.id(), finish(true))
        .unwrap_err();
    assert_eq!(e.code, "VARIANCE_REASON_REQUIRED");
    assert!(e.message.contains("-2"), "{}", e.message);
    let v = c.app.receiving_view(&c.id()).unwrap();
    assert_eq!(v.status, ConsignmentStatus::Receiving);
    assert!(v.open_session.is_some(), "the session stays open");
    assert!(line(&v, "VAPE-001").reason_required);
    assert!(line(&v, "VAPE-001").problem.is_some());
}

#[test]
fn a_reason_that_contradicts_the_count_is_refused() {
    let c = chain();
    c.count_standard_delivery(true, true);
    c.app
        .receiving_reason(&c.id(), &c.product(0), Some(ReasonCode::Over), None)
        .unwrap();
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), finish(true))
            .unwrap_err()
            .code,
        "VARIANCE_REASON_MISMATCH"
    );
    c.app
        .receiving_reason(
            &c.id(),
            &c.product(0),
            Some(ReasonCode::Other),
            Some("  ".into()),
        )
        .unwrap();
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), finish(true))
            .unwrap_err()
            .code,
        "VARIANCE_NOTE_REQUIRED"
    );
}

#[test]
fn damaged_units_without_a_photo_are_refused() {
    let c = chain();
    c.count_standard_delivery(true, false);
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), finish(true))
            .unwrap_err()
            .code,
        "DAMAGE_PHOTO_REQUIRED"
    );
    // Also when more is coming: damage is photographed when it is seen.
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), finish(false))
            .unwrap_err()
            .code,
        "DAMAGE_PHOTO_REQUIRED"
    );
    c.app.set_receiving_policy(ReceivingPolicy {
        variance: tally_domain::VariancePolicy {
            damage_photo_required: false,
            ..Default::default()
        },
        ..ReceivingPolicy::default()
    });
    assert!(
        c.app
            .finish_receiving_session(&c.id(), finish(true))
            .unwrap()
            .receipt_closed
    );
}

/// One coil of twelve arrives and nothing else, every line marked short: 10 × $3 + 6 × $9
/// + 11 × $2 = $106, over a $100 threshold (the test order is too small for $200).
fn count_large_shortfall(c: &Chain) {
    let id = c.id();
    c.app.start_receiving(&id).unwrap();
    c.app.receiving_count(&id, &c.product(2), "1").unwrap();
    for i in 0..3 {
        c.app
            .receiving_reason(&id, &c.product(i), Some(ReasonCode::Short), None)
            .unwrap();
    }
    c.app.set_receiving_policy(ReceivingPolicy {
        variance: tally_domain::VariancePolicy {
            sign_off_threshold: tally_domain::Money::dollars(100),
            ..Default::default()
        },
        ..ReceivingPolicy::default()
    });
}

#[test]
fn a_variance_over_the_threshold_needs_a_store_managers_pin() {
    let c = chain();
    count_large_shortfall(&c);
    let v = c.app.receiving_view(&c.id()).unwrap();
    assert_eq!(v.totals.variance_value, "$106.00");
    assert!(v.totals.needs_manager_sign_off);
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), finish(true))
            .unwrap_err()
            .code,
        "MANAGER_SIGN_OFF_REQUIRED"
    );
    let with = |who: Uuid, pin: &str| FinishSessionInput {
        manager: Some(ManagerSignOffInput {
            staff_id: who.to_string(),
            pin: pin.into(),
        }),
        ..finish(true)
    };
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), with(c.manager, "0000"))
            .unwrap_err()
            .code,
        "PIN_WRONG"
    );
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), with(c.colleague, "7777"))
            .unwrap_err()
            .code,
        "SIGN_OFF_ROLE_TOO_LOW",
        "a staff member's right PIN is not a manager's sign-off"
    );
    assert_eq!(
        c.app.receiving_view(&c.id()).unwrap().status,
        ConsignmentStatus::Receiving
    );
    let done = c
        .app
        .finish_receiving_session(&c.id(), with(c.manager, "5555"))
        .unwrap();
    assert_eq!(done.sign_off, Some(SignOffResult::ManagerSignedOff));
    let assessed = c
        .app
        .store()
        .audit_entries_for("consignment", &c.id())
        .unwrap()
        .into_iter()
        .find(|a| a.action == "receipt.assessed")
        .unwrap()
        .after
        .unwrap();
    assert_eq!(assessed["signed_off_by"], c.manager.to_string());
    assert_eq!(assessed["variance_value"], "$106.00");
}

#[test]
fn five_wrong_manager_pins_pause_the_sign_off() {
    let c = chain();
    count_large_shortfall(&c);
    let wrong = FinishSessionInput {
        manager: Some(ManagerSignOffInput {
            staff_id: c.manager.to_string(),
            pin: "0000".into(),
        }),
        ..finish(true)
    };
    for _ in 0..5 {
        assert_eq!(
            c.app
                .finish_receiving_session(&c.id(), wrong.clone())
                .unwrap_err()
                .code,
            "PIN_WRONG"
        );
    }
    let right = FinishSessionInput {
        manager: Some(ManagerSignOffInput {
            staff_id: c.manager.to_string(),
            pin: "5555".into(),
        }),
        ..finish(true)
    };
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), right)
            .unwrap_err()
            .code,
        "SIGN_OFF_LOCKED"
    );
}

#[test]
fn in_review_list_mode_a_large_variance_closes_and_is_listed_for_review() {
    let c = chain();
    count_large_shortfall(&c);
    c.app.set_receiving_policy(ReceivingPolicy {
        variance: tally_domain::VariancePolicy {
            sign_off_threshold: tally_domain::Money::dollars(100),
            sign_off_mode: SignOffMode::ReviewList,
            ..Default::default()
        },
        ..ReceivingPolicy::default()
    });
    assert!(
        c.app
            .receiving_view(&c.id())
            .unwrap()
            .totals
            .goes_to_review_list
    );
    let done = c
        .app
        .finish_receiving_session(&c.id(), finish(true))
        .unwrap();
    assert_eq!(done.sign_off, Some(SignOffResult::OnReviewList));
}

#[test]
fn an_empty_or_dot_signature_or_none_at_all_is_refused() {
    let c = chain();
    c.count_standard_delivery(true, true);
    let mut empty = finish(true);
    empty.signature.as_mut().unwrap().strokes.clear();
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), empty)
            .unwrap_err()
            .code,
        "SIGNATURE_EMPTY"
    );
    let mut dot = finish(true);
    dot.signature.as_mut().unwrap().strokes = vec![vec![StrokePoint {
        x: 100.0,
        y: 100.0,
        pressure: 0.5,
        t_ms: 0,
    }]];
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), dot)
            .unwrap_err()
            .code,
        "SIGNATURE_TOO_SHORT"
    );
    let mut none = finish(true);
    none.signature = None;
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), none.clone())
            .unwrap_err()
            .code,
        "RECEIVER_SIGNATURE_REQUIRED"
    );
    // A PIN instead of the signature only where the chain allows it.
    none.confirm_pin = Some("1234".into());
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), none.clone())
            .unwrap_err()
            .code,
        "RECEIVER_SIGNATURE_REQUIRED"
    );
    c.app.set_receiving_policy(ReceivingPolicy {
        variance: tally_domain::VariancePolicy {
            pin_confirmation_allowed: true,
            ..Default::default()
        },
        ..ReceivingPolicy::default()
    });
    let mut wrong = none.clone();
    wrong.confirm_pin = Some("9999".into());
    assert_eq!(
        c.app
            .finish_receiving_session(&c.id(), wrong)
            .unwrap_err()
            .code,
        "PIN_WRONG"
    );
    assert!(
        c.app
            .finish_receiving_session(&c.id(), none)
            .unwrap()
            .receipt_closed
    );
}

#[test]
fn receive_all_as_expected_is_one_action_audited_line_by_line() {
    let c = chain();
    let id = c.id();
    c.app.start_receiving(&id).unwrap();
    c.app.receiving_count(&id, &c.product(0), "4").unwrap();
    c.app.receiving_count(&id, &c.product(2), "11").unwrap();
    c.app
        .receiving_reason(&id, &c.product(2), Some(ReasonCode::Short), None)
        .unwrap();
    let before = c.app.store().last_seq().unwrap();
    let v = c.app.receive_all_as_expected(&id).unwrap();
    assert_eq!(line(&v, "VAPE-001").this_session, "10");
    assert_eq!(line(&v, "VAPE-002").this_session, "6");
    assert_eq!(
        line(&v, "COIL-004").received,
        "11",
        "a line explained as short keeps its count"
    );
    let added: Vec<String> = c
        .app
        .store()
        .next_pending(1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.seq > before)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        added,
        vec!["receipt.line_recorded"; 2],
        "one queued change and audit entry per line"
    );
    let session = c.app.store().receipts_for(c.po).unwrap().pop().unwrap();
    for l in c.app.store().receipt_lines(session.id).unwrap() {
        let audit = c
            .app
            .store()
            .audit_entries_for("receipt_line", &l.id.to_string())
            .unwrap();
        assert!(!audit.is_empty());
    }
    assert_eq!(
        c.app.receive_all_as_expected(&id).unwrap_err().code,
        "NOTHING_LEFT_TO_RECEIVE"
    );
    let done = c.app.finish_receiving_session(&id, finish(true)).unwrap();
    assert_eq!(done.sign_off, Some(SignOffResult::NotNeeded));
    assert_eq!(
        done.view.totals.variance_value, "$2.00",
        "one coil short at $2"
    );
}

#[test]
fn an_unexpected_item_is_added_with_a_reason() {
    let c = chain();
    let id = c.id();
    c.app.start_receiving(&id).unwrap();
    let s = c.app.receiving_scan(&id, &c.stray_barcode).unwrap();
    assert_eq!(s.kind, ScanResultKind::NotOnConsignment);
    assert!(
        s.view.lines.iter().all(|l| l.on_consignment),
        "a scan alone adds nothing"
    );
    let stray = c.stray.to_string();
    assert_eq!(
        c.app
            .receiving_add_unexpected(&id, &stray, "2", ReasonCode::Short, None)
            .unwrap_err()
            .code,
        "VARIANCE_REASON_MISMATCH"
    );
    assert_eq!(
        c.app
            .receiving_add_unexpected(&id, &stray, "2", ReasonCode::Other, None)
            .unwrap_err()
            .code,
        "VARIANCE_NOTE_REQUIRED"
    );
    assert_eq!(
        c.app
            .receiving_add_unexpected(&id, &c.product(0), "1", ReasonCode::WrongItem, None)
            .unwrap_err()
            .code,
        "ON_CONSIGNMENT"
    );
    let v = c
        .app
        .receiving_add_unexpected(&id, &stray, "2", ReasonCode::WrongItem, None)
        .unwrap();
    let t = line(&v, "TANK-77");
    assert!(!t.on_consignment);
    assert_eq!(
        (
            t.expected.as_str(),
            t.received.as_str(),
            t.variance.as_str()
        ),
        ("0", "2", "+2")
    );
    assert_eq!(t.reason, Some(ReasonCode::WrongItem));
    assert!(
        t.over_flagged,
        "anything received against nothing expected is flagged"
    );
    // Now on the receipt, a further scan counts it.
    let s = c.app.receiving_scan(&id, &c.stray_barcode).unwrap();
    assert_eq!(s.kind, ScanResultKind::Over);
    assert_eq!(line(&s.view, "TANK-77").received, "3");
    c.app.receive_all_as_expected(&id).unwrap();
    let done = c.app.finish_receiving_session(&id, finish(true)).unwrap();
    assert_eq!(
        done.view.totals.variance_value, "$21.00",
        "3 × $7 at the supplier price"
    );
    assert_eq!(done.flagged_lines, vec![4]);
}

#[test]
fn scans_are_parsed_and_looked_up_before_anything_is_counted() {
    let c = chain();
    let id = c.id();
    c.app.start_receiving(&id).unwrap();
    let mut bad = c.barcodes[0].clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        c.app
            .receiving_scan(&id, &format!("]E0{bad}"))
            .unwrap_err()
            .code,
        "BAD_CHECK_DIGIT"
    );
    assert_eq!(
        c.app.receiving_scan(&id, "NO-SUCH-SKU").unwrap_err().code,
        "UNKNOWN_CODE"
    );
    assert_eq!(
        c.app.receiving_scan(&id, &c.po_reference).unwrap().kind,
        ScanResultKind::ReferenceConfirmed
    );
    let other = reference(ConsignmentKind::PurchaseOrder, 43);
    assert_eq!(
        c.app.receiving_scan(&id, &other).unwrap_err().code,
        "OTHER_CONSIGNMENT"
    );
    // GS1-128 with a count: (01) GTIN-14 and (37) 6 units.
    let gtin14 = format!("0{}", c.barcodes[1]);
    let s = c
        .app
        .receiving_scan(&id, &format!("]C101{gtin14}\u{1d}376"))
        .unwrap();
    assert_eq!(
        (s.units.as_str(), s.kind),
        ("6", ScanResultKind::LineComplete)
    );
    let v = c.app.receiving_view(&id).unwrap();
    assert_eq!(v.totals.received, "6", "only the GS1 scan counted");
}

#[test]
fn only_sent_consignments_coming_here_are_received() {
    let c = chain();
    assert_eq!(
        c.app
            .start_receiving(&c.outgoing.to_string())
            .unwrap_err()
            .code,
        "NOT_THE_RECEIVER"
    );
    assert_eq!(
        c.app
            .start_receiving(&c.unsent.to_string())
            .unwrap_err()
            .code,
        "NOT_SENT_YET"
    );
    assert_eq!(
        c.app
            .receiving_count(&c.id(), &c.product(0), "1")
            .unwrap_err()
            .code,
        "LINE_CHANGE_NOT_ALLOWED",
        "counts wait for receiving to start"
    );
    let id = c.id();
    c.app.start_receiving(&id).unwrap();
    assert_eq!(
        c.app
            .receiving_count(&id, &c.product(0), "-1")
            .unwrap_err()
            .code,
        "NEGATIVE_QUANTITY"
    );
    assert_eq!(
        c.app
            .receiving_count(&id, &c.product(0), "lots")
            .unwrap_err()
            .code,
        "BAD_QUANTITY"
    );
    assert_eq!(
        c.app
            .receiving_damaged(&id, &c.product(0), "1")
            .unwrap_err()
            .code,
        "DAMAGED_EXCEEDS_RECEIVED"
    );
    assert_eq!(
        c.app
            .finish_receiving_session(&id, finish(false))
            .unwrap_err()
            .code,
        "NOTHING_COUNTED"
    );
}

#[test]
fn a_file_that_is_not_a_photo_is_refused_and_nothing_is_attached() {
    let c = chain();
    let id = c.id();
    c.app.start_receiving(&id).unwrap();
    let pdf = base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7 invoice");
    assert_eq!(
        c.app
            .receiving_add_photo(&id, &c.product(1), &pdf)
            .unwrap_err()
            .code,
        "PHOTO_NOT_AN_IMAGE"
    );
    let v = c.app.receiving_view(&id).unwrap();
    assert!(v.lines.iter().all(|l| l.photos.is_empty()));
}

#[test]
fn receiving_needs_a_signed_in_staff_member() {
    let c = chain();
    c.app.sign_out().unwrap();
    assert_eq!(
        c.app.start_receiving(&c.id()).unwrap_err().code,
        "NOT_SIGNED_IN"
    );
    assert_eq!(
        c.app.receiving_view(&c.id()).unwrap_err().code,
        "NOT_SIGNED_IN"
    );
    let _ = c.receiver;
}

#[test]
fn scans_arriving_together_all_count() {
    let c = chain();
    let id = c.id();
    c.app.start_receiving(&id).unwrap();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..15 {
                    c.app.receiving_scan(&id, &c.barcodes[2]).unwrap();
                }
            });
        }
    });
    let v = c.app.receiving_view(&id).unwrap();
    assert_eq!(line(&v, "COIL-004").this_session, "60", "no scan lost");
}
