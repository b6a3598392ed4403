//! Serial scanner driver against the simulated scanner over a real pseudo-terminal.

mod common;

use std::time::Duration;

use tally_devices::drivers::serial_scanner::SerialScanner;
use tally_devices::event::DeviceEvent;
use tally_devices::protocol::scan_line::Symbology;
use tally_devices::serial::SerialSettings;
use tally_devices::worker::{ScannerWorker, WorkerTiming};
use tally_devices::Scanner;
use tally_testkit::devices::{ScannerSim, Terminator};

fn open(sim: &ScannerSim) -> SerialScanner {
    SerialScanner::open(sim.path(), &SerialSettings::default()).unwrap()
}

#[test]
fn each_terminator_ends_a_scan() {
    for t in [Terminator::Cr, Terminator::Lf, Terminator::CrLf] {
        let sim = ScannerSim::start(t).unwrap();
        let mut sc = open(&sim);
        sim.scan("9421234567892");
        sim.scan("TR-000123");
        let a = sc.next_scan(Duration::from_secs(2)).unwrap().unwrap();
        let b = sc.next_scan(Duration::from_secs(2)).unwrap().unwrap();
        assert_eq!(
            (a.data.as_str(), b.data.as_str()),
            ("9421234567892", "TR-000123"),
            "{t:?}"
        );
    }
}

#[test]
fn aim_prefix_is_split_off_and_kept() {
    let sim = ScannerSim::start(Terminator::CrLf).unwrap();
    let mut sc = open(&sim);
    sim.scan("]C1000942123400000017");
    let s = sc.next_scan(Duration::from_secs(2)).unwrap().unwrap();
    assert_eq!(s.symbology, Some(Symbology::Gs1_128));
    assert_eq!(s.data, "000942123400000017");
    assert_eq!(s.raw, "]C1000942123400000017");
}

#[test]
fn no_scan_is_none_not_an_error() {
    let sim = ScannerSim::start(Terminator::Cr).unwrap();
    let mut sc = open(&sim);
    assert_eq!(sc.next_scan(Duration::from_millis(100)).unwrap(), None);
}

#[test]
fn garbage_and_a_half_line_do_not_corrupt_the_next_scan() {
    let sim = ScannerSim::start(Terminator::CrLf).unwrap();
    let mut sc = open(&sim);
    sim.write_raw(b"\r\n\r\n");
    sim.write_raw(b"\xff\xfe\r\n");
    sim.scan("12345678");
    let first = sc.next_scan(Duration::from_secs(2)).unwrap().unwrap();
    assert_eq!(
        first.data, "\u{fffd}\u{fffd}",
        "bad bytes are shown, not dropped silently"
    );
    assert_eq!(
        sc.next_scan(Duration::from_secs(2)).unwrap().unwrap().data,
        "12345678"
    );
}

#[test]
fn the_worker_delivers_scans_across_unplug_and_replug() {
    let sim = ScannerSim::start(Terminator::CrLf).unwrap();
    let (events, mut rx) = tokio::sync::broadcast::channel(256);
    let path = sim.path().to_path_buf();
    let worker = ScannerWorker::spawn(
        "serial:scanner",
        Box::new(move || {
            SerialScanner::open(&path, &SerialSettings::default())
                .map(|s| Box::new(s) as Box<dyn Scanner>)
        }),
        WorkerTiming {
            poll: Duration::from_millis(20),
            retry: Duration::from_millis(50),
        },
        events,
    );
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Connected { .. }));
    sim.scan("AAA111");
    let e = common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Scan { .. }));
    assert!(format!("{e:?}").contains("AAA111"));

    sim.unplug();
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Disconnected { .. }));
    sim.replug();
    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Connected { .. }));
    sim.scan("BBB222");
    assert_eq!(
        worker.next_scan(Duration::from_secs(2)).unwrap().data,
        "BBB222"
    );
}
