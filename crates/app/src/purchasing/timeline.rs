//! A consignment's timeline: every change to the order or return, its lines, its
//! decisions and its deliveries, with who and when, read from the hash-chained audit log.
//! Where this feature wrote an entry explaining a store action (a line change with the
//! order's totals, a decision with its status effect), the explanation stands for it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use tally_store::{supplier_return, AuditEntry, OutboxState};
use time::OffsetDateTime;
use uuid::Uuid;

use super::views::{FieldChange, PersonView, TimelineEntry};
use super::{marks, parse_id, rfc3339, staff_of_actor};
use crate::error::AppError;
use crate::App;

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn money_text(v: Option<&Value>) -> Option<String> {
    text(v).map(|s| match tally_domain::Money::parse(&s) {
        Ok(m) => m.to_string(),
        Err(_) => s,
    })
}

fn status_label(v: Option<&Value>) -> Option<String> {
    text(v).map(|s| {
        tally_domain::ConsignmentStatus::parse(&s)
            .map(|st| st.label().to_string())
            .unwrap_or(s)
    })
}

fn reason_label(v: Option<&Value>) -> Option<String> {
    text(v).map(|s| {
        tally_domain::ReturnReason::parse(&s)
            .map(|r| r.label().to_string())
            .unwrap_or(s)
    })
}

fn change(field: &str, before: Option<String>, after: Option<String>) -> Option<FieldChange> {
    (before != after).then(|| FieldChange {
        field: field.to_string(),
        before,
        after,
    })
}

/// The words and field changes for one entry.
fn describe(e: &AuditEntry) -> (String, Vec<FieldChange>) {
    let before = e.before.as_ref().unwrap_or(&Value::Null);
    let after = e.after.as_ref().unwrap_or(&Value::Null);
    match e.action.as_str() {
        "consignment.created" => (
            format!(
                "Created {} ({})",
                text(after.get("reference")).unwrap_or_default(),
                status_label(after.get("status")).unwrap_or_default()
            ),
            vec![],
        ),
        "consignment.status_set" => {
            let c = change(
                "Status",
                status_label(before.get("status")),
                status_label(after.get("status")),
            );
            (
                format!(
                    "Status changed to {}",
                    status_label(after.get("status")).unwrap_or_default()
                ),
                c.into_iter().collect(),
            )
        }
        "consignment.line_set" | "consignment.line_removed" => {
            let removed = after.get("deleted").and_then(Value::as_bool) == Some(true);
            let changes = [
                change(
                    "Quantity",
                    text(before.get("expected_qty")),
                    (!removed)
                        .then(|| text(after.get("expected_qty")))
                        .flatten(),
                ),
                change(
                    "Unit cost",
                    money_text(before.get("unit_cost")),
                    money_text(after.get("unit_cost")),
                ),
            ];
            let what = if removed { "Line removed" } else { "Line set" };
            (what.to_string(), changes.into_iter().flatten().collect())
        }
        marks::LINE_CHANGED => {
            let b = before.get("line").filter(|v| !v.is_null());
            let a = after.get("line").filter(|v| !v.is_null());
            let name = text(a.or(b).and_then(|l| l.get("name"))).unwrap_or_default();
            let q = |l: Option<&Value>| text(l.and_then(|l| l.get("quantity")));
            let c = |l: Option<&Value>| money_text(l.and_then(|l| l.get("unit_cost")));
            let summary = match (b, a) {
                (None, Some(_)) => format!("Added {} × {name}", q(a).unwrap_or_default()),
                (Some(_), None) => format!("Removed {name}"),
                _ => format!("Changed {name}"),
            };
            let changes = [
                change("Quantity", q(b), q(a)),
                change("Unit cost", c(b), c(a)),
                change(
                    "Total excl. GST",
                    money_text(before.get("total_excl_gst")),
                    money_text(after.get("total_excl_gst")),
                ),
            ];
            (summary, changes.into_iter().flatten().collect())
        }
        marks::SUBMITTED => (
            format!(
                "Submitted for approval. {}",
                text(after.get("reason")).unwrap_or_default()
            ),
            vec![],
        ),
        marks::DECIDED => {
            let tier = text(after.get("tier")).unwrap_or_default();
            let summary = match text(after.get("decision")).as_deref() {
                Some("approve") => format!("Approved at tier {tier}"),
                Some("request_changes") => "Asked for changes".to_string(),
                Some("reject") => "Rejected".to_string(),
                _ => "Decided".to_string(),
            };
            let changes = change(
                "Status",
                status_label(before.get("status")),
                status_label(after.get("status")),
            );
            (summary, changes.into_iter().collect())
        }
        "approval.recorded" => {
            let mut changes = Vec::new();
            changes.extend(change("Reason", None, text(after.get("reason"))));
            changes.extend(change("Comment", None, text(after.get("comment"))));
            (
                format!(
                    "Decision: {}",
                    text(after.get("decision"))
                        .unwrap_or_default()
                        .replace('_', " ")
                ),
                changes,
            )
        }
        marks::REAPPROVAL_REQUIRED => (
            format!(
                "Total rose to {} (tier {}), above the approved tier {}: needs approval again",
                money_text(after.get("total_excl_gst")).unwrap_or_default(),
                text(after.get("new_tier")).unwrap_or_default(),
                text(after.get("approved_tier")).unwrap_or_default()
            ),
            vec![],
        ),
        marks::EDITED_AFTER_APPROVAL => (
            format!(
                "Edited after approval; still within tier {}, so the approval stands",
                text(after.get("approved_tier")).unwrap_or_default()
            ),
            vec![],
        ),
        marks::SENT => {
            let mut changes = Vec::new();
            changes.extend(change("PDF", None, text(after.get("pdf_path"))));
            changes.extend(change("PDF SHA-256", None, text(after.get("pdf_sha256"))));
            changes.extend(change("E-mail to", None, text(after.get("email_to"))));
            (
                "Sent to the supplier; purchase order PDF saved".to_string(),
                changes,
            )
        }
        supplier_return::REASON_SET => {
            let changes = [
                change(
                    "Reason",
                    reason_label(before.get("reason")),
                    reason_label(after.get("reason")),
                ),
                change("Note", text(before.get("note")), text(after.get("note"))),
            ];
            (
                "Return reason set".to_string(),
                changes.into_iter().flatten().collect(),
            )
        }
        supplier_return::AUTHORISATION_SET => (
            "Return authorisation number recorded".to_string(),
            change(
                "Authorisation",
                text(before.get("number")),
                text(after.get("number")),
            )
            .into_iter()
            .collect(),
        ),
        supplier_return::CREDIT_RECORDED => {
            let changes = [
                change("Credit", None, money_text(after.get("amount"))),
                change("Credit note", None, text(after.get("credit_note_number"))),
                change("Dated", None, text(after.get("credited_on"))),
            ];
            (
                "Supplier credit recorded".to_string(),
                changes.into_iter().flatten().collect(),
            )
        }
        marks::RETURN_SOURCE => (
            format!(
                "Made from the receipts of {}",
                text(after.get("reference")).unwrap_or_default()
            ),
            vec![],
        ),
        "receipt.started" => ("Delivery: receiving started".to_string(), vec![]),
        "receipt.line_recorded" => {
            let changes = [
                change(
                    "Received",
                    text(before.get("received_qty")),
                    text(after.get("received_qty")),
                ),
                change(
                    "Damaged",
                    text(before.get("damaged_qty")),
                    text(after.get("damaged_qty")),
                ),
                change(
                    "Variance reason",
                    text(before.get("variance_reason")),
                    text(after.get("variance_reason")),
                ),
            ];
            (
                "Delivery: line counted".to_string(),
                changes.into_iter().flatten().collect(),
            )
        }
        "receipt.closed" => ("Delivery: receipt signed and closed".to_string(), vec![]),
        other => (other.replace(['.', '_'], " "), vec![]),
    }
}

/// Markers that explain the status change written in their transaction.
const STATUS_MARKS: [&str; 4] = [
    marks::SUBMITTED,
    marks::DECIDED,
    marks::REAPPROVAL_REQUIRED,
    marks::SENT,
];

impl App {
    fn who(&self, actor: &str) -> PersonView {
        match staff_of_actor(actor) {
            Some(id) => self.person(Some(id)),
            None => PersonView {
                id: String::new(),
                name: format!("Tally ({})", actor.trim_start_matches("system:")),
                role: None,
            },
        }
    }

    /// Every change to a consignment (order or return), oldest first, with who and when.
    pub fn consignment_timeline(&self, id: &str) -> Result<Vec<TimelineEntry>, AppError> {
        self.actor()?;
        let id = parse_id("consignment", id)?;
        let store = self.store();
        store.consignment(id)?;
        let own = store.audit_entries_for("consignment", &id.to_string())?;

        // Lines: today's, and every line a change marker names (removed ones too).
        let mut line_ids: HashSet<Uuid> = store
            .consignment_lines(id)?
            .into_iter()
            .map(|l| l.line.id)
            .collect();
        let mut explained_lines: HashSet<(String, OffsetDateTime)> = HashSet::new();
        let mut explained_approvals: HashSet<String> = HashSet::new();
        let mut status_explained: HashSet<OffsetDateTime> = HashSet::new();
        for e in &own {
            let after = e.after.as_ref();
            if e.action == marks::LINE_CHANGED {
                if let Some(l) = after.and_then(|a| text(a.get("line_id"))) {
                    if let Ok(u) = Uuid::parse_str(&l) {
                        line_ids.insert(u);
                    }
                    explained_lines.insert((l, e.at));
                }
            }
            if e.action == marks::DECIDED {
                if let Some(a) = after.and_then(|a| text(a.get("approval_id"))) {
                    explained_approvals.insert(a);
                }
            }
            if STATUS_MARKS.contains(&e.action.as_str()) {
                status_explained.insert(e.at);
            }
        }

        let mut all: BTreeMap<i64, AuditEntry> = own.into_iter().map(|e| (e.id, e)).collect();
        let mut add = |entries: Vec<AuditEntry>| {
            for e in entries {
                all.insert(e.id, e);
            }
        };
        for l in &line_ids {
            add(store.audit_entries_for("consignment_line", &l.to_string())?);
        }
        for a in store.approvals_for(id)? {
            add(store.audit_entries_for("approval", &a.id.to_string())?);
        }
        for r in store.receipts_for(id)? {
            add(store.audit_entries_for("receipt", &r.id.to_string())?);
            for l in store.receipt_lines(r.id)? {
                add(store.audit_entries_for("receipt_line", &l.id.to_string())?);
            }
        }

        // The station's own changes the hub has not applied yet (and the entries written
        // in the same action), and every mutation this station's log knows.
        let mut unsynced_at: HashSet<OffsetDateTime> = HashSet::new();
        let mut local_mutations: HashSet<Uuid> = HashSet::new();
        for e in all.values() {
            if let Some(m) = e.mutation_id {
                local_mutations.insert(m);
                let waiting = store.outbox_entry(m)?.is_some_and(|o| {
                    matches!(
                        o.state,
                        OutboxState::Pending | OutboxState::InFlight | OutboxState::NeedsAttention
                    )
                });
                if waiting {
                    unsynced_at.insert(e.at);
                }
            }
        }
        let mut out = Vec::with_capacity(all.len());
        // A covered status change is shown on the marker written after it.
        let mut status_changes: HashMap<OffsetDateTime, FieldChange> = HashMap::new();
        for e in all.into_values() {
            let covered = match e.action.as_str() {
                "consignment.line_set" | "consignment.line_removed" => {
                    explained_lines.contains(&(e.entity_id.clone(), e.at))
                }
                "approval.recorded" => explained_approvals.contains(&e.entity_id),
                "consignment.status_set" => status_explained.contains(&e.at),
                _ => false,
            };
            if covered {
                if e.action == "consignment.status_set" {
                    if let Some(c) = describe(&e).1.into_iter().next() {
                        status_changes.insert(e.at, c);
                    }
                }
                continue;
            }
            let (summary, mut changes) = describe(&e);
            if STATUS_MARKS.contains(&e.action.as_str()) {
                if let Some(c) = status_changes.remove(&e.at) {
                    if !changes.iter().any(|x| x.field == c.field) {
                        changes.insert(0, c);
                    }
                }
            }
            let not_yet_synced = unsynced_at.contains(&e.at);
            out.push((
                e.at,
                TimelineEntry {
                    seq: 0,
                    at: rfc3339(e.at),
                    who: self.who(&e.actor),
                    action: e.action,
                    summary,
                    changes,
                    station: None,
                    not_yet_synced,
                },
            ));
        }
        // What other stations did, as the hub applied it.
        for h in store.hub_history(id)? {
            let Ok(row) = serde_json::from_value::<HubEntry>(h.entry) else {
                continue;
            };
            if local_mutations.contains(&row.mutation_id) {
                continue;
            }
            let (summary, changes) = describe_hub(&row);
            let who = match row
                .staff_id
                .as_deref()
                .and_then(|s| Uuid::parse_str(s).ok())
            {
                Some(staff) => {
                    let mut p = self.person(Some(staff));
                    if p.role.is_none() {
                        // Staff of another outlet are not pulled here; the hub named them.
                        if let Some(n) = &row.staff_name {
                            p.name.clone_from(n);
                        }
                    }
                    p
                }
                None => self.who("system:hub"),
            };
            let station = row
                .outlet_id
                .as_deref()
                .and_then(|o| Uuid::parse_str(o).ok())
                .map(|o| self.outlet_name(Some(o)))
                .transpose()?
                .or_else(|| Some("hub".to_string()));
            out.push((
                row.at,
                TimelineEntry {
                    seq: 0,
                    at: rfc3339(row.at),
                    who,
                    action: format!("hub.{}", row.kind),
                    summary,
                    changes,
                    station,
                    not_yet_synced: false,
                },
            ));
        }
        out.sort_by_key(|(at, _)| *at);
        Ok(out
            .into_iter()
            .enumerate()
            .map(|(i, (_, mut e))| {
                e.seq = u32::try_from(i + 1).unwrap_or(u32::MAX);
                e
            })
            .collect())
    }
}

/// The part of the hub's history entry the timeline reads (`tally_sync::HistoryRow`).
#[derive(serde::Deserialize)]
struct HubEntry {
    mutation_id: Uuid,
    kind: String,
    #[serde(default)]
    staff_id: Option<String>,
    #[serde(default)]
    staff_name: Option<String>,
    #[serde(default)]
    outlet_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    #[serde(default)]
    status_before: Option<String>,
    #[serde(default)]
    status_after: Option<String>,
    #[serde(default)]
    payload: Value,
}

/// Words for a change another station made, from the hub's record of it.
fn describe_hub(h: &HubEntry) -> (String, Vec<FieldChange>) {
    let p = &h.payload;
    let status = change(
        "Status",
        status_label(
            h.status_before
                .as_ref()
                .map(|s| Value::String(s.clone()))
                .as_ref(),
        ),
        status_label(
            h.status_after
                .as_ref()
                .map(|s| Value::String(s.clone()))
                .as_ref(),
        ),
    );
    let mut changes: Vec<FieldChange> = status.into_iter().collect();
    let summary = match h.kind.as_str() {
        "consignment_created" => {
            format!("Created {}", text(p.get("reference")).unwrap_or_default())
        }
        "line_set" => {
            changes.extend(change("Quantity", None, text(p.get("expected_qty"))));
            changes.extend(change("Unit cost", None, money_text(p.get("unit_cost"))));
            "Line set".to_string()
        }
        "line_removed" => "Line removed".to_string(),
        "status_transition_requested" => format!(
            "Status changed to {}",
            status_label(p.get("to")).unwrap_or_default()
        ),
        "approval_decided" => {
            changes.extend(change("Comment", None, text(p.get("comment"))));
            changes.extend(change("Note", None, text(p.get("note"))));
            match text(p.get("decision")).as_deref() {
                Some("approve") => "Approved".to_string(),
                Some("request_changes") => "Asked for changes".to_string(),
                Some("reject") => format!(
                    "Rejected ({})",
                    text(p.get("reason")).unwrap_or_default().replace('_', " ")
                ),
                _ => "Decided".to_string(),
            }
        }
        "return_authorisation_set" => {
            changes.extend(change("Authorisation", None, text(p.get("number"))));
            "Return authorisation number recorded".to_string()
        }
        "return_line_reason_set" => {
            changes.extend(change("Reason", None, reason_label(p.get("reason"))));
            changes.extend(change("Note", None, text(p.get("note"))));
            "Return reason set".to_string()
        }
        "supplier_credit_recorded" => {
            changes.extend(change("Credit", None, money_text(p.get("amount"))));
            changes.extend(change(
                "Credit note",
                None,
                text(p.get("credit_note_number")),
            ));
            "Supplier credit recorded".to_string()
        }
        "escalated" => {
            changes.extend(change("Escalated to", None, text(p.get("to_role"))));
            format!(
                "Approval escalated: {}",
                text(p.get("why")).unwrap_or_default()
            )
        }
        other => other.replace('_', " "),
    };
    (summary, changes)
}
