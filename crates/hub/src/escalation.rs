//! Escalating approvals that wait too long: after the wait configured for its tier
//! (`[escalation.after_minutes]`, off when a tier is not listed), a purchase order
//! still pending approval is escalated once per submission to the role above the
//! tier's (the domain's `escalation_role`). The escalation is a history entry of the
//! order (kind `escalated`, who it went to and why), so every station pulls it and
//! shows it in the approval queue; it is e-mailed through the SMTP relay when one is
//! set and the role has an address. Nothing is ever approved by it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{Message, SmtpTransport, Transport};
use serde::Deserialize;
use tally_domain::{ConsignmentKind, ConsignmentStatus, Money, Role};
use tally_sync::HistoryRow;
use time::OffsetDateTime;
use tokio::sync::watch;
use uuid::Uuid;

use crate::config::Policies;
use crate::store::{write_with, Entity, HubStore, HubTx, StoreResult};
use crate::HubError;

/// `[escalation]` in the hub's TOML.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EscalationConfig {
    /// Minutes an approval may wait, by tier number (`1 = 1440`). Tiers not listed
    /// are never escalated; empty (the default) turns escalation off.
    #[serde(default)]
    pub after_minutes: BTreeMap<String, u64>,
    /// How often the hub looks, in seconds (default 60).
    #[serde(default)]
    pub check_every_secs: Option<u64>,
    /// Where escalations are e-mailed, by role (`area_manager = "area@chain.nz"`).
    #[serde(default)]
    pub notify: BTreeMap<Role, String>,
    /// The SMTP relay; without it escalations are only shown at the stations.
    #[serde(default)]
    pub smtp: Option<SmtpRelay>,
}

/// An SMTP relay the hub sends through (plain SMTP on a trusted network, or
/// STARTTLS; credentials, when needed, come from the environment, never the file).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SmtpRelay {
    /// Host name.
    pub host: String,
    /// Port (25, 587, ...).
    pub port: u16,
    /// Sender address.
    pub from: String,
    /// Use STARTTLS (default true).
    #[serde(default = "yes")]
    pub starttls: bool,
}

fn yes() -> bool {
    true
}

impl EscalationConfig {
    fn wait_for(&self, tier: u8) -> Option<time::Duration> {
        self.after_minutes
            .get(&tier.to_string())
            .map(|m| time::Duration::minutes(i64::try_from(*m).unwrap_or(i64::MAX / 60)))
    }

    /// Checks the tier numbers once, at start.
    pub fn check(&self) -> Result<(), HubError> {
        for k in self.after_minutes.keys() {
            k.parse::<u8>().map_err(|_| {
                HubError::Config(format!(
                    "[escalation.after_minutes]: \"{k}\" is not a tier number"
                ))
            })?;
        }
        Ok(())
    }
}

/// One approval the hub escalated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escalated {
    /// The order.
    pub consignment_id: Uuid,
    /// Its reference.
    pub reference: String,
    /// The role it went to.
    pub to_role: Role,
    /// Why, in words.
    pub why: String,
}

/// Escalates every approval that has waited longer than its tier allows at `now`.
pub fn escalate_due(
    store: &dyn HubStore,
    policies: &Policies,
    config: &EscalationConfig,
    now: OffsetDateTime,
) -> StoreResult<Vec<Escalated>> {
    if config.after_minutes.is_empty() {
        return Ok(Vec::new());
    }
    write_with(store, |tx| {
        let mut out = Vec::new();
        for id in tx.consignment_ids()? {
            if let Some(e) = escalate_one(tx, policies, config, id, now)? {
                out.push(e);
            }
        }
        Ok(out)
    })
}

fn escalate_one(
    tx: &mut dyn HubTx,
    policies: &Policies,
    config: &EscalationConfig,
    id: Uuid,
    now: OffsetDateTime,
) -> StoreResult<Option<Escalated>> {
    let Some(h) = tx.consignment(id)? else {
        return Ok(None);
    };
    if h.kind != ConsignmentKind::PurchaseOrder || h.status != ConsignmentStatus::PendingApproval {
        return Ok(None);
    }
    let history = tx.history(id)?;
    let Some((submitted, None)) = tally_sync::last_submission(&history) else {
        return Ok(None);
    };
    let since = submitted.applied_at;
    let total: Money = tx
        .lines(id)?
        .iter()
        .map(|l| Money::new(l.expected_qty * l.unit_cost.unwrap_or_default()))
        .sum();
    let tier = policies.approval.tier_for(total);
    let Some(wait) = config.wait_for(tier.number) else {
        return Ok(None);
    };
    if now - since <= wait {
        return Ok(None);
    }
    let Some(to_role) = policies.approval.escalation_role(tier.number) else {
        return Ok(None);
    };
    let hours = (now - since).whole_minutes() as f64 / 60.0;
    let why = format!(
        "waiting {hours:.1} h for tier {} ({}), longer than the {} h allowed",
        tier.number,
        tier.describe_approvers(),
        wait.whole_minutes() as f64 / 60.0
    );
    tx.insert_history(
        id,
        &HistoryRow {
            mutation_id: Uuid::now_v7(),
            kind: "escalated".into(),
            staff_id: None,
            staff_name: None,
            device_id: None,
            outlet_id: None,
            at: now,
            applied_at: now,
            status_before: Some(h.status),
            status_after: Some(h.status),
            payload: serde_json::json!({
                "to_role": to_role.as_str(), "tier": tier.number, "why": why,
                "waiting_since": since.unix_timestamp(),
            }),
        },
    )?;
    // Stations pull the order again, with its history.
    tx.record_change(Entity::Consignment, &id.to_string())?;
    tracing::info!(consignment_id = %id, reference = %h.reference, to_role = to_role.as_str(), "approval escalated");
    Ok(Some(Escalated {
        consignment_id: id,
        reference: h.reference,
        to_role,
        why,
    }))
}

/// E-mails an escalation to its role's address through the relay, when both are set.
/// A failed e-mail is logged; the escalation stands (the stations show it anyway).
pub fn notify(config: &EscalationConfig, e: &Escalated) -> bool {
    let (Some(relay), Some(to)) = (&config.smtp, config.notify.get(&e.to_role)) else {
        return false;
    };
    let sent = (|| -> Result<(), String> {
        let from: Mailbox = relay.from.parse().map_err(|e| format!("from: {e}"))?;
        let to: Mailbox = to.parse().map_err(|e| format!("to: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(format!("Approval waiting too long: {}", e.reference))
            .body(format!(
                "Purchase order {} is escalated to you ({}): {}.\n\nOpen Tally's approval queue at any station to decide it.\n",
                e.reference,
                e.to_role.label(),
                e.why
            ))
            .map_err(|e| e.to_string())?;
        let builder = if relay.starttls {
            SmtpTransport::starttls_relay(&relay.host).map_err(|e| e.to_string())?
        } else {
            SmtpTransport::builder_dangerous(relay.host.clone())
        };
        let mut transport = builder
            .port(relay.port)
            .timeout(Some(Duration::from_secs(15)));
        if let (Ok(user), Ok(password)) = (
            std::env::var("TALLY_HUB_SMTP_USER"),
            std::env::var("TALLY_HUB_SMTP_PASSWORD"),
        ) {
            transport = transport.credentials(
                lettre::transport::smtp::authentication::Credentials::new(user, password),
            );
        }
        transport
            .build()
            .send(&message)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })();
    match sent {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(consignment_id = %e.consignment_id, %error, "escalation e-mail failed");
            false
        }
    }
}

/// Looks every `check_every_secs` until stopped.
pub async fn run(
    store: Arc<dyn HubStore>,
    policies: Policies,
    config: EscalationConfig,
    mut stop: watch::Receiver<bool>,
) {
    if config.after_minutes.is_empty() {
        return;
    }
    let every = Duration::from_secs(config.check_every_secs.unwrap_or(60).max(1));
    loop {
        let (s, p, c) = (store.clone(), policies.clone(), config.clone());
        let done = tokio::task::spawn_blocking(move || {
            let escalated = escalate_due(&*s, &p, &c, OffsetDateTime::now_utc())?;
            for e in &escalated {
                notify(&c, e);
            }
            Ok::<_, HubError>(escalated.len())
        })
        .await;
        if let Ok(Err(e)) = done {
            tracing::warn!(error = %e, "escalation check failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests;
