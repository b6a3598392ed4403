//! Pure parsers: a byte buffer in, a typed value out, never a panic.

pub mod hid_pos;
pub mod line_buffer;
pub mod mt_sics;
pub mod scan_line;
pub mod toledo_8217;
pub mod zebra_host_status;
