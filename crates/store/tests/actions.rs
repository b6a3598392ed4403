//! User actions: each is one transaction with its rows, one outbox mutation and one
//! audit entry; refused actions write nothing.

mod common;

use common::{d, Fixture};
use tally_domain::{ConsignmentKind, ConsignmentStatus, Role};
use tally_store::*;
use uuid::Uuid;

#[test]
fn a_scan_writes_its_event_outbox_mutation_and_audit_entry_together() {
    let f = Fixture::new();
    let before_outbox = f.count("SELECT COUNT(*) FROM outbox");
    let ack = f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    assert_eq!(ack.line_total, 1);
    assert_eq!(ack.expected_qty, Some(d("3")));
    assert_eq!(f.count("SELECT COUNT(*) FROM outbox"), before_outbox + 1);
    let e = f.store.scan_event(ack.event_id).unwrap();
    assert_eq!(e.mutation_id, Some(ack.mutation.mutation_id));
    let m = f
        .store
        .outbox_entry(ack.mutation.mutation_id)
        .unwrap()
        .unwrap();
    assert_eq!(m.kind, "scan.recorded");
    assert_eq!(m.seq, ack.mutation.seq);
    assert_eq!(m.consignment_id, Some(f.transfer));
    assert_eq!(m.payload["id"], ack.event_id.to_string());
    let audit = f
        .store
        .audit_entries_for("scan_event", &ack.event_id.to_string())
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].mutation_id, Some(ack.mutation.mutation_id));
    assert_eq!(audit[0].actor, format!("staff:{}", f.packer));
}

#[test]
fn packed_is_derived_from_scan_events_and_an_undo_subtracts() {
    let f = Fixture::new();
    f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let ack = f.store.record_scan(f.scan(f.mug, 5)).unwrap();
    assert_eq!(ack.line_total, 7);
    let undo = f
        .store
        .undo_last_scan(f.packer, f.transfer, "scanner-1")
        .unwrap();
    assert_eq!(undo.line_total, 2);
    let undone = f.store.scan_event(undo.event_id).unwrap();
    assert_eq!(undone.delta, -5);
    assert_eq!(undone.undoes, Some(ack.event_id));
    let lines = f.store.consignment_lines(f.transfer).unwrap();
    let mug = lines.iter().find(|l| l.line.product_id == f.mug).unwrap();
    assert_eq!(mug.packed, 2);
    // the next undo takes the previous scan, not the undone one again
    let undo2 = f
        .store
        .undo_last_scan(f.packer, f.transfer, "scanner-1")
        .unwrap();
    assert_eq!(undo2.line_total, 1);
}

#[test]
fn a_scan_can_be_undone_once_and_an_undo_cannot_be_undone() {
    let f = Fixture::new();
    let ack = f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let undo = f
        .store
        .transact(&f.packer(), |t| t.undo_scan(ack.event_id, "scanner-1"))
        .unwrap();
    let again = f
        .store
        .transact(&f.packer(), |t| t.undo_scan(ack.event_id, "scanner-1"))
        .unwrap_err();
    assert_eq!(again.code(), "BAD_INPUT");
    let undo_undo = f
        .store
        .transact(&f.packer(), |t| t.undo_scan(undo.event_id, "scanner-1"))
        .unwrap_err();
    assert_eq!(undo_undo.code(), "BAD_INPUT");
}

#[test]
fn scan_events_refuse_update_and_delete_even_with_raw_sql() {
    let f = Fixture::new();
    f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let raw = f.raw();
    let up = raw
        .execute("UPDATE scan_events SET delta = 100", [])
        .unwrap_err();
    assert!(up.to_string().contains("append-only"), "{up}");
    let del = raw.execute("DELETE FROM scan_events", []).unwrap_err();
    assert!(del.to_string().contains("append-only"), "{del}");
}

#[test]
fn a_refused_scan_writes_nothing() {
    let f = Fixture::new();
    let outbox = f.count("SELECT COUNT(*) FROM outbox");
    let audit = f.count("SELECT COUNT(*) FROM audit_log");
    assert_eq!(
        f.store.record_scan(f.scan(f.mug, 0)).unwrap_err().code(),
        "BAD_INPUT"
    );
    assert_eq!(
        f.store
            .record_scan(f.scan(Uuid::now_v7(), 1))
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
    let mut wrong = f.scan(f.mug, 1);
    wrong.consignment_id = Uuid::now_v7();
    assert_eq!(f.store.record_scan(wrong).unwrap_err().code(), "NOT_FOUND");
    assert_eq!(f.count("SELECT COUNT(*) FROM outbox"), outbox);
    assert_eq!(f.count("SELECT COUNT(*) FROM audit_log"), audit);
    assert_eq!(f.count("SELECT COUNT(*) FROM scan_events"), 0);
}

#[test]
fn a_terminal_consignment_takes_no_more_scans() {
    let f = Fixture::new();
    let c = f.store.consignment(f.transfer).unwrap();
    f.store
        .set_consignment_status(
            &f.packer(),
            f.transfer,
            c.version,
            ConsignmentStatus::Cancelled,
        )
        .unwrap();
    let e = f.store.record_scan(f.scan(f.mug, 1)).unwrap_err();
    assert_eq!(e.code(), "BAD_INPUT");
    assert!(e.to_string().contains("cancelled"), "{e}");
}

#[test]
fn an_action_that_skips_its_audit_entry_is_refused_and_rolled_back() {
    let f = Fixture::new();
    let outbox = f.count("SELECT COUNT(*) FROM outbox");
    let e = f
        .store
        .transact(&f.packer(), |t| {
            t.enqueue("sneaky", None, &serde_json::json!({}))?;
            Ok(())
        })
        .unwrap_err();
    assert_eq!(e.code(), "INCOMPLETE_ACTION");
    let e = f
        .store
        .transact(&f.packer(), |t| {
            t.audit("sneaky", "x", "y", None::<&()>, None::<&()>, None)?;
            Ok(())
        })
        .unwrap_err();
    assert_eq!(e.code(), "INCOMPLETE_ACTION");
    assert_eq!(f.count("SELECT COUNT(*) FROM outbox"), outbox);
    f.store.verify_audit_chain().unwrap();
}

#[test]
fn an_error_midway_rolls_back_every_row_of_the_action() {
    let f = Fixture::new();
    let outbox = f.count("SELECT COUNT(*) FROM outbox");
    let e = f
        .store
        .transact(&f.packer(), |t| {
            t.record_scan(f.scan(f.mug, 1))?;
            t.record_scan(f.scan(f.mug, 0)) // refused: the first must vanish too
        })
        .unwrap_err();
    assert_eq!(e.code(), "BAD_INPUT");
    assert_eq!(f.count("SELECT COUNT(*) FROM scan_events"), 0);
    assert_eq!(f.count("SELECT COUNT(*) FROM outbox"), outbox);
}

#[test]
fn domain_errors_pass_through_transact_with_their_own_code() {
    let f = Fixture::new();
    let e = f
        .store
        .transact(&f.packer(), |_t| -> Result<()> {
            Err(tally_domain::DomainError::IllegalTransition {
                kind: "outlet_transfer",
                from: "received",
                to: "packing",
            }
            .into())
        })
        .unwrap_err();
    assert_eq!(e.code(), "ILLEGAL_TRANSITION");
}

#[test]
fn a_stale_status_change_is_a_version_conflict() {
    let f = Fixture::new();
    let c = f.store.consignment(f.transfer).unwrap();
    let next = f
        .store
        .set_consignment_status(
            &f.packer(),
            f.transfer,
            c.version,
            ConsignmentStatus::Packed,
        )
        .unwrap();
    assert_eq!(next.version, c.version + 1);
    let e = f
        .store
        .set_consignment_status(&f.packer(), f.transfer, c.version, ConsignmentStatus::Sent)
        .unwrap_err();
    assert_eq!(e.code(), "VERSION_CONFLICT");
    let audit = f
        .store
        .audit_entries_for("consignment", &f.transfer.to_string())
        .unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.before.as_ref().unwrap()["status"], "packing");
    assert_eq!(last.after.as_ref().unwrap()["status"], "packed");
}

#[test]
fn boxes_number_up_and_a_closed_box_takes_no_scans_or_weights() {
    let f = Fixture::new();
    let a = f.packer();
    let b1 = f.store.open_box(&a, f.transfer, "carton-m").unwrap();
    let b2 = f.store.open_box(&a, f.transfer, "satchel").unwrap();
    assert_eq!((b1.number, b2.number), (1, 2));
    let w = f
        .store
        .update_box(
            &a,
            b1.id,
            BoxChange::Weigh {
                weight: Weight::Scale {
                    grams: 2350,
                    scale_id: "scale-1".into(),
                    stable: true,
                },
            },
        )
        .unwrap();
    assert_eq!(w.weight.as_ref().unwrap().grams(), 2350);
    let typed = f
        .store
        .update_box(
            &a,
            b2.id,
            BoxChange::Weigh {
                weight: Weight::Typed { grams: 800 },
            },
        )
        .unwrap();
    assert_eq!(typed.weight, Some(Weight::Typed { grams: 800 }));
    let mut s = f.scan(f.mug, 1);
    s.box_id = Some(b1.id);
    f.store.record_scan(s.clone()).unwrap();
    f.store.update_box(&a, b1.id, BoxChange::Close).unwrap();
    assert_eq!(f.store.record_scan(s).unwrap_err().code(), "BAD_INPUT");
    let e = f
        .store
        .update_box(
            &a,
            b1.id,
            BoxChange::Weigh {
                weight: Weight::Typed { grams: 1 },
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), "BAD_INPUT");
    // label and tracking still allowed after closing
    let label = ContentHash::of(b"%PDF label");
    let l = f
        .store
        .update_box(
            &a,
            b1.id,
            BoxChange::LabelPrinted {
                label: Some(label.clone()),
            },
        )
        .unwrap();
    assert_eq!(l.label_evidence, Some(label));
    assert!(l.label_printed_at.is_some());
    let boxes = f.store.boxes(f.transfer).unwrap();
    assert_eq!(boxes.len(), 2);
    assert_eq!(boxes[0], l);
}

#[test]
fn a_half_measured_weight_cannot_be_stored() {
    let f = Fixture::new();
    let b = f
        .store
        .open_box(&f.packer(), f.transfer, "carton-s")
        .unwrap();
    // The schema itself refuses a scale weight without its scale id.
    let e = f
        .raw()
        .execute(
            "UPDATE boxes SET weight_grams = 100, weight_source = 'scale' WHERE id = ?1",
            [b.id.to_string()],
        )
        .unwrap_err();
    assert!(e.to_string().contains("CHECK"), "{e}");
}

#[test]
fn receipts_add_up_across_sessions_and_a_recount_replaces_within_one() {
    let f = Fixture::new();
    let a = Actor::Staff(f.manager);
    let line = |qty: &str, damaged: &str| ReceiptLineInput {
        product_id: f.mug,
        received_qty: d(qty),
        damaged_qty: d(damaged),
        variance_reason: None,
        note: None,
        photos: vec![],
    };
    let r1 = f.store.start_receipt(&a, f.transfer).unwrap();
    f.store
        .record_receipt_line(&a, r1.id, line("1", "0"))
        .unwrap();
    let recount = f
        .store
        .record_receipt_line(&a, r1.id, line("2", "0"))
        .unwrap();
    assert_eq!(recount.received_qty, d("2"));
    f.store
        .close_receipt(
            &a,
            r1.id,
            ReceiptClose {
                signed_by: f.manager,
                signature_strokes: Some(serde_json::json!([[0, 0], [10, 5]])),
                signature_png: Some(ContentHash::of(b"png")),
                driver_signature_png: None,
                note: None,
            },
        )
        .unwrap();
    assert_eq!(
        f.store
            .record_receipt_line(&a, r1.id, line("3", "0"))
            .unwrap_err()
            .code(),
        "BAD_INPUT",
        "a closed session takes no more lines"
    );
    let r2 = f.store.start_receipt(&a, f.transfer).unwrap();
    let photo = ContentHash::of(b"photo of dent");
    let mut dmg = line("1.5", "0.5");
    dmg.variance_reason = Some(VarianceReason::Damaged);
    dmg.photos = vec![photo.clone()];
    let l = f.store.record_receipt_line(&a, r2.id, dmg).unwrap();
    assert_eq!(l.photos, vec![photo]);
    assert_eq!(l.variance_reason, Some(VarianceReason::Damaged));
    let lines = f.store.consignment_lines(f.transfer).unwrap();
    let mug = lines.iter().find(|l| l.line.product_id == f.mug).unwrap();
    assert_eq!(mug.received, d("3.5"));
    assert_eq!(mug.damaged, d("0.5"));
    let e = f
        .store
        .record_receipt_line(&a, r2.id, line("1", "2"))
        .unwrap_err();
    assert_eq!(e.code(), "BAD_INPUT", "damaged cannot exceed received");
    assert_eq!(f.store.receipts_for(f.transfer).unwrap().len(), 2);
}

#[test]
fn approvals_are_recorded_with_who_and_when() {
    let f = Fixture::new();
    let a = Actor::Staff(f.manager);
    let po = f
        .store
        .create_consignment(
            &f.packer(),
            NewConsignment {
                kind: ConsignmentKind::PurchaseOrder,
                status: ConsignmentStatus::PendingApproval,
                source_outlet_id: None,
                destination_outlet_id: Some(f.here),
                supplier_id: Some(f.supplier),
                reference: "TR-PUR-202501-000002-00".into(),
            },
        )
        .unwrap();
    let ap = f
        .store
        .record_approval(
            &a,
            ApprovalInput {
                consignment_id: po.id,
                tier: 1,
                required_role: Role::StoreManager,
                decision: ApprovalDecision::Approve,
                reason: None,
                comment: Some("ok".into()),
            },
        )
        .unwrap();
    assert_eq!(ap.decided_by, f.manager);
    assert_eq!(f.store.approvals_for(po.id).unwrap(), vec![ap]);
    let sys = f
        .store
        .record_approval(
            &Actor::System("sync".into()),
            ApprovalInput {
                consignment_id: po.id,
                tier: 1,
                required_role: Role::StoreManager,
                decision: ApprovalDecision::Approve,
                reason: None,
                comment: None,
            },
        )
        .unwrap_err();
    assert_eq!(sys.code(), "BAD_INPUT", "only a person approves");
}

#[test]
fn the_open_list_shows_both_directions_with_counterparts_and_hides_terminal_ones() {
    let f = Fixture::new();
    let make = |kind, status, src, dst, sup, r: &str| {
        f.store
            .create_consignment(
                &f.packer(),
                NewConsignment {
                    kind,
                    status,
                    source_outlet_id: src,
                    destination_outlet_id: dst,
                    supplier_id: sup,
                    reference: r.into(),
                },
            )
            .unwrap()
    };
    let incoming = make(
        ConsignmentKind::OutletTransfer,
        ConsignmentStatus::Sent,
        Some(f.there),
        Some(f.here),
        None,
        "IN",
    );
    let po = make(
        ConsignmentKind::PurchaseOrder,
        ConsignmentStatus::Approved,
        None,
        Some(f.here),
        Some(f.supplier),
        "PO",
    );
    make(
        ConsignmentKind::OutletTransfer,
        ConsignmentStatus::Received,
        Some(f.there),
        Some(f.here),
        None,
        "DONE",
    );
    make(
        ConsignmentKind::OutletTransfer,
        ConsignmentStatus::Packing,
        Some(f.there),
        Some(f.there),
        None,
        "NOT-OURS",
    );
    let list = f.store.list_open_consignments(f.here).unwrap();
    let refs: Vec<&str> = list.iter().map(|c| c.reference.as_str()).collect();
    assert_eq!(refs.len(), 3, "{refs:?}");
    let out = list.iter().find(|c| c.id == f.transfer).unwrap();
    assert_eq!(out.direction, Direction::Outgoing);
    assert_eq!(out.counterpart_name.as_deref(), Some("Newmarket"));
    assert_eq!(out.line_count, 2);
    let inc = list.iter().find(|c| c.id == incoming.id).unwrap();
    assert_eq!(inc.direction, Direction::Incoming);
    assert_eq!(inc.counterpart_name.as_deref(), Some("Newmarket"));
    let p = list.iter().find(|c| c.id == po.id).unwrap();
    assert_eq!(p.counterpart_name.as_deref(), Some("Acme Homewares"));
    assert_eq!(p.kind, ConsignmentKind::PurchaseOrder);
}

#[test]
fn staff_list_is_per_outlet_and_pins_verify_without_exposing_hashes() {
    let f = Fixture::new();
    let list = f.store.list_staff(f.here).unwrap();
    let names: Vec<&str> = list.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, vec!["Aroha", "Mere"]);
    assert!(list.iter().all(|s| s.has_pin));
    assert!(!serde_json::to_string(&list).unwrap().contains("argon2"));
    assert!(f.store.verify_pin(f.packer, "1234").unwrap());
    assert!(!f.store.verify_pin(f.packer, "4321").unwrap());
    assert_eq!(
        f.store
            .verify_pin(Uuid::now_v7(), "1234")
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
    // the stored PIN is never the PIN itself
    let stored: String = f
        .raw()
        .query_row(
            "SELECT pin_hash FROM staff WHERE id = ?1",
            [f.packer.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains("1234"));
}

#[test]
fn an_inactive_staff_member_cannot_sign_in() {
    let f = Fixture::new();
    let mut s = common::staff(f.packer, Some(f.here), "Aroha", Role::Staff, Some("1234"));
    s.active = false;
    s.version = 2;
    f.store
        .apply_pulled(
            &PulledChanges {
                staff: vec![s],
                ..Default::default()
            },
            2,
        )
        .unwrap();
    assert!(!f.store.verify_pin(f.packer, "1234").unwrap());
    assert!(f
        .store
        .list_staff(f.here)
        .unwrap()
        .iter()
        .all(|m| m.id != f.packer));
}

#[test]
fn reference_numbers_come_from_the_blocks_in_order_and_a_rollback_gives_one_back() {
    let f = Fixture::new();
    f.store.add_reference_block(500, 501).unwrap();
    assert_eq!(
        f.store.add_reference_block(50, 60).unwrap_err().code(),
        "BAD_INPUT",
        "overlap refused"
    );
    let take = |fail: bool| {
        f.store.transact(&f.packer(), |t| {
            let n = t.next_reference_number()?;
            t.record_scan(f.scan(f.mug, if fail { 0 } else { 1 }))?;
            Ok(n)
        })
    };
    assert_eq!(take(false).unwrap(), 1);
    assert!(take(true).is_err());
    assert_eq!(
        take(false).unwrap(),
        2,
        "the failed action did not use up 2"
    );
    let info = f.store.station().unwrap().unwrap();
    assert_eq!(info.outlet_name, "Ponsonby");
    assert_eq!(info.reference_numbers_left, 98 + 2);
}

#[test]
fn the_same_block_again_is_a_no_op_and_the_pool_reports_what_is_left_and_the_top() {
    let f = Fixture::new();
    let store = &f.store;
    let pool = store.reference_pool().unwrap();
    assert_eq!(
        (pool.left, pool.highest),
        (100, 100),
        "the fixture's 1..=100"
    );
    store.add_reference_block(201, 400).unwrap();
    // The hub sends a block again until the station reports holding it.
    store.add_reference_block(201, 400).unwrap();
    let pool = store.reference_pool().unwrap();
    assert_eq!((pool.left, pool.highest), (300, 400));
    assert_eq!(
        store.add_reference_block(300, 500).unwrap_err().code(),
        "BAD_INPUT",
        "a different overlapping block is still refused"
    );
    store
        .transact(&f.packer(), |t| {
            let n = t.next_reference_number()?;
            t.record_scan(f.scan(f.mug, 1))?;
            Ok(n)
        })
        .unwrap();
    assert_eq!(store.reference_pool().unwrap().left, 299);
}

#[test]
fn running_out_of_reference_numbers_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("t.db")).unwrap();
    let pool = store.reference_pool().unwrap();
    assert_eq!((pool.left, pool.highest), (0, 0), "before any block");
    let e = store
        .transact(&Actor::System("test".into()), |t| t.next_reference_number())
        .unwrap_err();
    assert_eq!(e.code(), "REFERENCE_BLOCK_EXHAUSTED");
}

#[test]
fn a_station_keeps_its_identity() {
    let f = Fixture::new();
    let info = f.store.station().unwrap().unwrap();
    f.store
        .init_station(info.station_id, f.here, "Bench 1")
        .unwrap();
    let e = f
        .store
        .init_station(Uuid::now_v7(), f.here, "Bench 1")
        .unwrap_err();
    assert_eq!(e.code(), "BAD_INPUT");
    let e = f
        .store
        .init_station(info.station_id, Uuid::now_v7(), "x")
        .unwrap_err();
    assert_eq!(e.code(), "NOT_FOUND");
}

#[test]
fn setting_a_pin_sends_the_hash_but_audits_no_secret() {
    let f = Fixture::new();
    f.store
        .set_pin(&Actor::Staff(f.manager), f.packer, "2468")
        .unwrap();
    let audit = f
        .store
        .audit_entries_for("staff", &f.packer.to_string())
        .unwrap();
    let text = serde_json::to_string(&audit).unwrap();
    assert!(!text.contains("argon2") && !text.contains("2468"), "{text}");
    let m = f
        .store
        .outbox_entry(audit[0].mutation_id.unwrap())
        .unwrap()
        .unwrap();
    assert!(m.payload["pin_hash"]
        .as_str()
        .unwrap()
        .starts_with("$argon2id$"));
}

#[test]
fn a_pull_naming_cancelled_tracking_numbers_takes_them_off_the_boxes_only() {
    let f = Fixture::new();
    let a = f.packer();
    let b1 = f.store.open_box(&a, f.transfer, "carton-m").unwrap();
    let b2 = f.store.open_box(&a, f.transfer, "satchel").unwrap();
    for (b, n) in [(&b1, "OLD-1"), (&b2, "NEW-2")] {
        f.store
            .update_box(
                &a,
                b.id,
                BoxChange::Tracking {
                    tracking_number: n.into(),
                },
            )
            .unwrap();
    }
    let outbox = f.count("SELECT COUNT(*) FROM outbox");
    f.store
        .set_freight_tracking(&[FreightTrackingState {
            consignment_id: f.transfer,
            booking_id: "B2".into(),
            carrier_name: "NZ Post".into(),
            state: "booked".into(),
            carrier_status: None,
            changed_at: None,
            cancelled_tracking_numbers: vec!["OLD-1".into()],
        }])
        .unwrap();
    let numbers: Vec<Option<String>> = f
        .store
        .boxes(f.transfer)
        .unwrap()
        .into_iter()
        .map(|b| b.tracking_number)
        .collect();
    assert_eq!(numbers, [None, Some("NEW-2".to_owned())]);
    assert_eq!(
        f.count("SELECT COUNT(*) FROM outbox"),
        outbox,
        "a display fix: nothing is sent back to the hub"
    );
    let kept = f.store.freight_tracking(f.transfer).unwrap().unwrap();
    assert_eq!(kept.state, "booked");
}
