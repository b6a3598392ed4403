//! Test fixtures: a hub store with two outlets, a supplier, products, staff and
//! one device per outlet, plus builders for mutations.

use std::sync::Arc;

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_sync::*;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::push::apply_push;
use crate::store::{write_with, DeviceRecord, HubStore, SqliteHubStore};
use crate::{catalog, devices};

pub const OUTLET_A: &str = "outlet-a";
pub const OUTLET_B: &str = "outlet-b";
pub const SUPPLIER: &str = "supplier-1";
pub const STAFF_A: &str = "staff-a";
pub const STAFF_A2: &str = "staff-a2";
pub const MANAGER_A: &str = "manager-a";
pub const STAFF_B: &str = "staff-b";
pub const DIRECTOR: &str = "director";

pub fn product(i: usize) -> String {
    format!("prod-{i}")
}

pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub store: Arc<dyn HubStore>,
    pub dev_a1: DeviceRecord,
    pub dev_a2: DeviceRecord,
    pub dev_b: DeviceRecord,
    seqs: std::collections::HashMap<String, u64>,
}

fn staff(id: &str, role: Role, outlet: Option<&str>) -> StaffRow {
    StaffRow {
        id: id.into(),
        name: id.into(),
        role,
        outlet_id: outlet.map(str::to_string),
        pin_hash: "$argon2id$test".into(),
        active: true,
    }
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn HubStore> =
            Arc::new(SqliteHubStore::open(&dir.path().join("hub.db")).unwrap());
        write_with(&*store, |tx| {
            for (id, name) in [(OUTLET_A, "Ponsonby"), (OUTLET_B, "Newmarket")] {
                catalog::put_outlet(
                    tx,
                    &OutletRow {
                        id: id.into(),
                        name: name.into(),
                        deleted: false,
                    },
                )?;
            }
            catalog::put_supplier(
                tx,
                &SupplierRow {
                    id: SUPPLIER.into(),
                    name: "Vapour Co".into(),
                    deleted: false,
                },
            )?;
            for i in 0..5 {
                catalog::put_product(
                    tx,
                    &ProductRow {
                        id: product(i),
                        sku: format!("SKU{i}"),
                        name: format!("Product {i}"),
                        variant_name: None,
                        supplier_id: None,
                        supplier_code: None,
                        supply_price: Some(Decimal::new(1000, 2)),
                        active: true,
                        codes: vec![],
                        deleted: false,
                    },
                )?;
            }
            for s in [
                staff(STAFF_A, Role::Staff, Some(OUTLET_A)),
                staff(STAFF_A2, Role::Staff, Some(OUTLET_A)),
                staff(MANAGER_A, Role::StoreManager, Some(OUTLET_A)),
                staff(STAFF_B, Role::Staff, Some(OUTLET_B)),
                staff(DIRECTOR, Role::Director, None),
            ] {
                catalog::put_staff(tx, &s)?;
            }
            Ok(())
        })
        .unwrap();
        let now = OffsetDateTime::now_utc();
        let enrol = |outlet: &str, station: &str| {
            let e = devices::enroll(
                &*store,
                outlet,
                station,
                &crate::references::ReferenceConfig::default(),
                now,
            )
            .unwrap();
            devices::authenticate(&*store, &e.token).unwrap().unwrap()
        };
        let dev_a1 = enrol(OUTLET_A, "bench 1");
        let dev_a2 = enrol(OUTLET_A, "bench 2");
        let dev_b = enrol(OUTLET_B, "receiving");
        Self {
            _dir: dir,
            store,
            dev_a1,
            dev_a2,
            dev_b,
            seqs: Default::default(),
        }
    }

    /// Wraps mutations in envelopes with the device's next seqs.
    pub fn envelopes(
        &mut self,
        device: &DeviceRecord,
        actor: &str,
        ms: Vec<Mutation>,
    ) -> Vec<MutationEnvelope> {
        let seq = self.seqs.entry(device.id.clone()).or_insert(0);
        ms.into_iter()
            .map(|m| {
                *seq += 1;
                MutationEnvelope {
                    seq: *seq,
                    mutation_id: Uuid::now_v7(),
                    created_at: OffsetDateTime::now_utc(),
                    actor: Actor {
                        staff_id: actor.into(),
                    },
                    mutation: m,
                }
            })
            .collect()
    }

    pub fn push_envelopes(&self, device: &DeviceRecord, envs: &[MutationEnvelope]) -> PushResponse {
        let parsed = ParsedPush {
            client_id: device.id.clone(),
            mutations: envs.iter().cloned().map(Ok).collect(),
        };
        apply_push(
            &*self.store,
            device,
            &parsed,
            OffsetDateTime::now_utc(),
            &crate::config::Policies::default(),
        )
        .unwrap()
    }

    /// Pushes mutations as outlet A's staff member from its first device; returns the
    /// outcomes.
    pub fn push_a1(&mut self, ms: Vec<Mutation>) -> Vec<MutationOutcome> {
        let device = self.dev_a1.clone();
        self.push(&device, STAFF_A, ms)
    }

    /// Pushes mutations as `actor` from `device`; returns the outcomes.
    pub fn push(
        &mut self,
        device: &DeviceRecord,
        actor: &str,
        ms: Vec<Mutation>,
    ) -> Vec<MutationOutcome> {
        let device = device.clone();
        let envs = self.envelopes(&device, actor, ms);
        self.push_envelopes(&device, &envs)
            .results
            .into_iter()
            .map(|r| r.outcome)
            .collect()
    }

    pub fn consignment(&self, id: Uuid) -> ConsignmentRow {
        crate::store::read_with(&*self.store, |tx| crate::pull::consignment_row(tx, id))
            .unwrap()
            .unwrap()
    }
}

pub fn code(o: &MutationOutcome) -> &str {
    match o {
        MutationOutcome::Rejected { code, .. } => code,
        MutationOutcome::Applied => "APPLIED",
        MutationOutcome::Duplicate => "DUPLICATE",
    }
}

pub fn transfer(id: Uuid, lines: &[(usize, i64)]) -> Mutation {
    Mutation::ConsignmentCreated(ConsignmentCreated {
        consignment_id: id,
        kind: ConsignmentKind::OutletTransfer,
        reference: format!("TR-OUT-{}", &id.simple().to_string()[..8]),
        source_outlet_id: Some(OUTLET_A.into()),
        destination_outlet_id: Some(OUTLET_B.into()),
        supplier_id: None,
        status: ConsignmentStatus::Draft,
        lines: lines
            .iter()
            .map(|&(p, q)| LineDraft {
                line_id: None,
                product_id: product(p),
                expected_qty: Decimal::from(q),
                unit_cost: None,
            })
            .collect(),
    })
}

pub fn purchase_order(id: Uuid, lines: &[(usize, i64)]) -> Mutation {
    let Mutation::ConsignmentCreated(mut c) = transfer(id, lines) else {
        unreachable!()
    };
    c.kind = ConsignmentKind::PurchaseOrder;
    c.source_outlet_id = None;
    c.destination_outlet_id = Some(OUTLET_A.into());
    c.supplier_id = Some(SUPPLIER.into());
    Mutation::ConsignmentCreated(c)
}

pub fn go(id: Uuid, from: ConsignmentStatus, to: ConsignmentStatus) -> Mutation {
    Mutation::StatusTransitionRequested(StatusTransitionRequested {
        consignment_id: id,
        from,
        to,
        reason: Some("test".into()),
    })
}

pub fn pack(id: Uuid, p: usize, delta: i64, device: &DeviceRecord) -> Mutation {
    Mutation::ScanRecorded(ScanRecorded {
        event_id: Uuid::now_v7(),
        consignment_id: id,
        purpose: ScanPurpose::Pack,
        product_id: product(p),
        box_id: None,
        delta: Decimal::from(delta),
        raw_code: None,
        device_id: device.id.clone(),
        at: OffsetDateTime::now_utc(),
        by: STAFF_A.into(),
        over_pack_reason: None,
        undoes: None,
    })
}

pub fn receive(id: Uuid, lines: &[(usize, i64)]) -> Mutation {
    Mutation::ReceiptSessionRecorded(ReceiptSessionRecorded {
        consignment_id: id,
        session_id: Uuid::now_v7(),
        lines: lines
            .iter()
            .map(|&(p, q)| ReceivedLine {
                product_id: product(p),
                received: Decimal::from(q),
                damaged: Decimal::ZERO,
            })
            .collect(),
        variances: vec![],
        evidence: vec![],
    })
}

pub fn close_receipt(id: Uuid) -> Mutation {
    Mutation::ReceiptClosed(ReceiptClosed {
        consignment_id: id,
        signature: Some(EvidenceRef {
            sha256: "ab".repeat(32),
            kind: "signature".into(),
            product_id: None,
        }),
        confirmed_by: None,
        pin_verified: false,
    })
}

pub fn line_set(id: Uuid, p: usize, q: i64) -> Mutation {
    Mutation::LineSet(LineSet {
        consignment_id: id,
        line_id: None,
        product_id: product(p),
        expected_qty: Decimal::from(q),
        unit_cost: None,
    })
}
