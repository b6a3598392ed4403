//! The device settings screen's use cases against the device simulators (a serial MT-SICS
//! scale and a serial scanner on pseudo-terminals, a ZPL printer on loopback TCP 9100-style).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use rust_decimal::Decimal;
use tally_app::device_settings::{
    ConnectionState, DeviceChoices, DeviceUpdate, DeviceUpdateKind, DocumentPrinterKind, DpiChoice,
    LabelPrinterKind, ParityChoice, PrinterRole, ScaleKind, WeightState,
};
use tally_app::sync_status::SyncStatus;
use tally_app::{App, AppConfig, HubMode, UiEvents};
use tally_domain::Role;
use tally_store::{hash_pin_with_cost, Outlet, PulledChanges, StaffRecord, Store};
use tally_testkit::devices::{
    ScannerSim, SerialScaleSim, SimPrinterStatus, SimProtocol, Terminator, ZplPrinterSim,
};

const OUTLET: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
const STATION: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002);
const MANAGER: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0003);
const PIN: &str = "2468";

/// The station's app, not signed in (its outlet and one store manager provisioned).
fn open_signed_out(dir: &Path) -> App {
    {
        let store = Store::open(dir.join("tally.sqlite3")).unwrap();
        let changes = PulledChanges {
            outlets: vec![Outlet {
                id: OUTLET,
                name: "Newmarket".into(),
                code: None,
                lightspeed_id: None,
                active: true,
                version: 1,
            }],
            staff: vec![StaffRecord {
                id: MANAGER,
                outlet_id: Some(OUTLET),
                name: "Mere Walker".into(),
                role: Role::StoreManager,
                pin_hash: Some(hash_pin_with_cost(PIN, (64, 1)).unwrap()),
                active: true,
                version: 1,
            }],
            ..PulledChanges::default()
        };
        store.apply_pulled(&changes, 1).unwrap();
        store.init_station(STATION, OUTLET, "Bench 2").unwrap();
    }
    App::open(
        AppConfig {
            data_dir: dir.to_path_buf(),
            hub: HubMode::Demo,
            station_name: "Bench 2".into(),
            outlet: None,
            wedge_max_gap_ms: 35,
            log_filter: "info".into(),
        },
        "http://127.0.0.1:1".into(),
    )
    .unwrap()
}

/// The station's app with the store manager signed in (saving settings needs someone).
fn open(dir: &Path) -> App {
    let app = open_signed_out(dir);
    app.sign_in(&MANAGER.to_string(), PIN).unwrap();
    app
}

/// Waits until `check` holds (the scale is polled every 250 ms).
fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn choose_scale(app: &App, scale: &SerialScaleSim) -> DeviceChoices {
    let mut c = app.device_settings().choices;
    c.scale.kind = ScaleKind::Serial;
    c.scale.path = scale.path().display().to_string();
    app.save_device_settings(&c).unwrap().choices
}

fn choose_printer(app: &App, printer: &ZplPrinterSim) -> DeviceChoices {
    let mut c = app.device_settings().choices;
    c.label_printer.kind = LabelPrinterKind::NetworkZpl;
    c.label_printer.host = "127.0.0.1".into();
    c.label_printer.port = printer.addr().port();
    app.save_device_settings(&c).unwrap().choices
}

fn grams(app: &App) -> (WeightState, Option<i32>) {
    let w = app.device_status().weight;
    (w.state, w.grams)
}

#[test]
fn the_chosen_scales_live_weight_follows_the_scale() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let scale = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    scale.set_weight_grams(Decimal::from(1234));
    assert_eq!(app.device_status().weight.state, WeightState::NoScale);
    choose_scale(&app, &scale);
    eventually("1234 g stable", || {
        (grams(&app) == (WeightState::Stable, Some(1234))).then_some(())
    });
    let status = app.device_status();
    assert_eq!(status.scale.unwrap().state, ConnectionState::Connected);
    assert_eq!(status.weight.display, "1.234 kg");
    assert!(status.weight.can_zero);
    scale.set_weight_grams(Decimal::from(2480));
    eventually("2480 g stable", || {
        (grams(&app) == (WeightState::Stable, Some(2480))).then_some(())
    });
}

#[test]
fn an_unsteady_weight_is_in_motion_and_an_overload_is_overweight() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let scale = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    scale.set_weight_grams(Decimal::from(655));
    choose_scale(&app, &scale);
    eventually("stable", || {
        (grams(&app).0 == WeightState::Stable).then_some(())
    });
    scale.set_moving(true);
    eventually("in motion", || {
        (grams(&app) == (WeightState::InMotion, Some(655))).then_some(())
    });
    scale.set_moving(false);
    scale.set_overloaded(true);
    eventually("overweight", || {
        (grams(&app).0 == WeightState::Overweight).then_some(())
    });
}

#[test]
fn a_port_with_nothing_on_it_shows_the_scale_disconnected_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let mut c = app.device_settings().choices;
    c.scale.kind = ScaleKind::Serial;
    c.scale.path = dir.path().join("ttyNOTHING").display().to_string();
    app.save_device_settings(&c).unwrap();
    let scale = eventually("an error state", || {
        app.device_status()
            .scale
            .filter(|s| s.state == ConnectionState::Error)
    });
    let problem = scale.problem.unwrap();
    assert_eq!(problem.code, "DEVICE_NOT_CONNECTED");
    assert!(
        problem.message.contains("Check the cable"),
        "{}",
        problem.message
    );
    assert_eq!(app.device_status().weight.state, WeightState::Disconnected);
}

#[test]
fn zero_and_tare_reach_the_scale() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let scale = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    scale.set_weight_grams(Decimal::from(300));
    choose_scale(&app, &scale);
    eventually("stable", || {
        (grams(&app).0 == WeightState::Stable).then_some(())
    });
    app.tare_scale().unwrap();
    assert_eq!(scale.tare_grams(), Decimal::from(300));
    eventually("zero after the tare", || {
        (grams(&app) == (WeightState::StableZero, Some(0))).then_some(())
    });
    app.clear_scale_tare().unwrap();
    assert_eq!(scale.tare_grams(), Decimal::ZERO);
    app.zero_scale().unwrap();
    assert!(
        scale.commands().iter().any(|c| c.starts_with('Z')),
        "{:?}",
        scale.commands()
    );
}

#[test]
fn without_a_scale_zeroing_says_to_choose_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    assert_eq!(app.zero_scale().unwrap_err().code, "NO_SCALE");
    assert_eq!(app.test_print_label().unwrap_err().code, "NO_LABEL_PRINTER");
    assert_eq!(app.test_scan(10).unwrap_err().code, "NO_SCANNER");
}

#[test]
fn a_test_label_reaches_the_network_printer_as_zpl_for_the_chosen_stock() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let printer = ZplPrinterSim::start().unwrap();
    let mut c = choose_printer(&app, &printer);
    let r = app.test_print_label().unwrap();
    assert_eq!(r.format, "ZPL");
    let jobs = printer.wait_for_jobs(1, Duration::from_secs(5));
    let zpl = String::from_utf8(jobs[0].clone()).unwrap();
    assert!(
        zpl.starts_with("^XA") && zpl.trim_end().ends_with("^XZ"),
        "{zpl}"
    );
    assert!(zpl.contains("TALLY-TEST"), "{zpl}");
    assert!(zpl.contains("^PW812"), "4x6 in at 203 dpi: {zpl}");
    assert_eq!(r.bytes as usize, jobs[0].len());

    c.label_printer.dpi = DpiChoice::Dpi300;
    app.save_device_settings(&c).unwrap();
    app.test_print_label().unwrap();
    let jobs = printer.wait_for_jobs(2, Duration::from_secs(5));
    assert!(String::from_utf8_lossy(&jobs[1]).contains("^PW1200"));
}

#[test]
fn printer_status_says_what_stops_the_printer() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let printer = ZplPrinterSim::start().unwrap();
    choose_printer(&app, &printer);
    let s = app.printer_status(PrinterRole::Label).unwrap();
    assert!(s.offered && s.ready, "{s:?}");
    printer.set_status(SimPrinterStatus {
        paper_out: true,
        ..Default::default()
    });
    let s = app.printer_status(PrinterRole::Label).unwrap();
    assert!(!s.ready);
    assert_eq!(s.problems, vec!["out of labels".to_string()]);
    assert!(s.summary.contains("out of labels"), "{}", s.summary);
}

#[test]
fn a_test_page_is_saved_by_a_folder_printer_as_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let out = dir.path().join("printed");
    let mut c = app.device_settings().choices;
    c.document_printer.kind = DocumentPrinterKind::Folder;
    c.document_printer.dir = out.display().to_string();
    app.save_device_settings(&c).unwrap();
    let r = app.test_print_page().unwrap();
    assert_eq!(r.format, "PDF");
    let saved = std::fs::read(r.saved_to.unwrap()).unwrap();
    assert!(saved.starts_with(b"%PDF"));
}

#[test]
fn a_test_scan_shows_the_next_code_from_the_serial_scanner() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let scanner = ScannerSim::start(Terminator::CrLf).unwrap();
    let mut c = app.device_settings().choices;
    c.scanner.enabled = true;
    c.scanner.path = scanner.path().display().to_string();
    app.save_device_settings(&c).unwrap();
    eventually("scanner connected", || {
        app.device_status()
            .scanner
            .filter(|s| s.state == ConnectionState::Connected)
    });
    let app = Arc::new(app);
    let waiting = {
        let app = app.clone();
        std::thread::spawn(move || app.test_scan(5000))
    };
    std::thread::sleep(Duration::from_millis(200));
    scanner.scan("]E09421234567895");
    let scan = waiting.join().unwrap().unwrap();
    assert_eq!(scan.data, "9421234567895");
    assert_eq!(scan.symbology.as_deref(), Some("EAN-13"));
    assert_eq!(app.test_scan(300).unwrap_err().code, "NO_SCAN_RECEIVED");
}

#[test]
fn settings_survive_an_app_restart() {
    let dir = tempfile::tempdir().unwrap();
    let scale = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    scale.set_weight_grams(Decimal::from(910));
    let printer = ZplPrinterSim::start().unwrap();
    let saved = {
        let app = open(dir.path());
        choose_scale(&app, &scale);
        let mut c = choose_printer(&app, &printer);
        c.label_printer.dpi = DpiChoice::Dpi300;
        // A scanner on a line other than 9600 8N1 keeps its settings too.
        c.scanner.enabled = true;
        c.scanner.path = "/dev/ttyACM7".into();
        c.scanner.line.data_bits = 7;
        c.scanner.line.parity = ParityChoice::Even;
        c.scanner.line.stop_bits = 2;
        let saved = app.save_device_settings(&c).unwrap().choices;
        assert_eq!(
            (
                saved.scanner.line.data_bits,
                saved.scanner.line.parity,
                saved.scanner.line.stop_bits
            ),
            (7, ParityChoice::Even, 2)
        );
        saved
    };
    let app = open(dir.path());
    assert!(app.start_devices_from_env(&|_| None).unwrap());
    assert_eq!(app.device_settings().choices, saved);
    assert_eq!(app.label_stock().dpi, tally_labels::Dpi::D300);
    eventually("the weight after the restart", || {
        (grams(&app) == (WeightState::Stable, Some(910))).then_some(())
    });
}

#[test]
fn invalid_choices_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let mut c = app.device_settings().choices;
    c.scale.kind = ScaleKind::Serial;
    c.scale.path = String::new();
    assert_eq!(
        app.save_device_settings(&c).unwrap_err().code,
        "DEVICE_SETTINGS_INVALID"
    );
    assert!(!app.device_settings_file().exists());
    assert!(app.devices().is_none());
}

#[derive(Default)]
struct Recorder(Mutex<Vec<DeviceUpdate>>);

impl UiEvents for Recorder {
    fn sync_status_changed(&self, _: SyncStatus) {}
    fn data_changed(&self) {}
    fn device_changed(&self, update: DeviceUpdate) {
        self.0.lock().unwrap().push(update);
    }
}

#[test]
fn device_changes_reach_the_ui_as_updates() {
    let dir = tempfile::tempdir().unwrap();
    let app = open(dir.path());
    let ui = Arc::new(Recorder::default());
    app.set_events(ui.clone());
    let scale = SerialScaleSim::start(SimProtocol::MtSics).unwrap();
    scale.set_weight_grams(Decimal::from(777));
    choose_scale(&app, &scale);
    eventually("a reading update of 777 g", || {
        ui.0.lock().unwrap().iter().find_map(|u| {
            (u.kind == DeviceUpdateKind::Reading
                && u.weight.as_ref().and_then(|w| w.grams) == Some(777))
            .then_some(())
        })
    });
    assert!(ui
        .0
        .lock()
        .unwrap()
        .iter()
        .any(|u| u.kind == DeviceUpdateKind::Connected));
    scale.unplug();
    eventually("a disconnect update", || {
        ui.0.lock()
            .unwrap()
            .iter()
            .find(|u| u.kind == DeviceUpdateKind::Disconnected)
            .cloned()
    });
}

#[test]
fn saving_needs_someone_signed_in_and_is_audited_with_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let printer = ZplPrinterSim::start().unwrap();
    let app = open_signed_out(dir.path());
    let mut c = app.device_settings().choices;
    c.label_printer.kind = LabelPrinterKind::NetworkZpl;
    c.label_printer.host = "127.0.0.1".into();
    c.label_printer.port = printer.addr().port();
    let e = app.save_device_settings(&c).unwrap_err();
    assert_eq!(e.code, "SIGN_IN_TO_SAVE");
    assert!(e.message.contains("Sign in"), "{}", e.message);
    assert!(
        !app.device_settings_file().exists(),
        "nothing saved without a person"
    );
    assert!(app
        .store()
        .audit_entries_for("station_setting", "devices")
        .unwrap()
        .is_empty());

    app.sign_in(&MANAGER.to_string(), PIN).unwrap();
    app.save_device_settings(&c).unwrap();
    let trail = app
        .store()
        .audit_entries_for("station_setting", "devices")
        .unwrap();
    assert_eq!(trail.len(), 1);
    let entry = &trail[0];
    assert_eq!(entry.actor, format!("staff:{MANAGER}"));
    assert_eq!(entry.action, "station.setting_changed");
    let before: DeviceChoices = serde_json::from_value(entry.before.clone().unwrap()).unwrap();
    let after: DeviceChoices = serde_json::from_value(entry.after.clone().unwrap()).unwrap();
    assert_eq!(before.label_printer.kind, LabelPrinterKind::None);
    assert_eq!(after.label_printer.port, printer.addr().port());
    app.store().verify_audit_chain().unwrap();
}
