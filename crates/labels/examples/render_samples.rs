//! Renders the sample documents to a folder (default /tmp/tally-labels) as PDF and ZPL, and
//! as PNG when pdftoppm is installed, for people to look at.
//!
//! cargo run -p tally-labels --example render_samples [-- <dir>]

use std::path::PathBuf;
use std::process::Command;

use tally_labels::{samples, Dpi, LabelSize};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/tally-labels".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let docs: Vec<(&str, Vec<u8>)> = vec![
        (
            "box-label-4x6",
            samples::box_label().to_pdf(LabelSize::FourBySixInch)?,
        ),
        (
            "box-label-100x150",
            samples::box_label().to_pdf(LabelSize::Mm100x150)?,
        ),
        (
            "shelf-label-100x150",
            samples::shelf_label().to_pdf(LabelSize::Mm100x150)?,
        ),
        ("manifest-a4", samples::manifest().to_pdf()?),
    ];
    for (name, pdf) in docs {
        let path = dir.join(format!("{name}.pdf"));
        std::fs::write(&path, pdf)?;
        let png = Command::new("pdftoppm")
            .args(["-png", "-r", "150"])
            .arg(&path)
            .arg(dir.join(name))
            .status();
        println!(
            "{} {}",
            path.display(),
            if matches!(png, Ok(s) if s.success()) {
                "(+ png)"
            } else {
                "(no pdftoppm)"
            }
        );
    }
    std::fs::write(
        dir.join("box-label-4x6-203.zpl"),
        samples::box_label().to_zpl(LabelSize::FourBySixInch, Dpi::D203)?,
    )?;
    std::fs::write(
        dir.join("shelf-label-100x150-300.zpl"),
        samples::shelf_label().to_zpl(LabelSize::Mm100x150, Dpi::D300)?,
    )?;
    std::fs::write(
        dir.join("manifest-4x6-203.zpl"),
        samples::manifest().to_zpl(LabelSize::FourBySixInch, Dpi::D203)?,
    )?;
    Ok(())
}
