//! When and how long to wait before trying a failed call again.

use std::time::Duration;

use rand::Rng;

use crate::error::LsError;

/// Retry settings. Only retryable errors are retried, and a non-idempotent call
/// (POST) only when it certainly was not applied (429, connection refused).
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// First backoff step; doubles each attempt (full jitter).
    pub base_delay: Duration,
    /// Longest backoff step.
    pub max_delay: Duration,
    /// Shortest wait after a 429, whatever Retry-After says (a past date or `0`
    /// must never turn into a hot loop).
    pub min_retry_after: Duration,
    /// Longest wait honoured from Retry-After.
    pub max_retry_after: Duration,
    /// Wait after a 429 that carried no readable Retry-After.
    pub default_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(30),
            min_retry_after: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(600),
            default_retry_after: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Whether to try again after `error` on attempt `attempt` (1-based).
    pub fn should_retry(&self, error: &LsError, attempt: u32, idempotent: bool) -> bool {
        if attempt >= self.max_attempts || !error.is_retryable() {
            return false;
        }
        // A POST whose outcome is unknown must be re-read by the caller, not repeated.
        idempotent || !error.may_have_applied()
    }

    /// Full-jitter exponential backoff for attempt `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let cap = exp.min(self.max_delay).as_millis() as u64;
        // Never zero: a floor of a tenth of the base keeps retries from spinning.
        let floor = (self.base_delay.as_millis() as u64 / 10).max(1);
        Duration::from_millis(rand::rng().random_range(floor..=cap.max(floor)))
    }

    /// The wait a 429 asks for, clamped to `[min_retry_after, max_retry_after]`.
    pub fn rate_limit_wait(&self, retry_after: Option<Duration>) -> Duration {
        retry_after
            .unwrap_or(self.default_retry_after)
            .clamp(self.min_retry_after, self.max_retry_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_never_zero() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(800),
            ..RetryPolicy::default()
        };
        for attempt in 1..30 {
            let d = p.backoff(attempt);
            assert!(d >= Duration::from_millis(10), "{d:?}");
            assert!(d <= Duration::from_millis(800));
            if attempt == 1 {
                assert!(d <= Duration::from_millis(100));
            }
        }
    }

    #[test]
    fn backoff_is_jittered_so_many_clients_do_not_retry_in_step() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(800),
            ..RetryPolicy::default()
        };
        for attempt in [1, 3, 10] {
            let draws: std::collections::BTreeSet<Duration> =
                (0..64).map(|_| p.backoff(attempt)).collect();
            assert!(
                draws.len() > 8,
                "attempt {attempt}: 64 waits took only {} values",
                draws.len()
            );
        }
    }

    #[test]
    fn a_zero_or_missing_retry_after_still_waits() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.rate_limit_wait(Some(Duration::ZERO)),
            Duration::from_secs(1)
        );
        assert_eq!(p.rate_limit_wait(None), Duration::from_secs(5));
        assert_eq!(
            p.rate_limit_wait(Some(Duration::from_secs(3600))),
            Duration::from_secs(600)
        );
    }

    #[test]
    fn only_retryable_errors_are_retried_and_posts_only_when_not_applied() {
        let p = RetryPolicy::default();
        let server = LsError::Server {
            status: 503,
            body: String::new(),
        };
        let limited = LsError::RateLimited {
            retry_after: Duration::from_secs(1),
        };
        let rejected = LsError::from_status(400, String::new());
        assert!(p.should_retry(&server, 1, true));
        assert!(!p.should_retry(&server, 1, false));
        assert!(p.should_retry(&limited, 1, false));
        assert!(p.should_retry(&LsError::Connect("refused".into()), 1, false));
        assert!(!p.should_retry(&LsError::Timeout, 1, false));
        assert!(!p.should_retry(&rejected, 1, true));
        assert!(!p.should_retry(&server, p.max_attempts, true));
    }
}
