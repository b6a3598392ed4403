//! One scan from a serial or USB-CDC scanner: a line, possibly starting with an AIM
//! symbology identifier (`]E0`, `]C1`, …). The identifier is split off but kept, because the
//! domain's barcode parser needs it to tell GS1 data from plain data.

use serde::{Deserialize, Serialize};

/// The symbology named by an AIM identifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    /// `]E0`: EAN-13 or UPC-A (UPC-A arrives as 13 digits with a leading 0).
    Ean13,
    /// `]E4`: EAN-8.
    Ean8,
    /// `]C0`: Code 128.
    Code128,
    /// `]C1`: GS1-128.
    Gs1_128,
    /// `]d1`: Data Matrix.
    DataMatrix,
    /// `]d2`: GS1 DataMatrix.
    Gs1DataMatrix,
    /// `]Q1`: QR Code.
    Qr,
    /// `]Q3`: GS1 QR Code.
    Gs1Qr,
    /// `]e0`: GS1 DataBar.
    Gs1DataBar,
    /// Any other identifier, as sent.
    Other(String),
}

impl Symbology {
    fn from_aim(code: &str) -> Symbology {
        match code {
            "E0" => Symbology::Ean13,
            "E4" => Symbology::Ean8,
            "C0" => Symbology::Code128,
            "C1" => Symbology::Gs1_128,
            "d1" => Symbology::DataMatrix,
            "d2" => Symbology::Gs1DataMatrix,
            "Q1" => Symbology::Qr,
            "Q3" => Symbology::Gs1Qr,
            "e0" => Symbology::Gs1DataBar,
            other => Symbology::Other(other.to_string()),
        }
    }
}

/// A scan as the scanner sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// The whole line, AIM prefix included (what the domain parser takes).
    pub raw: String,
    /// The AIM identifier without its `]`, e.g. `C1`, when present.
    pub aim: Option<String>,
    /// What the identifier means.
    pub symbology: Option<Symbology>,
    /// The data after the identifier; GS (0x1D) separators kept as they are.
    pub data: String,
}

/// Parses one line (terminator removed). Returns None for an empty line.
/// Bytes that are not UTF-8 become U+FFFD rather than being dropped silently.
pub fn parse_scan_line(line: &[u8]) -> Option<Scan> {
    let raw = String::from_utf8_lossy(line).into_owned();
    if raw.trim().is_empty() {
        return None;
    }
    let (aim, data) = match raw.strip_prefix(']') {
        Some(rest) if rest.len() >= 2 && rest.is_char_boundary(2) => {
            let (id, data) = rest.split_at(2);
            if id.chars().all(|c| c.is_ascii_alphanumeric()) {
                (Some(id.to_string()), data.to_string())
            } else {
                (None, raw.clone())
            }
        }
        _ => (None, raw.clone()),
    };
    Some(Scan {
        symbology: aim.as_deref().map(Symbology::from_aim),
        raw,
        aim,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ean13_with_aim_prefix() {
        let s = parse_scan_line(b"]E09421234567892").unwrap();
        assert_eq!(s.aim.as_deref(), Some("E0"));
        assert_eq!(s.symbology, Some(Symbology::Ean13));
        assert_eq!(s.data, "9421234567892");
        assert_eq!(s.raw, "]E09421234567892");
    }

    #[test]
    fn gs1_128_keeps_the_group_separator() {
        let s = parse_scan_line(b"]C1010942123456789310ABC\x1d21XYZ").unwrap();
        assert_eq!(s.symbology, Some(Symbology::Gs1_128));
        assert_eq!(s.data, "010942123456789310ABC\u{1d}21XYZ");
    }

    #[test]
    fn no_prefix_means_no_symbology() {
        let s = parse_scan_line(b"TR-000123").unwrap();
        assert_eq!(s.aim, None);
        assert_eq!(s.data, "TR-000123");
    }

    #[test]
    fn empty_line_is_not_a_scan() {
        assert!(parse_scan_line(b"").is_none());
        assert!(parse_scan_line(b"   ").is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_bytes_parse_without_panic(data in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Some(s) = parse_scan_line(&data) {
                prop_assert!(s.raw.ends_with(&s.data));
            }
        }
    }
}
