//! Scanners, scales and printers behind traits: real drivers and their byte-level parsers.
