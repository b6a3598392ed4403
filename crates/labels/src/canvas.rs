//! The drawing surface a layout is written against once, with a ZPL and a PDF backend.
//! Coordinates are millimetres from the top-left corner of the label or page.

use crate::barcode::{Code128Content, Linear, Qr};
use crate::text;

/// Horizontal alignment of text within a width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Flush left.
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
}

/// What a layout draws on.
pub trait Canvas {
    /// Text with its top-left at (x, y); `size` is the em in mm. Text is drawn as given.
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str);

    /// A filled black rectangle.
    fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32);

    /// The nearest module width this surface can draw exactly (a printer draws whole dots).
    fn snap_module(&self, module_mm: f32) -> f32;

    /// Code 128 whose quiet zone starts at x (the caller keeps `total_modules × module`
    /// free). Returns the width used.
    fn code128(
        &mut self,
        x: f32,
        y: f32,
        module: f32,
        height: f32,
        symbol: &Linear,
        content: &Code128Content,
    ) -> f32;

    /// EAN-13 with its digits printed below in `text_size`. Returns the width used.
    // Position, size and content are all needed; a struct per call would only rename them.
    #[allow(clippy::too_many_arguments)]
    fn ean13(
        &mut self,
        x: f32,
        y: f32,
        module: f32,
        height: f32,
        text_size: f32,
        symbol: &Linear,
        code: &str,
    ) -> f32;

    /// QR code whose quiet zone starts at (x, y). Returns the side length used.
    fn qr(&mut self, x: f32, y: f32, module: f32, symbol: &Qr, data: &str) -> f32;

    /// Text fitted into `width` (cut with "..." if needed) and aligned within it.
    #[allow(clippy::too_many_arguments)]
    fn text_in(
        &mut self,
        x: f32,
        y: f32,
        width: f32,
        size: f32,
        bold: bool,
        align: Align,
        s: &str,
    ) {
        let fitted = text::truncate(s, width, size, bold);
        let w = text::width_mm(&fitted, size, bold);
        let dx = match align {
            Align::Left => 0.0,
            Align::Center => (width - w) / 2.0,
            Align::Right => width - w,
        };
        self.text(x + dx.max(0.0), y, size, bold, &fitted);
    }

    /// A rectangle outline of `thickness`.
    fn frame(&mut self, x: f32, y: f32, w: f32, h: f32, thickness: f32) {
        self.fill_rect(x, y, w, thickness);
        self.fill_rect(x, y + h - thickness, w, thickness);
        self.fill_rect(x, y, thickness, h);
        self.fill_rect(x + w - thickness, y, thickness, h);
    }
}

/// The module width for a linear symbol of `total` modules in `available` mm: the preferred
/// width if it fits, else the widest that fits; None below `min` (it would not scan).
pub fn fit_module(
    canvas: &dyn Canvas,
    total: u32,
    available: f32,
    preferred: f32,
    min: f32,
) -> Option<f32> {
    let mut m = canvas.snap_module(preferred.min(available / total as f32));
    // Snapping can round up past the space; step down a dot at a time.
    let mut guard = 0;
    while m * total as f32 > available + 1e-3 && guard < 64 {
        m = canvas.snap_module(m - 0.01);
        guard += 1;
    }
    (m >= min - 1e-3 && m * total as f32 <= available + 1e-3).then_some(m)
}

/// A canvas that records what is drawn where, for layout tests.
#[cfg(test)]
pub(crate) mod recorder {
    use super::*;

    /// A drawn box in mm: (x, y, w, h).
    pub type Area = (f32, f32, f32, f32);

    /// Records text and rectangle areas, and barcode areas with their quiet zones.
    #[derive(Default)]
    pub struct Recorder {
        pub marks: Vec<Area>,
        pub barcodes: Vec<Area>,
    }

    impl Canvas for Recorder {
        fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, s: &str) {
            self.marks.push((x, y, text::width_mm(s, size, bold), size));
        }
        fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
            self.marks.push((x, y, w, h));
        }
        fn snap_module(&self, m: f32) -> f32 {
            m
        }
        fn code128(
            &mut self,
            x: f32,
            y: f32,
            module: f32,
            height: f32,
            symbol: &Linear,
            _: &Code128Content,
        ) -> f32 {
            let w = symbol.total_modules() as f32 * module;
            self.barcodes.push((x, y, w, height));
            w
        }
        fn ean13(
            &mut self,
            x: f32,
            y: f32,
            module: f32,
            height: f32,
            _: f32,
            symbol: &Linear,
            _: &str,
        ) -> f32 {
            let w = symbol.total_modules() as f32 * module;
            self.barcodes.push((x, y, w, height));
            w
        }
        fn qr(&mut self, x: f32, y: f32, module: f32, symbol: &Qr, _: &str) -> f32 {
            let w = symbol.total_modules() as f32 * module;
            self.barcodes.push((x, y, w, w));
            w
        }
    }

    fn overlaps(a: Area, b: Area) -> bool {
        a.0 < b.0 + b.2 - 0.01
            && b.0 < a.0 + a.2 - 0.01
            && a.1 < b.1 + b.3 - 0.01
            && b.1 < a.1 + a.3 - 0.01
    }

    impl Recorder {
        /// Asserts every barcode (quiet zones included) is on the page and nothing else is drawn in it.
        pub fn assert_quiet_zones_clear(&self, page_w: f32, page_h: f32) {
            assert!(!self.barcodes.is_empty());
            for &b in &self.barcodes {
                assert!(
                    b.0 >= 0.0 && b.1 >= 0.0 && b.0 + b.2 <= page_w && b.1 + b.3 <= page_h,
                    "barcode {b:?} off the page"
                );
                for &m in &self.marks {
                    assert!(!overlaps(b, m), "{m:?} is drawn inside barcode area {b:?}");
                }
                for &other in self.barcodes.iter().filter(|&&o| o != b) {
                    assert!(!overlaps(b, other), "barcodes {b:?} and {other:?} overlap");
                }
            }
        }
    }
}
