//! Serial scale driver against the simulated scale over a real pseudo-terminal.

mod common;

use std::time::Duration;

use rust_decimal_macros::dec;
use tally_devices::drivers::serial_scale::{probe, SerialScale, SerialScaleProtocol};
use tally_devices::event::DeviceEvent;
use tally_devices::serial::SerialSettings;
use tally_devices::worker::{ScaleWorker, WorkerTiming};
use tally_devices::{MassUnit, Scale, ScaleStatus};
use tally_testkit::devices::{SerialScaleSim, SimProtocol};

/// Short probe timeout: the simulator answers in microseconds.
const PROBE: Duration = Duration::from_millis(200);

fn sics() -> (SerialScaleSim, SerialScale) {
    let sim = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    let scale = SerialScale::open(
        sim.path(),
        &SerialSettings::default(),
        SerialScaleProtocol::MtSics,
    )
    .unwrap();
    (sim, scale)
}

fn toledo() -> (SerialScaleSim, SerialScale) {
    let sim = SerialScaleSim::start(SimProtocol::Toledo8217).unwrap();
    let scale = SerialScale::open(
        sim.path(),
        &SerialSettings::toledo_8217(),
        SerialScaleProtocol::Toledo8217 {
            unit: MassUnit::Kilogram,
        },
    )
    .unwrap();
    (sim, scale)
}

#[test]
fn mt_sics_stable_weight_reads_in_exact_grams() {
    let (sim, mut scale) = sics();
    sim.set_weight_grams(dec!(1234));
    let r = scale.read().unwrap();
    assert_eq!(r.status, ScaleStatus::Stable);
    assert_eq!(r.weight.unwrap().grams(), dec!(1234));
    assert_eq!(sim.commands(), vec!["SI"]);
}

#[test]
fn mt_sics_motion_and_overload_are_not_stable() {
    let (sim, mut scale) = sics();
    sim.set_weight_grams(dec!(500));
    sim.set_moving(true);
    assert_eq!(scale.read().unwrap().status, ScaleStatus::InMotion);
    sim.set_moving(false);
    sim.set_overloaded(true);
    let r = scale.read().unwrap();
    assert_eq!(r.status, ScaleStatus::OverCapacity);
    assert_eq!(r.weight, None);
}

#[test]
fn mt_sics_tare_then_zero() {
    let (sim, mut scale) = sics();
    sim.set_weight_grams(dec!(150));
    scale.tare().unwrap();
    assert_eq!(sim.tare_grams(), dec!(150));
    sim.set_weight_grams(dec!(1150));
    assert_eq!(scale.read().unwrap().weight.unwrap().grams(), dec!(1000));
    scale.clear_tare().unwrap();
    sim.set_weight_grams(dec!(0));
    scale.zero().unwrap();
    assert_eq!(scale.read().unwrap().status, ScaleStatus::StableZero);
}

#[test]
fn mt_sics_zero_while_moving_is_refused() {
    let (sim, mut scale) = sics();
    sim.set_moving(true);
    assert_eq!(scale.zero().unwrap_err().code(), "SCALE_COMMAND_REFUSED");
}

#[test]
fn mt_sics_garbage_before_a_reply_is_skipped() {
    let (sim, mut scale) = sics();
    sim.set_weight_grams(dec!(42));
    sim.inject_garbage(b"\xff\xfe\x00noise\r\nS Q x\r\n");
    assert_eq!(scale.read().unwrap().weight.unwrap().grams(), dec!(42));
}

#[test]
fn mt_sics_model_is_read() {
    let (_sim, mut scale) = sics();
    assert_eq!(
        scale.model().unwrap().as_deref(),
        Some("Tally SimScale 15kg 0.001 kg")
    );
}

#[test]
fn toledo_8217_weight_motion_and_net() {
    let (sim, mut scale) = toledo();
    sim.set_weight_grams(dec!(2345));
    let r = scale.read().unwrap();
    assert_eq!(
        (r.status, r.weight.unwrap().grams()),
        (ScaleStatus::Stable, dec!(2345))
    );
    sim.set_moving(true);
    assert_eq!(scale.read().unwrap().status, ScaleStatus::InMotion);
    sim.set_moving(false);
    scale.tare().unwrap();
    // 8217 does not acknowledge T; wait until the scale has taken it before loading more.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while sim.tare_grams() != dec!(2345) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    sim.set_weight_grams(dec!(3345));
    let r = scale.read().unwrap();
    assert!(r.net, "{r:?} {:?}", sim.commands());
    assert_eq!(r.weight.unwrap().grams(), dec!(1000));
    sim.set_overloaded(true);
    assert_eq!(scale.read().unwrap().status, ScaleStatus::OverCapacity);
}

#[test]
fn toledo_8217_garbage_is_skipped() {
    let (sim, mut scale) = toledo();
    sim.set_weight_grams(dec!(500));
    sim.inject_garbage(b"\x00\xffjunk\r\x0299");
    assert_eq!(scale.read().unwrap().weight.unwrap().grams(), dec!(500));
}

#[test]
fn probe_tells_mt_sics_from_8217() {
    let unit = MassUnit::Kilogram;
    let sics_sim = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    let (p, settings) = probe(
        sics_sim.path(),
        &SerialSettings::default(),
        &SerialSettings::toledo_8217(),
        unit,
        PROBE,
    )
    .unwrap();
    assert_eq!(p, SerialScaleProtocol::MtSics);
    assert_eq!(settings.data_bits, 8);
    let toledo_sim = SerialScaleSim::start(SimProtocol::Toledo8217).unwrap();
    let (p, settings) = probe(
        toledo_sim.path(),
        &SerialSettings::default(),
        &SerialSettings::toledo_8217(),
        unit,
        PROBE,
    )
    .unwrap();
    assert_eq!(p, SerialScaleProtocol::Toledo8217 { unit });
    assert_eq!(settings.data_bits, 7);
}

#[test]
fn a_silent_port_is_neither_protocol() {
    let sim = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    sim.set_mute(true);
    let e = probe(
        sim.path(),
        &SerialSettings::default(),
        &SerialSettings::toledo_8217(),
        MassUnit::Kilogram,
        PROBE,
    )
    .unwrap_err();
    assert_eq!(e.code(), "DEVICE_PROTOCOL");
}

#[test]
fn unplugging_mid_use_is_a_disconnect() {
    let (sim, mut scale) = sics();
    scale.read().unwrap();
    sim.unplug();
    let e = scale.read().unwrap_err();
    assert!(e.is_disconnect(), "{e:?}");
    // Opening the missing path is also "not connected", not a crash.
    let e = SerialScale::open(
        sim.path(),
        &SerialSettings::default(),
        SerialScaleProtocol::MtSics,
    )
    .err()
    .unwrap();
    assert!(e.is_disconnect(), "{e:?}");
}

#[test]
fn the_worker_reconnects_after_unplug_and_replug() {
    let sim = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    sim.set_weight_grams(dec!(700));
    let (events, mut rx) = tokio::sync::broadcast::channel(256);
    let path = sim.path().to_path_buf();
    let worker = ScaleWorker::spawn(
        "serial:test",
        Box::new(move || {
            SerialScale::open(
                &path,
                &SerialSettings::default(),
                SerialScaleProtocol::MtSics,
            )
            .map(|s| Box::new(s) as Box<dyn Scale>)
        }),
        WorkerTiming {
            poll: Duration::from_millis(20),
            retry: Duration::from_millis(50),
        },
        events,
    );
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Connected { .. }));
    let stable = worker.capture(Duration::from_secs(2)).unwrap();
    assert_eq!(stable.weight().grams(), dec!(700));

    sim.unplug();
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Disconnected { .. }));
    assert!(!worker.state().connected);
    assert_eq!(
        worker
            .capture(Duration::from_millis(50))
            .unwrap_err()
            .code(),
        "DEVICE_NOT_CONNECTED"
    );

    sim.set_weight_grams(dec!(900));
    sim.replug();
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Connected { .. }));
    let r = worker.next_reading(Duration::from_secs(2)).unwrap();
    assert_eq!(r.weight.unwrap().grams(), dec!(900));
}

#[test]
fn the_worker_refuses_to_capture_a_moving_weight() {
    let sim = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    sim.set_weight_grams(dec!(700));
    sim.set_moving(true);
    let (events, _rx) = tokio::sync::broadcast::channel(16);
    let path = sim.path().to_path_buf();
    let worker = ScaleWorker::spawn(
        "serial:test",
        Box::new(move || {
            SerialScale::open(
                &path,
                &SerialSettings::default(),
                SerialScaleProtocol::MtSics,
            )
            .map(|s| Box::new(s) as Box<dyn Scale>)
        }),
        WorkerTiming {
            poll: Duration::from_millis(20),
            retry: Duration::from_millis(50),
        },
        events,
    );
    worker.next_reading(Duration::from_secs(2)).unwrap();
    let e = worker.capture(Duration::from_millis(150)).unwrap_err();
    assert_eq!(e.code(), "SCALE_NOT_STABLE");
    sim.set_moving(false);
    assert_eq!(
        worker
            .capture(Duration::from_secs(2))
            .unwrap()
            .weight()
            .grams(),
        dec!(700)
    );
}

#[test]
fn a_scale_that_stops_answering_counts_as_gone() {
    let sim = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    let (events, mut rx) = tokio::sync::broadcast::channel(256);
    let path = sim.path().to_path_buf();
    let _worker = ScaleWorker::spawn(
        "serial:test",
        Box::new(move || {
            let mut s = SerialScale::open(
                &path,
                &SerialSettings::default(),
                SerialScaleProtocol::MtSics,
            )?;
            s.set_reply_timeout(Duration::from_millis(60));
            Ok(Box::new(s) as Box<dyn Scale>)
        }),
        WorkerTiming {
            poll: Duration::from_millis(10),
            retry: Duration::from_millis(50),
        },
        events,
    );
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Reading { .. }));
    sim.set_mute(true);
    let e = common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Disconnected { .. }));
    assert!(format!("{e:?}").contains("switched off"), "{e:?}");
}
