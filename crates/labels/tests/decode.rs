//! Renders each PDF document, rasterises it with pdftoppm and decodes every barcode with
//! zbarimg: a label whose barcodes do not decode to the input is a defect.
//! Needs poppler-utils and zbar-tools; without them the tests say so and pass, except on CI
//! (CI=true), where a missing tool fails the run.

use std::path::Path;
use std::process::Command;

use rust_decimal_macros::dec;
use tally_labels::{samples, BoxBarcode, LabelSize};

fn tools_present() -> bool {
    let have = |tool: &str| Command::new(tool).arg("-h").output().is_ok();
    if have("pdftoppm") && have("zbarimg") {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("pdftoppm (poppler-utils) and zbarimg (zbar-tools) are required on CI");
    }
    eprintln!("SKIPPED: install poppler-utils and zbar-tools to decode rendered labels");
    false
}

/// Rasterises page 1 of `pdf` at `dpi` and returns zbarimg's "TYPE:data" lines, sorted.
fn decode(pdf: &[u8], dpi: u32, dir: &Path, name: &str) -> Vec<String> {
    decode_top(pdf, dpi, dir, name, None)
}

/// As [`decode`], rasterising only the top `height_px` pixels (an A4 page's header).
fn decode_top(pdf: &[u8], dpi: u32, dir: &Path, name: &str, height_px: Option<u32>) -> Vec<String> {
    let pdf_path = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf_path, pdf).unwrap();
    let prefix = dir.join(name);
    let mut cmd = Command::new("pdftoppm");
    cmd.args([
        "-png",
        "-r",
        &dpi.to_string(),
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
    ]);
    if let Some(h) = height_px {
        cmd.args(["-x", "0", "-y", "0", "-W", "2000", "-H", &h.to_string()]);
    }
    let st = cmd.arg(&pdf_path).arg(&prefix).status().unwrap();
    assert!(st.success(), "pdftoppm failed");
    let out = Command::new("zbarimg")
        .args(["-q"])
        .arg(prefix.with_extension("png"))
        .output()
        .unwrap();
    let mut codes: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    codes.sort();
    codes
}

fn assert_box_label_decodes(size: LabelSize) {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let label = samples::box_label();
    let codes = decode(&label.to_pdf(size).unwrap(), 150, dir.path(), "box");
    assert_eq!(
        codes,
        vec![
            "CODE-128:00094212340000000016".to_string(),
            format!("QR-Code:{}", label.qr)
        ]
    );
}

#[test]
fn box_label_4x6_barcodes_decode_to_the_input() {
    assert_box_label_decodes(LabelSize::FourBySixInch);
}

#[test]
fn box_label_100x150_barcodes_decode_to_the_input() {
    assert_box_label_decodes(LabelSize::Mm100x150);
}

#[test]
fn box_label_with_a_reference_barcode_decodes() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut label = samples::box_label();
    label.barcode = BoxBarcode::Code128("TR-2025-000123/2".into());
    label.weight_kg = None;
    let codes = decode(
        &label.to_pdf(LabelSize::FourBySixInch).unwrap(),
        150,
        dir.path(),
        "box-ref",
    );
    assert!(
        codes.contains(&"CODE-128:TR-2025-000123/2".to_string()),
        "{codes:?}"
    );
}

#[test]
fn box_label_decodes_at_a_203_dpi_rasterisation() {
    // The thermal printer's own resolution: the barcode must survive being snapped to dots.
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let codes = decode(
        &samples::box_label().to_pdf(LabelSize::Mm100x150).unwrap(),
        203,
        dir.path(),
        "box-203",
    );
    assert!(
        codes.contains(&"CODE-128:00094212340000000016".to_string()),
        "{codes:?}"
    );
}

#[test]
fn shelf_label_ean13_decodes_to_the_input() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut label = samples::shelf_label();
    let cases = [
        ("9421234567892", dec!(12.99), LabelSize::Mm100x150),
        ("4006381333931", dec!(1234.5), LabelSize::FourBySixInch),
    ];
    for (ean, price, size) in cases {
        label.ean13 = ean.into();
        label.price_incl_gst = price;
        let codes = decode(
            &label.to_pdf(size).unwrap(),
            150,
            dir.path(),
            &format!("shelf-{ean}"),
        );
        assert_eq!(codes, vec![format!("EAN-13:{ean}")], "{size:?}");
    }
}

#[test]
fn manifest_reference_barcode_decodes_on_a4() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The header band is enough: the barcode sits in the top 40 mm.
    let codes = decode_top(
        &samples::manifest().to_pdf().unwrap(),
        150,
        dir.path(),
        "manifest",
        Some(240),
    );
    assert_eq!(codes, vec!["CODE-128:TR-2025-000123".to_string()]);
}

#[test]
fn manifest_runs_onto_a_second_page() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.pdf");
    std::fs::write(&path, samples::manifest().to_pdf().unwrap()).unwrap();
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("Pages:") && l.trim_end().ends_with('2')),
        "{text}"
    );
}

#[test]
fn a_carrier_label_carries_its_tracking_number_as_code_128() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for tracking in ["007942100000010001", "NZC00000002"] {
        let pdf = tally_labels::carrier_labels_pdf(&[tally_labels::CarrierLabel {
            lines: vec!["CourierPost".into(), "To: Newmarket".into()],
            tracking: tracking.into(),
        }])
        .unwrap();
        assert_eq!(
            decode(&pdf, 200, dir.path(), "carrier"),
            vec![format!("CODE-128:{tracking}")]
        );
    }
}
