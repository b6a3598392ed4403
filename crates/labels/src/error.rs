//! The one error type of the labels crate.

/// Why a label could not be rendered.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum LabelError {
    /// A field of the label's input is not acceptable.
    #[error("the label's {field} is not valid: {detail}")]
    InvalidInput {
        /// Which field.
        field: &'static str,
        /// Why.
        detail: String,
    },
    /// The data cannot be encoded in the barcode.
    #[error("{symbology} cannot encode {data:?}: {detail}")]
    Barcode {
        /// Code 128, EAN-13, QR.
        symbology: &'static str,
        /// The data.
        data: String,
        /// Why.
        detail: String,
    },
    /// The barcode does not fit on the label at a size that still scans.
    #[error("the {symbology} barcode does not fit on this label size; use a larger label")]
    DoesNotFit {
        /// Which barcode.
        symbology: &'static str,
    },
}

impl LabelError {
    /// A stable code the UI and logs can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            LabelError::InvalidInput { .. } => "LABEL_INVALID_INPUT",
            LabelError::Barcode { .. } => "LABEL_BARCODE_DATA",
            LabelError::DoesNotFit { .. } => "LABEL_DOES_NOT_FIT",
        }
    }
}
