//! Issue 9's device settings screen in the real window: open Devices from the header, pick
//! the simulated MT-SICS scale (on a pseudo-terminal) and the simulated network ZPL printer,
//! save, watch the live weight follow the scale (steady, in motion, steady again), print a
//! test label and see its ZPL arrive at the printer, ask the printer's status.
//! Screenshots land in test-output/e2e/devices-*.png.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use rust_decimal::Decimal;
use tally_e2e::Window;
use tally_testkit::devices::{SerialScaleSim, SimProtocol, ZplPrinterSim};

/// The simulators and the (empty) settings file the app starts with.
struct Bench {
    scale: SerialScaleSim,
    printer: ZplPrinterSim,
    file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn start_bench() -> Result<Bench> {
    let scale = SerialScaleSim::start(SimProtocol::MtSics)?;
    scale.set_weight_grams(Decimal::from(1500));
    let printer = ZplPrinterSim::start()?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("devices.json");
    // Nothing chosen yet: the test chooses on the screen. The app saves back into this file.
    std::fs::write(&file, "{}")?;
    std::env::set_var("TALLY_DEVICES", &file);
    Ok(Bench {
        scale,
        printer,
        file,
        _dir: dir,
    })
}

async fn shot(w: &Window, step: &str) -> Result<()> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.screenshot(&format!("devices-{step}")).await?;
    Ok(())
}

/// Sets a form field's value as typing or choosing would (input and change events).
async fn set_field(w: &Window, testid: &str, value: &str) -> Result<()> {
    w.find(&format!("[data-testid={testid}]")).await?;
    w.client
        .execute(
            r#"const el = document.querySelector(`[data-testid=${arguments[0]}]`);
               el.value = arguments[1];
               el.dispatchEvent(new Event("input", { bubbles: true }));
               el.dispatchEvent(new Event("change", { bubbles: true }));"#,
            vec![serde_json::json!(testid), serde_json::json!(value)],
        )
        .await?;
    Ok(())
}

/// The live weight panel's state and grams.
async fn live_weight(w: &Window) -> Result<(String, String)> {
    let v = w
        .client
        .execute(
            r#"const el = document.querySelector('[data-testid=live-weight]');
               return el ? [el.dataset.state, el.dataset.grams] : ["", ""];"#,
            vec![],
        )
        .await?;
    let f = |i: usize| v[i].as_str().unwrap_or_default().to_string();
    Ok((f(0), f(1)))
}

async fn wait_weight(w: &Window, state: &str, grams: Option<i32>) -> Result<()> {
    let start = Instant::now();
    loop {
        let (s, g) = live_weight(w).await?;
        if s == state && grams.is_none_or(|x| g == x.to_string()) {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(30) {
            bail!("live weight stayed at {s} {g}, expected {state} {grams:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_text(w: &Window, css: &str, needle: &str) -> Result<String> {
    let start = Instant::now();
    loop {
        if let Some(e) = w.find_all(css).await?.into_iter().next() {
            let t = e.text().await?;
            if t.contains(needle) {
                return Ok(t);
            }
        }
        if start.elapsed() > Duration::from_secs(30) {
            bail!("`{css}` never said {needle:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choose_the_simulated_scale_and_printer_see_the_weight_and_print_a_test_label() -> Result<()>
{
    let bench = start_bench()?;
    let w = Window::start(&["--demo"]).await?;
    let result = run(&w, &bench).await;
    if result.is_err() {
        let _ = w.screenshot("devices-zz-failure").await;
    }
    w.close().await?;
    result
}

async fn run(w: &Window, bench: &Bench) -> Result<()> {
    // The header's Devices button works before anyone signs in (station setup): look
    // and test freely, but saving names a person.
    w.find("[data-testid=open-devices]").await?.click().await?;
    w.find("[data-testid=device-settings]").await?;
    wait_weight(w, "no_scale", None).await?;
    let note = w
        .find("[data-testid=devices-signed-out]")
        .await?
        .text()
        .await?;
    ensure!(note.contains("sign in"), "{note}");
    let save = w.find("[data-testid=devices-save]").await?;
    ensure!(
        save.text().await?.contains("Sign in to save") && !save.is_enabled().await?,
        "saving waits for a sign-in"
    );
    shot(w, "1-nothing-chosen").await?;
    w.find("[data-testid=devices-back]").await?.click().await?;
    w.sign_in_as("Store manager", "2222").await?;
    w.find("[data-testid=open-devices]").await?.click().await?;
    w.find("[data-testid=device-settings]").await?;

    // Choose the simulated scale: serial, its port, MT-SICS; and the network label printer.
    w.find("[data-testid=scale-kind-serial]")
        .await?
        .click()
        .await?;
    set_field(w, "scale-path", &bench.scale.path().display().to_string()).await?;
    set_field(w, "scale-protocol", "mt_sics").await?;
    set_field(w, "scale-stop-bits", "2").await?;
    set_field(w, "label-kind", "network_zpl").await?;
    set_field(w, "label-host", "127.0.0.1").await?;
    set_field(w, "label-port", &bench.printer.addr().port().to_string()).await?;
    shot(w, "2-chosen-not-saved").await?;
    w.find("[data-testid=devices-save]").await?.click().await?;
    wait_text(w, "[data-testid=devices-note]", "Saved").await?;

    // The weight on the scale shows, steady.
    wait_weight(w, "stable", Some(1500)).await?;
    wait_text(w, "[data-testid=scale-connection]", "Connected").await?;
    shot(w, "3-live-weight").await?;

    // A parcel put down: in motion, then steady at its weight.
    bench.scale.set_weight_grams(Decimal::from(2480));
    bench.scale.set_moving(true);
    wait_weight(w, "in_motion", Some(2480)).await?;
    let state = w.find("[data-testid=weight-state]").await?.text().await?;
    ensure!(state == "In motion", "weight state reads {state:?}");
    shot(w, "4-in-motion").await?;
    bench.scale.set_moving(false);
    wait_weight(w, "stable", Some(2480)).await?;

    // A test label reaches the printer as ZPL.
    w.find("[data-testid=test-label]").await?.click().await?;
    let jobs = bench.printer.wait_for_jobs(1, Duration::from_secs(20));
    ensure!(jobs.len() == 1, "the printer got {} jobs", jobs.len());
    let zpl = String::from_utf8(jobs[0].clone()).context("ZPL is text")?;
    ensure!(zpl.starts_with("^XA"), "not ZPL: {zpl:.80}");
    ensure!(zpl.contains("TALLY-TEST"), "no test barcode in {zpl:.200}");
    ensure!(zpl.contains("^PW812"), "not 4x6 in at 203 dpi: {zpl:.200}");
    wait_text(w, "[data-testid=devices-note]", "Sent the test print").await?;

    // The printer answers ~HS: ready.
    w.find("[data-testid=label-status]").await?.click().await?;
    wait_text(w, "[data-testid=label-printer-status]", "Ready").await?;
    w.client
        .execute(
            r#"document.querySelector('[data-testid=label-card]').scrollIntoView({ block: "nearest" });"#,
            vec![],
        )
        .await?;
    shot(w, "5-test-label-printed").await?;

    // The choice is kept in the station's settings file.
    let saved = std::fs::read_to_string(&bench.file)?;
    ensure!(
        saved.contains(&bench.scale.path().display().to_string()),
        "the settings file lacks the scale: {saved}"
    );
    let file: serde_json::Value = serde_json::from_str(&saved)?;
    ensure!(
        file.to_string().contains(r#""stop_bits":2"#),
        "the scale's two stop bits are kept: {saved}"
    );

    // Escape goes back to where the station was (the consignment list here).
    w.client
        .execute(
            r#"window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));"#,
            vec![],
        )
        .await?;
    w.wait_count("[data-testid=consignment-row]", 1).await?;
    Ok(())
}
