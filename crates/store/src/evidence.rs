//! Evidence files (photos, signature PNGs, label PDFs), stored by content hash.
//!
//! A file's name is the SHA-256 hex of its bytes; a name that is not exactly 64
//! lowercase hex digits is refused before it touches the file system, so no input can
//! name a path. Writes go to a temp file in the same directory, are fsynced, renamed
//! into place and the directory fsynced, so a crash leaves either nothing or the
//! whole file.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::sql::ms;

/// A SHA-256 content hash: 64 lowercase hex digits, checked on construction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentHash(String);

impl ContentHash {
    /// Parses a hash; anything but 64 lowercase hex digits is `EVIDENCE_BAD_HASH`.
    pub fn parse(s: &str) -> Result<ContentHash> {
        let ok = s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if ok {
            Ok(ContentHash(s.to_string()))
        } else {
            // Keep the echo short: the input may be hostile or huge.
            let given: String = s.chars().take(80).collect();
            Err(StoreError::EvidenceBadHash { given })
        }
    }

    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> ContentHash {
        ContentHash(hex::encode(Sha256::digest(bytes)))
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ContentHash {
    type Error = StoreError;
    fn try_from(s: String) -> Result<Self> {
        ContentHash::parse(&s)
    }
}

impl From<ContentHash> for String {
    fn from(h: ContentHash) -> String {
        h.0
    }
}

/// Content-addressed files under one directory (the app data dir's `evidence/`).
#[derive(Debug, Clone)]
pub struct EvidenceStore {
    dir: PathBuf,
}

impl EvidenceStore {
    /// Uses (and creates) `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<EvidenceStore> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir)
            .map_err(|e| StoreError::io(format!("create {}", dir.display()), e))?;
        Ok(EvidenceStore { dir })
    }

    /// Where the file for `hash` lives (whether or not it exists).
    pub fn path(&self, hash: &ContentHash) -> PathBuf {
        // Safe to join: a ContentHash is 64 hex digits, never a separator or `..`.
        self.dir.join(hash.as_str())
    }

    /// Stores `bytes` durably; returns their hash. Storing the same bytes twice is a no-op.
    pub fn put(&self, bytes: &[u8]) -> Result<ContentHash> {
        let hash = ContentHash::of(bytes);
        let target = self.path(&hash);
        if target.exists() {
            return Ok(hash);
        }
        let io = |what: &str, e| StoreError::io(format!("{what} evidence file {hash}"), e);
        let mut tmp = tempfile::Builder::new()
            .prefix(".incoming-")
            .tempfile_in(&self.dir)
            .map_err(|e| io("create", e))?;
        tmp.write_all(bytes).map_err(|e| io("write", e))?;
        tmp.as_file().sync_all().map_err(|e| io("sync", e))?;
        tmp.persist(&target).map_err(|e| io("store", e.error))?;
        sync_dir(&self.dir).map_err(|e| io("sync directory for", e))?;
        tracing::debug!(%hash, bytes = bytes.len(), "evidence stored");
        Ok(hash)
    }

    /// Reads a file back, checking it still matches its hash.
    pub fn get(&self, hash: &ContentHash) -> Result<Vec<u8>> {
        let bytes = fs::read(self.path(hash)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::EvidenceMissing {
                hash: hash.to_string(),
            },
            _ => StoreError::io(format!("read evidence file {hash}"), e),
        })?;
        if ContentHash::of(&bytes) != *hash {
            return Err(StoreError::EvidenceCorrupt {
                hash: hash.to_string(),
            });
        }
        Ok(bytes)
    }

    /// Parses an untrusted name and reads the file (the path the UI/webview uses).
    pub fn get_by_name(&self, name: &str) -> Result<Vec<u8>> {
        self.get(&ContentHash::parse(name)?)
    }

    /// True when the file is present.
    pub fn contains(&self, hash: &ContentHash) -> bool {
        self.path(hash).is_file()
    }

    /// Every stored file's hash, sorted.
    pub fn hashes(&self) -> Result<Vec<ContentHash>> {
        hashes_in(&self.dir).map_err(|e| StoreError::io(format!("list {}", self.dir.display()), e))
    }
}

/// The hashes of the evidence files in `dir`, sorted; none when `dir` does not exist.
/// Temp files (`.incoming-*`) and anything else not named by a hash are skipped.
pub fn hashes_in(dir: &Path) -> std::io::Result<Vec<ContentHash>> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out: Vec<ContentHash> = rd
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| ContentHash::parse(e.file_name().to_str()?).ok())
        .collect();
    out.sort();
    Ok(out)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Windows cannot open a directory for fsync; NTFS journals the rename itself.
    Ok(())
}

impl crate::Store {
    /// Records that `entity_type`/`entity_id` refers to stored evidence files of `kind`
    /// (e.g. carrier label PDFs of a consignment's freight booking).
    pub fn refer_evidence(
        &self,
        hashes: &[ContentHash],
        kind: &str,
        entity_type: &str,
        entity_id: Uuid,
    ) -> Result<()> {
        let at = crate::sql::now();
        self.write_local(|tx| {
            for h in hashes {
                reference(tx, h, kind, entity_type, entity_id, at)?;
            }
            Ok(())
        })
    }

    /// Evidence files `entity_type`/`entity_id` refers to, by kind and hash.
    pub fn evidence_of(&self, entity_type: &str, entity_id: Uuid) -> Result<Vec<(String, String)>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT kind, hash FROM evidence_refs WHERE entity_type = ?1 AND entity_id = ?2
                 ORDER BY created_at, hash",
            )?;
            let rows = stmt.query_map(params![entity_type, entity_id.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// Records that a row refers to an evidence file (inside the action's transaction).
pub(crate) fn reference(
    c: &Connection,
    hash: &ContentHash,
    kind: &str,
    entity_type: &str,
    entity_id: Uuid,
    at: OffsetDateTime,
) -> Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO evidence_refs (hash, kind, entity_type, entity_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        hash.as_str(),
        kind,
        entity_type,
        entity_id.to_string(),
        ms(at)
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_bytes_come_back_under_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let ev = EvidenceStore::open(dir.path().join("evidence")).unwrap();
        let h = ev.put(b"signature png").unwrap();
        assert_eq!(h, ContentHash::of(b"signature png"));
        assert_eq!(ev.get(&h).unwrap(), b"signature png");
        assert_eq!(ev.put(b"signature png").unwrap(), h, "idempotent");
        assert_eq!(ev.path(&h).file_name().unwrap(), h.as_str());
        // no temp files left behind
        let names: Vec<_> = fs::read_dir(ev.dir.clone()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn path_traversal_and_other_non_hash_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ev = EvidenceStore::open(dir.path()).unwrap();
        let sixty_three = "a".repeat(63);
        let upper = "A".repeat(64);
        let traversal = format!("../../{}", "a".repeat(58));
        let abs = format!("/etc/passwd{}", "0".repeat(53));
        let sep = format!("{}/{}", "a".repeat(31), "b".repeat(32));
        let nul = format!("{}\0", "a".repeat(63));
        for bad in [
            "",
            "..",
            "../etc/passwd",
            &sixty_three,
            &upper,
            &traversal,
            &abs,
            &sep,
            &nul,
        ] {
            let e = ev.get_by_name(bad).unwrap_err();
            assert_eq!(e.code(), "EVIDENCE_BAD_HASH", "{bad:?}");
            assert!(serde_json::from_value::<ContentHash>(serde_json::json!(bad)).is_err());
        }
    }

    #[test]
    fn a_changed_file_is_reported_corrupt_and_a_missing_one_missing() {
        let dir = tempfile::tempdir().unwrap();
        let ev = EvidenceStore::open(dir.path()).unwrap();
        let h = ev.put(b"photo").unwrap();
        fs::write(ev.path(&h), b"edited").unwrap();
        assert_eq!(ev.get(&h).unwrap_err().code(), "EVIDENCE_CORRUPT");
        let other = ContentHash::of(b"never stored");
        assert_eq!(ev.get(&other).unwrap_err().code(), "EVIDENCE_MISSING");
    }
}
