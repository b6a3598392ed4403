//! The dashboard's view model: [`SyncStatus`] turned into display strings, so the
//! templates hold no logic beyond loops and conditions. Every string from data is
//! escaped by the template engine.

use std::time::Duration;

use time::OffsetDateTime;

use crate::edges::SyncStatus;

/// A figure with a health class (`ok`, `warn`, `bad`, `idle`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// Shown value.
    pub value: String,
    /// CSS class.
    pub health: &'static str,
}

/// One dead letter row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadRow {
    /// Consignment id (the Retry/Discard target).
    pub id: String,
    /// Reference, or the id when unknown.
    pub reference: String,
    /// Kind and status, e.g. "outlet transfer · sent".
    pub what: String,
    /// Error code line.
    pub error: String,
    /// Lightspeed's response, pretty-printed when it is JSON.
    pub body: String,
    /// "12 min ago".
    pub parked: String,
}

/// One outlet row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletLine {
    /// Name (or id).
    pub name: String,
    /// Outlet id.
    pub id: String,
    /// Stations enrolled.
    pub stations: u32,
    /// "3 min ago" / "never".
    pub last_contact: String,
    /// Health of the contact age.
    pub contact_health: &'static str,
    /// Pending sagas.
    pub pending: u64,
    /// Dead letters.
    pub dead: u64,
    /// Changes waiting at its stations.
    pub station_waiting: u64,
    /// Refused changes waiting for a person at its stations.
    pub station_attention: u64,
}

/// Everything the dashboard template shows.
#[derive(Debug, Clone)]
pub struct DashboardView {
    /// Signed-in name.
    pub account: String,
    /// Role label.
    pub role: &'static str,
    /// May retry / discard.
    pub may_act: bool,
    /// The session's CSRF token for the forms.
    pub csrf: String,
    /// A fixed message after an action.
    pub notice: Option<&'static str>,
    /// "14:02:11 UTC".
    pub generated_at: String,
    /// Queue depth.
    pub queue_depth: Figure,
    /// Age of the oldest waiting saga.
    pub oldest: Figure,
    /// p50 of attempts over the last hour.
    pub p50: String,
    /// p95.
    pub p95: Figure,
    /// Success rate.
    pub success: Figure,
    /// Attempts in the last hour.
    pub attempts: u64,
    /// Rate budget: remaining.
    pub budget_remaining: Option<u32>,
    /// Rate budget: limit.
    pub budget_limit: Option<u32>,
    /// Rate budget health.
    pub budget_health: &'static str,
    /// Webhooks received since start.
    pub hooks_received: u64,
    /// Duplicates.
    pub hooks_duplicates: u64,
    /// Rejected.
    pub hooks_rejected: Figure,
    /// Of which bad/missing signature.
    pub hooks_rejected_signature: u64,
    /// Hints waiting.
    pub hints_pending: u64,
    /// Hints given up.
    pub hints_failed: u64,
    /// "since 09:12 UTC".
    pub since: String,
    /// Dead letters.
    pub dead: Vec<DeadRow>,
    /// Outlets.
    pub outlets: Vec<OutletLine>,
}

/// "340 ms", "4.2 s", "3 min 5 s", "2 h 10 min".
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    let s = d.as_secs();
    if ms < 1_000 {
        format!("{ms} ms")
    } else if s < 60 {
        format!("{:.1} s", d.as_secs_f64())
    } else if s < 3_600 {
        format!("{} min {} s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{} h {} min", s / 3_600, (s % 3_600) / 60)
    } else {
        format!("{} d {} h", s / 86_400, (s % 86_400) / 3_600)
    }
}

/// "just now", "5 min ago".
pub fn ago(now: OffsetDateTime, t: OffsetDateTime) -> String {
    let d: Duration = (now - t).try_into().unwrap_or(Duration::ZERO);
    if d < Duration::from_secs(5) {
        "just now".into()
    } else {
        format!("{} ago", human_duration(Duration::from_secs(d.as_secs())))
    }
}

fn clock(t: OffsetDateTime) -> String {
    format!("{:02}:{:02}:{:02} UTC", t.hour(), t.minute(), t.second())
}

fn pretty_body(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_string())
}

fn words(s: &str) -> String {
    s.replace('_', " ")
}

impl DashboardView {
    /// Builds the view for `account` from `status`.
    pub fn new(
        status: &SyncStatus,
        account: &crate::edges::AdminAccount,
        csrf: &str,
        notice: Option<&'static str>,
    ) -> Self {
        let now = status.now;
        let oldest = status.oldest_waiting;
        let t = status.timings;
        let budget = status.budget.unwrap_or_default();
        let budget_health = match (budget.remaining, budget.limit) {
            (Some(r), Some(l)) if l > 0 && u64::from(r) * 10 < u64::from(l) => "bad",
            (Some(r), Some(l)) if l > 0 && u64::from(r) * 4 < u64::from(l) => "warn",
            (Some(_), _) => "ok",
            _ => "idle",
        };
        Self {
            account: account.name.clone(),
            role: match account.role {
                crate::edges::AdminRole::Admin => "admin",
                crate::edges::AdminRole::OpsViewer => "ops viewer",
            },
            may_act: account.role.may_act(),
            csrf: csrf.to_string(),
            notice,
            generated_at: clock(now),
            queue_depth: Figure {
                value: status.queue_depth.to_string(),
                health: match status.queue_depth {
                    0 => "ok",
                    1..=50 => "warn",
                    _ => "bad",
                },
            },
            oldest: Figure {
                value: oldest.map_or_else(|| "—".into(), human_duration),
                health: match oldest {
                    None => "ok",
                    Some(d) if d < Duration::from_secs(30) => "ok",
                    Some(d) if d < Duration::from_secs(600) => "warn",
                    Some(_) => "bad",
                },
            },
            p50: t.p50.map_or_else(|| "—".into(), human_duration),
            p95: Figure {
                value: t.p95.map_or_else(|| "—".into(), human_duration),
                health: match t.p95 {
                    None => "idle",
                    Some(d) if d < Duration::from_secs(5) => "ok",
                    Some(d) if d < Duration::from_secs(30) => "warn",
                    Some(_) => "bad",
                },
            },
            success: Figure {
                value: t
                    .success_rate()
                    .map_or_else(|| "—".into(), |r| format!("{:.1} %", r * 100.0)),
                health: match t.success_rate() {
                    None => "idle",
                    Some(r) if r >= 0.95 => "ok",
                    Some(r) if r >= 0.75 => "warn",
                    Some(_) => "bad",
                },
            },
            attempts: t.attempts,
            budget_remaining: budget.remaining,
            budget_limit: budget.limit,
            budget_health,
            hooks_received: status.webhooks.received,
            hooks_duplicates: status.webhooks.duplicates,
            hooks_rejected: Figure {
                value: status.webhooks.rejected.to_string(),
                health: if status.webhooks.rejected == 0 {
                    "ok"
                } else {
                    "warn"
                },
            },
            hooks_rejected_signature: status.webhooks.rejected_signature,
            hints_pending: status.webhooks.queue.pending,
            hints_failed: status.webhooks.queue.failed,
            since: format!("since {}", clock(status.started_at)),
            dead: status
                .dead_letters
                .iter()
                .map(|d| DeadRow {
                    id: d.consignment_id.to_string(),
                    reference: d
                        .reference
                        .clone()
                        .unwrap_or_else(|| d.consignment_id.to_string()),
                    what: match (d.kind, d.status) {
                        (Some(k), Some(s)) => {
                            format!("{} · {}", words(k.as_str()), words(s.as_str()))
                        }
                        _ => "unknown consignment".into(),
                    },
                    error: d.error.clone().unwrap_or_default(),
                    body: d.body.as_deref().map(pretty_body).unwrap_or_default(),
                    parked: ago(now, d.parked_at),
                })
                .collect(),
            outlets: status
                .outlets
                .iter()
                .map(|o| OutletLine {
                    name: o.name.clone().unwrap_or_else(|| o.outlet_id.clone()),
                    id: o.outlet_id.clone(),
                    stations: o.stations,
                    last_contact: o
                        .last_contact
                        .map_or_else(|| "never".into(), |t| ago(now, t)),
                    contact_health: match o.last_contact {
                        None => "idle",
                        Some(t) if now - t < time::Duration::minutes(15) => "ok",
                        Some(t) if now - t < time::Duration::hours(4) => "warn",
                        Some(_) => "bad",
                    },
                    pending: o.pending,
                    dead: o.dead,
                    station_waiting: o.station_waiting,
                    station_attention: o.station_attention,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_person_says_them() {
        assert_eq!(human_duration(Duration::from_millis(340)), "340 ms");
        assert_eq!(human_duration(Duration::from_millis(4_240)), "4.2 s");
        assert_eq!(human_duration(Duration::from_secs(185)), "3 min 5 s");
        assert_eq!(human_duration(Duration::from_secs(7_800)), "2 h 10 min");
    }

    #[test]
    fn json_bodies_are_pretty_and_others_kept() {
        assert_eq!(pretty_body("{\"a\":1}"), "{\n  \"a\": 1\n}");
        assert_eq!(pretty_body("<html>oops"), "<html>oops");
    }
}
