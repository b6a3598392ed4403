//! Small but real label files: PDF pages (100 × 150 mm) with the tracking number as a
//! Code 128 barcode, and a ZPL label.

use tally_labels::{carrier_labels_pdf, CarrierLabel};

/// A PDF of parcel labels, one page each: the lines, and the tracking number as a
/// Code 128 barcode (drawn by `tally-labels`, as Tally's own labels are).
pub fn label_pdf(labels: &[(Vec<String>, String)]) -> Vec<u8> {
    let labels: Vec<CarrierLabel> = labels
        .iter()
        .map(|(lines, tracking)| CarrierLabel {
            lines: lines.clone(),
            tracking: tracking.clone(),
        })
        .collect();
    // The fakes' tracking numbers are digits and letters: they always encode.
    carrier_labels_pdf(&labels)
        .unwrap_or_else(|e| format!("%PDF-1.4 label failed: {e}").into_bytes())
}

/// A ZPL label (4 × 6 in at 203 dpi) with the lines and a Code 128 barcode.
pub fn label_zpl(lines: &[String], barcode: &str) -> Vec<u8> {
    let mut z = String::from("^XA^CI28\n");
    for (i, line) in lines.iter().enumerate() {
        let clean: String = line.chars().filter(|c| *c != '^' && *c != '~').collect();
        z.push_str(&format!("^FO40,{}^A0N,36,36^FD{clean}^FS\n", 40 + i * 50));
    }
    z.push_str(&format!(
        "^FO40,900^BY3^BCN,200,Y,N,N^FD{barcode}^FS\n^XZ\n"
    ));
    z.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_a_pdf_that_differs_with_the_tracking_number() {
        let one = |t: &str| label_pdf(&[(vec!["NZ Post".into()], t.into())]);
        assert!(one("007942100000010001").starts_with(b"%PDF"));
        assert_ne!(one("007942100000010001"), one("007942100000010002"));
    }
}
