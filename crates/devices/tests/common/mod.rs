//! Helpers shared by the driver tests.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use tally_devices::event::DeviceEvent;
use tokio::sync::broadcast::Receiver;

/// Waits up to 5 s for an event matching `want`; panics with the events seen otherwise.
pub fn wait_event(
    rx: &mut Receiver<DeviceEvent>,
    want: impl Fn(&DeviceEvent) -> bool,
) -> DeviceEvent {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match rx.try_recv() {
            Ok(e) if want(&e) => return e,
            Ok(e) => seen.push(e),
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    let tail = &seen[seen.len().saturating_sub(5)..];
    panic!(
        "event did not arrive; {} others seen, last: {tail:?}",
        seen.len()
    );
}
