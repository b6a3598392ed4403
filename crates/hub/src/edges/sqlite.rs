//! The edges' SQLite backend: its own connection to the hub's database file
//! (tables from `migrations/V2__edges.sql`, run by [`crate::SqliteHubStore::open`]).
//! Writes are short; SQLite's busy timeout serialises them with the hub's writer.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::store::*;
use crate::store::StoreResult;
use crate::HubError;

/// The edges' tables in the hub's SQLite file.
pub struct SqliteEdgeStore {
    conn: Mutex<Connection>,
}

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn from_ms(v: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(v) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn ts(t: OffsetDateTime) -> StoreResult<String> {
    t.format(&Rfc3339)
        .map_err(|e| HubError::Corrupt(format!("timestamp {t}: {e}")))
}

fn parse_ts(s: &str) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| HubError::Corrupt(format!("timestamp {s:?}: {e}")))
}

impl SqliteEdgeStore {
    /// Opens the database at `path`. The hub store must have migrated it first.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Fail at start, not at the first webhook, if the migration is missing.
        conn.query_row("SELECT count(*) FROM webhook_delivery", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| HubError::Migration(format!("edge tables missing: {e}")))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> StoreResult<MutexGuard<'_, Connection>> {
        self.conn
            .lock()
            .map_err(|_| HubError::Storage("edge store lock poisoned".into()))
    }
}

/// `id, name, role, active, created_at` of an `admin_account` row.
type RawAdmin = (String, String, String, bool, String);

fn account((id, name, role, active, created_at): RawAdmin) -> StoreResult<AdminAccount> {
    Ok(AdminAccount {
        id,
        name,
        role: AdminRole::parse(&role).ok_or_else(|| HubError::Corrupt(format!("role {role:?}")))?,
        active,
        created_at: parse_ts(&created_at)?,
    })
}

impl EdgeStore for SqliteEdgeStore {
    fn record_delivery(&self, d: &NewDelivery) -> StoreResult<Recorded> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let seen: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM webhook_delivery WHERE body_sha256 = ?1 OR (?2 IS NOT NULL AND object_key = ?2))",
            params![d.body_sha256, d.object_key],
            |r| r.get(0),
        )?;
        if seen {
            return Ok(Recorded::Duplicate);
        }
        let at = ms(d.received_at);
        tx.execute(
            "INSERT INTO webhook_delivery (body_sha256, object_key, event_type, object_kind, object_id, received_ms, state, next_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6)",
            params![
                d.body_sha256,
                d.object_key,
                d.event_type,
                d.kind.as_str(),
                d.object_id,
                at,
                d.state.as_str()
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(Recorded::New(id))
    }

    fn due_hints(&self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<Hint>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, event_type, object_kind, object_id, attempts, received_ms FROM webhook_delivery
             WHERE state = 'pending' AND next_at_ms <= ?1 AND object_id IS NOT NULL
             ORDER BY next_at_ms, id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![ms(now), limit], |r| {
            Ok(Hint {
                id: r.get(0)?,
                event_type: r.get(1)?,
                kind: HintKind::parse(&r.get::<_, String>(2)?),
                object_id: r.get(3)?,
                attempts: r.get(4)?,
                received_at: from_ms(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn finish_hints(
        &self,
        ids: &[i64],
        result: &HintResult,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for id in ids {
            match result {
                HintResult::Done => tx.execute(
                    "UPDATE webhook_delivery SET state = 'done', finished_ms = ?2, last_error = NULL WHERE id = ?1",
                    params![id, ms(now)],
                )?,
                HintResult::RetryAt(at, error) => tx.execute(
                    "UPDATE webhook_delivery SET attempts = attempts + 1, next_at_ms = ?2, last_error = ?3 WHERE id = ?1",
                    params![id, ms(*at), error],
                )?,
                HintResult::Failed(error) => tx.execute(
                    "UPDATE webhook_delivery SET state = 'failed', attempts = attempts + 1, finished_ms = ?2, last_error = ?3 WHERE id = ?1",
                    params![id, ms(now), error],
                )?,
            };
        }
        tx.commit()?;
        Ok(())
    }

    fn prune_deliveries(&self, before: OffsetDateTime) -> StoreResult<u64> {
        let n = self.conn()?.execute(
            "DELETE FROM webhook_delivery WHERE received_ms < ?1 AND state != 'pending'",
            [ms(before)],
        )?;
        Ok(n as u64)
    }

    fn webhook_queue_stats(&self) -> StoreResult<WebhookQueueStats> {
        let conn = self.conn()?;
        let (pending, oldest, failed, recorded) = conn.query_row(
            "SELECT
                COALESCE(SUM(state = 'pending'), 0),
                MIN(CASE WHEN state = 'pending' THEN received_ms END),
                COALESCE(SUM(state = 'failed'), 0),
                COUNT(*)
             FROM webhook_delivery",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            },
        )?;
        Ok(WebhookQueueStats {
            pending: pending.max(0) as u64,
            oldest_pending: oldest.map(from_ms),
            failed: failed.max(0) as u64,
            recorded: recorded.max(0) as u64,
        })
    }

    fn insert_admin(&self, a: &AdminAccount, password_hash: &str) -> StoreResult<()> {
        let conn = self.conn()?;
        let taken: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM admin_account WHERE name = ?1)",
            [&a.name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(HubError::Invalid(format!(
                "an admin account named {:?} already exists",
                a.name
            )));
        }
        conn.execute(
            "INSERT INTO admin_account (id, name, role, password_hash, active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![a.id, a.name, a.role.as_str(), password_hash, a.active, ts(a.created_at)?],
        )?;
        Ok(())
    }

    fn admin_by_name(&self, name: &str) -> StoreResult<Option<(AdminAccount, String)>> {
        let conn = self.conn()?;
        let row = conn
            .query_row(
                "SELECT id, name, role, active, created_at, password_hash FROM admin_account WHERE name = ?1",
                [name],
                |r| Ok((RawAdmin::try_from(r)?, r.get::<_, String>(5)?)),
            )
            .optional()?;
        row.map(|(raw, hash)| Ok((account(raw)?, hash))).transpose()
    }

    fn admin(&self, id: &str) -> StoreResult<Option<AdminAccount>> {
        let conn = self.conn()?;
        let row = conn
            .query_row(
                "SELECT id, name, role, active, created_at FROM admin_account WHERE id = ?1",
                [id],
                |r| RawAdmin::try_from(r),
            )
            .optional()?;
        row.map(account).transpose()
    }

    fn admin_count(&self) -> StoreResult<u64> {
        let n: i64 = self
            .conn()?
            .query_row("SELECT count(*) FROM admin_account", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        self.conn()?.execute(
            "INSERT INTO admin_session (token_sha256, account_id, csrf_token, created_ms, last_seen_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                s.token_sha256,
                s.account_id,
                s.csrf_token,
                ms(s.created_at),
                ms(s.last_seen_at),
                ms(s.expires_at)
            ],
        )?;
        Ok(())
    }

    fn session(&self, token_sha256: &str) -> StoreResult<Option<SessionRecord>> {
        let conn = self.conn()?;
        Ok(conn
            .query_row(
                "SELECT token_sha256, account_id, csrf_token, created_ms, last_seen_ms, expires_ms FROM admin_session WHERE token_sha256 = ?1",
                [token_sha256],
                |r| {
                    Ok(SessionRecord {
                        token_sha256: r.get(0)?,
                        account_id: r.get(1)?,
                        csrf_token: r.get(2)?,
                        created_at: from_ms(r.get(3)?),
                        last_seen_at: from_ms(r.get(4)?),
                        expires_at: from_ms(r.get(5)?),
                    })
                },
            )
            .optional()?)
    }

    fn touch_session(&self, token_sha256: &str, at: OffsetDateTime) -> StoreResult<()> {
        self.conn()?.execute(
            "UPDATE admin_session SET last_seen_ms = ?2 WHERE token_sha256 = ?1",
            params![token_sha256, ms(at)],
        )?;
        Ok(())
    }

    fn delete_session(&self, token_sha256: &str) -> StoreResult<()> {
        self.conn()?.execute(
            "DELETE FROM admin_session WHERE token_sha256 = ?1",
            [token_sha256],
        )?;
        Ok(())
    }

    fn prune_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let n = self.conn()?.execute(
            "DELETE FROM admin_session WHERE expires_ms <= ?1",
            [ms(now)],
        )?;
        Ok(n as u64)
    }

    fn update_throttle(
        &self,
        key: &str,
        f: &mut dyn FnMut(Option<Throttle>) -> Option<Throttle>,
    ) -> StoreResult<Option<Throttle>> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = tx
            .query_row(
                "SELECT failures, window_start_ms, locked_until_ms FROM admin_login_throttle WHERE key = ?1",
                [key],
                |r| {
                    Ok(Throttle {
                        failures: r.get(0)?,
                        window_start: from_ms(r.get(1)?),
                        locked_until: r.get::<_, Option<i64>>(2)?.map(from_ms),
                    })
                },
            )
            .optional()?;
        let next = f(current);
        match next {
            Some(t) => tx.execute(
                "INSERT INTO admin_login_throttle (key, failures, window_start_ms, locked_until_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, window_start_ms = excluded.window_start_ms, locked_until_ms = excluded.locked_until_ms",
                params![key, t.failures, ms(t.window_start), t.locked_until.map(ms)],
            )?,
            None => tx.execute("DELETE FROM admin_login_throttle WHERE key = ?1", [key])?,
        };
        tx.commit()?;
        Ok(next)
    }

    fn oldest_waiting_saga(&self) -> StoreResult<Option<OffsetDateTime>> {
        let v: Option<i64> = self.conn()?.query_row(
            "SELECT MIN(w.since_ms) FROM saga_waiting_since w JOIN ls_saga s ON s.consignment_id = w.consignment_id WHERE s.state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(v.map(from_ms))
    }
}
