//! HID scale driver against the simulated postal scale (reports over a pseudo-terminal) and
//! against a replayed fixture file.

mod common;

use std::time::Duration;

use rust_decimal_macros::dec;
use tally_devices::drivers::hid_scale::HidScale;
use tally_devices::event::DeviceEvent;
use tally_devices::worker::{ScaleWorker, WorkerTiming};
use tally_devices::{Scale, ScaleStatus};
use tally_testkit::devices::hid_scale_sim::{fixture_session, report, status, unit};
use tally_testkit::devices::HidScaleSim;

#[test]
fn live_reports_read_as_exact_grams() {
    let sim = HidScaleSim::start().unwrap();
    sim.set_grams(1234);
    let mut scale = HidScale::open(sim.path()).unwrap();
    // The first report may be stale and is skipped; the next ones carry 1234 g.
    let r = scale.read().unwrap();
    assert_eq!(
        (r.status, r.weight.unwrap().grams()),
        (ScaleStatus::Stable, dec!(1234))
    );
}

#[test]
fn ounces_from_the_scale_convert_exactly() {
    let sim = HidScaleSim::start().unwrap();
    sim.set_report(report(status::STABLE, unit::OUNCE, -1, 154));
    let mut scale = HidScale::open(sim.path()).unwrap();
    assert_eq!(
        scale.read().unwrap().weight.unwrap().grams(),
        dec!(436.582656125)
    );
}

#[test]
fn a_fixture_replays_to_the_final_stable_weight() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dymo-session.bin");
    std::fs::write(&path, fixture_session()).unwrap();
    let mut scale = HidScale::open(&path).unwrap();
    std::thread::sleep(Duration::from_millis(30));
    let r = scale.read().unwrap();
    assert_eq!(
        (r.status, r.weight.unwrap().grams()),
        (ScaleStatus::Stable, dec!(1234))
    );
    // The replay ends like a scale switching itself off.
    assert!(scale.read().unwrap_err().is_disconnect());
}

#[test]
fn garbage_reports_do_not_stop_the_stream() {
    let sim = HidScaleSim::start().unwrap();
    sim.set_grams(50);
    let mut scale = HidScale::open(sim.path()).unwrap();
    scale.read().unwrap();
    sim.send_bytes(&[0xff; 12]);
    sim.set_grams(60);
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(scale.read().unwrap().weight.unwrap().grams(), dec!(60));
}

#[test]
fn unplug_and_replug_reconnect_the_worker() {
    let sim = HidScaleSim::start().unwrap();
    sim.set_grams(300);
    let (events, mut rx) = tokio::sync::broadcast::channel(256);
    let path = sim.path().to_path_buf();
    let worker = ScaleWorker::spawn(
        "hid:test",
        Box::new(move || HidScale::open(&path).map(|s| Box::new(s) as Box<dyn Scale>)),
        WorkerTiming {
            poll: Duration::from_millis(20),
            retry: Duration::from_millis(50),
        },
        events,
    );
    assert_eq!(
        worker
            .capture(Duration::from_secs(2))
            .unwrap()
            .weight()
            .grams(),
        dec!(300)
    );
    sim.unplug();
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Disconnected { .. }));
    sim.set_grams(450);
    sim.replug();
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Connected { .. }));
    let r = common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Reading { .. }));
    let DeviceEvent::Reading { reading, .. } = r else {
        unreachable!()
    };
    assert_eq!(reading.weight.unwrap().grams(), dec!(450));
}
