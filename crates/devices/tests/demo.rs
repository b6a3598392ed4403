//! The demo bench: the simulated devices driven through DeviceManager exactly as the app
//! will, so a newcomer sees a live weight, a scan and a printed label.

mod common;

use std::time::Duration;

use tally_devices::config::{HidScaleConfig, ScaleConfig, ScannerConfig, SerialScaleConfig};
use tally_devices::drivers::serial_scale::SerialScaleProtocol;
use tally_devices::event::DeviceEvent;
use tally_devices::serial::SerialSettings;
use tally_devices::{DeviceManager, PrintFormat, PrinterConfig, StationDeviceConfig};
use tally_testkit::devices::start_demo_devices;

#[test]
fn the_demo_bench_shows_a_live_weight_a_scan_and_prints() {
    let demo = start_demo_devices().unwrap();
    let a = demo.addresses();
    let config = StationDeviceConfig {
        scale: Some(ScaleConfig::Serial(SerialScaleConfig {
            path: a.serial_scale.clone(),
            settings: SerialSettings::default(),
            protocol: SerialScaleProtocol::MtSics,
            poll_ms: 50,
        })),
        scanners: vec![ScannerConfig {
            name: "bench".into(),
            path: a.scanner.clone(),
            settings: SerialSettings::default(),
        }],
        printers: vec![PrinterConfig::NetworkZpl {
            name: "zebra".into(),
            host: a.printer.ip().to_string(),
            port: a.printer.port(),
        }],
        label_printer: Some("zebra".into()),
        reconnect_ms: 100,
        ..Default::default()
    };
    // The settings screen saves this as JSON; it must load back identically.
    let saved = serde_json::to_string(&config).unwrap();
    let m = DeviceManager::start(serde_json::from_str(&saved).unwrap()).unwrap();
    let mut rx = m.subscribe();

    common::wait_event(&mut rx, |e| matches!(e, DeviceEvent::Reading { .. }));
    assert!(m.latest_reading().is_some());

    // Wait until the scanner worker has the port open before scanning.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !m.states().iter().all(|s| s.connected) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    demo.scanner.scan("]E09421234567892");
    let scan = m.next_scan(Duration::from_secs(2)).unwrap();
    assert_eq!(scan.data, "9421234567892");

    m.print("zebra", PrintFormat::Zpl, b"^XA^XZ").unwrap();
    assert_eq!(
        demo.printer.wait_for_jobs(1, Duration::from_secs(2)).len(),
        1
    );
    assert!(m.states().iter().all(|s| s.connected), "{:?}", m.states());
}

#[test]
fn the_demo_hid_scale_reads_through_the_manager() {
    let demo = start_demo_devices().unwrap();
    let m = DeviceManager::start(StationDeviceConfig {
        scale: Some(ScaleConfig::Hid(HidScaleConfig {
            path: Some(demo.addresses().hid_scale),
            poll_ms: 50,
        })),
        ..Default::default()
    })
    .unwrap();
    let w = m.capture_weight(Duration::from_secs(2)).unwrap();
    assert_eq!(w.weight().grams(), rust_decimal::Decimal::from(850));
}
