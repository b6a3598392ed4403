//! `GET` and `PUT /evidence/{sha256}`: stations upload photos and signature images by
//! content hash, in chunks, resumable; the hub keeps a file only when the whole of it
//! matches its name. The contract is in `tally_sync::evidence`.
//!
//! Files live next to the hub's database in `evidence/` (complete, never rewritten) and
//! `evidence/partial/` (bytes received so far). Names are checked to be 64 lowercase hex
//! digits before any path is made from them.

use std::path::{Path, PathBuf};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sha2::{Digest, Sha256};
use tally_sync::evidence::{UploadStatus, MAX_CHUNK};
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

use super::{ApiError, DeviceAuth};
use crate::Hub;

/// Largest evidence file the hub accepts (a phone photo is a few MB).
pub const MAX_EVIDENCE_BYTES: u64 = 64 * 1024 * 1024;

/// One upload changes the partial files at a time (two stations may send the same photo).
static WRITING: Mutex<()> = Mutex::const_new(());

/// The evidence routes.
pub fn routes() -> Router<Hub> {
    Router::new().route("/evidence/{hash}", get(status).put(put_chunk))
}

/// Where the hub keeps evidence files.
pub fn evidence_dir(hub: &Hub) -> PathBuf {
    hub.config()
        .db_path
        .parent()
        .map_or_else(|| PathBuf::from("evidence"), |d| d.join("evidence"))
}

/// Whether `name` is an evidence file name: 64 lowercase hex digits (safe in a path).
pub fn is_hash_name(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn checked(hash: &str) -> Result<&str, ApiError> {
    if is_hash_name(hash) {
        Ok(hash)
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "BAD_EVIDENCE_NAME",
            "an evidence file is named by its SHA-256: 64 lowercase hex digits",
        ))
    }
}

fn io_error(e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "evidence storage failed");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "EVIDENCE_STORAGE",
        "the hub could not store the file; the station will retry",
    )
}

async fn len_of(path: &Path) -> Result<Option<u64>, ApiError> {
    match tokio::fs::metadata(path).await {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(e)),
    }
}

async fn held(dir: &Path, hash: &str) -> Result<UploadStatus, ApiError> {
    if let Some(len) = len_of(&dir.join(hash)).await? {
        return Ok(UploadStatus {
            sha256: hash.to_string(),
            received: len,
            complete: true,
        });
    }
    let received = len_of(&dir.join("partial").join(hash)).await?.unwrap_or(0);
    Ok(UploadStatus {
        sha256: hash.to_string(),
        received,
        complete: false,
    })
}

#[tracing::instrument(skip_all, fields(device_id = %device.id))]
async fn status(
    State(hub): State<Hub>,
    DeviceAuth(device): DeviceAuth,
    UrlPath(hash): UrlPath<String>,
) -> Result<Response, ApiError> {
    let hash = checked(&hash)?;
    let s = held(&evidence_dir(&hub), hash).await?;
    if s.received == 0 && !s.complete {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "EVIDENCE_NOT_HELD",
            "the hub holds none of this file yet",
        ));
    }
    Ok(Json(s).into_response())
}

fn number(headers: &HeaderMap, name: &str) -> Result<u64, ApiError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "MALFORMED_REQUEST",
                format!("the {name} header must be a whole number of bytes"),
            )
        })
}

#[tracing::instrument(skip_all, fields(device_id = %device.id))]
async fn put_chunk(
    State(hub): State<Hub>,
    DeviceAuth(device): DeviceAuth,
    UrlPath(hash): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let hash = checked(&hash)?;
    let offset = number(&headers, "upload-offset")?;
    let length = number(&headers, "upload-length")?;
    if body.len() > MAX_CHUNK || length > MAX_EVIDENCE_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "EVIDENCE_TOO_LARGE",
            format!(
                "chunks are at most {MAX_CHUNK} bytes and files at most {MAX_EVIDENCE_BYTES} bytes"
            ),
        ));
    }
    let dir = evidence_dir(&hub);
    let partial_dir = dir.join("partial");
    let _writing = WRITING.lock().await;
    tokio::fs::create_dir_all(&partial_dir)
        .await
        .map_err(io_error)?;
    let now = held(&dir, hash).await?;
    if now.complete {
        return Ok(Json(now).into_response());
    }
    if now.received != offset || offset + body.len() as u64 > length {
        return Ok((StatusCode::CONFLICT, Json(now)).into_response());
    }
    let partial = partial_dir.join(hash);
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&partial)
        .await
        .map_err(io_error)?;
    file.write_all(&body).await.map_err(io_error)?;
    file.sync_all().await.map_err(io_error)?;
    drop(file);
    let received = offset + body.len() as u64;
    if received == length {
        let bytes = tokio::fs::read(&partial).await.map_err(io_error)?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != hash {
            tokio::fs::remove_file(&partial).await.map_err(io_error)?;
            tracing::warn!(sha256 = hash, "evidence arrived damaged; discarded");
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "EVIDENCE_HASH_MISMATCH",
                "the file does not match its SHA-256; send it again",
            ));
        }
        tokio::fs::rename(&partial, dir.join(hash))
            .await
            .map_err(io_error)?;
        tracing::info!(sha256 = hash, bytes = length, "evidence stored");
    }
    Ok(Json(held(&dir, hash).await?).into_response())
}
