//! How Rust values are written to and read from SQLite columns.
//!
//! One convention for the whole schema: ids are hyphenated lowercase UUID text, times
//! are unix milliseconds (UTC) in INTEGER columns, decimals are exact TEXT strings and
//! enums are their `as_str` names. Reading a value that breaks the convention is a
//! `STORE_DECODE` error, never a panic.

use std::str::FromStr;

use rusqlite::Row;
use rust_decimal::Decimal;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{Result, StoreError};

/// Unix milliseconds of a time (sub-millisecond precision is dropped).
pub(crate) fn ms(t: OffsetDateTime) -> i64 {
    // i128 nanos / 1e6 fits i64 for any year SQLite or people care about.
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The time at `ms` unix milliseconds.
pub(crate) fn from_ms(ms: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| StoreError::decode(format!("time {ms}: {e}")))
}

/// The current time, truncated to what the store keeps (milliseconds).
pub(crate) fn now() -> OffsetDateTime {
    // Truncate so a value read back equals the value handed out.
    from_ms(ms(OffsetDateTime::now_utc())).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn parse_uuid(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|e| StoreError::decode(format!("id '{s}': {e}")))
}

pub(crate) fn parse_decimal(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| StoreError::decode(format!("decimal '{s}': {e}")))
}

/// Typed getters for the store's column conventions.
pub(crate) trait RowExt {
    fn uuid(&self, col: &str) -> Result<Uuid>;
    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>>;
    fn time(&self, col: &str) -> Result<OffsetDateTime>;
    fn opt_time(&self, col: &str) -> Result<Option<OffsetDateTime>>;
    fn decimal(&self, col: &str) -> Result<Decimal>;
    fn opt_decimal(&self, col: &str) -> Result<Option<Decimal>>;
    fn text(&self, col: &str) -> Result<String>;
    fn opt_text(&self, col: &str) -> Result<Option<String>>;
    fn int(&self, col: &str) -> Result<i64>;
    fn opt_int(&self, col: &str) -> Result<Option<i64>>;
    fn flag(&self, col: &str) -> Result<bool>;
    /// An enum column parsed with the enum's own `parse`.
    fn enumeration<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<T>;
}

impl RowExt for Row<'_> {
    fn uuid(&self, col: &str) -> Result<Uuid> {
        parse_uuid(&self.text(col)?)
    }
    fn opt_uuid(&self, col: &str) -> Result<Option<Uuid>> {
        self.opt_text(col)?.as_deref().map(parse_uuid).transpose()
    }
    fn time(&self, col: &str) -> Result<OffsetDateTime> {
        from_ms(self.int(col)?)
    }
    fn opt_time(&self, col: &str) -> Result<Option<OffsetDateTime>> {
        self.opt_int(col)?.map(from_ms).transpose()
    }
    fn decimal(&self, col: &str) -> Result<Decimal> {
        parse_decimal(&self.text(col)?)
    }
    fn opt_decimal(&self, col: &str) -> Result<Option<Decimal>> {
        self.opt_text(col)?
            .as_deref()
            .map(parse_decimal)
            .transpose()
    }
    fn text(&self, col: &str) -> Result<String> {
        Ok(self.get(col)?)
    }
    fn opt_text(&self, col: &str) -> Result<Option<String>> {
        Ok(self.get(col)?)
    }
    fn int(&self, col: &str) -> Result<i64> {
        Ok(self.get(col)?)
    }
    fn opt_int(&self, col: &str) -> Result<Option<i64>> {
        Ok(self.get(col)?)
    }
    fn flag(&self, col: &str) -> Result<bool> {
        Ok(self.int(col)? != 0)
    }
    fn enumeration<T>(&self, col: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
        let s = self.text(col)?;
        parse(&s).ok_or_else(|| StoreError::decode(format!("{col} '{s}' is not a known value")))
    }
}

/// Optional UUID as a bindable text value.
pub(crate) fn opt_id(id: Option<Uuid>) -> Option<String> {
    id.map(|u| u.to_string())
}

/// Optional decimal as a bindable text value.
pub(crate) fn opt_dec(d: Option<Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Converts an optional u32 (grams, millimetres) for binding.
pub(crate) fn opt_u32(v: Option<u32>) -> Option<i64> {
    v.map(i64::from)
}

/// Reads an optional INTEGER column back as u32, refusing negatives.
pub(crate) fn to_opt_u32(v: Option<i64>, col: &str) -> Result<Option<u32>> {
    v.map(|n| u32::try_from(n).map_err(|_| StoreError::decode(format!("{col} {n} out of range"))))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_at_millisecond_precision() {
        let t = now();
        assert_eq!(from_ms(ms(t)).unwrap(), t);
        assert_eq!(ms(OffsetDateTime::UNIX_EPOCH), 0);
    }

    #[test]
    fn decimals_keep_their_exact_digits() {
        let d = parse_decimal("12.340").unwrap();
        assert_eq!(d.to_string(), "12.340");
        assert!(parse_decimal("1e3x").is_err());
    }
}
