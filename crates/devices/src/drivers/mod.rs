//! Drivers that talk to real device files, serial ports and sockets.

pub mod cups;
pub mod file_printer;
pub mod hid_scale;
pub mod network_zpl;
pub mod serial_scale;
pub mod serial_scanner;
pub mod usb_lp;
