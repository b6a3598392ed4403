use std::collections::BTreeMap;

use tally_domain::{ConsignmentStatus as S, Role};
use tally_testkit::smtp_sink::SmtpSink;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::*;
use crate::config::{HubConfig, Policies};
use crate::testing::*;

fn hourly() -> EscalationConfig {
    EscalationConfig {
        after_minutes: BTreeMap::from([("1".into(), 60), ("3".into(), 60)]),
        ..EscalationConfig::default()
    }
}

fn waiting_order(f: &mut Fixture) -> Uuid {
    let id = Uuid::now_v7();
    let out = f.push_a1(vec![
        purchase_order(id, &[(0, 1)]),
        go(id, S::Draft, S::PendingApproval),
    ]);
    assert!(out.iter().all(|o| code(o) == "APPLIED"), "{out:?}");
    id
}

#[test]
fn an_approval_waiting_longer_than_its_tier_allows_is_escalated_once_to_the_role_above() {
    let mut f = Fixture::new();
    let id = waiting_order(&mut f);
    let p = Policies::default();
    let now = OffsetDateTime::now_utc();
    assert!(
        escalate_due(&*f.store, &p, &hourly(), now + Duration::minutes(30))
            .unwrap()
            .is_empty()
    );
    // Off unless configured.
    assert!(escalate_due(
        &*f.store,
        &p,
        &EscalationConfig::default(),
        now + Duration::days(3)
    )
    .unwrap()
    .is_empty());

    let later = now + Duration::minutes(61);
    let done = escalate_due(&*f.store, &p, &hourly(), later).unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].consignment_id, id);
    // Tier 1 is a store manager's: it goes to the area manager.
    assert_eq!(done[0].to_role, Role::AreaManager);
    assert!(done[0].why.contains("tier 1"), "{}", done[0].why);
    assert!(
        escalate_due(&*f.store, &p, &hourly(), later + Duration::hours(5))
            .unwrap()
            .is_empty()
    );

    // Stations pull it with the order's history: who it went to and why; audited.
    let row = f.consignment(id);
    let e = row.history.iter().find(|h| h.kind == "escalated").unwrap();
    assert_eq!(e.payload["to_role"], "area_manager");
    assert_eq!(e.staff_id, None);
    assert_eq!(e.status_after, Some(S::PendingApproval));
}

#[test]
fn a_tier_without_a_wait_is_never_escalated_and_a_new_submission_waits_again() {
    let mut f = Fixture::new();
    let id = waiting_order(&mut f);
    let p = Policies::default();
    let only_tier_two = EscalationConfig {
        after_minutes: BTreeMap::from([("2".into(), 1)]),
        ..EscalationConfig::default()
    };
    let much_later = OffsetDateTime::now_utc() + Duration::days(10);
    assert!(escalate_due(&*f.store, &p, &only_tier_two, much_later)
        .unwrap()
        .is_empty());
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        escalate_due(&*f.store, &p, &hourly(), now + Duration::hours(2))
            .unwrap()
            .len(),
        1
    );
    // Back to draft and submitted again: a new wait starts.
    f.push_a1(vec![
        go(id, S::PendingApproval, S::Draft),
        go(id, S::Draft, S::PendingApproval),
    ]);
    let again = escalate_due(&*f.store, &p, &hourly(), now + Duration::hours(4)).unwrap();
    assert_eq!(again.len(), 1);
}

#[test]
fn an_escalation_is_emailed_to_the_roles_address_through_the_relay() {
    let mut f = Fixture::new();
    waiting_order(&mut f);
    let sink = SmtpSink::start(1);
    let config = EscalationConfig {
        notify: BTreeMap::from([(Role::AreaManager, "Area <area@chain.nz>".to_string())]),
        smtp: Some(SmtpRelay {
            host: "127.0.0.1".into(),
            port: sink.port,
            from: "tally-hub@chain.nz".into(),
            starttls: false,
        }),
        ..hourly()
    };
    let done = escalate_due(
        &*f.store,
        &Policies::default(),
        &config,
        OffsetDateTime::now_utc() + Duration::hours(2),
    )
    .unwrap();
    assert!(notify(&config, &done[0]));
    let mail = sink.messages();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, ["area@chain.nz"]);
    let text = String::from_utf8_lossy(&mail[0].data);
    assert!(text.contains(&done[0].reference), "{text}");
    assert!(
        text.contains("Area manager") || text.contains("area manager"),
        "{text}"
    );
    // No address for the role: nothing is sent.
    let nobody = EscalationConfig {
        notify: BTreeMap::new(),
        ..config
    };
    assert!(!notify(&nobody, &done[0]));
}

#[test]
fn the_wait_per_tier_and_the_relay_come_from_the_hub_file() {
    let c = HubConfig::parse(
        r#"
db_path = "/tmp/hub.db"
[escalation]
check_every_secs = 30
[escalation.after_minutes]
1 = 1440
3 = 2880
[escalation.notify]
director = "director@chain.nz"
[escalation.smtp]
host = "mail.chain.nz"
port = 587
from = "tally@chain.nz"
"#,
    )
    .unwrap();
    assert_eq!(c.escalation.after_minutes.get("3"), Some(&2880));
    assert!(c.escalation.smtp.as_ref().unwrap().starttls);
    assert_eq!(
        c.escalation.notify.get(&Role::Director).map(String::as_str),
        Some("director@chain.nz")
    );
    assert_eq!(
        HubConfig::parse("db_path = \"x\"").unwrap().escalation,
        EscalationConfig::default()
    );
    let bad =
        HubConfig::parse("db_path = \"x\"\n[escalation.after_minutes]\ntop = 5\n").unwrap_err();
    assert_eq!(bad.code(), "HUB_CONFIG");
}
