//! Helpers shared by the packing end-to-end test and its bench: the simulated bench
//! devices, typing scans as a keyboard wedge, reading the pick list, signing in.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::elements::Element;
use tally_devices::config::{PrinterConfig, ScaleConfig, ScannerConfig, SerialScaleConfig};
use tally_devices::drivers::serial_scale::SerialScaleProtocol;
use tally_devices::serial::SerialSettings;
use tally_devices::StationDeviceConfig;
use tally_e2e::Window;
use tally_testkit::devices::{ScannerSim, SerialScaleSim, SimProtocol, Terminator, ZplPrinterSim};

/// The simulated bench devices, and the settings file the app reads (`TALLY_DEVICES`).
pub struct Bench {
    pub scale: SerialScaleSim,
    pub printer: ZplPrinterSim,
    /// A serial (USB-CDC) scanner beside the keyboard-wedge one.
    pub scanner: ScannerSim,
    _dir: tempfile::TempDir,
}

/// Starts the simulators and points the app at them. Must run before `Window::start`
/// (the app inherits the environment through tauri-driver).
pub fn start_bench() -> Result<Bench> {
    let scale = SerialScaleSim::start(SimProtocol::MtSics)?;
    let printer = ZplPrinterSim::start()?;
    let scanner = ScannerSim::start(Terminator::CrLf)?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("devices.json");
    let config = StationDeviceConfig {
        scale: Some(ScaleConfig::Serial(SerialScaleConfig {
            path: scale.path().to_path_buf(),
            settings: SerialSettings::default(),
            protocol: SerialScaleProtocol::MtSics,
            poll_ms: 100,
        })),
        printers: vec![PrinterConfig::NetworkZpl {
            name: "Bench Zebra".into(),
            host: "127.0.0.1".into(),
            port: printer.addr().port(),
        }],
        label_printer: Some("Bench Zebra".into()),
        scanners: vec![ScannerConfig {
            name: "Bench serial scanner".into(),
            path: scanner.path().to_path_buf(),
            settings: SerialSettings::default(),
        }],
        reconnect_ms: 200,
        ..StationDeviceConfig::default()
    };
    std::fs::write(&file, serde_json::to_vec_pretty(&config)?)?;
    std::env::set_var("TALLY_DEVICES", &file);
    Ok(Bench {
        scale,
        printer,
        scanner,
        _dir: dir,
    })
}

/// Types `codes` as a keyboard-wedge scanner: each a burst of keys ending in Enter.
pub async fn scan(w: &Window, codes: &[&str]) -> Result<()> {
    let codes: Vec<serde_json::Value> = codes.iter().map(|c| serde_json::json!(c)).collect();
    w.client
        .execute(
            r#"for (const code of arguments[0]) {
                 for (const key of [...code, "Enter"]) {
                   document.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
                 }
               }"#,
            vec![serde_json::Value::Array(codes)],
        )
        .await?;
    Ok(())
}

/// Presses a key on the bench (F-keys, Escape, Ctrl+Z).
pub async fn press(w: &Window, key: &str, ctrl: bool) -> Result<()> {
    w.client
        .execute(
            r#"window.dispatchEvent(new KeyboardEvent("keydown", { key: arguments[0], ctrlKey: arguments[1], bubbles: true, cancelable: true }));"#,
            vec![serde_json::json!(key), serde_json::json!(ctrl)],
        )
        .await?;
    Ok(())
}

/// A pick-list row as the screen shows it.
#[derive(Debug, Clone)]
pub struct Row {
    pub sku: String,
    pub expected: i64,
    pub packed: i64,
    pub state: String,
    pub next: bool,
}

pub async fn attr(e: &Element, name: &str) -> Result<String> {
    Ok(e.attr(name).await?.unwrap_or_default())
}

/// The pick list, in screen order (read in one script call: no stale handles).
pub async fn rows(w: &Window) -> Result<Vec<Row>> {
    let v = w
        .client
        .execute(
            r#"return [...document.querySelectorAll('[data-testid=pick-row]')].map((r) => [
                 r.dataset.sku, r.dataset.expected, r.dataset.packed, r.dataset.state, r.dataset.next]);"#,
            vec![],
        )
        .await?;
    let mut out = Vec::new();
    for r in v.as_array().context("pick rows")? {
        let f = |i: usize| r[i].as_str().unwrap_or_default().to_string();
        out.push(Row {
            sku: f(0),
            expected: f(1).parse()?,
            packed: f(2).parse()?,
            state: f(3),
            next: f(4) == "true",
        });
    }
    Ok(out)
}

/// Polls `check` until it returns `Some` or 30 s pass.
pub async fn until<T, F, Fut>(what: &str, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if start.elapsed() > Duration::from_secs(30) {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the row of `sku` shows `packed` units.
pub async fn wait_packed(w: &Window, sku: &str, packed: i64) -> Result<Row> {
    until(&format!("{sku} packed {packed}"), || async {
        Ok(rows(w)
            .await?
            .into_iter()
            .find(|r| r.sku == sku && r.packed == packed))
    })
    .await
}

/// Waits for the feedback panel to show `kind` with a title containing `title`.
pub async fn wait_feedback(w: &Window, kind: &str, title: &str) -> Result<String> {
    until(&format!("{kind} feedback {title:?}"), || async {
        let f = w.find("[data-testid=scan-feedback]").await?;
        let text = f.text().await?;
        Ok((attr(&f, "data-kind").await? == kind && text.contains(title)).then_some(text))
    })
    .await
}

/// Signs in as a staff member of the station's outlet with the demo PIN.
pub async fn sign_in(w: &Window) -> Result<()> {
    w.sign_in_as("Staff", "1111").await
}

/// Opens the outgoing transfer with `lines` lines from the list (by script: the list
/// re-renders when the sync brings data, which would leave element handles stale).
pub async fn open_transfer(w: &Window, lines: &str) -> Result<()> {
    until(&format!("an outgoing transfer of {lines} lines"), || async {
        let clicked = w
            .client
            .execute(
                r#"const rows = [...document.querySelectorAll('[data-testid=consignment-row][data-kind=outlet_transfer]')];
                   const r = rows.find((r) => r.querySelector('td.num')?.textContent.trim() === arguments[0]
                                           && r.textContent.includes('to '));
                   if (r) { r.click(); return true; }
                   return false;"#,
                vec![serde_json::json!(lines)],
            )
            .await?;
        Ok((clicked == serde_json::json!(true)).then_some(()))
    })
    .await?;
    w.find("[data-testid=packing-screen]").await?;
    w.wait_count("[data-testid=pick-row]", 1).await?;
    Ok(())
}
