//! The receiving report rasterised with pdftoppm: the reference's Code 128 decodes with
//! zbarimg, and the photos are really on the page (the sample photos are red on the left
//! and blue on the right). Needs poppler-utils and zbar-tools; without them the test says
//! so and passes, except on CI (CI=true), where a missing tool fails the run.
//! Set TALLY_KEEP_RENDERS=<dir> to keep the PNG for a person to look at.

use std::path::Path;
use std::process::Command;

use tally_labels::receiving_report::sample;

fn tools_present() -> bool {
    let have = |tool: &str| Command::new(tool).arg("-h").output().is_ok();
    if have("pdftoppm") && have("zbarimg") {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("pdftoppm (poppler-utils) and zbarimg (zbar-tools) are required on CI");
    }
    eprintln!("SKIPPED: install poppler-utils and zbar-tools to decode rendered reports");
    false
}

/// Rasterises page 1 (PNG at 200 dpi for zbarimg, else PPM at 100 dpi). Returns the file.
fn raster(pdf_path: &Path, dir: &Path, png: bool) -> std::path::PathBuf {
    let prefix = dir.join(if png { "page" } else { "pixels" });
    let mut cmd = Command::new("pdftoppm");
    if png {
        cmd.arg("-png");
    }
    let st = cmd
        .args(["-r", if png { "200" } else { "100" }])
        .args(["-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf_path)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(st.success(), "pdftoppm failed");
    prefix.with_extension(if png { "png" } else { "ppm" })
}

/// RGB pixels of a binary PPM (`P6 <w> <h> 255` then bytes).
fn ppm_pixels(ppm: &[u8]) -> &[u8] {
    let mut i = 0;
    for _ in 0..4 {
        while ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        while !ppm[i].is_ascii_whitespace() {
            i += 1;
        }
    }
    &ppm[i + 1..]
}

#[test]
fn the_receiving_report_reference_decodes_and_its_photos_show() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = sample();
    let (pdf, _) = report.to_pdf().unwrap();
    let pdf_path = dir.path().join("report.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();

    let png = raster(&pdf_path, dir.path(), true);
    if let Ok(keep) = std::env::var("TALLY_KEEP_RENDERS") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&png, Path::new(&keep).join("receiving_report_sample.png")).unwrap();
    }
    let out = Command::new("zbarimg")
        .arg("-q")
        .arg(&png)
        .output()
        .unwrap();
    let codes = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(codes.trim(), format!("CODE-128:{}", report.consignment_ref));

    let ppm = std::fs::read(raster(&pdf_path, dir.path(), false)).unwrap();
    let px = ppm_pixels(&ppm).chunks_exact(3);
    let red = px
        .clone()
        .filter(|p| p[0] > 150 && p[1] < 90 && p[2] < 90)
        .count();
    let blue = px.filter(|p| p[2] > 150 && p[0] < 90 && p[1] < 90).count();
    assert!(
        red > 200 && blue > 200,
        "photos drawn: {red} red, {blue} blue pixels"
    );
}
