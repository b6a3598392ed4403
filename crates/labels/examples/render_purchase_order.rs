//! Renders a sample purchase order (two pages) to a folder (default /tmp/tally-labels) as
//! PDF, and as PNG when pdftoppm is installed, for people to look at.
//!
//! cargo run -p tally-labels --example render_purchase_order [-- <dir>]

use std::path::PathBuf;
use std::process::Command;

use rust_decimal::Decimal;
use tally_domain::Money;
use tally_labels::{Party, PurchaseOrderDocument, PurchaseOrderLine};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "/tmp/tally-labels".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let lines = (1..=31)
        .map(|i| PurchaseOrderLine {
            sku: format!("VS-{i:05}"),
            supplier_code: Some(format!("CN-{}", 1000 + i * 7)),
            name: if i == 2 {
                "Tāmaki Mango Ice nicotine salt 30 ml, 20 mg/ml, a very long product name".into()
            } else {
                format!("Coil pack {i} (5 pcs)")
            },
            quantity: Decimal::from(i % 9 + 1),
            unit_cost_excl: Money::parse(&format!("{}.{:02}", 3 + i % 40, (i * 37) % 100))
                .expect("sample cost"),
        })
        .collect();
    let doc = PurchaseOrderDocument {
        reference: "TR-PUR-202611-000042-80".into(),
        date: "Wed 25 Nov 2026".into(),
        supplier: Party::new(
            "Cloud Nine Wholesale Ltd",
            &["Unit 4, 21 Trade Street", "Penrose, Auckland 1061"],
        ),
        deliver_to: Party::new(
            "Vape Shed Newmarket",
            &["88 Broadway", "Newmarket, Auckland 1023"],
        ),
        ordered_by: "Aroha Ngata".into(),
        approved_by: Some("Mere Whare (director), 25 Nov 2026".into()),
        lines,
        notes: Some(
            "Deliver Monday to Friday, 9 am to 4 pm. Ring the bell at the back door.".into(),
        ),
    };
    let path = dir.join("purchase-order-a4.pdf");
    std::fs::write(&path, doc.to_pdf()?)?;
    let png = Command::new("pdftoppm")
        .args(["-png", "-r", "110"])
        .arg(&path)
        .arg(dir.join("purchase-order-a4"))
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
    Ok(())
}
