//! Open consignments for the demo, pushed through the hub's sync API by enrolled
//! devices, so they pass the same domain checks and sagas as a real station's work.

use std::time::Duration;

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentReference, ConsignmentStatus as S, Decision, Role};
use tally_hub::{HubError, HubHandle};
use tally_sync::outlet::HubClient;
use tally_sync::{
    Actor, BoxClosed, BoxOpened, ConsignmentCreated, LineDraft, Mutation, MutationEnvelope,
    MutationOutcome, ReferenceBlock, ScanPurpose, ScanRecorded, StatusTransitionRequested,
    WeightSource,
};
use tally_testkit::demo_data::{DemoData, DemoProduct};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::staff::DemoStaff;

/// What the demo seeded, by purpose.
#[derive(Debug, Clone, Default)]
pub struct Seeded {
    /// Outgoing transfer of 20 lines, ready to pack.
    pub transfer_to_pack: Option<String>,
    /// A smaller outgoing transfer in draft.
    pub small_transfer: Option<String>,
    /// Incoming transfer packed and sent by the warehouse.
    pub incoming_transfer: Option<String>,
    /// Purchase order in draft.
    pub draft_po: Option<String>,
    /// Purchase order approved and sent to its supplier, ready to receive.
    pub sent_po: Option<String>,
    /// Supplier return in draft.
    pub draft_return: Option<String>,
    /// Mutations the hub refused while seeding (code: message); empty when all went in.
    pub refused: Vec<String>,
}

/// Pushes as one enrolled device.
struct Device {
    client: HubClient,
    seq: u64,
    /// Reference numbers the hub issued to this device at enrolment.
    block: Option<ReferenceBlock>,
}

impl Device {
    async fn enrol(hub: &HubHandle, outlet_id: &str, name: &str) -> Result<Self, HubError> {
        let e = hub.hub().enroll_device(outlet_id, name).await?;
        let client = HubClient::new(
            &hub.base_url,
            &e.device_id,
            &e.token,
            Duration::from_secs(30),
        )
        .map_err(|err| HubError::Config(err.to_string()))?;
        Ok(Self {
            client,
            seq: 0,
            block: e.reference_block,
        })
    }

    /// Pushes `mutations` as `staff`; returns the refusals as `code: message`.
    async fn push(
        &mut self,
        staff: &str,
        mutations: Vec<Mutation>,
    ) -> Result<Vec<String>, HubError> {
        let envs: Vec<MutationEnvelope> = mutations
            .into_iter()
            .map(|m| {
                self.seq += 1;
                MutationEnvelope {
                    seq: self.seq,
                    mutation_id: Uuid::now_v7(),
                    created_at: OffsetDateTime::now_utc(),
                    actor: Actor {
                        staff_id: staff.to_string(),
                    },
                    mutation: m,
                }
            })
            .collect();
        let resp = self
            .client
            .push(envs)
            .await
            .map_err(|e| HubError::Config(e.to_string()))?;
        Ok(resp
            .results
            .into_iter()
            .filter_map(|r| match r.outcome {
                MutationOutcome::Rejected { code, message } => Some(format!("{code}: {message}")),
                _ => None,
            })
            .collect())
    }
}

/// References from a seeding device's own block, as a station would take them.
struct References {
    block: ReferenceBlock,
    used: u32,
}

impl References {
    fn of(device: &Device) -> Result<Self, HubError> {
        let block = device.block.ok_or_else(|| {
            HubError::Config("the hub issued no reference numbers to the demo".into())
        })?;
        Ok(Self { block, used: 0 })
    }

    fn take(&mut self, kind: ConsignmentKind) -> Result<String, HubError> {
        let n = self.block.first + self.used;
        if n > self.block.last {
            return Err(HubError::Config(
                "the demo used up its block of reference numbers".into(),
            ));
        }
        self.used += 1;
        let today = OffsetDateTime::now_utc().date();
        ConsignmentReference::for_date(kind, today, n)
            .map(|r| r.to_string())
            .map_err(|e| HubError::Config(e.to_string()))
    }
}

fn lines(products: &[&DemoProduct], qty: impl Fn(usize) -> i64, with_cost: bool) -> Vec<LineDraft> {
    products
        .iter()
        .enumerate()
        .map(|(i, p)| LineDraft {
            line_id: Some(Uuid::now_v7()),
            product_id: p.id.clone(),
            expected_qty: Decimal::from(qty(i)),
            unit_cost: with_cost.then_some(p.supply_price),
        })
        .collect()
}

fn created(
    id: Uuid,
    kind: ConsignmentKind,
    reference: String,
    from: Option<&str>,
    to: Option<&str>,
    supplier: Option<&str>,
    lines: Vec<LineDraft>,
) -> Mutation {
    Mutation::ConsignmentCreated(ConsignmentCreated {
        consignment_id: id,
        kind,
        reference,
        source_outlet_id: from.map(str::to_string),
        destination_outlet_id: to.map(str::to_string),
        supplier_id: supplier.map(str::to_string),
        status: S::Draft,
        lines,
    })
}

fn go(id: Uuid, from: S, to: S) -> Mutation {
    Mutation::StatusTransitionRequested(StatusTransitionRequested {
        consignment_id: id,
        from,
        to,
        reason: None,
    })
}

fn staff_at<'a>(staff: &'a [DemoStaff], outlet: &str, role: Role) -> &'a DemoStaff {
    staff
        .iter()
        .find(|s| s.outlet_id.as_deref() == Some(outlet) && s.role == role)
        .or_else(|| staff.iter().find(|s| s.role == role))
        .expect("demo staff exist for every role")
}

/// Seeds the station outlet's open consignments (see [`Seeded`]).
pub async fn seed_consignments(
    hub: &HubHandle,
    data: &DemoData,
    station_outlet: &str,
    staff: &[DemoStaff],
) -> Result<Seeded, HubError> {
    let mut out = Seeded::default();
    let warehouse = data.warehouse().id.clone();
    let other_store = data
        .outlets
        .iter()
        .find(|o| !o.is_warehouse && o.id != station_outlet)
        .map(|o| o.id.clone())
        .unwrap_or_else(|| warehouse.clone());
    let mut station = Device::enrol(hub, station_outlet, "Demo seeding (station outlet)").await?;
    let mut depot = Device::enrol(hub, &warehouse, "Demo seeding (warehouse)").await?;
    let mut refs = References::of(&station)?;
    let clerk = staff_at(staff, station_outlet, Role::Staff).id.clone();
    let manager = staff_at(staff, station_outlet, Role::StoreManager)
        .id
        .clone();
    let depot_clerk = staff_at(staff, &warehouse, Role::Staff).id.clone();

    // Products with weights, from a few suppliers, spread over the catalog.
    let weighed: Vec<&DemoProduct> = data
        .products
        .iter()
        .filter(|p| p.weight_grams.is_some() && p.active)
        .collect();
    // Distinct products, spread over the catalog, wrapping round a small one.
    let pick = |start: usize, n: usize| -> Vec<&DemoProduct> {
        (0..n.min(weighed.len()))
            .map(|i| weighed[(start + i * 7) % weighed.len()])
            .collect()
    };

    // 1. A 20-line transfer to another store, ready to pack.
    let t1 = Uuid::now_v7();
    let r1 = refs.take(ConsignmentKind::OutletTransfer)?;
    out.refused.extend(
        station
            .push(
                &clerk,
                vec![created(
                    t1,
                    ConsignmentKind::OutletTransfer,
                    r1.clone(),
                    Some(station_outlet),
                    Some(&other_store),
                    None,
                    lines(&pick(0, 20), |i| 1 + (i % 3) as i64, false),
                )],
            )
            .await?,
    );
    out.transfer_to_pack = Some(r1);

    // 2. A small transfer back to the warehouse, in draft.
    let t2 = Uuid::now_v7();
    let r2 = refs.take(ConsignmentKind::OutletTransfer)?;
    out.refused.extend(
        station
            .push(
                &clerk,
                vec![created(
                    t2,
                    ConsignmentKind::OutletTransfer,
                    r2.clone(),
                    Some(station_outlet),
                    Some(&warehouse),
                    None,
                    lines(&pick(200, 5), |_| 2, false),
                )],
            )
            .await?,
    );
    out.small_transfer = Some(r2);

    // 3. An incoming transfer the warehouse packed, weighed and sent.
    let t3 = Uuid::now_v7();
    let r3 = refs.take(ConsignmentKind::OutletTransfer)?;
    let incoming = pick(400, 8);
    let box_id = Uuid::now_v7();
    let mut ms = vec![
        created(
            t3,
            ConsignmentKind::OutletTransfer,
            r3.clone(),
            Some(&warehouse),
            Some(station_outlet),
            None,
            lines(&incoming, |_| 2, false),
        ),
        go(t3, S::Draft, S::Packing),
        Mutation::BoxOpened(BoxOpened {
            consignment_id: t3,
            box_id,
            number: 1,
            container: "box_m".into(),
        }),
    ];
    let mut grams = 2_000u32;
    for p in &incoming {
        grams += 2 * p.weight_grams.unwrap_or(100);
        ms.push(Mutation::ScanRecorded(ScanRecorded {
            event_id: Uuid::now_v7(),
            consignment_id: t3,
            purpose: ScanPurpose::Pack,
            product_id: p.id.clone(),
            box_id: Some(box_id),
            delta: Decimal::from(2),
            raw_code: Some(p.ean13().to_string()),
            device_id: "warehouse-scanner".into(),
            at: OffsetDateTime::now_utc(),
            by: depot_clerk.clone(),
            over_pack_reason: None,
            undoes: None,
        }));
    }
    ms.push(Mutation::BoxClosed(BoxClosed {
        consignment_id: t3,
        box_id,
        weight_grams: grams,
        weight_source: WeightSource::Scale {
            scale_id: "warehouse-scale".into(),
        },
        dimensions: None,
        tracking_number: None,
    }));
    ms.push(go(t3, S::Packing, S::Packed));
    ms.push(go(t3, S::Packed, S::Sent));
    out.refused.extend(depot.push(&depot_clerk, ms).await?);
    out.incoming_transfer = Some(r3);

    // 4. A purchase order in draft, and 5. one approved and sent, ready to receive.
    let supplier_of = |p: &DemoProduct| data.suppliers[p.supplier].id.clone();
    let by_supplier: Vec<&DemoProduct> = {
        let first = weighed.first().map(|p| p.supplier).unwrap_or(0);
        weighed
            .iter()
            .filter(|p| p.supplier == first)
            .copied()
            .collect()
    };
    let supplier = by_supplier
        .first()
        .map(|p| supplier_of(p))
        .unwrap_or_else(|| data.suppliers[0].id.clone());
    let po1 = Uuid::now_v7();
    let rp1 = refs.take(ConsignmentKind::PurchaseOrder)?;
    out.refused.extend(
        station
            .push(
                &clerk,
                vec![created(
                    po1,
                    ConsignmentKind::PurchaseOrder,
                    rp1.clone(),
                    None,
                    Some(station_outlet),
                    Some(&supplier),
                    lines(
                        &by_supplier.iter().take(6).copied().collect::<Vec<_>>(),
                        |i| 4 + i as i64,
                        true,
                    ),
                )],
            )
            .await?,
    );
    out.draft_po = Some(rp1);

    let po2 = Uuid::now_v7();
    let rp2 = refs.take(ConsignmentKind::PurchaseOrder)?;
    let po2_lines: Vec<&DemoProduct> = by_supplier.iter().skip(6).take(5).copied().collect();
    out.refused.extend(
        station
            .push(
                &clerk,
                vec![
                    created(
                        po2,
                        ConsignmentKind::PurchaseOrder,
                        rp2.clone(),
                        None,
                        Some(station_outlet),
                        Some(&supplier),
                        lines(&po2_lines, |_| 6, true),
                    ),
                    go(po2, S::Draft, S::PendingApproval),
                ],
            )
            .await?,
    );
    out.refused.extend(
        station
            .push(
                &manager,
                vec![
                    Mutation::ApprovalDecided(tally_sync::ApprovalDecided {
                        consignment_id: po2,
                        approval_id: Uuid::now_v7(),
                        decision: Decision::Approve {
                            comment: Some("Regular weekly order".into()),
                        },
                        by: manager.clone(),
                        pin_verified: true,
                    }),
                    // The decision itself moves it to approved when the tier is satisfied.
                    go(po2, S::Approved, S::Sent),
                ],
            )
            .await?,
    );
    out.sent_po = Some(rp2);

    // 6. A supplier return in draft.
    let rt = Uuid::now_v7();
    let rr = refs.take(ConsignmentKind::SupplierReturn)?;
    out.refused.extend(
        station
            .push(
                &clerk,
                vec![created(
                    rt,
                    ConsignmentKind::SupplierReturn,
                    rr.clone(),
                    Some(station_outlet),
                    None,
                    Some(&supplier),
                    lines(
                        &by_supplier
                            .iter()
                            .skip(11)
                            .take(2)
                            .copied()
                            .collect::<Vec<_>>(),
                        |_| 1,
                        true,
                    ),
                )],
            )
            .await?,
    );
    out.draft_return = Some(rr);

    for r in &out.refused {
        tracing::warn!(refusal = %r, "demo seeding: the hub refused a mutation");
    }
    Ok(out)
}
