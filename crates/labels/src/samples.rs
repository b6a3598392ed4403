//! Sample inputs for tests, the sample renderer and the demo.

use rust_decimal_macros::dec;

use crate::{BoxBarcode, BoxLabel, PackingSlip, Party, ShelfLabel, SlipKind, SlipLine};

/// A box label from one outlet to another with an SSCC.
pub fn box_label() -> BoxLabel {
    BoxLabel {
        from: Party::new(
            "Vape Shed Hamilton East",
            &["12 Grey Street", "Hamilton East, Hamilton 3216"],
        ),
        to: Party::new(
            "Vape Shed Tāmaki Makaurau Central",
            &["88 Queen Street", "Auckland Central", "Auckland 1010"],
        ),
        consignment_ref: "TR-2025-000123".into(),
        box_number: 2,
        box_count: 3,
        weight_kg: Some(dec!(12.3456)),
        barcode: BoxBarcode::Sscc("094212340000000016".into()),
        qr: "https://tally.example/c/TR-2025-000123/box/2".into(),
        note: Some("FRAGILE".into()),
    }
}

/// A shelf label.
pub fn shelf_label() -> ShelfLabel {
    ShelfLabel {
        name: "Flat white coffee cups 8oz, sleeve of 50 with lids".into(),
        price_incl_gst: dec!(12.99),
        ean13: "9421234567892".into(),
        sku: Some("SKU CUP-8OZ-50".into()),
    }
}

/// A receiving manifest long enough for two A4 pages.
pub fn manifest() -> PackingSlip {
    let lines = (1..=30)
        .map(|i| SlipLine {
            sku: format!("SKU-{i:04}"),
            name: if i == 3 {
                "^XZ^XA product whose name tries to inject ZPL ~JA and is very long indeed".into()
            } else {
                format!("Product number {i} in a plain name")
            },
            expected: rust_decimal::Decimal::from(i % 7 + 1),
            counted: if i % 5 == 0 {
                Some(rust_decimal::Decimal::from(i % 7))
            } else {
                Some(rust_decimal::Decimal::from(i % 7 + 1))
            },
        })
        .collect();
    PackingSlip {
        kind: SlipKind::ReceivingManifest,
        consignment_ref: "TR-2025-000123".into(),
        from: box_label().from,
        to: box_label().to,
        date: "Tue 14 Oct 2025".into(),
        box_count: Some(3),
        lines,
        notes: Some("Two boxes arrived damp; photos taken.".into()),
    }
}
