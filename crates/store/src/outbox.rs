//! The transactional outbox and the API the sync loop drives it with.
//!
//! Rows are written by `Tx::enqueue` inside each action's transaction. The sync loop
//! takes `next_pending`, marks them in flight, pushes `{client_id, seq, mutation_id,
//! kind, payload}` and records each result. Order is kept per consignment: a mutation
//! waits while an earlier one for the same consignment is in flight, waiting to retry
//! or needs attention; mutations for other consignments are never held up by it.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::Actor;
use crate::error::{Result, StoreError};
use crate::sql::{from_ms, ms, now, RowExt};
use crate::store::{meta_get, meta_set_time, Store, Tx};

const LAST_SYNC_KEY: &str = "last_sync_at";

/// The id and order of a mutation just written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MutationRef {
    /// UUIDv7, the hub's idempotency key.
    pub mutation_id: Uuid,
    /// Per-station sequence: strictly increasing, never reused.
    pub seq: i64,
}

/// Where a mutation is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting to be pushed (maybe after `next_at`).
    Pending,
    /// Handed to the hub, answer not yet recorded.
    InFlight,
    /// Applied by the hub.
    Done,
    /// Rejected by the hub; a person must look at it.
    NeedsAttention,
    /// A person decided to drop it (audited); never pushed again.
    Discarded,
}

impl OutboxState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InFlight => "in_flight",
            Self::Done => "done",
            Self::NeedsAttention => "needs_attention",
            Self::Discarded => "discarded",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::InFlight,
            Self::Done,
            Self::NeedsAttention,
            Self::Discarded,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Per-station order.
    pub seq: i64,
    /// Idempotency key.
    pub mutation_id: Uuid,
    /// Mutation kind, e.g. `scan.recorded`.
    pub kind: String,
    /// The consignment it belongs to (orders mutations per consignment).
    pub consignment_id: Option<Uuid>,
    /// The JSON the hub applies.
    pub payload: serde_json::Value,
    /// Current state.
    pub state: OutboxState,
    /// Push attempts so far.
    pub attempts: i64,
    /// Not pushed before this time.
    #[serde(with = "time::serde::rfc3339")]
    pub next_at: OffsetDateTime,
    /// Last error code from the hub or the network.
    pub last_error_code: Option<String>,
    /// Last error message.
    pub last_error: Option<String>,
    /// When the action happened.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last state change.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Counts for the UI's sync indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// Waiting to be pushed.
    pub pending: u64,
    /// Pushed, answer not recorded yet.
    pub in_flight: u64,
    /// Rejected, waiting for a person.
    pub needs_attention: u64,
    /// The oldest action not yet on the hub.
    #[serde(with = "time::serde::rfc3339::option")]
    pub oldest_pending_at: Option<OffsetDateTime>,
    /// Last time the hub accepted a push or answered a pull.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_sync_at: Option<OffsetDateTime>,
}

const COLUMNS: &str = "seq, mutation_id, kind, consignment_id, payload, state, attempts, next_at,
                       last_error_code, last_error, created_at, updated_at";

fn entry(r: &rusqlite::Row<'_>) -> Result<OutboxEntry> {
    Ok(OutboxEntry {
        seq: r.int("seq")?,
        mutation_id: r.uuid("mutation_id")?,
        kind: r.text("kind")?,
        consignment_id: r.opt_uuid("consignment_id")?,
        payload: serde_json::from_str(&r.text("payload")?)?,
        state: r.enumeration("state", OutboxState::parse)?,
        attempts: r.int("attempts")?,
        next_at: r.time("next_at")?,
        last_error_code: r.opt_text("last_error_code")?,
        last_error: r.opt_text("last_error")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}

fn entries(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> Result<Vec<OutboxEntry>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(p)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(entry(r)?);
    }
    Ok(out)
}

/// Writes a new pending mutation inside the caller's transaction.
pub(crate) fn insert(
    conn: &Connection,
    kind: &str,
    consignment_id: Option<Uuid>,
    payload: &str,
    at: OffsetDateTime,
) -> Result<MutationRef> {
    let mutation_id = Uuid::now_v7();
    let at = ms(at);
    conn.prepare_cached(
        "INSERT INTO outbox (mutation_id, kind, consignment_id, payload, state, next_at,
                             created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5, ?5)",
    )?
    .execute(params![
        mutation_id.to_string(),
        kind,
        consignment_id.map(|c| c.to_string()),
        payload,
        at
    ])?;
    Ok(MutationRef {
        mutation_id,
        seq: conn.last_insert_rowid(),
    })
}

/// After a crash, nothing is really in flight: put those rows back to pending (the hub
/// deduplicates by `(client_id, seq)`, so pushing them again is safe).
pub(crate) fn requeue_in_flight(conn: &Connection, at: OffsetDateTime) -> Result<u64> {
    let n = conn.execute(
        "UPDATE outbox SET state = 'pending', updated_at = ?1 WHERE state = 'in_flight'",
        [ms(at)],
    )?;
    if n > 0 {
        tracing::warn!(
            count = n,
            "requeued in-flight outbox mutations left by a previous run"
        );
    }
    Ok(n as u64)
}

fn changed_one(n: usize, mutation: impl ToString) -> Result<()> {
    if n == 0 {
        Err(StoreError::not_found("outbox mutation", mutation))
    } else {
        Ok(())
    }
}

impl Store {
    /// Up to `limit` mutations ready to push, in `seq` order (see module doc for the
    /// per-consignment ordering rule).
    pub fn next_pending(&self, limit: u32) -> Result<Vec<OutboxEntry>> {
        let now = ms(now());
        self.read(|c| {
            entries(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM outbox o
                     WHERE o.state = 'pending' AND o.next_at <= ?1
                       AND NOT EXISTS (
                           SELECT 1 FROM outbox p
                           WHERE p.consignment_id = o.consignment_id AND p.seq < o.seq
                             AND (p.state IN ('in_flight', 'needs_attention')
                                  OR (p.state = 'pending' AND p.next_at > ?1)))
                     ORDER BY o.seq LIMIT ?2"
                ),
                params![now, limit],
            )
        })
    }

    /// Marks these mutations as handed to the hub (and counts the attempt).
    pub fn mark_in_flight(&self, seqs: &[i64]) -> Result<()> {
        let at = ms(now());
        self.write_local(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, updated_at = ?2
                 WHERE seq = ?1 AND state = 'pending'",
            )?;
            for seq in seqs {
                stmt.execute(params![seq, at])?;
            }
            Ok(())
        })
    }

    /// The hub applied mutation `seq`; also records the time of the last good sync.
    pub fn mark_done(&self, seq: i64) -> Result<()> {
        let at = now();
        self.write_local(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET state = 'done', last_error_code = NULL, last_error = NULL,
                        updated_at = ?2
                 WHERE seq = ?1 AND state IN ('pending', 'in_flight')",
                params![seq, ms(at)],
            )?;
            changed_one(n, seq)?;
            meta_set_time(tx, LAST_SYNC_KEY, at)
        })
    }

    /// The hub rejected the mutation: it waits for a person (and holds back later
    /// mutations of the same consignment).
    pub fn mark_needs_attention(&self, mutation_id: Uuid, code: &str, message: &str) -> Result<()> {
        let at = ms(now());
        self.write_local(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET state = 'needs_attention', last_error_code = ?2,
                        last_error = ?3, updated_at = ?4
                 WHERE mutation_id = ?1 AND state IN ('pending', 'in_flight')",
                params![mutation_id.to_string(), code, message, at],
            )?;
            tracing::warn!(%mutation_id, code, "outbox mutation needs attention");
            changed_one(n, mutation_id)
        })
    }

    /// A transient failure: try again at `next_at`.
    pub fn retry_later(
        &self,
        mutation_id: Uuid,
        next_at: OffsetDateTime,
        error: &str,
    ) -> Result<()> {
        let at = ms(now());
        self.write_local(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET state = 'pending', next_at = ?2, last_error_code = 'RETRY',
                        last_error = ?3, updated_at = ?4
                 WHERE mutation_id = ?1 AND state IN ('pending', 'in_flight')",
                params![mutation_id.to_string(), ms(next_at), error, at],
            )?;
            changed_one(n, mutation_id)
        })
    }

    /// Puts a needs-attention mutation back in the queue (after the cause was fixed).
    pub fn retry_now(&self, actor: &Actor, mutation_id: Uuid) -> Result<()> {
        self.set_by_person(
            actor,
            mutation_id,
            OutboxState::Pending,
            "outbox.retried",
            |_, _| Ok(()),
        )
    }

    /// A person drops a mutation for good; audited, never pushed again. What it did
    /// here is taken back with it: its scans are cancelled at once, and the
    /// consignment is marked for the sync loop to replace with the hub's view.
    pub fn discard(&self, actor: &Actor, mutation_id: Uuid) -> Result<()> {
        self.set_by_person(
            actor,
            mutation_id,
            OutboxState::Discarded,
            "outbox.discarded",
            |t, entry| {
                let staff = match t.actor() {
                    Actor::Staff(id) => Some(*id),
                    Actor::System(_) => None,
                };
                crate::scan::compensate_events(t.conn(), mutation_id, staff, t.now())?;
                if let Some(consignment) = entry.consignment_id {
                    crate::pull::request_refresh(t.conn(), consignment, t.now())?;
                }
                Ok(())
            },
        )
    }

    fn set_by_person(
        &self,
        actor: &Actor,
        mutation_id: Uuid,
        to: OutboxState,
        action: &str,
        also: impl FnOnce(&Tx<'_>, &OutboxEntry) -> Result<()>,
    ) -> Result<()> {
        self.transact_local(actor, |t| {
            let before = entries(
                t.conn(),
                &format!("SELECT {COLUMNS} FROM outbox WHERE mutation_id = ?1"),
                [mutation_id.to_string()],
            )?
            .pop()
            .ok_or_else(|| StoreError::not_found("outbox mutation", mutation_id))?;
            if !matches!(before.state, OutboxState::NeedsAttention | OutboxState::Pending) {
                return Err(StoreError::bad_input(
                    "mutation",
                    format!("a mutation that is {} cannot be changed", before.state.as_str()),
                ));
            }
            let at = t.now();
            t.conn().execute(
                "UPDATE outbox SET state = ?2, next_at = ?3, updated_at = ?3 WHERE mutation_id = ?1",
                params![mutation_id.to_string(), to.as_str(), ms(at)],
            )?;
            also(t, &before)?;
            let after = OutboxEntry {
                state: to,
                next_at: at,
                updated_at: at,
                ..before.clone()
            };
            t.audit(
                action,
                "outbox",
                &mutation_id.to_string(),
                Some(&before),
                Some(&after),
                Some(mutation_id),
            )?;
            Ok(())
        })
    }

    /// Mutations rejected by the hub, oldest first, for the "needs attention" list.
    pub fn needs_attention(&self) -> Result<Vec<OutboxEntry>> {
        self.read(|c| {
            entries(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM outbox WHERE state = 'needs_attention' ORDER BY seq"
                ),
                [],
            )
        })
    }

    /// One mutation by id.
    pub fn outbox_entry(&self, mutation_id: Uuid) -> Result<Option<OutboxEntry>> {
        self.read(|c| {
            Ok(entries(
                c,
                &format!("SELECT {COLUMNS} FROM outbox WHERE mutation_id = ?1"),
                [mutation_id.to_string()],
            )?
            .pop())
        })
    }

    /// Records a successful exchange with the hub that pushed nothing (e.g. a pull).
    pub fn record_sync_success(&self, at: OffsetDateTime) -> Result<()> {
        self.write_local(|tx| meta_set_time(tx, LAST_SYNC_KEY, at))
    }

    /// Counts for the sync indicator.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        self.read(|c| {
            let (pending, in_flight, needs_attention, oldest): (i64, i64, i64, Option<i64>) = c
                .query_row(
                    "SELECT
                        COALESCE(SUM(state = 'pending'), 0),
                        COALESCE(SUM(state = 'in_flight'), 0),
                        COALESCE(SUM(state = 'needs_attention'), 0),
                        MIN(CASE WHEN state IN ('pending', 'in_flight', 'needs_attention')
                                 THEN created_at END)
                     FROM outbox WHERE state <> 'done' AND state <> 'discarded'",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
            let last_sync_at = meta_get(c, LAST_SYNC_KEY)?
                .map(|s| {
                    s.parse::<i64>()
                        .map_err(|_| StoreError::decode(format!("last_sync_at '{s}'")))
                        .and_then(from_ms)
                })
                .transpose()?;
            Ok(SyncStatus {
                pending: pending as u64,
                in_flight: in_flight as u64,
                needs_attention: needs_attention as u64,
                oldest_pending_at: oldest.map(from_ms).transpose()?,
                last_sync_at,
            })
        })
    }

    /// The highest seq written so far (0 if none).
    pub fn last_seq(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
        })
    }
}
