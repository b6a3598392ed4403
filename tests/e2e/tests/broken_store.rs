//! A station whose store is damaged does not start as if nothing happened and does not
//! rebuild anything: the window opens and says so, with the code and what to do, and
//! the file is left exactly as it was found.

use anyhow::{ensure, Result};
use std::io::{Seek, SeekFrom, Write};
use tally_e2e::Window;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_store_is_reported_in_the_window_and_left_alone() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("tally.sqlite3");
    drop(tally_store::Store::open(&db)?);
    // Garbage over the second page: what a failing disk or a half-copied file leaves.
    {
        let mut f = std::fs::OpenOptions::new().write(true).open(&db)?;
        f.seek(SeekFrom::Start(4096))?;
        f.write_all(&[0xA5; 512])?;
    }
    let damaged = std::fs::read(&db)?;
    // A production station (no demo): its enrolment comes from the environment.
    std::env::set_var("TALLY_DEVICE_ID", "0190a4a5-0000-7000-8000-000000000001");
    std::env::set_var("TALLY_DEVICE_TOKEN", "not-a-real-token");
    let w = Window::start_in(
        dir,
        &[
            "--hub-url",
            "http://127.0.0.1:9",
            "--outlet",
            "0190a4a5-0000-7000-8000-0000000000aa",
        ],
    )
    .await?;
    let result = async {
        let panel = w.find("[data-testid=startup-problem]").await?;
        let code = w
            .find("[data-testid=startup-problem-code]")
            .await?
            .text()
            .await?;
        ensure!(code.starts_with("STORE_"), "a store code is shown: {code}");
        let text = panel.text().await?;
        ensure!(text.contains("Do not delete"), "{text}");
        w.screenshot("broken-store").await?;
        ensure!(
            std::fs::read(w.data_dir.path().join("tally.sqlite3"))? == damaged,
            "the damaged store is left exactly as found"
        );
        Ok(())
    }
    .await;
    w.close().await?;
    result
}
