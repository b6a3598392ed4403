//! Printer drivers against the simulated network ZPL printer on 127.0.0.1, and the
//! station-level print/reprint/status API.

use std::time::Duration;

use tally_devices::drivers::network_zpl::NetworkZplPrinter;
use tally_devices::manager::{DeviceManager, TEST_LABEL_ZPL};
use tally_devices::print_job;
use tally_devices::{PrintFormat, Printer, PrinterConfig, StationDeviceConfig};
use tally_testkit::devices::{SimPrinterStatus, ZplPrinterSim};

fn printer(sim: &ZplPrinterSim) -> NetworkZplPrinter {
    NetworkZplPrinter::new("bench", "127.0.0.1", sim.addr().port())
        .with_timeout(Duration::from_secs(2))
}

#[test]
fn a_zpl_job_arrives_byte_for_byte() {
    let sim = ZplPrinterSim::start().unwrap();
    let mut p = printer(&sim);
    let job = print_job::print(&mut p, PrintFormat::Zpl, b"^XA^FDbox 1^FS^XZ").unwrap();
    assert_eq!(
        sim.wait_for_jobs(1, Duration::from_secs(2)),
        vec![b"^XA^FDbox 1^FS^XZ".to_vec()]
    );
    assert_eq!(job.printer, "bench");
    // The status query before the job is not part of the job.
    assert_eq!(sim.status_queries(), 1);
}

#[test]
fn host_status_reports_paper_out_and_head_open() {
    let sim = ZplPrinterSim::start().unwrap();
    let mut p = printer(&sim);
    assert!(p.status().unwrap().unwrap().is_ready());
    sim.set_status(SimPrinterStatus {
        paper_out: true,
        head_open: true,
        paused: false,
    });
    let s = p.status().unwrap().unwrap();
    assert!(s.paper_out && s.head_open && !s.paused);
}

#[test]
fn a_printer_out_of_labels_is_not_sent_the_job() {
    let sim = ZplPrinterSim::start().unwrap();
    sim.set_status(SimPrinterStatus {
        paper_out: true,
        ..Default::default()
    });
    let mut p = printer(&sim);
    let e = print_job::print(&mut p, PrintFormat::Zpl, b"^XA^XZ").unwrap_err();
    assert_eq!(e.code(), "PRINTER_NOT_READY");
    assert!(e.to_string().contains("out of labels"), "{e}");
    std::thread::sleep(Duration::from_millis(50));
    assert!(sim.jobs().is_empty());
}

#[test]
fn a_printer_that_is_off_is_not_connected() {
    let sim = ZplPrinterSim::start().unwrap();
    let port = sim.addr().port();
    drop(sim);
    // Nothing listens on the port any more.
    let mut p =
        NetworkZplPrinter::new("bench", "127.0.0.1", port).with_timeout(Duration::from_millis(500));
    let e = p.send(PrintFormat::Zpl, b"^XA^XZ").unwrap_err();
    assert!(e.is_disconnect(), "{e:?}");
}

fn station(sim: &ZplPrinterSim, dir: &std::path::Path) -> DeviceManager {
    DeviceManager::start(StationDeviceConfig {
        printers: vec![
            PrinterConfig::NetworkZpl {
                name: "zebra".into(),
                host: "127.0.0.1".into(),
                port: sim.addr().port(),
            },
            PrinterConfig::File {
                name: "save".into(),
                dir: dir.to_path_buf(),
            },
        ],
        label_printer: Some("zebra".into()),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn a_stored_job_reprints_the_same_bytes() {
    let sim = ZplPrinterSim::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let m = station(&sim, dir.path());
    let job = m
        .print("zebra", PrintFormat::Zpl, b"^XA^FDlabel^FS^XZ")
        .unwrap();
    let again = m.reprint(&job, b"^XA^FDlabel^FS^XZ").unwrap();
    assert_eq!(again.reprint_of, Some(job.id));
    let jobs = sim.wait_for_jobs(2, Duration::from_secs(2));
    assert_eq!(jobs[0], jobs[1]);
    assert_eq!(
        m.reprint(&job, b"^XA^FDother^FS^XZ").unwrap_err().code(),
        "PRINT_REPRINT_MISMATCH"
    );
}

#[test]
fn test_print_sends_zpl_to_label_printers_and_the_given_pdf_to_files() {
    let sim = ZplPrinterSim::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let m = station(&sim, dir.path());
    m.test_print("zebra", b"%PDF-1.7 test").unwrap();
    assert_eq!(
        sim.wait_for_jobs(1, Duration::from_secs(2))[0],
        TEST_LABEL_ZPL.as_bytes()
    );
    let job = m.test_print("save", b"%PDF-1.7 test").unwrap();
    let saved = job.outcome.output.unwrap();
    assert_eq!(std::fs::read(saved).unwrap(), b"%PDF-1.7 test");
    assert!(m.printer_status("zebra").unwrap().unwrap().is_ready());
    assert_eq!(m.printer_status("save").unwrap(), None);
}

#[test]
fn an_unknown_printer_name_is_a_settings_error() {
    let sim = ZplPrinterSim::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let m = station(&sim, dir.path());
    assert_eq!(
        m.print("nope", PrintFormat::Zpl, b"^XA^XZ")
            .unwrap_err()
            .code(),
        "DEVICE_INVALID_CONFIG"
    );
}

#[test]
fn a_printer_unplugged_and_plugged_back_prints_again_and_garbage_status_is_an_error() {
    let mut sim = ZplPrinterSim::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let m = station(&sim, dir.path());
    m.print("zebra", PrintFormat::Zpl, b"^XA^FDone^FS^XZ")
        .unwrap();
    assert_eq!(sim.wait_for_jobs(1, Duration::from_secs(2)).len(), 1);

    // Unplugged: the job fails as a disconnect (the screen says to check the cable),
    // and nothing is half-sent.
    sim.unplug();
    let e = m
        .print("zebra", PrintFormat::Zpl, b"^XA^FDtwo^FS^XZ")
        .unwrap_err();
    assert!(e.is_disconnect(), "{e:?}");
    assert_eq!(sim.jobs().len(), 1);

    // Plugged back in: the next job goes through on the same settings.
    sim.replug().unwrap();
    m.print("zebra", PrintFormat::Zpl, b"^XA^FDthree^FS^XZ")
        .unwrap();
    let jobs = sim.wait_for_jobs(2, Duration::from_secs(2));
    assert_eq!(jobs.last().unwrap(), b"^XA^FDthree^FS^XZ");

    // Line noise instead of a host status is an error with a code, never "ready".
    sim.send_garbage(true);
    let bad = m.printer_status("zebra");
    assert!(
        bad.as_ref().is_err()
            || bad
                .as_ref()
                .is_ok_and(|s| s.as_ref().is_some_and(|s| !s.is_ready())),
        "garbage is not a ready printer: {bad:?}"
    );
    if let Err(e) = &bad {
        assert!(!e.code().is_empty());
    }
    sim.send_garbage(false);
    assert!(m.printer_status("zebra").unwrap().unwrap().is_ready());
}
