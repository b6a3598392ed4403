//! Barcodes at the bench: GTIN check digits, GS1 element strings, AIM symbology
//! prefixes, SSCC carton numbers, and `parse_scan`, which turns what a scanner sent into
//! a product code, GS1 data, a Tally reference or plain text for SKU lookup.

pub mod aim;
pub mod gs1;
pub mod gtin;
pub mod scan;
pub mod sscc;

pub use aim::{strip_aim, Symbology};
pub use gs1::{parse_element_string, Gs1Data, Gs1Date, Gs1Element, GS};
pub use gtin::{gs1_check_digit, Gtin, GtinFormat};
pub use scan::{parse_scan, ScanConfig, ScannedCode};
pub use sscc::Sscc;
