//! Drives the real Tally window through WebDriver: `tauri-driver` in front of
//! WebKitWebDriver, under a virtual display (scripts/test runs everything under
//! `xvfb-run`). Each test gets its own driver ports and its own data directory.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The desktop app binary built by `cargo build --workspace`.
pub fn app_binary() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("TALLY_APP_BIN") {
        return Ok(PathBuf::from(p));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    let bin = target.join("debug").join("tally");
    if !bin.exists() {
        bail!(
            "{} not found: build the workspace first (`cargo build --workspace`)",
            bin.display()
        );
    }
    Ok(bin)
}

/// Where screenshots go: `test-output/e2e/` at the workspace root.
pub fn output_dir() -> PathBuf {
    let dir = workspace_root().join("test-output").join("e2e");
    std::fs::create_dir_all(&dir).expect("create test-output/e2e");
    dir
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("tauri-driver did not listen on port {port} within {timeout:?}")
}

/// One running app window under WebDriver, with its own data directory.
pub struct Window {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    /// The app's data directory (store, logs).
    pub data_dir: tempfile::TempDir,
}

impl Window {
    /// Starts tauri-driver and the app with `args` (plus a fresh `--data-dir`).
    pub async fn start(args: &[&str]) -> Result<Self> {
        Self::start_in(tempfile::tempdir()?, args).await
    }

    /// Like `start`, on a data directory the test prepared.
    pub async fn start_in(data_dir: tempfile::TempDir, args: &[&str]) -> Result<Self> {
        if std::env::var_os("DISPLAY").is_none() {
            bail!("no DISPLAY: run the end-to-end tests under xvfb-run (scripts/test does this)");
        }
        let (port, native_port) = (free_port()?, free_port()?);
        let native = std::env::var("TALLY_NATIVE_DRIVER")
            .unwrap_or_else(|_| "/usr/bin/WebKitWebDriver".into());
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
                "--native-driver",
                &native,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so closing kills WebKitWebDriver and the app too.
            .process_group(0)
            .spawn()
            .context("starting tauri-driver (install it: cargo install tauri-driver --locked)")?;
        wait_for_port(port, Duration::from_secs(20))?;

        let mut app_args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        app_args.push("--data-dir".into());
        app_args.push(data_dir.path().display().to_string());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_binary()?, "args": app_args }),
        );
        caps.insert("browserName".into(), serde_json::json!("wry"));
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("opening a WebDriver session on the Tally window")?;
        Ok(Self {
            client,
            driver,
            data_dir,
        })
    }

    /// Waits for an element matching a CSS selector.
    pub async fn find(&self, css: &str) -> Result<Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for `{css}`"))
    }

    /// All elements matching a CSS selector, now.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        Ok(self.client.find_all(Locator::Css(css)).await?)
    }

    /// Waits until `css` matches at least `n` elements.
    pub async fn wait_count(&self, css: &str, n: usize) -> Result<Vec<Element>> {
        let start = Instant::now();
        loop {
            let found = self.find_all(css).await?;
            if found.len() >= n {
                return Ok(found);
            }
            if start.elapsed() > Duration::from_secs(30) {
                bail!("expected at least {n} `{css}`, found {}", found.len());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Signs in on the sign-in screen as the first listed person whose card ends with
    /// `role` (e.g. "Staff"), typing `pin`, and waits for the consignment list.
    pub async fn sign_in_as(&self, role: &str, pin: &str) -> Result<()> {
        self.wait_count("[data-testid=staff-card]", 3).await?;
        for c in self.find_all("[data-testid=staff-card]").await? {
            if c.text().await?.ends_with(role) {
                c.click().await?;
                self.find("[data-testid=pin-input]")
                    .await?
                    .send_keys(pin)
                    .await?;
                tokio::time::sleep(Duration::from_millis(150)).await;
                self.find("[data-testid=pin-submit]").await?.click().await?;
                self.wait_count("[data-testid=consignment-row]", 1).await?;
                return Ok(());
            }
        }
        bail!("nobody listed as {role} on the sign-in screen")
    }

    /// Saves a PNG screenshot to `test-output/e2e/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let path = output_dir().join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Closes the session and stops the driver, WebKitWebDriver and the app.
    pub async fn close(self) -> Result<()> {
        let _ = self.client.clone().close().await;
        Ok(())
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        // The whole process group: tauri-driver, WebKitWebDriver and the app.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.wait();
    }
}
