//! ZPL and PDF rendering of box labels, shelf labels, packing slips and manifests.
//!
//! Each document is a plain input struct ([`BoxLabel`], [`ShelfLabel`], [`PackingSlip`]) whose
//! layout is written once against [`canvas::Canvas`] and rendered by two backends: ZPL II for
//! Zebra-compatible printers (4×6 in and 100×150 mm, 203 and 300 dpi) and PDF (printpdf) with
//! barcodes drawn as vector rectangles. Invariants: data-derived text in ZPL is always
//! `^FH`-escaped; every barcode keeps its quiet zone; bad input is an error, never a bad label.

pub mod barcode;
pub mod box_label;
pub mod canvas;
pub mod carrier_label;
pub mod error;
pub mod packing_slip;
pub mod party;
pub mod pdf;
pub mod purchase_order;
pub mod receiving_report;
pub mod samples;
pub mod shelf_label;
pub mod size;
pub mod text;
pub mod zpl;

pub use box_label::{BoxBarcode, BoxLabel};
pub use carrier_label::{carrier_labels_pdf, CarrierLabel};
pub use error::LabelError;
pub use packing_slip::{PackingSlip, SlipKind, SlipLine};
pub use party::Party;
pub use purchase_order::{PurchaseOrderDocument, PurchaseOrderLine};
pub use receiving_report::{
    ReceivingReport, ReportImage, ReportLine, ReportSession, ReportSignature,
};
pub use shelf_label::ShelfLabel;
pub use size::{Dpi, LabelSize};

/// A one-page PDF for the device settings screen's "test print" on a PDF printer.
pub fn test_page_pdf() -> Vec<u8> {
    use canvas::Canvas;
    let mut c = pdf::PdfCanvas::new(210.0, 297.0);
    c.text(20.0, 20.0, 10.0, true, "Tally test print");
    c.text(
        20.0,
        35.0,
        5.0,
        false,
        "If you can read this, the printer works.",
    );
    c.frame(20.0, 50.0, 170.0, 100.0, 0.5);
    pdf::save("Tally test print", vec![c.into_page()])
}
