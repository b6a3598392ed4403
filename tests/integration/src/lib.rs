//! Cross-crate tests: sync properties, crash harness, end-to-end flows without a window.
