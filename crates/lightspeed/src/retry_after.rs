//! `Retry-After` and `X-RateLimit-Reset` parsing. Lightspeed sends HTTP dates where
//! most APIs send seconds; reading a date as an integer gave the old system 0 and a
//! hot retry loop, so both forms (and RFC 3339, and unix seconds for Reset) are read.

use std::time::{Duration, SystemTime};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Delay until `value` (seconds, an HTTP date or RFC 3339), measured from `now`.
/// A date in the past gives zero; the caller applies its own floor. `None` when
/// the value is unreadable.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok().map(Duration::from_secs);
    }
    if let Ok(secs) = v.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs));
        }
    }
    date_delay(v, now)
}

/// Delay until `X-RateLimit-Reset`: unix seconds (large numbers), delta seconds
/// (small numbers), an HTTP date or RFC 3339.
pub fn parse_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(n) = v.parse::<u64>() {
        // Anything after 2001 is a timestamp, not a delay.
        return Some(if n > 1_000_000_000 {
            (SystemTime::UNIX_EPOCH + Duration::from_secs(n))
                .duration_since(now)
                .unwrap_or_default()
        } else {
            Duration::from_secs(n)
        });
    }
    date_delay(v, now)
}

fn date_delay(v: &str, now: SystemTime) -> Option<Duration> {
    let at = httpdate::parse_http_date(v).ok().or_else(|| {
        OffsetDateTime::parse(v, &Rfc3339)
            .ok()
            .map(SystemTime::from)
    })?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_after_as_an_http_date_is_a_delay_from_now_not_zero() {
        // Wed, 25 Nov 2026 10:00:30 GMT
        let now = at(1_795_600_800);
        let d = parse_retry_after("Wed, 25 Nov 2026 10:00:30 GMT", now).unwrap();
        assert_eq!(d, Duration::from_secs(30));
    }

    #[test]
    fn retry_after_in_seconds_rfc3339_and_past_dates() {
        let now = at(1_795_600_800);
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after(" 1.5 ", now),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_retry_after("2026-11-25T10:00:05Z", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 25 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn reset_reads_unix_seconds_deltas_and_dates() {
        let now = at(1_795_600_800);
        assert_eq!(
            parse_reset("1795600860", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_reset("60", now), Some(Duration::from_secs(60)));
        assert_eq!(
            parse_reset("Wed, 25 Nov 2026 10:01:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(parse_reset("never", now), None);
    }
}
