//! Helpers shared by the unit tests.

/// Property-test case count: `PROPTEST_CASES` when set (CI or a long local run), else
/// `default`, kept small so each test stays well under a second.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
