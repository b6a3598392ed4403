//! Changes the hub refused: listed with the hub's reason, retried after a fix, or
//! discarded by a manager. Nothing the hub refused is ever dropped silently.

use serde::Serialize;
use tally_domain::Role;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::app::App;
use crate::error::AppError;

/// One refused change, as the sync panel lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AttentionItem {
    /// The mutation id.
    pub mutation_id: String,
    /// What kind of change it was, in words.
    pub what: String,
    /// The consignment's reference, when it is about one.
    pub reference: Option<String>,
    /// The hub's stable code.
    pub code: String,
    /// The hub's reason, for a person.
    pub message: String,
    /// When it was saved here (RFC 3339).
    pub saved_at: String,
}

/// Words for an outbox action (the store's action names).
pub fn describe_kind(kind: &str) -> String {
    match kind {
        "consignment.created" => "New consignment".into(),
        "consignment.line_set" => "Line quantity".into(),
        "consignment.line_removed" => "Line removed".into(),
        "consignment.status_set" => "Status change".into(),
        "scan.recorded" => "Scan".into(),
        "scan.undone" => "Undo of a scan".into(),
        "box.opened" => "Box opened".into(),
        "box.weighed" | "box.closed" => "Box weight".into(),
        "box.dimensions_set" => "Box size".into(),
        "box.label_printed" => "Box label".into(),
        "box.tracking_set" => "Tracking number".into(),
        "receipt.started" | "receipt.line_recorded" => "Received count".into(),
        "receipt.closed" => "Receipt closed".into(),
        "approval.recorded" => "Approval".into(),
        "staff.pin_set" => "PIN change".into(),
        other => other.replace(['_', '.'], " "),
    }
}

fn parse_mutation(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id)
        .map_err(|_| AppError::new("BAD_ID", format!("That change id is not valid: {id}")))
}

impl App {
    /// Changes the hub refused, oldest first.
    pub fn needs_attention(&self) -> Result<Vec<AttentionItem>, AppError> {
        self.actor()?;
        let mut out = Vec::new();
        for e in self.store().needs_attention()? {
            let reference = match e.consignment_id {
                Some(id) => self.store().consignment(id).ok().map(|c| c.reference),
                None => None,
            };
            out.push(AttentionItem {
                mutation_id: e.mutation_id.to_string(),
                what: describe_kind(&e.kind),
                reference,
                code: e.last_error_code.unwrap_or_else(|| "REJECTED".into()),
                message: e
                    .last_error
                    .unwrap_or_else(|| "The hub refused this change.".into()),
                saved_at: e.created_at.format(&Rfc3339).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// Sends a refused change again (after the cause was fixed, e.g. at the hub).
    pub fn retry_change(&self, mutation_id: &str) -> Result<(), AppError> {
        let actor = self.actor()?;
        self.store()
            .retry_now(&actor, parse_mutation(mutation_id)?)?;
        self.nudge_sync();
        self.report_sync_status();
        Ok(())
    }

    /// Drops a refused change for good. A store manager or higher decides that; it is audited.
    pub fn discard_change(&self, mutation_id: &str) -> Result<(), AppError> {
        let actor = self.actor()?;
        let role = self
            .current_session()
            .map(|s| s.staff.role)
            .unwrap_or(Role::Staff);
        if role < Role::StoreManager || role == Role::Admin {
            return Err(AppError::new(
                "DISCARD_NEEDS_MANAGER",
                "Only a store manager or above can discard a change. Ask a manager to sign in, or retry it.",
            ));
        }
        self.store().discard(&actor, parse_mutation(mutation_id)?)?;
        // The next cycle replaces this station's view of the consignment with the hub's.
        self.nudge_sync();
        self.report_sync_status();
        self.report_data_changed();
        Ok(())
    }

    /// Starts a sync cycle now.
    pub fn sync_now(&self) -> Result<(), AppError> {
        self.actor()?;
        self.nudge_sync();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::describe_kind;

    #[test]
    fn kinds_read_as_words() {
        assert_eq!(describe_kind("scan.recorded"), "Scan");
        assert_eq!(describe_kind("consignment.status_set"), "Status change");
        assert_eq!(describe_kind("future.thing_done"), "future thing done");
    }
}
