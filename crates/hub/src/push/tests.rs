use rust_decimal::Decimal;
use tally_domain::ConsignmentStatus as S;
use tally_sync::*;
use uuid::Uuid;

use crate::store::{read_with, SagaState};
use crate::testing::*;

#[test]
fn a_replayed_push_is_a_duplicate_and_changes_nothing() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let dev = f.dev_a1.clone();
    let envs = f.envelopes(
        &dev,
        STAFF_A,
        vec![
            transfer(id, &[(0, 5)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 2, &dev),
        ],
    );
    let first = f.push_envelopes(&dev, &envs);
    assert!(first
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Applied));
    let before = f.consignment(id);
    let again = f.push_envelopes(&dev, &envs);
    assert!(again
        .results
        .iter()
        .all(|r| r.outcome == MutationOutcome::Duplicate));
    assert_eq!(again.last_seq, 3);
    let after = f.consignment(id);
    assert_eq!(after.lines[0].packed_qty, Decimal::from(2));
    assert_eq!(after.version, before.version);
}

#[test]
fn a_replayed_rejection_gets_the_same_rejection_not_duplicate() {
    let mut f = Fixture::new();
    let dev = f.dev_a1.clone();
    let envs = f.envelopes(&dev, STAFF_A, vec![line_set(Uuid::now_v7(), 0, 1)]);
    let first = f.push_envelopes(&dev, &envs);
    let again = f.push_envelopes(&dev, &envs);
    assert_eq!(code(&first.results[0].outcome), "CONSIGNMENT_NOT_FOUND");
    assert_eq!(again.results[0].outcome, first.results[0].outcome);
}

#[test]
fn a_rejected_mutation_does_not_block_unrelated_ones_behind_it() {
    let mut f = Fixture::new();
    let (bad, good) = (Uuid::now_v7(), Uuid::now_v7());
    let dev = f.dev_a1.clone();
    let out = f.push(
        &dev,
        STAFF_A,
        vec![
            // Unknown product: refused.
            transfer(bad, &[(99, 1)]),
            transfer(good, &[(0, 3)]),
            go(good, S::Draft, S::Packing),
        ],
    );
    assert_eq!(code(&out[0]), "UNKNOWN_PRODUCT");
    assert_eq!(out[1], MutationOutcome::Applied);
    assert_eq!(out[2], MutationOutcome::Applied);
    assert_eq!(f.consignment(good).status, S::Packing);
}

#[test]
fn later_mutations_on_the_same_consignment_are_judged_on_the_hubs_state() {
    let mut f = Fixture::new();
    let dev = f.dev_a1.clone();
    let id2 = Uuid::now_v7();
    f.push(
        &dev,
        STAFF_A,
        vec![transfer(id2, &[(0, 3)]), go(id2, S::Draft, S::Packing)],
    );
    let out2 = f.push(
        &dev,
        STAFF_A,
        vec![
            go(id2, S::Packing, S::Sent),
            pack(id2, 0, 3, &dev),
            go(id2, S::Packed, S::Sent),
        ],
    );
    assert_eq!(code(&out2[0]), "ILLEGAL_TRANSITION");
    assert_eq!(out2[1], MutationOutcome::Applied);
    assert_eq!(code(&out2[2]), "ALREADY_PACKING");
    let c = f.consignment(id2);
    assert_eq!(c.status, S::Packing);
    assert_eq!(c.lines[0].packed_qty, Decimal::from(3));
}

#[test]
fn two_stations_sending_the_same_transfer_the_second_is_told_already_sent() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let (a1, a2) = (f.dev_a1.clone(), f.dev_a2.clone());
    f.push(
        &a1,
        STAFF_A,
        vec![
            transfer(id, &[(0, 2)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 2, &a1),
            go(id, S::Packing, S::Packed),
        ],
    );
    // Both stations saw it packed while offline; each pressed Send.
    let first = f.push(&a1, STAFF_A, vec![go(id, S::Packed, S::Sent)]);
    let second = f.push(&a2, STAFF_A2, vec![go(id, S::Packed, S::Cancelled)]);
    assert_eq!(first[0], MutationOutcome::Applied);
    assert_eq!(code(&second[0]), "ALREADY_SENT");
    assert_eq!(f.consignment(id).status, S::Sent);
}

#[test]
fn scans_from_two_offline_stations_merge_without_loss() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let (a1, a2) = (f.dev_a1.clone(), f.dev_a2.clone());
    f.push(
        &a1,
        STAFF_A,
        vec![
            transfer(id, &[(0, 10), (1, 10)]),
            go(id, S::Draft, S::Packing),
        ],
    );
    // Offline, each station records its own events; they sync in any order.
    let s1 = f.envelopes(
        &a1,
        STAFF_A,
        vec![
            pack(id, 0, 1, &a1),
            pack(id, 0, 1, &a1),
            pack(id, 1, 4, &a1),
            pack(id, 0, -1, &a1),
        ],
    );
    let s2 = f.envelopes(
        &a2,
        STAFF_A2,
        vec![pack(id, 0, 3, &a2), pack(id, 1, 2, &a2)],
    );
    f.push_envelopes(&a2, &s2);
    f.push_envelopes(&a1, &s1[..2]);
    f.push_envelopes(&a1, &s1); // includes a replay of the first two
    let c = f.consignment(id);
    assert_eq!(c.lines[0].packed_qty, Decimal::from(1 + 1 - 1 + 3));
    assert_eq!(c.lines[1].packed_qty, Decimal::from(4 + 2));
}

#[test]
fn another_outlets_station_cannot_touch_a_consignment_it_is_not_party_to() {
    let mut f = Fixture::new();
    let po = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    let b = f.dev_b.clone();
    f.push(&a1, STAFF_A, vec![purchase_order(po, &[(0, 1)])]);
    let out = f.push(&b, STAFF_B, vec![line_set(po, 0, 50)]);
    assert_eq!(code(&out[0]), "FOREIGN_OUTLET");
    // And it cannot create for another outlet.
    let out = f.push(&b, STAFF_B, vec![transfer(Uuid::now_v7(), &[(0, 1)])]);
    assert_eq!(code(&out[0]), "FOREIGN_OUTLET");
    // Nor sign in staff of another outlet.
    let out = f.push(&b, STAFF_A, vec![purchase_order(Uuid::now_v7(), &[(0, 1)])]);
    assert_eq!(code(&out[0]), "STAFF_NOT_AT_OUTLET");
    assert_eq!(f.consignment(po).lines[0].expected_qty, Decimal::from(1));
}

#[test]
fn a_received_transfer_never_goes_back() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let (a1, b) = (f.dev_a1.clone(), f.dev_b.clone());
    f.push(
        &a1,
        STAFF_A,
        vec![
            transfer(id, &[(0, 2)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 2, &a1),
            go(id, S::Packing, S::Packed),
            go(id, S::Packed, S::Sent),
        ],
    );
    let out = f.push(&b, STAFF_B, vec![receive(id, &[(0, 2)]), close_receipt(id)]);
    assert_eq!(out, vec![MutationOutcome::Applied; 2]);
    let back = f.push(&a1, STAFF_A, vec![go(id, S::Sent, S::Cancelled)]);
    assert_eq!(code(&back[0]), "ALREADY_RECEIVED");
    let c = f.consignment(id);
    assert_eq!(c.status, S::Received);
    assert_eq!(c.lines[0].received_qty, Decimal::from(2));
}

#[test]
fn lines_cannot_change_after_sending_and_receiving_is_the_receivers() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    f.push(
        &a1,
        STAFF_A,
        vec![
            transfer(id, &[(0, 1)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 1, &a1),
            go(id, S::Packing, S::Packed),
            go(id, S::Packed, S::Sent),
        ],
    );
    let out = f.push(
        &a1,
        STAFF_A,
        vec![
            line_set(id, 0, 9),
            receive(id, &[(0, 1)]),
            pack(id, 0, 1, &a1),
        ],
    );
    assert_eq!(code(&out[0]), "LINE_CHANGE_NOT_ALLOWED");
    assert_eq!(code(&out[1]), "NOT_THE_RECEIVER");
    assert_eq!(code(&out[2]), "ALREADY_SENT");
}

#[test]
fn sending_short_needs_a_reason_per_line() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    f.push(
        &a1,
        STAFF_A,
        vec![
            transfer(id, &[(0, 5)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 3, &a1),
            go(id, S::Packing, S::Packed),
        ],
    );
    let out = f.push(&a1, STAFF_A, vec![go(id, S::Packed, S::Sent)]);
    assert_eq!(code(&out[0]), "SHORT_WITHOUT_REASON");
    let out = f.push(
        &a1,
        STAFF_A,
        vec![
            Mutation::ShortShipRecorded(ShortShipRecorded {
                consignment_id: id,
                product_id: product(0),
                reason: "only 3 on the shelf".into(),
            }),
            go(id, S::Packed, S::Sent),
        ],
    );
    assert_eq!(out, vec![MutationOutcome::Applied; 2]);
}

#[test]
fn over_packing_needs_a_reason_and_undo_cannot_go_below_zero() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    f.push(
        &a1,
        STAFF_A,
        vec![transfer(id, &[(0, 1)]), go(id, S::Draft, S::Packing)],
    );
    let out = f.push(
        &a1,
        STAFF_A,
        vec![pack(id, 0, 2, &a1), pack(id, 0, -1, &a1)],
    );
    assert_eq!(code(&out[0]), "OVER_PACK_NEEDS_REASON");
    assert_eq!(code(&out[1]), "NEGATIVE_QUANTITY");
    assert_eq!(f.consignment(id).lines[0].packed_qty, Decimal::ZERO);
}

fn approve(id: Uuid, by: &str) -> Mutation {
    Mutation::ApprovalDecided(ApprovalDecided {
        consignment_id: id,
        approval_id: Uuid::now_v7(),
        decision: Decision::Approve { comment: None },
        by: by.into(),
        pin_verified: true,
    })
}

#[test]
fn an_order_is_approved_by_a_manager_who_did_not_create_it() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    let b = f.dev_b.clone();
    f.push(
        &a1,
        MANAGER_A,
        vec![
            purchase_order(id, &[(0, 4)]),
            go(id, S::Draft, S::PendingApproval),
        ],
    );
    let own = f.push(&a1, MANAGER_A, vec![approve(id, MANAGER_A)]);
    assert_eq!(code(&own[0]), "OWN_ORDER");
    let staff = f.push(&a1, STAFF_A, vec![approve(id, STAFF_A)]);
    assert_eq!(code(&staff[0]), "ROLE_CANNOT_APPROVE");
    // A director (chain role) may approve from another outlet's station.
    let ok = f.push(&b, DIRECTOR, vec![approve(id, DIRECTOR)]);
    assert_eq!(ok[0], MutationOutcome::Applied);
    let c = f.consignment(id);
    assert_eq!(c.status, S::Approved);
    assert_eq!(c.approvals.len(), 1);
    let direct = f.push(
        &a1,
        STAFF_A,
        vec![go(Uuid::now_v7(), S::Draft, S::Approved)],
    );
    assert_eq!(code(&direct[0]), "CONSIGNMENT_NOT_FOUND");
}

#[test]
fn a_seq_reused_for_a_new_mutation_is_refused() {
    let mut f = Fixture::new();
    let a1 = f.dev_a1.clone();
    let envs = f.envelopes(&a1, STAFF_A, vec![transfer(Uuid::now_v7(), &[(0, 1)])]);
    f.push_envelopes(&a1, &envs);
    let mut reused = f.envelopes(&a1, STAFF_A, vec![transfer(Uuid::now_v7(), &[(0, 1)])]);
    reused[0].seq = envs[0].seq;
    let out = f.push_envelopes(&a1, &reused);
    assert_eq!(code(&out.results[0].outcome), "SEQ_ALREADY_USED");
}

#[test]
fn a_change_held_behind_its_consignment_arrives_after_later_seqs_and_is_applied() {
    // The outlet keeps order per consignment only: while `held`'s scan waits behind
    // a retry, `other`'s later changes go first; the scan then comes with a lower seq.
    let mut f = Fixture::new();
    let (held, other) = (Uuid::now_v7(), Uuid::now_v7());
    let a1 = f.dev_a1.clone();
    let envs = f.envelopes(
        &a1,
        STAFF_A,
        vec![
            transfer(held, &[(0, 3)]),
            go(held, S::Draft, S::Packing),
            pack(held, 0, 2, &a1),
            transfer(other, &[(0, 1)]),
        ],
    );
    let first = f.push_envelopes(&a1, &[envs[0].clone(), envs[1].clone(), envs[3].clone()]);
    assert_eq!(first.last_seq, 4);
    let late = f.push_envelopes(&a1, &[envs[2].clone()]);
    assert_eq!(late.results[0].outcome, MutationOutcome::Applied);
    assert_eq!(late.last_seq, 4, "the highest seq seen stays");
    assert_eq!(f.consignment(held).lines[0].packed_qty, Decimal::from(2));
    // Pushed again (its answer lost), it is a duplicate; its seq is now taken.
    let again = f.push_envelopes(&a1, &[envs[2].clone()]);
    assert_eq!(again.results[0].outcome, MutationOutcome::Duplicate);
    let mut reused = f.envelopes(&a1, STAFF_A, vec![pack(held, 0, 1, &a1)]);
    reused[0].seq = envs[2].seq;
    let out = f.push_envelopes(&a1, &reused);
    assert_eq!(code(&out.results[0].outcome), "SEQ_ALREADY_USED");
    assert_eq!(f.consignment(held).lines[0].packed_qty, Decimal::from(2));
}

#[test]
fn applied_changes_queue_lightspeed_work_with_movements_first() {
    let mut f = Fixture::new();
    let (t, po) = (Uuid::now_v7(), Uuid::now_v7());
    let a1 = f.dev_a1.clone();
    f.push(
        &a1,
        STAFF_A,
        vec![
            purchase_order(po, &[(0, 1)]),
            transfer(t, &[(0, 1)]),
            go(t, S::Draft, S::Packing),
        ],
    );
    let due = read_with(&*f.store, |tx| {
        tx.due_sagas(
            time::OffsetDateTime::now_utc() + time::Duration::seconds(1),
            10,
        )
    })
    .unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(
        due[0].consignment_id, t,
        "a status change outranks a new order"
    );
    assert!(due
        .iter()
        .all(|s| s.state == SagaState::Pending && s.done_gen < s.wanted_gen));
}

#[test]
fn an_order_above_a_store_managers_tier_needs_a_higher_approver() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    // 300 x $10.00 = $3,000 excl. GST: tier 2 (ops manager or higher).
    f.push(
        &a1,
        STAFF_A,
        vec![
            purchase_order(id, &[(0, 300)]),
            go(id, S::Draft, S::PendingApproval),
        ],
    );
    let low = f.push(&a1, MANAGER_A, vec![approve(id, MANAGER_A)]);
    assert_eq!(code(&low[0]), "ROLE_CANNOT_APPROVE");
    let ok = f.push(&a1, DIRECTOR, vec![approve(id, DIRECTOR)]);
    assert_eq!(ok[0], MutationOutcome::Applied);
    assert_eq!(f.consignment(id).status, S::Approved);
}

#[test]
fn editing_an_approved_order_into_a_higher_tier_asks_for_approval_again() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let a1 = f.dev_a1.clone();
    f.push(
        &a1,
        STAFF_A,
        vec![
            purchase_order(id, &[(0, 10)]),
            go(id, S::Draft, S::PendingApproval),
        ],
    );
    f.push(&a1, MANAGER_A, vec![approve(id, MANAGER_A)]);
    assert_eq!(f.consignment(id).status, S::Approved);
    let out = f.push(&a1, STAFF_A, vec![line_set(id, 0, 11)]);
    assert_eq!(out[0], MutationOutcome::Applied);
    assert_eq!(
        f.consignment(id).status,
        S::Approved,
        "same tier keeps the approval"
    );
    f.push(&a1, STAFF_A, vec![line_set(id, 0, 400)]);
    assert_eq!(f.consignment(id).status, S::PendingApproval);
}

#[test]
fn closing_a_receipt_needs_the_receivers_signature_and_reasons_for_variances() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let (a1, b) = (f.dev_a1.clone(), f.dev_b.clone());
    f.push(
        &a1,
        STAFF_A,
        vec![
            transfer(id, &[(0, 2)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 2, &a1),
            go(id, S::Packing, S::Packed),
            go(id, S::Packed, S::Sent),
        ],
    );
    let unsigned = Mutation::ReceiptClosed(ReceiptClosed {
        consignment_id: id,
        signature: None,
        confirmed_by: None,
        pin_verified: true,
    });
    let out = f.push(
        &b,
        STAFF_B,
        vec![
            receive(id, &[(0, 1)]),
            close_receipt(id),
            receive(id, &[(0, 1)]),
            unsigned,
            close_receipt(id),
        ],
    );
    assert_eq!(out[0], MutationOutcome::Applied);
    assert_eq!(
        code(&out[1]),
        "VARIANCE_REASON_REQUIRED",
        "one short needs a reason"
    );
    assert_eq!(out[2], MutationOutcome::Applied, "partial receipts add up");
    assert_eq!(code(&out[3]), "RECEIVER_SIGNATURE_REQUIRED");
    assert_eq!(out[4], MutationOutcome::Applied);
    assert_eq!(f.consignment(id).status, S::Received);
}

#[test]
fn a_recount_in_the_same_session_replaces_and_sessions_add_up() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let (a1, b) = (f.dev_a1.clone(), f.dev_b.clone());
    f.push(
        &a1,
        STAFF_A,
        vec![
            transfer(id, &[(0, 5)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 5, &a1),
            go(id, S::Packing, S::Packed),
            go(id, S::Packed, S::Sent),
        ],
    );
    let session = Uuid::now_v7();
    let count = |sid: Uuid, n: i64| {
        Mutation::ReceiptSessionRecorded(ReceiptSessionRecorded {
            consignment_id: id,
            session_id: sid,
            lines: vec![ReceivedLine {
                product_id: product(0),
                received: Decimal::from(n),
                damaged: Decimal::ZERO,
            }],
            variances: vec![],
            evidence: vec![],
        })
    };
    let out = f.push(
        &b,
        STAFF_B,
        vec![
            count(session, 3),
            count(session, 2),
            count(Uuid::now_v7(), 3),
        ],
    );
    assert_eq!(out, vec![MutationOutcome::Applied; 3]);
    assert_eq!(
        f.consignment(id).lines[0].received_qty,
        Decimal::from(2 + 3)
    );
}

#[test]
fn a_signed_session_lets_the_station_close_receiving_by_status() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let (a1, b) = (f.dev_a1.clone(), f.dev_b.clone());
    f.push(
        &a1,
        STAFF_A,
        vec![
            transfer(id, &[(0, 2)]),
            go(id, S::Draft, S::Packing),
            pack(id, 0, 2, &a1),
            go(id, S::Packing, S::Packed),
            go(id, S::Packed, S::Sent),
        ],
    );
    let Mutation::ReceiptSessionRecorded(r) = receive(id, &[(0, 2)]) else {
        unreachable!()
    };
    let session = r.session_id;
    let early = f.push(
        &b,
        STAFF_B,
        vec![
            Mutation::ReceiptSessionRecorded(r),
            go(id, S::Receiving, S::Received),
        ],
    );
    assert_eq!(code(&early[1]), "RECEIVER_SIGNATURE_REQUIRED");
    let out = f.push(
        &b,
        STAFF_B,
        vec![
            Mutation::ReceiptSessionClosed(ReceiptSessionClosed {
                consignment_id: id,
                session_id: session,
                signed_by: STAFF_B.into(),
                signature: Some(EvidenceRef {
                    sha256: "aa".repeat(32),
                    kind: "signature".into(),
                    product_id: None,
                }),
                driver_signature: None,
            }),
            go(id, S::Receiving, S::Received),
        ],
    );
    assert_eq!(out, vec![MutationOutcome::Applied; 2]);
    assert_eq!(f.consignment(id).status, S::Received);
}
