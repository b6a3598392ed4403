//! Sign-in throttling: failures are counted per account name and client address
//! (and, more loosely, per address across names, against password spraying); too
//! many within the window lock that key out for a while, correct password or not.

use time::{Duration, OffsetDateTime};

use crate::edges::Throttle;

/// The limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures before a lockout.
    pub max_failures: u32,
    /// Window in which failures count.
    pub window: Duration,
    /// Lockout length.
    pub lockout: Duration,
}

impl ThrottlePolicy {
    /// The looser policy for one address across all names.
    pub fn per_address(self) -> Self {
        Self {
            max_failures: self.max_failures.saturating_mul(4),
            ..self
        }
    }
}

/// The key for an account name from an address.
pub fn account_key(name: &str, addr: &str) -> String {
    format!("acct|{}|{addr}", name.trim().to_lowercase())
}

/// The key for an address.
pub fn address_key(addr: &str) -> String {
    format!("addr|{addr}")
}

/// Until when `t` is locked, if it is at `now`.
pub fn locked_until(t: Option<Throttle>, now: OffsetDateTime) -> Option<OffsetDateTime> {
    t.and_then(|t| t.locked_until).filter(|&until| until > now)
}

/// The row after one more failure at `now`.
pub fn after_failure(t: Option<Throttle>, now: OffsetDateTime, p: ThrottlePolicy) -> Throttle {
    let fresh = Throttle {
        failures: 0,
        window_start: now,
        locked_until: None,
    };
    if locked_until(t, now).is_some() {
        // Failures while locked do not extend the lock.
        return t.unwrap_or(fresh);
    }
    let mut t = match t {
        Some(t) if t.locked_until.is_none() && now - t.window_start <= p.window => t,
        // No row, a window that has passed, or a lockout that has ended.
        _ => fresh,
    };
    t.failures += 1;
    if t.failures >= p.max_failures {
        t.locked_until = Some(now + p.lockout);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: ThrottlePolicy = ThrottlePolicy {
        max_failures: 3,
        window: Duration::minutes(15),
        lockout: Duration::minutes(10),
    };

    #[test]
    fn the_nth_failure_locks_and_the_lock_ends() {
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut t = None;
        for i in 0..3 {
            assert_eq!(locked_until(t, t0), None, "failure {i}");
            t = Some(after_failure(t, t0 + Duration::seconds(i), P));
        }
        let until = locked_until(t, t0 + Duration::seconds(3)).expect("locked");
        assert_eq!(until, t0 + Duration::seconds(2) + P.lockout);
        // Failures while locked do not extend the lock.
        let again = after_failure(t, t0 + Duration::minutes(5), P);
        assert_eq!(again.locked_until, Some(until));
        assert_eq!(locked_until(t, until + Duration::seconds(1)), None);
        // After the lock, one failure does not lock again.
        let after = after_failure(t, until + Duration::seconds(1), P);
        assert_eq!(after.failures, 1);
        assert_eq!(after.locked_until, None);
    }

    #[test]
    fn failures_outside_the_window_start_over() {
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let t = after_failure(None, t0, P);
        let t = after_failure(Some(t), t0 + Duration::minutes(1), P);
        let t = after_failure(Some(t), t0 + Duration::minutes(20), P);
        assert_eq!(t.failures, 1);
        assert_eq!(t.locked_until, None);
    }

    #[test]
    fn keys_ignore_name_case_and_keep_addresses_apart() {
        assert_eq!(
            account_key(" Ops ", "1.2.3.4"),
            account_key("ops", "1.2.3.4")
        );
        assert_ne!(account_key("ops", "1.2.3.4"), account_key("ops", "1.2.3.5"));
    }
}
