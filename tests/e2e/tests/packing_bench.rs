//! Bench (not a test of speed: it prints figures): time from a scan arriving at the real
//! window to the pick list showing it, p50/p99, against a floor measured in the same run
//! (one bare IPC round trip to the app). Each cycle is a scan (keyboard-wedge burst →
//! wedge → command → durable store write → pick-list row updated) and an undo (Ctrl+Z),
//! so the line never over-packs. Run it on demand:
//!
//! ```text
//! xvfb-run -a -s "-screen 0 1280x800x24" cargo test -p tally-e2e --test packing_bench -- --ignored --nocapture
//! ```
//! `TALLY_BENCH_CYCLES` sets the number of cycles (default 100).

use std::time::Duration;

use anyhow::{ensure, Context, Result};
use tally_e2e::Window;

mod packing_support;
use packing_support as common;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(name: &str, mut v: Vec<f64>, floor_p50: f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    let (p50, p99) = (percentile(&v, 0.5), percentile(&v, 0.99));
    println!(
        "{name:<34} n={:<4} p50={p50:>7.1} ms  p99={p99:>7.1} ms  max={:>7.1} ms  p50/floor={:>5.1}x",
        v.len(),
        v.last().copied().unwrap_or(f64::NAN),
        p50 / floor_p50
    );
}

/// One batch in the page: `n` scan+undo cycles on `sku`, each timed from the first key of
/// the scan to the row's packed count changing (MutationObserver), and `n` bare IPC round
/// trips for the floor.
const BATCH: &str = r#"
const [sku, n] = arguments;
const done = arguments[arguments.length - 1];
const row = () => document.querySelector(`[data-testid=pick-row][data-sku="${CSS.escape(sku)}"]`);
const packed = () => Number(row().dataset.packed);
const changed = (from) => new Promise((resolve) => {
  let over = false;
  const finish = (t) => { if (!over) { over = true; obs.disconnect(); clearTimeout(timer); resolve(t); } };
  const check = () => { if (packed() !== from) finish(performance.now()); };
  const obs = new MutationObserver(check);
  const timer = setTimeout(() => finish(NaN), 10000);
  obs.observe(document.querySelector('[data-testid=pick-list]'), { attributes: true, subtree: true, childList: true });
  check();
});
const ipcOnce = () => Promise.race([
  window.__TAURI_INTERNALS__.invoke("packing_live_weight", {}),
  new Promise((resolve) => setTimeout(resolve, 5000)),
]);
(async () => {
  const scans = [], undos = [], ipc = [];
  for (let i = 0; i < n; i++) {
    let before = packed();
    let t0 = performance.now();
    for (const key of [...sku, "Enter"]) {
      document.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
    }
    scans.push((await changed(before)) - t0);
    before = packed();
    t0 = performance.now();
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "z", ctrlKey: true, bubbles: true, cancelable: true }));
    undos.push((await changed(before)) - t0);
    t0 = performance.now();
    await ipcOnce();
    ipc.push(performance.now() - t0);
  }
  done([scans, undos, ipc]);
})();
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it with --ignored --nocapture"]
async fn scan_to_pick_list_in_the_real_window() -> Result<()> {
    let _bench = common::start_bench()?;
    let w = Window::start(&["--demo"]).await?;
    let result = run(&w).await;
    w.close().await?;
    result
}

async fn run(w: &Window) -> Result<()> {
    common::sign_in(w).await?;
    common::open_transfer(w, "20").await?;
    let line = common::rows(w)
        .await?
        .into_iter()
        .next()
        .context("a line")?;
    let cycles: usize = std::env::var("TALLY_BENCH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    w.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(300)),
            None,
            None,
        ))
        .await?;
    // Warm up: the first scan starts packing (a status change) and opens a box.
    common::scan(w, &[&line.sku]).await?;
    common::wait_packed(w, &line.sku, 1).await?;
    common::press(w, "z", true).await?;
    common::wait_packed(w, &line.sku, 0).await?;

    let (mut scans, mut undos, mut ipc) = (Vec::new(), Vec::new(), Vec::new());
    let mut left = cycles;
    while left > 0 {
        let n = left.min(25);
        let v = w
            .client
            .execute_async(
                BATCH,
                vec![serde_json::json!(line.sku), serde_json::json!(n)],
            )
            .await?;
        let col = |i: usize| -> Vec<f64> {
            v[i].as_array()
                .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
                .unwrap_or_default()
        };
        scans.extend(col(0));
        undos.extend(col(1));
        ipc.extend(col(2));
        left -= n;
    }
    ensure!(
        scans.len() == cycles,
        "every scan showed ({} of {cycles})",
        scans.len()
    );
    let mut floor = ipc.clone();
    floor.sort_by(|a, b| a.total_cmp(b));
    let floor_p50 = percentile(&floor, 0.5);
    println!("\nscan → pick list in the real window ({cycles} cycles; floor = one IPC round trip)");
    summary("floor: bare IPC round trip", ipc, floor_p50);
    summary("scan → row shows it", scans, floor_p50);
    summary("undo (Ctrl+Z) → row shows it", undos, floor_p50);
    Ok(())
}
