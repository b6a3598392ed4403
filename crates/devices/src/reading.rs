//! What a scale says at one moment, and the only kind of weight that may become a box weight.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::DeviceError;
use crate::weight::Weight;

/// The state a scale reports alongside (or instead of) a weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleStatus {
    /// Steady weight above zero: recordable.
    Stable,
    /// Steady at zero (empty scale): recordable.
    StableZero,
    /// The weight is still moving.
    InMotion,
    /// Below zero (platter lifted or tare too large).
    UnderZero,
    /// More than the scale can weigh.
    OverCapacity,
    /// The scale reports a fault.
    Fault,
    /// The scale must be calibrated.
    NeedsCalibration,
    /// The scale must be re-zeroed (or is outside its zero capture range).
    NeedsRezero,
    /// The scale cannot give a weight right now (e.g. MT-SICS `S I`).
    NotReady,
}

impl ScaleStatus {
    /// True when a reading with this status may be recorded.
    pub fn is_recordable(self) -> bool {
        matches!(self, ScaleStatus::Stable | ScaleStatus::StableZero)
    }

    /// A short phrase for the screen.
    pub fn describe(self) -> &'static str {
        match self {
            ScaleStatus::Stable => "steady",
            ScaleStatus::StableZero => "steady at zero",
            ScaleStatus::InMotion => "still moving",
            ScaleStatus::UnderZero => "below zero",
            ScaleStatus::OverCapacity => "over the scale's capacity",
            ScaleStatus::Fault => "scale fault",
            ScaleStatus::NeedsCalibration => "needs calibration",
            ScaleStatus::NeedsRezero => "needs zeroing",
            ScaleStatus::NotReady => "not ready",
        }
    }
}

/// One reading from a scale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleReading {
    /// What the scale says about the reading.
    pub status: ScaleStatus,
    /// The weight shown, when the scale sent one (absent for overload and status-only frames).
    pub weight: Option<Weight>,
    /// True when a tare is applied (the weight is net).
    pub net: bool,
}

impl ScaleReading {
    /// A reading with a weight.
    pub fn with_weight(status: ScaleStatus, weight: Weight) -> ScaleReading {
        ScaleReading {
            status,
            weight: Some(weight),
            net: false,
        }
    }

    /// A reading with only a status.
    pub fn status_only(status: ScaleStatus) -> ScaleReading {
        ScaleReading {
            status,
            weight: None,
            net: false,
        }
    }
}

/// Where a recordable weight came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WeightSource {
    /// Read from a scale while it reported a stable weight.
    Scale {
        /// The device id of the scale.
        device: String,
    },
    /// Typed by a person (no scale, or the scale is broken); kept visibly distinct.
    Typed,
}

/// A weight that may be recorded as a box weight: either a stable scale reading or a
/// weight a person typed, marked as typed. There is no other way to make one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StableWeight {
    weight: Weight,
    source: WeightSource,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

impl StableWeight {
    /// Takes the weight of a reading, refusing anything but a stable, non-negative weight.
    pub fn from_reading(device: &str, reading: &ScaleReading) -> Result<StableWeight, DeviceError> {
        if !reading.status.is_recordable() {
            return Err(DeviceError::NotStable {
                status: reading.status.describe().to_string(),
            });
        }
        let weight = reading.weight.ok_or_else(|| DeviceError::NotStable {
            status: "no weight shown".to_string(),
        })?;
        check_not_negative(weight)?;
        Ok(StableWeight {
            weight,
            source: WeightSource::Scale {
                device: device.to_string(),
            },
            at: OffsetDateTime::now_utc(),
        })
    }

    /// A weight typed by a person; recorded as typed so reports can tell it from a measurement.
    pub fn typed(weight: Weight) -> Result<StableWeight, DeviceError> {
        check_not_negative(weight)?;
        Ok(StableWeight {
            weight,
            source: WeightSource::Typed,
            at: OffsetDateTime::now_utc(),
        })
    }

    /// The weight.
    pub fn weight(&self) -> Weight {
        self.weight
    }

    /// Where it came from.
    pub fn source(&self) -> &WeightSource {
        &self.source
    }

    /// True when a person typed it.
    pub fn is_typed(&self) -> bool {
        self.source == WeightSource::Typed
    }

    /// When it was taken.
    pub fn at(&self) -> OffsetDateTime {
        self.at
    }
}

fn check_not_negative(weight: Weight) -> Result<(), DeviceError> {
    if weight.is_negative() {
        return Err(DeviceError::InvalidWeight {
            detail: format!("a weight below zero ({weight}) cannot be recorded; zero the scale"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_reading_in_motion_cannot_become_a_stable_weight() {
        let r = ScaleReading::with_weight(ScaleStatus::InMotion, Weight::from_grams(dec!(500)));
        let e = StableWeight::from_reading("scale-1", &r).unwrap_err();
        assert_eq!(e.code(), "SCALE_NOT_STABLE");
    }

    #[test]
    fn a_stable_reading_becomes_a_stable_weight_from_that_scale() {
        let r = ScaleReading::with_weight(ScaleStatus::Stable, Weight::from_grams(dec!(1234)));
        let s = StableWeight::from_reading("scale-1", &r).unwrap();
        assert_eq!(s.weight().grams(), dec!(1234));
        assert!(!s.is_typed());
    }

    #[test]
    fn overload_and_under_zero_are_refused() {
        for status in [
            ScaleStatus::OverCapacity,
            ScaleStatus::UnderZero,
            ScaleStatus::NeedsRezero,
        ] {
            let r = ScaleReading::status_only(status);
            assert!(StableWeight::from_reading("s", &r).is_err(), "{status:?}");
        }
    }

    #[test]
    fn a_stable_negative_weight_is_refused() {
        let r = ScaleReading::with_weight(ScaleStatus::Stable, Weight::from_grams(dec!(-0.12)));
        assert_eq!(
            StableWeight::from_reading("s", &r).unwrap_err().code(),
            "SCALE_INVALID_WEIGHT"
        );
    }

    #[test]
    fn a_typed_weight_is_marked_typed() {
        let s = StableWeight::typed(Weight::from_grams(dec!(800))).unwrap();
        assert!(s.is_typed());
    }
}
