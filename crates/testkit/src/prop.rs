//! Seeds for property tests: fresh random ones every run, or one replayed.

/// `TALLY_PROP_SEED=S` replays seed `S`; otherwise `count_var` (default `default`)
/// fresh random seeds, different every run. The seeds are printed first, so a
/// failing run can always be replayed.
pub fn seeds(count_var: &str, default: u64) -> Vec<u64> {
    let seeds = if let Ok(s) = std::env::var("TALLY_PROP_SEED") {
        vec![s.trim().parse().expect("TALLY_PROP_SEED is a number")]
    } else {
        let n: u64 = std::env::var(count_var)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(default);
        // Below 2^63, so a seed reads the same wherever it is pasted.
        (0..n).map(|_| rand::random::<u64>() >> 1).collect()
    };
    eprintln!("property seeds: {seeds:?}");
    seeds
}
