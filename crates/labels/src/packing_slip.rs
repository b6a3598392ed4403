//! The packing slip (goes in the box) and the receiving manifest (signed at the other end):
//! a header, the lines table, page numbers. A4 PDF, or 4×6 / 100×150 ZPL pages.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::barcode::{self, Code128Content};
use crate::canvas::{fit_module, Align, Canvas};
use crate::error::LabelError;
use crate::party::Party;
use crate::pdf::{self, PdfCanvas};
use crate::size::{Dpi, LabelSize};
use crate::zpl::ZplCanvas;

/// Which document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlipKind {
    /// What was packed, for the box.
    PackingSlip,
    /// What was sent against what arrived, for the receiver to check and sign.
    ReceivingManifest,
}

impl SlipKind {
    fn title(self) -> &'static str {
        match self {
            SlipKind::PackingSlip => "PACKING SLIP",
            SlipKind::ReceivingManifest => "RECEIVING MANIFEST",
        }
    }

    fn counted_heading(self) -> &'static str {
        match self {
            SlipKind::PackingSlip => "Packed",
            SlipKind::ReceivingManifest => "Received",
        }
    }
}

/// One product line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlipLine {
    /// SKU.
    pub sku: String,
    /// Product name.
    pub name: String,
    /// Quantity ordered or sent.
    pub expected: Decimal,
    /// Quantity packed or received, once counted.
    pub counted: Option<Decimal>,
}

/// A packing slip or receiving manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackingSlip {
    /// Which document.
    pub kind: SlipKind,
    /// Consignment reference (also printed as Code 128).
    pub consignment_ref: String,
    /// Sender.
    pub from: Party,
    /// Receiver.
    pub to: Party,
    /// Date as it should be printed (the app formats it in the outlet's time zone).
    pub date: String,
    /// Number of boxes, if known.
    pub box_count: Option<u32>,
    /// Lines in the order to print.
    pub lines: Vec<SlipLine>,
    /// Free text, if any.
    pub notes: Option<String>,
}

/// A4 in millimetres.
const A4: (f32, f32) = (210.0, 297.0);

fn qty(d: Decimal) -> String {
    d.normalize().to_string()
}

impl PackingSlip {
    /// Checks the input before drawing anything.
    pub fn validate(&self) -> Result<(), LabelError> {
        self.from.validate("sender")?;
        self.to.validate("receiver")?;
        if self.lines.iter().any(|l| {
            l.expected.is_sign_negative() || l.counted.is_some_and(|c| c.is_sign_negative())
        }) {
            return Err(LabelError::InvalidInput {
                field: "lines",
                detail: "quantities cannot be negative".into(),
            });
        }
        barcode::code128(&Code128Content::Text(self.consignment_ref.clone())).map(|_| ())
    }

    /// The document as an A4 PDF, as many pages as the lines need.
    pub fn to_pdf(&self) -> Result<Vec<u8>, LabelError> {
        self.validate()?;
        let pages = self.paginate(24, 29);
        let total = pages.len();
        let mut out = Vec::new();
        for (i, rows) in pages.iter().enumerate() {
            let mut c = PdfCanvas::new(A4.0, A4.1);
            self.draw_a4(&mut c, rows, i + 1, total)?;
            out.push(c.into_page());
        }
        Ok(pdf::save(
            &format!("{} {}", self.kind.title(), self.consignment_ref),
            out,
        ))
    }

    /// The document as ZPL label pages (one format per page, concatenated).
    pub fn to_zpl(&self, size: LabelSize, dpi: Dpi) -> Result<String, LabelError> {
        self.validate()?;
        let pages = self.paginate(16, 16);
        let total = pages.len();
        let mut out = String::new();
        for (i, rows) in pages.iter().enumerate() {
            let mut c = ZplCanvas::new(size, dpi);
            self.draw_label_page(
                &mut c,
                size.width_mm(),
                size.height_mm(),
                rows,
                i + 1,
                total,
            );
            out.push_str(&c.finish());
        }
        Ok(out)
    }

    /// Splits the lines: `first` rows on page one (which has the big header), `rest` after.
    fn paginate(&self, first: usize, rest: usize) -> Vec<&[SlipLine]> {
        let mut pages = Vec::new();
        let (head, mut tail) = self.lines.split_at(first.min(self.lines.len()));
        pages.push(head);
        while !tail.is_empty() {
            let (p, t) = tail.split_at(rest.min(tail.len()));
            pages.push(p);
            tail = t;
        }
        pages
    }

    fn draw_a4(
        &self,
        c: &mut dyn Canvas,
        rows: &[SlipLine],
        page: usize,
        pages: usize,
    ) -> Result<(), LabelError> {
        let (w, h) = A4;
        let m = 15.0;
        let inner = w - 2.0 * m;
        c.text(m, m, 7.0, true, self.kind.title());
        c.text(
            m,
            m + 9.0,
            4.5,
            false,
            &format!("Consignment {}", self.consignment_ref),
        );
        c.text(m, m + 15.0, 3.8, false, &self.date);

        // The reference as Code 128, top right, so the receiver can scan the paper.
        let content = Code128Content::Text(self.consignment_ref.clone());
        let symbol = barcode::code128(&content)?;
        let module = fit_module(c, symbol.total_modules(), 80.0, 0.4, 0.25).ok_or(
            LabelError::DoesNotFit {
                symbology: "Code 128",
            },
        )?;
        let bw = symbol.total_modules() as f32 * module;
        c.code128(w - m - bw, m, module, 14.0, &symbol, &content);
        c.text_in(
            w - m - bw,
            m + 15.0,
            bw,
            3.5,
            false,
            Align::Center,
            &self.consignment_ref,
        );

        let mut y = m + 24.0;
        if page == 1 {
            let col = inner / 2.0;
            for (i, (label, party)) in [("From", &self.from), ("To", &self.to)]
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
            let summary = match self.box_count {
                Some(b) => format!("{} lines, {} boxes", self.lines.len(), b),
                None => format!("{} lines", self.lines.len()),
            };
            c.text(m, y, 3.8, false, &summary);
            if let Some(notes) = &self.notes {
                c.text_in(m + 50.0, y, inner - 50.0, 3.8, false, Align::Left, notes);
            }
            y += 8.0;
        }

        // Table: SKU | Product | Expected | Counted | Check.
        let cols = [
            (m, 32.0),
            (m + 33.0, 92.0),
            (m + 126.0, 20.0),
            (m + 147.0, 20.0),
            (m + 168.0, 12.0),
        ];
        let head = [
            "SKU",
            "Product",
            "Expected",
            self.kind.counted_heading(),
            "Check",
        ];
        c.fill_rect(m, y + 6.0, inner, 0.4);
        for ((x, cw), text) in cols.iter().zip(head) {
            let align = if text == "SKU" || text == "Product" {
                Align::Left
            } else {
                Align::Right
            };
            c.text_in(*x, y + 1.0, *cw, 3.6, true, align, text);
        }
        y += 8.0;
        let row_h = 7.0;
        for line in rows {
            c.text_in(
                cols[0].0,
                y + 1.5,
                cols[0].1,
                3.6,
                false,
                Align::Left,
                &line.sku,
            );
            c.text_in(
                cols[1].0,
                y + 1.5,
                cols[1].1,
                3.6,
                false,
                Align::Left,
                &line.name,
            );
            c.text_in(
                cols[2].0,
                y + 1.5,
                cols[2].1,
                3.6,
                false,
                Align::Right,
                &qty(line.expected),
            );
            if let Some(n) = line.counted {
                let bold = n != line.expected;
                c.text_in(
                    cols[3].0,
                    y + 1.5,
                    cols[3].1,
                    3.6,
                    bold,
                    Align::Right,
                    &qty(n),
                );
            }
            c.frame(cols[4].0 + 6.0, y + 1.0, 4.5, 4.5, 0.25);
            c.fill_rect(m, y + row_h - 0.2, inner, 0.15);
            y += row_h;
        }

        if page == pages && self.kind == SlipKind::ReceivingManifest {
            let sy = h - 45.0;
            c.text(m, sy, 3.8, false, "Received by (name)");
            c.fill_rect(m + 36.0, sy + 4.0, 60.0, 0.3);
            c.text(m + 102.0, sy, 3.8, false, "Date");
            c.fill_rect(m + 112.0, sy + 4.0, 38.0, 0.3);
            c.text(m, sy + 12.0, 3.8, false, "Signature");
            c.fill_rect(m + 36.0, sy + 16.0, 114.0, 0.3);
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
            inner / 2.0,
            3.2,
            false,
            Align::Left,
            &format!("{} {}", self.kind.title(), self.consignment_ref),
        );
        Ok(())
    }

    fn draw_label_page(
        &self,
        c: &mut dyn Canvas,
        w: f32,
        _h: f32,
        rows: &[SlipLine],
        page: usize,
        pages: usize,
    ) {
        let m = 4.0;
        let inner = w - 2.0 * m;
        c.text_in(m, m, inner, 5.0, true, Align::Left, self.kind.title());
        c.text_in(
            m,
            m + 6.5,
            inner,
            4.2,
            true,
            Align::Left,
            &self.consignment_ref,
        );
        c.text_in(
            m,
            m + 12.0,
            inner,
            3.4,
            false,
            Align::Left,
            &format!("{} -> {}", self.from.name, self.to.name),
        );
        c.text_in(
            m,
            m + 16.5,
            inner,
            3.2,
            false,
            Align::Left,
            &format!("{}   page {page} of {pages}", self.date),
        );
        let mut y = m + 22.0;
        c.fill_rect(m, y, inner, 0.4);
        y += 1.5;
        let head = format!("Qty / {}", self.kind.counted_heading());
        c.text_in(m, y, 24.0, 3.2, true, Align::Left, "SKU");
        c.text_in(m + 25.0, y, inner - 50.0, 3.2, true, Align::Left, "Product");
        c.text_in(w - m - 24.0, y, 24.0, 3.2, true, Align::Right, &head);
        y += 5.0;
        for line in rows {
            c.text_in(m, y, 24.0, 3.4, false, Align::Left, &line.sku);
            c.text_in(
                m + 25.0,
                y,
                inner - 50.0,
                3.4,
                false,
                Align::Left,
                &line.name,
            );
            let counted = line.counted.map(qty).unwrap_or_else(|| "__".into());
            c.text_in(
                w - m - 24.0,
                y,
                24.0,
                3.4,
                false,
                Align::Right,
                &format!("{} / {counted}", qty(line.expected)),
            );
            y += 6.8;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::canvas::recorder::Recorder;

    #[test]
    fn barcode_quiet_zone_stays_clear_on_every_page() {
        let slip = crate::samples::manifest();
        let pages = slip.paginate(24, 29);
        assert_eq!(pages.len(), 2);
        for (i, rows) in pages.iter().enumerate() {
            let mut r = Recorder::default();
            slip.draw_a4(&mut r, rows, i + 1, pages.len()).unwrap();
            r.assert_quiet_zones_clear(super::A4.0, super::A4.1);
        }
    }

    #[test]
    fn every_line_is_on_exactly_one_page() {
        let slip = crate::samples::manifest();
        let total: usize = slip.paginate(24, 29).iter().map(|p| p.len()).sum();
        assert_eq!(total, slip.lines.len());
    }
}
