//! The ZPL II backend: turns canvas calls into printer commands.
//!
//! Every piece of text that came from data goes out as `^FH^FD…^FS` with `^`, `~`, `_` and
//! control characters hex-escaped (`_5E`, `_7E`, `_5F`, …), so a product called `^XZ^XA…`
//! prints as text and cannot inject commands. `^CI28` makes the field data UTF-8.

use std::fmt::Write;

use crate::barcode::{Code128Content, Linear, Qr, QR_QUIET};
use crate::canvas::Canvas;
use crate::size::{Dpi, LabelSize};

/// Escapes field data for use after `^FH` (hex indicator `_`).
pub fn escape_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '^' | '~' | '_' => {
                let _ = write!(out, "_{:02X}", c as u32);
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "_{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Code 128 field data for `^BC` in mode N: `>` starts an invocation code, so a literal `>`
/// is written `><`; the rest is hex-escaped like any field.
fn code128_field(content: &Code128Content) -> String {
    match content {
        // Start in set C (>;), FNC1 (>8), then AI 00 and the 18 digits.
        Code128Content::Sscc(s) => format!(">;>800{s}"),
        Code128Content::Text(t) => escape_field(&t.replace('>', "><")),
    }
}

/// A label being written as ZPL.
pub struct ZplCanvas {
    dpi: Dpi,
    out: String,
}

impl ZplCanvas {
    /// Starts a label format for `size` at `dpi`: `^XA`, UTF-8, width, length, home.
    pub fn new(size: LabelSize, dpi: Dpi) -> ZplCanvas {
        let mut out = String::new();
        let _ = write!(
            out,
            "^XA\n^CI28\n^PW{}\n^LL{}\n^LH0,0\n",
            size.width_dots(dpi),
            size.height_dots(dpi)
        );
        ZplCanvas { dpi, out }
    }

    fn d(&self, mm: f32) -> u32 {
        self.dpi.mm_to_dots(mm)
    }

    /// Ends the format (`^PQ1^XZ`) and returns it.
    pub fn finish(mut self) -> String {
        self.out.push_str("^PQ1\n^XZ\n");
        self.out
    }
}

impl Canvas for ZplCanvas {
    fn text(&mut self, x: f32, y: f32, size: f32, _bold: bool, text: &str) {
        // Font 0 has no bold face; bold text is set by size in the layouts.
        let h = self.d(size);
        let (x, y) = (self.d(x), self.d(y));
        let _ = writeln!(
            self.out,
            "^FO{x},{y}^A0N,{h},{h}^FH^FD{}^FS",
            escape_field(text)
        );
    }

    fn fill_rect(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let (w, h) = (self.d(w).max(1), self.d(h).max(1));
        // ^GB draws a filled box when the border is as thick as the shorter side.
        let t = w.min(h);
        let (x, y) = (self.d(x), self.d(y));
        let _ = writeln!(self.out, "^FO{x},{y}^GB{w},{h},{t},B,0^FS");
    }

    fn snap_module(&self, module_mm: f32) -> f32 {
        let dots = (module_mm * self.dpi.dots_per_mm() + 1e-3).floor().max(1.0);
        dots / self.dpi.dots_per_mm()
    }

    fn code128(
        &mut self,
        x: f32,
        y: f32,
        module: f32,
        height: f32,
        symbol: &Linear,
        content: &Code128Content,
    ) -> f32 {
        let m = self.d(module).max(1);
        let h = self.d(height);
        let x0 = self.d(x) + symbol.quiet_left * m;
        let y0 = self.d(y);
        let _ = writeln!(
            self.out,
            "^FO{x0},{y0}^BY{m},3,{h}^BCN,{h},N,N,N,N^FH^FD{}^FS",
            code128_field(content)
        );
        symbol.total_modules() as f32 * m as f32 / self.dpi.dots_per_mm()
    }

    fn ean13(
        &mut self,
        x: f32,
        y: f32,
        module: f32,
        height: f32,
        _text_size: f32,
        symbol: &Linear,
        code: &str,
    ) -> f32 {
        let m = self.d(module).max(1);
        let h = self.d(height);
        let x0 = self.d(x) + symbol.quiet_left * m;
        let y0 = self.d(y);
        // ^BE takes the 12 data digits and prints its own check digit and interpretation line.
        let data: String = code.chars().take(12).collect();
        let _ = writeln!(self.out, "^FO{x0},{y0}^BY{m},3,{h}^BEN,{h},Y,N^FD{data}^FS");
        symbol.total_modules() as f32 * m as f32 / self.dpi.dots_per_mm()
    }

    fn qr(&mut self, x: f32, y: f32, module: f32, symbol: &Qr, data: &str) -> f32 {
        // ^BQ magnification is the module size in dots, 1 to 10.
        let mag = self.d(module).clamp(1, 10);
        let x0 = self.d(x) + QR_QUIET * mag;
        let y0 = self.d(y) + QR_QUIET * mag;
        // Error correction M, automatic input mode: "MA," prefixes the data.
        let _ = writeln!(
            self.out,
            "^FO{x0},{y0}^BQN,2,{mag}^FH^FDMA,{}^FS",
            escape_field(data)
        );
        symbol.total_modules() as f32 * mag as f32 / self.dpi.dots_per_mm()
    }
}

/// Field data of every `^FD…^FS` in a format, for tests and checks.
pub fn field_data(zpl: &str) -> Vec<&str> {
    zpl.split("^FD")
        .skip(1)
        .filter_map(|rest| rest.split("^FS").next())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn carets_tildes_and_underscores_are_hex_escaped() {
        assert_eq!(escape_field("^XZ~JA_x"), "_5EXZ_7EJA_5Fx");
        assert_eq!(escape_field("a\nb"), "a_0Ab");
        assert_eq!(escape_field("Tāmaki"), "Tāmaki");
    }

    #[test]
    fn a_literal_greater_than_in_code128_is_not_an_invocation_code() {
        assert_eq!(code128_field(&Code128Content::Text("A>B".into())), "A><B");
        assert_eq!(
            code128_field(&Code128Content::Sscc("094212340000000016".into())),
            ">;>800094212340000000016"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn escaped_text_never_contains_a_command_prefix(s in "\\PC{0,60}") {
            let e = escape_field(&s);
            prop_assert!(!e.contains('^') && !e.contains('~'));
        }
    }
}
