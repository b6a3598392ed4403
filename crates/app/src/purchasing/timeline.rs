//! A consignment's timeline: every change to the order or return, its lines, its
//! decisions and its deliveries, with who and when, read from the hash-chained audit log.
//! Where this feature wrote an entry explaining a store action (a line change with the
//! order's totals, a decision with its status effect), the explanation stands for it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use tally_store::AuditEntry;
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
        marks::RETURN_LINE => {
            let changes = [
                change("Quantity", None, text(after.get("quantity"))),
                change("Reason", None, text(after.get("reason"))),
                change("Note", None, text(after.get("note"))),
            ];
            (
                format!(
                    "Return line: {}",
                    text(after.get("name")).unwrap_or_default()
                ),
                changes.into_iter().flatten().collect(),
            )
        }
        marks::RETURN_AUTHORISATION => (
            "Return authorisation number recorded".to_string(),
            change(
                "Authorisation",
                text(before.get("number")),
                text(after.get("number")),
            )
            .into_iter()
            .collect(),
        ),
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
            out.push(TimelineEntry {
                seq: u32::try_from(e.id).unwrap_or(u32::MAX),
                at: rfc3339(e.at),
                who: self.who(&e.actor),
                action: e.action,
                summary,
                changes,
            });
        }
        Ok(out)
    }
}
