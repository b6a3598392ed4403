//! Opening the store (pragmas, migrations, start-up checks) and the one-transaction
//! action API (`Store::transact`, `Tx`).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, TransactionBehavior};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::audit::{self, Actor, NewAuditEntry};
use crate::error::{Result, StoreError};
use crate::migrate;
use crate::outbox::{self, MutationRef};
use crate::sql::{ms, now};

/// How long a writer waits for a lock held by another connection before `STORE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What `Store::open` found and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenReport {
    /// Schema version after migrations.
    pub schema_version: i64,
    /// Audit entries verified.
    pub audit_entries: u64,
    /// Outbox mutations that were in flight when the app last stopped, now pending again.
    pub requeued_in_flight: u64,
}

/// The outlet's local store. Cheap to share behind an `Arc`: one writer connection,
/// one read-only connection (WAL lets reads run while a write commits).
pub struct Store {
    writer: Mutex<Connection>,
    reader: Option<Mutex<Connection>>,
    path: Option<PathBuf>,
    report: OpenReport,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("report", &self.report)
            .finish()
    }
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    // An in-memory database reports "memory"; a file must really be in WAL.
    if mode != "wal" && mode != "memory" {
        return Err(StoreError::Corrupt {
            detail: format!("could not switch the journal to WAL (got '{mode}')"),
        });
    }
    // FULL: a commit is on disk (WAL fsynced) before we acknowledge it.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    if fk != 1 {
        return Err(StoreError::MigrationFailed {
            detail: "SQLite refused to enable foreign keys".into(),
        });
    }
    Ok(())
}

fn integrity_check(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let problems: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    if problems.len() == 1 && problems[0] == "ok" {
        return Ok(());
    }
    let detail = problems.into_iter().take(5).collect::<Vec<_>>().join("; ");
    tracing::error!(%detail, "integrity_check failed");
    Err(StoreError::Corrupt { detail })
}

fn foreign_key_check(conn: &Connection) -> Result<()> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = stmt.query([])?;
    if let Some(r) = rows.next()? {
        let table: String = r.get(0)?;
        let parent: String = r.get(2)?;
        return Err(StoreError::Corrupt {
            detail: format!("a row in {table} points at a missing {parent}"),
        });
    }
    Ok(())
}

impl Store {
    /// Opens (or creates) the store at `path`: WAL, `synchronous=FULL`, foreign keys,
    /// busy timeout; checks integrity, applies migrations in one transaction, verifies
    /// the audit chain. A damaged store is an error, never rebuilt.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let mut writer = Connection::open(&path)?;
        configure(&writer)?;
        integrity_check(&writer)?;
        let report = Self::prepare(&mut writer)?;
        let reader = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(BUSY_TIMEOUT)?;
        tracing::info!(path = %path.display(), schema = report.schema_version,
            audit_entries = report.audit_entries, "store opened");
        Ok(Store {
            writer: Mutex::new(writer),
            reader: Some(Mutex::new(reader)),
            path: Some(path),
            report,
        })
    }

    /// An in-memory store for quick unit tests (no durability; one connection).
    pub fn open_in_memory() -> Result<Store> {
        let mut writer = Connection::open_in_memory()?;
        configure(&writer)?;
        let report = Self::prepare(&mut writer)?;
        Ok(Store {
            writer: Mutex::new(writer),
            reader: None,
            path: None,
            report,
        })
    }

    fn prepare(conn: &mut Connection) -> Result<OpenReport> {
        let schema_version = migrate::run(conn)?;
        foreign_key_check(conn)?;
        let audit_entries = audit::verify_chain(conn)?;
        let requeued_in_flight = outbox::requeue_in_flight(conn, now())?;
        Ok(OpenReport {
            schema_version,
            audit_entries,
            requeued_in_flight,
        })
    }

    /// What `open` checked.
    pub fn open_report(&self) -> &OpenReport {
        &self.report
    }

    /// The database file, if on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Re-walks the whole audit chain; returns the number of entries.
    pub fn verify_audit_chain(&self) -> Result<u64> {
        self.read(audit::verify_chain)
    }

    /// Runs `PRAGMA integrity_check` now.
    pub fn integrity_check(&self) -> Result<()> {
        self.read(integrity_check)
    }

    /// The audit history of one row, oldest first.
    pub fn audit_entries_for(
        &self,
        entity_type: &str,
        entity_id: &str,
    ) -> Result<Vec<audit::AuditEntry>> {
        self.read(|c| audit::entries_for(c, entity_type, entity_id))
    }

    fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock dropped its rusqlite Transaction, which rolled
        // back; the connection itself is still sound.
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs read-only queries on the reader connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        match &self.reader {
            Some(r) => f(&Self::lock(r)),
            None => f(&Self::lock(&self.writer)),
        }
    }

    /// Runs `f` in one IMMEDIATE write transaction with no audit/outbox requirement:
    /// for the sync loop's bookkeeping and for applying pulled data (the hub audits those).
    pub(crate) fn write_local<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = Self::lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs one user action: `f` writes its rows through `Tx`, which also writes the
    /// outbox mutation and the audit entry; all commit together (durably, before this
    /// returns) or not at all. Refused if `f` wrote no audit entry or no mutation.
    pub fn transact<T>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = Self::lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut t = Tx {
            tx,
            actor: actor.clone(),
            now: now(),
            audited: 0,
            queued: 0,
            first_action: None,
        };
        let out = f(&mut t)?;
        if t.audited == 0 || t.queued == 0 {
            let action = t.first_action.unwrap_or_else(|| "unknown".into());
            tracing::error!(%action, audited = t.audited, queued = t.queued, "incomplete action refused");
            return Err(StoreError::IncompleteAction { action });
        }
        t.tx.commit()?;
        Ok(out)
    }

    /// Like `transact`, for local-only actions that write an audit entry but send
    /// nothing to the hub (e.g. discarding an outbox mutation).
    pub(crate) fn transact_local<T>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = Self::lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut t = Tx {
            tx,
            actor: actor.clone(),
            now: now(),
            audited: 0,
            queued: 0,
            first_action: None,
        };
        let out = f(&mut t)?;
        if t.audited == 0 {
            return Err(StoreError::IncompleteAction {
                action: t.first_action.unwrap_or_else(|| "unknown".into()),
            });
        }
        t.tx.commit()?;
        Ok(out)
    }
}

/// One open action transaction. Action methods (`record_scan`, `open_box`, ...) live
/// on `Tx` in their feature modules; each writes its rows, one outbox mutation and one
/// audit entry.
pub struct Tx<'c> {
    pub(crate) tx: rusqlite::Transaction<'c>,
    actor: Actor,
    now: OffsetDateTime,
    audited: usize,
    queued: usize,
    first_action: Option<String>,
}

impl Tx<'_> {
    /// The time stamped on everything this transaction writes (millisecond precision).
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    /// Who is acting.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.tx
    }

    /// The acting staff member's id (`BAD_INPUT` for a system actor on a staff-only action).
    pub(crate) fn staff_id(&self) -> Result<Uuid> {
        match &self.actor {
            Actor::Staff(id) => Ok(*id),
            Actor::System(_) => Err(StoreError::bad_input(
                "actor",
                "this action must be done by a signed-in staff member",
            )),
        }
    }

    /// Adds an outbox mutation (next per-station seq, new UUIDv7 id).
    pub fn enqueue(
        &mut self,
        kind: &str,
        consignment_id: Option<Uuid>,
        payload: &impl Serialize,
    ) -> Result<MutationRef> {
        let payload = serde_json::to_string(payload)?;
        let r = outbox::insert(&self.tx, kind, consignment_id, &payload, self.now)?;
        self.queued += 1;
        if self.first_action.is_none() {
            self.first_action = Some(kind.to_string());
        }
        Ok(r)
    }

    /// Adds an audit entry (hash-chained) for one row.
    pub fn audit(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: &str,
        before: Option<&impl Serialize>,
        after: Option<&impl Serialize>,
        mutation_id: Option<Uuid>,
    ) -> Result<i64> {
        let before = before.map(serde_json::to_string).transpose()?;
        let after = after.map(serde_json::to_string).transpose()?;
        let id = audit::append(
            &self.tx,
            &NewAuditEntry {
                at: self.now,
                actor: &self.actor,
                action,
                entity_type,
                entity_id,
                before,
                after,
                mutation_id,
            },
        )?;
        self.audited += 1;
        if self.first_action.is_none() {
            self.first_action = Some(action.to_string());
        }
        Ok(id)
    }

    /// The usual pair: one mutation carrying `after` as payload, and its audit entry.
    pub(crate) fn record<T: Serialize>(
        &mut self,
        action: &str,
        entity_type: &str,
        entity_id: Uuid,
        consignment_id: Option<Uuid>,
        before: Option<&T>,
        after: &T,
    ) -> Result<MutationRef> {
        let m = self.enqueue(action, consignment_id, after)?;
        self.audit(
            action,
            entity_type,
            &entity_id.to_string(),
            before,
            Some(after),
            Some(m.mutation_id),
        )?;
        Ok(m)
    }
}

/// Reads a `meta` value.
pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// Writes a `meta` value.
pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Writes a `meta` time value (unix ms).
pub(crate) fn meta_set_time(conn: &Connection, key: &str, t: OffsetDateTime) -> Result<()> {
    meta_set(conn, key, &ms(t).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(c: &Connection, name: &str) -> i64 {
        c.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn the_writer_fsyncs_every_commit_checks_foreign_keys_and_waits_when_busy() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("tally.sqlite3")).unwrap();
        let w = Store::lock(&store.writer);
        // 2 = FULL: the WAL is synced before a commit returns (the acknowledgement).
        assert_eq!(pragma(&w, "synchronous"), 2);
        assert_eq!(pragma(&w, "foreign_keys"), 1);
        assert_eq!(pragma(&w, "busy_timeout"), BUSY_TIMEOUT.as_millis() as i64);
        let mode: String = w
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let r = Store::lock(store.reader.as_ref().unwrap());
        assert_eq!(pragma(&r, "busy_timeout"), BUSY_TIMEOUT.as_millis() as i64);
    }
}
