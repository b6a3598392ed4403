//! The evidence uploader against a reference hub endpoint on loopback that follows the
//! contract in `tally_sync::evidence`, with faults: a chunk stored but its answer lost,
//! a status that under-reports, a copy damaged in transit, a hub that goes away.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tally_store::{ContentHash, EvidenceStore};
use tally_sync::evidence::{
    pending, upload_pending, EvidenceUploadError, EvidenceUploader, UploadLedger, UploadStatus,
};

const TOKEN: &str = "device-token-for-tests";

#[derive(Default)]
struct Hub {
    partial: Mutex<HashMap<String, Vec<u8>>>,
    complete: Mutex<HashSet<String>>,
    puts: AtomicUsize,
    /// Store the chunk of this PUT number (1-based), then answer 500 as if the answer was lost.
    lose_answer_of_put: AtomicUsize,
    /// Under-report what is held in the next status answers.
    lie_in_status: AtomicUsize,
    /// Flip a byte of the first completed copy.
    corrupt_first_copy: AtomicUsize,
}

impl Hub {
    fn status(&self, hash: &str) -> UploadStatus {
        let complete = self.complete.lock().unwrap().contains(hash);
        let received = self
            .partial
            .lock()
            .unwrap()
            .get(hash)
            .map_or(0, |b| b.len() as u64);
        UploadStatus {
            sha256: hash.to_string(),
            received,
            complete,
        }
    }
}

fn authorised(h: &HeaderMap) -> bool {
    h.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}"))
}

async fn get_status(
    State(hub): State<Arc<Hub>>,
    UrlPath(hash): UrlPath<String>,
    h: HeaderMap,
) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if ContentHash::parse(&hash).is_err() {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let mut s = hub.status(&hash);
    if hub.lie_in_status.load(Ordering::SeqCst) > 0 {
        hub.lie_in_status.fetch_sub(1, Ordering::SeqCst);
        s.received = 0;
    }
    if s.received == 0 && !s.complete {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(s).into_response()
}

async fn put_chunk(
    State(hub): State<Arc<Hub>>,
    UrlPath(hash): UrlPath<String>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if ContentHash::parse(&hash).is_err() {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let n = hub.puts.fetch_add(1, Ordering::SeqCst) + 1;
    let header = |k: &str| {
        h.get(k)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
    };
    let (Some(offset), Some(length)) = (header("upload-offset"), header("upload-length")) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    if hub.complete.lock().unwrap().contains(&hash) {
        return Json(hub.status(&hash)).into_response();
    }
    {
        let mut partial = hub.partial.lock().unwrap();
        let held = partial.entry(hash.clone()).or_default();
        if held.len() as u64 != offset {
            drop(partial);
            return (StatusCode::CONFLICT, Json(hub.status(&hash))).into_response();
        }
        held.extend_from_slice(&body);
        if held.len() as u64 == length {
            if hub.corrupt_first_copy.swap(0, Ordering::SeqCst) == 1 {
                held[0] ^= 0xFF;
            }
            if ContentHash::of(held).as_str() != hash {
                partial.remove(&hash);
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(serde_json::json!({"code": "EVIDENCE_HASH_MISMATCH"})),
                )
                    .into_response();
            }
            hub.complete.lock().unwrap().insert(hash.clone());
        }
    }
    if hub.lose_answer_of_put.load(Ordering::SeqCst) == n {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Json(hub.status(&hash)).into_response()
}

async fn start_hub() -> (String, Arc<Hub>, tokio::task::JoinHandle<()>) {
    let hub = Arc::new(Hub::default());
    let app = Router::new()
        .route("/evidence/{hash}", get(get_status).put(put_chunk))
        .with_state(hub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, hub, task)
}

fn file(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn held(hub: &Hub, hash: &ContentHash) -> Vec<u8> {
    hub.partial
        .lock()
        .unwrap()
        .get(hash.as_str())
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn an_upload_whose_answer_was_lost_resumes_where_the_hub_stopped() {
    let (url, hub, _t) = start_hub().await;
    let bytes = file(5_500, 1);
    let hash = ContentHash::of(&bytes);
    let up = EvidenceUploader::new(&url, TOKEN)
        .unwrap()
        .with_chunk_size(1_000);
    hub.lose_answer_of_put.store(3, Ordering::SeqCst);
    let e = up.upload(&hash, &bytes).await.unwrap_err();
    assert_eq!(e.code(), "EVIDENCE_REFUSED");
    assert_eq!(held(&hub, &hash).len(), 3_000, "the third chunk was stored");
    let r = up.upload(&hash, &bytes).await.unwrap();
    assert_eq!(
        (r.resumed_from, r.sent),
        (3_000, 2_500),
        "nothing sent twice"
    );
    assert_eq!(held(&hub, &hash), bytes);
    assert!(hub.complete.lock().unwrap().contains(hash.as_str()));
}

#[tokio::test]
async fn a_file_the_hub_already_has_is_not_sent_again() {
    let (url, hub, _t) = start_hub().await;
    let bytes = file(2_100, 2);
    let hash = ContentHash::of(&bytes);
    let up = EvidenceUploader::new(&url, TOKEN)
        .unwrap()
        .with_chunk_size(1_000);
    assert_eq!(up.upload(&hash, &bytes).await.unwrap().sent, 2_100);
    let puts = hub.puts.load(Ordering::SeqCst);
    let again = up.upload(&hash, &bytes).await.unwrap();
    assert!(again.already_there);
    assert_eq!(hub.puts.load(Ordering::SeqCst), puts);
}

#[tokio::test]
async fn a_stale_offset_is_corrected_by_the_hubs_answer() {
    let (url, hub, _t) = start_hub().await;
    let bytes = file(3_000, 3);
    let hash = ContentHash::of(&bytes);
    let up = EvidenceUploader::new(&url, TOKEN)
        .unwrap()
        .with_chunk_size(1_000);
    hub.lose_answer_of_put.store(2, Ordering::SeqCst);
    up.upload(&hash, &bytes).await.unwrap_err();
    // The status answer claims nothing is held: the first PUT gets 409 and the hub's offset.
    hub.lie_in_status.store(1, Ordering::SeqCst);
    let r = up.upload(&hash, &bytes).await.unwrap();
    assert_eq!(r.sent, 1_000);
    assert_eq!(held(&hub, &hash), bytes);
}

#[tokio::test]
async fn a_copy_damaged_in_transit_is_sent_again_from_the_start() {
    let (url, hub, _t) = start_hub().await;
    let bytes = file(2_500, 4);
    let hash = ContentHash::of(&bytes);
    hub.corrupt_first_copy.store(1, Ordering::SeqCst);
    let up = EvidenceUploader::new(&url, TOKEN)
        .unwrap()
        .with_chunk_size(1_000);
    let r = up.upload(&hash, &bytes).await.unwrap();
    assert_eq!(r.sent, 5_000, "sent twice in full");
    assert_eq!(held(&hub, &hash), bytes);
}

#[tokio::test]
async fn bytes_that_do_not_match_their_name_are_never_sent() {
    let (url, hub, _t) = start_hub().await;
    let up = EvidenceUploader::new(&url, TOKEN).unwrap();
    let e = up
        .upload(&ContentHash::of(b"one"), b"other")
        .await
        .unwrap_err();
    assert!(matches!(e, EvidenceUploadError::Local(_)));
    assert_eq!(hub.puts.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_wrong_device_token_is_refused() {
    let (url, _hub, _t) = start_hub().await;
    let up = EvidenceUploader::new(&url, "stolen").unwrap();
    let bytes = file(10, 5);
    let e = up
        .upload(&ContentHash::of(&bytes), &bytes)
        .await
        .unwrap_err();
    assert!(
        matches!(e, EvidenceUploadError::Refused { status: 401, .. }),
        "{e}"
    );
}

fn ledger_path(dir: &Path) -> std::path::PathBuf {
    dir.join("evidence-uploaded.txt")
}

#[tokio::test]
async fn pending_files_are_uploaded_once_and_remembered_and_wait_while_the_hub_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let ev_dir = dir.path().join("evidence");
    let evidence = EvidenceStore::open(&ev_dir).unwrap();
    let a = evidence.put(&file(1_500, 6)).unwrap();
    let b = evidence.put(&file(700, 7)).unwrap();
    std::fs::write(ev_dir.join(".incoming-xyz"), b"half a file").unwrap();
    let mut ledger = UploadLedger::open(ledger_path(dir.path())).unwrap();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(pending(&ev_dir, &ledger).unwrap(), expected);

    // Hub down: nothing is marked, everything stays pending.
    let down = EvidenceUploader::new("http://127.0.0.1:9", TOKEN).unwrap();
    let pass = upload_pending(&down, &evidence, &ev_dir, &mut ledger)
        .await
        .unwrap();
    assert_eq!(pass.done, 0);
    assert_eq!(pass.failed[0].1, "HUB_UNREACHABLE");
    assert_eq!(
        pass.failed.len(),
        1,
        "the pass stops at the first unreachable answer"
    );
    assert_eq!(pending(&ev_dir, &ledger).unwrap().len(), 2);

    // Hub up: both go, and a reopened ledger remembers them.
    let (url, hub, _t) = start_hub().await;
    let up = EvidenceUploader::new(&url, TOKEN)
        .unwrap()
        .with_chunk_size(1_000);
    let pass = upload_pending(&up, &evidence, &ev_dir, &mut ledger)
        .await
        .unwrap();
    assert_eq!((pass.done, pass.failed.len()), (2, 0));
    assert_eq!(held(&hub, &a), evidence.get(&a).unwrap());
    let reopened = UploadLedger::open(ledger_path(dir.path())).unwrap();
    assert!(pending(&ev_dir, &reopened).unwrap().is_empty());
    let puts = hub.puts.load(Ordering::SeqCst);
    let mut reopened = reopened;
    let pass = upload_pending(&up, &evidence, &ev_dir, &mut reopened)
        .await
        .unwrap();
    assert_eq!(pass.done, 0);
    assert_eq!(
        hub.puts.load(Ordering::SeqCst),
        puts,
        "nothing uploaded twice"
    );
}
