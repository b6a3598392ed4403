//! ZPL structure: dimensions, UTF-8, escaping of every data-derived field, barcode commands.
//! (No ZPL renderer is available offline, so the output is checked as text.)

use proptest::prelude::*;
use tally_labels::zpl::field_data;
use tally_labels::{samples, Dpi, LabelSize};

fn all_formats() -> Vec<(String, LabelSize, Dpi, String)> {
    let mut out = Vec::new();
    for size in LabelSize::ALL {
        for dpi in Dpi::ALL {
            out.push((
                "box".into(),
                size,
                dpi,
                samples::box_label().to_zpl(size, dpi).unwrap(),
            ));
            out.push((
                "shelf".into(),
                size,
                dpi,
                samples::shelf_label().to_zpl(size, dpi).unwrap(),
            ));
            out.push((
                "manifest".into(),
                size,
                dpi,
                samples::manifest().to_zpl(size, dpi).unwrap(),
            ));
        }
    }
    out
}

/// Every ^FO x,y in the format.
fn origins(zpl: &str) -> Vec<(u32, u32)> {
    zpl.split("^FO")
        .skip(1)
        .filter_map(|rest| {
            let end = rest.find('^')?;
            let (x, y) = rest[..end].split_once(',')?;
            Some((x.trim().parse().ok()?, y.trim().parse().ok()?))
        })
        .collect()
}

#[test]
fn every_format_declares_utf8_and_its_size_in_dots() {
    for (doc, size, dpi, zpl) in all_formats() {
        let pages = zpl.matches("^XA").count();
        assert_eq!(pages, zpl.matches("^XZ").count(), "{doc}");
        assert_eq!(pages, zpl.matches("^CI28").count(), "{doc}");
        assert_eq!(
            zpl.matches(&format!("^PW{}\n", size.width_dots(dpi)))
                .count(),
            pages,
            "{doc} {size:?} {dpi:?}"
        );
        assert_eq!(
            zpl.matches(&format!("^LL{}\n", size.height_dots(dpi)))
                .count(),
            pages,
            "{doc} {size:?} {dpi:?}"
        );
        for (x, y) in origins(&zpl) {
            assert!(
                x < size.width_dots(dpi) && y < size.height_dots(dpi),
                "{doc} {size:?} {dpi:?}: ^FO{x},{y} is off the label"
            );
        }
    }
}

#[test]
fn one_label_is_one_format_and_the_manifest_is_several() {
    let box_zpl = samples::box_label()
        .to_zpl(LabelSize::FourBySixInch, Dpi::D203)
        .unwrap();
    assert!(box_zpl.starts_with("^XA\n^CI28\n^PW812\n^LL1218\n"));
    assert_eq!(box_zpl.matches("^XA").count(), 1);
    let manifest = samples::manifest()
        .to_zpl(LabelSize::FourBySixInch, Dpi::D203)
        .unwrap();
    assert_eq!(manifest.matches("^XA").count(), 2, "30 lines at 16 a page");
    assert!(manifest.contains("page 2 of 2"));
}

#[test]
fn no_field_carries_a_raw_caret_or_tilde() {
    for (doc, _, _, zpl) in all_formats() {
        for f in field_data(&zpl) {
            assert!(!f.contains('^') && !f.contains('~'), "{doc}: {f:?}");
        }
        // Every field but the EAN-13 digits is hex-escapable.
        assert_eq!(
            zpl.matches("^FD").count(),
            zpl.matches("^FH^FD").count() + zpl.matches("^BEN").count(),
            "{doc}"
        );
    }
}

#[test]
fn an_injection_attempt_in_a_product_name_prints_as_text() {
    let zpl = samples::manifest()
        .to_zpl(LabelSize::Mm100x150, Dpi::D300)
        .unwrap();
    // The manifest's third line is named "^XZ^XA product ... ~JA ...".
    assert!(zpl.contains("_5EXZ_5EXA product"), "{zpl}");
    assert_eq!(zpl.matches("^XA").count(), 2);
    let mut label = samples::box_label();
    label.to.name = "^XZ^XA^FO0,0^GB999,999,999^FS~JA".into();
    label.from.lines = vec!["~HS_".into()];
    let zpl = label.to_zpl(LabelSize::FourBySixInch, Dpi::D203).unwrap();
    assert_eq!(zpl.matches("^XA").count(), 1);
    assert_eq!(zpl.matches("^XZ").count(), 1);
    assert!(!zpl.contains("~JA") && !zpl.contains("~HS"));
    assert!(zpl.contains("_7EHS_5F"));
}

#[test]
fn barcodes_use_native_zpl_commands() {
    let zpl = samples::box_label()
        .to_zpl(LabelSize::FourBySixInch, Dpi::D203)
        .unwrap();
    assert!(zpl.contains("^BCN,"), "Code 128");
    assert!(
        zpl.contains("^FH^FD>;>800094212340000000016^FS"),
        "SSCC as GS1-128 with FNC1 and AI 00"
    );
    assert!(zpl.contains("^BQN,2,"), "QR");
    assert!(zpl.contains("^FDMA,https://tally.example/c/TR-2025-000123/box/2^FS"));
    let shelf = samples::shelf_label()
        .to_zpl(LabelSize::Mm100x150, Dpi::D203)
        .unwrap();
    assert!(
        shelf.contains("^BEN,") && shelf.contains("^FD942123456789^FS"),
        "EAN-13 takes 12 digits"
    );
}

#[test]
fn code128_modules_are_whole_dots() {
    // 0.5 mm at 203 dpi is exactly 4 dots; at 300 dpi the module snaps down to 5 dots.
    let z203 = samples::box_label()
        .to_zpl(LabelSize::FourBySixInch, Dpi::D203)
        .unwrap();
    assert!(z203.contains("^BY4,3,"), "{z203}");
    let z300 = samples::box_label()
        .to_zpl(LabelSize::FourBySixInch, Dpi::D300)
        .unwrap();
    assert!(z300.contains("^BY5,3,"), "{z300}");
}

#[test]
fn bad_input_is_refused_not_printed() {
    let mut label = samples::box_label();
    label.box_number = 4;
    assert_eq!(
        label
            .to_zpl(LabelSize::FourBySixInch, Dpi::D203)
            .unwrap_err()
            .code(),
        "LABEL_INVALID_INPUT"
    );
    let mut shelf = samples::shelf_label();
    shelf.ean13 = "9421234567893".into();
    assert_eq!(
        shelf.to_pdf(LabelSize::Mm100x150).unwrap_err().code(),
        "LABEL_BARCODE_DATA"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn any_names_keep_the_format_whole(from in "\\PC{1,60}", to in "\\PC{1,60}", note in "\\PC{0,20}") {
        let mut label = samples::box_label();
        label.from.name = format!("x{from}");
        label.to.name = format!("x{to}");
        label.note = Some(note);
        let zpl = label.to_zpl(LabelSize::Mm100x150, Dpi::D203).unwrap();
        prop_assert_eq!(zpl.matches("^XA").count(), 1);
        prop_assert_eq!(zpl.matches("^XZ").count(), 1);
        for f in field_data(&zpl) {
            prop_assert!(!f.contains('^') && !f.contains('~'));
        }
    }
}
