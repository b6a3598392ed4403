//! Crash-harness child (see tests/crash.rs): opens the store at the given path, seeds
//! a transfer on first run, then records scans forever, printing `ack <event_id> <seq>`
//! to stdout only after each scan's transaction has committed. The parent SIGKILLs it
//! at random moments and checks that every printed ack survived.

use std::io::Write;
use std::process::ExitCode;

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_store::{
    Consignment, ConsignmentLine, Outlet, Product, PulledChanges, PulledConsignment, ScanInput,
    ScanPurpose, StaffRecord, Store, StoreError,
};
use uuid::Uuid;

// Fixed ids, as if made by the hub, so every restart finds the same rows.
const OUTLET: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
const DEST: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002);
const STAFF: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0003);
const PRODUCT: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0004);
const TRANSFER: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0005);
const STATION: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0006);

fn seed(store: &Store) -> Result<(), StoreError> {
    if store.station()?.is_some() {
        return Ok(());
    }
    let at = time::OffsetDateTime::now_utc();
    let outlet = |id, name: &str| Outlet {
        id,
        name: name.into(),
        code: None,
        lightspeed_id: None,
        active: true,
        version: 1,
    };
    let changes = PulledChanges {
        outlets: vec![
            outlet(OUTLET, "Crash Test Outlet"),
            outlet(DEST, "Destination"),
        ],
        staff: vec![StaffRecord {
            id: STAFF,
            outlet_id: Some(OUTLET),
            name: "Packer".into(),
            role: Role::Staff,
            pin_hash: None,
            active: true,
            version: 1,
        }],
        products: vec![Product {
            id: PRODUCT,
            sku: "CRASH-1".into(),
            name: "Crash test dummy".into(),
            supplier_id: None,
            supplier_code: None,
            supply_price: None,
            price: None,
            weight_grams: None,
            dimensions: None,
            active: true,
            deleted: false,
            lightspeed_id: None,
            version: 1,
            barcodes: vec!["9400000000017".into()],
        }],
        consignments: vec![PulledConsignment {
            consignment: Consignment {
                id: TRANSFER,
                kind: ConsignmentKind::OutletTransfer,
                status: ConsignmentStatus::Packing,
                source_outlet_id: Some(OUTLET),
                destination_outlet_id: Some(DEST),
                supplier_id: None,
                reference: "TR-OUT-202501-000001-00".into(),
                lightspeed_id: None,
                version: 1,
                created_by: None,
                created_at: at,
                updated_at: at,
            },
            boxes: Vec::new(),
            lines: vec![ConsignmentLine {
                id: Uuid::now_v7(),
                consignment_id: TRANSFER,
                product_id: PRODUCT,
                expected_qty: Decimal::from(1_000_000),
                unit_cost: None,
                deleted: false,
                version: 1,
                created_at: at,
                updated_at: at,
            }],
        }],
        ..Default::default()
    };
    store.apply_pulled(&changes, 1)?;
    store.init_station(STATION, OUTLET, "Crash bench")
}

fn run(path: &str, max: u64) -> Result<(), StoreError> {
    let store = Store::open(path)?;
    seed(&store)?;
    let stdout = std::io::stdout();
    let io_err = |e| StoreError::Io {
        context: "write ack".into(),
        source: e,
    };
    // Tells the parent that opening (checks, migrations, seed) is over.
    writeln!(stdout.lock(), "ready").map_err(io_err)?;
    for i in 0..max {
        // Mostly scans, now and then an undo: two action kinds through the same path.
        let ack = if i % 10 == 9 {
            store.undo_last_scan(STAFF, TRANSFER, "crash-scanner")?
        } else {
            store.record_scan(ScanInput {
                consignment_id: TRANSFER,
                product_id: PRODUCT,
                box_id: None,
                purpose: ScanPurpose::Pack,
                delta: 1,
                raw_code: "9400000000017".into(),
                device_id: "crash-scanner".into(),
                staff_id: STAFF,
            })?
        };
        // The ack leaves only after commit returned: this is what the screen would show.
        let mut out = stdout.lock();
        writeln!(out, "ack {} {}", ack.event_id, ack.mutation.seq).map_err(io_err)?;
        out.flush().map_err(io_err)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: crash_child <db path> [max scans]");
        return ExitCode::from(64);
    };
    let max = args.next().and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
    match run(&path, max) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error {} {e}", e.code());
            ExitCode::from(2)
        }
    }
}
