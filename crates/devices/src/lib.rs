//! Scanners, scales and printers behind traits: real drivers and their byte-level parsers.
//!
//! Layout: `protocol/` holds pure parsers (bytes in, typed values out, fuzzed);
//! `drivers/` talk to real device files and sockets; `manager` runs them on threads,
//! reconnects after unplugging and publishes [`DeviceEvent`]s for the UI.
//! Invariant: nothing here panics on input from a device, and only a [`StableWeight`]
//! (a stable reading, or a weight typed and marked as typed) can become a box weight.

pub mod error;
pub mod protocol;
pub mod reading;
pub mod weight;

pub use error::DeviceError;
pub use reading::{ScaleReading, ScaleStatus, StableWeight, WeightSource};
pub use weight::{MassUnit, Weight};
