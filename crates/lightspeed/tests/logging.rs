//! What the client logs: request ids yes, tokens and secrets never.

mod common;

use std::sync::{Arc, Mutex};

use common::setup;
use secrecy::ExposeSecret;
use tally_lightspeed::models::Outlet;
use tally_lightspeed::TokenStore;

/// Collects everything logged, at every level.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_request_ids_but_never_tokens_or_the_client_secret() {
    let capture = Capture::default();
    let sink = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .finish();
    // Global (this test binary holds only this test), so every thread's events count.
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let s = setup().await;
    s.client
        .walker::<Outlet>("outlets", 0)
        .next_page()
        .await
        .unwrap();
    s.fake.expire_access_tokens();
    s.client
        .walker::<Outlet>("outlets", 0)
        .next_page()
        .await
        .unwrap();
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let saved = s.store.load().unwrap().unwrap();
    assert!(logs.contains("request_id="), "{logs}");
    for secret in [
        s.initial_refresh_token.clone(),
        saved.refresh_token.expose_secret().to_string(),
        saved.access_token.unwrap().expose_secret().to_string(),
        s.fake.config().client_secret.clone(),
    ] {
        assert!(!logs.contains(&secret), "a secret leaked into the logs");
    }
}
