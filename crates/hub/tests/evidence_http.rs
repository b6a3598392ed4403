//! The hub's evidence endpoint over real HTTP on loopback, driven by the stations'
//! uploader and by hand: device tokens, names that are not hashes, resuming after a
//! broken upload, a damaged copy, and a file kept byte for byte under its hash.

mod support;

use support::{fast_config, seed_two_outlets};
use tally_hub::Hub;
use tally_store::ContentHash;
use tally_sync::evidence::EvidenceUploader;

fn file(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

async fn put(
    base: &str,
    token: Option<&str>,
    hash: &str,
    offset: usize,
    length: usize,
    body: &[u8],
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .put(format!("{base}/evidence/{hash}"))
        .header("Upload-Offset", offset.to_string())
        .header("Upload-Length", length.to_string())
        .body(body.to_vec());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_photo_is_uploaded_in_chunks_resumed_and_kept_under_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let handle = Hub::start(fast_config(&dir)).await.unwrap();
    let seeded = seed_two_outlets(handle.hub(), "Evidence").await;
    let base = handle.base_url.clone();
    let token = seeded.dev_a.token.clone();
    let bytes = file(5_500, 7);
    let hash = ContentHash::of(&bytes);

    // Without a device token nothing is stored; a name that is not a hash is refused.
    assert_eq!(
        put(&base, None, hash.as_str(), 0, bytes.len(), &bytes[..1_000])
            .await
            .status(),
        401
    );
    assert_eq!(
        put(&base, Some(&token), "..%2Fetc%2Fpasswd", 0, 10, b"x")
            .await
            .status(),
        400
    );

    // Two chunks arrive, then the station stops; a chunk at the wrong offset is told
    // where the hub is.
    assert_eq!(
        put(
            &base,
            Some(&token),
            hash.as_str(),
            0,
            bytes.len(),
            &bytes[..1_000]
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        put(
            &base,
            Some(&token),
            hash.as_str(),
            1_000,
            bytes.len(),
            &bytes[1_000..2_000]
        )
        .await
        .status(),
        200
    );
    let stale = put(
        &base,
        Some(&token),
        hash.as_str(),
        0,
        bytes.len(),
        &bytes[..1_000],
    )
    .await;
    assert_eq!(stale.status(), 409);
    let held: serde_json::Value = stale.json().await.unwrap();
    assert_eq!(held["received"], 2_000);
    assert!(
        handle.hub().evidence_file(hash.as_str()).is_none(),
        "not complete yet"
    );

    // The uploader resumes from what the hub holds and sends the rest once.
    let up = EvidenceUploader::new(&base, &token)
        .unwrap()
        .with_chunk_size(1_000);
    let r = up.upload(&hash, &bytes).await.unwrap();
    assert_eq!((r.resumed_from, r.sent), (2_000, 3_500));
    let kept = handle.hub().evidence_file(hash.as_str()).expect("stored");
    assert_eq!(std::fs::read(kept).unwrap(), bytes);
    // Another station sending the same photo sends nothing.
    let other = EvidenceUploader::new(&base, &seeded.dev_b.token).unwrap();
    assert!(other.upload(&hash, &bytes).await.unwrap().already_there);
    handle.shutdown().await.unwrap();
}

#[tokio::test]
async fn bytes_that_do_not_match_their_name_are_discarded_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let handle = Hub::start(fast_config(&dir)).await.unwrap();
    let seeded = seed_two_outlets(handle.hub(), "Damaged").await;
    let bytes = file(800, 9);
    let named = ContentHash::of(&file(800, 10));
    let resp = put(
        &handle.base_url,
        Some(&seeded.dev_a.token),
        named.as_str(),
        0,
        bytes.len(),
        &bytes,
    )
    .await;
    assert_eq!(resp.status(), 422);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "EVIDENCE_HASH_MISMATCH");
    assert!(handle.hub().evidence_file(named.as_str()).is_none());
    // The damaged bytes are gone too: the next attempt starts from zero.
    let status = reqwest::Client::new()
        .get(format!("{}/evidence/{}", handle.base_url, named.as_str()))
        .bearer_auth(&seeded.dev_a.token)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), 404);
    handle.shutdown().await.unwrap();
}
