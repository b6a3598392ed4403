//! Mettler Toledo 8217 weight-only protocol (POS scales such as Ariva-S and Viva).
//!
//! The host sends `W` (no terminator); the scale answers `STX <weight> CR` (e.g. `\x0201.234\r`,
//! some models append `N` for net) or `STX ? <status> CR` when there is no valid weight.
//! `Z` zeroes, `T` tares, `C` clears the tare; they get no reply.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::DeviceError;
use crate::reading::{ScaleReading, ScaleStatus};
use crate::weight::{MassUnit, Weight};

/// Start of a reply frame.
pub const STX: u8 = 0x02;
/// End of a reply frame.
pub const CR: u8 = 0x0D;
/// Longest frame body kept; longer runs are garbage.
const MAX_FRAME: usize = 32;

/// The status byte of a `?` frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusBits(pub u8);

impl StatusBits {
    /// Bit 0: in motion.
    pub fn in_motion(self) -> bool {
        self.0 & 0x01 != 0
    }
    /// Bit 1: over capacity.
    pub fn over_capacity(self) -> bool {
        self.0 & 0x02 != 0
    }
    /// Bit 2: under zero.
    pub fn under_zero(self) -> bool {
        self.0 & 0x04 != 0
    }
    /// Bit 3: outside the zero capture range.
    pub fn outside_zero_range(self) -> bool {
        self.0 & 0x08 != 0
    }
    /// Bit 4: centre of zero.
    pub fn centre_of_zero(self) -> bool {
        self.0 & 0x10 != 0
    }
    /// Bit 5: net weight.
    pub fn net(self) -> bool {
        self.0 & 0x20 != 0
    }

    /// The most important condition the bits describe.
    pub fn status(self) -> ScaleStatus {
        if self.over_capacity() {
            ScaleStatus::OverCapacity
        } else if self.under_zero() {
            ScaleStatus::UnderZero
        } else if self.outside_zero_range() {
            ScaleStatus::NeedsRezero
        } else if self.in_motion() {
            ScaleStatus::InMotion
        } else {
            // A `?` frame with no bit we know still means "no valid weight".
            ScaleStatus::NotReady
        }
    }
}

/// One reply frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Toledo8217Frame {
    /// A valid weight in the scale's configured unit.
    Weight {
        /// The number as sent.
        value: Decimal,
        /// The frame carried the `N` (net) marker.
        net: bool,
    },
    /// No valid weight; the status says why.
    Status(StatusBits),
}

impl Toledo8217Frame {
    /// The reading for this frame, the unit being the one set on the scale (and in Tally).
    pub fn to_reading(&self, unit: MassUnit) -> Result<ScaleReading, DeviceError> {
        Ok(match self {
            Toledo8217Frame::Weight { value, net } => {
                let weight = Weight::from_unit(*value, unit)?;
                let status = if value.is_zero() {
                    ScaleStatus::StableZero
                } else if weight.is_negative() {
                    ScaleStatus::UnderZero
                } else {
                    ScaleStatus::Stable
                };
                ScaleReading {
                    status,
                    weight: Some(weight),
                    net: *net,
                }
            }
            Toledo8217Frame::Status(bits) => ScaleReading {
                status: bits.status(),
                weight: None,
                net: bits.net(),
            },
        })
    }
}

fn bad(detail: impl Into<String>) -> DeviceError {
    DeviceError::Protocol {
        what: "8217 scale".into(),
        detail: detail.into(),
    }
}

/// Parses a frame body: the bytes between STX and CR. Never panics.
pub fn parse_body(body: &[u8]) -> Result<Toledo8217Frame, DeviceError> {
    match body {
        [b'?', status] => return Ok(Toledo8217Frame::Status(StatusBits(*status))),
        [b'?', ..] => return Err(bad("status frame must hold one status byte")),
        _ => {}
    }
    let text = std::str::from_utf8(body).map_err(|_| bad("weight is not text"))?;
    let text = text.trim();
    let (number, net) = match text.strip_suffix('N') {
        Some(n) => (n.trim_end(), true),
        None => (text, false),
    };
    // Some models print the unit after the number; the unit is configured, so accept and drop it.
    let number = number
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .trim_end();
    let digits = number.strip_prefix('-').unwrap_or(number);
    if digits.is_empty()
        || !digits.contains('.')
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        || digits.matches('.').count() != 1
    {
        return Err(bad(format!("{text:?} is not a weight")));
    }
    let value = Decimal::from_str(number).map_err(|_| bad(format!("{text:?} is not a weight")))?;
    Ok(Toledo8217Frame::Weight { value, net })
}

/// Finds STX … CR frames in a byte stream, skipping anything outside a frame.
#[derive(Debug, Default)]
pub struct FrameBuffer {
    body: Option<Vec<u8>>,
}

impl FrameBuffer {
    /// An empty buffer.
    pub fn new() -> FrameBuffer {
        FrameBuffer::default()
    }

    /// Adds bytes and returns the bodies of the frames they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for &b in bytes {
            match (&mut self.body, b) {
                // A new STX restarts the frame: the previous one was cut off.
                (_, STX) => self.body = Some(Vec::new()),
                (Some(_), CR) => out.extend(self.body.take()),
                (Some(body), _) if body.len() < MAX_FRAME => body.push(b),
                (Some(_), _) => self.body = None,
                (None, _) => {}
            }
        }
        out
    }

    /// Forgets any partial frame.
    pub fn clear(&mut self) {
        self.body = None;
    }
}

/// Host commands (single bytes, no terminator).
pub mod command {
    /// Request a weight.
    pub const WEIGHT: &[u8] = b"W";
    /// Zero.
    pub const ZERO: &[u8] = b"Z";
    /// Tare.
    pub const TARE: &[u8] = b"T";
    /// Clear tare.
    pub const CLEAR_TARE: &[u8] = b"C";
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn frames(bytes: &[u8]) -> Vec<Vec<u8>> {
        FrameBuffer::new().push(bytes)
    }

    #[test]
    fn weight_frame_in_kilograms() {
        let f = frames(b"\x0201.234\r");
        let frame = parse_body(&f[0]).unwrap();
        assert_eq!(
            frame,
            Toledo8217Frame::Weight {
                value: dec!(1.234),
                net: false
            }
        );
        let r = frame.to_reading(MassUnit::Kilogram).unwrap();
        assert_eq!(r.status, ScaleStatus::Stable);
        assert_eq!(r.weight.unwrap().grams(), dec!(1234));
    }

    #[test]
    fn weight_frame_in_pounds_with_net_marker() {
        let frame = parse_body(b"02.50N").unwrap();
        let r = frame.to_reading(MassUnit::Pound).unwrap();
        assert!(r.net);
        assert_eq!(r.weight.unwrap().grams(), dec!(1133.980925));
    }

    #[test]
    fn zero_weight_is_stable_zero() {
        let r = parse_body(b"00.000")
            .unwrap()
            .to_reading(MassUnit::Kilogram)
            .unwrap();
        assert_eq!(r.status, ScaleStatus::StableZero);
    }

    #[test]
    fn status_frames_decode_their_bits() {
        // Bit 6 set keeps the byte printable on some models; it must not change the meaning.
        let moving = parse_body(b"?\x41")
            .unwrap()
            .to_reading(MassUnit::Kilogram)
            .unwrap();
        assert_eq!(moving.status, ScaleStatus::InMotion);
        assert_eq!(moving.weight, None);
        let over = parse_body(b"?\x42")
            .unwrap()
            .to_reading(MassUnit::Kilogram)
            .unwrap();
        assert_eq!(over.status, ScaleStatus::OverCapacity);
        let under = parse_body(b"?\x44")
            .unwrap()
            .to_reading(MassUnit::Kilogram)
            .unwrap();
        assert_eq!(under.status, ScaleStatus::UnderZero);
        let rezero = parse_body(b"?\x48")
            .unwrap()
            .to_reading(MassUnit::Kilogram)
            .unwrap();
        assert_eq!(rezero.status, ScaleStatus::NeedsRezero);
        let bits = StatusBits(0x30);
        assert!(bits.centre_of_zero() && bits.net());
    }

    #[test]
    fn garbage_between_frames_is_skipped() {
        let f = frames(b"\xff\x00junk\x0201.000\rnoise\r\x02?\x41\r");
        assert_eq!(f, vec![b"01.000".to_vec(), b"?\x41".to_vec()]);
    }

    #[test]
    fn a_frame_cut_by_a_new_stx_is_dropped() {
        assert_eq!(frames(b"\x0201.2\x0203.000\r"), vec![b"03.000".to_vec()]);
    }

    #[test]
    fn frames_split_across_reads_join() {
        let mut fb = FrameBuffer::new();
        assert!(fb.push(b"\x0201.").is_empty());
        assert_eq!(fb.push(b"500\r"), vec![b"01.500".to_vec()]);
    }

    #[test]
    fn bodies_that_are_not_weights_are_errors() {
        for g in [
            &b""[..],
            b"?",
            b"?12",
            b"abc",
            b"1234",
            b"1.2.3",
            b"\xff.1",
            b"1_0.0",
        ] {
            assert!(parse_body(g).is_err(), "{:?}", String::from_utf8_lossy(g));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn any_bytes_frame_and_parse_without_panic(data in proptest::collection::vec(any::<u8>(), 0..80)) {
            for body in FrameBuffer::new().push(&data) {
                prop_assert!(body.len() <= MAX_FRAME);
                let _ = parse_body(&body).and_then(|f| f.to_reading(MassUnit::Pound));
            }
        }
    }
}
