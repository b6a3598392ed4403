//! Label stock sizes and printer resolutions.

use serde::{Deserialize, Serialize};

/// Label stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelSize {
    /// 4 × 6 inches (101.6 × 152.4 mm), the courier standard.
    FourBySixInch,
    /// 100 × 150 mm.
    Mm100x150,
}

impl LabelSize {
    /// Every size, for tests and the settings screen.
    pub const ALL: [LabelSize; 2] = [LabelSize::FourBySixInch, LabelSize::Mm100x150];

    /// Width in millimetres.
    pub fn width_mm(self) -> f32 {
        match self {
            LabelSize::FourBySixInch => 101.6,
            LabelSize::Mm100x150 => 100.0,
        }
    }

    /// Height in millimetres.
    pub fn height_mm(self) -> f32 {
        match self {
            LabelSize::FourBySixInch => 152.4,
            LabelSize::Mm100x150 => 150.0,
        }
    }

    /// Width in printer dots (`^PW`). Inch stock uses inches × dpi (4 in = 812 at 203 dpi);
    /// metric stock uses the printer's dots per millimetre (100 mm = 800 at 203 dpi).
    pub fn width_dots(self, dpi: Dpi) -> u32 {
        match self {
            LabelSize::FourBySixInch => 4 * dpi.dots_per_inch(),
            LabelSize::Mm100x150 => dpi.mm_to_dots(100.0),
        }
    }

    /// Height in printer dots (`^LL`).
    pub fn height_dots(self, dpi: Dpi) -> u32 {
        match self {
            LabelSize::FourBySixInch => 6 * dpi.dots_per_inch(),
            LabelSize::Mm100x150 => dpi.mm_to_dots(150.0),
        }
    }
}

/// Printer resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dpi {
    /// 203 dpi: 8 dots per millimetre.
    #[serde(rename = "203")]
    D203,
    /// 300 dpi: about 11.8 dots per millimetre.
    #[serde(rename = "300")]
    D300,
}

impl Dpi {
    /// Both resolutions.
    pub const ALL: [Dpi; 2] = [Dpi::D203, Dpi::D300];

    /// Nominal dots per inch.
    pub fn dots_per_inch(self) -> u32 {
        match self {
            Dpi::D203 => 203,
            Dpi::D300 => 300,
        }
    }

    /// Dots per millimetre (Zebra's 203 dpi heads are exactly 8 dots/mm).
    pub fn dots_per_mm(self) -> f32 {
        match self {
            Dpi::D203 => 8.0,
            Dpi::D300 => 300.0 / 25.4,
        }
    }

    /// Millimetres to whole dots, rounded.
    pub fn mm_to_dots(self, mm: f32) -> u32 {
        (mm * self.dots_per_mm()).round().max(0.0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_sizes_match_the_printer_conventions() {
        assert_eq!(
            (
                LabelSize::FourBySixInch.width_dots(Dpi::D203),
                LabelSize::FourBySixInch.height_dots(Dpi::D203)
            ),
            (812, 1218)
        );
        assert_eq!(
            (
                LabelSize::FourBySixInch.width_dots(Dpi::D300),
                LabelSize::FourBySixInch.height_dots(Dpi::D300)
            ),
            (1200, 1800)
        );
        assert_eq!(
            (
                LabelSize::Mm100x150.width_dots(Dpi::D203),
                LabelSize::Mm100x150.height_dots(Dpi::D203)
            ),
            (800, 1200)
        );
        assert_eq!(
            (
                LabelSize::Mm100x150.width_dots(Dpi::D300),
                LabelSize::Mm100x150.height_dots(Dpi::D300)
            ),
            (1181, 1772)
        );
    }
}
