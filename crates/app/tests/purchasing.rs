//! Purchase orders and supplier returns against a real store file: drafting, tiers and
//! who may approve, own orders, request changes, re-approval after a raised total,
//! sending with a PDF (rendered and looked at) e-mailed to a local SMTP sink, partial
//! deliveries, a return from a damaged receipt line, and the timeline.

#[path = "purchasing_support/chain.rs"]
mod chain;

use std::process::Command;

use chain::*;
use rust_decimal::Decimal;
use tally_app::purchasing::views::{
    DecisionInput, DecisionKind, EmailOutcome, PoLineEdit, PurchaseOrderView, SendOrderInput,
};
use tally_app::purchasing::{
    NewSupplierReturn, PurchasingSettings, ReturnLineInput, ReturnReason, SmtpSecurity,
    SmtpSettings,
};
use tally_app::App;
use tally_domain::{ApprovalPolicy, ConsignmentStatus};
use tally_store::{Actor, ReceiptLineInput, VarianceReason};
use uuid::Uuid;

fn sign_in(app: &App, who: Uuid, pin: &str) {
    app.sign_out().unwrap();
    app.sign_in(&who.to_string(), pin).unwrap();
}

/// A draft for the chain's supplier with `qty` of `product` at its supplier price.
fn draft(app: &App, c: &Chain, product: Uuid, qty: &str) -> PurchaseOrderView {
    let po = app.create_purchase_order(&c.supplier.to_string()).unwrap();
    app.add_to_purchase_order(&po.id, &product.to_string(), Some(qty))
        .unwrap()
}

fn decide(
    app: &App,
    order: &str,
    who: Uuid,
    pin: &str,
    decision: DecisionKind,
    comment: Option<&str>,
    reason: Option<&str>,
) -> Result<PurchaseOrderView, tally_app::AppError> {
    app.decide_purchase_order(DecisionInput {
        order_id: order.into(),
        approver_id: who.to_string(),
        pin: pin.into(),
        decision,
        comment: comment.map(str::to_string),
        reason: reason.map(str::to_string),
    })
}

fn approve(
    app: &App,
    order: &str,
    who: Uuid,
    pin: &str,
) -> Result<PurchaseOrderView, tally_app::AppError> {
    decide(app, order, who, pin, DecisionKind::Approve, None, None)
}

/// Staff drafts and submits a $6,000.00 order (40 vaporisers at $150.00).
fn six_thousand_pending(app: &App, c: &Chain) -> PurchaseOrderView {
    sign_in(app, c.staff, STAFF_PIN);
    let po = draft(app, c, c.vaporiser, "40");
    assert_eq!(po.totals.excl_gst.shown, "$6,000.00");
    app.submit_purchase_order(&po.id).unwrap()
}

fn set_status(app: &App, c: &Chain, id: &str, to: ConsignmentStatus) {
    let id = Uuid::parse_str(id).unwrap();
    let h = app.store().consignment(id).unwrap();
    app.store()
        .set_consignment_status(&Actor::Staff(c.staff), id, h.version, to)
        .unwrap();
}

/// Receives `received` units of `product` (of which `damaged`) in one session.
fn receive(app: &App, c: &Chain, order: &str, product: Uuid, received: i64, damaged: i64) {
    let id = Uuid::parse_str(order).unwrap();
    let actor = Actor::Staff(c.staff);
    let store = app.store();
    let r = store.start_receipt(&actor, id).unwrap();
    store
        .transact(&actor, |t| {
            t.record_receipt_line(
                r.id,
                ReceiptLineInput {
                    product_id: product,
                    received_qty: Decimal::from(received),
                    damaged_qty: Decimal::from(damaged),
                    variance_reason: (damaged > 0).then_some(VarianceReason::Damaged),
                    note: (damaged > 0).then(|| "box crushed".to_string()),
                    photos: vec![],
                },
            )
        })
        .unwrap();
}

/// Drafted, approved by the store manager and sent: 10 coil packs at $20.00.
fn sent_coil_order(app: &App, c: &Chain) -> PurchaseOrderView {
    sign_in(app, c.staff, STAFF_PIN);
    let po = draft(app, c, c.coils, "10");
    app.submit_purchase_order(&po.id).unwrap();
    approve(app, &po.id, c.manager, MANAGER_PIN).unwrap();
    app.send_purchase_order(SendOrderInput {
        order_id: po.id.clone(),
        email_to: None,
    })
    .unwrap()
    .order
}

#[test]
fn a_six_thousand_dollar_order_is_tier_three_refused_by_a_store_manager_and_approved_by_a_director()
{
    let (_d, app, c) = app_with_chain();
    let po = six_thousand_pending(&app, &c);
    assert_eq!(po.status, ConsignmentStatus::PendingApproval);
    assert_eq!(po.approval.tier, 3);
    assert_eq!(
        po.approval.reason,
        "$6,000.00 excl. GST is above $5,000.00, so it is tier 3: it needs director or higher."
    );
    assert_eq!(po.totals.incl_gst.shown, "$6,900.00");

    let refused = approve(&app, &po.id, c.manager, MANAGER_PIN).unwrap_err();
    assert_eq!(refused.code, "ROLE_CANNOT_APPROVE");
    let ops = approve(&app, &po.id, c.ops, OPS_PIN).unwrap_err();
    assert_eq!(ops.code, "ROLE_CANNOT_APPROVE", "tier 3 needs a director");
    assert!(app
        .store()
        .approvals_for(Uuid::parse_str(&po.id).unwrap())
        .unwrap()
        .is_empty());

    // The director approves at the station where the staff member is signed in.
    let approved = approve(&app, &po.id, c.director, DIRECTOR_PIN).unwrap();
    assert_eq!(approved.status, ConsignmentStatus::Approved);
    assert!(approved.approval.satisfied && approved.can_send);
    assert_eq!(approved.approval.decisions.len(), 1);
    assert_eq!(approved.approval.decisions[0].approver.name, "Mere Whare");
    assert_eq!(
        app.current_session().unwrap().staff.name,
        "Aroha Ngata",
        "the PIN dialog does not change who is signed in"
    );

    // Recorded offline: an approval mutation by the director waits in the outbox.
    let pending = app.store().next_pending(100).unwrap();
    let approval = pending
        .iter()
        .find(|e| e.kind == "approval.recorded")
        .expect("approval queued for the hub");
    assert_eq!(
        approval.payload["decided_by"].as_str(),
        Some(c.director.to_string().as_str())
    );
}

#[test]
fn a_wrong_approver_pin_records_nothing() {
    let (_d, app, c) = app_with_chain();
    let po = six_thousand_pending(&app, &c);
    assert_eq!(
        approve(&app, &po.id, c.director, "0000").unwrap_err().code,
        "PIN_WRONG"
    );
    let id = Uuid::parse_str(&po.id).unwrap();
    assert!(app.store().approvals_for(id).unwrap().is_empty());
    assert_eq!(
        app.purchase_order(&po.id).unwrap().status,
        ConsignmentStatus::PendingApproval
    );
}

#[test]
fn a_store_manager_of_another_outlet_cannot_decide_here() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    let po = draft(&app, &c, c.coils, "5");
    app.submit_purchase_order(&po.id).unwrap();
    assert_eq!(
        approve(&app, &po.id, c.manager_there, MANAGER_THERE_PIN)
            .unwrap_err()
            .code,
        "STAFF_OTHER_OUTLET"
    );
}

#[test]
fn nobody_approves_an_order_they_created_or_last_edited() {
    let (_d, app, c) = app_with_chain();
    // Created by the director.
    sign_in(&app, c.director, DIRECTOR_PIN);
    let own = draft(&app, &c, c.vaporiser, "40");
    app.submit_purchase_order(&own.id).unwrap();
    assert_eq!(
        approve(&app, &own.id, c.director, DIRECTOR_PIN)
            .unwrap_err()
            .code,
        "OWN_ORDER"
    );

    // Created by staff, last edited by the store manager.
    sign_in(&app, c.staff, STAFF_PIN);
    let po = draft(&app, &c, c.coils, "10");
    sign_in(&app, c.manager, MANAGER_PIN);
    let edited = app
        .set_purchase_order_line(
            &po.id,
            PoLineEdit {
                product_id: c.coils.to_string(),
                quantity: "12".into(),
                unit_cost: "20".into(),
            },
        )
        .unwrap();
    assert_eq!(edited.last_edited_by.name, "Sam Lee");
    app.submit_purchase_order(&po.id).unwrap();
    assert_eq!(
        approve(&app, &po.id, c.manager, MANAGER_PIN)
            .unwrap_err()
            .code,
        "OWN_ORDER"
    );
    assert_eq!(
        approve(&app, &po.id, c.ops, OPS_PIN).unwrap().status,
        ConsignmentStatus::Approved
    );
}

#[test]
fn request_changes_needs_a_comment_and_sends_the_order_back_to_draft() {
    let (_d, app, c) = app_with_chain();
    let po = six_thousand_pending(&app, &c);
    let blank = decide(
        &app,
        &po.id,
        c.director,
        DIRECTOR_PIN,
        DecisionKind::RequestChanges,
        Some("   "),
        None,
    )
    .unwrap_err();
    assert_eq!(blank.code, "COMMENT_REQUIRED");
    let back = decide(
        &app,
        &po.id,
        c.director,
        DIRECTOR_PIN,
        DecisionKind::RequestChanges,
        Some("Order 30, not 40"),
        None,
    )
    .unwrap();
    assert_eq!(back.status, ConsignmentStatus::Draft);
    assert!(back.can_edit && back.can_submit);
    assert_eq!(
        back.approval.decisions[0].comment.as_deref(),
        Some("Order 30, not 40")
    );
}

#[test]
fn rejection_needs_a_reason_from_the_list_and_cancels_the_order() {
    let (_d, app, c) = app_with_chain();
    let po = six_thousand_pending(&app, &c);
    let d = |kind, comment, reason| {
        decide(
            &app,
            &po.id,
            c.director,
            DIRECTOR_PIN,
            kind,
            comment,
            reason,
        )
    };
    assert_eq!(
        d(DecisionKind::Reject, None, None).unwrap_err().code,
        "REJECT_REASON_REQUIRED"
    );
    assert_eq!(
        d(DecisionKind::Reject, None, Some("other"))
            .unwrap_err()
            .code,
        "REJECT_NOTE_REQUIRED"
    );
    let rejected = d(DecisionKind::Reject, None, Some("over_budget")).unwrap();
    assert_eq!(rejected.status, ConsignmentStatus::Cancelled);
    assert_eq!(
        rejected.approval.decisions[0].reason.as_deref(),
        Some("Over budget")
    );
    assert!(!rejected.can_edit);
    assert_eq!(app.reject_reasons().len(), 8);
}

#[test]
fn raising_the_total_across_a_tier_after_approval_needs_approval_again() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    let po = draft(&app, &c, c.coils, "75"); // $1,500.00: tier 1
    app.submit_purchase_order(&po.id).unwrap();
    assert_eq!(
        approve(&app, &po.id, c.manager, MANAGER_PIN)
            .unwrap()
            .status,
        ConsignmentStatus::Approved
    );

    let edit = |q: &str| {
        app.set_purchase_order_line(
            &po.id,
            PoLineEdit {
                product_id: c.coils.to_string(),
                quantity: q.into(),
                unit_cost: "20.00".into(),
            },
        )
        .unwrap()
    };
    // Within tier 1: the approval stands (audited).
    let kept = edit("90");
    assert_eq!(kept.status, ConsignmentStatus::Approved);
    assert!(kept.approval.satisfied);
    // $2,500.00 is tier 2: back to pending approval; the store manager's approval no longer counts.
    let raised = edit("125");
    assert_eq!(raised.status, ConsignmentStatus::PendingApproval);
    assert_eq!(raised.approval.tier, 2);
    assert!(!raised.approval.satisfied);
    assert!(!raised.can_send);
    assert_eq!(
        approve(&app, &po.id, c.manager, MANAGER_PIN)
            .unwrap_err()
            .code,
        "ROLE_CANNOT_APPROVE"
    );
    assert_eq!(
        approve(&app, &po.id, c.ops, OPS_PIN).unwrap().status,
        ConsignmentStatus::Approved
    );

    let actions: Vec<String> = app
        .consignment_timeline(&po.id)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"purchase_order.edited_after_approval".to_string()));
    assert!(actions.contains(&"purchase_order.reapproval_required".to_string()));
}

#[test]
fn only_an_approved_order_is_sent_and_sending_saves_its_pdf_and_queues_the_move() {
    let (_d, app, c) = app_with_chain();
    let po = six_thousand_pending(&app, &c);
    let early = app
        .send_purchase_order(SendOrderInput {
            order_id: po.id.clone(),
            email_to: None,
        })
        .unwrap_err();
    assert_eq!(early.code, "ILLEGAL_TRANSITION", "{}", early.message);
    approve(&app, &po.id, c.director, DIRECTOR_PIN).unwrap();
    let sent = app
        .send_purchase_order(SendOrderInput {
            order_id: po.id.clone(),
            email_to: None,
        })
        .unwrap();
    assert_eq!(sent.order.status, ConsignmentStatus::Sent);
    assert_eq!(sent.email, EmailOutcome::NotRequested);
    let pdf = std::fs::read(&sent.pdf_path).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let doc = sent.order.document.as_ref().unwrap();
    assert_eq!(doc.sha256, tally_store::ContentHash::of(&pdf).as_str());
    assert!(!sent.order.can_edit, "a sent order's lines are fixed");

    // The hub's saga picks up the move to sent (and creates the SUPPLIER consignment).
    let id = Uuid::parse_str(&po.id).unwrap();
    let moves: Vec<String> = app
        .store()
        .next_pending(100)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "consignment.status_set" && e.consignment_id == Some(id))
        .filter_map(|e| e.payload["status"].as_str().map(str::to_string))
        .collect();
    assert_eq!(moves, vec!["pending_approval", "sent"]);
    // The approval's own move is queued as following from the decision (the hub
    // derives it from `approval.recorded`), so it is never asked for twice.
    let by_decision: Vec<String> = app
        .store()
        .next_pending(100)
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.kind == tally_store::consignment::STATUS_BY_DECISION && e.consignment_id == Some(id)
        })
        .filter_map(|e| e.payload["status"].as_str().map(str::to_string))
        .collect();
    assert_eq!(by_decision, vec!["approved"]);

    // The PDF as the supplier sees it: text and a picture to look at.
    // poppler-utils is a test dependency (scripts/test installs it).
    let out = Command::new("pdftotext")
        .arg(&sent.pdf_path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs: scripts/test installs it");
    assert!(out.status.success(), "pdftotext read the PDF");
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        po.reference.as_str(),
        "Cloud Nine Wholesale",
        "Vaporiser kit",
        "$6,000.00",
        "$900.00",
        "$6,900.00",
        "Mere Whare (director)",
    ] {
        assert!(text.contains(expected), "PDF lacks {expected:?}:\n{text}");
    }
    let out_dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-output/purchasing");
    std::fs::create_dir_all(&out_dir).unwrap();
    let rendered = Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1"])
        .arg(&sent.pdf_path)
        .arg(out_dir.join("purchase-order"))
        .status()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(rendered.success(), "the purchase order renders to PNG");
}

#[test]
fn an_smtp_sink_receives_the_purchase_order_pdf() {
    let (_d, app, c) = app_with_chain();
    let sink = tally_testkit::smtp_sink::SmtpSink::start(1);
    app.set_purchasing_settings(PurchasingSettings {
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: sink.port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Newmarket Purchasing <orders@tally.test>".into(),
            timeout: std::time::Duration::from_secs(5),
        }),
        ..app.purchasing_settings()
    });
    let po = six_thousand_pending(&app, &c);
    approve(&app, &po.id, c.director, DIRECTOR_PIN).unwrap();
    let sent = app
        .send_purchase_order(SendOrderInput {
            order_id: po.id.clone(),
            email_to: Some("Cloud Nine Orders <orders@cloudnine.test>".into()),
        })
        .unwrap();
    assert_eq!(
        sent.email,
        EmailOutcome::Sent {
            to: "Cloud Nine Orders <orders@cloudnine.test>".into()
        }
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.to, vec!["orders@cloudnine.test".to_string()]);
    assert_eq!(m.from, "orders@tally.test");
    use mail_parser::MimeHeaders;
    let parsed = mail_parser::MessageParser::default()
        .parse(&m.data)
        .unwrap();
    assert_eq!(
        parsed.subject(),
        Some(format!("Purchase order {}", po.reference).as_str())
    );
    let attachment = parsed.attachments().next().expect("PDF attached");
    assert_eq!(
        attachment.attachment_name(),
        Some(format!("{}.pdf", po.reference).as_str())
    );
    assert_eq!(
        attachment.contents(),
        std::fs::read(&sent.pdf_path).unwrap().as_slice(),
        "the e-mailed PDF is the saved one"
    );
}

#[test]
fn a_failed_email_leaves_the_order_sent_and_it_can_be_emailed_again() {
    let (_d, app, c) = app_with_chain();
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = closed.local_addr().unwrap().port();
    drop(closed);
    let relay = |port| SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "orders@tally.test".into(),
        timeout: std::time::Duration::from_secs(2),
    };
    app.set_purchasing_settings(PurchasingSettings {
        smtp: Some(relay(dead_port)),
        ..app.purchasing_settings()
    });
    let po = six_thousand_pending(&app, &c);
    approve(&app, &po.id, c.director, DIRECTOR_PIN).unwrap();
    let sent = app
        .send_purchase_order(SendOrderInput {
            order_id: po.id.clone(),
            email_to: Some("orders@cloudnine.test".into()),
        })
        .unwrap();
    assert!(
        matches!(&sent.email, EmailOutcome::Failed { code, .. } if code == "EMAIL_FAILED"),
        "{:?}",
        sent.email
    );
    assert_eq!(sent.order.status, ConsignmentStatus::Sent);

    let sink = tally_testkit::smtp_sink::SmtpSink::start(1);
    app.set_purchasing_settings(PurchasingSettings {
        smtp: Some(relay(sink.port)),
        ..app.purchasing_settings()
    });
    let again = app
        .email_purchase_order(&po.id, "orders@cloudnine.test")
        .unwrap();
    assert!(matches!(again, EmailOutcome::Sent { .. }), "{again:?}");
    assert_eq!(sink.messages().len(), 1);
    assert_eq!(
        app.email_purchase_order(&po.id, "not an address")
            .unwrap_err()
            .code,
        "EMAIL_INVALID"
    );
}

#[test]
fn without_a_relay_the_order_is_saved_but_not_emailed() {
    let (_d, app, c) = app_with_chain();
    let po = six_thousand_pending(&app, &c);
    approve(&app, &po.id, c.director, DIRECTOR_PIN).unwrap();
    let sent = app
        .send_purchase_order(SendOrderInput {
            order_id: po.id.clone(),
            email_to: Some("orders@cloudnine.test".into()),
        })
        .unwrap();
    assert_eq!(sent.email, EmailOutcome::NotConfigured);
    assert!(std::path::Path::new(&sent.pdf_path).exists());
}

#[test]
fn a_partial_delivery_keeps_the_order_open_with_the_remainder_visible() {
    let (_d, app, c) = app_with_chain();
    let po = sent_coil_order(&app, &c);
    set_status(&app, &c, &po.id, ConsignmentStatus::Receiving);
    receive(&app, &c, &po.id, c.coils, 6, 0);
    let v = app.purchase_order(&po.id).unwrap();
    assert_eq!(v.status, ConsignmentStatus::Receiving);
    let d = v.delivery.unwrap();
    assert_eq!(
        (
            d.ordered.as_str(),
            d.received.as_str(),
            d.remaining.as_str()
        ),
        ("10", "6", "4")
    );
    assert!(d.partial);
    assert_eq!(v.lines[0].remaining, "4");
    assert!(
        app.list_open_consignments()
            .unwrap()
            .iter()
            .any(|r| r.id == po.id),
        "still listed as open"
    );
}

#[test]
fn a_return_is_made_from_a_damaged_receipt_line_with_its_expected_credit() {
    let (_d, app, c) = app_with_chain();
    let po = sent_coil_order(&app, &c);
    set_status(&app, &c, &po.id, ConsignmentStatus::Receiving);
    receive(&app, &c, &po.id, c.coils, 10, 2);

    let candidates = app.return_candidates(&po.id).unwrap();
    assert_eq!(candidates.len(), 1);
    assert_eq!(
        (candidates[0].quantity.as_str(), candidates[0].reason),
        ("2", ReturnReason::Damaged)
    );
    assert_eq!(candidates[0].note.as_deref(), Some("box crushed"));

    let line = |q: &str| ReturnLineInput {
        product_id: c.coils.to_string(),
        quantity: q.into(),
        reason: ReturnReason::Damaged,
        note: None,
        unit_cost: None,
    };
    let too_many = app
        .create_supplier_return(NewSupplierReturn {
            supplier_id: None,
            source_id: Some(po.id.clone()),
            authorisation_number: None,
            lines: vec![line("3")],
        })
        .unwrap_err();
    assert_eq!(too_many.code, "RETURN_MORE_THAN_RECEIVED");

    let ret = app
        .create_supplier_return(NewSupplierReturn {
            supplier_id: None,
            source_id: Some(po.id.clone()),
            authorisation_number: Some("RA-5531".into()),
            lines: vec![line("2")],
        })
        .unwrap();
    assert!(ret.reference.starts_with("TR-RTN-"), "{}", ret.reference);
    assert_eq!(ret.status, ConsignmentStatus::Draft);
    assert_eq!(ret.supplier.name, "Cloud Nine Wholesale");
    assert_eq!(ret.authorisation_number.as_deref(), Some("RA-5531"));
    assert_eq!(ret.source.as_ref().unwrap().reference, po.reference);
    assert_eq!(ret.lines.len(), 1);
    assert_eq!(ret.lines[0].reason, Some(ReturnReason::Damaged));
    assert_eq!(ret.expected_credit.excl_gst.shown, "$40.00");
    assert_eq!(ret.expected_credit.incl_gst.shown, "$46.00");
    assert!(
        app.return_candidates(&po.id).unwrap().is_empty(),
        "the damaged units are on a return now"
    );

    let released = app.release_supplier_return(&ret.id, None).unwrap();
    assert_eq!(released.status, ConsignmentStatus::Packing);
    assert_eq!(released.authorisation_number.as_deref(), Some("RA-5531"));
    let queued = app.store().next_pending(100).unwrap();
    assert!(queued.iter().any(|e| e.kind == "consignment.created"
        && e.payload["kind"] == "supplier_return"
        && e.payload["reference"] == ret.reference.as_str()));
}

#[test]
fn a_return_from_scratch_needs_a_supplier_and_a_note_for_other() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    let no_supplier = app
        .create_supplier_return(NewSupplierReturn {
            supplier_id: None,
            source_id: None,
            authorisation_number: None,
            lines: vec![],
        })
        .unwrap_err();
    assert_eq!(no_supplier.code, "SUPPLIER_REQUIRED");
    let other = ReturnLineInput {
        product_id: c.vaporiser.to_string(),
        quantity: "1".into(),
        reason: ReturnReason::Other,
        note: None,
        unit_cost: None,
    };
    let err = app
        .create_supplier_return(NewSupplierReturn {
            supplier_id: Some(c.supplier.to_string()),
            source_id: None,
            authorisation_number: None,
            lines: vec![other.clone()],
        })
        .unwrap_err();
    assert_eq!(err.code, "RETURN_NOTE_REQUIRED");
    let ret = app
        .create_supplier_return(NewSupplierReturn {
            supplier_id: Some(c.supplier.to_string()),
            source_id: None,
            authorisation_number: None,
            lines: vec![ReturnLineInput {
                note: Some("Recalled batch".into()),
                ..other
            }],
        })
        .unwrap();
    assert_eq!(ret.expected_credit.excl_gst.shown, "$150.00");
    assert_eq!(ret.lines[0].note.as_deref(), Some("Recalled batch"));
    let faulty = app
        .set_supplier_return_line(
            &ret.id,
            ReturnLineInput {
                product_id: c.coils.to_string(),
                quantity: "3".into(),
                reason: ReturnReason::Faulty,
                note: None,
                unit_cost: None,
            },
        )
        .unwrap();
    assert_eq!(faulty.lines.len(), 2);
    assert_eq!(faulty.expected_credit.excl_gst.shown, "$210.00");
    let released = app.release_supplier_return(&ret.id, Some("RA-77")).unwrap();
    assert_eq!(released.authorisation_number.as_deref(), Some("RA-77"));
    assert!(!released.can_release);
}

#[test]
fn the_timeline_lists_every_change_with_who_and_when() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    let po = app.create_purchase_order(&c.supplier.to_string()).unwrap();
    app.scan_into_purchase_order(&po.id, "9421234500019")
        .unwrap();
    app.add_to_purchase_order(&po.id, &c.vaporiser.to_string(), Some("39"))
        .unwrap();
    app.add_to_purchase_order(&po.id, &c.coils.to_string(), None)
        .unwrap();
    app.remove_purchase_order_line(&po.id, &c.coils.to_string())
        .unwrap();
    app.submit_purchase_order(&po.id).unwrap();
    approve(&app, &po.id, c.manager, MANAGER_PIN).unwrap_err();
    approve(&app, &po.id, c.director, DIRECTOR_PIN).unwrap();
    app.send_purchase_order(SendOrderInput {
        order_id: po.id.clone(),
        email_to: None,
    })
    .unwrap();

    let timeline = app.consignment_timeline(&po.id).unwrap();
    let seen: Vec<(&str, &str)> = timeline
        .iter()
        .map(|e| (e.action.as_str(), e.who.name.as_str()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("consignment.created", "Aroha Ngata"),
            ("purchase_order.line_changed", "Aroha Ngata"),
            ("purchase_order.line_changed", "Aroha Ngata"),
            ("purchase_order.line_changed", "Aroha Ngata"),
            ("purchase_order.line_changed", "Aroha Ngata"),
            ("purchase_order.submitted", "Aroha Ngata"),
            ("purchase_order.decided", "Mere Whare"),
            ("purchase_order.sent", "Aroha Ngata"),
        ],
        "one entry per change; the refused approval changed nothing"
    );
    assert!(timeline.iter().all(|e| !e.at.is_empty()));
    let at = |i: usize| {
        time::OffsetDateTime::parse(
            &timeline[i].at,
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    assert!(
        (1..timeline.len()).all(|i| timeline[i - 1].seq < timeline[i].seq && at(i - 1) <= at(i))
    );
    assert_eq!(timeline[1].summary, "Added 1 × Vaporiser kit");
    let qty_change = timeline[2]
        .changes
        .iter()
        .find(|ch| ch.field == "Quantity")
        .unwrap();
    assert_eq!(
        (qty_change.before.as_deref(), qty_change.after.as_deref()),
        (Some("1"), Some("40"))
    );
    assert_eq!(timeline[4].summary, "Removed Coil pack (5)");
    let status = |i: usize| {
        timeline[i]
            .changes
            .iter()
            .find(|ch| ch.field == "Status")
            .and_then(|ch| ch.after.clone())
    };
    assert_eq!(status(5).as_deref(), Some("waiting for approval"));
    assert_eq!(status(6).as_deref(), Some("approved"));
    assert_eq!(status(7).as_deref(), Some("sent"));
    assert!(timeline[5].summary.contains("tier 3"));
    assert!(timeline[7]
        .changes
        .iter()
        .any(|ch| ch.field == "PDF SHA-256" && ch.after.as_ref().is_some_and(|h| h.len() == 64)));
    // The audit chain those entries come from is intact.
    app.store().verify_audit_chain().unwrap();

    // Nothing reached a hub yet: every step is made here and marked as not synced;
    // once the hub has applied the submit, that step (and its explanation) is not.
    assert!(timeline
        .iter()
        .all(|e| e.not_yet_synced && e.station.is_none()));
    let submit = app
        .store()
        .next_pending(100)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "consignment.status_set" && e.payload["status"] == "pending_approval")
        .unwrap();
    app.store().mark_done(submit.seq).unwrap();
    let after = app.consignment_timeline(&po.id).unwrap();
    assert!(!after[5].not_yet_synced, "{:#?}", after[5]);
    assert!(after[4].not_yet_synced && after[6].not_yet_synced);
}

#[test]
fn a_line_without_a_cost_blocks_submission_until_a_cost_is_entered() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    let po = draft(&app, &c, c.no_cost, "4");
    assert!(po.lines[0].unit_cost.is_none() && !po.can_submit);
    assert_eq!(
        app.submit_purchase_order(&po.id).unwrap_err().code,
        "COST_MISSING"
    );
    app.set_purchase_order_line(
        &po.id,
        PoLineEdit {
            product_id: c.no_cost.to_string(),
            quantity: "4".into(),
            unit_cost: "3.25".into(),
        },
    )
    .unwrap();
    assert_eq!(
        app.submit_purchase_order(&po.id)
            .unwrap()
            .totals
            .excl_gst
            .shown,
        "$13.00"
    );
}

#[test]
fn scanning_adds_one_unit_and_an_unknown_code_is_refused() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    let po = app.create_purchase_order(&c.supplier.to_string()).unwrap();
    assert!(po.reference.starts_with("TR-PUR-"), "{}", po.reference);
    tally_domain::ConsignmentReference::parse(&po.reference).unwrap();
    app.scan_into_purchase_order(&po.id, "9421234500026")
        .unwrap();
    let twice = app
        .scan_into_purchase_order(&po.id, "9421234500026")
        .unwrap();
    assert_eq!(
        (twice.name.as_str(), twice.quantity.as_str()),
        ("Coil pack (5)", "2")
    );
    assert_eq!(twice.order.totals.excl_gst.shown, "$40.00");
    assert_eq!(
        app.scan_into_purchase_order(&po.id, "0000000000000")
            .unwrap_err()
            .code,
        "PRODUCT_NOT_FOUND"
    );
    let found = app
        .search_products_for_order("coil", Some(&c.supplier.to_string()))
        .unwrap();
    assert_eq!(found[0].sku, "COIL-5");
    assert!(found[0].from_this_supplier);
    assert_eq!(found[0].supply_price.as_ref().unwrap().shown, "$20.00");
    let by_code = app
        .lookup_product_code("9421234500019", Some(&c.supplier.to_string()))
        .unwrap();
    assert_eq!(by_code.sku, "VAP-01");
    assert_eq!(
        app.lookup_product_code("nope", None).unwrap_err().code,
        "PRODUCT_NOT_FOUND"
    );
}

#[test]
fn negative_or_garbled_quantities_are_refused_before_anything_is_written() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    let po = draft(&app, &c, c.coils, "2");
    let before = app.store().next_pending(100).unwrap().len();
    let edit = |q: &str, cost: &str| {
        app.set_purchase_order_line(
            &po.id,
            PoLineEdit {
                product_id: c.coils.to_string(),
                quantity: q.into(),
                unit_cost: cost.into(),
            },
        )
        .unwrap_err()
        .code
    };
    assert_eq!(edit("-1", "20"), "NEGATIVE_QUANTITY");
    assert_eq!(edit("two", "20"), "INVALID_NUMBER");
    assert_eq!(edit("2", "-3"), "NEGATIVE_QUANTITY");
    assert_eq!(app.store().next_pending(100).unwrap().len(), before);
}

#[test]
fn the_queue_shows_this_outlet_to_a_store_manager_and_every_outlet_to_a_director() {
    let (_d, app, c) = app_with_chain();
    // An earlier order from the same supplier, delivered 2 short.
    let earlier = sent_coil_order(&app, &c);
    set_status(&app, &c, &earlier.id, ConsignmentStatus::Receiving);
    receive(&app, &c, &earlier.id, c.coils, 8, 0);
    set_status(&app, &c, &earlier.id, ConsignmentStatus::Received);

    let here = six_thousand_pending(&app, &c);
    app.store()
        .apply_pulled(
            &tally_store::PulledChanges {
                consignments: vec![pending_order_elsewhere(&c, "TR-PUR-202611-000900-00")],
                ..Default::default()
            },
            2,
        )
        .unwrap();

    sign_in(&app, c.manager, MANAGER_PIN);
    let queue = app.approval_queue().unwrap();
    assert_eq!(
        queue
            .iter()
            .map(|i| i.reference.as_str())
            .collect::<Vec<_>>(),
        vec![here.reference.as_str()]
    );
    let item = &queue[0];
    assert!(item.approval.reason.contains("tier 3"));
    assert_eq!(item.totals.excl_gst.shown, "$6,000.00");
    assert_eq!(item.supplier.name, "Cloud Nine Wholesale");
    let past = item
        .supplier_history
        .orders
        .iter()
        .find(|o| o.reference == earlier.reference)
        .expect("the earlier order is in the supplier's history");
    assert_eq!(past.variance_units.as_deref(), Some("-2"));
    assert_eq!(past.variance_value.as_ref().unwrap().shown, "-$40.00");
    assert_eq!(
        (
            item.supplier_history.delivered,
            item.supplier_history.delivered_with_variance
        ),
        (1, 1)
    );

    sign_in(&app, c.director, DIRECTOR_PIN);
    let mut refs: Vec<String> = app
        .approval_queue()
        .unwrap()
        .into_iter()
        .map(|i| i.reference)
        .collect();
    refs.sort();
    let mut expected = vec![
        here.reference.clone(),
        "TR-PUR-202611-000900-00".to_string(),
    ];
    expected.sort();
    assert_eq!(refs, expected);
}

#[test]
fn an_approval_waiting_too_long_shows_overdue_and_who_to_escalate_to() {
    let (_d, app, c) = app_with_chain();
    let tiers = ApprovalPolicy::default_three_tier().tiers().to_vec();
    app.set_purchasing_settings(PurchasingSettings {
        policy: ApprovalPolicy::new(tiers, false, time::Duration::ZERO).unwrap(),
        ..app.purchasing_settings()
    });
    sign_in(&app, c.staff, STAFF_PIN);
    let po = draft(&app, &c, c.coils, "5");
    app.submit_purchase_order(&po.id).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let v = app.purchase_order(&po.id).unwrap();
    assert!(v.approval.overdue);
    assert_eq!(
        v.approval.escalate_to.as_deref(),
        Some("tier 2: operations manager or higher")
    );
    assert!(v.approval.submitted_at.is_some());
}

#[test]
fn under_the_legacy_tiers_a_small_order_needs_no_approval() {
    let (_d, app, c) = app_with_chain();
    app.set_purchasing_settings(PurchasingSettings {
        policy: ApprovalPolicy::legacy_five_tier(),
        ..app.purchasing_settings()
    });
    sign_in(&app, c.staff, STAFF_PIN);
    let po = draft(&app, &c, c.coils, "5"); // $100.00
    let submitted = app.submit_purchase_order(&po.id).unwrap();
    assert_eq!(submitted.status, ConsignmentStatus::Approved);
    assert!(submitted
        .approval
        .reason
        .ends_with("no approval is needed."));
}

#[test]
fn reorder_suggestions_ask_for_a_sync_until_stock_has_come_from_the_hub() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    let po = app.create_purchase_order(&c.supplier.to_string()).unwrap();
    let s = app.reorder_suggestions(&po.id).unwrap();
    assert!(!s.available && s.items.is_empty());
    assert!(s.missing.unwrap().contains("Connect to the hub"));
    assert_eq!(
        app.add_reorder_suggestions(&po.id).unwrap_err().code,
        "REORDER_DATA_MISSING"
    );
    assert!(app.purchase_order(&po.id).unwrap().lines.is_empty());
}

/// `YYYY-MM-DD` of `days_ago` days before today (UTC).
fn day(days_ago: i64) -> String {
    let d = time::OffsetDateTime::now_utc().date() - time::Duration::days(days_ago);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn stock(
    outlet: Uuid,
    product: Uuid,
    on_hand: i64,
    point: Option<i64>,
    sales: &[(i64, i64)],
) -> tally_sync::Row {
    tally_sync::Row::Stock(tally_sync::StockRow {
        outlet_id: outlet.to_string(),
        product_id: product.to_string(),
        on_hand: Decimal::from(on_hand),
        reorder_point: point.map(Decimal::from),
        reorder_amount: None,
        daily_sales: sales
            .iter()
            .map(|&(ago, units)| tally_sync::DailySales {
                day: day(ago),
                units: Decimal::from(units),
            })
            .collect(),
        updated_at: time::OffsetDateTime::now_utc(),
    })
}

/// A pull page from the hub: stock facts of both outlets, the chain's reorder policy
/// with a 4-day lead time for the supplier, applied as the sync loop applies pages.
fn pull_stock(app: &App, c: &Chain) {
    let rows = vec![
        // 45 sold in the window (1.5/day); 100 more 40 days ago fall outside it.
        stock(
            c.here,
            c.coils,
            3,
            None,
            &[(0, 15), (5, 15), (29, 15), (40, 100)],
        ),
        // At its own reorder point of 2 with nothing sold.
        stock(c.here, c.no_cost, 1, Some(2), &[]),
        // Well above its reorder point.
        stock(c.here, c.vaporiser, 10, Some(4), &[(1, 2)]),
        // Another outlet's stock never counts here.
        stock(c.there, c.vaporiser, 0, Some(50), &[(1, 40)]),
    ];
    let changes: Vec<tally_sync::Change> = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| tally_sync::Change {
            seq: 100 + i as u64,
            row,
        })
        .collect();
    let pulled = tally_sync::outlet::translate::incoming(&changes);
    app.store().apply_pulled(&pulled, 104).unwrap();
    let mut reorder = tally_sync::ReorderPolicy::default();
    reorder.lead_time_days.insert(c.supplier.to_string(), 4);
    let policies = tally_sync::ChainPolicies {
        approval: ApprovalPolicy::default_three_tier(),
        variance: tally_domain::VariancePolicy::default(),
        reorder,
    };
    app.store()
        .set_hub_policies(&serde_json::to_string(&policies).unwrap())
        .unwrap();
}

#[test]
fn a_product_under_its_reorder_point_is_suggested_with_its_numbers_and_added_to_the_draft() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    pull_stock(&app, &c);
    let po = app.create_purchase_order(&c.supplier.to_string()).unwrap();
    let s = app.reorder_suggestions(&po.id).unwrap();
    assert!(s.available, "{:?}", s.missing);
    assert!(s.as_of.is_some());
    assert!(s.basis.unwrap().contains("4 days lead time"));
    let found: Vec<(&str, &str)> = s
        .items
        .iter()
        .map(|i| (i.sku.as_str(), i.quantity.as_str()))
        .collect();
    // Coils: point = ceil(1.5 × (4 + 2)) = 9; up to 9 + ceil(1.5 × 14) = 30; 30 − 3 = 27.
    // The sample: its own point 2, nothing sold: up to 3, so 2. Most urgent first.
    assert_eq!(found, vec![("COIL-5", "27"), ("NEW-1", "2")]);
    let coils = &s.items[0];
    assert_eq!(coils.daily_velocity, "1.5");
    assert_eq!(coils.reorder_point, "9");
    assert!(
        coils.explanation.contains("Sold 45 in 30 days (1.5/day)")
            && coils.explanation.contains("4 days lead time")
            && coils.explanation.contains("3 on hand + 0 on order"),
        "{}",
        coils.explanation
    );

    // Adding one suggestion saves it on the draft; it is then on order, so no longer
    // suggested.
    let view = app
        .add_to_purchase_order(&po.id, &coils.product_id, Some(&coils.quantity))
        .unwrap();
    assert_eq!(view.lines.len(), 1);
    assert_eq!(view.lines[0].quantity, "27");
    let after = app.reorder_suggestions(&po.id).unwrap();
    assert_eq!(after.items.len(), 1);
    assert_eq!(after.items[0].sku, "NEW-1");

    // "Add all" adds what is left, each change saved; the draft keeps every line.
    let view = app.add_reorder_suggestions(&po.id).unwrap();
    let mut lines: Vec<(String, String)> = view
        .lines
        .iter()
        .map(|l| (l.product_id.clone(), l.quantity.clone()))
        .collect();
    lines.sort();
    let mut expected = vec![
        (c.coils.to_string(), "27".to_string()),
        (c.no_cost.to_string(), "2".to_string()),
    ];
    expected.sort();
    assert_eq!(lines, expected);
    assert!(app.reorder_suggestions(&po.id).unwrap().items.is_empty());
    assert_eq!(
        app.purchase_order(&po.id).unwrap().lines.len(),
        2,
        "saved in the store"
    );
}

#[test]
fn units_on_another_open_order_count_as_on_order() {
    let (_d, app, c) = app_with_chain();
    sign_in(&app, c.staff, STAFF_PIN);
    pull_stock(&app, &c);
    let first = draft(&app, &c, c.coils, "5");
    app.submit_purchase_order(&first.id).unwrap();
    let po = app.create_purchase_order(&c.supplier.to_string()).unwrap();
    let s = app.reorder_suggestions(&po.id).unwrap();
    let coils = s.items.iter().find(|i| i.sku == "COIL-5").unwrap();
    assert_eq!(coils.quantity, "22", "30 − (3 on hand + 5 on order)");
    assert!(coils.explanation.contains("3 on hand + 5 on order"));
    // A draft is not on order: only what was submitted counts.
    let _other_draft = draft(&app, &c, c.coils, "50");
    let again = app.reorder_suggestions(&po.id).unwrap();
    assert_eq!(again.items[0].quantity, "22");
}

#[test]
fn drafting_needs_a_signed_in_person_and_a_known_supplier() {
    let (_d, app, c) = app_with_chain();
    assert_eq!(
        app.create_purchase_order(&c.supplier.to_string())
            .unwrap_err()
            .code,
        "NOT_SIGNED_IN"
    );
    sign_in(&app, c.staff, STAFF_PIN);
    assert_eq!(
        app.create_purchase_order(&Uuid::now_v7().to_string())
            .unwrap_err()
            .code,
        "SUPPLIER_NOT_FOUND"
    );
    assert_eq!(app.list_suppliers().unwrap().len(), 2);
}
