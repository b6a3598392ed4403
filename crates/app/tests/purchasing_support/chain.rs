//! A chain seeded into a real store file the way a pull from the hub seeds it: two
//! outlets, a supplier, products with supplier prices, staff of every approving role.

use std::path::PathBuf;

use rust_decimal::Decimal;
use tally_app::purchasing::PurchasingSettings;
use tally_app::{App, AppConfig, HubMode};
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_store::{
    hash_pin_with_cost, Consignment, ConsignmentLine, Outlet, Product, PulledChanges,
    PulledConsignment, StaffRecord, Store, Supplier,
};
use time::OffsetDateTime;
use uuid::Uuid;

const CHEAP_ARGON: (u32, u32) = (64, 1);

/// Ids of everything seeded.
pub struct Chain {
    pub here: Uuid,
    pub there: Uuid,
    pub supplier: Uuid,
    pub other_supplier: Uuid,
    /// $150.00, barcode 9421234500019.
    pub vaporiser: Uuid,
    /// $20.00, barcode 9421234500026.
    pub coils: Uuid,
    /// No supplier price.
    pub no_cost: Uuid,
    pub staff: Uuid,
    pub manager: Uuid,
    pub ops: Uuid,
    pub director: Uuid,
    pub manager_there: Uuid,
}

/// PINs of the seeded staff.
pub const STAFF_PIN: &str = "1234";
pub const MANAGER_PIN: &str = "5555";
pub const OPS_PIN: &str = "7777";
pub const DIRECTOR_PIN: &str = "9999";
pub const MANAGER_THERE_PIN: &str = "4444";

fn outlet(id: Uuid, name: &str) -> Outlet {
    Outlet {
        id,
        name: name.into(),
        code: None,
        lightspeed_id: None,
        active: true,
        version: 1,
    }
}

fn staff(id: Uuid, outlet: Option<Uuid>, name: &str, role: Role, pin: &str) -> StaffRecord {
    StaffRecord {
        id,
        outlet_id: outlet,
        name: name.into(),
        role,
        pin_hash: Some(hash_pin_with_cost(pin, CHEAP_ARGON).unwrap()),
        active: true,
        version: 1,
    }
}

fn product(
    id: Uuid,
    sku: &str,
    name: &str,
    supplier: Uuid,
    cost: Option<&str>,
    barcode: &str,
) -> Product {
    Product {
        id,
        sku: sku.into(),
        name: name.into(),
        supplier_id: Some(supplier),
        supplier_code: Some(format!("CN-{sku}")),
        supply_price: cost.map(|c| c.parse().unwrap()),
        price: None,
        weight_grams: None,
        dimensions: None,
        active: true,
        deleted: false,
        lightspeed_id: None,
        version: 1,
        barcodes: vec![barcode.into()],
    }
}

/// A purchase order of another outlet waiting for approval, as pulled from the hub.
pub fn pending_order_elsewhere(chain: &Chain, reference: &str) -> PulledConsignment {
    let now = OffsetDateTime::now_utc();
    let id = Uuid::now_v7();
    PulledConsignment {
        consignment: Consignment {
            id,
            kind: ConsignmentKind::PurchaseOrder,
            status: ConsignmentStatus::PendingApproval,
            source_outlet_id: None,
            destination_outlet_id: Some(chain.there),
            supplier_id: Some(chain.supplier),
            reference: reference.into(),
            lightspeed_id: None,
            version: 3,
            created_by: Some(chain.manager_there),
            created_at: now,
            updated_at: now,
        },
        lines: vec![ConsignmentLine {
            id: Uuid::now_v7(),
            consignment_id: id,
            product_id: chain.coils,
            expected_qty: Decimal::from(10),
            unit_cost: Some(Decimal::from(20)),
            deleted: false,
            version: 1,
            created_at: now,
            updated_at: now,
        }],
        boxes: vec![],
    }
}

/// A store seeded like a pull, an `App` on it writing PDFs under the temp dir.
pub fn app_with_chain() -> (tempfile::TempDir, App, Chain) {
    let dir = tempfile::tempdir().unwrap();
    let chain = Chain {
        here: Uuid::now_v7(),
        there: Uuid::now_v7(),
        supplier: Uuid::now_v7(),
        other_supplier: Uuid::now_v7(),
        vaporiser: Uuid::now_v7(),
        coils: Uuid::now_v7(),
        no_cost: Uuid::now_v7(),
        staff: Uuid::now_v7(),
        manager: Uuid::now_v7(),
        ops: Uuid::now_v7(),
        director: Uuid::now_v7(),
        manager_there: Uuid::now_v7(),
    };
    {
        let store = Store::open(dir.path().join("tally.sqlite3")).unwrap();
        let supplier = |id, name: &str, code: &str| Supplier {
            id,
            name: name.into(),
            code: Some(code.into()),
            lightspeed_id: None,
            active: true,
            version: 1,
        };
        let changes = PulledChanges {
            outlets: vec![
                outlet(chain.here, "Newmarket"),
                outlet(chain.there, "Wellington"),
            ],
            suppliers: vec![
                supplier(chain.supplier, "Cloud Nine Wholesale", "CN"),
                supplier(chain.other_supplier, "Kiwi Vapour Supplies", "KV"),
            ],
            products: vec![
                product(
                    chain.vaporiser,
                    "VAP-01",
                    "Vaporiser kit",
                    chain.supplier,
                    Some("150.00"),
                    "9421234500019",
                ),
                product(
                    chain.coils,
                    "COIL-5",
                    "Coil pack (5)",
                    chain.supplier,
                    Some("20.00"),
                    "9421234500026",
                ),
                product(
                    chain.no_cost,
                    "NEW-1",
                    "New flavour sample",
                    chain.supplier,
                    None,
                    "9421234500033",
                ),
            ],
            staff: vec![
                staff(
                    chain.staff,
                    Some(chain.here),
                    "Aroha Ngata",
                    Role::Staff,
                    STAFF_PIN,
                ),
                staff(
                    chain.manager,
                    Some(chain.here),
                    "Sam Lee",
                    Role::StoreManager,
                    MANAGER_PIN,
                ),
                staff(chain.ops, None, "Olivia Tane", Role::OpsManager, OPS_PIN),
                staff(
                    chain.director,
                    None,
                    "Mere Whare",
                    Role::Director,
                    DIRECTOR_PIN,
                ),
                staff(
                    chain.manager_there,
                    Some(chain.there),
                    "Tui Rangi",
                    Role::StoreManager,
                    MANAGER_THERE_PIN,
                ),
            ],
            ..PulledChanges::default()
        };
        store.apply_pulled(&changes, 1).unwrap();
        store
            .init_station(Uuid::now_v7(), chain.here, "Bench 1")
            .unwrap();
        store.add_reference_block(1, 1000).unwrap();
    }
    let config = AppConfig {
        data_dir: PathBuf::from(dir.path()),
        hub: HubMode::Demo,
        station_name: "Bench 1".into(),
        outlet: None,
        wedge_max_gap_ms: 35,
        log_filter: "info".into(),
    };
    let app = App::open(config, "http://127.0.0.1:1".into()).unwrap();
    app.set_purchasing_settings(PurchasingSettings {
        documents_dir: Some(dir.path().join("purchase-orders")),
        ..PurchasingSettings::default()
    });
    (dir, app, chain)
}
