//! Barcode module patterns (which modules are dark), from `barcoders` (Code 128, EAN-13) and
//! `qrcode`, with the quiet zones each symbology needs.

use tally_domain::barcode::{Gtin, GtinFormat, Sscc};

use crate::error::LabelError;

/// What a Code 128 symbol carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Code128Content {
    /// An SSCC-18 as GS1-128: FNC1, application identifier (00), 18 digits.
    Sscc(String),
    /// Plain text (printable ASCII), e.g. a consignment reference.
    Text(String),
}

impl Code128Content {
    /// The data a scanner reports (without AIM prefix or FNC1).
    pub fn scanned_text(&self) -> String {
        match self {
            Code128Content::Sscc(s) => format!("00{s}"),
            Code128Content::Text(t) => t.clone(),
        }
    }
}

/// A linear barcode: its modules and the quiet zone it needs on each side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linear {
    /// Dark (true) or light modules, quiet zones excluded.
    pub modules: Vec<bool>,
    /// Light modules required before the symbol.
    pub quiet_left: u32,
    /// Light modules required after the symbol.
    pub quiet_right: u32,
}

impl Linear {
    /// Total width in modules, quiet zones included.
    pub fn total_modules(&self) -> u32 {
        self.modules.len() as u32 + self.quiet_left + self.quiet_right
    }

    /// Runs of dark modules as (start, length), for drawing one rectangle per bar.
    pub fn bars(&self) -> Vec<(u32, u32)> {
        runs(&self.modules)
    }
}

/// Runs of `true` as (start, length).
pub fn runs(modules: &[bool]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &dark) in modules.iter().chain(std::iter::once(&false)).enumerate() {
        match (dark, start) {
            (true, None) => start = Some(i as u32),
            (false, Some(s)) => {
                out.push((s, i as u32 - s));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Encodes Code 128 (or GS1-128 for an SSCC). Quiet zone: 10 modules each side.
pub fn code128(content: &Code128Content) -> Result<Linear, LabelError> {
    let err = |data: &str, detail: &str| LabelError::Barcode {
        symbology: "Code 128",
        data: data.to_string(),
        detail: detail.to_string(),
    };
    // barcoders takes the character set as a leading marker: Ć = set C (digit pairs),
    // Ɓ = set B (printable ASCII); Ź is FNC1.
    let encoded = match content {
        Code128Content::Sscc(s) => {
            // The GS1 rules are the domain's: labels only refuse to print a bad number.
            if Sscc::parse(s).is_err() {
                return Err(err(s, "an SSCC is 18 digits ending in its check digit"));
            }
            format!("ĆŹ00{s}")
        }
        Code128Content::Text(t) => {
            if t.is_empty() || t.len() > 40 {
                return Err(err(t, "needs 1 to 40 characters"));
            }
            if !t.chars().all(|c| (' '..='~').contains(&c)) {
                return Err(err(
                    t,
                    "only letters, digits and ASCII punctuation can be encoded",
                ));
            }
            if t.len() % 2 == 0 && t.chars().all(|c| c.is_ascii_digit()) {
                format!("Ć{t}")
            } else {
                format!("Ɓ{t}")
            }
        }
    };
    let symbol = barcoders::sym::code128::Code128::new(&encoded)
        .map_err(|e| err(&content.scanned_text(), &e.to_string()))?;
    Ok(Linear {
        modules: symbol.encode().into_iter().map(|b| b == 1).collect(),
        quiet_left: 10,
        quiet_right: 10,
    })
}

/// Encodes EAN-13 from 13 digits (check digit verified). Quiet zones: 11 left, 7 right.
pub fn ean13(code: &str) -> Result<Linear, LabelError> {
    if !Gtin::parse(code).is_ok_and(|g| g.format() == GtinFormat::Gtin13) {
        return Err(LabelError::Barcode {
            symbology: "EAN-13",
            data: code.to_string(),
            detail: "an EAN-13 is 13 digits ending in its check digit".into(),
        });
    }
    let symbol = barcoders::sym::ean13::EAN13::new(code).map_err(|e| LabelError::Barcode {
        symbology: "EAN-13",
        data: code.to_string(),
        detail: e.to_string(),
    })?;
    Ok(Linear {
        modules: symbol.encode().into_iter().map(|b| b == 1).collect(),
        quiet_left: 11,
        quiet_right: 7,
    })
}

/// A QR code's module grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qr {
    /// Modules per side.
    pub size: u32,
    /// Row-major, dark = true.
    pub dark: Vec<bool>,
}

/// Quiet zone of a QR code, in modules, each side.
pub const QR_QUIET: u32 = 4;

impl Qr {
    /// Width including the quiet zone, in modules.
    pub fn total_modules(&self) -> u32 {
        self.size + 2 * QR_QUIET
    }
}

/// Encodes a QR code at error correction level M.
pub fn qr(data: &str) -> Result<Qr, LabelError> {
    if data.is_empty() {
        return Err(LabelError::Barcode {
            symbology: "QR",
            data: String::new(),
            detail: "nothing to encode".into(),
        });
    }
    let code = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| LabelError::Barcode {
            symbology: "QR",
            data: data.chars().take(40).collect(),
            detail: e.to_string(),
        })?;
    Ok(Qr {
        size: code.width() as u32,
        dark: code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sscc_is_gs1_128_in_set_c() {
        let b = code128(&Code128Content::Sscc("094212340000000016".into())).unwrap();
        // Start C + FNC1 + 10 digit pairs + check + stop: 13 symbols × 11 + 13-module stop.
        assert_eq!(b.modules.len(), 13 * 11 + 13);
        assert_eq!((b.quiet_left, b.quiet_right), (10, 10));
        assert!(code128(&Code128Content::Sscc("106141411234567897".into())).is_ok());
    }

    #[test]
    fn a_bad_sscc_check_digit_is_refused() {
        assert_eq!(
            code128(&Code128Content::Sscc("094212340000000017".into()))
                .unwrap_err()
                .code(),
            "LABEL_BARCODE_DATA"
        );
    }

    #[test]
    fn text_outside_ascii_is_refused() {
        assert!(code128(&Code128Content::Text("TR-Ā1".into())).is_err());
        assert!(code128(&Code128Content::Text("TR-000123".into())).is_ok());
    }

    #[test]
    fn ean13_has_95_modules_and_checks_its_digit() {
        assert_eq!(ean13("9421234567892").unwrap().modules.len(), 95);
        assert!(ean13("9421234567893").is_err());
        assert!(ean13("942123456789").is_err());
        assert!(ean13("4006381333931").is_ok());
        assert!(ean13("4006381333932").is_err());
        // A valid UPC-A or EAN-8 is not an EAN-13.
        assert!(ean13("036000291452").is_err());
        assert!(ean13("96385074").is_err());
    }

    #[test]
    fn bars_are_runs_of_dark_modules() {
        assert_eq!(
            runs(&[true, true, false, true, false, false, true]),
            vec![(0, 2), (3, 1), (6, 1)]
        );
    }

    #[test]
    fn qr_is_square() {
        let q = qr("https://tally.example/c/TR-000123").unwrap();
        assert_eq!(q.dark.len() as u32, q.size * q.size);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_text_either_encodes_or_errors(s in "\\PC{0,50}") {
            let _ = code128(&Code128Content::Text(s.clone()));
            let _ = ean13(&s);
        }
    }

    proptest! {
        // QR encoding is slow in debug builds, so fewer cases here.
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn any_text_encodes_as_qr_or_errors(s in "\\PC{0,50}") {
            let _ = qr(&s);
        }
    }
}
