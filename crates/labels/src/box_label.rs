//! The box (parcel) label: from and to, consignment reference, box n of m, weight, an SSCC or
//! consignment barcode in Code 128 and a QR code.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::barcode::{self, Code128Content};
use crate::canvas::{fit_module, Align, Canvas};
use crate::error::LabelError;
use crate::party::Party;
use crate::pdf::{self, PdfCanvas};
use crate::size::{Dpi, LabelSize};
use crate::text;
use crate::zpl::ZplCanvas;

/// Which number the box's Code 128 carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum BoxBarcode {
    /// An SSCC-18 (computed by the domain), printed as GS1-128 with AI (00).
    Sscc(String),
    /// Plain Code 128 of this text (e.g. the consignment reference and box number).
    Code128(String),
}

/// Everything printed on a box label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxLabel {
    /// Sending outlet or supplier.
    pub from: Party,
    /// Receiving outlet or supplier.
    pub to: Party,
    /// The consignment reference, as staff know it.
    pub consignment_ref: String,
    /// This box's number, from 1.
    pub box_number: u32,
    /// How many boxes the consignment has.
    pub box_count: u32,
    /// Measured or typed weight in kilograms; None leaves a blank to write on.
    pub weight_kg: Option<Decimal>,
    /// The Code 128 content.
    pub barcode: BoxBarcode,
    /// What the QR code carries (e.g. a link to the consignment).
    pub qr: String,
    /// A short handling note ("FRAGILE"), if any.
    pub note: Option<String>,
}

const MARGIN: f32 = 4.0;

impl BoxLabel {
    /// Checks the input before drawing anything.
    pub fn validate(&self) -> Result<(), LabelError> {
        self.from.validate("sender")?;
        self.to.validate("receiver")?;
        if self.consignment_ref.trim().is_empty() {
            return Err(LabelError::InvalidInput {
                field: "consignment reference",
                detail: "it is empty".into(),
            });
        }
        if self.box_count == 0
            || self.box_number == 0
            || self.box_number > self.box_count
            || self.box_count > 9999
        {
            return Err(LabelError::InvalidInput {
                field: "box number",
                detail: format!(
                    "box {} of {} is not possible",
                    self.box_number, self.box_count
                ),
            });
        }
        if self
            .weight_kg
            .is_some_and(|w| w.is_sign_negative() && !w.is_zero())
        {
            return Err(LabelError::InvalidInput {
                field: "weight",
                detail: "a weight cannot be below zero".into(),
            });
        }
        Ok(())
    }

    /// The label as a ZPL format.
    pub fn to_zpl(&self, size: LabelSize, dpi: Dpi) -> Result<String, LabelError> {
        self.validate()?;
        let mut c = ZplCanvas::new(size, dpi);
        self.draw(&mut c, size.width_mm(), size.height_mm())?;
        Ok(c.finish())
    }

    /// The label as a one-page PDF of the label's size.
    pub fn to_pdf(&self, size: LabelSize) -> Result<Vec<u8>, LabelError> {
        self.validate()?;
        let mut c = PdfCanvas::new(size.width_mm(), size.height_mm());
        self.draw(&mut c, size.width_mm(), size.height_mm())?;
        Ok(pdf::save(
            &format!(
                "Box {} of {} {}",
                self.box_number, self.box_count, self.consignment_ref
            ),
            vec![c.into_page()],
        ))
    }

    fn code128_content(&self) -> Code128Content {
        match &self.barcode {
            BoxBarcode::Sscc(s) => Code128Content::Sscc(s.clone()),
            BoxBarcode::Code128(t) => Code128Content::Text(t.clone()),
        }
    }

    fn draw(&self, c: &mut dyn Canvas, w: f32, h: f32) -> Result<(), LabelError> {
        let inner = w - 2.0 * MARGIN;
        let x = MARGIN;
        // Sender, small.
        c.text(x, 4.0, 2.6, false, "FROM");
        // A handling note sits top right, where it is seen first.
        let note_w = match &self.note {
            Some(note) => {
                c.text_in(x + inner - 40.0, 5.0, 40.0, 6.5, true, Align::Right, note);
                42.0
            }
            None => 0.0,
        };
        c.text_in(
            x,
            7.0,
            inner - note_w,
            4.2,
            true,
            Align::Left,
            &self.from.name,
        );
        for (i, line) in self.from.lines.iter().take(2).enumerate() {
            c.text_in(
                x,
                12.0 + i as f32 * 4.0,
                inner,
                3.4,
                false,
                Align::Left,
                line,
            );
        }
        c.fill_rect(x, 21.0, inner, 0.5);

        // Receiver, large: this is what the courier reads.
        c.text(x, 23.0, 2.6, false, "TO");
        let name_lines = text::wrap(&self.to.name, inner, 8.0, true, 2);
        let mut y = 26.5;
        for line in &name_lines {
            c.text(x, y, 8.0, true, line);
            y += 8.5;
        }
        for line in self.to.lines.iter().take(3) {
            c.text_in(x, y, inner, 4.6, false, Align::Left, line);
            y += 5.0;
        }
        c.fill_rect(x, 64.0, inner, 0.5);

        // Reference, box n of m, weight on the left; QR on the right.
        let qr = barcode::qr(&self.qr)?;
        let qr_space = 34.0;
        let qr_module = fit_module(c, qr.total_modules(), qr_space, 1.0, 0.4)
            .ok_or(LabelError::DoesNotFit { symbology: "QR" })?;
        let qr_side = qr.total_modules() as f32 * qr_module;
        c.qr(w - MARGIN - qr_side, 65.0, qr_module, &qr, &self.qr);

        let left = inner - qr_space - 2.0;
        c.text(x, 66.5, 2.6, false, "CONSIGNMENT");
        c.text_in(x, 69.5, left, 6.0, true, Align::Left, &self.consignment_ref);
        c.text(x, 77.5, 2.6, false, "BOX");
        c.text_in(
            x,
            80.5,
            left,
            9.0,
            true,
            Align::Left,
            &format!("{} of {}", self.box_number, self.box_count),
        );
        c.text(x, 91.0, 2.6, false, "WEIGHT");
        let weight = match self.weight_kg {
            Some(kg) => format!("{:.3} kg", kg.round_dp(3)),
            None => "______ kg".to_string(),
        };
        c.text_in(x, 94.0, left, 5.5, true, Align::Left, &weight);
        c.fill_rect(x, 101.0, inner, 0.5);

        // The Code 128 across the bottom, quiet zones inside the margins.
        let content = self.code128_content();
        let symbol = barcode::code128(&content)?;
        let module = fit_module(c, symbol.total_modules(), inner, 0.5, 0.25).ok_or(
            LabelError::DoesNotFit {
                symbology: "Code 128",
            },
        )?;
        let bw = symbol.total_modules() as f32 * module;
        let bx = x + (inner - bw) / 2.0;
        let caption = match &content {
            Code128Content::Sscc(_) => "SSCC",
            Code128Content::Text(_) => "CONSIGNMENT BOX",
        };
        c.text(x, 103.0, 2.6, false, caption);
        let bar_h = (h - 107.0 - 14.0).clamp(15.0, 30.0);
        c.code128(bx, 107.0, module, bar_h, &symbol, &content);
        let human = match &content {
            Code128Content::Sscc(s) => format!("(00) {s}"),
            Code128Content::Text(t) => t.clone(),
        };
        c.text_in(
            x,
            107.0 + bar_h + 1.5,
            inner,
            4.0,
            false,
            Align::Center,
            &human,
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::canvas::recorder::Recorder;
    use crate::size::LabelSize;

    #[test]
    fn barcode_quiet_zones_stay_clear_at_every_size() {
        let label = crate::samples::box_label();
        for size in LabelSize::ALL {
            let mut r = Recorder::default();
            label
                .draw(&mut r, size.width_mm(), size.height_mm())
                .unwrap();
            r.assert_quiet_zones_clear(size.width_mm(), size.height_mm());
        }
    }
}
