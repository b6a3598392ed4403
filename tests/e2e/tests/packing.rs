//! Issue 10 in the real window: pack the demo's 20-line transfer into 3 boxes with the
//! MT-SICS scale simulator and the ZPL label printer simulator attached (an unknown
//! barcode, an over-pack confirmed and undone, the quantity key), send it, and see it
//! arrive at the fake Lightspeed as an OUTLET consignment with the packed quantities.
//! Screenshots of each step land in test-output/e2e/packing-*.png.
//!
//! Scans are typed into the page as a keyboard-wedge scanner does (a burst of keys and
//! Enter), so they take the same path as a real scanner: wedge detection, the command,
//! the store's durable write, the pick list.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use rust_decimal::Decimal;
use tally_domain::{LsConsignmentStatus, LsConsignmentType};
use tally_e2e::Window;

mod packing_support;
use packing_support::*;

/// The fake Lightspeed's API base URL, from the demo's start-up log line.
fn lightspeed_url(data_dir: &std::path::Path) -> Result<String> {
    let logs = data_dir.join("logs");
    for entry in std::fs::read_dir(&logs)? {
        let text = std::fs::read_to_string(entry?.path())?;
        for line in text.lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(url) = v["fields"]["lightspeed"].as_str() {
                return Ok(url.to_string());
            }
        }
    }
    bail!(
        "the demo's log in {} names no Lightspeed URL",
        logs.display()
    )
}

/// A Lightspeed client on the fake, with a token issued by the fake's admin route.
async fn lightspeed(base_url: &str) -> Result<tally_lightspeed::LightspeedClient> {
    let root = base_url.trim_end_matches("/api/2.0");
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{root}/__admin/refresh-token"))
        .send()
        .await?
        .json()
        .await?;
    let refresh = token["refresh_token"]
        .as_str()
        .context("refresh token from the fake")?;
    let fake = tally_testkit::lightspeed::FakeConfig::default();
    let config = tally_lightspeed::ClientConfig::new(
        base_url.to_string(),
        format!("{root}/api/1.0/token"),
        tally_lightspeed::Credentials::new(fake.client_id.clone(), fake.client_secret.clone()),
    );
    let tokens = std::sync::Arc::new(tally_lightspeed::InMemoryTokenStore::new(
        tally_lightspeed::StoredTokens::from_refresh_token(refresh.to_string()),
    ));
    Ok(tally_lightspeed::LightspeedClient::new(config, tokens)?)
}

fn shot_name(step: &str) -> String {
    format!("packing-{step}")
}

/// A screenshot once the window has painted the last change.
async fn shot(w: &Window, step: &str) -> Result<()> {
    tokio::time::sleep(Duration::from_millis(250)).await;
    w.screenshot(&shot_name(step)).await?;
    Ok(())
}

/// A valid EAN-13 no product carries.
fn unknown_ean() -> String {
    let body = "942999999999";
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// How the packer closes the box: F4, or the `*CLOSE-BOX*` command barcode.
#[derive(Clone, Copy)]
enum Close {
    Key,
    Scan,
}

async fn close_box_on_scale(
    w: &Window,
    bench: &Bench,
    number: u32,
    over_g: i64,
    how: Close,
) -> Result<()> {
    // Wait for the screen's box (units and expected weight refresh after the last scan).
    let expected_g: i64 = until("the open box's expected weight", || async {
        let b = w.find("[data-testid=open-box]").await?;
        let n: u32 = attr(&b, "data-number").await?.parse().unwrap_or(0);
        let g: i64 = attr(&b, "data-expected-g").await?.parse().unwrap_or(0);
        Ok((n == number && g > 0).then_some(g))
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let b = w.find("[data-testid=open-box]").await?;
    let expected_g: i64 = attr(&b, "data-expected-g")
        .await?
        .parse()
        .unwrap_or(expected_g);
    bench
        .scale
        .set_weight_grams(Decimal::from(expected_g + over_g));
    until("a steady weight", || async {
        let l = w.find("[data-testid=live-weight]").await?;
        Ok((attr(&l, "data-stable").await? == "true").then_some(()))
    })
    .await?;
    match how {
        Close::Key => press(w, "F4", false).await?,
        Close::Scan => scan(w, &["*CLOSE-BOX*"]).await?,
    }
    let said = wait_feedback(w, "complete", &format!("Box {number} closed")).await?;
    ensure!(
        said.contains("Label printed on Bench Zebra"),
        "box {number}: {said}"
    );
    // The next box starts empty on the scale.
    bench.scale.set_weight_grams(Decimal::ZERO);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pack_a_demo_transfer_into_three_boxes_send_it_and_see_it_at_lightspeed() -> Result<()> {
    let bench = start_bench()?;
    let w = Window::start(&["--demo"]).await?;
    let result = run(&w, &bench).await;
    if result.is_err() {
        let _ = w.screenshot(&shot_name("zz-failure")).await;
    }
    w.close().await?;
    result
}

async fn run(w: &Window, bench: &Bench) -> Result<()> {
    sign_in(w).await?;
    open_transfer(w, "20").await?;
    let reference = w
        .find("[data-testid=packing-reference]")
        .await?
        .text()
        .await?;
    let lines = rows(w).await?;
    ensure!(lines.len() == 20, "{:?} != {:?}", lines.len(), 20);
    ensure!(lines[0].next, "the first line to pick is highlighted");
    shot(w, "01-pick-list").await?;
    // The same screen at 1920x1080 (where the display allows it), then back to 1280x800.
    if w.client.set_window_size(1920, 1080).await.is_ok() {
        shot(w, "01b-pick-list-1920").await?;
        w.client.set_window_size(1280, 800).await?;
    }

    // Box 1: lines 1-7 in a carton M, scanned one unit at a time, and an unknown code.
    press(w, "F2", false).await?;
    w.find("[data-testid=new-box-dialog]").await?;
    shot(w, "02-new-box").await?;
    w.find("[data-testid=container-BOX-M]")
        .await?
        .click()
        .await?;
    // The first line through the serial (USB-CDC) scanner, the rest through the
    // keyboard-wedge one: both land in the same pick list.
    for _ in 0..lines[0].expected {
        bench.scanner.scan(&lines[0].sku);
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    wait_packed(w, &lines[0].sku, lines[0].expected).await?;
    for r in &lines[1..7] {
        let codes: Vec<&str> = (0..r.expected).map(|_| r.sku.as_str()).collect();
        scan(w, &codes).await?;
        wait_packed(w, &r.sku, r.expected).await?;
    }
    let done = rows(w).await?;
    ensure!(done[..7].iter().all(|r| r.state == "complete"));
    ensure!(done[7].next, "the next line moves down the list");
    shot(w, "03-box1-scanned").await?;

    scan(w, &[&unknown_ean()]).await?;
    let msg = wait_feedback(w, "unexpected", "Unknown barcode").await?;
    ensure!(msg.contains("Search for the product"), "{msg}");
    shot(w, "04-unknown-barcode").await?;

    close_box_on_scale(w, bench, 1, 40, Close::Key).await?;
    let labels = bench.printer.wait_for_jobs(1, Duration::from_secs(10));
    ensure!(
        labels.len() == 1,
        "box 1's label reached the printer: {}",
        labels.len()
    );
    ensure!(String::from_utf8_lossy(&labels[0]).contains(&reference));
    shot(w, "05-box1-closed").await?;

    // Box 2: lines 8-14 by command barcode, an over-pack confirmed with a reason, undone.
    scan(w, &["*NEW-BOX*"]).await?;
    w.find("[data-testid=new-box-dialog]").await?;
    w.find("[data-testid=container-BOX-L]")
        .await?
        .click()
        .await?;
    for r in &lines[7..14] {
        let codes: Vec<&str> = (0..r.expected).map(|_| r.sku.as_str()).collect();
        scan(w, &codes).await?;
        wait_packed(w, &r.sku, r.expected).await?;
    }
    let extra = &lines[7];
    scan(w, &[&extra.sku]).await?;
    w.find("[data-testid=reason-dialog]").await?;
    wait_feedback(w, "unexpected", "More than expected").await?;
    let reason = w.find("[data-testid=reason-input]").await?;
    reason.click().await?;
    reason.send_keys("Customer asked for a spare").await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    shot(w, "06-overpack-reason").await?;
    w.find("[data-testid=reason-confirm]")
        .await?
        .click()
        .await?;
    let over = wait_packed(w, &extra.sku, extra.expected + 1).await?;
    ensure!(over.state == "over", "{:?} != {:?}", over.state, "over");
    shot(w, "07-overpack-confirmed").await?;
    press(w, "z", true).await?;
    let back = wait_packed(w, &extra.sku, extra.expected).await?;
    ensure!(
        back.state == "complete",
        "{:?} != {:?}",
        back.state,
        "complete"
    );
    wait_feedback(w, "info", "Undone").await?;
    shot(w, "08-undo").await?;
    close_box_on_scale(w, bench, 2, -60, Close::Scan).await?;

    // Box 3: the rest with the quantity key (F7, type the count, scan once).
    press(w, "F2", false).await?;
    w.find("[data-testid=container-BOX-M]")
        .await?
        .click()
        .await?;
    let mut shown_quantity = false;
    for (i, r) in lines[14..].iter().enumerate() {
        if r.expected > 1 && i % 2 == 0 {
            press(w, "F7", false).await?;
            let q = w.find("[data-testid=quantity]").await?;
            q.send_keys(&r.expected.to_string()).await?;
            tokio::time::sleep(Duration::from_millis(120)).await;
            if !shown_quantity {
                shot(w, "09-quantity-key").await?;
                shown_quantity = true;
            }
            scan(w, &[&r.sku]).await?;
        } else {
            let codes: Vec<&str> = (0..r.expected).map(|_| r.sku.as_str()).collect();
            scan(w, &codes).await?;
        }
        wait_packed(w, &r.sku, r.expected).await?;
    }
    let all = rows(w).await?;
    ensure!(all.iter().all(|r| r.packed == r.expected), "{all:?}");
    ensure!(all.iter().all(|r| !r.next), "nothing left to pick");
    close_box_on_scale(w, bench, 3, 0, Close::Key).await?;
    let labels = bench.printer.wait_for_jobs(3, Duration::from_secs(10));
    ensure!(
        labels.len() == 3,
        "{} print jobs, expected 3 box labels: {:?}",
        labels.len(),
        labels
            .iter()
            .map(|j| String::from_utf8_lossy(&j[..j.len().min(120)]).into_owned())
            .collect::<Vec<_>>()
    );
    w.wait_count("[data-testid=closed-box]", 3).await?;
    shot(w, "10-three-boxes").await?;

    // Send, scanner-only: *SEND* opens the dialog, *SEND* again sends (nothing is short).
    scan(w, &["*SEND*"]).await?;
    w.find("[data-testid=send-dialog]").await?;
    shot(w, "11-send").await?;
    scan(w, &["*SEND*"]).await?;
    let status = w.find("[data-testid=sent-status]").await?.text().await?;
    ensure!(status.contains("sent"), "{status}");
    shot(w, "12-sent").await?;

    // Lightspeed: an OUTLET consignment named by the reference, SENT, with the packed counts.
    let ls = lightspeed(&lightspeed_url(w.data_dir.path())?).await?;
    let want: BTreeMap<String, i64> = all.iter().map(|r| (r.sku.clone(), r.expected)).collect();
    let c = until("the transfer at Lightspeed, sent", || async {
        let found = ls.find_consignments_by_name(&reference).await?;
        Ok(found
            .into_iter()
            .find(|c| c.status == LsConsignmentStatus::Sent))
    })
    .await?;
    ensure!(
        c.kind == LsConsignmentType::Outlet,
        "{:?} != {:?}",
        c.kind,
        LsConsignmentType::Outlet
    );
    let ls_lines = ls.consignment_lines(&c.id).await?;
    ensure!(ls_lines.len() == 20, "{:?} != {:?}", ls_lines.len(), 20);
    let total: Decimal = ls_lines.iter().map(|l| l.count).sum();
    ensure!(
        total == Decimal::from(want.values().sum::<i64>()),
        "{:?} != {:?}",
        total,
        Decimal::from(want.values().sum::<i64>())
    );
    // Line by line: each product's count at Lightspeed is what was packed of it (the
    // station's catalog maps SKUs to Lightspeed product ids).
    let store = tally_store::Store::open(w.data_dir.path().join("demo/station/tally.sqlite3"))?;
    let mut got: BTreeMap<String, i64> = BTreeMap::new();
    for sku in want.keys() {
        let hit = store
            .lookup_code(sku)?
            .with_context(|| format!("{sku} is in the station's catalog"))?;
        let ls_id = store
            .product(hit.product_id)?
            .lightspeed_id
            .unwrap_or_else(|| hit.product_id.to_string());
        let line = ls_lines
            .iter()
            .find(|l| l.product_id == ls_id)
            .with_context(|| format!("{sku} is on the Lightspeed consignment"))?;
        got.insert(sku.clone(), line.count.trunc().try_into().unwrap_or(-1));
    }
    ensure!(
        got == want,
        "each line's count is what was packed: {got:?} vs {want:?}"
    );

    // The sync indicator shows everything reached the hub, nothing refused.
    until("the sync indicator to show nothing to send", || async {
        let s = w.find("[data-testid=sync-pending]").await?.text().await?;
        Ok(s.trim().starts_with("0 to send").then_some(()))
    })
    .await?;
    ensure!(w.find_all("[data-testid=sync-attention]").await?.is_empty());
    // ... and the screen says when Lightspeed has it too.
    until("the packing screen to show the transfer at Lightspeed", || async {
        let state = w
            .client
            .execute(
                "return document.querySelector('[data-testid=lightspeed-state]')?.dataset.state ?? ''",
                vec![],
            )
            .await?;
        Ok((state == serde_json::json!("done")).then_some(()))
    })
    .await?;
    w.find("[data-testid=sent-back]").await?.click().await?;
    w.wait_count("[data-testid=consignment-row]", 1).await?;
    shot(w, "13-synced").await?;
    Ok(())
}
