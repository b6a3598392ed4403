//! Retry delays: exponential with jitter, never sooner than Lightspeed's Retry-After.

use std::time::Duration;

/// Delay before attempt `attempts + 1`: `base * 2^attempts` capped at `max`, with
/// "equal jitter" (half fixed, half random) so retries from many sagas spread out.
pub fn delay(
    attempts: u32,
    base: Duration,
    max: Duration,
    retry_after: Option<Duration>,
) -> Duration {
    let exp = base.saturating_mul(1u32 << attempts.min(20)).min(max);
    let jitter: f64 = rand::random::<f64>();
    let jittered = exp.mul_f64(0.5 + 0.5 * jitter);
    match retry_after {
        Some(ra) => jittered.max(ra),
        None => jittered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_capped() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(5);
        for a in 0..30 {
            let d = delay(a, base, max, None);
            assert!(d <= max, "attempt {a}: {d:?}");
            let floor = base.saturating_mul(1u32 << a.min(20)).min(max) / 2;
            assert!(d >= floor, "attempt {a}: {d:?} < {floor:?}");
        }
    }

    #[test]
    fn retry_after_is_a_floor() {
        let d = delay(
            0,
            Duration::from_millis(1),
            Duration::from_millis(10),
            Some(Duration::from_secs(2)),
        );
        assert!(d >= Duration::from_secs(2));
    }
}
