//! Saga attempt timings over a sliding window (the last hour by default), for the
//! dashboard's p50/p95 and success rate. Bounded in memory; lost on restart, which
//! is fine for an "over the last hour" figure.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most samples kept, whatever the window (a busy hour keeps the latest ones).
const MAX_SAMPLES: usize = 50_000;

/// The window's figures.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TimingSummary {
    /// Attempts in the window.
    pub attempts: u64,
    /// Attempts that brought Lightspeed up to date.
    pub successes: u64,
    /// Median attempt time.
    pub p50: Option<Duration>,
    /// 95th percentile attempt time.
    pub p95: Option<Duration>,
}

impl TimingSummary {
    /// Successes over attempts, if there were any.
    pub fn success_rate(&self) -> Option<f64> {
        (self.attempts > 0).then(|| self.successes as f64 / self.attempts as f64)
    }
}

/// Recent saga attempts.
#[derive(Debug)]
pub struct SagaTimings {
    window: Duration,
    samples: Mutex<VecDeque<(Instant, Duration, bool)>>,
}

impl SagaTimings {
    /// Keeps attempts for `window`.
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            samples: Mutex::new(VecDeque::new()),
        }
    }

    /// Records an attempt that took `took` and ended now.
    pub fn record(&self, took: Duration, success: bool) {
        self.record_at(Instant::now(), took, success);
    }

    /// Records an attempt that ended at `at`.
    pub fn record_at(&self, at: Instant, took: Duration, success: bool) {
        let mut s = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        s.push_back((at, took, success));
        while s.len() > MAX_SAMPLES {
            s.pop_front();
        }
    }

    /// Figures for the attempts that ended within the window before `now`.
    pub fn summary_at(&self, now: Instant) -> TimingSummary {
        let mut s = self.samples.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(&(at, _, _)) = s.front() {
            if now.saturating_duration_since(at) > self.window {
                s.pop_front();
            } else {
                break;
            }
        }
        let mut took: Vec<Duration> = s.iter().map(|&(_, d, _)| d).collect();
        let successes = s.iter().filter(|&&(_, _, ok)| ok).count() as u64;
        drop(s);
        took.sort_unstable();
        TimingSummary {
            attempts: took.len() as u64,
            successes,
            p50: nearest_rank(&took, 50),
            p95: nearest_rank(&took, 95),
        }
    }

    /// Figures for the window ending now.
    pub fn summary(&self) -> TimingSummary {
        self.summary_at(Instant::now())
    }
}

/// Nearest-rank percentile of sorted values.
fn nearest_rank(sorted: &[Duration], pct: usize) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (pct * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let t = SagaTimings::new(Duration::from_secs(3600));
        let now = Instant::now();
        for ms in 1..=100u64 {
            t.record_at(now, Duration::from_millis(ms), ms % 10 != 0);
        }
        let s = t.summary_at(now);
        assert_eq!(s.attempts, 100);
        assert_eq!(s.successes, 90);
        assert_eq!(s.p50, Some(Duration::from_millis(50)));
        assert_eq!(s.p95, Some(Duration::from_millis(95)));
        assert_eq!(s.success_rate(), Some(0.9));
    }

    #[test]
    fn attempts_older_than_the_window_are_forgotten() {
        let t = SagaTimings::new(Duration::from_secs(60));
        let start = Instant::now();
        t.record_at(start, Duration::from_secs(9), false);
        let later = start + Duration::from_secs(61);
        t.record_at(later, Duration::from_millis(5), true);
        let s = t.summary_at(later);
        assert_eq!(s.attempts, 1);
        assert_eq!(s.p95, Some(Duration::from_millis(5)));
        assert_eq!(s.success_rate(), Some(1.0));
    }

    #[test]
    fn an_empty_window_has_no_figures() {
        let s = SagaTimings::new(Duration::from_secs(1)).summary();
        assert_eq!(s.p50, None);
        assert_eq!(s.success_rate(), None);
    }
}
