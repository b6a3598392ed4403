//! Supplier returns' authorisation number, reasons and credits at the hub, and the
//! history it keeps of every applied change.

use rust_decimal::Decimal;
use tally_domain::{ConsignmentKind, ConsignmentStatus as S, ReturnReason};
use tally_sync::*;
use uuid::Uuid;

use crate::testing::*;

fn supplier_return(id: Uuid, lines: &[(usize, i64)]) -> Mutation {
    let Mutation::ConsignmentCreated(mut c) = transfer(id, lines) else {
        unreachable!()
    };
    c.kind = ConsignmentKind::SupplierReturn;
    c.destination_outlet_id = None;
    c.supplier_id = Some(SUPPLIER.into());
    Mutation::ConsignmentCreated(c)
}

fn ra(id: Uuid, number: &str) -> Mutation {
    Mutation::ReturnAuthorisationSet(ReturnAuthorisationSet {
        consignment_id: id,
        number: Some(number.into()),
    })
}

fn reason(id: Uuid, p: usize, reason: ReturnReason, note: Option<&str>) -> Mutation {
    Mutation::ReturnLineReasonSet(ReturnLineReasonSet {
        consignment_id: id,
        product_id: product(p),
        reason,
        note: note.map(str::to_string),
    })
}

fn credit(id: Uuid, amount: &str, number: &str) -> Mutation {
    Mutation::SupplierCreditRecorded(SupplierCreditRecorded {
        consignment_id: id,
        credit_id: Uuid::now_v7(),
        amount: amount.parse().unwrap(),
        credit_note_number: number.into(),
        credited_on: time::macros::date!(2026 - 03 - 31),
    })
}

#[test]
fn a_returns_number_reasons_and_credits_are_checked_kept_and_pulled() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let dev = f.dev_a1.clone();
    let out = f.push(
        &dev,
        STAFF_A,
        vec![
            supplier_return(id, &[(0, 2), (1, 1)]),
            ra(id, " RA-7781 "),
            reason(id, 0, ReturnReason::Damaged, Some("crushed corner")),
            reason(id, 1, ReturnReason::Other, None),
            reason(id, 1, ReturnReason::Other, Some("sent the 2023 model")),
            reason(id, 3, ReturnReason::Faulty, None),
            ra(id, &"9".repeat(65)),
            credit(id, "-5", "CN-1"),
            credit(id, "12.50", " "),
            credit(id, "12.50", "CN-1"),
        ],
    );
    let codes: Vec<&str> = out.iter().map(code).collect();
    assert_eq!(
        codes,
        [
            "APPLIED",
            "APPLIED",
            "APPLIED",
            "RETURN_NOTE_REQUIRED",
            "APPLIED",
            "LINE_NOT_FOUND",
            "DOCUMENT_NUMBER_INVALID",
            "CREDIT_NOT_POSITIVE",
            "CREDIT_NOTE_NUMBER_REQUIRED",
            "APPLIED",
        ]
    );
    let row = f.consignment(id);
    let r = row
        .supplier_return
        .expect("the return's own data is pulled");
    assert_eq!(r.authorisation_number.as_deref(), Some("RA-7781"));
    assert_eq!(r.reasons.len(), 2);
    assert_eq!(r.reasons[0].reason, ReturnReason::Damaged);
    assert_eq!(r.reasons[0].note.as_deref(), Some("crushed corner"));
    assert_eq!(r.reasons[1].reason, ReturnReason::Other);
    assert_eq!(r.credits.len(), 1);
    assert_eq!(r.credits[0].amount, Decimal::new(1250, 2));
    assert_eq!(r.credits[0].recorded_by, STAFF_A);

    // Refused changes left no trace; each applied one is in the history with its station.
    let kinds: Vec<&str> = row.history.iter().map(|h| h.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "consignment_created",
            "return_authorisation_set",
            "return_line_reason_set",
            "return_line_reason_set",
            "supplier_credit_recorded"
        ]
    );
    assert!(row
        .history
        .iter()
        .all(|h| h.device_id.as_deref() == Some(dev.id.as_str())
            && h.outlet_id.as_deref() == Some(OUTLET_A)
            && h.staff_id.as_deref() == Some(STAFF_A)));
    assert_eq!(row.history[1].payload["number"], " RA-7781 ");
}

#[test]
fn a_return_cancelled_takes_no_credit_and_other_kinds_take_no_return_data() {
    let mut f = Fixture::new();
    let (id, t) = (Uuid::now_v7(), Uuid::now_v7());
    let out = f.push_a1(vec![
        supplier_return(id, &[(0, 1)]),
        go(id, S::Draft, S::Cancelled),
        credit(id, "10", "CN-2"),
        ra(id, "RA-1"),
        transfer(t, &[(0, 1)]),
        ra(t, "RA-2"),
    ]);
    let codes: Vec<&str> = out.iter().map(code).collect();
    assert_eq!(
        codes,
        [
            "APPLIED",
            "APPLIED",
            "CREDIT_ON_CANCELLED_RETURN",
            "CONSIGNMENT_CLOSED",
            "APPLIED",
            "NOT_A_SUPPLIER_RETURN"
        ]
    );
    assert!(f.consignment(id).supplier_return.is_none());
}

#[test]
fn the_history_of_an_order_names_each_station_with_the_status_before_and_after() {
    let mut f = Fixture::new();
    let id = Uuid::now_v7();
    let (a1, a2) = (f.dev_a1.clone(), f.dev_a2.clone());
    f.push(&a1, STAFF_A, vec![purchase_order(id, &[(0, 1)])]);
    f.push(&a2, STAFF_A2, vec![go(id, S::Draft, S::PendingApproval)]);
    let h = f.consignment(id).history;
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].device_id.as_deref(), Some(a1.id.as_str()));
    assert_eq!(h[0].status_before, None);
    assert_eq!(h[0].status_after, Some(S::Draft));
    assert_eq!(h[1].device_id.as_deref(), Some(a2.id.as_str()));
    assert_eq!(h[1].staff_name.as_deref(), Some(STAFF_A2));
    assert_eq!(h[1].status_before, Some(S::Draft));
    assert_eq!(h[1].status_after, Some(S::PendingApproval));
    // Transfers' histories are kept but not sent with pulls (scans are many).
    let t = Uuid::now_v7();
    f.push(&a1, STAFF_A, vec![transfer(t, &[(0, 1)])]);
    assert!(f.consignment(t).history.is_empty());
}
