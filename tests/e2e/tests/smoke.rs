//! The real window on the embedded demo: sign in with a demo PIN, see the outlet's
//! open consignments and the sync indicator, open one. Screenshots in test-output/e2e/.

use std::time::Duration;

use anyhow::Result;
use fantoccini::Locator;
use tally_e2e::Window;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_a_demo_pin_and_see_the_open_consignments() -> Result<()> {
    let w = Window::start(&["--demo"]).await?;
    let result = run(&w).await;
    w.close().await?;
    result
}

async fn run(w: &Window) -> Result<()> {
    // The sign-in screen lists this outlet's staff and the chain's managers.
    w.wait_count("[data-testid=staff-card]", 3).await?;
    let outlet = w.find("[data-testid=outlet-name]").await?.text().await?;
    assert!(!outlet.is_empty());
    let pins = w.find("[data-testid=demo-pins]").await?.text().await?;
    assert!(
        pins.contains("1111") && pins.contains("6666"),
        "demo PINs shown: {pins}"
    );
    w.screenshot("smoke-01-sign-in").await?;

    // A wrong PIN is refused with a message; the right one signs in.
    let cards = w.find_all("[data-testid=staff-card]").await?;
    let mut staff_card = None;
    for c in cards {
        if c.text().await?.ends_with("Staff") {
            staff_card = Some(c);
            break;
        }
    }
    let staff_card = staff_card.expect("a staff member of this outlet is listed");
    let name = staff_card
        .text()
        .await?
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    staff_card.click().await?;
    let pin = w.find("[data-testid=pin-input]").await?;
    pin.send_keys("9876").await?;
    tokio::time::sleep(Duration::from_millis(150)).await;
    w.find("[data-testid=pin-submit]").await?.click().await?;
    let err = w.find("[data-testid=signin-error]").await?.text().await?;
    assert!(err.contains("PIN"), "wrong PIN message: {err}");
    w.screenshot("smoke-02-wrong-pin").await?;

    let pin = w.find("[data-testid=pin-input]").await?;
    pin.send_keys("1111").await?;
    tokio::time::sleep(Duration::from_millis(150)).await;
    w.find("[data-testid=pin-submit]").await?.click().await?;

    // The list: every seeded open consignment of the outlet, and an online indicator.
    let rows = w.wait_count("[data-testid=consignment-row]", 6).await?;
    assert_eq!(
        rows.len(),
        6,
        "the demo seeds six open consignments for the station's outlet"
    );
    let who = w
        .find("[data-testid=signed-in-staff]")
        .await?
        .text()
        .await?;
    assert!(
        who.contains(&name),
        "header shows {who:?}, expected {name:?}"
    );
    let sync = w.find("[data-testid=sync-indicator]").await?.text().await?;
    assert!(sync.contains("Online"), "sync indicator: {sync}");
    let kinds: Vec<String> = {
        let mut v = Vec::new();
        for r in &rows {
            v.push(r.attr("data-kind").await?.unwrap_or_default());
        }
        v
    };
    for kind in ["outlet_transfer", "purchase_order", "supplier_return"] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
    }
    w.screenshot("smoke-03-consignments").await?;

    // The sync indicator opens the sync panel: figures, sync now, nothing refused.
    w.find("[data-testid=sync-indicator]")
        .await?
        .click()
        .await?;
    let panel = w.find("[data-testid=sync-panel]").await?.text().await?;
    assert!(panel.contains("Nothing refused"), "sync panel: {panel}");
    w.find("[data-testid=sync-now]").await?.click().await?;
    w.screenshot("smoke-03b-sync-panel").await?;
    w.find("[data-testid=sync-panel] button[aria-label=Close]")
        .await?
        .click()
        .await?;

    // Tabs filter by kind.
    w.find("[data-testid=tab-po]").await?.click().await?;
    let pos = w.find_all("[data-testid=consignment-row]").await?;
    assert_eq!(pos.len(), 2);

    // Opening the draft order shows its lines (a sent one opens at the receiving screen).
    w.find("[data-testid=consignment-row][data-status=draft] [data-testid=open-consignment]")
        .await?
        .click()
        .await?;
    w.find("[data-testid=detail-lines]").await?;
    let reference = w
        .find("[data-testid=detail-reference]")
        .await?
        .text()
        .await?;
    assert!(reference.starts_with("TR-PUR-"), "{reference}");
    let lines = w
        .client
        .find_all(Locator::Css("[data-testid=detail-lines] tbody tr"))
        .await?;
    assert!(!lines.is_empty());
    w.screenshot("smoke-04-detail").await?;
    Ok(())
}
