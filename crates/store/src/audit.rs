//! The hash-chained audit log.
//!
//! Each entry's `hash` is SHA-256 over a canonical encoding of all its fields,
//! including its id and the previous entry's hash, so editing, deleting or reordering
//! any row breaks the chain from that row on. The last (id, hash) is also kept in
//! `meta` so cutting entries off the end is caught too. Triggers make the table
//! append-only for ordinary SQL; the chain catches whoever drops the triggers.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::sql::{ms, RowExt};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const HEAD_KEY: &str = "audit_head";

/// Who did something: a signed-in staff member, or the station itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A staff member signed in at this station.
    Staff(Uuid),
    /// The station acting on its own (sync, start-up repair); names the subsystem.
    System(String),
}

impl Actor {
    /// The text stored in `audit_log.actor`: `staff:<uuid>` or `system:<name>`.
    pub fn audit_name(&self) -> String {
        match self {
            Self::Staff(id) => format!("staff:{id}"),
            Self::System(name) => format!("system:{name}"),
        }
    }
}

/// One stored audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain (strictly increasing).
    pub id: i64,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// `staff:<uuid>` or `system:<name>`.
    pub actor: String,
    /// What was done, e.g. `scan.recorded`.
    pub action: String,
    /// The kind of row touched, e.g. `scan_event`.
    pub entity_type: String,
    /// The id of the row touched.
    pub entity_id: String,
    /// The row before (None when created).
    pub before: Option<serde_json::Value>,
    /// The row after (None when removed).
    pub after: Option<serde_json::Value>,
    /// The outbox mutation written in the same transaction, if any.
    pub mutation_id: Option<Uuid>,
    /// The previous entry's hash (`GENESIS_HASH` for the first).
    pub prev_hash: String,
    /// SHA-256 hex of this entry's canonical encoding.
    pub hash: String,
}

/// What an action hands to `append`.
pub(crate) struct NewAuditEntry<'a> {
    pub at: OffsetDateTime,
    pub actor: &'a Actor,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before: Option<String>,
    pub after: Option<String>,
    pub mutation_id: Option<Uuid>,
}

/// The fields that are hashed, exactly as stored.
struct HashedFields<'a> {
    id: i64,
    at_ms: i64,
    actor: &'a str,
    action: &'a str,
    entity_type: &'a str,
    entity_id: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    mutation_id: Option<&'a str>,
    prev_hash: &'a str,
}

/// SHA-256 over a length-prefixed encoding, so no two different entries encode alike.
fn entry_hash(f: &HashedFields<'_>) -> String {
    fn put(h: &mut Sha256, field: Option<&[u8]>) {
        match field {
            None => h.update([0u8]),
            Some(bytes) => {
                h.update([1u8]);
                h.update((bytes.len() as u64).to_be_bytes());
                h.update(bytes);
            }
        }
    }
    let mut h = Sha256::new();
    h.update(b"tally-audit-v1");
    put(&mut h, Some(&f.id.to_be_bytes()));
    put(&mut h, Some(&f.at_ms.to_be_bytes()));
    put(&mut h, Some(f.actor.as_bytes()));
    put(&mut h, Some(f.action.as_bytes()));
    put(&mut h, Some(f.entity_type.as_bytes()));
    put(&mut h, Some(f.entity_id.as_bytes()));
    put(&mut h, f.before.map(str::as_bytes));
    put(&mut h, f.after.map(str::as_bytes));
    put(&mut h, f.mutation_id.map(str::as_bytes));
    put(&mut h, Some(f.prev_hash.as_bytes()));
    hex::encode(h.finalize())
}

/// Appends one entry inside the caller's transaction; returns its id.
pub(crate) fn append(conn: &Connection, e: &NewAuditEntry<'_>) -> Result<i64> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (id, prev_hash) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let actor = e.actor.audit_name();
    let mutation_id = e.mutation_id.map(|m| m.to_string());
    let at_ms = ms(e.at);
    let hash = entry_hash(&HashedFields {
        id,
        at_ms,
        actor: &actor,
        action: e.action,
        entity_type: e.entity_type,
        entity_id: e.entity_id,
        before: e.before.as_deref(),
        after: e.after.as_deref(),
        mutation_id: mutation_id.as_deref(),
        prev_hash: &prev_hash,
    });
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, action, entity_type, entity_id, before_json,
                                after_json, mutation_id, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            at_ms,
            actor,
            e.action,
            e.entity_type,
            e.entity_id,
            e.before,
            e.after,
            mutation_id,
            prev_hash,
            hash
        ],
    )?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![HEAD_KEY, format!("{id}:{hash}")],
    )?;
    Ok(id)
}

/// Walks the whole chain; returns the number of entries, or where it breaks.
pub(crate) fn verify_chain(conn: &Connection) -> Result<u64> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, entity_type, entity_id, before_json, after_json,
                mutation_id, prev_hash, hash
         FROM audit_log ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut last_id = 0i64;
    let mut count = 0u64;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let stored_prev: String = r.get(9)?;
        let stored_hash: String = r.get(10)?;
        let broken = |detail: &str| StoreError::AuditChainBroken {
            entry_id: id,
            detail: detail.to_string(),
        };
        if id <= last_id {
            return Err(broken("entries out of order"));
        }
        if stored_prev != expected_prev {
            return Err(broken(
                "does not follow the previous entry (one was removed or changed)",
            ));
        }
        let actor: String = r.get(2)?;
        let action: String = r.get(3)?;
        let entity_type: String = r.get(4)?;
        let entity_id: String = r.get(5)?;
        let before: Option<String> = r.get(6)?;
        let after: Option<String> = r.get(7)?;
        let mutation_id: Option<String> = r.get(8)?;
        let computed = entry_hash(&HashedFields {
            id,
            at_ms: r.get(1)?,
            actor: &actor,
            action: &action,
            entity_type: &entity_type,
            entity_id: &entity_id,
            before: before.as_deref(),
            after: after.as_deref(),
            mutation_id: mutation_id.as_deref(),
            prev_hash: &stored_prev,
        });
        if computed != stored_hash {
            return Err(broken("its contents do not match its hash"));
        }
        expected_prev = stored_hash;
        last_id = id;
        count += 1;
    }
    let head: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [HEAD_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    let tail = (count > 0).then(|| format!("{last_id}:{expected_prev}"));
    if head != tail {
        return Err(StoreError::AuditChainBroken {
            entry_id: last_id,
            detail: "the newest entries were removed (the chain head does not match)".into(),
        });
    }
    Ok(count)
}

/// The audit entries about one row, oldest first.
pub(crate) fn entries_for(
    conn: &Connection,
    entity_type: &str,
    entity_id: &str,
) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, action, entity_type, entity_id, before_json, after_json,
                mutation_id, prev_hash, hash
         FROM audit_log WHERE entity_type = ?1 AND entity_id = ?2 ORDER BY id",
    )?;
    let mut rows = stmt.query(params![entity_type, entity_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let json = |col: &str| -> Result<Option<serde_json::Value>> {
            r.opt_text(col)?
                .map(|s| serde_json::from_str(&s).map_err(StoreError::from))
                .transpose()
        };
        out.push(AuditEntry {
            id: r.int("id")?,
            at: r.time("at")?,
            actor: r.text("actor")?,
            action: r.text("action")?,
            entity_type: r.text("entity_type")?,
            entity_id: r.text("entity_id")?,
            before: json("before_json")?,
            after: json("after_json")?,
            mutation_id: r.opt_uuid("mutation_id")?,
            prev_hash: r.text("prev_hash")?,
            hash: r.text("hash")?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(before: Option<&'a str>, after: Option<&'a str>) -> HashedFields<'a> {
        HashedFields {
            id: 1,
            at_ms: 1000,
            actor: "staff:x",
            action: "a",
            entity_type: "t",
            entity_id: "e",
            before,
            after,
            mutation_id: None,
            prev_hash: GENESIS_HASH,
        }
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        // Length prefixes and presence tags keep ("ab", None) apart from (None, "ab").
        assert_ne!(
            entry_hash(&fields(Some("ab"), None)),
            entry_hash(&fields(None, Some("ab")))
        );
        assert_ne!(
            entry_hash(&fields(Some(""), None)),
            entry_hash(&fields(None, None))
        );
    }

    #[test]
    fn hash_is_64_lowercase_hex() {
        let h = entry_hash(&fields(None, None));
        assert_eq!(h.len(), 64);
        assert!(h
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    }
}
