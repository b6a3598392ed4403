//! Fixture: a store in a temp dir with two outlets, a supplier, staff, a few products
//! and an outgoing transfer, as a pull from the hub would leave it.
#![allow(dead_code)]

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_store::*;
use uuid::Uuid;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub here: Uuid,
    pub there: Uuid,
    pub supplier: Uuid,
    pub packer: Uuid,
    pub manager: Uuid,
    pub elsewhere: Uuid,
    pub mug: Uuid,
    pub plate: Uuid,
    pub transfer: Uuid,
}

pub fn outlet(id: Uuid, name: &str) -> Outlet {
    Outlet {
        id,
        name: name.into(),
        code: None,
        lightspeed_id: None,
        active: true,
        version: 1,
    }
}

pub fn product(id: Uuid, sku: &str, name: &str, barcodes: &[&str]) -> Product {
    Product {
        id,
        sku: sku.into(),
        name: name.into(),
        supplier_id: None,
        supplier_code: None,
        supply_price: Some(Decimal::new(450, 2)),
        price: Some(Decimal::new(1299, 2)),
        weight_grams: Some(350),
        dimensions: None,
        active: true,
        deleted: false,
        lightspeed_id: None,
        version: 1,
        barcodes: barcodes.iter().map(|b| b.to_string()).collect(),
    }
}

pub fn staff(
    id: Uuid,
    outlet: Option<Uuid>,
    name: &str,
    role: Role,
    pin: Option<&str>,
) -> StaffRecord {
    StaffRecord {
        id,
        outlet_id: outlet,
        name: name.into(),
        role,
        pin_hash: pin.map(|p| hash_pin_with_cost(p, (64, 1)).unwrap()),
        active: true,
        version: 1,
    }
}

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("tally.db")).unwrap();
        let (here, there, supplier) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (packer, manager, elsewhere) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let (mug, plate) = (Uuid::now_v7(), Uuid::now_v7());
        let mut mug_p = product(mug, "MUG-RED", "Red enamel mug", &["9400000000017"]);
        mug_p.supplier_id = Some(supplier);
        mug_p.supplier_code = Some("ACME-77".into());
        let changes = PulledChanges {
            outlets: vec![outlet(here, "Ponsonby"), outlet(there, "Newmarket")],
            suppliers: vec![Supplier {
                id: supplier,
                name: "Acme Homewares".into(),
                code: None,
                lightspeed_id: None,
                active: true,
                version: 1,
            }],
            staff: vec![
                staff(packer, Some(here), "Aroha", Role::Staff, Some("1234")),
                staff(
                    manager,
                    Some(here),
                    "Mere",
                    Role::StoreManager,
                    Some("9876"),
                ),
                staff(elsewhere, Some(there), "Tane", Role::Staff, Some("5555")),
            ],
            products: vec![
                mug_p,
                product(
                    plate,
                    "PLATE-26",
                    "Stoneware dinner plate 26cm",
                    &["9400000000024"],
                ),
            ],
            ..Default::default()
        };
        store.apply_pulled(&changes, 1).unwrap();
        store.init_station(Uuid::now_v7(), here, "Bench 1").unwrap();
        store.add_reference_block(1, 100).unwrap();
        let t = store
            .create_consignment(
                &Actor::Staff(packer),
                NewConsignment {
                    kind: ConsignmentKind::OutletTransfer,
                    status: ConsignmentStatus::Packing,
                    source_outlet_id: Some(here),
                    destination_outlet_id: Some(there),
                    supplier_id: None,
                    reference: "TR-OUT-202501-000001-00".into(),
                },
            )
            .unwrap();
        let actor = Actor::Staff(packer);
        store
            .set_line(&actor, t.id, mug, d("3"), Some(d("4.50")))
            .unwrap();
        store.set_line(&actor, t.id, plate, d("2"), None).unwrap();
        Fixture {
            dir,
            store,
            here,
            there,
            supplier,
            packer,
            manager,
            elsewhere,
            mug,
            plate,
            transfer: t.id,
        }
    }

    pub fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("tally.db")
    }

    pub fn packer(&self) -> Actor {
        Actor::Staff(self.packer)
    }

    pub fn scan(&self, product: Uuid, delta: i64) -> ScanInput {
        ScanInput {
            consignment_id: self.transfer,
            product_id: product,
            box_id: None,
            purpose: ScanPurpose::Pack,
            delta,
            raw_code: "9400000000017".into(),
            device_id: "scanner-1".into(),
            staff_id: self.packer,
        }
    }

    /// A raw connection to the same file (for checks and tampering).
    pub fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.db_path()).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.raw().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}
