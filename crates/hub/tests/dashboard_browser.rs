//! The admin dashboard in a real browser (headless Chromium over WebDriver): sign
//! in, see a realistic sync state, retry a dead letter and watch it leave the
//! list. Screenshots go to `test-output/hub/` at the workspace root.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`CHROMEDRIVER` overrides
//! `/usr/bin/chromedriver`, `CHROMIUM` overrides `/usr/bin/chromium`).

mod support;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use support::edges::*;
use support::until;
use tally_hub::edges::{BudgetReading, RateBudgetGauge};
use tally_hub::ls::memory::{Fault, MemoryLightspeed};
use tally_hub::ls::LsFailure;
use uuid::Uuid;

const LS_400: &str = r#"{"error":"Bad Request","message":"source_outlet_id and outlet_id must differ","field":"source_outlet_id"}"#;

/// A chromedriver we started; killed (by its own pid) when dropped.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver() -> Driver {
    let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    assert!(
        std::path::Path::new(&path).exists(),
        "chromedriver not found at {path}: install Debian's chromium and chromium-driver (or set CHROMEDRIVER)"
    );
    let port = free_port();
    let child = Command::new(&path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    let driver = Driver {
        child,
        url,
        _profile: tempfile::tempdir().unwrap(),
    };
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(format!("{}/status", driver.url)).await {
            if r.status().is_success() {
                return driver;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not answer on {}", driver.url);
}

async fn browser(driver: &Driver) -> Client {
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": binary,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,1500",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ]
        }),
    );
    ClientBuilder::native()
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session")
}

fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-output/hub");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the Lightspeed client would report of its budget (the in-memory double
/// has none).
struct Budget;

impl RateBudgetGauge for Budget {
    fn reading(&self) -> Option<BudgetReading> {
        Some(BudgetReading {
            limit: Some(950),
            remaining: Some(812),
        })
    }
}

/// A hub with sagas synced, two queued behind Lightspeed 503s, one dead-lettered
/// with Lightspeed's 400 body, and webhook traffic (new, duplicate, forged).
async fn demo_state() -> (Edge, Arc<MemoryLightspeed>, Uuid) {
    let ls = Arc::new(MemoryLightspeed::new());
    let e = Edge::start_with(
        |c| {
            c.worker.idle_ms = 20;
            c.admin.refresh_seconds = 2;
            // Failed attempts wait two minutes: they stay queued for the picture.
            c.worker.backoff_base_ms = 120_000;
            c.worker.backoff_max_ms = 300_000;
        },
        ls.clone(),
    )
    .await;
    e.hub().edges().set_rate_budget(Arc::new(Budget));
    ls.push_fault(
        "create",
        Fault::Before(LsFailure::Rejected {
            status: 400,
            body: LS_400.into(),
        }),
    );
    let dead = e.push_transfer(1, "TR-PON-202611-000117-42").await;
    until("the first transfer is dead-lettered", async || {
        e.is_dead(dead).await
    })
    .await;
    for (seq, r) in [
        (2, "TR-PON-202611-000118-15"),
        (3, "TR-PON-202611-000119-85"),
        (4, "TR-PON-202611-000120-11"),
    ] {
        e.push_transfer(seq, r).await;
    }
    until("the good ones reach Lightspeed", async || {
        e.hub().pending_sagas().await.unwrap().is_empty()
    })
    .await;
    for _ in 0..2 {
        ls.push_fault(
            "create",
            Fault::Before(LsFailure::Retryable {
                message: "HTTP 503 from Lightspeed".into(),
                retry_after: None,
                rate_limited: false,
            }),
        );
    }
    let q1 = e.push_transfer(5, "TR-PON-202611-000121-78").await;
    let q2 = e.push_transfer(6, "TR-PON-202611-000122-51").await;
    until("two sagas wait after a 503", async || {
        let p = e.hub().pending_sagas().await.unwrap();
        [q1, q2]
            .iter()
            .all(|id| p.iter().any(|s| s.consignment_id == *id && s.attempts > 0))
    })
    .await;
    for (kind, payload) in [
        (
            "consignment.send",
            json!({"id": "7f9c0d2e-ls", "type": "OUTLET", "status": "SENT", "version": 8812}),
        ),
        (
            "product.update",
            json!({"id": "p1", "sku": "SKU1", "version": 8813}),
        ),
        (
            "product.update",
            json!({"id": "p1", "sku": "SKU1", "version": 8814}),
        ),
        (
            "inventory.update",
            json!({"id": "inv-1", "product_id": "p1", "outlet_id": "out-a", "count": "4"}),
        ),
    ] {
        let body = webhook_body(kind, &payload);
        e.webhook(body.clone(), signed(&body)).await;
        if kind == "consignment.send" {
            e.webhook(body.clone(), signed(&body)).await;
            e.webhook(body, signed(b"forged")).await;
        }
    }
    // Ponsonby's station has 3 changes not yet sent and 1 refused.
    e.report_backlog(3, 1).await;
    (e, ls, dead)
}

async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let path = shots().join(name);
    std::fs::write(&path, c.screenshot().await.unwrap()).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_the_sync_state_and_retry_requeues_a_dead_letter() {
    let (e, _ls, dead) = demo_state().await;
    let driver = start_driver().await;
    let c = browser(&driver).await;

    c.goto(&e.url("/admin")).await.unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/admin/login", "signed out: sent to sign in");
    screenshot(&c, "login.png").await;
    c.find(Locator::Css("#name"))
        .await
        .unwrap()
        .send_keys(ADMIN)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(password())
        .await
        .unwrap();
    c.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#queue-depth"))
        .await
        .unwrap();

    let text = |css: &'static str| {
        let c = c.clone();
        async move {
            c.find(Locator::Css(css))
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert_eq!(text("#queue-depth").await, "2");
    assert_eq!(text("#dead-count").await, "1");
    assert_eq!(text("#budget").await, "812");
    assert_eq!(text("#hooks-received").await, "5", "4 new + 1 duplicate");
    assert_eq!(text("#hooks-duplicates").await, "1");
    assert!(text("#hooks-rejected").await.starts_with('1'));
    assert_ne!(text("#p95").await, "—", "attempts were timed");
    assert_ne!(text("#p50").await, "—");
    assert_ne!(
        text("#oldest").await,
        "—",
        "the oldest waiting saga has an age"
    );
    // One creation was refused and two met a 503: some attempts failed, some succeeded.
    let rate: f64 = text("#success-rate")
        .await
        .trim_end_matches(" %")
        .trim_end_matches('%')
        .trim()
        .parse()
        .unwrap();
    assert!(rate > 0.0 && rate < 100.0, "success rate {rate}");
    let outlets = text("#outlets").await;
    // Seconds ago (a loaded machine can take more than the 5 s "just now" allows).
    assert!(
        outlets.contains("just now") || outlets.contains(" s ago"),
        "Ponsonby's last contact: {outlets}"
    );
    let backlog = c
        .execute(
            "const r = [...document.querySelectorAll('#outlets tbody tr')]
                 .find((r) => r.textContent.includes('Ponsonby'));
             return [r.querySelector('.station-waiting').textContent.trim(),
                     r.querySelector('.station-attention').textContent.trim()];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        backlog,
        json!(["3", "1"]),
        "what Ponsonby's station reported"
    );
    let dead_row = format!("tr[data-consignment=\"{dead}\"]");
    let row = c
        .find(Locator::Css(&dead_row))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(row.contains("TR-PON-202611-000117-42"), "{row}");
    assert!(
        row.contains("source_outlet_id and outlet_id must differ"),
        "Lightspeed's body shown: {row}"
    );
    assert!(text("#outlets").await.contains("Ponsonby"));
    let shot = screenshot(&c, "dashboard.png").await;

    // Retry: the saga is re-queued; the worker runs it again and, Lightspeed now
    // accepting it, it leaves the dead-letter list.
    c.find(Locator::Css(&format!("{dead_row} button.retry")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(".alert.ok"))
        .await
        .unwrap();
    assert!(text(".alert.ok").await.contains("Put back in the queue"));
    until("the retried saga is no longer dead", async || {
        !e.is_dead(dead).await
    })
    .await;
    assert!(
        c.find(Locator::Css(&dead_row)).await.is_err(),
        "the row left the list"
    );
    until(
        "the worker sends the retried saga to Lightspeed",
        async || !e.is_dead(dead).await && !e.is_pending(dead).await,
    )
    .await;
    // No reload: the page's own refresh (refresh.js under the strict CSP) swaps
    // the live part in, which carries no one-off notice and the new queue depth.
    let mut refreshed = false;
    for _ in 0..40 {
        if c.find(Locator::Css(".alert.ok")).await.is_err() {
            refreshed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(refreshed, "the dashboard refreshed itself");
    assert_eq!(
        text("#queue-depth").await,
        "2",
        "only the two 503 sagas wait"
    );
    assert_eq!(
        c.current_url().await.unwrap().query(),
        None,
        "the notice is not kept in the address"
    );
    assert_eq!(text("#dead-count").await, "0");
    screenshot(&c, "dashboard-after-retry.png").await;
    c.close().await.unwrap();
    eprintln!("screenshots in {}", shot.parent().unwrap().display());
}
