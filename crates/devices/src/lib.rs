//! Scanners, scales and printers behind traits: real drivers and their byte-level parsers.
//!
//! Layout: `protocol/` holds pure parsers (bytes in, typed values out, fuzzed);
//! `drivers/` talk to real device files, serial ports and sockets; `worker` runs a scale or
//! scanner on a thread, reconnects after unplugging and publishes [`DeviceEvent`]s;
//! `manager` is the station-level API the app calls.
//! Invariants: nothing here panics on input from a device, and only a [`StableWeight`]
//! (a stable reading, or a weight typed and marked as typed) can become a box weight.
//! Calls block (serial ports are blocking); async callers use `spawn_blocking`.

pub mod config;
pub mod discovery;
pub mod drivers;
pub mod error;
pub mod event;
pub mod manager;
pub mod print_job;
pub mod printer;
pub mod protocol;
pub mod reading;
pub mod scale;
pub mod scanner;
pub mod serial;
pub mod weight;
pub mod worker;

pub use config::{PrinterConfig, ScaleConfig, StationDeviceConfig};
pub use error::DeviceError;
pub use event::DeviceEvent;
pub use manager::DeviceManager;
pub use print_job::PrintJob;
pub use printer::{PrintFormat, Printer};
pub use reading::{ScaleReading, ScaleStatus, StableWeight, WeightSource};
pub use scale::Scale;
pub use scanner::Scanner;
pub use weight::{MassUnit, Weight};
