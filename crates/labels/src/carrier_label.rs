//! A carrier's parcel label as the fake carriers hand it out: 100 × 150 mm, the
//! carrier's lines in Helvetica and the tracking number as a Code 128 barcode (quiet
//! zones kept) with its digits printed below, so a scanner, or a test, reads it back.

use crate::barcode::{self, Code128Content};
use crate::canvas::{fit_module, Align, Canvas};
use crate::error::LabelError;
use crate::pdf::{self, PdfCanvas};

const W: f32 = 100.0;
const H: f32 = 150.0;
const MARGIN: f32 = 6.0;

/// One parcel's label: the carrier's lines and the tracking number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierLabel {
    pub lines: Vec<String>,
    pub tracking: String,
}

/// The labels as a PDF, one page each.
pub fn carrier_labels_pdf(labels: &[CarrierLabel]) -> Result<Vec<u8>, LabelError> {
    if labels.is_empty() {
        return Err(LabelError::InvalidInput {
            field: "labels",
            detail: "no label to print".into(),
        });
    }
    let pages = labels
        .iter()
        .map(|l| page(&l.lines, &l.tracking))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(pdf::save(&labels[0].tracking, pages))
}

fn page(lines: &[String], tracking: &str) -> Result<printpdf::PdfPage, LabelError> {
    let content = Code128Content::Text(tracking.to_owned());
    let symbol = barcode::code128(&content)?;
    let mut c = PdfCanvas::new(W, H);
    let inner = W - 2.0 * MARGIN;
    let mut y = MARGIN;
    for (i, line) in lines.iter().enumerate() {
        let size = if i == 0 { 7.0 } else { 4.2 };
        c.text_in(MARGIN, y, inner, size, i == 0, Align::Left, line);
        y += size + 2.5;
    }
    c.fill_rect(MARGIN, y, inner, 0.5);
    let module =
        fit_module(&c, symbol.total_modules(), inner, 0.5, 0.25).ok_or(LabelError::DoesNotFit {
            symbology: "Code 128",
        })?;
    let bw = symbol.total_modules() as f32 * module;
    let by = (y + 6.0).max(H - 55.0);
    c.text(MARGIN, by - 5.0, 3.0, false, "TRACKING");
    c.code128(
        MARGIN + (inner - bw) / 2.0,
        by,
        module,
        30.0,
        &symbol,
        &content,
    );
    c.text_in(MARGIN, by + 33.0, inner, 5.0, true, Align::Center, tracking);
    Ok(c.into_page())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_one_pdf_and_bad_tracking_is_an_error_not_a_bad_label() {
        let label = |tracking: &str| CarrierLabel {
            lines: vec!["CourierPost".into(), "To: Newmarket".into()],
            tracking: tracking.into(),
        };
        let pdf = carrier_labels_pdf(&[label("007942100000010001"), label("NZC00000002")]).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let e = carrier_labels_pdf(&[label("tracking\u{7}bell")]).unwrap_err();
        assert_eq!(e.code(), "LABEL_BARCODE_DATA", "{e}");
        assert_eq!(
            carrier_labels_pdf(&[]).unwrap_err().code(),
            "LABEL_INVALID_INPUT"
        );
    }
}
