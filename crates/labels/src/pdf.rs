//! The PDF backend: vector rectangles for bars and modules, built-in Helvetica for text.

use printpdf::{
    BuiltinFont, Color, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, TextItem,
};

use crate::barcode::{Code128Content, Linear, Qr, QR_QUIET};
use crate::canvas::Canvas;
use crate::text;

/// Where a baseline sits below the top of the text, as a share of the em.
const ASCENT: f32 = 0.78;

/// One page being drawn.
pub struct PdfCanvas {
    width_mm: f32,
    height_mm: f32,
    ops: Vec<Op>,
}

impl PdfCanvas {
    /// A blank page of the given size.
    pub fn new(width_mm: f32, height_mm: f32) -> PdfCanvas {
        PdfCanvas {
            width_mm,
            height_mm,
            ops: vec![Op::SetFillColor {
                col: Color::Greyscale(printpdf::Greyscale::new(0.0, None)),
            }],
        }
    }

    fn y(&self, top_mm: f32) -> Pt {
        Mm(self.height_mm - top_mm).into()
    }

    /// The finished page.
    pub fn into_page(self) -> PdfPage {
        PdfPage::new(Mm(self.width_mm), Mm(self.height_mm), self.ops)
    }
}

/// Saves pages as a PDF document.
pub fn save(title: &str, pages: Vec<PdfPage>) -> Vec<u8> {
    let mut doc = PdfDocument::new(title);
    let mut warnings = Vec::new();
    doc.with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut warnings)
}

impl Canvas for PdfCanvas {
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, s: &str) {
        let font = if bold {
            BuiltinFont::HelveticaBold
        } else {
            BuiltinFont::Helvetica
        };
        let baseline = self.y(y + size * ASCENT);
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::Builtin(font),
                size: Mm(size).into(),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: Mm(x).into(),
                    y: baseline,
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text::pdf_safe(s))],
            },
            Op::EndTextSection,
        ]);
    }

    fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let rect = Rect {
            x: Mm(x).into(),
            y: self.y(y + h),
            width: Mm(w).into(),
            height: Mm(h).into(),
            mode: Some(PaintMode::Fill),
            winding_order: None,
        };
        self.ops.push(Op::DrawRectangle { rectangle: rect });
    }

    fn snap_module(&self, module_mm: f32) -> f32 {
        module_mm
    }

    fn code128(
        &mut self,
        x: f32,
        y: f32,
        module: f32,
        height: f32,
        symbol: &Linear,
        _content: &Code128Content,
    ) -> f32 {
        let x0 = x + symbol.quiet_left as f32 * module;
        for (start, len) in symbol.bars() {
            self.fill_rect(x0 + start as f32 * module, y, len as f32 * module, height);
        }
        symbol.total_modules() as f32 * module
    }

    fn ean13(
        &mut self,
        x: f32,
        y: f32,
        module: f32,
        height: f32,
        text_size: f32,
        symbol: &Linear,
        code: &str,
    ) -> f32 {
        let x0 = x + symbol.quiet_left as f32 * module;
        for (start, len) in symbol.bars() {
            self.fill_rect(x0 + start as f32 * module, y, len as f32 * module, height);
        }
        // Interpretation line as retail labels print it: first digit in the quiet zone,
        // then the two groups of six under their halves.
        let ty = y + height + 0.5;
        let (first, rest) = code.split_at(1.min(code.len()));
        let (left, right) = rest.split_at(6.min(rest.len()));
        self.text(
            x0 - text::width_mm(first, text_size, false) - module,
            ty,
            text_size,
            false,
            first,
        );
        let half = 42.0 * module;
        let lw = text::width_mm(left, text_size, false);
        self.text(
            x0 + 3.0 * module + (half - lw) / 2.0,
            ty,
            text_size,
            false,
            left,
        );
        let rw = text::width_mm(right, text_size, false);
        self.text(
            x0 + 50.0 * module + (half - rw) / 2.0,
            ty,
            text_size,
            false,
            right,
        );
        symbol.total_modules() as f32 * module
    }

    fn qr(&mut self, x: f32, y: f32, module: f32, symbol: &Qr, _data: &str) -> f32 {
        let x0 = x + QR_QUIET as f32 * module;
        let y0 = y + QR_QUIET as f32 * module;
        for row in 0..symbol.size {
            let cells =
                &symbol.dark[(row * symbol.size) as usize..((row + 1) * symbol.size) as usize];
            for (start, len) in crate::barcode::runs(cells) {
                self.fill_rect(
                    x0 + start as f32 * module,
                    y0 + row as f32 * module,
                    len as f32 * module,
                    module,
                );
            }
        }
        symbol.total_modules() as f32 * module
    }
}
