//! `POST /sync/push`: the outlet's outbox, in order, and one result per mutation.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::mutation::Mutation;
use super::PROTOCOL_VERSION;
use crate::SyncError;

/// Who did it: the staff member signed in at the station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Hub-issued staff id.
    pub staff_id: String,
}

/// One outbox entry as pushed. The mutation's `kind`/`payload` sit beside the
/// envelope fields on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutationEnvelope {
    /// Per-client sequence, strictly increasing (gaps allowed).
    pub seq: u64,
    /// UUIDv7 made when the action was saved at the outlet.
    pub mutation_id: Uuid,
    /// When the action was saved (station clock).
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Who did it.
    pub actor: Actor,
    /// What was done.
    #[serde(flatten)]
    pub mutation: Mutation,
}

/// The push body. The device token goes in `Authorization: Bearer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    /// Protocol version; must equal the hub's.
    pub protocol: u32,
    /// The pushing device's id (as issued at enrolment).
    pub client_id: String,
    /// Outbox entries in seq order.
    pub mutations: Vec<MutationEnvelope>,
}

impl PushRequest {
    /// A request in this build's protocol version.
    pub fn new(client_id: impl Into<String>, mutations: Vec<MutationEnvelope>) -> Self {
        Self {
            protocol: PROTOCOL_VERSION,
            client_id: client_id.into(),
            mutations,
        }
    }
}

/// What the hub did with one mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum MutationOutcome {
    /// Applied now.
    Applied,
    /// Applied before (a replayed push); nothing changed.
    Duplicate,
    /// Refused by a rule; nothing changed. Replays get the same answer.
    Rejected {
        /// Stable code (e.g. `ALREADY_SENT`).
        code: String,
        /// Why, for a person.
        message: String,
    },
}

impl MutationOutcome {
    /// A rejection with a code and message.
    pub fn rejected(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Rejected {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// The result for one pushed mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutationResult {
    /// The mutation's seq.
    pub seq: u64,
    /// The mutation's id.
    pub mutation_id: Uuid,
    /// What happened.
    #[serde(flatten)]
    pub outcome: MutationOutcome,
    /// For an applied change: how far Lightspeed is with its consignment now (as in
    /// `ConsignmentRow::lightspeed_state`), so the station never shows an old "done".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lightspeed_state: Option<String>,
}

/// The push answer: one result per mutation, in seq order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Protocol version.
    pub protocol: u32,
    /// Results in seq order.
    pub results: Vec<MutationResult>,
    /// Highest seq the hub has recorded for this client.
    pub last_seq: u64,
}

/// A push body read tolerantly: one malformed mutation (e.g. a kind this hub does
/// not know yet) is rejected on its own instead of failing the whole push.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedPush {
    /// The pushing device's id.
    pub client_id: String,
    /// Each entry, or its seq, id and why it could not be read; sorted by seq.
    pub mutations: Vec<Result<MutationEnvelope, MalformedMutation>>,
}

/// A pushed entry whose envelope was readable but whose mutation was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedMutation {
    /// Its seq.
    pub seq: u64,
    /// Its id.
    pub mutation_id: Uuid,
    /// What was wrong.
    pub message: String,
}

#[derive(Deserialize)]
struct Head {
    protocol: u32,
}

#[derive(Deserialize)]
struct RawPush {
    client_id: String,
    mutations: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct EntryHead {
    seq: u64,
    mutation_id: Uuid,
}

/// Reads a push body: checks the protocol version first (so a newer client gets a
/// clear `UNSUPPORTED_PROTOCOL`), then each mutation on its own.
pub fn parse_push_request(body: &[u8]) -> Result<ParsedPush, SyncError> {
    let head: Head =
        serde_json::from_slice(body).map_err(|e| SyncError::Malformed(e.to_string()))?;
    if head.protocol != PROTOCOL_VERSION {
        return Err(SyncError::UnsupportedProtocol {
            ours: PROTOCOL_VERSION,
            theirs: head.protocol,
        });
    }
    let raw: RawPush =
        serde_json::from_slice(body).map_err(|e| SyncError::Malformed(e.to_string()))?;
    let mut mutations = Vec::with_capacity(raw.mutations.len());
    for value in raw.mutations {
        let entry_head: EntryHead = serde_json::from_value(value.clone())
            .map_err(|e| SyncError::Malformed(format!("mutation without seq/id: {e}")))?;
        mutations.push(
            serde_json::from_value::<MutationEnvelope>(value).map_err(|e| MalformedMutation {
                seq: entry_head.seq,
                mutation_id: entry_head.mutation_id,
                message: e.to_string(),
            }),
        );
    }
    mutations.sort_by_key(|m| match m {
        Ok(env) => env.seq,
        Err(bad) => bad.seq,
    });
    Ok(ParsedPush {
        client_id: raw.client_id,
        mutations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::mutation::*;
    use rust_decimal_macros::dec;
    use tally_domain::ConsignmentStatus;

    fn envelope(seq: u64, mutation: Mutation) -> MutationEnvelope {
        MutationEnvelope {
            seq,
            mutation_id: Uuid::now_v7(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            actor: Actor {
                staff_id: "s1".into(),
            },
            mutation,
        }
    }

    fn transition(seq: u64) -> MutationEnvelope {
        envelope(
            seq,
            Mutation::StatusTransitionRequested(StatusTransitionRequested {
                consignment_id: Uuid::now_v7(),
                from: ConsignmentStatus::Packed,
                to: ConsignmentStatus::Sent,
                reason: None,
            }),
        )
    }

    #[test]
    fn envelope_puts_kind_and_payload_beside_seq() {
        let env = transition(3);
        let json = serde_json::to_value(&env).unwrap();
        assert_eq!(json["kind"], "status_transition_requested");
        assert_eq!(json["payload"]["to"], "sent");
        assert_eq!(json["seq"], 3);
        let back: MutationEnvelope = serde_json::from_value(json).unwrap();
        assert_eq!(back, env);
    }

    #[test]
    fn quantities_travel_as_decimal_strings() {
        let env = envelope(
            1,
            Mutation::LineSet(LineSet {
                consignment_id: Uuid::now_v7(),
                line_id: None,
                product_id: "p1".into(),
                expected_qty: dec!(2.5),
                unit_cost: None,
            }),
        );
        let json = serde_json::to_value(&env).unwrap();
        assert_eq!(json["payload"]["expected_qty"], "2.5");
    }

    #[test]
    fn another_protocol_version_is_refused_with_a_clear_code() {
        let mut req = serde_json::to_value(PushRequest::new("d1", vec![transition(1)])).unwrap();
        req["protocol"] = 99.into();
        let err = parse_push_request(&serde_json::to_vec(&req).unwrap()).unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED_PROTOCOL");
    }

    #[test]
    fn an_unknown_kind_fails_only_its_own_mutation() {
        let mut req =
            serde_json::to_value(PushRequest::new("d1", vec![transition(2), transition(1)]))
                .unwrap();
        req["mutations"][0]["kind"] = "teleported".into();
        let parsed = parse_push_request(&serde_json::to_vec(&req).unwrap()).unwrap();
        assert_eq!(parsed.mutations.len(), 2);
        assert!(parsed.mutations[0].is_ok(), "seq 1 sorts first and is fine");
        let bad = parsed.mutations[1].as_ref().unwrap_err();
        assert_eq!(bad.seq, 2);
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for body in [&b"{"[..], b"[]", b"{\"protocol\":1}", b"\xff\xfe"] {
            let err = parse_push_request(body).unwrap_err();
            assert_eq!(err.code(), "MALFORMED_REQUEST");
        }
    }

    #[test]
    fn outcomes_are_tagged_by_status() {
        let r = MutationResult {
            lightspeed_state: None,
            seq: 1,
            mutation_id: Uuid::nil(),
            outcome: MutationOutcome::rejected("ALREADY_SENT", "sent by another station"),
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["status"], "rejected");
        assert_eq!(json["code"], "ALREADY_SENT");
        assert_eq!(serde_json::from_value::<MutationResult>(json).unwrap(), r);
    }

    #[test]
    fn approval_decision_flattens_into_the_payload() {
        let m = Mutation::ApprovalDecided(ApprovalDecided {
            consignment_id: Uuid::nil(),
            approval_id: Uuid::nil(),
            decision: Decision::Reject {
                reason: RejectReason::OverBudget,
                note: None,
            },
            by: "s2".into(),
            pin_verified: true,
        });
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["payload"]["decision"], "reject");
        assert_eq!(json["payload"]["reason"], "over_budget");
        assert_eq!(serde_json::from_value::<Mutation>(json).unwrap(), m);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let _ = parse_push_request(&body);
        }
    }
}
