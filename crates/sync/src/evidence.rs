//! Evidence upload, outlet side: photos and signature images go to the hub by content
//! hash, in chunks, resumable after any interruption, and verified by hash at both ends.
//!
//! The hub endpoint contract (`tally_hub::http::evidence_api` implements it;
//! `tests/evidence_upload.rs` holds a reference server with fault controls used to test
//! this uploader):
//!
//! - Every request carries `Authorization: Bearer <device token>`.
//! - `GET /evidence/{sha256}` answers `200` with [`UploadStatus`] (how many bytes the
//!   hub holds, whether the file is complete), or `404` when it has none of it.
//! - `PUT /evidence/{sha256}` with headers `Upload-Offset: <n>` and `Upload-Length:
//!   <total>` and a body of at most [`MAX_CHUNK`] bytes appends the chunk when `n` is
//!   what the hub holds and answers `200` with the new [`UploadStatus`]. A different
//!   offset gets `409` with the hub's status, so the client continues from there. When
//!   the last byte arrives the hub checks the SHA-256 of the whole file against the name:
//!   a match completes it (`complete: true`, stored under that name, never rewritten);
//!   a mismatch discards it and answers `422` with `{"code": "EVIDENCE_HASH_MISMATCH"}`.
//! - A `{sha256}` that is not 64 lowercase hex digits is `400`; a body over
//!   `MAX_CHUNK` or a length over the hub's limit is `413`.
//!
//! Which files still need uploading is kept in an append-only ledger next to the
//! evidence directory: a file is pending until the hub has said `complete` for it.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tally_store::{ContentHash, EvidenceStore};

/// Largest chunk a hub accepts in one `PUT` (and what this uploader sends).
pub const MAX_CHUNK: usize = 1024 * 1024;

/// What the hub holds of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadStatus {
    /// The file's name: SHA-256 hex.
    pub sha256: String,
    /// Bytes the hub holds so far.
    pub received: u64,
    /// The whole file arrived and matched its hash.
    pub complete: bool,
}

/// Why an upload did not finish (it resumes on the next attempt).
#[derive(Debug, thiserror::Error)]
pub enum EvidenceUploadError {
    /// The hub could not be reached or the connection broke.
    #[error("the hub could not be reached to upload evidence: {0}")]
    Unreachable(String),
    /// The hub refused the request.
    #[error("the hub refused evidence {hash}: HTTP {status} {body}")]
    Refused {
        /// The file.
        hash: String,
        /// HTTP status.
        status: u16,
        /// The hub's answer, shortened.
        body: String,
    },
    /// The hub's copy did not match the hash twice in a row.
    #[error("evidence {hash} arrived damaged at the hub twice; it will be tried again later")]
    HashMismatch {
        /// The file.
        hash: String,
    },
    /// The local file is missing, unreadable or no longer matches its name.
    #[error("the local evidence file cannot be read: {0}")]
    Local(String),
}

impl EvidenceUploadError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unreachable(_) => "HUB_UNREACHABLE",
            Self::Refused { .. } => "EVIDENCE_REFUSED",
            Self::HashMismatch { .. } => "EVIDENCE_HASH_MISMATCH",
            Self::Local(_) => "EVIDENCE_LOCAL",
        }
    }
}

/// How one upload went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UploadReport {
    /// The hub already had the whole file: nothing sent.
    pub already_there: bool,
    /// Where sending started (non-zero when an earlier attempt was resumed).
    pub resumed_from: u64,
    /// Bytes sent in this attempt.
    pub sent: u64,
}

/// Uploads evidence files to one hub.
#[derive(Debug, Clone)]
pub struct EvidenceUploader {
    client: reqwest::Client,
    base: String,
    token: String,
    chunk: usize,
}

fn unreachable(e: reqwest::Error) -> EvidenceUploadError {
    EvidenceUploadError::Unreachable(e.to_string())
}

impl EvidenceUploader {
    /// An uploader for the hub at `base_url` with the station's device token.
    pub fn new(base_url: &str, device_token: &str) -> Result<Self, EvidenceUploadError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(unreachable)?;
        Ok(Self {
            client,
            base: base_url.trim_end_matches('/').to_string(),
            token: device_token.to_string(),
            chunk: MAX_CHUNK,
        })
    }

    /// Sends smaller chunks (tests; very slow links).
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk = bytes.clamp(1, MAX_CHUNK);
        self
    }

    fn url(&self, hash: &ContentHash) -> String {
        format!("{}/evidence/{hash}", self.base)
    }

    async fn refused(hash: &ContentHash, r: reqwest::Response) -> EvidenceUploadError {
        let status = r.status().as_u16();
        let body: String = r
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        EvidenceUploadError::Refused {
            hash: hash.to_string(),
            status,
            body,
        }
    }

    /// What the hub holds of `hash` (`received: 0` when it has nothing).
    pub async fn status(&self, hash: &ContentHash) -> Result<UploadStatus, EvidenceUploadError> {
        let r = self
            .client
            .get(self.url(hash))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(unreachable)?;
        match r.status().as_u16() {
            200 => r.json().await.map_err(unreachable),
            404 => Ok(UploadStatus {
                sha256: hash.to_string(),
                received: 0,
                complete: false,
            }),
            _ => Err(Self::refused(hash, r).await),
        }
    }

    /// Uploads `bytes`, named `hash`, continuing from whatever the hub already holds.
    /// Checks the bytes match the hash before sending anything.
    pub async fn upload(
        &self,
        hash: &ContentHash,
        bytes: &[u8],
    ) -> Result<UploadReport, EvidenceUploadError> {
        if ContentHash::of(bytes) != *hash {
            return Err(EvidenceUploadError::Local(format!(
                "{hash} does not match its bytes"
            )));
        }
        let total = bytes.len() as u64;
        let status = self.status(hash).await?;
        if status.complete {
            return Ok(UploadReport {
                already_there: true,
                ..UploadReport::default()
            });
        }
        let mut offset = status.received.min(total);
        let mut report = UploadReport {
            resumed_from: offset,
            ..UploadReport::default()
        };
        let mut restarted = false;
        loop {
            let end = (offset as usize + self.chunk).min(bytes.len());
            let chunk = bytes[offset as usize..end].to_vec();
            let sent = chunk.len() as u64;
            let r = self
                .client
                .put(self.url(hash))
                .bearer_auth(&self.token)
                .header("Upload-Offset", offset.to_string())
                .header("Upload-Length", total.to_string())
                .header("Content-Type", "application/octet-stream")
                .body(chunk)
                .send()
                .await
                .map_err(unreachable)?;
            match r.status().as_u16() {
                200 | 409 => {
                    let ok = r.status().as_u16() == 200;
                    let s: UploadStatus = r.json().await.map_err(unreachable)?;
                    if ok {
                        report.sent += sent;
                    }
                    if s.complete {
                        tracing::info!(%hash, bytes = total, resumed_from = report.resumed_from, "evidence uploaded");
                        return Ok(report);
                    }
                    // On 409 the hub says where it is; continue from there.
                    offset = s.received.min(total);
                    if ok && offset >= total {
                        return Err(EvidenceUploadError::Refused {
                            hash: hash.to_string(),
                            status: 200,
                            body: "all bytes sent but the hub did not complete the file".into(),
                        });
                    }
                }
                422 if !restarted => {
                    report.sent += sent;
                    // The hub's copy was damaged on the way: start once more from zero.
                    tracing::warn!(%hash, "hub reported a hash mismatch; uploading again");
                    restarted = true;
                    offset = 0;
                }
                422 => {
                    return Err(EvidenceUploadError::HashMismatch {
                        hash: hash.to_string(),
                    })
                }
                _ => return Err(Self::refused(hash, r).await),
            }
        }
    }
}

/// The append-only list of evidence files the hub holds completely.
#[derive(Debug)]
pub struct UploadLedger {
    path: PathBuf,
    done: BTreeSet<ContentHash>,
}

impl UploadLedger {
    /// Opens (or starts) the ledger at `path`; unreadable lines are ignored (a torn
    /// last line after a crash only means that file is checked with the hub again).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, EvidenceUploadError> {
        let path = path.as_ref().to_path_buf();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(EvidenceUploadError::Local(format!(
                    "{}: {e}",
                    path.display()
                )))
            }
        };
        let done = text
            .lines()
            .filter_map(|l| ContentHash::parse(l.trim()).ok())
            .collect();
        Ok(Self { path, done })
    }

    /// True when the hub has the whole file.
    pub fn is_done(&self, hash: &ContentHash) -> bool {
        self.done.contains(hash)
    }

    /// Records that the hub has the whole file (durably, before returning).
    pub fn mark_done(&mut self, hash: &ContentHash) -> Result<(), EvidenceUploadError> {
        if self.done.contains(hash) {
            return Ok(());
        }
        let io =
            |e: std::io::Error| EvidenceUploadError::Local(format!("{}: {e}", self.path.display()));
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        writeln!(f, "{hash}").map_err(io)?;
        f.sync_all().map_err(io)?;
        self.done.insert(hash.clone());
        Ok(())
    }
}

/// Files in the evidence directory the hub does not hold completely yet, by name.
pub fn pending(
    evidence_dir: &Path,
    ledger: &UploadLedger,
) -> Result<Vec<ContentHash>, EvidenceUploadError> {
    let all = tally_store::evidence_hashes_in(evidence_dir)
        .map_err(|e| EvidenceUploadError::Local(format!("{}: {e}", evidence_dir.display())))?;
    Ok(all.into_iter().filter(|h| !ledger.is_done(h)).collect())
}

/// What one pass over the pending files did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadPass {
    /// Files the hub now holds (uploaded or already there).
    pub done: u32,
    /// Files still pending, with why.
    pub failed: Vec<(String, &'static str)>,
}

/// Uploads every pending file once. A file that fails stays pending for the next pass;
/// an unreachable hub ends the pass early (the rest would fail the same way).
pub async fn upload_pending(
    uploader: &EvidenceUploader,
    evidence: &EvidenceStore,
    evidence_dir: &Path,
    ledger: &mut UploadLedger,
) -> Result<UploadPass, EvidenceUploadError> {
    let mut pass = UploadPass::default();
    for hash in pending(evidence_dir, ledger)? {
        let bytes = match evidence.get(&hash) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(%hash, error = %e, "evidence file unreadable; not uploaded");
                pass.failed.push((hash.to_string(), e.code()));
                continue;
            }
        };
        match uploader.upload(&hash, &bytes).await {
            Ok(_) => {
                ledger.mark_done(&hash)?;
                pass.done += 1;
            }
            Err(e @ EvidenceUploadError::Unreachable(_)) => {
                tracing::info!(error = %e, "hub unreachable; evidence upload waits");
                pass.failed.push((hash.to_string(), e.code()));
                break;
            }
            Err(e) => {
                tracing::warn!(%hash, error = %e, "evidence upload failed; will retry");
                pass.failed.push((hash.to_string(), e.code()));
            }
        }
    }
    Ok(pass)
}
