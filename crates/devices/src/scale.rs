//! The scale trait every scale driver implements.

use crate::error::DeviceError;
use crate::reading::ScaleReading;

/// A connected scale. Calls block for at most the driver's timeout.
pub trait Scale: Send {
    /// Model and port, for the settings screen.
    fn describe(&self) -> String;

    /// The weight now (stable or not), polling the scale as its protocol needs.
    fn read(&mut self) -> Result<ScaleReading, DeviceError>;

    /// Sets zero (empty platter).
    fn zero(&mut self) -> Result<(), DeviceError>;

    /// Tares the current load (an empty box on the platter).
    fn tare(&mut self) -> Result<(), DeviceError>;

    /// Removes the tare.
    fn clear_tare(&mut self) -> Result<(), DeviceError>;
}
