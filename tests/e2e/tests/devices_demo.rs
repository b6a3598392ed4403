//! The embedded demo without `TALLY_DEVICES`: Tally starts its simulated bench devices
//! (an MT-SICS scale weighing parcels, a ZPL printer on loopback) and chooses them, so a
//! newcomer's Devices screen shows a live weight. Screenshot: devices-demo.png.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use tally_e2e::Window;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_chooses_its_simulated_scale_and_printer_and_shows_a_live_weight() -> Result<()> {
    std::env::remove_var("TALLY_DEVICES");
    let w = Window::start(&["--demo"]).await?;
    let result = run(&w).await;
    if result.is_err() {
        let _ = w.screenshot("devices-demo-failure").await;
    }
    w.close().await?;
    result
}

async fn run(w: &Window) -> Result<()> {
    w.find("[data-testid=open-devices]").await?.click().await?;
    w.find("[data-testid=device-settings]").await?;
    // The demo scale puts a parcel down every few seconds: wait for a steady, non-zero one.
    let start = Instant::now();
    loop {
        let v = w
            .client
            .execute(
                r#"const el = document.querySelector('[data-testid=live-weight]');
                   return el ? [el.dataset.state, el.dataset.grams] : ["", ""];"#,
                vec![],
            )
            .await?;
        let state = v[0].as_str().unwrap_or_default().to_string();
        let grams: i64 = v[1].as_str().unwrap_or_default().parse().unwrap_or(0);
        if state == "stable" && grams > 0 {
            break;
        }
        if start.elapsed() > Duration::from_secs(40) {
            bail!("the demo scale never showed a steady parcel (last: {state} {grams} g)");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let scale = w
        .find("[data-testid=scale-connection]")
        .await?
        .text()
        .await?;
    assert!(scale.contains("Connected"), "scale: {scale}");
    // The label printer is chosen too: its status comes from the simulator's ~HS answer.
    w.find("[data-testid=label-status]").await?.click().await?;
    let start = Instant::now();
    loop {
        let status = w
            .find("[data-testid=label-printer-status]")
            .await?
            .text()
            .await?;
        if status.contains("Ready") {
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!("label printer status: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    w.screenshot("devices-demo").await?;
    Ok(())
}
