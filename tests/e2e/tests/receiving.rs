//! Issue 11 in the real window on the embedded demo: receive the demo's sent purchase
//! order in two sessions (one line scanned with the wedge, one typed, one short with a
//! reason, one damaged with a photo from a file, the rest "receive all"), a signature
//! drawn with WebDriver pointer actions at each session, the driver's too at the end;
//! then the fake Lightspeed holds the received counts (damaged units are not stock) and
//! the order is RECEIVED, once. The report PDF is rendered to PNG and its barcode read.
//! Screenshots and the report render land in test-output/e2e/.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::Value;
use tally_e2e::{output_dir, Window};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purchase_order_is_received_in_two_signed_sessions_and_reaches_lightspeed() -> Result<()>
{
    // WebDriver types faster than a person but not always as fast as a scanner: give
    // this station a wider scanner gap, as a slow wedge would need.
    let cfg_dir = tempfile::tempdir()?;
    let cfg = cfg_dir.path().join("tally.toml");
    std::fs::write(&cfg, "[scanner]\nmax_gap_ms = 250\n")?;
    let w = Window::start(&["--demo", "--config", &cfg.display().to_string()]).await?;
    let result = run(&w, cfg_dir.path()).await;
    if result.is_err() {
        let _ = w.screenshot("receiving-99-failure").await;
    }
    w.close().await?;
    result
}

/// The fake Lightspeed running inside the app's demo, reached over loopback.
struct Lightspeed {
    http: reqwest::Client,
    root: String,
    token: String,
}

impl Lightspeed {
    /// Finds the fake's address in the app's log and takes an access token.
    async fn connect(data_dir: &Path) -> Result<Self> {
        let addr = fake_address(&data_dir.join("logs"))?;
        let root = format!("http://{addr}");
        let http = reqwest::Client::new();
        let rt: Value = http
            .post(format!("{root}/__admin/refresh-token"))
            .send()
            .await?
            .json()
            .await?;
        let fake = tally_testkit::lightspeed::FakeConfig::default();
        let form = [
            ("grant_type", "refresh_token"),
            (
                "refresh_token",
                rt["refresh_token"].as_str().unwrap_or_default(),
            ),
            ("client_id", fake.client_id.as_str()),
            ("client_secret", fake.client_secret.as_str()),
        ];
        let tok: Value = http
            .post(format!("{root}/api/1.0/token"))
            .form(&form)
            .send()
            .await?
            .json()
            .await?;
        let token = tok["access_token"]
            .as_str()
            .context("no access token from the fake")?
            .to_string();
        Ok(Self { http, root, token })
    }

    async fn get(&self, path: &str) -> Result<Value> {
        let r = self
            .http
            .get(format!("{}/api/2.0{path}", self.root))
            .bearer_auth(&self.token)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("GET {path}: HTTP {}", r.status());
        }
        Ok(r.json().await?)
    }

    /// The first barcode of a product.
    async fn barcode(&self, product_id: &str) -> Result<String> {
        let p = self.get(&format!("/products/{product_id}")).await?;
        p["data"]["product_codes"]
            .as_array()
            .and_then(|c| c.first())
            .and_then(|c| c["code"].as_str())
            .map(str::to_string)
            .context("product without a barcode")
    }

    /// Live consignments named with this Tally reference (the hub keeps its own marker
    /// in `reference`), walking the version cursor.
    async fn consignments_named(&self, name: &str) -> Result<Vec<Value>> {
        let mut after = 0u64;
        let mut out = Vec::new();
        loop {
            let page = self.get(&format!("/consignments?after={after}")).await?;
            let items = page["data"].as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                return Ok(out);
            }
            after = page["version"]["max"].as_u64().unwrap_or(u64::MAX);
            out.extend(
                items
                    .into_iter()
                    .filter(|c| c["name"] == name && c["deleted_at"].is_null()),
            );
            if after == u64::MAX {
                return Ok(out);
            }
        }
    }

    /// `product_id → received` of a consignment's lines.
    async fn received(&self, consignment_id: &str) -> Result<Vec<(String, String)>> {
        let lines = self
            .get(&format!("/consignments/{consignment_id}/products"))
            .await?;
        Ok(lines["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|l| {
                (
                    l["product_id"].as_str().unwrap_or_default().to_string(),
                    match &l["received"] {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => String::new(),
                    },
                )
            })
            .collect())
    }
}

/// `addr` of the "fake Lightspeed listening" line in the app's JSON log.
fn fake_address(logs: &Path) -> Result<String> {
    for entry in std::fs::read_dir(logs).with_context(|| format!("reading {}", logs.display()))? {
        let text = std::fs::read_to_string(entry?.path())?;
        for line in text.lines() {
            if !line.contains("fake Lightspeed listening") {
                continue;
            }
            let v: Value = serde_json::from_str(line)?;
            if let Some(a) = v["fields"]["addr"].as_str().or(v["addr"].as_str()) {
                return Ok(a.to_string());
            }
        }
    }
    bail!("the app's log does not say where the fake Lightspeed listens")
}

/// A phone-like photo file to attach (the camera is not available under Xvfb).
fn photo_file(dir: &Path) -> Result<PathBuf> {
    let img = image::RgbImage::from_fn(640, 480, |x, y| {
        if (x / 40 + y / 40) % 2 == 0 {
            image::Rgb([190, 40, 40])
        } else {
            image::Rgb([240, 220, 200])
        }
    });
    let path = dir.join("damaged-carton.jpg");
    img.save(&path)?;
    Ok(path)
}

fn is_in(s: &str, want: &str) -> bool {
    s.contains(want)
}

async fn text(w: &Window, css: &str) -> Result<String> {
    Ok(w.find(css).await?.text().await?)
}

/// Waits until the text at `css` satisfies `ok`.
async fn wait_text(w: &Window, css: &str, ok: impl Fn(&str) -> bool) -> Result<String> {
    let start = Instant::now();
    loop {
        if let Ok(el) = w.client.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                if ok(&t) {
                    return Ok(t);
                }
                if start.elapsed() > Duration::from_secs(20) {
                    bail!("`{css}` still says {t:?}");
                }
            }
        } else if start.elapsed() > Duration::from_secs(20) {
            bail!("`{css}` not found");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until nothing matches `css`.
async fn wait_gone(w: &Window, css: &str) -> Result<()> {
    let start = Instant::now();
    while !w.find_all(css).await?.is_empty() {
        if start.elapsed() > Duration::from_secs(20) {
            bail!("`{css}` did not go away");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// A scan from the keyboard wedge: the code's keys and Enter in one fast burst.
async fn scan(w: &Window, code: &str) -> Result<()> {
    let mut keys = KeyActions::new("wedge".into());
    for c in code.chars().chain(std::iter::once(char::from(Key::Enter))) {
        keys = keys
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c });
    }
    w.client.perform_actions(keys).await?;
    w.client.release_actions().await?;
    Ok(())
}

/// Draws a signature on a pad with mouse pointer actions: a wave and a cross stroke.
async fn sign(w: &Window, pad: &Element) -> Result<()> {
    let mut m = MouseActions::new("pen".into()).then(PointerAction::MoveToElement {
        element: pad.clone(),
        duration: None,
        x: -180.0,
        y: 10.0,
    });
    m = m.then(PointerAction::Down {
        button: MOUSE_BUTTON_LEFT,
    });
    for i in 0..24 {
        let dy = if i % 4 < 2 { -14.0 } else { 14.0 };
        m = m.then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(12)),
            x: 14.0,
            y: dy,
        });
    }
    m = m
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveToElement {
            element: pad.clone(),
            duration: None,
            x: -120.0,
            y: -40.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(60)),
            x: 200.0,
            y: 60.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    w.client.perform_actions(m).await?;
    w.client.release_actions().await?;
    Ok(())
}

/// The row of a product on the receiving screen.
fn row(product_id: &str) -> String {
    format!("[data-testid=receiving-line][data-product-id='{product_id}']")
}

/// Types a count into a row's "this session" field and confirms with Enter.
async fn type_count(w: &Window, product_id: &str, n: &str) -> Result<()> {
    let input = w
        .find(&format!("{} [data-testid=count-input]", row(product_id)))
        .await?;
    input.click().await?;
    input.clear().await?;
    input.send_keys(n).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    input.send_keys(&char::from(Key::Enter).to_string()).await?;
    Ok(())
}

async fn received_of(w: &Window, product_id: &str) -> Result<String> {
    text(
        w,
        &format!("{} [data-testid=line-received]", row(product_id)),
    )
    .await
}

async fn wait_received(w: &Window, product_id: &str, want: &str) -> Result<()> {
    wait_text(
        w,
        &format!("{} [data-testid=line-received]", row(product_id)),
        |t| t == want,
    )
    .await
    .map(|_| ())
}

async fn select(w: &Window, product_id: &str) -> Result<()> {
    w.find(&format!("{} .name", row(product_id)))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn run(w: &Window, scratch: &Path) -> Result<()> {
    // Sign in as the outlet's staff member (demo PIN 1111).
    w.sign_in_as("Staff", "1111").await?;

    // The sent purchase order opens on the receiving screen.
    w.wait_count("[data-testid=consignment-row]", 6).await?;
    let po = w
        .find("[data-testid=consignment-row][data-kind=purchase_order][data-status=sent] [data-testid=open-consignment]")
        .await?;
    let reference = po.text().await?;
    po.click().await?;
    w.find("[data-testid=receiving-screen]").await?;
    let rows = w.wait_count("[data-testid=receiving-line]", 5).await?;
    let mut products = Vec::new();
    for r in &rows {
        products.push(
            r.attr("data-product-id")
                .await?
                .context("row has a product id")?,
        );
    }
    assert_eq!(
        text(w, "[data-testid=receiving-reference]").await?,
        reference
    );
    w.screenshot("receiving-01-sent-order").await?;

    let ls = Lightspeed::connect(w.data_dir.path()).await?;
    let code = ls.barcode(&products[0]).await?;

    // Session 1: six of the first line scanned with the wedge, four of the second typed.
    w.find("[data-testid=start-session]").await?.click().await?;
    w.wait_count("[data-testid=count-input]", 5).await?;
    w.find("[data-testid=receiving-reference]")
        .await?
        .click()
        .await?;
    for n in 1..=6 {
        scan(w, &code).await?;
        wait_received(w, &products[0], &n.to_string()).await?;
    }
    let fb = text(w, "[data-testid=scan-feedback]").await?;
    assert!(
        is_in(&fb, "all 6 in"),
        "feedback after the sixth scan: {fb}"
    );
    type_count(w, &products[1], "4").await?;
    wait_received(w, &products[1], "4").await?;
    w.screenshot("receiving-02-session-one-counted").await?;

    w.find("[data-testid=finish-session]")
        .await?
        .click()
        .await?;
    let pad = w.find("[data-testid=signature-pad]").await?;
    // Signing nothing is refused before anything is sent.
    w.find("[data-testid=finish-submit]").await?.click().await?;
    let err = text(w, "[data-testid=finish-error]").await?;
    assert!(is_in(&err, "Sign"), "empty pad refused: {err}");
    sign(w, &pad).await?;
    wait_text(w, "[data-testid=signature-pad-state]", |t| {
        is_in(t, "Signed")
    })
    .await?;
    w.screenshot("receiving-03-signature").await?;
    w.find("[data-testid=finish-submit]").await?.click().await?;
    wait_gone(w, "[data-testid=finish-dialog]").await?;
    wait_text(w, "[data-testid=start-session]", |t| is_in(t, "session 2")).await?;
    assert_eq!(
        text(w, "[data-testid=receiving-status]").await?,
        "Receiving"
    );
    w.screenshot("receiving-04-session-one-signed").await?;

    // Session 2: the second line's last two, a short line, a damaged one with a photo.
    w.find("[data-testid=start-session]").await?.click().await?;
    w.wait_count("[data-testid=count-input]", 5).await?;
    type_count(w, &products[1], "2").await?;
    wait_received(w, &products[1], "6").await?;
    type_count(w, &products[2], "5").await?;
    wait_received(w, &products[2], "5").await?;
    select(w, &products[2]).await?;
    w.find("[data-testid=reason-short]").await?.click().await?;
    wait_text(w, &format!("{} .notes", row(&products[2])), |t| {
        is_in(t, "Short")
    })
    .await?;

    type_count(w, &products[3], "6").await?;
    wait_received(w, &products[3], "6").await?;
    select(w, &products[3]).await?;
    let damaged = w.find("[data-testid=damaged-input]").await?;
    damaged.click().await?;
    damaged.clear().await?;
    damaged.send_keys("1").await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    damaged.send_keys(&char::from(Key::Tab).to_string()).await?;
    wait_text(w, &format!("{} .notes", row(&products[3])), |t| {
        is_in(t, "1 damaged")
    })
    .await?;
    w.find("[data-testid=reason-damaged]")
        .await?
        .click()
        .await?;
    // The camera: under Xvfb there is none, and the screen says what to do instead.
    w.find("[data-testid=photo-camera]").await?.click().await?;
    let camera = wait_text(w, "[data-testid=photo-error]", |t| !t.is_empty()).await;
    w.client
        .execute(
            "document.querySelector('[data-testid=photo-error]')?.scrollIntoView()",
            vec![],
        )
        .await?;
    w.screenshot("receiving-05-camera-unavailable").await?;
    if let Ok(msg) = &camera {
        assert!(
            is_in(msg, "file"),
            "camera message offers the file picker: {msg}"
        );
    }
    let photo = photo_file(scratch)?;
    w.find("[data-testid=photo-input]")
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    w.wait_count("[data-testid=photo-thumbs] img", 1).await?;
    wait_text(w, &format!("{} .notes", row(&products[3])), |t| {
        is_in(t, "1 photo")
    })
    .await?;

    w.find("[data-testid=receive-all]").await?.click().await?;
    wait_received(w, &products[4], "6").await?;
    assert_eq!(
        received_of(w, &products[2]).await?,
        "5",
        "an explained short line keeps its count"
    );
    w.screenshot("receiving-06-session-two-with-variances")
        .await?;

    // Close the receipt: the receiver and the driver sign.
    w.find("[data-testid=close-receipt]").await?.click().await?;
    let pad = w.find("[data-testid=signature-pad]").await?;
    sign(w, &pad).await?;
    w.find("[data-testid=driver-toggle]").await?.click().await?;
    w.find("[data-testid=driver-name]")
        .await?
        .send_keys("Courier Driver")
        .await?;
    let driver_pad = w.find("[data-testid=driver-pad]").await?;
    sign(w, &driver_pad).await?;
    wait_text(w, "[data-testid=driver-pad-state]", |t| is_in(t, "Signed")).await?;
    w.screenshot("receiving-07-close-signatures").await?;
    w.find("[data-testid=finish-submit]").await?.click().await?;
    wait_gone(w, "[data-testid=finish-dialog]").await?;
    wait_text(w, "[data-testid=receiving-status]", |t| t == "Received").await?;
    assert_eq!(text(w, "[data-testid=total-received]").await?, "29");
    w.screenshot("receiving-08-received").await?;

    // The report: saved, rendered, its barcode read back.
    w.find("[data-testid=print-report]").await?.click().await?;
    let path = wait_text(w, "[data-testid=report-path]", |t| is_in(t, ".pdf")).await?;
    let pdf = PathBuf::from(path.trim_start_matches("Report saved:").trim());
    let png = output_dir().join("receiving-report");
    let st = Command::new("pdftoppm")
        .args(["-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .status()
        .context("pdftoppm (poppler-utils) renders the report")?;
    assert!(st.success());
    let out = Command::new("zbarimg")
        .arg("-q")
        .arg(png.with_extension("png"))
        .output()
        .context("zbarimg (zbar-tools) reads the report's barcode")?;
    let codes = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(codes.trim(), format!("CODE-128:{reference}"));
    w.screenshot("receiving-09-report-saved").await?;
    // The same screen on a 1920×1080 bench monitor.
    w.client.set_window_size(1920, 1080).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    w.screenshot("receiving-10-received-1920x1080").await?;
    w.client.set_window_size(1280, 800).await?;

    // Lightspeed: the order received once, damaged units not counted as stock.
    let want: Vec<(String, String)> = products
        .iter()
        .zip(["6", "6", "5", "5", "6"])
        .map(|(p, n)| (p.clone(), n.to_string()))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let found = ls.consignments_named(&reference).await?;
        if let [c] = found.as_slice() {
            if c["status"] == "RECEIVED" {
                let id = c["id"].as_str().unwrap_or_default();
                let mut got = ls.received(id).await?;
                got.retain(|(p, _)| products.contains(p));
                let mut want = want.clone();
                got.sort();
                want.sort();
                // Lightspeed sends quantities as decimal strings ("6" or "6.00000").
                let norm = |v: Vec<(String, String)>| {
                    v.into_iter()
                        .map(|(p, n)| (p, n.parse::<f64>().unwrap_or(f64::NAN).to_string()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(norm(got), norm(want), "received counts in Lightspeed");
                break;
            }
        }
        assert!(
            found.len() <= 1,
            "one Lightspeed consignment, found {}",
            found.len()
        );
        if Instant::now() > deadline {
            bail!("Lightspeed never showed {reference} as RECEIVED: {found:?}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // The evidence at the hub by content hash: the photo and the signature images,
    // byte for byte under their SHA-256.
    let demo = w.data_dir.path().join("demo");
    let evidence = tally_store::EvidenceStore::open(demo.join("station").join("evidence"))?;
    let local = evidence.hashes()?;
    ensure!(
        local.len() >= 3,
        "a photo and two signatures are kept at the station: {local:?}"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    for hash in &local {
        let at_hub = demo.join("hub").join("evidence").join(hash.as_str());
        while !at_hub.is_file() {
            if Instant::now() > deadline {
                bail!("evidence {hash} never reached the hub");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let bytes = std::fs::read(&at_hub)?;
        ensure!(bytes == evidence.get(hash)?, "{hash} differs at the hub");
        ensure!(
            tally_store::ContentHash::of(&bytes) == *hash,
            "{hash} does not match its bytes"
        );
    }
    Ok(())
}
