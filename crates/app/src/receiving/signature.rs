//! Signatures from the pad: vector strokes (`[{x, y, pressure, t_ms}]` per stroke, in
//! the pad's CSS pixels) with the signer's name. Checked here (an empty pad or a single
//! dot is not a signature), kept as vectors, and rasterised to a PNG with tiny-skia for
//! the receipt, the report and the hub. Rendering is deterministic, so the same strokes
//! always give the same PNG and the same evidence hash.

use serde::{Deserialize, Serialize};
use tiny_skia::{
    Color, FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform,
};

use crate::error::AppError;

/// One sampled point of a stroke.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct StrokePoint {
    /// From the pad's left edge, CSS px.
    pub x: f32,
    /// From the pad's top edge, CSS px.
    pub y: f32,
    /// Pen pressure 0..1 (mouse: 0.5 while pressed; 0 when the device has none).
    pub pressure: f32,
    /// Milliseconds since the first point of the signature.
    pub t_ms: u32,
}

/// A signature as the pad sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SignatureInput {
    /// Who signed (printed under the signature).
    pub signer_name: String,
    /// Pad width, CSS px.
    pub width: f32,
    /// Pad height, CSS px.
    pub height: f32,
    /// Strokes, each the points between pen-down and pen-up.
    pub strokes: Vec<Vec<StrokePoint>>,
}

/// The stored form: the strokes with who signed and when (RFC 3339).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureRecord {
    /// Who signed.
    pub signer_name: String,
    /// When the station accepted it.
    pub signed_at: String,
    /// Pad width, CSS px.
    pub width: f32,
    /// Pad height, CSS px.
    pub height: f32,
    /// The strokes as drawn.
    pub strokes: Vec<Vec<StrokePoint>>,
}

/// Most strokes accepted (a signature has a handful; this bounds hostile input).
const MAX_STROKES: usize = 200;
/// Most points accepted over all strokes.
const MAX_POINTS: usize = 20_000;
/// Less ink than this (CSS px of line) is a dot or a slip, not a signature.
const MIN_INK_PX: f32 = 24.0;
/// A signature spans at least this much in its wider direction (CSS px).
const MIN_EXTENT_PX: f32 = 12.0;
/// Width of the rendered PNG.
const PNG_WIDTH: u32 = 600;
/// Largest pad side accepted (CSS px).
const MAX_PAD_PX: f32 = 4000.0;

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new("SIGNATURE_INVALID", message)
}

impl SignatureInput {
    /// Checks the signature is one: a name, sane numbers, and enough ink.
    pub fn validate(&self) -> Result<(), AppError> {
        let name = self.signer_name.trim();
        if name.is_empty() {
            return Err(AppError::new(
                "SIGNER_NAME_REQUIRED",
                "Type the name of the person signing.",
            ));
        }
        if name.chars().count() > 80 {
            return Err(invalid(
                "The signer's name is too long (80 characters at most).",
            ));
        }
        let pad_ok = |v: f32| v.is_finite() && (20.0..=MAX_PAD_PX).contains(&v);
        if !pad_ok(self.width) || !pad_ok(self.height) {
            return Err(invalid("The signature pad size is not valid."));
        }
        let points: usize = self.strokes.iter().map(Vec::len).sum();
        if points == 0 {
            return Err(AppError::new(
                "SIGNATURE_EMPTY",
                "The signature box is empty. Sign with the mouse, a pen or a finger.",
            ));
        }
        if self.strokes.len() > MAX_STROKES || points > MAX_POINTS {
            return Err(invalid(
                "The signature has too many strokes. Clear it and sign again.",
            ));
        }
        let finite = self.strokes.iter().flatten().all(|p| {
            p.x.is_finite() && p.y.is_finite() && p.pressure.is_finite() && p.pressure >= 0.0
        });
        if !finite {
            return Err(invalid(
                "The signature has unreadable points. Clear it and sign again.",
            ));
        }
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        let mut ink = 0.0f32;
        for stroke in &self.strokes {
            for p in stroke {
                min_x = min_x.min(p.x);
                min_y = min_y.min(p.y);
                max_x = max_x.max(p.x);
                max_y = max_y.max(p.y);
            }
            ink += stroke
                .windows(2)
                .map(|w| (w[1].x - w[0].x).hypot(w[1].y - w[0].y))
                .sum::<f32>();
        }
        let extent = (max_x - min_x).max(max_y - min_y);
        if ink < MIN_INK_PX || extent < MIN_EXTENT_PX {
            return Err(AppError::new(
                "SIGNATURE_TOO_SHORT",
                "That is a dot, not a signature. Clear it and sign your name.",
            ));
        }
        Ok(())
    }

    /// The stored record, stamped with the time the station accepted it.
    pub fn record(&self, signed_at: String) -> SignatureRecord {
        SignatureRecord {
            signer_name: self.signer_name.trim().to_string(),
            signed_at,
            width: self.width,
            height: self.height,
            strokes: self.strokes.clone(),
        }
    }

    /// Rasterises the strokes: dark ink on white, line width following pressure, at
    /// `PNG_WIDTH` pixels wide with the pad's aspect ratio. Call `validate` first.
    pub fn to_png(&self) -> Result<Vec<u8>, AppError> {
        let scale = PNG_WIDTH as f32 / self.width;
        let height = ((self.height * scale).round() as u32).clamp(40, 2 * PNG_WIDTH);
        let mut pixmap = Pixmap::new(PNG_WIDTH, height)
            .ok_or_else(|| invalid("The signature could not be drawn."))?;
        pixmap.fill(Color::WHITE);
        let mut paint = Paint::default();
        paint.set_color_rgba8(20, 33, 43, 255);
        paint.anti_alias = true;
        let width_at = |pressure: f32| {
            // Devices without pressure report 0; treat them like a mouse (0.5).
            let p = if pressure <= 0.0 {
                0.5
            } else {
                pressure.min(1.0)
            };
            (1.2 + 2.8 * p) * scale
        };
        for stroke in &self.strokes {
            if let [only] = stroke.as_slice() {
                let r = width_at(only.pressure) / 2.0;
                if let Some(dot) = PathBuilder::from_circle(only.x * scale, only.y * scale, r) {
                    pixmap.fill_path(&dot, &paint, FillRule::Winding, Transform::identity(), None);
                }
                continue;
            }
            for w in stroke.windows(2) {
                let mut pb = PathBuilder::new();
                pb.move_to(w[0].x * scale, w[0].y * scale);
                pb.line_to(w[1].x * scale, w[1].y * scale);
                let Some(path) = pb.finish() else { continue };
                let line = Stroke {
                    width: width_at((w[0].pressure + w[1].pressure) / 2.0),
                    line_cap: LineCap::Round,
                    line_join: LineJoin::Round,
                    ..Stroke::default()
                };
                pixmap.stroke_path(&path, &paint, &line, Transform::identity(), None);
            }
        }
        pixmap
            .encode_png()
            .map_err(|e| invalid(format!("The signature image could not be made: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(x: f32, y: f32) -> StrokePoint {
        StrokePoint {
            x,
            y,
            pressure: 0.5,
            t_ms: 0,
        }
    }

    fn sig(strokes: Vec<Vec<StrokePoint>>) -> SignatureInput {
        SignatureInput {
            signer_name: "Aroha Ngata".into(),
            width: 600.0,
            height: 200.0,
            strokes,
        }
    }

    fn scribble() -> SignatureInput {
        sig(vec![
            (0..40)
                .map(|i| {
                    pt(
                        50.0 + i as f32 * 8.0,
                        100.0 + ((i as f32) * 0.7).sin() * 40.0,
                    )
                })
                .collect(),
            vec![pt(400.0, 60.0), pt(420.0, 150.0)],
        ])
    }

    #[test]
    fn an_empty_pad_is_refused() {
        assert_eq!(sig(vec![]).validate().unwrap_err().code, "SIGNATURE_EMPTY");
        assert_eq!(
            sig(vec![vec![], vec![]]).validate().unwrap_err().code,
            "SIGNATURE_EMPTY"
        );
    }

    #[test]
    fn a_single_dot_or_a_tiny_tick_is_refused() {
        assert_eq!(
            sig(vec![vec![pt(100.0, 100.0)]])
                .validate()
                .unwrap_err()
                .code,
            "SIGNATURE_TOO_SHORT"
        );
        assert_eq!(
            sig(vec![vec![
                pt(100.0, 100.0),
                pt(103.0, 101.0),
                pt(101.0, 104.0)
            ]])
            .validate()
            .unwrap_err()
            .code,
            "SIGNATURE_TOO_SHORT"
        );
        // Many taps in one place are still a dot.
        let taps = (0..30).map(|_| vec![pt(100.0, 100.0)]).collect();
        assert_eq!(
            sig(taps).validate().unwrap_err().code,
            "SIGNATURE_TOO_SHORT"
        );
    }

    #[test]
    fn a_real_signature_passes_and_renders_a_png() {
        let s = scribble();
        s.validate().unwrap();
        let png = s.to_png().unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!((img.width(), img.height()), (600, 200));
        let dark = img.pixels().filter(|p| p.0[0] < 128).count();
        assert!(dark > 500, "ink drawn: {dark} dark pixels");
        assert_eq!(
            s.to_png().unwrap(),
            png,
            "the same strokes give the same PNG"
        );
    }

    #[test]
    fn nan_points_and_missing_names_are_refused() {
        let mut s = scribble();
        s.strokes[0][3].x = f32::NAN;
        assert_eq!(s.validate().unwrap_err().code, "SIGNATURE_INVALID");
        let mut s = scribble();
        s.signer_name = "  ".into();
        assert_eq!(s.validate().unwrap_err().code, "SIGNER_NAME_REQUIRED");
        let mut s = scribble();
        s.width = f32::INFINITY;
        assert_eq!(s.validate().unwrap_err().code, "SIGNATURE_INVALID");
    }

    #[test]
    fn too_many_points_are_refused() {
        let s = sig((0..300)
            .map(|i| vec![pt(i as f32, 0.0), pt(i as f32, 50.0)])
            .collect());
        assert_eq!(s.validate().unwrap_err().code, "SIGNATURE_INVALID");
    }
}
