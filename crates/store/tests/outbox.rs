//! The outbox as the sync loop drives it.

mod common;

use common::Fixture;
use tally_domain::{ConsignmentKind, ConsignmentStatus};
use tally_store::*;
use time::{Duration, OffsetDateTime};

fn second_transfer(f: &Fixture) -> uuid::Uuid {
    f.store
        .create_consignment(
            &f.packer(),
            NewConsignment {
                kind: ConsignmentKind::OutletTransfer,
                status: ConsignmentStatus::Packing,
                source_outlet_id: Some(f.here),
                destination_outlet_id: Some(f.there),
                supplier_id: None,
                reference: "TR-OUT-2".into(),
            },
        )
        .unwrap()
        .id
}

/// Pushes everything currently pending as if the hub applied it.
fn drain(f: &Fixture) {
    let batch = f.store.next_pending(1000).unwrap();
    f.store
        .mark_in_flight(&batch.iter().map(|m| m.seq).collect::<Vec<_>>())
        .unwrap();
    for m in batch {
        f.store.mark_done(m.seq).unwrap();
    }
}

#[test]
fn sequence_numbers_strictly_increase_and_pending_comes_in_order() {
    let f = Fixture::new();
    let acks: Vec<_> = (0..5)
        .map(|_| f.store.record_scan(f.scan(f.mug, 1)).unwrap())
        .collect();
    assert!(acks
        .windows(2)
        .all(|w| w[0].mutation.seq < w[1].mutation.seq));
    let pending = f.store.next_pending(100).unwrap();
    let seqs: Vec<i64> = pending.iter().map(|m| m.seq).collect();
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(seqs, sorted);
    assert_eq!(f.store.last_seq().unwrap(), acks[4].mutation.seq);
    assert_eq!(f.store.next_pending(2).unwrap().len(), 2, "limit honoured");
}

#[test]
fn done_mutations_leave_the_queue_and_set_the_last_sync_time() {
    let f = Fixture::new();
    f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    assert!(
        f.store.sync_status().unwrap().last_sync_at.is_some(),
        "the fixture's pull counts"
    );
    drain(&f);
    let s = f.store.sync_status().unwrap();
    assert_eq!((s.pending, s.in_flight, s.needs_attention), (0, 0, 0));
    assert!(s.oldest_pending_at.is_none());
    assert!(f.store.next_pending(10).unwrap().is_empty());
    // seq never reused, even after everything is done
    let before = f.store.last_seq().unwrap();
    let ack = f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    assert_eq!(ack.mutation.seq, before + 1);
}

#[test]
fn a_rejected_mutation_holds_back_its_own_consignment_only() {
    let f = Fixture::new();
    drain(&f);
    let other = second_transfer(&f);
    let bad = f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let behind = f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let mut s = f.scan(f.mug, 1);
    s.consignment_id = other;
    f.store
        .set_line(&f.packer(), other, f.mug, common::d("1"), None)
        .unwrap();
    let unrelated = f.store.record_scan(s).unwrap();

    let batch = f.store.next_pending(100).unwrap();
    f.store
        .mark_in_flight(&batch.iter().map(|m| m.seq).collect::<Vec<_>>())
        .unwrap();
    f.store
        .mark_needs_attention(
            bad.mutation.mutation_id,
            "LINE_CLOSED",
            "the hub refused it",
        )
        .unwrap();
    // the hub never saw the others (say the push stopped at the rejection)
    for m in &batch {
        if m.mutation_id != bad.mutation.mutation_id {
            f.store
                .retry_later(m.mutation_id, OffsetDateTime::now_utc(), "not sent")
                .unwrap();
        }
    }
    let next: Vec<_> = f
        .store
        .next_pending(100)
        .unwrap()
        .into_iter()
        .map(|m| m.mutation_id)
        .collect();
    assert!(
        next.contains(&unrelated.mutation.mutation_id),
        "other consignment flows"
    );
    assert!(
        !next.contains(&behind.mutation.mutation_id),
        "same consignment waits"
    );
    let s = f.store.sync_status().unwrap();
    assert_eq!(s.needs_attention, 1);
    let list = f.store.needs_attention().unwrap();
    assert_eq!(list[0].last_error_code.as_deref(), Some("LINE_CLOSED"));

    // a person discards it: audited, and the consignment's queue moves again
    f.store
        .discard(&f.packer(), bad.mutation.mutation_id)
        .unwrap();
    let next: Vec<_> = f
        .store
        .next_pending(100)
        .unwrap()
        .into_iter()
        .map(|m| m.mutation_id)
        .collect();
    assert!(next.contains(&behind.mutation.mutation_id));
    let e = f
        .store
        .outbox_entry(bad.mutation.mutation_id)
        .unwrap()
        .unwrap();
    assert_eq!(e.state, OutboxState::Discarded);
    let audit = f
        .store
        .audit_entries_for("outbox", &bad.mutation.mutation_id.to_string())
        .unwrap();
    assert_eq!(audit[0].action, "outbox.discarded");
    f.store.verify_audit_chain().unwrap();
}

#[test]
fn a_mutation_waiting_to_retry_holds_back_later_ones_of_its_consignment() {
    let f = Fixture::new();
    drain(&f);
    let first = f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let second = f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let later = OffsetDateTime::now_utc() + Duration::minutes(5);
    f.store
        .retry_later(first.mutation.mutation_id, later, "503")
        .unwrap();
    assert!(
        f.store.next_pending(10).unwrap().is_empty(),
        "{:?}",
        second.mutation
    );
    let e = f
        .store
        .outbox_entry(first.mutation.mutation_id)
        .unwrap()
        .unwrap();
    assert_eq!(e.last_error.as_deref(), Some("503"));
    f.store
        .retry_later(first.mutation.mutation_id, OffsetDateTime::now_utc(), "503")
        .unwrap();
    assert_eq!(f.store.next_pending(10).unwrap().len(), 2);
}

#[test]
fn in_flight_mutations_are_pending_again_after_a_restart() {
    let f = Fixture::new();
    f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    let batch = f.store.next_pending(100).unwrap();
    f.store
        .mark_in_flight(&batch.iter().map(|m| m.seq).collect::<Vec<_>>())
        .unwrap();
    assert_eq!(f.store.sync_status().unwrap().in_flight, batch.len() as u64);
    let path = f.db_path();
    let Fixture { dir, store, .. } = f;
    drop(store);
    let again = Store::open(&path).unwrap();
    assert_eq!(again.open_report().requeued_in_flight, batch.len() as u64);
    let s = again.sync_status().unwrap();
    assert_eq!((s.pending, s.in_flight), (batch.len() as u64, 0));
    let m = again.outbox_entry(batch[0].mutation_id).unwrap().unwrap();
    assert_eq!(m.attempts, 1, "the attempt is remembered");
    drop(dir);
}

#[test]
fn done_is_final_and_unknown_mutations_are_not_found() {
    let f = Fixture::new();
    let ack = f.store.record_scan(f.scan(f.mug, 1)).unwrap();
    drain(&f);
    assert_eq!(
        f.store.mark_done(ack.mutation.seq).unwrap_err().code(),
        "NOT_FOUND"
    );
    assert_eq!(
        f.store
            .mark_needs_attention(ack.mutation.mutation_id, "X", "y")
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(
        f.store
            .discard(&f.packer(), ack.mutation.mutation_id)
            .unwrap_err()
            .code(),
        "BAD_INPUT"
    );
    assert_eq!(
        f.store
            .retry_later(uuid::Uuid::now_v7(), OffsetDateTime::now_utc(), "x")
            .unwrap_err()
            .code(),
        "NOT_FOUND"
    );
}

/// The hub refuses `mutation` (it was pushed and came back refused).
fn refuse(f: &Fixture, mutation: uuid::Uuid) {
    let batch = f.store.next_pending(1000).unwrap();
    f.store
        .mark_in_flight(&batch.iter().map(|m| m.seq).collect::<Vec<_>>())
        .unwrap();
    for m in batch {
        if m.mutation_id == mutation {
            f.store
                .mark_needs_attention(m.mutation_id, "ALREADY_SENT", "the hub refused it")
                .unwrap();
        } else {
            f.store
                .retry_later(m.mutation_id, OffsetDateTime::now_utc(), "not sent")
                .unwrap();
        }
    }
}

fn packed(f: &Fixture, product: uuid::Uuid) -> i64 {
    f.store
        .consignment_lines(f.transfer)
        .unwrap()
        .into_iter()
        .find(|l| l.line.product_id == product)
        .map_or(0, |l| l.packed)
}

/// The transfer as the hub has it: a lower version than ours, sent, the mug line only.
fn hub_view(f: &Fixture) -> PulledChanges {
    let mut consignment = f.store.consignment(f.transfer).unwrap();
    consignment.status = ConsignmentStatus::Sent;
    consignment.version = 1;
    let lines = f
        .store
        .consignment_lines(f.transfer)
        .unwrap()
        .into_iter()
        .filter(|l| l.line.product_id == f.mug)
        .map(|l| ConsignmentLine {
            version: 1,
            ..l.line
        })
        .collect();
    PulledChanges {
        consignments: vec![PulledConsignment {
            consignment,
            lines,
            boxes: Vec::new(),
        }],
        ..Default::default()
    }
}

#[test]
fn discarding_takes_back_its_scans_and_the_hubs_view_replaces_the_stations() {
    let f = Fixture::new();
    drain(&f);
    let refused = f.store.record_scan(f.scan(f.mug, 2)).unwrap();
    let empty_box = f
        .store
        .open_box(&f.packer(), f.transfer, "carton-medium")
        .unwrap();
    let behind = f.store.record_scan(f.scan(f.plate, 1)).unwrap();
    refuse(&f, refused.mutation.mutation_id);
    assert_eq!(
        packed(&f, f.mug),
        2,
        "refused, still counted until a person decides"
    );
    assert!(f.store.consignments_to_refresh().unwrap().is_empty());

    f.store
        .discard(&f.packer(), refused.mutation.mutation_id)
        .unwrap();
    assert_eq!(packed(&f, f.mug), 0, "its units are taken back at once");
    assert_eq!(packed(&f, f.plate), 1, "other scans stay");
    let events = f.store.scan_events(f.transfer).unwrap();
    let back = events.last().unwrap();
    assert_eq!(
        (back.delta, back.undoes, back.mutation_id),
        (-2, Some(refused.event_id), None)
    );
    assert_eq!(f.store.consignments_to_refresh().unwrap(), vec![f.transfer]);
    // Discarding twice is refused and takes nothing back twice.
    assert!(f
        .store
        .discard(&f.packer(), refused.mutation.mutation_id)
        .is_err());
    assert_eq!(packed(&f, f.mug), 0);

    // The plate scan still waits for the hub: the hub's view must not overwrite it yet.
    assert_eq!(
        f.store
            .refresh_consignment(f.transfer, &hub_view(&f))
            .unwrap(),
        Refreshed::Waiting
    );
    assert_eq!(f.store.consignments_to_refresh().unwrap(), vec![f.transfer]);
    assert_eq!(
        f.store.consignment(f.transfer).unwrap().status,
        ConsignmentStatus::Packing
    );

    // Once nothing waits, the hub's view wins even with a lower version: its status,
    // its lines only, and no empty box the hub never had.
    drain(&f);
    assert_ne!(behind.event_id, refused.event_id);
    assert_eq!(
        f.store
            .refresh_consignment(f.transfer, &hub_view(&f))
            .unwrap(),
        Refreshed::Replaced
    );
    let c = f.store.consignment(f.transfer).unwrap();
    assert_eq!((c.status, c.version), (ConsignmentStatus::Sent, 1));
    let lines: Vec<_> = f
        .store
        .consignment_lines(f.transfer)
        .unwrap()
        .into_iter()
        .filter(|l| !l.line.deleted)
        .map(|l| l.line.product_id)
        .collect();
    assert_eq!(lines, vec![f.mug]);
    assert!(f
        .store
        .boxes(f.transfer)
        .unwrap()
        .iter()
        .all(|b| b.id != empty_box.id));
    assert!(f.store.consignments_to_refresh().unwrap().is_empty());
    f.store.verify_audit_chain().unwrap();
}

#[test]
fn a_consignment_the_hub_never_accepted_is_cancelled_here_after_the_discard() {
    let f = Fixture::new();
    let other = second_transfer(&f);
    let created = f
        .store
        .next_pending(1000)
        .unwrap()
        .into_iter()
        .find(|m| m.consignment_id == Some(other))
        .unwrap();
    refuse(&f, created.mutation_id);
    f.store.discard(&f.packer(), created.mutation_id).unwrap();
    assert_eq!(
        f.store
            .refresh_consignment(other, &PulledChanges::default())
            .unwrap(),
        Refreshed::NotAtHub
    );
    assert_eq!(
        f.store.consignment(other).unwrap().status,
        ConsignmentStatus::Cancelled
    );
    assert!(f.store.consignments_to_refresh().unwrap().is_empty());
}
