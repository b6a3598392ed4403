//! The product shelf label: name, price including GST, EAN-13.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::barcode;
use crate::canvas::{fit_module, Align, Canvas};
use crate::error::LabelError;
use crate::pdf::{self, PdfCanvas};
use crate::size::{Dpi, LabelSize};
use crate::text;
use crate::zpl::ZplCanvas;

/// Everything printed on a shelf label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShelfLabel {
    /// Product name (with variant).
    pub name: String,
    /// Retail price including GST, in NZ dollars.
    pub price_incl_gst: Decimal,
    /// The product's EAN-13 (13 digits, check digit included).
    pub ean13: String,
    /// SKU or other small print, if any.
    pub sku: Option<String>,
}

const MARGIN: f32 = 5.0;

impl ShelfLabel {
    /// Checks the input before drawing anything.
    pub fn validate(&self) -> Result<(), LabelError> {
        if self.name.trim().is_empty() {
            return Err(LabelError::InvalidInput {
                field: "product name",
                detail: "it is empty".into(),
            });
        }
        if self.price_incl_gst.is_sign_negative() || self.price_incl_gst > Decimal::from(1_000_000)
        {
            return Err(LabelError::InvalidInput {
                field: "price",
                detail: format!("{} is not a shelf price", self.price_incl_gst),
            });
        }
        barcode::ean13(&self.ean13).map(|_| ())
    }

    /// The price as printed: `$12.99`.
    pub fn price_text(&self) -> String {
        format!("${:.2}", self.price_incl_gst.round_dp(2))
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
        Ok(pdf::save(&self.name, vec![c.into_page()]))
    }

    fn draw(&self, c: &mut dyn Canvas, w: f32, h: f32) -> Result<(), LabelError> {
        let inner = w - 2.0 * MARGIN;
        let mut y = 8.0;
        for line in text::wrap(&self.name, inner, 8.5, true, 3) {
            c.text(MARGIN, y, 8.5, true, &line);
            y += 9.5;
        }
        let price = self.price_text();
        // As large as fits the width, up to 30 mm.
        let size = (inner / text::width_mm(&price, 1.0, true)).min(30.0);
        c.text_in(MARGIN, 45.0, inner, size, true, Align::Center, &price);
        c.text_in(
            MARGIN,
            45.0 + size + 1.0,
            inner,
            5.0,
            false,
            Align::Center,
            "incl. GST",
        );

        let symbol = barcode::ean13(&self.ean13)?;
        let module = fit_module(c, symbol.total_modules(), inner, 0.6, 0.264).ok_or(
            LabelError::DoesNotFit {
                symbology: "EAN-13",
            },
        )?;
        let bw = symbol.total_modules() as f32 * module;
        let bar_h = 28.0;
        let by = h - MARGIN - bar_h - 12.0;
        c.ean13(
            MARGIN + (inner - bw) / 2.0,
            by,
            module,
            bar_h,
            4.0,
            &symbol,
            &self.ean13,
        );
        if let Some(sku) = &self.sku {
            c.text_in(
                MARGIN,
                h - MARGIN - 4.0,
                inner,
                3.5,
                false,
                Align::Right,
                sku,
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::canvas::recorder::Recorder;
    use crate::size::LabelSize;

    #[test]
    fn barcode_quiet_zones_stay_clear_at_every_size() {
        let label = crate::samples::shelf_label();
        for size in LabelSize::ALL {
            let mut r = Recorder::default();
            label
                .draw(&mut r, size.width_mm(), size.height_mm())
                .unwrap();
            r.assert_quiet_zones_clear(size.width_mm(), size.height_mm());
        }
    }
}
