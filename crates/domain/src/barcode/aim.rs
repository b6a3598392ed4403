//! AIM symbology identifiers: the `]Xm` prefix a scanner adds (when enabled) to say what
//! kind of barcode it read.

/// The symbology a scanner reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// `]E0`: EAN-13, or UPC-A as 13 digits with a leading 0.
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
    /// Any other well-formed identifier (code letter, modifier).
    Other(char, char),
}

impl Symbology {
    /// True for symbologies whose data is a GS1 element string.
    pub fn is_gs1(self) -> bool {
        matches!(
            self,
            Self::Gs1_128 | Self::Gs1DataMatrix | Self::Gs1Qr | Self::Gs1DataBar
        )
    }

    /// True for EAN/UPC, whose data is a GTIN.
    pub fn is_ean_upc(self) -> bool {
        matches!(self, Self::Ean13 | Self::Ean8)
    }

    /// The three-character identifier.
    pub fn aim_id(self) -> String {
        let (code, modifier) = match self {
            Self::Ean13 => ('E', '0'),
            Self::Ean8 => ('E', '4'),
            Self::Code128 => ('C', '0'),
            Self::Gs1_128 => ('C', '1'),
            Self::DataMatrix => ('d', '1'),
            Self::Gs1DataMatrix => ('d', '2'),
            Self::Qr => ('Q', '1'),
            Self::Gs1Qr => ('Q', '3'),
            Self::Gs1DataBar => ('e', '0'),
            Self::Other(code, modifier) => (code, modifier),
        };
        format!("]{code}{modifier}")
    }

    fn from_parts(code: char, modifier: char) -> Self {
        match (code, modifier) {
            ('E', '0') => Self::Ean13,
            ('E', '4') => Self::Ean8,
            ('C', '0') => Self::Code128,
            ('C', '1') => Self::Gs1_128,
            ('d', '1') => Self::DataMatrix,
            ('d', '2') => Self::Gs1DataMatrix,
            ('Q', '1') => Self::Qr,
            ('Q', '3') => Self::Gs1Qr,
            ('e', '0') => Self::Gs1DataBar,
            _ => Self::Other(code, modifier),
        }
    }
}

/// Splits a leading AIM identifier (`]` + letter + letter or digit) off a scan.
/// Without one, returns `None` and the input unchanged.
pub fn strip_aim(raw: &str) -> (Option<Symbology>, &str) {
    let bytes = raw.as_bytes();
    if bytes.len() >= 3
        && bytes[0] == b']'
        && bytes[1].is_ascii_alphabetic()
        && bytes[2].is_ascii_alphanumeric()
    {
        let symbology = Symbology::from_parts(char::from(bytes[1]), char::from(bytes[2]));
        return (Some(symbology), &raw[3..]);
    }
    (None, raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_identifiers_are_recognised() {
        let cases = [
            ("]E0", Symbology::Ean13),
            ("]E4", Symbology::Ean8),
            ("]C0", Symbology::Code128),
            ("]C1", Symbology::Gs1_128),
            ("]d1", Symbology::DataMatrix),
            ("]d2", Symbology::Gs1DataMatrix),
            ("]Q1", Symbology::Qr),
            ("]Q3", Symbology::Gs1Qr),
            ("]e0", Symbology::Gs1DataBar),
        ];
        for (prefix, expected) in cases {
            let raw = format!("{prefix}12345");
            assert_eq!(strip_aim(&raw), (Some(expected), "12345"));
            assert_eq!(expected.aim_id(), prefix);
        }
    }

    #[test]
    fn gs1_symbologies_are_marked() {
        assert!(Symbology::Gs1_128.is_gs1());
        assert!(Symbology::Gs1DataMatrix.is_gs1());
        assert!(!Symbology::Code128.is_gs1());
        assert!(!Symbology::DataMatrix.is_gs1());
        assert!(Symbology::Ean13.is_ean_upc());
    }

    #[test]
    fn unknown_identifiers_are_kept_and_text_without_one_is_unchanged() {
        assert_eq!(
            strip_aim("]A0abc"),
            (Some(Symbology::Other('A', '0')), "abc")
        );
        assert_eq!(strip_aim("ABC-123"), (None, "ABC-123"));
        assert_eq!(strip_aim("]E"), (None, "]E"));
        assert_eq!(strip_aim("]é0"), (None, "]é0"));
        assert_eq!(strip_aim(""), (None, ""));
    }
}
