//! The purchase order a supplier receives: header with the reference (also as Code 128),
//! supplier and delivery address, who ordered and approved it, the lines with unit costs,
//! and totals excl. GST, GST and incl. GST on the last page. A4 PDF.
//!
//! Totals are computed here from the lines with the domain's money rules (GST on the exact
//! sum, rounded only when printed), so the paper can never disagree with its own lines.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tally_domain::{consignment_totals, LineAmount, Money, Quantity, Totals};

use crate::barcode::{self, Code128Content};
use crate::canvas::{fit_module, Align, Canvas};
use crate::error::LabelError;
use crate::party::Party;
use crate::pdf::{self, PdfCanvas};

/// A4 in millimetres.
const A4: (f32, f32) = (210.0, 297.0);
/// Page margin.
const MARGIN: f32 = 15.0;
/// Height of one table row.
const ROW_H: f32 = 7.0;
/// Rows on the first page (below the big header).
const FIRST_PAGE_ROWS: usize = 22;
/// Rows on a continuation page.
const LATER_PAGE_ROWS: usize = 30;
/// Rows a continuation page holds when the totals block must fit under them too.
const LATER_PAGE_ROWS_WITH_TOTALS: usize = 26;

/// One ordered product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrderLine {
    /// Our SKU.
    pub sku: String,
    /// The supplier's own code, when known (what they pick by).
    pub supplier_code: Option<String>,
    /// Product name.
    pub name: String,
    /// Units ordered.
    pub quantity: Decimal,
    /// Cost per unit excluding GST, exact.
    pub unit_cost_excl: Money,
}

impl PurchaseOrderLine {
    fn amount(&self) -> LineAmount {
        LineAmount {
            quantity: Quantity::new(self.quantity),
            unit_cost_excl: self.unit_cost_excl,
        }
    }
}

/// A purchase order as printed and e-mailed to the supplier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseOrderDocument {
    /// Consignment reference (`TR-PUR-...`), printed and encoded as Code 128.
    pub reference: String,
    /// Date as printed (the app formats it).
    pub date: String,
    /// Who the order goes to.
    pub supplier: Party,
    /// Where to deliver (the ordering outlet).
    pub deliver_to: Party,
    /// Who drafted it.
    pub ordered_by: String,
    /// Who approved it, in words ("Mere Whare (director), 14 Oct 2025"), when approved.
    pub approved_by: Option<String>,
    /// Lines in print order.
    pub lines: Vec<PurchaseOrderLine>,
    /// A note to the supplier, if any.
    pub notes: Option<String>,
}

impl PurchaseOrderDocument {
    /// Totals of the lines (exact; rounded when printed).
    pub fn totals(&self) -> Totals {
        let amounts: Vec<LineAmount> = self.lines.iter().map(PurchaseOrderLine::amount).collect();
        consignment_totals(&amounts)
    }

    /// Checks the input before drawing anything.
    pub fn validate(&self) -> Result<(), LabelError> {
        self.supplier.validate("supplier")?;
        self.deliver_to.validate("delivery address")?;
        if self.lines.is_empty() {
            return Err(LabelError::InvalidInput {
                field: "lines",
                detail: "a purchase order needs at least one line".into(),
            });
        }
        if self.lines.iter().any(|l| l.quantity <= Decimal::ZERO) {
            return Err(LabelError::InvalidInput {
                field: "lines",
                detail: "every line needs a quantity above zero".into(),
            });
        }
        if self.lines.iter().any(|l| l.unit_cost_excl.is_negative()) {
            return Err(LabelError::InvalidInput {
                field: "lines",
                detail: "a unit cost cannot be negative".into(),
            });
        }
        barcode::code128(&Code128Content::Text(self.reference.clone())).map(|_| ())
    }

    /// The order as an A4 PDF, as many pages as the lines need; totals on the last page.
    pub fn to_pdf(&self) -> Result<Vec<u8>, LabelError> {
        self.validate()?;
        let pages = self.paginate();
        let total = pages.len();
        let mut out = Vec::with_capacity(total);
        for (i, rows) in pages.iter().enumerate() {
            let mut c = PdfCanvas::new(A4.0, A4.1);
            self.draw_page(&mut c, rows, i + 1, total)?;
            out.push(c.into_page());
        }
        Ok(pdf::save(
            &format!("Purchase order {}", self.reference),
            out,
        ))
    }

    /// Splits the lines into pages; the last page keeps room for the totals block (an
    /// extra page is added when the rows of a full last page leave none).
    fn paginate(&self) -> Vec<&[PurchaseOrderLine]> {
        let mut pages = Vec::new();
        let (head, mut tail) = self.lines.split_at(FIRST_PAGE_ROWS.min(self.lines.len()));
        pages.push(head);
        while !tail.is_empty() {
            let (p, t) = tail.split_at(LATER_PAGE_ROWS.min(tail.len()));
            pages.push(p);
            tail = t;
        }
        if pages.len() > 1
            && pages
                .last()
                .is_some_and(|p| p.len() > LATER_PAGE_ROWS_WITH_TOTALS)
        {
            pages.push(&[]);
        }
        pages
    }

    fn draw_page(
        &self,
        c: &mut dyn Canvas,
        rows: &[PurchaseOrderLine],
        page: usize,
        pages: usize,
    ) -> Result<(), LabelError> {
        let (w, h) = A4;
        let m = MARGIN;
        let inner = w - 2.0 * m;
        c.text(m, m, 7.0, true, "PURCHASE ORDER");
        c.text(m, m + 9.0, 4.5, false, &self.reference);
        c.text(m, m + 15.0, 3.8, false, &self.date);

        // The reference as Code 128, top right: the supplier's docket scanner and our
        // receiving station both read it.
        let content = Code128Content::Text(self.reference.clone());
        let symbol = barcode::code128(&content)?;
        let module = fit_module(c, symbol.total_modules(), 80.0, 0.33, 0.25).ok_or(
            LabelError::DoesNotFit {
                symbology: "Code 128",
            },
        )?;
        let bw = symbol.total_modules() as f32 * module;
        c.code128(w - m - bw, m, module, 13.0, &symbol, &content);

        let mut y = m + 24.0;
        if page == 1 {
            let col = inner / 2.0;
            for (i, (label, party)) in [
                ("Supplier", &self.supplier),
                ("Deliver to", &self.deliver_to),
            ]
            .into_iter()
            .enumerate()
            {
                let x = m + i as f32 * col;
                c.text(x, y, 3.2, false, label);
                c.text_in(x, y + 4.5, col - 4.0, 4.6, true, Align::Left, &party.name);
                for (j, line) in party.lines.iter().take(3).enumerate() {
                    c.text_in(
                        x,
                        y + 10.5 + j as f32 * 4.6,
                        col - 4.0,
                        3.8,
                        false,
                        Align::Left,
                        line,
                    );
                }
            }
            y += 26.0;
            let mut who = format!("Ordered by {}", self.ordered_by);
            if let Some(a) = &self.approved_by {
                who.push_str(&format!("  ·  Approved by {a}"));
            }
            c.text_in(m, y, inner, 3.6, false, Align::Left, &who);
            y += 8.0;
        }

        // Table: SKU | Supplier code | Product | Qty | Unit cost | Total excl. GST.
        let cols: [(f32, f32, &str, Align); 6] = [
            (m, 27.0, "SKU", Align::Left),
            (m + 28.0, 25.0, "Supplier code", Align::Left),
            (m + 54.0, 66.0, "Product", Align::Left),
            (m + 121.0, 13.0, "Qty", Align::Right),
            (m + 135.0, 20.0, "Unit cost", Align::Right),
            (m + 156.0, 24.0, "Total", Align::Right),
        ];
        c.fill_rect(m, y + 6.0, inner, 0.4);
        for (x, cw, head, align) in cols {
            c.text_in(x, y + 1.0, cw, 3.6, true, align, head);
        }
        y += 8.0;
        for line in rows {
            let cells = [
                line.sku.clone(),
                line.supplier_code.clone().unwrap_or_default(),
                line.name.clone(),
                Quantity::new(line.quantity).to_string(),
                line.unit_cost_excl.to_string(),
                line.amount().total_excl().to_string(),
            ];
            for ((x, cw, _, align), text) in cols.iter().zip(cells) {
                c.text_in(*x, y + 1.5, *cw, 3.6, false, *align, &text);
            }
            c.fill_rect(m, y + ROW_H - 0.2, inner, 0.15);
            y += ROW_H;
        }
        if rows.is_empty() {
            c.text(m, y + 1.5, 3.6, false, "(continued from the previous page)");
            y += ROW_H;
        }

        if page == pages {
            self.draw_totals(c, y + 5.0);
        }
        c.text_in(
            m,
            h - 12.0,
            inner,
            3.2,
            false,
            Align::Right,
            &format!("Page {page} of {pages}"),
        );
        c.text_in(
            m,
            h - 12.0,
            inner - 25.0,
            3.2,
            false,
            Align::Left,
            &format!(
                "Please quote {} on your invoice and delivery docket.",
                self.reference
            ),
        );
        Ok(())
    }

    fn draw_totals(&self, c: &mut dyn Canvas, y: f32) {
        let t = self.totals();
        let (w, _) = A4;
        let right = w - MARGIN;
        let label_x = right - 80.0;
        let rows = [
            ("Subtotal excl. GST", t.excl_gst, false),
            ("GST 15%", t.gst, false),
            ("Total incl. GST", t.incl_gst, true),
        ];
        let mut ty = y;
        c.text_in(
            MARGIN,
            ty,
            80.0,
            3.6,
            false,
            Align::Left,
            &format!(
                "{} {}, {} units",
                self.lines.len(),
                if self.lines.len() == 1 {
                    "line"
                } else {
                    "lines"
                },
                t.units
            ),
        );
        for (label, amount, bold) in rows {
            if bold {
                c.fill_rect(label_x, ty - 1.0, 80.0, 0.4);
            }
            c.text_in(label_x, ty + 0.5, 50.0, 4.0, bold, Align::Left, label);
            c.text_in(
                right - 30.0,
                ty + 0.5,
                30.0,
                4.0,
                bold,
                Align::Right,
                &amount.round_cents().to_string(),
            );
            ty += 7.0;
        }
        if let Some(notes) = &self.notes {
            let lines = crate::text::wrap(notes, w - 2.0 * MARGIN - 90.0, 3.6, false, 4);
            for (i, l) in lines.iter().enumerate() {
                c.text(MARGIN, y + 7.0 + i as f32 * 4.8, 3.6, false, l);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::recorder::Recorder;

    fn line(i: usize, qty: i64, cost: &str) -> PurchaseOrderLine {
        PurchaseOrderLine {
            sku: format!("SKU-{i:04}"),
            supplier_code: Some(format!("SUP-{i}")),
            name: format!("Product {i}"),
            quantity: Decimal::from(qty),
            unit_cost_excl: Money::parse(cost).unwrap(),
        }
    }

    fn doc(lines: Vec<PurchaseOrderLine>) -> PurchaseOrderDocument {
        PurchaseOrderDocument {
            reference: "TR-PUR-202611-000001-52".into(),
            date: "Wed 25 Nov 2026".into(),
            supplier: Party::new(
                "Cloud Nine Wholesale",
                &["1 Trade Street", "Penrose, Auckland"],
            ),
            deliver_to: Party::new("Newmarket", &["88 Broadway", "Newmarket, Auckland 1023"]),
            ordered_by: "Aroha Ngata".into(),
            approved_by: None,
            lines,
            notes: None,
        }
    }

    #[test]
    fn totals_take_gst_on_the_exact_sum() {
        // 3 x $0.335 = $1.005; GST on the exact sum, not on rounded lines.
        let d = doc(vec![line(1, 3, "0.335")]);
        let t = d.totals();
        assert_eq!(t.excl_gst, Money::parse("1.005").unwrap());
        assert_eq!(t.incl_gst.round_cents(), Money::parse("1.16").unwrap());
    }

    #[test]
    fn an_order_without_lines_or_with_a_zero_quantity_is_refused() {
        assert_eq!(
            doc(vec![]).to_pdf().unwrap_err().code(),
            "LABEL_INVALID_INPUT"
        );
        assert_eq!(
            doc(vec![line(1, 0, "1")]).to_pdf().unwrap_err().code(),
            "LABEL_INVALID_INPUT"
        );
        assert_eq!(
            doc(vec![line(1, 2, "-1")]).to_pdf().unwrap_err().code(),
            "LABEL_INVALID_INPUT"
        );
    }

    #[test]
    fn a_pdf_is_produced_for_a_valid_order() {
        let pdf = doc(vec![line(1, 2, "12.50")]).to_pdf().unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn every_line_is_printed_once_and_the_totals_always_fit_on_the_last_page() {
        for n in [1, 22, 23, 48, 52, 53, 60, 82] {
            let d = doc((1..=n).map(|i| line(i, 1, "1")).collect());
            let pages = d.paginate();
            assert_eq!(pages.iter().map(|p| p.len()).sum::<usize>(), n, "{n} lines");
            let last = pages.last().unwrap();
            if pages.len() > 1 {
                assert!(last.len() <= LATER_PAGE_ROWS_WITH_TOTALS, "{n} lines");
            } else {
                assert!(last.len() <= FIRST_PAGE_ROWS);
            }
        }
    }

    #[test]
    fn nothing_is_drawn_in_the_barcode_quiet_zone_or_below_the_footer() {
        let d = doc((1..=53).map(|i| line(i, 2, "3.10")).collect());
        let pages = d.paginate();
        for (i, rows) in pages.iter().enumerate() {
            let mut r = Recorder::default();
            d.draw_page(&mut r, rows, i + 1, pages.len()).unwrap();
            r.assert_quiet_zones_clear(A4.0, A4.1);
            for &(_, y, _, hh) in &r.marks {
                assert!(y + hh <= A4.1 - 8.0, "mark at {y} runs off page {}", i + 1);
            }
        }
    }
}
